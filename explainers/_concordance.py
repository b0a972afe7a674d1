"""Harrell's concordance index of weighted resamples of the rows, all at once.

A bootstrap resample is a vector of counts, one per row (see
:func:`explainers._audit.group_bootstrap.resample_weights`); a pair of rows then counts
the product of their counts, so one pass over the comparable pairs scores every resample.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]
_PAIR_CELLS = 2_000_000  # about this many row pairs are held at a time


def weighted_c_index(
    weights: Floats,
    time: np.ndarray,
    event: np.ndarray,
    risk: np.ndarray,
    *,
    tied_tol: float = 1e-8,
) -> Floats:
    """Harrell's C-index of each weighted resample of the rows, as scikit-survival's.

    A pair is comparable when the row with the shorter time had the event (or both
    times are equal and only the first had it); it counts 1 when that row's risk is
    higher, 1/2 when the risks are within ``tied_tol``. Each pair weighs the product of
    its rows' weights (counts in a bootstrap resample), so a resample's score equals
    ``concordance_index_censored`` on the resampled rows. NaN without a comparable pair.
    """
    event = np.asarray(event, dtype=bool)
    events = np.flatnonzero(event)
    numerator = np.zeros(len(weights))
    denominator = np.zeros(len(weights))
    step = max(1, _PAIR_CELLS // max(1, len(time)))
    for start in range(0, len(events), step):
        rows = events[start : start + step]
        later = time[None, :] > time[rows, None]
        comparable = (later | ((time[None, :] == time[rows, None]) & ~event[None, :])).astype(
            np.float64
        )
        gap = risk[rows, None] - risk[None, :]
        score = np.where(np.abs(gap) <= tied_tol, 0.5, (gap > 0).astype(np.float64))
        own = weights[:, rows]
        numerator += np.einsum("bi,bi->b", own, weights @ (score * comparable).T)
        denominator += np.einsum("bi,bi->b", own, weights @ comparable.T)
    defined = denominator > 0
    return np.where(defined, numerator / np.where(defined, denominator, 1.0), np.nan)
