"""Per-group bootstrap intervals, vectorised: every resample is a row of count weights.

A resample of a group's ``n`` rows (``n`` draws with replacement) is the vector of how
often each row was drawn; ``n_boot`` resamples are an ``(n_boot, n)`` weight matrix.
Each metric is then a weighted sum, so all resamples are computed at once as matrix
products; the AUC is a weighted Mann-Whitney statistic over the scores sorted once.
Resampling is stratified by group: each group's rows are resampled within the group,
so every resample of a group has exactly that group's size.

The metric conventions are those of the point estimates (scikit-learn and fairlearn):
TPR, FPR and precision are 0 when their denominator is 0 (scikit-learn's
``zero_division=0``), the AUC is NaN when the (weighted) rows hold one class only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]
MetricsOfWeights = Callable[[Floats, NDArray[np.intp]], dict[str, Floats]]
"""``(weights, rows) -> {metric: values}``: metrics of the rows ``rows`` of the data,
one value per row of ``weights`` (shape ``(n_resamples, len(rows))``)."""

_CELLS_PER_CHUNK = 4_000_000  # resamples are drawn in chunks of about 32 MB of weights


def resample_weights(rng: np.random.Generator, n: int, n_boot: int) -> Floats:
    """Draw ``n_boot`` bootstrap resamples of ``n`` rows as count weights.

    Parameters
    ----------
    rng
        The generator the draws come from.
    n
        Rows to resample; each resample draws ``n`` of them with replacement.
    n_boot
        Resamples.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_boot, n)``: how often each row is drawn in each resample (a
        multinomial count vector; each row sums to ``n``).
    """
    draws = rng.integers(0, n, size=(n_boot, n))
    flat = (draws + np.arange(n_boot)[:, None] * n).ravel()
    return np.bincount(flat, minlength=n_boot * n).reshape(n_boot, n).astype(np.float64)


def _ratio(numerator: Floats, denominator: Floats, *, empty: float) -> Floats:
    """``numerator / denominator``, ``empty`` where the denominator is 0."""
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, numerator / safe, empty)


def weighted_auc(weights: Floats, y_true: NDArray[np.integer], y_score: Floats) -> Floats:
    """ROC AUC of each weighted resample: the weighted Mann-Whitney statistic.

    The probability that a positive row scores above a negative one, each pair counted
    with the product of the rows' weights and equal scores counted 1/2 (the area under
    scikit-learn's ROC curve). NaN where a resample holds one class only.

    Parameters
    ----------
    weights
        Shape ``(n_resamples, n)``: each row's weight in each resample.
    y_true
        Shape ``(n,)``: 1 for the positive class, 0 for the negative.
    y_score
        Shape ``(n,)``: the scores (probabilities of the positive class).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_resamples,)``.
    """
    order = np.argsort(y_score, kind="stable")
    scores = y_score[order]
    starts = np.flatnonzero(np.r_[True, scores[1:] != scores[:-1]])  # one block per score
    positive = y_true[order] == 1
    ordered = weights[:, order]
    pos = np.add.reduceat(np.where(positive, ordered, 0.0), starts, axis=1)
    neg = np.add.reduceat(np.where(positive, 0.0, ordered), starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg  # negative weight strictly below each score
    pairs = np.sum(pos * (below + 0.5 * neg), axis=1)
    return _ratio(pairs, pos.sum(axis=1) * neg.sum(axis=1), empty=np.nan)


def binary_metrics(
    weights: Floats, y_true: NDArray[np.integer], y_score: Floats, y_pred: NDArray[np.integer]
) -> dict[str, Floats]:
    """Binary metrics of each weighted resample.

    Parameters
    ----------
    weights
        Shape ``(n_resamples, n)``: each row's weight (count) in each resample.
    y_true, y_pred
        Shape ``(n,)``: observed and predicted classes, 1 positive and 0 negative.
    y_score
        Shape ``(n,)``: predicted probability of the positive class.

    Returns
    -------
    dict of str to numpy.ndarray
        ``accuracy``, ``selection_rate``, ``tpr``, ``fpr``, ``precision``, ``auc``,
        ``brier`` (mean squared difference between probability and outcome) and
        ``calibration_gap`` (mean probability minus observed positive rate), each of
        shape ``(n_resamples,)``.
    """
    t = (y_true == 1).astype(np.float64)
    p = (y_pred == 1).astype(np.float64)
    score = y_score.astype(np.float64)
    columns = np.column_stack(
        [np.ones_like(t), t, p, t * p, (1 - t) * p, t == p, (score - t) ** 2, score - t]
    )
    total, pos, predicted, tp, fp, correct, squared, gap = (weights @ columns).T
    return {
        "accuracy": correct / total,
        "selection_rate": predicted / total,
        "tpr": _ratio(tp, pos, empty=0.0),
        "fpr": _ratio(fp, total - pos, empty=0.0),
        "precision": _ratio(tp, predicted, empty=0.0),
        "auc": weighted_auc(weights, y_true, score),
        "brier": squared / total,
        "calibration_gap": gap / total,
    }


def regression_metrics(weights: Floats, y_true: Floats, y_pred: Floats) -> dict[str, Floats]:
    """``rmse`` and ``mae`` of each weighted resample, shape ``(n_resamples,)`` each."""
    error = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    total, squared, absolute = (
        weights @ np.column_stack([np.ones_like(error), error**2, np.abs(error)])
    ).T
    return {"rmse": np.sqrt(squared / total), "mae": absolute / total}


def multiclass_metrics(
    weights: Floats, y_true: NDArray[np.integer], y_pred: NDArray[np.integer]
) -> dict[str, Floats]:
    """``accuracy`` of each weighted resample, shape ``(n_resamples,)``."""
    return {"accuracy": (weights @ (y_true == y_pred).astype(np.float64)) / weights.sum(axis=1)}


def group_intervals(
    metrics: MetricsOfWeights,
    groups: NDArray[np.object_],
    *,
    n_boot: int,
    seed: int,
    quantiles: Sequence[float] = (0.025, 0.975),
) -> dict[str, tuple[dict[str, float], dict[str, float]]]:
    """Percentile bootstrap intervals of each group's metrics, resampling within groups.

    Each group's rows are resampled with replacement ``n_boot`` times, each resample
    the group's size (a bootstrap stratified by group), and the metrics of every
    resample are computed at once from the weight matrix.

    Parameters
    ----------
    metrics
        ``(weights, rows) -> {metric: values}`` for the rows ``rows`` of the data.
    groups
        Shape ``(n,)``: each row's group.
    n_boot
        Resamples per group.
    seed
        Seeds the draws: the same inputs and seed give the same intervals. Groups are
        drawn in sorted order.
    quantiles
        The interval's ends, as quantiles of the resampled metric (numpy's linear
        interpolation, as fairlearn's :class:`~fairlearn.metrics.MetricFrame`).

    Returns
    -------
    dict
        Group -> (lower ends, upper ends), each metric -> value. An end is NaN where the
        metric is undefined in the group or in any resample of it.
    """
    rng = np.random.default_rng(seed)
    out: dict[str, tuple[dict[str, float], dict[str, float]]] = {}
    for value in sorted(set(groups.tolist())):
        rows = np.flatnonzero(groups == value)
        chunk = max(1, _CELLS_PER_CHUNK // len(rows))
        parts: dict[str, list[Floats]] = {}
        for start in range(0, n_boot, chunk):
            weights = resample_weights(rng, len(rows), min(chunk, n_boot - start))
            for name, values in metrics(weights, rows).items():
                parts.setdefault(name, []).append(values)
        ends = {k: np.quantile(np.concatenate(v), list(quantiles)) for k, v in parts.items()}
        out[str(value)] = (
            {k: float(e[0]) for k, e in ends.items()},
            {k: float(e[-1]) for k, e in ends.items()},
        )
    return out
