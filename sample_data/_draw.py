"""Small drawing helpers shared by the sample generators (rounding, clipping, blanks)."""

from __future__ import annotations

import numpy as np


def _ints(values: np.ndarray, low: float, high: float) -> np.ndarray:
    return np.clip(np.round(values), low, high).astype(np.int64)


def _decimals(values: np.ndarray, low: float, high: float, digits: int) -> np.ndarray:
    return np.asarray(np.round(np.clip(values, low, high), digits), dtype=np.float64)


def _blank(rng: np.random.Generator, values: np.ndarray, fraction: float) -> np.ndarray:
    """Return ``values`` as floats with exactly ``fraction`` of them set to NaN."""
    out = values.astype(np.float64)
    chosen = rng.choice(len(out), size=round(fraction * len(out)), replace=False)
    out[chosen] = np.nan
    return out
