"""Training and evaluating on the cluster with ``xgboost.dask``.

The booster's parameters are the single-process ones (:func:`explainers._training.
booster_params`), with each worker's own thread count; early stopping watches the
validation part. The metrics are the single-process ones, computed from the validation
rows' labels and predictions: the client holds those two columns (k + 1 numbers a
validation row), never the features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xgboost as xgb
import xgboost.dask
from distributed import Client

from .._evaluation import Evaluation, evaluate_predictions
from .._schema import Schema
from .._training import TrainedModel, TrainingOptions, booster_params, predictions_from_margin
from .._types import Device
from .dataset import TARGET, VALID, ClusterDataset, class_weights


@dataclass(frozen=True)
class ClusterModel:
    """The trained model and its validation metrics.

    ``model.train_index`` and ``model.valid_index`` are empty: the split is the hash rule
    of :func:`explainers._dask.dataset.validation_mask`, not a list of rows.
    """

    model: TrainedModel
    evaluation: Evaluation


def _matrices(
    client: Client, data: ClusterDataset, weights: np.ndarray | None
) -> tuple[xgb.dask.DaskQuantileDMatrix, xgb.dask.DaskQuantileDMatrix]:
    frame, features = data.frame, data.features
    train, valid = frame[~frame[VALID]], frame[frame[VALID]]

    def weight_of(part: object) -> object:
        if weights is None:
            return None
        return part[TARGET].map(dict(enumerate(weights.tolist())), meta=(TARGET, "f8"))  # type: ignore[index]

    dtrain = xgb.dask.DaskQuantileDMatrix(
        client, train[features], train[TARGET], weight=weight_of(train), enable_categorical=True
    )
    dvalid = xgb.dask.DaskQuantileDMatrix(
        client,
        valid[features],
        valid[TARGET],
        weight=weight_of(valid),
        enable_categorical=True,
        ref=dtrain,
    )
    return dtrain, dvalid


def train_on_cluster(
    client: Client,
    data: ClusterDataset,
    schema: Schema,
    *,
    options: TrainingOptions,
    device: Device,
) -> ClusterModel:
    """Train on the training part, stop early on the validation part, and evaluate."""
    encoding = data.encoding
    n_classes = len(encoding.classes) if encoding.classes else 0
    weights = class_weights(data.class_counts, encoding.task, options.class_weight)
    dtrain, dvalid = _matrices(client, data, weights)
    params = booster_params(options, encoding.task, n_classes, len(data.features), 1)
    params.pop("nthread")  # each worker uses its own thread count
    params["device"] = device
    result = xgb.dask.train(
        client,
        params,
        dtrain,
        num_boost_round=options.n_estimators,
        evals=[(dvalid, "validation")],
        early_stopping_rounds=options.early_stopping_rounds,
        verbose_eval=False,
    )
    booster: xgb.Booster = result["booster"]
    best = int(getattr(booster, "best_iteration", options.n_estimators - 1))
    booster = booster[: best + 1]
    booster.set_param({"device": device})
    model = TrainedModel(
        booster=booster,
        task=encoding.task,
        target=schema.target,
        target_display=schema.display_names[schema.target],
        classes=encoding.classes,
        spec=encoding.spec,
        train_index=np.empty(0, dtype=np.int64),
        valid_index=np.empty(0, dtype=np.int64),
        best_iteration=best,
        options=options,
    )
    return ClusterModel(model, _evaluate(client, model, data))


def _evaluate(client: Client, model: TrainedModel, data: ClusterDataset) -> Evaluation:
    """Validation metrics: margins predicted on the workers, labels and margins gathered."""
    frame = data.frame
    valid = frame[frame[VALID]]
    margin = xgb.dask.predict(client, model.booster, valid[data.features], output_margin=True)
    raw, labels = client.compute([margin, valid[TARGET]], sync=True)
    margin_array = np.asarray(raw, dtype=np.float64).reshape(len(labels), model.n_outputs)
    prediction = predictions_from_margin(model.task, margin_array)
    y = labels.to_numpy()
    return evaluate_predictions(model, y, prediction)
