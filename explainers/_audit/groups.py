"""How the model does for each group of a column (sex, age group, site), with intervals.

Computed on the validation rows. The metrics of each group, and the largest difference
and ratio between groups, come from fairlearn's :class:`~fairlearn.metrics.MetricFrame`;
their 95% intervals from a bootstrap stratified by group, vectorised in
:mod:`.group_bootstrap` (all resamples of a group at once, as weighted sums). The column
may be one the model does not use.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from numpy.typing import NDArray
from sklearn import metrics as skm

from .._concordance import weighted_c_index
from .._dataset import Dataset
from .._errors import DataError
from .._survival.metrics import harrell_c_index
from .._training import TrainedModel
from .group_bootstrap import (
    Floats,
    MetricsOfWeights,
    binary_metrics,
    group_intervals,
    multiclass_metrics,
    regression_metrics,
)

MISSING_GROUP = "(missing)"
_MAX_GROUPS = 30
_QUANTILES = [0.025, 0.975]

Metric = Callable[[np.ndarray, np.ndarray], float]


@dataclass(frozen=True)
class GroupMetrics:
    """One group's size, metrics and their 95% bootstrap intervals."""

    value: str
    n: int
    metrics: dict[str, float]
    ci_low: dict[str, float] = field(default_factory=dict)
    ci_high: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupReport:
    """Per-group metrics of one column on the validation rows, and the gaps between groups.

    ``threshold`` is the probability above which a binary prediction is positive (None
    for other tasks); ``difference`` and ``ratio`` are the largest gap and the smallest
    ratio between any two groups, per metric.
    """

    column: str
    threshold: float | None
    groups: tuple[GroupMetrics, ...]
    difference: dict[str, float]
    ratio: dict[str, float]
    n_boot: int


def _safe(metric: Metric) -> Metric:
    def wrapped(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return float(metric(y_true, y_pred))
        except ValueError:
            return float("nan")  # one class only in a group: AUC is undefined there

    return wrapped


def _calibration_gap(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """Calibration-in-the-large: mean predicted probability minus observed positive rate."""
    return float(np.mean(y_score) - np.mean(y_true == 1))


def group_metrics(
    model: TrainedModel,
    dataset: Dataset,
    column: pd.Series,
    *,
    threshold: float = 0.5,
    n_boot: int = 100,
    seed: int = 0,
) -> GroupReport:
    """Metrics of each group of ``column`` on the validation rows.

    Binary tasks: ``accuracy``, ``selection_rate``, ``tpr``, ``fpr``, ``precision`` (of
    the labels at ``threshold``), ``auc``, ``brier`` (mean squared difference between the
    probability of the positive class and the outcome) and ``calibration_gap`` (mean
    probability of the positive class minus the observed positive rate: above 0 the
    model over-predicts the group's risk). Regression: ``rmse``, ``mae``. Multiclass:
    ``accuracy``. Survival: ``c_index`` (Harrell's, of the predicted risk, as
    scikit-survival's) and ``event_rate`` (the share of rows with the event). TPR, FPR
    and precision are 0 where their denominator is 0; the AUC is NaN in a group with
    one class only, the C-index in a group without a comparable pair.

    The intervals are 95% percentile bootstrap intervals, resampling rows within each
    group (stratified by group: every resample of a group has the group's size), with
    ``n_boot`` resamples drawn from ``seed``; an end is NaN where the metric is undefined
    in the group or in any of its resamples. ``difference`` and ``ratio`` are fairlearn's
    ``between_groups`` gaps; the ratio of ``calibration_gap``, a signed quantity, is NaN.

    Parameters
    ----------
    model, dataset
        The trained model and its dataset; the metrics use the model's validation rows.
    column
        The grouping column of the table as read (one value per row of the file), under
        its display name; missing values form their own group.
    threshold
        Binary tasks: the probability of the positive class above which a row counts as
        predicted positive.
    n_boot
        Bootstrap resamples per group for the intervals (0 for none).
    seed
        Seeds the resamples: the same inputs and seed give the same intervals.

    Returns
    -------
    GroupReport
        One :class:`GroupMetrics` per group (sorted by value), and the gaps.

    Raises
    ------
    DataError
        ``too_many_groups`` when the column has more than 30 distinct values.
    """
    name = str(column.name)
    valid = model.valid_index
    rows = dataset.row_ids[valid]
    values = column.iloc[rows].astype(object).where(column.iloc[rows].notna(), MISSING_GROUP)
    groups = values.astype(str).reset_index(drop=True).rename(name)
    if groups.nunique() > _MAX_GROUPS:
        raise DataError(
            f"The column {name!r} has {groups.nunique()} distinct values on the validation "
            f"rows; at most {_MAX_GROUPS} groups can be compared. Choose a column with fewer "
            f"values, or group it first (for example age into age bands).",
            code="too_many_groups",
            column=name,
            n=int(groups.nunique()),
        )
    X = dataset.X.iloc[valid]
    y = np.asarray(dataset.y[valid])
    predicted = model.predict(X)
    frames: list[MetricFrame] = []
    resampled: MetricsOfWeights
    used: float | None = None
    if model.survival is not None:
        frame, resampled = _survival_metrics(model.survival.risk(predicted), dataset, valid, groups)
        frames.append(frame)
    elif model.task == "regression":
        frames.append(
            MetricFrame(
                metrics={
                    "rmse": _safe(lambda t, p: np.sqrt(skm.mean_squared_error(t, p))),
                    "mae": _safe(skm.mean_absolute_error),
                },
                y_true=y,
                y_pred=predicted,
                sensitive_features=groups,
            )
        )

        def resampled(weights: Floats, at: NDArray[np.intp]) -> dict[str, Floats]:
            return regression_metrics(weights, y[at], predicted[at])

    elif model.task == "binary":
        score = predicted[:, 1]
        labels = (score >= threshold).astype(int)
        frames.append(
            MetricFrame(
                metrics={
                    "accuracy": _safe(skm.accuracy_score),
                    "selection_rate": _safe(selection_rate),
                    "tpr": _safe(true_positive_rate),
                    "fpr": _safe(false_positive_rate),
                    "precision": _safe(lambda t, p: skm.precision_score(t, p, zero_division=0)),
                },
                y_true=y,
                y_pred=labels,
                sensitive_features=groups,
            )
        )
        frames.append(
            MetricFrame(
                metrics={
                    "auc": _safe(skm.roc_auc_score),
                    "brier": _safe(skm.brier_score_loss),
                    "calibration_gap": _safe(_calibration_gap),
                },
                y_true=y,
                y_pred=score,
                sensitive_features=groups,
            )
        )
        used = threshold

        def resampled(weights: Floats, at: NDArray[np.intp]) -> dict[str, Floats]:
            return binary_metrics(weights, y[at], score[at], labels[at])

    else:
        chosen = predicted.argmax(axis=1)
        frames.append(
            MetricFrame(
                metrics={"accuracy": _safe(skm.accuracy_score)},
                y_true=y,
                y_pred=chosen,
                sensitive_features=groups,
            )
        )

        def resampled(weights: Floats, at: NDArray[np.intp]) -> dict[str, Floats]:
            return multiclass_metrics(weights, y[at], chosen[at])

    intervals = (
        group_intervals(
            resampled, groups.to_numpy(dtype=object), n_boot=n_boot, seed=seed, quantiles=_QUANTILES
        )
        if n_boot
        else {}
    )
    return _report(name, groups, frames, used, n_boot, intervals)


def _survival_metrics(
    risk: np.ndarray, dataset: Dataset, valid: np.ndarray, groups: pd.Series
) -> tuple[MetricFrame, MetricsOfWeights]:
    """C-index and event rate by group, and of weighted resamples of a group's rows.

    The frame's ``y_true`` is each validation row's position, so that a metric can look
    up the rows' follow-up times and events.
    """
    assert dataset.time is not None  # a survival dataset has its times
    time, event = dataset.time[valid], np.asarray(dataset.y[valid], dtype=bool)

    def c_index(at: np.ndarray, r: np.ndarray) -> float:
        return harrell_c_index(time[at], event[at], r)

    frame = MetricFrame(
        metrics={
            "c_index": _safe(c_index),
            "event_rate": _safe(lambda at, r: float(np.mean(event[at]))),
        },
        y_true=np.arange(len(risk)),
        y_pred=risk,
        sensitive_features=groups,
    )

    def resampled(weights: Floats, at: NDArray[np.intp]) -> dict[str, Floats]:
        return {
            "c_index": weighted_c_index(weights, time[at], event[at], risk[at]),
            "event_rate": (weights @ event[at].astype(np.float64)) / weights.sum(axis=1),
        }

    return frame, resampled


def _report(
    name: str,
    groups: pd.Series,
    frames: list[MetricFrame],
    threshold: float | None,
    n_boot: int,
    intervals: dict[str, tuple[dict[str, float], dict[str, float]]],
) -> GroupReport:
    by_group = pd.concat([f.by_group for f in frames], axis=1)
    sizes = groups.value_counts()
    out = []
    for value in by_group.index:
        row = by_group.loc[value]
        metrics = {str(k): float(v) for k, v in row.items()}
        low, high = intervals.get(str(value), ({}, {}))
        out.append(
            GroupMetrics(
                value=str(value),
                n=int(sizes[value]),
                metrics=metrics,
                ci_low={k: low[k] for k in metrics if k in low},
                ci_high={k: high[k] for k in metrics if k in high},
            )
        )
    difference = pd.concat([f.difference(method="between_groups") for f in frames])
    ratio = pd.concat([f.ratio(method="between_groups") for f in frames])
    ratios = {str(k): float(v) for k, v in ratio.items()}
    if "calibration_gap" in ratios:
        ratios["calibration_gap"] = float("nan")  # a ratio of signed gaps means nothing
    return GroupReport(
        name,
        threshold,
        tuple(out),
        {str(k): float(v) for k, v in difference.items()},
        ratios,
        n_boot,
    )
