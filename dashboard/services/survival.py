"""A survival model in the app: the average patient, relative hazards and survival curves.

The app reads a Cox model's output against *the average patient*: the SHAP base value, the
log hazard TreeSHAP starts every row from. A row's relative hazard is then
``exp(margin - base) = exp(sum of its SHAP values)``, so each feature multiplies the average
patient's hazard by ``exp(its SHAP value)`` and the waterfall, the headline and the summary
tell one story. Survival curves come from the engine's Breslow baseline
(:func:`explainers.survival_curves`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.analysis import Analysis
from explainers import SurvivalCurves, relative_hazard, survival_curves

CURVE_POINTS = 120
"""Points of each predicted survival curve, from time 0 to the last training event time."""


@dataclass(frozen=True)
class SurvivalOutcome:
    """The outcome of a survival analysis in the file's own words."""

    time: str
    """The follow-up time column as written in the file."""
    event: str
    """The event column as written in the file."""
    time_unit: str | None
    """The time column's unit from the sample's data dictionary, if any."""
    horizon: float
    """The time at which the app states survival: the median event time of the training rows."""


def average_log_hazard(analysis: Analysis) -> float:
    """The average patient's log hazard: the SHAP base value of the model."""
    return float(np.asarray(analysis.shap.base_values).reshape(-1)[0])


def hazard_ratio(analysis: Analysis, margin: float | np.ndarray) -> np.ndarray:
    """Relative hazard against the average patient, ``exp(margin - base)``."""
    return relative_hazard(margin, average_log_hazard(analysis))


def survival_outcome(analysis: Analysis) -> SurvivalOutcome:
    """The time and event columns' names, the time unit and the stated horizon."""
    fit = analysis.model.survival
    assert fit is not None  # pages call this for survival models only
    names = analysis.schema.display_names
    unit = None
    if analysis.sample is not None:
        info = analysis.sample.columns.get(names.get(fit.time, fit.time))
        unit = info.unit if info else None
    times = np.asarray(fit.event_times, dtype=float)
    horizon = float(np.median(times)) if times.size else 1.0
    return SurvivalOutcome(
        time=names.get(fit.time, fit.time),
        event=names.get(fit.event, fit.event),
        time_unit=unit,
        horizon=horizon,
    )


def curves_of(analysis: Analysis, X: pd.DataFrame) -> SurvivalCurves:
    """Predicted survival curves of the encoded rows ``X`` over the app's time grid."""
    return survival_curves(analysis.model, X, times=time_grid(analysis))


def time_grid(analysis: Analysis) -> np.ndarray:
    """From 0 to the last training event time (the horizon doubled when there are none)."""
    fit = analysis.model.survival
    assert fit is not None  # pages call this for survival models only
    if not fit.event_times.size:
        return np.linspace(0.0, 2 * survival_outcome(analysis).horizon, CURVE_POINTS)
    end = float(np.max(fit.event_times))
    return np.linspace(0.0, end, CURVE_POINTS)


def average_curve(analysis: Analysis, times: np.ndarray) -> np.ndarray:
    """The average patient's predicted survival at ``times``."""
    fit = analysis.model.survival
    assert fit is not None  # pages call this for survival models only
    base = np.array([average_log_hazard(analysis)])
    return np.asarray(fit.survival(base, times)[0])


def survival_at(analysis: Analysis, margin: float, time: float) -> float:
    """Predicted chance of no event by ``time`` for a row whose margin is ``margin``."""
    fit = analysis.model.survival
    assert fit is not None  # pages call this for survival models only
    return float(fit.survival(np.array([margin]), np.array([time]))[0, 0])
