"""Feature importance with uncertainty: permutation importance and mean |SHAP|.

Both return one :class:`ImportanceInterval` per feature, largest first, so that a
page can draw error bars and :func:`indistinguishable` can say which neighbours
in the ranking cannot be told apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.inspection import permutation_importance
from sklearn.metrics import r2_score, roc_auc_score

from .._dataset import Dataset
from .._errors import DataError
from .._shap import ShapResult
from .._survival.metrics import harrell_c_index
from .._training import TrainedModel
from .._types import Task

CONFIDENCE = 0.95


@dataclass(frozen=True)
class ImportanceInterval:
    """One feature's importance with a 95% interval.

    ``feature`` is the model's feature name (see ``FeatureSpec.names``); ``mean``
    the point estimate; ``ci_low`` and ``ci_high`` the interval's ends.
    """

    feature: str
    mean: float
    ci_low: float
    ci_high: float


def importance_score_name(task: Task) -> str:
    """The score whose drop permutation importance measures for ``task``.

    Parameters
    ----------
    task : {"binary", "multiclass", "regression", "survival"}
        The model's task.

    Returns
    -------
    str
        ``"roc_auc"`` (binary), ``"roc_auc_ovr_macro"`` (multiclass: the unweighted
        mean of one-vs-rest ROC AUCs, as on the Model page), ``"r2"`` (regression) or
        ``"c_index"`` (survival: Harrell's concordance index of the predicted risk).
    """
    names = {"binary": "roc_auc", "multiclass": "roc_auc_ovr_macro", "regression": "r2"}
    return names.get(task, "c_index")


class _ModelAsEstimator:
    """The smallest object scikit-learn's ``permutation_importance`` accepts."""

    def __init__(self, model: TrainedModel) -> None:
        self.model = model

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> _ModelAsEstimator:
        """Do nothing: the model is already trained."""
        return self


def _main_score(estimator: _ModelAsEstimator, X: pd.DataFrame, y: np.ndarray) -> float:
    """The task's main score; for survival ``y`` is (n, 2): follow-up time, event (0/1)."""
    model = estimator.model
    prediction = model.predict(X)
    if model.survival is not None:
        risk = model.survival.risk(prediction)
        return harrell_c_index(y[:, 0], y[:, 1].astype(bool), risk)
    if model.task == "regression":
        return float(r2_score(y, prediction))
    if model.task == "binary":
        return float(roc_auc_score(y, prediction[:, 1]))
    labels = np.arange(prediction.shape[1])
    return float(roc_auc_score(y, prediction, multi_class="ovr", average="macro", labels=labels))


def _sample(rows: np.ndarray, max_rows: int | None, seed: int) -> np.ndarray:
    if max_rows is None or len(rows) <= max_rows:
        return rows
    return np.sort(np.random.default_rng(seed).choice(rows, size=max_rows, replace=False))


def _check_scorable(model: TrainedModel, y: np.ndarray) -> None:
    if model.task == "survival":
        time, event = y[:, 0], y[:, 1].astype(bool)
        if not (event[:, None] & (time[None, :] > time[:, None])).any():
            raise DataError(
                f"Permutation importance scores Harrell's C-index, which needs a row with "
                f"the event before another row's follow-up ends; found {int(event.sum())} "
                f"event(s) in {len(y)} row(s). Use more rows.",
                code="importance_events",
                n=len(y),
                events=int(event.sum()),
            )
        return
    if model.task == "regression":
        if len(y) < 3 or float(np.var(y)) == 0.0:
            raise DataError(
                f"Permutation importance needs at least 3 rows with varying target values; "
                f"found {len(y)} row(s). Use more rows.",
                code="importance_rows",
                n=len(y),
            )
        return
    present = np.unique(y)
    needed = 2 if model.task == "binary" else model.n_outputs
    if len(present) < needed:
        raise DataError(
            f"Permutation importance scores ROC AUC, which needs every class among the rows; "
            f"found {len(present)} of {needed} class(es) in {len(y)} row(s). Use more rows.",
            code="importance_classes",
            found=len(present),
            needed=needed,
        )


def _t_interval(samples: np.ndarray) -> tuple[float, float, float]:
    mean = float(np.mean(samples))
    sem = float(stats.sem(samples)) if len(samples) > 1 else 0.0
    if sem == 0.0 or not np.isfinite(sem):
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, df=len(samples) - 1)) * sem
    return mean, mean - half, mean + half


def _ranked(intervals: list[ImportanceInterval]) -> list[ImportanceInterval]:
    return sorted(intervals, key=lambda item: -item.mean)


def permutation_importance_ci(
    model: TrainedModel,
    dataset: Dataset,
    *,
    rows: np.ndarray | None = None,
    n_repeats: int = 10,
    seed: int = 0,
    max_rows: int | None = 5000,
) -> list[ImportanceInterval]:
    """Drop in the task's main score when each feature is shuffled, with a 95% t-interval.

    The score is ROC AUC for binary tasks, the macro one-vs-rest ROC AUC for
    multiclass tasks, R² for regression and Harrell's C-index of the risk (the
    log-hazard margin for Cox) for survival (see :func:`importance_score_name`).
    Each feature is shuffled ``n_repeats`` times with scikit-learn's
    :func:`~sklearn.inspection.permutation_importance`; ``mean`` is the average
    drop and the interval is Student's t interval of that mean over the repeats.
    It reflects the randomness of the shuffles on these rows, not the sampling
    of the rows themselves.

    Parameters
    ----------
    model : TrainedModel
        The model to audit.
    dataset : Dataset
        The encoded data the model was trained on (``dataset.X``, ``dataset.y``, and
        ``dataset.time`` for survival).
    rows : numpy.ndarray, optional
        Row positions in ``dataset.X`` to score on; the validation rows
        (``model.valid_index``) by default.
    n_repeats : int, default 10
        Shuffles per feature; at least 2.
    seed : int, default 0
        Seed of the shuffles and of the row sample.
    max_rows : int or None, default 5000
        At most this many rows, drawn with ``seed``; None keeps all.

    Returns
    -------
    list of ImportanceInterval
        One per model feature, largest mean drop first.

    Raises
    ------
    DataError
        If ``n_repeats`` < 2, or the rows cannot be scored (a class missing, a
        constant target, fewer than 3 rows, no comparable pair of survival rows).
    """
    if n_repeats < 2:
        raise DataError(
            f"n_repeats must be at least 2 to give an interval; got {n_repeats}.",
            code="bad_option",
            detail="n_repeats",
        )
    chosen = np.asarray(model.valid_index if rows is None else rows, dtype=np.int64)
    chosen = _sample(chosen, max_rows, seed)
    X = dataset.X.iloc[chosen][list(model.spec.names)]
    y = np.asarray(dataset.y)[chosen]
    if model.task == "survival" and dataset.time is not None:
        y = np.column_stack([dataset.time[chosen], y.astype(np.float64)])
    _check_scorable(model, y)
    result = permutation_importance(
        _ModelAsEstimator(model),
        X,
        y,
        scoring=_main_score,
        n_repeats=n_repeats,
        random_state=seed,
    )
    drops = np.asarray(result.importances, dtype=np.float64)  # (f, n_repeats)
    intervals = [
        ImportanceInterval(name, *_t_interval(drops[i])) for i, name in enumerate(model.spec.names)
    ]
    return _ranked(intervals)


def _mean_along(sample: np.ndarray, axis: int) -> np.ndarray:
    return np.asarray(np.mean(sample, axis=axis))


def shap_importance_ci(
    shap_result: ShapResult,
    *,
    output: int | Literal["all"] = 0,
    n_resamples: int = 1000,
    seed: int = 0,
    max_rows: int | None = 5000,
    method: Literal["percentile", "basic", "BCa"] = "percentile",
    batch: int = 50,
) -> list[ImportanceInterval]:
    """Mean |SHAP| per feature with a bootstrap 95% interval over rows.

    The interval comes from :func:`scipy.stats.bootstrap` resampling rows (all
    features at once, ``batch`` resamples at a time so that memory stays at about
    ``batch * rows * features`` numbers).

    Parameters
    ----------
    shap_result : ShapResult
        SHAP values (n, k, f) of some rows.
    output : int or "all", default 0
        The model output to rank: a class index for multiclass models (0 for
        binary and regression), or ``"all"`` for |SHAP| summed over outputs (as
        ``ShapResult.mean_abs(None)``).
    n_resamples : int, default 1000
        Bootstrap resamples; at least 10.
    seed : int, default 0
        Seed of the resamples and of the row sample.
    max_rows : int or None, default 5000
        At most this many rows, drawn with ``seed``; None keeps all. ``mean`` is
        over the same rows as the interval.
    method : {"percentile", "basic", "BCa"}, default "percentile"
        The bootstrap interval (see :func:`scipy.stats.bootstrap`).
    batch : int, default 50
        Resamples computed at once.

    Returns
    -------
    list of ImportanceInterval
        One per feature, largest mean |SHAP| first.

    Raises
    ------
    DataError
        If ``output`` is not an output of the model, there are fewer than 2 rows,
        or ``n_resamples`` < 10.
    """
    values = shap_result.values
    n, k, _ = values.shape
    if output != "all" and not 0 <= output < k:
        raise DataError(
            f"output must be 'all' or a class index from 0 to {k - 1}; got {output}.",
            code="bad_option",
            detail="output",
        )
    if n < 2 or n_resamples < 10:
        raise DataError(
            f"A bootstrap interval needs at least 2 rows and 10 resamples; "
            f"got {n} row(s) and {n_resamples} resample(s).",
            code="bootstrap_size",
            n=n,
            n_resamples=n_resamples,
        )
    chosen = _sample(np.arange(n), max_rows, seed)
    magnitude = np.abs(values[chosen])
    per_row = magnitude.sum(axis=1) if output == "all" else magnitude[:, output, :]  # (m, f)
    means = per_row.mean(axis=0)
    spread = per_row.std(axis=0)
    lows, highs = means.copy(), means.copy()
    varying = spread > 0  # a constant column has a degenerate interval: skip scipy's warning
    if varying.any():
        interval = stats.bootstrap(
            (per_row[:, varying],),
            _mean_along,
            n_resamples=n_resamples,
            batch=batch,
            vectorized=True,
            axis=0,
            confidence_level=CONFIDENCE,
            method=method,
            rng=np.random.default_rng(seed),
        ).confidence_interval
        lows[varying] = np.asarray(interval.low)
        highs[varying] = np.asarray(interval.high)
    intervals = [
        ImportanceInterval(name, float(means[i]), float(lows[i]), float(highs[i]))
        for i, name in enumerate(shap_result.features)
    ]
    return _ranked(intervals)


def indistinguishable(intervals: Sequence[ImportanceInterval]) -> list[tuple[str, str]]:
    """Neighbours in the ranking whose intervals overlap: they cannot be told apart.

    Parameters
    ----------
    intervals : sequence of ImportanceInterval
        Any order; they are ranked by ``mean``, largest first.

    Returns
    -------
    list of tuple of (str, str)
        ``(higher, lower)`` feature names of each adjacent pair whose intervals
        share at least one point, in rank order.
    """
    ranked = _ranked(list(intervals))
    return [
        (upper.feature, lower.feature)
        for upper, lower in zip(ranked, ranked[1:], strict=False)
        if lower.ci_high >= upper.ci_low and upper.ci_high >= lower.ci_low
    ]
