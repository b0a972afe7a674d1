"""Binary metrics when rows at or above a decision threshold are called positive."""

from __future__ import annotations

import numpy as np


def threshold_stats(
    y_true: np.ndarray, p_positive: np.ndarray, threshold: float
) -> dict[str, float]:
    """Binary metrics when rows with ``p_positive >= threshold`` are called positive."""
    y = np.asarray(y_true).astype(int)
    predicted = (np.asarray(p_positive) >= threshold).astype(int)
    tp = int(np.sum((predicted == 1) & (y == 1)))
    fp = int(np.sum((predicted == 1) & (y == 0)))
    fn = int(np.sum((predicted == 0) & (y == 1)))
    tn = int(np.sum((predicted == 0) & (y == 0)))

    def ratio(a: int, b: int) -> float:
        return a / b if b else float("nan")

    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {
        "accuracy": ratio(tp + tn, len(y)),
        "precision": precision,
        "recall": recall,
        "specificity": ratio(tn, tn + fp),
        "f1": f1,
    }
