"""How good a survival model is on held-out rows, computed by scikit-survival.

Harrell's concordance index with a seeded bootstrap interval, the cumulative/dynamic
time-dependent AUC at stated times, the integrated Brier score of the predicted
survival curves, and Kaplan-Meier curves of the observed survival of the rows in
each tertile of predicted risk (arrays a chart can draw as steps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from sksurv.metrics import (
    concordance_index_censored,
    cumulative_dynamic_auc,
    integrated_brier_score,
)
from sksurv.nonparametric import kaplan_meier_estimator
from sksurv.util import Surv

from .baseline import SurvivalFit

RiskGroup = Literal["low", "middle", "high"]
"""A tertile of predicted risk."""
BOOTSTRAP = 200
"""Bootstrap resamples of the validation rows for the C-index interval."""
BOOTSTRAP_MAX_ROWS = 5_000
"""Larger validation sets are resampled at this size (the interval is then a bit wider)."""
AUC_PERCENTILES = (25.0, 50.0, 75.0)
"""Time-dependent AUC at these percentiles of the observed event times."""
_BRIER_POINTS = 50


@dataclass(frozen=True)
class KaplanMeierCurve:
    """Observed survival of one risk group: a step function through (``time``, ``survival``).

    The curve starts at time 0 with survival 1; ``risk_range`` is the group's lowest and
    highest predicted risk.
    """

    group: RiskGroup
    time: np.ndarray
    survival: np.ndarray
    n_rows: int
    n_events: int
    risk_range: tuple[float, float]


@dataclass(frozen=True)
class SurvivalEvaluation:
    """Survival metrics of the validation rows and the arrays their charts need.

    ``auc`` holds the time-dependent AUC at ``auc_times``; ``integrated_brier`` is
    the Brier score integrated over ``brier_times`` (NaN where scikit-survival could
    not compute it, such as too few events). ``risk`` is the predicted risk of each
    validation row (the log-hazard margin for Cox).
    """

    c_index: float
    c_index_interval: tuple[float, float]
    n_bootstrap: int
    auc_times: np.ndarray
    auc: np.ndarray
    mean_auc: float
    brier_times: np.ndarray
    integrated_brier: float
    kaplan_meier: tuple[KaplanMeierCurve, ...]
    time: np.ndarray
    event: np.ndarray
    risk: np.ndarray

    @property
    def metrics(self) -> dict[str, float]:
        """The headline figures under stable names (``c_index`` first)."""
        return {
            "c_index": self.c_index,
            "c_index_low": self.c_index_interval[0],
            "c_index_high": self.c_index_interval[1],
            "mean_auc": self.mean_auc,
            "integrated_brier": self.integrated_brier,
        }


def harrell_c_index(time: np.ndarray, event: np.ndarray, risk: np.ndarray) -> float:
    """Harrell's concordance index (scikit-survival's ``concordance_index_censored``)."""
    if not event.any():
        return float("nan")
    return float(concordance_index_censored(event, time, risk)[0])


def bootstrap_c_index(
    time: np.ndarray, event: np.ndarray, risk: np.ndarray, *, n: int = BOOTSTRAP, seed: int = 0
) -> tuple[float, float]:
    """A 95% percentile bootstrap interval of Harrell's C-index, resampling rows with ``seed``."""
    rng = np.random.default_rng(seed)
    size = min(len(time), BOOTSTRAP_MAX_ROWS)
    scores = []
    for _ in range(n):
        pick = rng.integers(0, len(time), size=size)
        if event[pick].any():
            scores.append(harrell_c_index(time[pick], event[pick], risk[pick]))
    if not scores:
        return float("nan"), float("nan")
    low, high = np.nanpercentile(scores, [2.5, 97.5])
    return float(low), float(high)


def stated_times(time: np.ndarray, event: np.ndarray, train_time: np.ndarray) -> np.ndarray:
    """Percentiles :data:`AUC_PERCENTILES` of the observed event times, within follow-up."""
    if not event.any():
        return np.empty(0)
    times = np.unique(np.percentile(time[event], AUC_PERCENTILES))
    upper = min(float(time.max()), float(train_time.max()))
    return np.asarray(times[(times >= time.min()) & (times < upper)], dtype=np.float64)


def _time_dependent_auc(
    train: np.ndarray, test: np.ndarray, risk: np.ndarray, times: np.ndarray
) -> tuple[np.ndarray, float]:
    if times.size == 0:
        return np.empty(0), float("nan")
    try:
        auc, mean = cumulative_dynamic_auc(train, test, risk, times)
    except ValueError:
        return np.full(times.shape, np.nan), float("nan")
    return np.asarray(auc, dtype=np.float64), float(mean)


def _integrated_brier(
    fit: SurvivalFit, train: np.ndarray, margin: np.ndarray, time: np.ndarray, event: np.ndarray
) -> tuple[np.ndarray, float]:
    """The integrated Brier score over a grid of validation times.

    scikit-survival weights each row by the censoring distribution estimated on the
    training rows, which ends at their last time: validation rows followed up longer
    than every training row are left out of this score.
    """
    inside = time < float(train["time"].max())
    if not event[inside].any():
        return np.empty(0), float("nan")
    time, event, margin = time[inside], event[inside], margin[inside]
    grid = np.unique(np.percentile(time, np.linspace(10, 90, _BRIER_POINTS)))
    grid = grid[(grid >= time.min()) & (grid < time.max())]
    if grid.size < 2:
        return grid, float("nan")
    test = Surv.from_arrays(event, time)
    try:
        score = integrated_brier_score(train, test, fit.survival(margin, grid), grid)
    except ValueError:
        return grid, float("nan")
    return grid, float(score)


def risk_group_curves(
    time: np.ndarray, event: np.ndarray, risk: np.ndarray
) -> tuple[KaplanMeierCurve, ...]:
    """Kaplan-Meier curves of the rows in the low, middle and high tertile of ``risk``."""
    cuts = np.quantile(risk, [1 / 3, 2 / 3])
    codes = np.searchsorted(cuts, risk, side="right")
    curves = []
    groups: tuple[RiskGroup, ...] = ("low", "middle", "high")
    for code, group in enumerate(groups):
        inside = codes == code
        if not inside.any():
            continue
        steps, survival = kaplan_meier_estimator(event[inside], time[inside])
        curves.append(
            KaplanMeierCurve(
                group=group,
                time=np.concatenate([[0.0], np.asarray(steps, dtype=np.float64)]),
                survival=np.concatenate([[1.0], np.asarray(survival, dtype=np.float64)]),
                n_rows=int(inside.sum()),
                n_events=int(event[inside].sum()),
                risk_range=(float(risk[inside].min()), float(risk[inside].max())),
            )
        )
    return tuple(curves)


def evaluate_survival(
    fit: SurvivalFit,
    margin: np.ndarray,
    time: np.ndarray,
    event: np.ndarray,
    *,
    train_time: np.ndarray,
    train_event: np.ndarray,
    seed: int = 0,
) -> SurvivalEvaluation:
    """Survival metrics of the validation rows (``margin``, ``time``, ``event``).

    The training rows' times and events estimate the censoring distribution that the
    time-dependent AUC and the Brier score weight by.
    """
    risk = fit.risk(margin)
    train = Surv.from_arrays(train_event, train_time)
    test = Surv.from_arrays(event, time)
    times = stated_times(time, event, train_time)
    auc, mean_auc = _time_dependent_auc(train, test, risk, times)
    brier_times, brier = _integrated_brier(fit, train, margin, time, event)
    return SurvivalEvaluation(
        c_index=harrell_c_index(time, event, risk),
        c_index_interval=bootstrap_c_index(time, event, risk, seed=seed),
        n_bootstrap=BOOTSTRAP,
        auc_times=times,
        auc=auc,
        mean_auc=mean_auc,
        brier_times=brier_times,
        integrated_brier=brier,
        kaplan_meier=risk_group_curves(time, event, risk),
        time=time,
        event=event,
        risk=risk,
    )
