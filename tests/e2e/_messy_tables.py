"""A messy clinic table for the browser tests and screenshots, with a known truth.

``outcome`` (yes/no) follows ``age`` and ``risk_score``; ``lab_marker`` is above 50
exactly when the outcome is yes (a threshold leak); ``followup_days`` is named as
recorded after the outcome; ``patient_id`` numbers the rows; ``charges`` is typed as
money (``$1,234``), ``copay_share`` as percent (``45%``); ``blood_pressure`` has
SAS-style ``.`` for missing in 30 cells.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

N_DOTS = 30


def messy_clinic_frame(n: int = 600, seed: int = 1) -> pd.DataFrame:
    """The table (see the module docstring)."""
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 90, n)
    score = rng.normal(0, 1, n)
    y = rng.random(n) < 1 / (1 + np.exp(-(0.04 * (age - 55) + 1.2 * score)))
    pressure = np.array([f"{v:.1f}" for v in rng.normal(130, 15, n)], dtype=object)
    pressure[rng.choice(n, N_DOTS, replace=False)] = "."
    return pd.DataFrame(
        {
            "patient_id": np.arange(1000, 1000 + n),
            "age": age,
            "blood_pressure": pressure,
            "charges": [f"${c:,}" for c in rng.integers(1000, 9000, n)],
            "copay_share": [f"{p}%" for p in rng.integers(5, 60, n)],
            "risk_score": score.round(3),
            "lab_marker": np.where(y, rng.uniform(60, 100, n), rng.uniform(0, 40, n)).round(1),
            "followup_days": rng.integers(1, 900, n),
            "outcome": np.where(y, "yes", "no"),
        }
    )


def write_messy_clinic_csv(path: Path) -> Path:
    """Write :func:`messy_clinic_frame` as CSV to ``path``."""
    messy_clinic_frame().to_csv(path, index=False)
    return path
