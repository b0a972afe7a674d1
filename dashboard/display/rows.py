"""Named lists of rows to explain: most confident, most wrong, nearest the threshold..."""

from __future__ import annotations

import numpy as np


def row_list(
    kind: str,
    *,
    task: str,
    y: np.ndarray,
    prediction: np.ndarray,
    rows: np.ndarray,
    threshold: float = 0.5,
    n: int = 10,
) -> np.ndarray:
    """Dataset positions of the ``n`` rows (among ``rows``) of a named list.

    Parameters
    ----------
    kind
        ``confident`` (highest top probability), ``wrong`` (lowest probability
        of the true class; largest absolute error for regression), ``threshold``
        (closest to the threshold; for multiclass, smallest gap between the two
        likeliest classes), ``best`` (smallest absolute error), ``highest`` and
        ``lowest`` (prediction); for survival ``highest_risk``, ``lowest_risk`` (predicted
        hazard) and ``surprising`` (rows with the event, the lowest predicted hazard first).
    task
        ``binary``, ``multiclass`` or ``regression``.
    y, prediction
        Targets and predictions of every dataset row (probabilities ``(n, k)``
        for classifiers).
    rows
        The candidate positions (e.g. the validation rows).
    """
    rows = np.asarray(rows)
    if task == "survival":  # the prediction is the log hazard; y is the event (0/1)
        risk = np.asarray(prediction, dtype=float)[rows]
        had_event = np.asarray(y, dtype=int)[rows] == 1
        scores = {
            "highest_risk": -risk,
            "lowest_risk": risk,
            # events first, the lowest predicted hazard first among them
            "surprising": np.where(had_event, risk, np.inf),
        }
    elif task == "regression":
        error = np.abs(np.asarray(y, dtype=float)[rows] - prediction[rows])
        scores = {
            "wrong": -error,
            "best": error,
            "highest": -prediction[rows],
            "lowest": prediction[rows],
        }
    else:
        proba = prediction[rows]
        truth = np.asarray(y, dtype=int)[rows]
        top2 = np.sort(proba, axis=1)[:, -2:]
        near = np.abs(proba[:, 1] - threshold) if task == "binary" else top2[:, 1] - top2[:, 0]
        scores = {
            "confident": -proba.max(axis=1),
            "wrong": proba[np.arange(len(rows)), truth],
            "threshold": near,
        }
    if kind not in scores:
        raise ValueError(f"Unknown list {kind!r}; expected one of {sorted(scores)}.")
    order = np.argsort(scores[kind], kind="stable")[:n]
    return rows[order]
