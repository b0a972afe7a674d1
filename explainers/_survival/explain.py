"""Reading a survival model's output for one patient: relative hazard and survival curve.

SHAP values of a Cox model add up to its margin, the log relative hazard (see
:func:`explainers.compute_shap`). What a clinician reads is the relative hazard against
the average patient, ``exp(margin - mean margin)`` ("x2.1"), and the survival curve
``S0(t) ** exp(margin - reference)`` from Breslow's baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import DataError
from .._training import TrainedModel
from .baseline import SurvivalFit

CURVE_POINTS = 100


@dataclass(frozen=True)
class SurvivalCurves:
    """Predicted survival ``survival`` (rows, times) over ``time``, starting at time 0."""

    time: np.ndarray
    survival: np.ndarray


def relative_hazard(margin: np.ndarray | float, reference: float) -> np.ndarray:
    """``exp(margin - reference)``: the hazard against a patient whose margin is ``reference``.

    With ``reference`` the mean margin of the explained rows (or
    :attr:`SurvivalFit.reference_margin`, the training rows'), 2.0 reads "twice the
    hazard of the average patient".
    """
    return np.exp(np.asarray(margin, dtype=np.float64) - reference)


def survival_fit(model: TrainedModel) -> SurvivalFit:
    """The model's survival fit; a DataError for a model that is not a survival model."""
    if model.survival is None:
        raise DataError(
            f"The model predicts a {model.task} target, not survival over time. Train it with "
            "the survival task to see survival curves.",
            code="not_a_survival_model",
            task=model.task,
        )
    return model.survival


def default_times(fit: SurvivalFit, *, points: int = CURVE_POINTS) -> np.ndarray:
    """Times from 0 to the last training event time (AFT: to 1.0 when there are none)."""
    end = float(fit.event_times.max()) if fit.event_times.size else 1.0
    return np.linspace(0.0, end, points)


def survival_curves(
    model: TrainedModel, X: pd.DataFrame, *, times: np.ndarray | None = None
) -> SurvivalCurves:
    """Predicted survival curves of the encoded rows ``X`` (each row's what-if included).

    Parameters
    ----------
    model
        A survival model (Cox: Breslow's baseline; AFT: its distribution).
    X
        Encoded features (see :meth:`FeatureSpec.encode`), one row per curve.
    times
        Where to evaluate the curves; 0 to the last training event time by default.
    """
    fit = survival_fit(model)
    grid = default_times(fit) if times is None else np.asarray(times, dtype=np.float64)
    margin = model.predict_margin(X)[:, 0]
    return SurvivalCurves(time=grid, survival=fit.survival(margin, grid))
