"""The synthetic ``heart_failure_survival`` sample: Cox truth, Weibull baseline, censoring.

Part of ``sample_data/_generate.py`` (which writes every bundled CSV); the formula, the true
log-hazard ratios and the censoring scheme are documented in ``sample_data/README.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample_data._draw import _blank, _decimals, _ints

SURVIVAL_SEED = 20240919
SURVIVAL_ROWS = 3000
SURVIVAL_COEFFICIENTS: dict[str, float] = {
    "ejection_fraction": -0.050,
    "ln(serum_creatinine)": 1.000,
    "age": 0.030,
    "nyha_class=II": 0.300,
    "nyha_class=III": 0.700,
    "nyha_class=IV": 1.200,
    "treatment=active": -0.500,
    "systolic_bp": -0.008,
    "diabetes=yes": 0.250,
    "smoking=current": 0.300,
    "smoking=former": 0.100,
    "sex=male": 0.150,
}
"""True Cox log-hazard ratios of ``heart_failure_survival`` (per unit of each column)."""
SURVIVAL_CENTRES: dict[str, float] = {
    "ejection_fraction": 40.0,
    "age": 65.0,
    "systolic_bp": 130.0,
}
SURVIVAL_WEIBULL_SHAPE = 0.9
SURVIVAL_WEIBULL_SCALE = 7000.0
SURVIVAL_ENROLMENT_DAYS = 1096
SURVIVAL_STUDY_DAYS = 1826
SURVIVAL_DROPOUT_MEAN = 6000.0


def heart_failure_log_hazard(frame: pd.DataFrame) -> np.ndarray:
    """Return the documented log-hazard ``eta`` of ``heart_failure_survival`` for complete rows."""
    c, m = SURVIVAL_COEFFICIENTS, SURVIVAL_CENTRES
    eta = c["ln(serum_creatinine)"] * np.log(frame["serum_creatinine"])
    for name in ("ejection_fraction", "age", "systolic_bp"):
        eta = eta + c[name] * (frame[name] - m[name])
    for key, value in c.items():
        if "=" in key:
            column, level = key.split("=")
            eta = eta + value * (frame[column] == level)
    return np.asarray(eta, dtype=np.float64)


def make_heart_failure_survival() -> pd.DataFrame:
    """Return the synthetic heart-failure follow-up table (see the module docstring)."""
    rng = np.random.default_rng(SURVIVAL_SEED)
    n = SURVIVAL_ROWS
    age = _ints(rng.normal(67.0, 11.0, n), 30, 95)
    sex = rng.choice(["female", "male"], size=n, p=[0.42, 0.58])
    ejection_fraction = _ints(rng.normal(38.0, 11.0, n), 10, 75)
    diabetes = rng.choice(["no", "yes"], size=n, p=[0.68, 0.32])
    log_creatinine = (
        np.log(1.05) + 0.008 * (age - 65) + 0.10 * (diabetes == "yes") + rng.normal(0.0, 0.35, n)
    )
    serum_creatinine = _decimals(np.exp(log_creatinine), 0.4, 8.0, 2)
    systolic_bp = _ints(124.0 + 0.3 * (age - 65) + rng.normal(0.0, 18.0, n), 75, 210)
    nyha_class = rng.choice(["I", "II", "III", "IV"], size=n, p=[0.2, 0.4, 0.3, 0.1])
    smoking = rng.choice(["never", "former", "current"], size=n, p=[0.45, 0.35, 0.2])
    treatment = rng.choice(["control", "active"], size=n)
    platelets = _ints(rng.normal(265.0, 65.0, n), 25, 850)
    blood_type = rng.choice(["O", "A", "B", "AB"], size=n, p=[0.3, 0.34, 0.26, 0.1])
    frame = pd.DataFrame(
        {
            "patient_id": [f"HF{i:05d}" for i in range(1, n + 1)],
            "age": age,
            "sex": sex,
            "ejection_fraction": ejection_fraction,
            "serum_creatinine": serum_creatinine,
            "systolic_bp": systolic_bp,
            "nyha_class": nyha_class,
            "diabetes": diabetes,
            "smoking": smoking,
            "treatment": treatment,
            "platelets": platelets,
            "blood_type": blood_type,
        }
    )
    eta = heart_failure_log_hazard(frame)
    shape, scale = SURVIVAL_WEIBULL_SHAPE, SURVIVAL_WEIBULL_SCALE
    event_time = scale * (rng.exponential(1.0, n) * np.exp(-eta)) ** (1.0 / shape)
    enrolment = rng.integers(0, SURVIVAL_ENROLMENT_DAYS, size=n)
    administrative = SURVIVAL_STUDY_DAYS - enrolment
    dropout = rng.exponential(SURVIVAL_DROPOUT_MEAN, n)
    censor_time = np.minimum(administrative, dropout)
    observed = np.minimum(event_time, censor_time)
    frame["ejection_fraction"] = _blank(rng, ejection_fraction, 0.03)
    frame["systolic_bp"] = _blank(rng, systolic_bp, 0.04)
    frame["follow_up_days"] = np.maximum(np.ceil(observed), 1).astype(np.int64)
    frame["death"] = (event_time <= censor_time).astype(np.int64)
    return frame
