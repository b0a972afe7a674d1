"""One row per labelled file row: its split, true label, prediction and class probabilities
(for survival: its follow-up time, event and predicted risk)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._dataset import Dataset
from .._training import TrainedModel


def predictions_frame(model: TrainedModel, dataset: Dataset) -> pd.DataFrame:
    """Predict every row of ``dataset`` and say which split it belongs to.

    Parameters
    ----------
    model
        The trained (or uploaded) model; its ``valid_index`` decides the split.
    dataset
        The encoded rows the model was trained and validated on.

    Returns
    -------
    pandas.DataFrame
        One row per dataset row, sorted by ``row``, with the columns ``row``
        (0-based position of the row in the file), ``split`` (``"train"`` or
        ``"validation"``; every row of an uploaded model is ``"validation"``),
        ``label`` (the class label as text, or the value for regression),
        ``prediction`` (the most probable class label, or the predicted
        value) and, for classifiers, ``proba_<class>`` with the probability of
        each class in the model's class order. For survival the columns after
        ``split`` are ``time`` (the follow-up time), ``event`` (1 when the event
        happened, else 0) and ``risk`` (the model's margin: the log relative hazard
        of a Cox model, the log survival time of an AFT model).
    """
    split = np.full(len(dataset.y), "train", dtype=object)
    split[model.valid_index] = "validation"
    predicted = model.predict(dataset.X)
    columns: dict[str, object] = {"row": dataset.row_ids.astype(np.int64), "split": split}
    if model.task == "survival" and dataset.time is not None and dataset.event is not None:
        columns["time"] = dataset.time.astype(np.float64)
        columns["event"] = dataset.event.astype(np.int64)
        columns["risk"] = predicted.astype(np.float64)
    elif model.task == "regression":
        columns["label"] = dataset.y.astype(np.float64)
        columns["prediction"] = predicted.astype(np.float64)
    else:
        classes = np.asarray(model.classes or dataset.classes or (), dtype=object)
        columns["label"] = classes[dataset.y]
        columns["prediction"] = classes[predicted.argmax(axis=1)]
        for j, name in enumerate(classes):
            columns[f"proba_{name}"] = predicted[:, j]
    frame = pd.DataFrame(columns)
    return frame.sort_values("row", kind="stable").reset_index(drop=True)
