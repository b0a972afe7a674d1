"""How the model does for each group of a column (sex, age group, site), with intervals.

Computed on the validation rows with fairlearn's :class:`~fairlearn.metrics.MetricFrame`
(per-group metrics, their bootstrap intervals, and the largest difference and ratio
between groups). The column may be one the model does not use.
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
from sklearn import metrics as skm

from .._dataset import Dataset
from .._errors import DataError
from .._training import TrainedModel

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

    Parameters
    ----------
    column
        The grouping column of the table as read (one value per row of the file), under
        its display name; missing values form their own group.
    threshold
        Binary tasks: the probability of the positive class above which a row counts as
        predicted positive.
    n_boot
        Bootstrap resamples for the intervals (0 for none).

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
    boot = {"n_boot": n_boot, "ci_quantiles": _QUANTILES, "random_state": seed} if n_boot else {}
    frames: list[MetricFrame] = []
    if model.task == "regression":
        frames.append(
            MetricFrame(
                metrics={
                    "rmse": _safe(lambda t, p: np.sqrt(skm.mean_squared_error(t, p))),
                    "mae": _safe(skm.mean_absolute_error),
                },
                y_true=y,
                y_pred=predicted,
                sensitive_features=groups,
                **boot,
            )
        )
        used: float | None = None
    elif model.task == "binary":
        labels = (predicted[:, 1] >= threshold).astype(int)
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
                **boot,
            )
        )
        frames.append(
            MetricFrame(
                metrics={"auc": _safe(skm.roc_auc_score)},
                y_true=y,
                y_pred=predicted[:, 1],
                sensitive_features=groups,
                **boot,
            )
        )
        used = threshold
    else:
        frames.append(
            MetricFrame(
                metrics={"accuracy": _safe(skm.accuracy_score)},
                y_true=y,
                y_pred=predicted.argmax(axis=1),
                sensitive_features=groups,
                **boot,
            )
        )
        used = None
    return _report(name, groups, frames, used, n_boot)


def _report(
    name: str, groups: pd.Series, frames: list[MetricFrame], threshold: float | None, n_boot: int
) -> GroupReport:
    by_group = pd.concat([f.by_group for f in frames], axis=1)
    low = pd.concat([f.by_group_ci[0] for f in frames], axis=1) if n_boot else None
    high = pd.concat([f.by_group_ci[1] for f in frames], axis=1) if n_boot else None
    sizes = groups.value_counts()
    out = []
    for value in by_group.index:
        row = by_group.loc[value]
        out.append(
            GroupMetrics(
                value=str(value),
                n=int(sizes[value]),
                metrics={k: float(v) for k, v in row.items()},
                ci_low={} if low is None else {k: float(v) for k, v in low.loc[value].items()},
                ci_high={} if high is None else {k: float(v) for k, v in high.loc[value].items()},
            )
        )
    difference = pd.concat([f.difference(method="between_groups") for f in frames])
    ratio = pd.concat([f.ratio(method="between_groups") for f in frames])
    return GroupReport(
        name,
        threshold,
        tuple(out),
        {str(k): float(v) for k, v in difference.items()},
        {str(k): float(v) for k, v in ratio.items()},
        n_boot,
    )
