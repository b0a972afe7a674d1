"""Training an XGBoost model with a held-out validation split."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.model_selection import train_test_split

from ._dataset import Dataset, FeatureSpec
from ._distinct import PREDICT_POLICY, plan_distinct
from ._errors import DataError
from ._small_frames import small_frame_matrix
from ._survival.baseline import SurvivalFit, breslow_hazard
from ._survival.fitting import survival_dmatrix, survival_objective
from ._types import AftDistribution, ClassWeight, Progress, SurvivalModel, Task

MIN_TRAIN_ROWS = 1_000
"""The smallest cap on training rows (:attr:`TrainingOptions.max_train_rows`) accepted."""


@dataclass(frozen=True)
class TrainingOptions:
    """Hyperparameters a data scientist may change; the defaults are safe."""

    n_estimators: int = 400
    learning_rate: float = 0.1
    max_depth: int = 6
    min_child_weight: float = 1.0
    subsample: float = 0.9
    colsample_bytree: float = 0.9
    reg_lambda: float = 1.0
    early_stopping_rounds: int = 30
    validation_fraction: float = 0.2
    class_weight: ClassWeight = "auto"
    seed: int = 0
    survival_model: SurvivalModel = "cox"
    aft_distribution: AftDistribution = "normal"
    aft_scale: float = 1.0
    max_train_rows: int | None = None
    """Fit on at most this many training rows (a seeded sample of the training split, stratified
    for classification); None fits on every one. The validation rows are never sampled."""

    def __post_init__(self) -> None:
        checks = [
            (self.n_estimators >= 1, "n_estimators must be at least 1"),
            (0 < self.learning_rate <= 1, "learning_rate must be in (0, 1]"),
            (1 <= self.max_depth <= 16, "max_depth must be between 1 and 16"),
            (0.05 <= self.validation_fraction <= 0.5, "validation_fraction must be 0.05..0.5"),
            (0 < self.subsample <= 1 and 0 < self.colsample_bytree <= 1, "sampling in (0, 1]"),
            (0 < self.aft_scale <= 100, "aft_scale must be in (0, 100]"),
            (
                self.max_train_rows is None or self.max_train_rows >= MIN_TRAIN_ROWS,
                f"max_train_rows must be at least {MIN_TRAIN_ROWS:,} (or None for every row)",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise DataError(
                    f"Invalid training option: {message}.", code="bad_option", detail=message
                )


@dataclass(frozen=True)
class TrainedModel:
    """A trained (or uploaded) booster with everything needed to explain it."""

    booster: xgb.Booster
    task: Task
    target: str
    target_display: str
    classes: tuple[str, ...] | None
    spec: FeatureSpec
    train_index: np.ndarray
    valid_index: np.ndarray
    best_iteration: int
    options: TrainingOptions = field(default_factory=TrainingOptions)
    source: Literal["trained", "uploaded"] = "trained"
    survival: SurvivalFit | None = None
    """For the survival task: what turns the margin into survival curves."""

    @property
    def n_outputs(self) -> int:
        """Number of margin outputs: classes for multiclass, else 1."""
        return len(self.classes) if self.task == "multiclass" and self.classes else 1

    def dmatrix(self, X: pd.DataFrame) -> xgb.DMatrix:
        """Build a DMatrix of encoded features ``X`` (see :meth:`FeatureSpec.encode`); a
        few rows go in as one array (see :func:`small_frame_matrix`)."""
        frame = X[list(self.spec.names)]
        small = small_frame_matrix(self.booster, frame)
        if small is not None:
            return small
        return xgb.DMatrix(frame, enable_categorical=True, nthread=os.cpu_count() or 1)

    def predict_margin(self, X: pd.DataFrame, *, distinct: bool = True) -> np.ndarray:
        """Raw margin, shape (n, n_outputs).

        With ``distinct``, a table whose rows repeat heavily (see :func:`plan_distinct`)
        is predicted once per distinct row; the margins are those of every row.
        """
        plan = plan_distinct(X, policy=PREDICT_POLICY) if distinct else None
        work = X if plan is None else plan.take(X)
        margin = self.booster.predict(self.dmatrix(work), output_margin=True)
        margin = np.asarray(margin, dtype=np.float64).reshape(len(work), self.n_outputs)
        return margin if plan is None else plan.spread(margin)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities (n, k) for classification (k=2 for binary), values (n,) for regression.

        For survival, the margin (n,): the log relative hazard of a Cox model, the log
        survival time of an AFT model (see :attr:`survival` for curves).
        """
        return predictions_from_margin(self.task, self.predict_margin(X))


def predictions_from_margin(task: Task, margin: np.ndarray) -> np.ndarray:
    """What :meth:`TrainedModel.predict` returns, from the raw margin (n, n_outputs)."""
    if task in ("regression", "survival"):
        return margin[:, 0]
    if task == "binary":
        p = 1.0 / (1.0 + np.exp(-margin[:, 0]))
        return np.column_stack([1 - p, p])
    shifted = np.exp(margin - margin.max(axis=1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=1, keepdims=True), dtype=float)


class _ProgressCallback(xgb.callback.TrainingCallback):
    def __init__(self, progress: Progress, total: int) -> None:
        super().__init__()
        self.progress = progress
        self.total = total

    def after_iteration(
        self, model: xgb.Booster, epoch: int, evals_log: xgb.callback.TrainingCallback.EvalsLog
    ) -> bool:
        if epoch % 5 == 0 or epoch + 1 == self.total:
            self.progress(epoch + 1, self.total, "training")
        return False


def _objective(task: Task, n_classes: int, options: TrainingOptions) -> dict[str, object]:
    if task == "survival":
        return survival_objective(
            options.survival_model, distribution=options.aft_distribution, scale=options.aft_scale
        )
    if task == "binary":
        return {"objective": "binary:logistic", "eval_metric": "logloss"}
    if task == "multiclass":
        return {"objective": "multi:softprob", "eval_metric": "mlogloss", "num_class": n_classes}
    return {"objective": "reg:squarederror", "eval_metric": "rmse"}


def _sample_weights(y: np.ndarray, task: Task, mode: ClassWeight) -> np.ndarray | None:
    """Balanced weights when asked.

    Also under ``auto`` when the rarest class is < 1/3 of the commonest.
    """
    if task in ("regression", "survival") or mode == "none":
        return None
    counts = np.bincount(y)
    counts = counts[counts > 0]
    if mode == "auto" and counts.min() >= counts.max() / 3:
        return None
    per_class = len(y) / (len(np.bincount(y)) * np.maximum(np.bincount(y), 1))
    return np.asarray(per_class[y], dtype=float)


def split_indices(dataset: Dataset, options: TrainingOptions) -> tuple[np.ndarray, np.ndarray]:
    """Seeded train/validation split, stratified for classification.

    With ``options.max_train_rows``, a larger training split is cut to a seeded sample of that
    many rows (stratified the same way); the validation rows stay as they are, so the model is
    judged on the same rows whatever it was fitted on.
    """
    index = np.arange(len(dataset.y))
    stratify = dataset.y if dataset.task != "regression" else None
    train, valid = train_test_split(
        index,
        test_size=options.validation_fraction,
        random_state=options.seed,
        stratify=stratify,
    )
    cap = options.max_train_rows
    if cap is not None and len(train) > cap:
        train = _sample_training_rows(
            train, None if stratify is None else stratify[train], cap, options.seed
        )
    return np.sort(train), np.sort(valid)


def _sample_training_rows(
    train: np.ndarray, labels: np.ndarray | None, size: int, seed: int
) -> np.ndarray:
    """``size`` of the ``train`` rows, seeded; stratified by ``labels`` where every class can
    be drawn (a class with a single row cannot be split: then a plain seeded sample)."""
    try:
        kept, _ = train_test_split(train, train_size=size, random_state=seed, stratify=labels)
    except ValueError:  # a class too small to stratify on
        kept, _ = train_test_split(train, train_size=size, random_state=seed)
    return np.asarray(kept)


COLUMN_SAMPLING_MIN_FEATURES = 10
"""Column sampling (``colsample_bytree``) applies from this many features up: XGBoost keeps
``floor(fraction * features)`` of them per tree, so on a few features it would drop a
large share (one of two at 0.9), and trees could never see two features together."""


def booster_params(
    options: TrainingOptions, task: Task, n_classes: int, n_features: int, threads: int
) -> dict[str, object]:
    """The XGBoost parameters of a model trained with ``options`` on ``n_features``."""
    sampling = options.colsample_bytree if n_features >= COLUMN_SAMPLING_MIN_FEATURES else 1.0
    return {
        "tree_method": "hist",
        "learning_rate": options.learning_rate,
        "max_depth": options.max_depth,
        "min_child_weight": options.min_child_weight,
        "subsample": options.subsample,
        "colsample_bytree": sampling,
        "reg_lambda": options.reg_lambda,
        "seed": options.seed,
        "nthread": threads,
        "max_cat_to_onehot": 4,
        **_objective(task, n_classes, options),
    }


def train_model(
    dataset: Dataset,
    *,
    options: TrainingOptions | None = None,
    progress: Progress | None = None,
) -> TrainedModel:
    """Train XGBoost on ``dataset`` with early stopping on a held-out split.

    Uses all CPU cores, native categorical and missing-value support, balanced
    class weights when classes are imbalanced (``class_weight="auto"``) and the
    seed in ``options`` so that runs repeat. The returned booster is cut at the
    best iteration.
    """
    options = options or TrainingOptions()
    train, valid = split_indices(dataset, options)
    n_classes = len(dataset.classes) if dataset.classes else 0
    weights = _sample_weights(dataset.y, dataset.task, options.class_weight)
    X = dataset.X
    threads = os.cpu_count() or 1
    if dataset.task == "survival":
        return _train_survival(dataset, train, valid, options, progress, threads)
    dtrain = xgb.DMatrix(
        X.iloc[train],
        label=dataset.y[train],
        enable_categorical=True,
        weight=None if weights is None else weights[train],
        nthread=threads,
    )
    dvalid = xgb.DMatrix(
        X.iloc[valid],
        label=dataset.y[valid],
        enable_categorical=True,
        weight=None if weights is None else weights[valid],
        nthread=threads,
    )
    params = booster_params(options, dataset.task, n_classes, X.shape[1], threads)
    booster = _boost(params, dtrain, dvalid, options, progress)
    return _trained(dataset, booster, train, valid, options, progress)


def _boost(
    params: dict[str, object],
    dtrain: xgb.DMatrix,
    dvalid: xgb.DMatrix,
    options: TrainingOptions,
    progress: Progress | None,
) -> xgb.Booster:
    """``xgb.train`` with early stopping on ``dvalid``; XGBoost's errors become DataError."""
    callbacks: list[xgb.callback.TrainingCallback] = []
    if progress is not None:
        callbacks.append(_ProgressCallback(progress, options.n_estimators))
    try:
        return xgb.train(
            params,
            dtrain,
            num_boost_round=options.n_estimators,
            evals=[(dvalid, "validation")],
            early_stopping_rounds=options.early_stopping_rounds,
            callbacks=callbacks,
            verbose_eval=False,
        )
    except xgb.core.XGBoostError as error:
        raise DataError(
            "XGBoost could not train on this data. Check the target and the feature columns.",
            code="training_failed",
            detail=str(error).splitlines()[0][:200],
        ) from error


def _train_survival(
    dataset: Dataset,
    train: np.ndarray,
    valid: np.ndarray,
    options: TrainingOptions,
    progress: Progress | None,
    threads: int,
) -> TrainedModel:
    """Cox (or AFT) boosting, then Breslow's baseline hazard on the training rows."""
    assert dataset.time is not None and dataset.event is not None  # a survival dataset has both
    time, event, X, model = dataset.time, dataset.event, dataset.X, options.survival_model
    dtrain = survival_dmatrix(
        X.iloc[train], time[train], event[train], model=model, threads=threads
    )
    dvalid = survival_dmatrix(
        X.iloc[valid], time[valid], event[valid], model=model, threads=threads
    )
    params = booster_params(options, "survival", 0, X.shape[1], threads)
    booster = _boost(params, dtrain, dvalid, options, progress)
    trained = _trained(dataset, booster, train, valid, options, progress)
    margin = trained.predict_margin(X.iloc[train])[:, 0]
    reference = float(margin.mean())
    times, hazard = (np.empty(0), np.empty(0))
    if model == "cox":
        times, hazard = breslow_hazard(margin, time[train], event[train], reference=reference)
    schema = dataset.schema
    fit = SurvivalFit(
        model=model,
        time=schema.time or "",
        event=schema.target,
        event_value=schema.event_value,
        reference_margin=reference,
        event_times=times,
        baseline_hazard=hazard,
        aft_distribution=options.aft_distribution,
        aft_scale=options.aft_scale,
    )
    return replace(trained, survival=fit)


def _trained(
    dataset: Dataset,
    booster: xgb.Booster,
    train: np.ndarray,
    valid: np.ndarray,
    options: TrainingOptions,
    progress: Progress | None,
) -> TrainedModel:
    """The booster cut at its best iteration, with what explains it."""
    best = int(getattr(booster, "best_iteration", options.n_estimators - 1))
    booster = booster[: best + 1]
    if progress is not None:
        progress(options.n_estimators, options.n_estimators, "training")
    schema = dataset.schema
    return TrainedModel(
        booster=booster,
        task=dataset.task,
        target=schema.target,
        target_display=schema.display_names[schema.target],
        classes=dataset.classes,
        spec=dataset.spec,
        train_index=train,
        valid_index=valid,
        best_iteration=best,
        options=options,
    )
