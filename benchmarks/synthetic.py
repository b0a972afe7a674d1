"""The benchmarks' synthetic table and machine facts, with numpy alone (so that
``benchmarks/gpu_check.py`` runs where nothing else of the project is installed)."""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path

import numpy as np


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or ""


def synthetic_arrays(
    n_rows: int, n_features: int = 30, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Normal features (float32) and a 0/1 target with a known logistic law: the first five
    features drive it."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, n_features)).astype(np.float32)
    logit = X[:, :5] @ np.array([2.0, -1.5, 1.0, 0.8, -0.5])
    y = (rng.random(n_rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def gpu_description(*, driver: bool = False) -> str | None:
    """``nvidia-smi``'s name and memory of each GPU (and the driver's version), or None."""
    fields = "name,memory.total" + (",driver_version" if driver else "")
    try:
        answer = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            ["nvidia-smi", f"--query-gpu={fields}", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return answer or None
