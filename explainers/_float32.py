"""XGBoost keeps numbers as 32-bit floats: what a table holds beyond that range."""

from __future__ import annotations

import numpy as np

FLOAT32_MAX = float(np.finfo(np.float32).max)
"""The largest 32-bit float (about 3.4e38); a larger magnitude is infinite in XGBoost."""


def out_of_range(values: np.ndarray) -> np.ndarray:
    """True where a number is infinite or too large for a 32-bit float (NaN is not)."""
    numbers = np.asarray(values)
    if numbers.dtype.kind == "f" and numbers.dtype.itemsize < 4:
        return np.isinf(numbers)  # a half float cannot exceed a 32-bit one
    with np.errstate(invalid="ignore"):
        return np.asarray(np.abs(numbers) > FLOAT32_MAX)
