"""Would a smaller model, or more data, do? Validation score against trees and training rows.

The score is the task's main score (:func:`main_metric`), on the model's validation rows.

- :func:`tree_curve`: the score after each boosting round of the trained model, exactly
  (no retraining). Training keeps no evaluation history, so each round's trees are
  predicted on their own and added, in float32 and in XGBoost's order, to the margin
  of the rounds before: the margin after ``k`` rounds is the model's own with
  ``iteration_range=(0, k)``. The smallest number of rounds whose score is within
  :data:`COMPACT_TOLERANCE` of the best is the *compact* model.
- :func:`learning_curve`: the model retrained with the same options on fractions of its
  training rows (a seeded sample, stratified by class, or by event for survival),
  early-stopped and scored on the same validation rows; the fraction 1.0 reproduces the
  model.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xgboost as xgb
from numpy.typing import NDArray
from sklearn import metrics as skm

from ._audit.group_bootstrap import weighted_auc
from ._concordance import weighted_c_index
from ._dataset import Dataset
from ._errors import DataError
from ._evaluation import _safe
from ._schema import MIN_ROWS
from ._survival.fitting import survival_dmatrix
from ._survival.metrics import harrell_c_index
from ._training import TrainedModel, _sample_weights, booster_params
from ._types import Progress, Task

COMPACT_TOLERANCE = 0.005
"""The compact model's score is at least the best minus 0.5% of the best (relative)."""
DEFAULT_FRACTIONS = (0.1, 0.25, 0.5, 1.0)
"""Fractions of the training rows the learning curve trains on."""
Floats = NDArray[np.float64]


def main_metric(task: Task) -> str:
    """The key of the task's main score in ``evaluate_model``'s metrics.

    ``"auc"`` for binary (ROC AUC) and multiclass (macro one-vs-rest ROC AUC) tasks,
    ``"r2"`` for regression, ``"c_index"`` (Harrell's) for survival: the scores of
    ``importance_score_name``, each higher-is-better.
    """
    return {"regression": "r2", "survival": "c_index"}.get(task, "auc")


def _needs_time(time: np.ndarray | None) -> np.ndarray:
    if time is None:
        raise DataError(
            "A survival score needs the rows' follow-up times; none were given.",
            code="bad_option",
            detail="time",
        )
    return time


def main_score(
    task: Task, y: np.ndarray, prediction: np.ndarray, *, time: np.ndarray | None = None
) -> float:
    """The main score of ``prediction`` (see :func:`main_metric`), as ``evaluate_model``.

    ``prediction`` holds probabilities (n, k) for classification, values (n,) for
    regression, and the risk (n,) for survival (higher for earlier events: the Cox
    margin, see ``SurvivalFit.risk``), where ``y`` is the event (0/1) and ``time`` the
    follow-up time. The score is NaN where undefined (one class only, a constant
    target, no event).
    """
    if task == "survival":
        return harrell_c_index(_needs_time(time), y.astype(bool), prediction)
    if task == "regression":
        return _safe(skm.r2_score, y, prediction)
    if task == "binary":
        return _safe(skm.roc_auc_score, y, prediction[:, 1])
    labels = list(range(prediction.shape[1]))
    return _safe(skm.roc_auc_score, y, prediction, multi_class="ovr", labels=labels)


def resampled_main_score(
    task: Task,
    weights: Floats,
    y: np.ndarray,
    prediction: np.ndarray,
    *,
    time: np.ndarray | None = None,
) -> Floats:
    """The main score of each weighted resample of the rows, as :func:`main_score`.

    ``weights`` has shape (resamples, n): each row's weight (count) in each resample
    (see :func:`~explainers._audit.group_bootstrap.resample_weights`). The AUC is the
    weighted Mann-Whitney statistic (a multiclass score the mean over classes), R² is
    weighted, the C-index is :func:`weighted_c_index`; NaN where undefined.
    """
    if task == "survival":
        return weighted_c_index(weights, _needs_time(time), y.astype(bool), prediction)
    if task == "binary":
        return weighted_auc(weights, y.astype(int), prediction[:, 1])
    if task == "multiclass":
        per_class = [
            weighted_auc(weights, (y == j).astype(int), prediction[:, j])
            for j in range(prediction.shape[1])
        ]
        return np.asarray(np.mean(per_class, axis=0), dtype=np.float64)
    centred = y - y.mean()
    total, first, second, squared = (
        weights @ np.column_stack([np.ones_like(y), centred, centred**2, (y - prediction) ** 2])
    ).T
    spread = second - first**2 / total
    return np.where(spread > 0, 1 - squared / np.where(spread > 0, spread, 1.0), np.nan)


def prediction_of_margin(task: Task, margin: np.ndarray) -> np.ndarray:
    """Probabilities (n, k) or values (n,) from raw margins, as ``TrainedModel.predict``."""
    margin = np.asarray(margin, dtype=np.float64).reshape(margin.shape[0], -1)
    if task == "regression":
        return margin[:, 0]
    if task == "binary":
        p = 1.0 / (1.0 + np.exp(-margin[:, 0]))
        return np.column_stack([1 - p, p])
    shifted = np.exp(margin - margin.max(axis=1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=1, keepdims=True), dtype=np.float64)


@dataclass(frozen=True)
class TreeCurve:
    """Validation score after each boosting round.

    ``rounds`` is 1..n; ``trees`` the trees those rounds hold (one per round, times the
    classes for multiclass models); ``scores`` the main score (``metric``) after each.
    ``compact_rounds`` is the fewest rounds scoring at least
    ``best_score - tolerance * |best_score|``; ``compact_trees`` their trees.
    """

    metric: str
    rounds: np.ndarray
    trees: np.ndarray
    scores: np.ndarray
    best_rounds: int
    best_score: float
    compact_rounds: int
    compact_trees: int
    tolerance: float = COMPACT_TOLERANCE


@dataclass(frozen=True)
class LearningCurve:
    """Validation score of the model retrained on fractions of its training rows.

    One entry per fraction trained (increasing): ``rows`` training rows, ``rounds``
    boosting rounds kept by early stopping, ``scores`` the main score (``metric``).
    ``skipped`` holds the fractions that gave fewer than 20 rows.
    """

    metric: str
    fractions: tuple[float, ...]
    rows: tuple[int, ...]
    rounds: tuple[int, ...]
    scores: tuple[float, ...]
    skipped: tuple[float, ...] = ()


def trees_per_round(booster: xgb.Booster) -> int:
    """Trees each boosting round adds (outputs times parallel trees)."""
    config = json.loads(booster.save_config())["learner"]["gradient_booster"]
    n_trees = int(config["gbtree_model_param"]["num_trees"])
    return max(1, n_trees // max(1, booster.num_boosted_rounds()))


def compact_rounds(scores: np.ndarray, *, tolerance: float = COMPACT_TOLERANCE) -> int:
    """The fewest rounds (1-based) whose score is within ``tolerance`` of the best.

    Within means at least ``best - tolerance * |best|`` (scores are higher-is-better);
    all rounds when no score is defined.
    """
    finite = np.isfinite(scores)
    if not finite.any():
        return len(scores)
    best = float(np.max(scores[finite]))
    return int(np.flatnonzero(finite & (scores >= best - tolerance * abs(best)))[0]) + 1


def _cumulative_margins(booster: xgb.Booster, X: pd.DataFrame, k: int) -> Iterator[np.ndarray]:
    """The raw margin of ``X`` after 1, 2, ... rounds, each the model's own to the bit."""
    threads = os.cpu_count() or 1
    data = xgb.DMatrix(X, enable_categorical=True, nthread=threads)
    zero = np.zeros((len(X), k) if k > 1 else len(X), dtype=np.float32)
    alone = xgb.DMatrix(X, enable_categorical=True, nthread=threads, base_margin=zero)
    margin = booster.predict(data, output_margin=True, iteration_range=(0, 1))
    yield margin
    for j in range(1, booster.num_boosted_rounds()):
        trees = booster.predict(alone, output_margin=True, iteration_range=(j, j + 1))
        margin = (margin + trees).astype(np.float32)
        yield margin


def tree_curve(
    model: TrainedModel, dataset: Dataset, *, progress: Progress | None = None
) -> TreeCurve:
    """Validation score after each boosting round of ``model`` (up to the rounds it kept).

    The score is :func:`main_metric`'s; for survival, Harrell's C-index of the
    validation rows' risk (their follow-up times and events from ``dataset``).

    Parameters
    ----------
    model : TrainedModel
        The model; scored on its ``valid_index`` rows (every labelled row for an
        uploaded model, so its curve is in-sample).
    dataset : Dataset
        The data the model was trained on.
    progress : callable, optional
        Called as ``(done, total, "tree_curve")`` with rounds scored.

    Returns
    -------
    TreeCurve
        The score per round, the best, and the compact model.
    """
    valid = model.valid_index
    X = dataset.X.iloc[valid][list(model.spec.names)]
    booster = model.booster
    total = booster.num_boosted_rounds()
    scores = np.empty(total)
    for i, margin in enumerate(_cumulative_margins(booster, X, model.n_outputs)):
        scores[i] = _margin_score(model, dataset, valid, margin)
        if progress is not None and (i % 10 == 0 or i + 1 == total):
            progress(i + 1, total, "tree_curve")
    rounds = np.arange(1, total + 1)
    per_round = trees_per_round(booster)
    finite = np.isfinite(scores)
    best = int(np.nanargmax(scores)) + 1 if finite.any() else total
    compact = compact_rounds(scores)
    return TreeCurve(
        metric=main_metric(model.task),
        rounds=rounds,
        trees=rounds * per_round,
        scores=scores,
        best_rounds=best,
        best_score=float(scores[best - 1]),
        compact_rounds=compact,
        compact_trees=compact * per_round,
    )


def _margin_score(
    model: TrainedModel, dataset: Dataset, rows: np.ndarray, margin: np.ndarray
) -> float:
    """The main score of raw margins of ``rows``; a survival margin is scored as its risk."""
    y = dataset.y[rows]
    if model.survival is not None and dataset.time is not None:
        risk = model.survival.risk(margin)
        return main_score("survival", y, risk, time=dataset.time[rows])
    return main_score(model.task, y, prediction_of_margin(model.task, margin))


def training_params(model: TrainedModel) -> dict[str, object]:
    """The XGBoost parameters ``train_model`` used for ``model`` (from its options)."""
    n_classes = len(model.classes) if model.classes else 0
    threads = os.cpu_count() or 1
    return booster_params(model.options, model.task, n_classes, len(model.spec.names), threads)


def subsample_rows(
    rows: np.ndarray, y: np.ndarray, fraction: float, *, task: Task, seed: int
) -> np.ndarray:
    """A seeded sample of ``fraction`` of ``rows`` (sorted); per class for classifiers.

    Each class keeps ``round(fraction * its rows)`` rows, at least one; all rows when
    ``fraction`` is 1.
    """
    if fraction >= 1:
        return np.asarray(rows)
    rng = np.random.default_rng(seed)
    labels = y[rows]
    groups = [rows] if task == "regression" else [rows[labels == c] for c in np.unique(labels)]
    picked = [rng.choice(g, size=max(1, round(fraction * len(g))), replace=False) for g in groups]
    return np.sort(np.concatenate(picked))


def _check_fractions(fractions: Sequence[float]) -> tuple[float, ...]:
    chosen = tuple(sorted({float(f) for f in fractions}))
    if not chosen or not all(0 < f <= 1 for f in chosen):
        raise DataError(
            f"fractions must be between 0 (excluded) and 1; got {list(fractions)[:5]}.",
            code="bad_option",
            detail="fractions",
        )
    return chosen


def learning_curve(
    model: TrainedModel,
    dataset: Dataset,
    *,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    seed: int = 0,
    progress: Progress | None = None,
) -> LearningCurve:
    """Retrain on fractions of the training rows; score each on the validation rows.

    Parameters
    ----------
    model : TrainedModel
        A model trained by ``train_model``; its options, training and validation rows
        are reused (early stopping on the validation rows, as in training). A survival
        model is retrained with its Cox or AFT labels and scored by Harrell's C-index.
    dataset : Dataset
        The data the model was trained on.
    fractions : sequence of float, default (0.1, 0.25, 0.5, 1.0)
        Fractions of the training rows, each in (0, 1]; one that gives fewer than 20
        rows is skipped.
    seed : int, default 0
        Seeds the row samples (see :func:`subsample_rows`).
    progress : callable, optional
        Called as ``(done, total, "learning_curve")`` with fractions trained.

    Returns
    -------
    LearningCurve
        Rows, rounds kept and score per fraction.

    Raises
    ------
    DataError
        If the model was uploaded (its training rows and options are unknown) or a
        fraction is not in (0, 1].
    """
    if model.source == "uploaded":
        raise DataError(
            "The learning curve retrains the model on parts of its training rows; an "
            "uploaded model's training rows are unknown. Train a model in the app instead.",
            code="needs_training_rows",
        )
    chosen = _check_fractions(fractions)
    options, task = model.options, model.task
    X, y = dataset.X[list(model.spec.names)], dataset.y
    weights = _sample_weights(y, task, options.class_weight)
    threads = os.cpu_count() or 1

    def matrix(rows: np.ndarray) -> xgb.DMatrix:
        if task == "survival" and dataset.time is not None and dataset.event is not None:
            time, event = dataset.time[rows], dataset.event[rows]
            model_kind = options.survival_model
            return survival_dmatrix(X.iloc[rows], time, event, model=model_kind, threads=threads)
        w = None if weights is None else weights[rows]
        return xgb.DMatrix(
            X.iloc[rows], label=y[rows], weight=w, enable_categorical=True, nthread=threads
        )

    valid = model.valid_index
    dvalid = matrix(valid)
    kept: list[tuple[float, int, int, float]] = []
    skipped: list[float] = []
    for i, fraction in enumerate(chosen):
        if progress is not None:
            progress(i, len(chosen), "learning_curve")
        rows = subsample_rows(model.train_index, y, fraction, task=task, seed=seed)
        if len(rows) < MIN_ROWS:
            skipped.append(fraction)
            continue
        booster = xgb.train(
            training_params(model),
            matrix(rows),
            num_boost_round=options.n_estimators,
            evals=[(dvalid, "validation")],
            early_stopping_rounds=options.early_stopping_rounds,
            verbose_eval=False,
        )
        best = int(getattr(booster, "best_iteration", options.n_estimators - 1)) + 1
        margin = booster.predict(dvalid, output_margin=True, iteration_range=(0, best))
        score = _margin_score(model, dataset, valid, margin)
        kept.append((fraction, len(rows), best, score))
    if progress is not None:
        progress(len(chosen), len(chosen), "learning_curve")
    return LearningCurve(
        metric=main_metric(task),
        fractions=tuple(k[0] for k in kept),
        rows=tuple(k[1] for k in kept),
        rounds=tuple(k[2] for k in kept),
        scores=tuple(k[3] for k in kept),
        skipped=tuple(skipped),
    )
