"""Small synthetic tables with known ground truth, shared by the tests.

A module of its own (not conftest.py) so that tests can import it by name.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd


def synthetic_binary(n: int = 1500, seed: int = 7) -> pd.DataFrame:
    """Binary outcome driven by x_strong (strong), x_medium, colour == 'red'.

    x_noise has no effect.
    """
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "record_id": np.arange(1, n + 1),
            "x_strong": rng.normal(0, 1, n),
            "x_medium": rng.normal(0, 1, n),
            "x_noise": rng.normal(0, 1, n),
            "colour": rng.choice(["red", "green", "blue"], n),
        }
    )
    logit = (
        2.5 * frame["x_strong"] + 1.0 * frame["x_medium"] + 1.2 * (frame["colour"] == "red") - 0.4
    )
    frame["outcome"] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    frame.loc[rng.choice(n, n // 20, replace=False), "x_medium"] = np.nan
    return frame


def synthetic_regression(n: int = 800, seed: int = 3) -> pd.DataFrame:
    """y = 3*a + b^2 + noise; c is noise."""
    rng = np.random.default_rng(seed)
    a, b, c = rng.normal(size=(3, n))
    return pd.DataFrame({"a": a, "b": b, "c": c, "y": 3 * a + b**2 + rng.normal(0, 0.1, n)})


def synthetic_multiclass(n: int = 1200, seed: int = 5) -> pd.DataFrame:
    """Three ordered levels cut from severity = 2*s1 - s2 + noise; z is noise."""
    rng = np.random.default_rng(seed)
    s1, s2, z = rng.normal(size=(3, n))
    severity = 2 * s1 - s2 + rng.normal(0, 0.3, n)
    level = np.select([severity < -0.8, severity < 0.8], ["low", "medium"], "high")
    mode = rng.choice(["walk-in", "ambulance"], n)
    return pd.DataFrame({"s1": s1, "s2": s2, "z": z, "mode": mode, "level": level})


def synthetic_survival(n: int = 800, seed: int = 11) -> pd.DataFrame:
    """Cox truth: hazard exp(1.2 age_z - 0.6 marker + 0.8 [stage == 'III']), exponential
    baseline, independent exponential censoring; ``noise`` has no effect."""
    rng = np.random.default_rng(seed)
    age_z, marker, noise = rng.normal(size=(3, n))
    stage = rng.choice(["I", "II", "III"], n)
    hazard = np.exp(1.2 * age_z - 0.6 * marker + 0.8 * (stage == "III"))
    event_time = rng.exponential(10 / hazard)
    censor_time = rng.exponential(20, n)
    return pd.DataFrame(
        {
            "age_z": age_z.round(4),
            "marker": marker.round(4),
            "noise": noise.round(4),
            "stage": stage,
            "follow_up_days": np.maximum(np.minimum(event_time, censor_time), 0.01).round(3),
            "death": (event_time <= censor_time).astype(int),
        }
    )


COX_BETA = {"x1": 1.2, "x2": -0.6, "x3": 0.0}
"""The true log-hazard ratios of :func:`cox_table` (x3 has no effect)."""


def cox_table(n: int = 600, seed: int = 3) -> pd.DataFrame:
    """Hazard exp(1.2 x1 - 0.6 x2 + 0.5 [site == b]), exponential baseline, random censoring."""
    rng = np.random.default_rng(seed)
    x = {name: rng.normal(size=n).round(4) for name in COX_BETA}
    site = rng.choice(["a", "b", "c"], size=n)
    hazard = np.exp(sum(beta * x[name] for name, beta in COX_BETA.items()) + 0.5 * (site == "b"))
    event_time = rng.exponential(10 / hazard)
    censor_time = rng.exponential(20, n)
    return pd.DataFrame(
        {
            **x,
            "site": site,
            "follow_up_days": np.minimum(event_time, censor_time).round(3),
            "dead": (event_time <= censor_time).astype(int),
        }
    )


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Serialise ``frame`` as UTF-8 CSV bytes."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


FIRST_NAMES = [
    "James",
    "Mary",
    "Min-jun",
    "Seo-yeon",
    "Ahmed",
    "Olga",
    "Kwame",
    "Lucia",
    "Hiroshi",
    "Ana",
    "John",
    "Fatima",
    "Pierre",
    "Ji-ho",
    "Emma",
    "Raj",
    "Sofia",
    "Chen",
    "Ivan",
    "Grace",
]
"""Given names from several languages, for columns of person names."""


N_DOTS = 30


def messy_clinic_frame(n: int = 600, seed: int = 1) -> pd.DataFrame:
    """A messy clinic table with a known truth (for the app's findings tests and screenshots).

    ``outcome`` (yes/no) follows ``age`` and ``risk_score``; ``lab_marker`` is above 50
    exactly when the outcome is yes (a threshold leak); ``followup_days`` is named as
    recorded after the outcome; ``patient_id`` numbers the rows; ``charges`` is typed as
    money (``$1,234``), ``copay_share`` as percent (``45%``); ``blood_pressure`` has
    SAS-style ``.`` for missing in ``N_DOTS`` cells.
    """
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
