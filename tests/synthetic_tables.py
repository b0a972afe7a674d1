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
