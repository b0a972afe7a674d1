"""What a survival model predicts over time: Breslow's baseline for Cox, the AFT distribution.

XGBoost's ``survival:cox`` margin is the log relative hazard, ``log h(t|x) - log h0(t)``;
its prediction is ``exp(margin)``. The baseline cumulative hazard ``H0`` is estimated on
the training rows by Breslow's estimator, at the average training margin, so that

    S(t | x) = S0(t) ** exp(margin(x) - reference_margin),  S0(t) = exp(-H0(t)).

``survival:aft`` margins are ``log`` survival times: ``S(t|x) = 1 - F((log t - margin) / scale)``
with ``F`` the chosen distribution's CDF.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from .._types import AftDistribution, SurvivalModel


@dataclass(frozen=True)
class SurvivalFit:
    """What turns a survival margin into a survival curve.

    ``event_times`` are the distinct event times of the training rows, and
    ``baseline_hazard`` Breslow's cumulative hazard there, for a patient whose margin is
    ``reference_margin`` (the mean training margin). Both are empty for AFT.
    """

    model: SurvivalModel
    time: str
    event: str
    event_value: str | None
    reference_margin: float
    event_times: np.ndarray
    baseline_hazard: np.ndarray
    aft_distribution: AftDistribution = "normal"
    aft_scale: float = 1.0

    def risk(self, margin: np.ndarray) -> np.ndarray:
        """Higher for earlier events: the margin for Cox (log hazard), minus it for AFT."""
        values = np.asarray(margin, dtype=np.float64)
        return values if self.model == "cox" else -values

    def cumulative_hazard(self, times: np.ndarray) -> np.ndarray:
        """Baseline cumulative hazard ``H0`` at ``times`` (a step function, 0 before any event)."""
        at = np.searchsorted(self.event_times, np.asarray(times, dtype=np.float64), side="right")
        padded = np.concatenate([[0.0], self.baseline_hazard])
        return np.asarray(padded[at], dtype=np.float64)

    def survival(self, margin: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Survival probability ``S(t | x)``, shape (rows, times), for margins of some rows."""
        margin = np.asarray(margin, dtype=np.float64).reshape(-1, 1)
        grid = np.asarray(times, dtype=np.float64).reshape(1, -1)
        if self.model == "cox":
            hazard = self.cumulative_hazard(grid[0]).reshape(1, -1)
            return np.asarray(np.exp(-hazard * np.exp(margin - self.reference_margin)))
        with np.errstate(divide="ignore"):
            z = (np.log(grid) - margin) / self.aft_scale
        if self.aft_distribution == "normal":
            return np.asarray(special.ndtr(-z))
        if self.aft_distribution == "logistic":
            return np.asarray(special.expit(-z))
        return np.asarray(np.exp(-np.exp(z)))


def breslow_hazard(
    margin: np.ndarray, time: np.ndarray, event: np.ndarray, *, reference: float
) -> tuple[np.ndarray, np.ndarray]:
    """Breslow's cumulative baseline hazard at each distinct event time.

    ``H0(t) = sum over event times s <= t of d(s) / sum_{time_i >= s} exp(margin_i - reference)``
    with ``d(s)`` the events at ``s``; returns the event times and ``H0`` there.
    """
    relative = np.exp(np.asarray(margin, dtype=np.float64) - reference)
    order = np.argsort(time, kind="stable")
    sorted_time, sorted_risk = time[order], relative[order]
    event_times = np.unique(time[event])
    # rows still at risk at s: time_i >= s; suffix sums over the rows sorted by time
    at_risk = np.concatenate([np.cumsum(sorted_risk[::-1])[::-1], [0.0]])
    first = np.searchsorted(sorted_time, event_times, side="left")
    deaths = np.searchsorted(np.sort(time[event]), event_times, side="right") - np.searchsorted(
        np.sort(time[event]), event_times, side="left"
    )
    return event_times, np.cumsum(deaths / at_risk[first])
