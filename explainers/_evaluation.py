"""Metrics and chart arrays on the validation split."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from ._dataset import Dataset
from ._survival.metrics import SurvivalEvaluation, evaluate_survival
from ._training import TrainedModel


@dataclass(frozen=True)
class Curve:
    """An x/y curve with the thresholds that produced it (ROC, PR, calibration)."""

    x: np.ndarray
    y: np.ndarray
    thresholds: np.ndarray


@dataclass(frozen=True)
class Evaluation:
    """Validation metrics and the arrays ROC, PR, calibration, confusion and residual charts need.

    For classification ``y_score`` holds probabilities (n, k) and ``per_class``
    one-vs-rest metrics; ``roc``, ``pr`` and ``calibration`` are keyed by class
    label (for binary, only the positive class). For regression ``y_score`` is
    the prediction and ``residuals`` is actual minus predicted. For survival
    ``y_true`` is the event (0/1), ``y_score`` and ``y_pred`` the margin (log
    relative hazard for Cox) and ``survival`` holds the C-index, time-dependent
    AUC, integrated Brier score and Kaplan-Meier curves by risk tertile.
    """

    task: str
    metrics: dict[str, float]
    per_class: dict[str, dict[str, float]]
    y_true: np.ndarray
    y_score: np.ndarray
    y_pred: np.ndarray
    classes: tuple[str, ...] | None
    roc: dict[str, Curve]
    pr: dict[str, Curve]
    calibration: dict[str, Curve]
    confusion: np.ndarray | None
    residuals: np.ndarray | None
    n_valid: int
    survival: SurvivalEvaluation | None = None


def confusion_at(evaluation: Evaluation, threshold: float) -> np.ndarray:
    """Binary confusion matrix (rows true 0/1, columns predicted 0/1) at ``threshold``."""
    predicted = (evaluation.y_score[:, 1] >= threshold).astype(int)
    return np.asarray(skm.confusion_matrix(evaluation.y_true, predicted, labels=[0, 1]))


def _safe(fn: Callable[..., float], *args: object, **kwargs: object) -> float:
    try:
        return float(fn(*args, **kwargs))
    except ValueError:
        return float("nan")


def _curves(y_true: np.ndarray, score: np.ndarray) -> tuple[Curve, Curve, Curve]:
    fpr, tpr, roc_t = skm.roc_curve(y_true, score)
    precision, recall, pr_t = skm.precision_recall_curve(y_true, score)
    bins = max(3, min(10, int(len(y_true) / 20)))
    prob_true, prob_pred = calibration_curve(y_true, score, n_bins=bins, strategy="quantile")
    return (
        Curve(fpr, tpr, roc_t),
        Curve(recall, precision, np.append(pr_t, 1.0)),
        Curve(prob_pred, prob_true, np.empty(0)),
    )


def _classification(model: TrainedModel, y: np.ndarray, proba: np.ndarray) -> Evaluation:
    classes = model.classes or ()
    pred = proba.argmax(axis=1)
    k = proba.shape[1]
    labels = list(range(k))
    metrics = {
        "accuracy": float(skm.accuracy_score(y, pred)),
        "log_loss": _safe(skm.log_loss, y, proba, labels=labels),
    }
    per_class: dict[str, dict[str, float]] = {}
    roc, pr, calib = {}, {}, {}
    positive_only = model.task == "binary"
    for j in labels:
        if positive_only and j == 0:
            continue
        truth = (y == j).astype(int)
        name = classes[j]
        per_class[name] = {
            "auc": _safe(skm.roc_auc_score, truth, proba[:, j]),
            "pr_auc": _safe(skm.average_precision_score, truth, proba[:, j]),
            "f1": float(skm.f1_score(truth, (pred == j).astype(int), zero_division=0)),
            "brier": float(skm.brier_score_loss(truth, proba[:, j])),
            "support": float(truth.sum()),
        }
        if 0 < truth.sum() < len(truth):
            roc[name], pr[name], calib[name] = _curves(truth, proba[:, j])
    if positive_only:
        metrics.update({k2: v for k2, v in per_class[classes[1]].items() if k2 != "support"})
    else:
        metrics["auc"] = _safe(skm.roc_auc_score, y, proba, multi_class="ovr", labels=labels)
        metrics["pr_auc"] = float(np.nanmean([m["pr_auc"] for m in per_class.values()]))
        metrics["f1"] = float(
            skm.f1_score(y, pred, average="macro", labels=labels, zero_division=0)
        )
        metrics["brier"] = float(np.mean(np.sum((proba - np.eye(k)[y]) ** 2, axis=1)))
    return Evaluation(
        task=model.task,
        metrics=metrics,
        per_class=per_class,
        y_true=y,
        y_score=proba,
        y_pred=pred,
        classes=model.classes,
        roc=roc,
        pr=pr,
        calibration=calib,
        confusion=skm.confusion_matrix(y, pred, labels=labels),
        residuals=None,
        n_valid=len(y),
    )


def evaluate_model(model: TrainedModel, dataset: Dataset) -> Evaluation:
    """Evaluate ``model`` on the validation rows of ``dataset``.

    Classification: AUC, PR-AUC, accuracy, F1, log loss and Brier score (per
    class for multiclass). Regression: RMSE, MAE and R². Survival: Harrell's
    C-index with a bootstrap interval, time-dependent AUC and the integrated
    Brier score (see :func:`evaluate_survival`).
    """
    index = model.valid_index
    X, y = dataset.X.iloc[index], dataset.y[index]
    if model.task == "survival":
        return _survival(model, dataset, y)
    return evaluate_predictions(model, y, model.predict(X))


def evaluate_predictions(model: TrainedModel, y: np.ndarray, prediction: np.ndarray) -> Evaluation:
    """The metrics of :func:`evaluate_model` from validation labels and predictions.

    ``prediction`` is what :meth:`TrainedModel.predict` returns (probabilities (n, k) for
    classification, values (n,) for regression); survival is not handled here. A caller
    that predicted elsewhere (on a cluster) gets the same metrics as a local run.
    """
    if model.task != "regression":
        return _classification(model, y, prediction)
    metrics = {
        "rmse": float(np.sqrt(skm.mean_squared_error(y, prediction))),
        "mae": float(skm.mean_absolute_error(y, prediction)),
        "r2": _safe(skm.r2_score, y, prediction),
    }
    return Evaluation(
        task="regression",
        metrics=metrics,
        per_class={},
        y_true=y,
        y_score=prediction,
        y_pred=prediction,
        classes=None,
        roc={},
        pr={},
        calibration={},
        confusion=None,
        residuals=y - prediction,
        n_valid=len(y),
    )


def _survival(model: TrainedModel, dataset: Dataset, y: np.ndarray) -> Evaluation:
    """The survival metrics of the validation rows, in the common result."""
    fit, time, event = model.survival, dataset.time, dataset.event
    assert fit is not None and time is not None and event is not None  # set for survival
    margin = model.predict_margin(dataset.X.iloc[model.valid_index])[:, 0]
    valid, train = model.valid_index, model.train_index
    result = evaluate_survival(
        fit,
        margin,
        time[valid],
        event[valid],
        train_time=time[train],
        train_event=event[train],
        seed=model.options.seed,
    )
    return Evaluation(
        task="survival",
        metrics=result.metrics,
        per_class={},
        y_true=y,
        y_score=margin,
        y_pred=margin,
        classes=None,
        roc={},
        pr={},
        calibration={},
        confusion=None,
        residuals=None,
        n_valid=len(y),
        survival=result,
    )
