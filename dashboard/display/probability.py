"""The link functions and the probability walk: the app's one copy of this math.

A classifier's SHAP values add up in log-odds (the model's margin). The pages
show probabilities, so every conversion of a margin to a probability in the
app goes through :func:`sigmoid`, :func:`softmax` or :func:`to_probability`,
and every walk from the base value through ordered contributions through
:func:`probability_steps` (one output) or :func:`contribution_path` (any task).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def sigmoid(margin: np.ndarray | float) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-margin))``, without overflow for large |margin|.

    Parameters
    ----------
    margin : array-like or float
        Log-odds.

    Returns
    -------
    np.ndarray
        Probabilities, same shape as ``margin`` (0-d for a scalar).
    """
    m = np.asarray(margin, dtype=float)
    z = np.exp(-np.abs(m))
    return np.asarray(np.where(m >= 0, 1.0 / (1.0 + z), z / (1.0 + z)), dtype=float)


def softmax(margin: np.ndarray) -> np.ndarray:
    """Softmax over the last axis (shifted by the maximum, so it never overflows).

    Parameters
    ----------
    margin : array-like
        Shape ``(..., k)``: one margin per class.

    Returns
    -------
    np.ndarray
        Probabilities of the same shape, summing to 1 over the last axis.
    """
    m = np.asarray(margin, dtype=float)
    shifted = np.exp(m - m.max(axis=-1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=-1, keepdims=True), dtype=float)


def to_probability(margin: np.ndarray, task: str) -> np.ndarray:
    """Map margins to probabilities: sigmoid for binary (one output), softmax for multiclass.

    Parameters
    ----------
    margin : array-like
        Shape ``(..., k)``: the model's raw outputs.
    task : str
        ``binary`` or ``multiclass``.

    Returns
    -------
    np.ndarray
        For binary, the positive class's probability ``(...,)``; for multiclass
        the probabilities ``(..., k)``.
    """
    m = np.asarray(margin, dtype=float)
    return sigmoid(m[..., 0]) if task == "binary" else softmax(m)


def probability_steps(base: float, shap_sorted: Sequence[float] | np.ndarray) -> np.ndarray:
    """Probabilities along a walk from the base margin through the ordered contributions.

    Parameters
    ----------
    base : float
        The base value in log-odds (margin).
    shap_sorted : Sequence[float]
        Contributions in log-odds, in the order they are drawn.

    Returns
    -------
    np.ndarray
        ``k + 1`` probabilities: ``sigmoid(base)``, then ``sigmoid`` of each
        cumulative margin, ending at ``sigmoid(base + sum(shap_sorted))``. A
        feature's bar in probability space is the difference of neighbours, so it
        depends on the order (the logistic function is not additive).
    """
    steps = np.concatenate([[0.0], np.cumsum(np.asarray(shap_sorted, dtype=float))])
    return sigmoid(float(base) + steps)


def contribution_path(
    base: np.ndarray,
    contributions: np.ndarray,
    order: np.ndarray,
    *,
    task: str,
    output: int,
    probability: bool,
) -> tuple[float, np.ndarray, float]:
    """Walk from the base value to the prediction adding one feature at a time.

    In margin space each step is the feature's SHAP value. In probability space
    (classifiers) each step is the change in the probability of ``output`` when
    the feature's contributions (to every output, for multiclass) are added in
    ``order``; the steps then add up exactly to the final probability minus the
    starting one.

    Parameters
    ----------
    base : np.ndarray
        Base values, shape ``(k,)``.
    contributions : np.ndarray
        SHAP values of one row, shape ``(f, k)``.
    order : np.ndarray
        Feature indices in the order they are added (e.g. by decreasing |SHAP|).
    task : str
        ``binary``, ``multiclass`` or ``regression``.
    output : int
        The output (class) whose value is followed.
    probability : bool
        Follow the probability (classifiers only) rather than the margin.

    Returns
    -------
    tuple
        ``(start, steps, end)`` where ``steps[i]`` belongs to feature ``order[i]``.
    """
    base = np.asarray(base, dtype=float)
    contributions = np.asarray(contributions, dtype=float)
    if not probability or task == "regression":
        steps = contributions[order, output]
        start = float(base[output])
        return start, steps, start + float(steps.sum())
    cumulative = base + np.vstack([np.zeros(base.shape), np.cumsum(contributions[order], axis=0)])
    probs = to_probability(cumulative, task)
    path = probs if task == "binary" else probs[:, output]
    return float(path[0]), np.diff(path), float(path[-1])
