"""A histogram of any finite numbers a real file can hold.

``np.histogram`` refuses two kinds of column a file can carry: values whose range overflows
a float (``1e308`` beside ``-1e308``: the range is infinite) and values so close together
that a bin's width underflows (subnormal numbers such as ``5e-324`` beside ``0``). Both
raise ``ValueError`` ("Too many bins for data range"). Here such values are binned after
dividing them by their largest magnitude, which keeps their order and puts them in
``[-1, 1]``; the edges are scaled back. Every other column gets ``np.histogram``'s own bins.
"""

from __future__ import annotations

import numpy as np


def finite_histogram(values: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Counts and edges of ``values``' finite entries in ``bins`` equal bins (at least one).

    Non-finite values are left out; with none left, both arrays are empty.
    """
    data = np.asarray(values, dtype="float64").ravel()
    finite = data[np.isfinite(data)]
    n_bins = max(1, int(bins))
    if finite.size == 0:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="float64")
    try:
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            counts, edges = np.histogram(finite, bins=n_bins)
        if np.isfinite(edges).all() and np.isfinite(np.diff(edges)).all():
            return counts, edges
    except ValueError:
        pass
    scale = float(np.max(np.abs(finite)))
    scaled = finite / scale
    low, high = float(scaled.min()), float(scaled.max())
    counts, unit_edges = np.histogram(scaled, bins=n_bins, range=(low, high))
    edges = unit_edges * scale
    edges[0], edges[-1] = float(finite.min()), float(finite.max())
    return counts, edges


def bin_centres(edges: np.ndarray) -> np.ndarray:
    """The middle of each bin, without overflow where the edges are near the float limit."""
    return np.asarray(edges[:-1] / 2 + edges[1:] / 2, dtype="float64")
