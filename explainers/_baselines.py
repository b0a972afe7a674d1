"""Is the boosted model worth it? Baselines on the model's own split, and the comparison.

Two baselines are fitted on the model's training rows with its features and scored on
its validation rows: ``trivial`` (the class priors, so always the majority class, the
mean, or one risk for every patient) and ``linear`` (logistic, ridge or scikit-survival's
Cox model: see :mod:`._linear_baseline` and :mod:`._cox_baseline`). XGBoost is compared
with the linear one on the task's main score (Harrell's C-index for survival) with a
paired bootstrap over the validation rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from sklearn import metrics as skm
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.pipeline import Pipeline

from ._audit.group_bootstrap import resample_weights
from ._cox_baseline import fit_cox, survival_baseline_metrics
from ._curves import main_metric, main_score, resampled_main_score
from ._dataset import Dataset
from ._errors import DataError
from ._evaluation import _classification, _safe
from ._linear_baseline import linear_frame, linear_pipeline
from ._survival.metrics import BOOTSTRAP_MAX_ROWS
from ._training import TrainedModel, _sample_weights
from ._types import Task

BaselineName = Literal["trivial", "linear"]
"""A baseline: ``trivial`` (majority class, mean, one risk) or ``linear`` (logistic, ridge, Cox)."""
Verdict = Literal["better", "similar", "worse"]
"""XGBoost against the linear baseline: the interval of the difference says which."""
CONFIDENCE = 0.95
_CELLS_PER_CHUNK = 4_000_000  # bootstrap weights are drawn about 32 MB at a time


@dataclass(frozen=True)
class Baseline:
    """A baseline's validation metrics, keyed as the model's (see ``evaluate_model``)."""

    name: BaselineName
    metrics: dict[str, float]


@dataclass(frozen=True)
class Comparison:
    """XGBoost against the linear baseline on ``metric``, with a paired bootstrap interval.

    ``difference`` is XGBoost's score minus the linear model's (``metric`` is higher-is-
    better for every task, so positive means XGBoost is better); ``ci_low`` and
    ``ci_high`` bound it at ``confidence`` (percentile interval of ``n_boot`` resamples
    of the validation rows, both models scored on each). ``verdict`` is ``better`` when
    the interval lies above 0, ``worse`` when below, else ``similar``.
    """

    verdict: Verdict
    metric: str
    xgboost: float
    linear: float
    difference: float
    ci_low: float
    ci_high: float
    n_boot: int
    confidence: float = CONFIDENCE


@dataclass(frozen=True)
class Coefficient:
    """One term of the linear baseline.

    ``feature`` is the model's feature name and ``display_name`` the name in the file.
    Numeric features: the change per one standard deviation (``scale``, of the training
    rows). Categorical and boolean features: ``level`` against ``reference`` (the most
    common value in the training rows; ``"true"`` against ``"false"`` for booleans).
    ``coefficient`` is on the log-odds scale (binary), the log of ``outcome``'s
    probability over the geometric mean of all classes' (multiclass: the multinomial
    model's coefficients sum to 0 over classes), in target units (regression), or the log
    hazard ratio (survival); ``exp(coefficient)`` is ``odds_ratio`` (binary) or
    ``hazard_ratio`` (survival), else None.
    """

    feature: str
    display_name: str
    level: str | None
    reference: str | None
    scale: float | None
    outcome: str | None
    coefficient: float
    odds_ratio: float | None
    hazard_ratio: float | None = None


@dataclass(frozen=True)
class BaselineReport:
    """Both baselines, the comparison, and the linear model's terms (largest first)."""

    baselines: tuple[Baseline, ...]
    comparison: Comparison
    coefficients: tuple[Coefficient, ...]
    n_train: int
    n_valid: int

    def to_summary(self) -> dict[str, object]:
        """The ``baselines`` and ``comparison`` entries of ``summary.json`` (NaN as None)."""
        c = self.comparison
        return {
            "baselines": [
                {"name": b.name, "metrics": {k: _clean(v) for k, v in b.metrics.items()}}
                for b in self.baselines
            ],
            "comparison": {
                "verdict": c.verdict,
                "metric": c.metric,
                **{k: _clean(getattr(c, k)) for k in ("difference", "ci_low", "ci_high")},
            },
        }


def _at(values: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    return None if values is None else values[rows]


def _clean(value: float) -> float | None:  # JSON has no NaN
    return None if math.isnan(value) else value


def verdict_of(ci_low: float, ci_high: float) -> Verdict:
    """``better`` when the interval of XGBoost minus linear lies above 0, ``worse`` below."""
    return "better" if ci_low > 0 else "worse" if ci_high < 0 else "similar"


def _probabilities(estimator: Pipeline | DummyClassifier, X: pd.DataFrame, k: int) -> np.ndarray:
    """Probabilities (n, k), a zero column for a class the training rows lacked."""
    proba = np.zeros((len(X), k))
    proba[:, np.asarray(estimator.classes_, dtype=int)] = estimator.predict_proba(X)
    return proba


def _metrics(model: TrainedModel, y: np.ndarray, prediction: np.ndarray) -> dict[str, float]:
    if model.task != "regression":
        return _classification(model, y, prediction).metrics
    return {
        "rmse": float(np.sqrt(skm.mean_squared_error(y, prediction))),
        "mae": float(skm.mean_absolute_error(y, prediction)),
        "r2": _safe(skm.r2_score, y, prediction),
    }


def paired_interval(
    task: Task,
    y: np.ndarray,
    xgboost: np.ndarray,
    linear: np.ndarray,
    *,
    n_boot: int,
    seed: int,
    time: np.ndarray | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``xgboost``'s main score minus ``linear``'s.

    Each resample draws ``len(y)`` rows with replacement and scores both predictions on
    the same rows (a paired bootstrap); all resamples are computed at once as count
    weights (see :mod:`explainers._audit.group_bootstrap`). Resamples where a score is
    undefined (one class only, a constant target) are left out.

    Parameters
    ----------
    task : {"binary", "multiclass", "regression", "survival"}
        Decides the score (see :func:`main_metric`).
    y : numpy.ndarray
        Shape (n,): class indices, target values, or the event (0/1) for survival.
    xgboost, linear : numpy.ndarray
        The two models' predictions: probabilities (n, k), values (n,) or risks (n,).
    n_boot : int
        Resamples.
    seed : int
        Seeds the draws.
    time : numpy.ndarray, optional
        Shape (n,): the follow-up times; needed for survival.

    Returns
    -------
    tuple of float
        The interval's ends at :data:`CONFIDENCE`; NaN when no resample is scored.
    """
    rng = np.random.default_rng(seed)
    n = len(y)
    chunk = max(1, _CELLS_PER_CHUNK // n)
    parts = []
    for start in range(0, n_boot, chunk):
        weights = resample_weights(rng, n, min(chunk, n_boot - start))
        parts.append(
            resampled_main_score(task, weights, y, xgboost, time=time)
            - resampled_main_score(task, weights, y, linear, time=time)
        )
    differences = np.concatenate(parts)
    differences = differences[np.isfinite(differences)]
    if not len(differences):
        return float("nan"), float("nan")
    low, high = np.quantile(differences, [(1 - CONFIDENCE) / 2, (1 + CONFIDENCE) / 2])
    return float(low), float(high)


def _level_text(value: object, group: str) -> str:
    return str(value) if group != "boolean" else "true" if value == 1.0 else "false"


def _coefficients(pipeline: Pipeline, model: TrainedModel) -> tuple[Coefficient, ...]:
    """The fitted linear model's terms, largest |coefficient| first."""
    columns: ColumnTransformer = pipeline[0]
    estimator = pipeline[-1]
    terms: list[tuple[str, str | None, str | None, float | None]] = []
    for group, transformer, names in columns.transformers_:
        if group == "numeric":
            scales = transformer[-1].scale_
            terms += [(n, None, None, float(s)) for n, s in zip(names, scales, strict=True)]
        elif group in ("categorical", "boolean"):
            encoder = transformer[-1]
            for n, levels, dropped in zip(
                names, encoder.categories_, encoder.drop_idx_, strict=True
            ):
                reference = _level_text(levels[dropped], group)
                terms += [
                    (n, _level_text(level, group), reference, None)
                    for i, level in enumerate(levels)
                    if i != dropped
                ]
    coef = np.atleast_2d(np.asarray(estimator.coef_, dtype=np.float64))
    classes = model.classes or ()
    # a multiclass task over two classes (the user's choice) has one row of coefficients,
    # scikit-learn's for the second class against the first
    outcomes: list[str | None] = [None] * coef.shape[0]
    if model.task == "multiclass":
        outcomes = [classes[int(c)] for c in list(estimator.classes_)[-coef.shape[0] :]]
    out = [
        Coefficient(
            feature=name,
            display_name=model.spec.display_names.get(name, name),
            level=level,
            reference=reference,
            scale=scale,
            outcome=outcome,
            coefficient=float(value),
            odds_ratio=float(np.exp(value)) if model.task == "binary" else None,
            hazard_ratio=float(np.exp(value)) if model.task == "survival" else None,
        )
        for outcome, row in zip(outcomes, coef, strict=True)
        for (name, level, reference, scale), value in zip(terms, row, strict=True)
    ]
    return tuple(sorted(out, key=lambda c: -abs(c.coefficient)))


def _fit_predict(
    model: TrainedModel, dataset: Dataset, X: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, Pipeline]:
    """Fit both baselines on the training rows; predict the validation rows."""
    train, valid = model.train_index, model.valid_index
    X_train, X_valid, y_train = X.iloc[train], X.iloc[valid], dataset.y[train]
    pipeline = linear_pipeline(model.task, model.spec, X_train)
    if model.task == "survival":
        fit_cox(pipeline, model, dataset, X.iloc[train])
        return np.zeros(len(valid)), pipeline.predict(X_valid), pipeline
    if model.task == "regression":
        trivial = DummyRegressor(strategy="mean").fit(X_train, y_train).predict(X_valid)
        return trivial, pipeline.fit(X_train, y_train).predict(X_valid), pipeline
    k = len(model.classes or ())
    weights = _sample_weights(dataset.y, model.task, model.options.class_weight)
    fit_params = {} if weights is None else {"logisticregression__sample_weight": weights[train]}
    pipeline.fit(X_train, y_train, **fit_params)
    dummy = DummyClassifier(strategy="prior").fit(X_train, y_train)
    return _probabilities(dummy, X_valid, k), _probabilities(pipeline, X_valid, k), pipeline


def compare_baselines(
    model: TrainedModel, dataset: Dataset, *, seed: int = 0, n_boot: int = 200
) -> BaselineReport:
    """Fit the trivial and linear baselines on the model's split and compare.

    Parameters
    ----------
    model : TrainedModel
        A model trained by ``train_model``: its ``train_index`` rows fit the baselines,
        its ``valid_index`` rows score all three models.
    dataset : Dataset
        The data the model was trained on.
    seed : int, default 0
        Seeds the bootstrap.
    n_boot : int, default 200
        Bootstrap resamples of the validation rows for the comparison's interval. For
        survival the pairs of rows grow with the square of the rows: at most
        ``BOOTSTRAP_MAX_ROWS`` (5,000) validation rows, drawn with ``seed``, are resampled
        (the interval is then a bit wider).

    Returns
    -------
    BaselineReport
        The baselines' metrics (keyed as ``evaluate_model``'s), XGBoost against the
        linear baseline on :func:`main_metric`, and the linear model's coefficients.
        Survival: see :func:`survival_baseline_metrics`; compared on the C-index of the
        risk (``SurvivalFit.risk``).

    Raises
    ------
    DataError
        If the model was uploaded (its training rows are unknown, so there is no
        held-out split to fit baselines on), ``n_boot`` < 1, or no feature has values
        in the training rows; ``cox_baseline_failed`` if the Cox model cannot be fitted.
    """
    if model.source == "uploaded":
        raise DataError(
            "Baselines are fitted on the training rows and compared on held-out rows; an "
            "uploaded model's training rows are unknown. Train a model in the app instead.",
            code="needs_training_rows",
        )
    if n_boot < 1:
        raise DataError(
            f"n_boot must be at least 1; got {n_boot}.", code="bad_option", detail="n_boot"
        )
    X = linear_frame(dataset.X, model.spec)
    trivial, linear, pipeline = _fit_predict(model, dataset, X)
    valid, task = model.valid_index, model.task
    y, time = dataset.y[valid], None if dataset.time is None else dataset.time[valid]
    boosted = model.predict(dataset.X.iloc[valid])
    if model.survival is not None:
        boosted = model.survival.risk(boosted)
        metrics = survival_baseline_metrics(model, dataset, pipeline.predict(X))
    else:
        metrics = {"trivial": _metrics(model, y, trivial), "linear": _metrics(model, y, linear)}
    xgb_score = main_score(task, y, boosted, time=time)
    linear_score = main_score(task, y, linear, time=time)
    at = np.arange(len(valid))
    if task == "survival" and len(at) > BOOTSTRAP_MAX_ROWS:
        at = np.sort(np.random.default_rng(seed).choice(at, BOOTSTRAP_MAX_ROWS, replace=False))
    low, high = paired_interval(
        task, y[at], boosted[at], linear[at], n_boot=n_boot, seed=seed, time=_at(time, at)
    )
    comparison = Comparison(
        verdict=verdict_of(low, high),
        metric=main_metric(model.task),
        xgboost=xgb_score,
        linear=linear_score,
        difference=xgb_score - linear_score,
        ci_low=low,
        ci_high=high,
        n_boot=n_boot,
    )
    return BaselineReport(
        baselines=(Baseline("trivial", metrics["trivial"]), Baseline("linear", metrics["linear"])),
        comparison=comparison,
        coefficients=_coefficients(pipeline, model),
        n_train=len(model.train_index),
        n_valid=len(valid),
    )
