"""XGBoost's survival labels and objectives, as its documentation describes them.

``survival:cox`` takes one label per row: the follow-up time, negative for a censored
row. ``survival:aft`` takes an interval per row (``label_lower_bound``,
``label_upper_bound``): ``[t, t]`` for an event at ``t``, ``[t, +inf]`` for a row
right-censored at ``t``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xgboost as xgb

from .._types import AftDistribution, SurvivalModel

_TINY = float(np.finfo(np.float32).tiny)
"""A censored row at time 0 gets ``-tiny``: ``-0.0`` would read as an event."""


def cox_labels(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """``time`` for events, ``-time`` for censored rows (``-tiny`` at time zero)."""
    censored = -np.maximum(np.asarray(time, dtype=np.float64), _TINY)
    return np.where(event, time, censored)


def aft_bounds(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of the survival time: ``[t, t]`` or ``[t, +inf]``.

    Times of zero become half the smallest positive time, since AFT works on ``log t``.
    """
    time = np.asarray(time, dtype=np.float64)
    positive = time[time > 0]
    floor = float(positive.min()) / 2 if positive.size else 1.0
    lower = np.maximum(time, floor)
    return lower, np.where(event, lower, np.inf)


def survival_objective(
    model: SurvivalModel, *, distribution: AftDistribution, scale: float
) -> dict[str, object]:
    """The objective and evaluation metric parameters of a survival booster."""
    if model == "cox":
        return {"objective": "survival:cox", "eval_metric": "cox-nloglik"}
    return {
        "objective": "survival:aft",
        "eval_metric": "aft-nloglik",
        "aft_loss_distribution": distribution,
        "aft_loss_distribution_scale": scale,
    }


def survival_dmatrix(
    X: pd.DataFrame, time: np.ndarray, event: np.ndarray, *, model: SurvivalModel, threads: int
) -> xgb.DMatrix:
    """A DMatrix of ``X`` labelled for ``model`` (see :func:`cox_labels`, :func:`aft_bounds`)."""
    if model == "cox":
        return xgb.DMatrix(
            X, label=cox_labels(time, event), enable_categorical=True, nthread=threads
        )
    matrix = xgb.DMatrix(X, enable_categorical=True, nthread=threads)
    lower, upper = aft_bounds(time, event)
    matrix.set_float_info("label_lower_bound", lower)
    matrix.set_float_info("label_upper_bound", upper)
    return matrix
