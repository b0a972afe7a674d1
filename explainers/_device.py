"""Choosing the compute device for TreeSHAP: CUDA when it really works, else the CPU."""

from __future__ import annotations

import functools
import os
import warnings
from dataclasses import dataclass

import numpy as np
import xgboost as xgb

from ._errors import DeviceError
from ._types import Device, DeviceChoice


@dataclass(frozen=True)
class DeviceFacts:
    """What decides the device: was XGBoost built with CUDA, and does a GPU answer."""

    cuda_built: bool
    gpu_answers: bool


def choose_device(requested: DeviceChoice, *, cuda_built: bool, gpu_answers: bool) -> Device:
    """Pick the device from the facts alone (a pure function).

    ``auto`` picks CUDA only when XGBoost was built with CUDA and a GPU answered
    the probe. ``cuda`` when either fact is missing raises :class:`DeviceError`.
    """
    if requested == "cpu":
        return "cpu"
    usable = cuda_built and gpu_answers
    if requested == "cuda" and not usable:
        why = "XGBoost was built without CUDA" if not cuda_built else "no GPU answered"
        raise DeviceError(
            f"The CUDA device was requested but {why}. Use --device cpu or auto.",
            code="no_cuda",
            why=why,
        )
    return "cuda" if usable else "cpu"


def _probe_gpu() -> bool:
    """Train a two-row booster on ``device="cuda"``; True only if it ran there."""
    if not any(os.path.exists(p) for p in ("/dev/nvidiactl", "/dev/nvidia0", "/dev/dxg")):
        return False
    X = np.array([[0.0], [1.0]], dtype=np.float32)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            booster = xgb.train(
                {"device": "cuda", "tree_method": "hist", "max_depth": 1, "verbosity": 0},
                xgb.DMatrix(X, label=np.array([0.0, 1.0])),
                num_boost_round=1,
            )
            booster.predict(xgb.DMatrix(X), pred_contribs=True)
        return '"device":"cuda' in booster.save_config().replace(" ", "")
    except Exception:  # noqa: BLE001 - any failure means the GPU is not usable
        return False


@functools.lru_cache(maxsize=1)
def device_facts() -> DeviceFacts:
    """Read the facts once per process: XGBoost's build info and a tiny GPU probe."""
    cuda_built = bool(xgb.build_info().get("USE_CUDA", False))
    return DeviceFacts(cuda_built=cuda_built, gpu_answers=cuda_built and _probe_gpu())


def resolve_device(requested: DeviceChoice = "auto") -> Device:
    """Choose the device for this machine (probing once)."""
    if requested == "cpu":
        return "cpu"
    facts = device_facts()
    return choose_device(requested, cuda_built=facts.cuda_built, gpu_answers=facts.gpu_answers)
