"""Cohorts compared side by side: size, validation metrics, mean |SHAP| ranking, dependence.

Cohorts are defined in :mod:`~explainers._audit.cohort_filters` (re-exported here) by
filters on any columns of the table as read, including columns the model does not use.
:func:`compare_cohorts` gives each cohort its size, the task's metrics on its validation
rows, its mean |SHAP| ranking and one feature's SHAP dependence. Cohorts may overlap.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from .._dataset import Dataset
from .._errors import DataError
from .._shap import ShapResult
from .._survival.metrics import harrell_c_index
from .._training import TrainedModel
from .._types import Task
from .cohort_filters import Cohort, CohortFilter, cohort_mask, cohort_values, split_cohorts

__all__ = [
    "MIN_VALIDATION",
    "Cohort",
    "CohortComparison",
    "CohortDependence",
    "CohortFilter",
    "CohortSummary",
    "cohort_mask",
    "cohort_metric_names",
    "cohort_values",
    "compare_cohorts",
    "split_cohorts",
]

MIN_VALIDATION = 30
"""Cohorts with fewer validation rows than this are flagged ``too_small``."""


def _option(ok: bool, message: str) -> None:
    if not ok:
        raise DataError(f"Invalid cohort option: {message}.", code="bad_option", detail=message)


@dataclass(frozen=True)
class CohortDependence:
    """One feature's SHAP dependence in a cohort, on at most ``max_points`` rows.

    ``values`` are the feature's encoded values (codes into
    ``CohortComparison.feature_categories`` for a categorical feature; NaN when missing),
    ``shap`` the SHAP values of the chosen output, ``row_ids`` the rows in the table.
    """

    values: np.ndarray
    shap: np.ndarray
    row_ids: np.ndarray


@dataclass(frozen=True)
class CohortSummary:
    """One cohort's size, metrics and SHAP importance.

    ``n_rows`` counts its rows in the table, ``n_labelled`` those with a target (in the
    dataset), ``n_validation`` its validation rows, on which ``metrics`` are computed (NaN
    where undefined: no rows, one class only for AUC). ``too_small``: fewer validation rows
    than ``CohortComparison.min_validation``; the metrics are given but too noisy to
    compare. ``ranking``: (feature, mean |SHAP|) over its ``n_shap_rows`` rows with SHAP
    values, largest first (empty without such rows). ``dependence``: when asked for.
    """

    name: str
    n_rows: int
    n_labelled: int
    n_validation: int
    too_small: bool
    metrics: dict[str, float]
    n_shap_rows: int
    ranking: tuple[tuple[str, float], ...]
    dependence: CohortDependence | None = None

    def mean_abs(self, feature: str) -> float:
        """Mean |SHAP| of ``feature`` in this cohort (NaN without SHAP rows)."""
        return dict(self.ranking).get(feature, float("nan"))


@dataclass(frozen=True)
class CohortComparison:
    """Cohorts side by side, in the order given.

    ``output`` is the model output whose SHAP values are used (the class for multiclass).
    ``overlap_rows`` counts table rows in more than one cohort, ``uncovered_rows`` rows in
    none, of ``n_table_rows``. ``feature_categories`` names the codes of a categorical
    ``feature``'s dependence values (None for a numeric feature or no feature).
    """

    task: Task
    cohorts: tuple[CohortSummary, ...]
    output: int
    min_validation: int
    n_table_rows: int
    overlap_rows: int
    uncovered_rows: int
    feature: str | None = None
    feature_categories: tuple[str, ...] | None = None


def _quiet(fn: Callable[[], float]) -> float:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(fn())
    except ValueError:
        return float("nan")


def cohort_metric_names(task: Task) -> tuple[str, ...]:
    """The metrics :func:`compare_cohorts` reports for ``task``, in display order.

    Survival: Harrell's ``c_index`` of the predicted risk, the share of rows with the
    event (``event_rate``) and the mean predicted risk (``mean_risk``: the log relative
    hazard for Cox, minus the log survival time for AFT).
    """
    if task == "survival":
        return ("c_index", "event_rate", "mean_risk")
    if task == "binary":
        return ("auc", "accuracy", "brier", "log_loss", "prevalence", "mean_predicted")
    if task == "multiclass":
        return ("auc", "accuracy", "brier", "log_loss")
    return ("rmse", "mae", "r2", "mean_actual", "mean_predicted")


def _metrics(
    task: Task, y: np.ndarray, predicted: np.ndarray, time: np.ndarray | None
) -> dict[str, float]:
    names = cohort_metric_names(task)
    if len(y) == 0:
        return dict.fromkeys(names, float("nan"))
    if task == "survival" and time is not None:
        event = y.astype(bool)  # NaN without a comparable pair
        return {
            "c_index": _quiet(lambda: harrell_c_index(time, event, predicted)),
            "event_rate": float(np.mean(event)),
            "mean_risk": float(np.mean(predicted)),
        }
    if task == "regression":
        return {
            "rmse": _quiet(lambda: np.sqrt(skm.mean_squared_error(y, predicted))),
            "mae": _quiet(lambda: skm.mean_absolute_error(y, predicted)),
            "r2": _quiet(lambda: skm.r2_score(y, predicted)),  # NaN below 2 rows
            "mean_actual": float(np.mean(y)),
            "mean_predicted": float(np.mean(predicted)),
        }
    k = predicted.shape[1]
    labels = list(range(k))
    score = predicted[:, 1] if task == "binary" else predicted
    ovr = {"multi_class": "ovr", "labels": labels} if task == "multiclass" else {}
    every = len(np.unique(y)) == k  # AUC needs every class among the rows
    out = {
        "auc": _quiet(lambda: skm.roc_auc_score(y, score, **ovr)) if every else float("nan"),
        "accuracy": float(skm.accuracy_score(y, predicted.argmax(axis=1))),
        "brier": _quiet(lambda: skm.brier_score_loss(y, score, labels=labels)),
        "log_loss": _quiet(lambda: skm.log_loss(y, predicted, labels=labels)),
        "prevalence": float(np.mean(y == 1)),
        "mean_predicted": float(np.mean(predicted[:, 1])),
    }
    return {name: out[name] for name in names}


def _encoded(column: pd.Series) -> np.ndarray:
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(np.float64)
        return np.where(codes < 0, np.nan, codes)
    return np.asarray(column.to_numpy(dtype=np.float64, na_value=np.nan))


def _check(dataset: Dataset, frame: pd.DataFrame, cohorts: tuple[Cohort, ...]) -> None:
    if not cohorts:
        raise DataError("No cohort to compare. Define at least one.", code="no_cohorts")
    names = [c.name for c in cohorts]
    if len(set(names)) < len(names):
        raise DataError(
            "Two cohorts have the same name. Give each cohort its own name.",
            code="cohort_duplicate_names",
        )
    if len(dataset.row_ids) and len(frame) <= int(dataset.row_ids.max()):
        raise DataError(
            f"The table has {len(frame)} rows, fewer than the data the model was trained on. "
            "Define cohorts on the table the model was trained on.",
            code="cohort_table_mismatch",
            n=len(frame),
        )


def compare_cohorts(
    model: TrainedModel,
    dataset: Dataset,
    shap: ShapResult,
    frame: pd.DataFrame,
    cohorts: Sequence[Cohort],
    *,
    feature: str | None = None,
    output: int = 0,
    min_validation: int = MIN_VALIDATION,
    max_points: int = 2000,
    seed: int = 0,
) -> CohortComparison:
    """Size, validation metrics, mean |SHAP| ranking and one feature's dependence per cohort.

    Parameters
    ----------
    model, dataset
        The model and its encoded rows: ``dataset.row_ids`` place them in ``frame``,
        ``model.valid_index`` picks the validation rows.
    shap
        SHAP values of some rows of the dataset (``shap.rows``); a cohort's ranking and
        dependence use its rows among them.
    frame
        The table as read (``Table.frame``) that ``dataset`` was built from.
    cohorts
        Cohorts with distinct names; they may overlap. One without filters is every row.
    feature
        A model feature whose (encoded value, SHAP value) pairs to return per cohort.
    output
        The model output whose SHAP values are used: the class for multiclass, else 0.
    min_validation
        Cohorts with fewer validation rows are flagged ``too_small``.
    max_points, seed
        At most this many dependence points per cohort, drawn with ``seed``.

    Returns
    -------
    CohortComparison
        One :class:`CohortSummary` per cohort, in order, with the metrics of
        :func:`cohort_metric_names` (scikit-learn's; accuracy takes the likeliest class;
        scikit-survival's C-index for survival).

    Raises
    ------
    DataError
        ``no_cohorts``, ``cohort_duplicate_names``, ``cohort_table_mismatch``,
        ``unknown_feature``, ``bad_option``, and those of :func:`cohort_mask`.
    """
    chosen = tuple(cohorts)
    _check(dataset, frame, chosen)
    _option(0 <= output < shap.n_outputs, f"output must be from 0 to {shap.n_outputs - 1}")
    _option(min_validation >= 1, "min_validation must be at least 1")
    _option(max_points >= 1, "max_points must be at least 1")
    if feature is not None and feature not in shap.features:
        raise DataError(
            "The chosen feature is not one of the model's features. Choose one the model uses.",
            code="unknown_feature",
        )
    masks = np.vstack([cohort_mask(frame, c) for c in chosen])
    membership = masks.sum(axis=0)
    valid_rows = dataset.row_ids[model.valid_index]
    y = np.asarray(dataset.y[model.valid_index])
    predicted = model.predict(dataset.X.iloc[model.valid_index])
    if model.survival is not None:
        predicted = model.survival.risk(predicted)
    time = None if dataset.time is None else dataset.time[model.valid_index]
    shap_rows = dataset.row_ids[shap.rows]
    contributions = shap.for_output(output)
    summaries = []
    for cohort, mask in zip(chosen, masks, strict=True):
        in_valid, in_shap = mask[valid_rows], np.flatnonzero(mask[shap_rows])
        ranking: tuple[tuple[str, float], ...] = ()
        if len(in_shap):
            magnitude = np.abs(contributions[in_shap]).mean(axis=0)
            order = np.argsort(-magnitude, kind="stable")
            ranking = tuple((shap.features[i], float(magnitude[i])) for i in order)
        dependence = None
        if feature is not None:
            points = in_shap
            if len(points) > max_points:
                rng = np.random.default_rng(seed)
                points = np.sort(rng.choice(points, size=max_points, replace=False))
            x = _encoded(dataset.X[feature].iloc[shap.rows[points]])
            j = shap.features.index(feature)
            dependence = CohortDependence(x, contributions[points, j], shap_rows[points])
        n_validation = int(in_valid.sum())
        summaries.append(
            CohortSummary(
                name=cohort.name,
                n_rows=int(mask.sum()),
                n_labelled=int(mask[dataset.row_ids].sum()),
                n_validation=n_validation,
                too_small=n_validation < min_validation,
                metrics=_metrics(
                    model.task,
                    y[in_valid],
                    predicted[in_valid],
                    None if time is None else time[in_valid],
                ),
                n_shap_rows=len(in_shap),
                ranking=ranking,
                dependence=dependence,
            )
        )
    return CohortComparison(
        task=model.task,
        cohorts=tuple(summaries),
        output=output,
        min_validation=min_validation,
        n_table_rows=len(frame),
        overlap_rows=int((membership > 1).sum()),
        uncovered_rows=int((membership == 0).sum()),
        feature=feature,
        feature_categories=None if feature is None else model.spec.categories.get(feature),
    )
