"""The survival members of a saved analysis: ``survival.json`` and ``survival.parquet``.

``survival.json`` holds the scalars of the model's
:class:`~explainers._survival.baseline.SurvivalFit` (``fit``: model, time and event
columns, event value, reference margin, AFT distribution and scale), of the validation
rows' :class:`~explainers._survival.metrics.SurvivalEvaluation` (``evaluation``: bootstrap
resamples, and each Kaplan-Meier risk group's rows, events and risk range) and the events
among the dataset's rows (``n_events``). ``survival.parquet`` holds the arrays in long
form (``array``, ``group``, ``position``, ``value``): the fit's event times and baseline
hazard, the time-dependent AUC and its times, the Brier score's times, and each risk
group's Kaplan-Meier steps (``group`` is empty but for those).

The C-index, its interval, the mean AUC and the integrated Brier score are the
evaluation's metrics (``evaluation.json``); the validation rows' follow-up time, event
and predicted risk are columns of ``evaluation.parquet``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .._survival.baseline import SurvivalFit
from .._survival.metrics import SurvivalEvaluation
from .members import finite

FIT_ARRAYS = ("event_times", "baseline_hazard")
"""The fit's arrays (empty for AFT)."""
EVALUATION_ARRAYS = ("auc_times", "auc", "brier_times")
"""The evaluation's arrays that are not per validation row."""
CURVE_ARRAYS = ("km_time", "km_survival")
"""Each Kaplan-Meier curve's arrays, keyed by its risk group."""


def survival_document(
    fit: SurvivalFit, evaluation: SurvivalEvaluation, n_events: int
) -> dict[str, object]:
    """``survival.json``: the fit's and the evaluation's scalars, the dataset's events."""
    return {
        "fit": {
            "model": fit.model,
            "time": fit.time,
            "event": fit.event,
            "event_value": fit.event_value,
            "reference_margin": finite(fit.reference_margin),
            "aft_distribution": fit.aft_distribution,
            "aft_scale": finite(fit.aft_scale),
        },
        "evaluation": {
            "n_bootstrap": evaluation.n_bootstrap,
            "kaplan_meier": [
                {
                    "group": curve.group,
                    "n_rows": curve.n_rows,
                    "n_events": curve.n_events,
                    "risk_range": finite(list(curve.risk_range)),
                }
                for curve in evaluation.kaplan_meier
            ],
        },
        "n_events": n_events,
    }


def survival_arrays(fit: SurvivalFit, evaluation: SurvivalEvaluation) -> pa.Table:
    """``survival.parquet``: every array of the fit and the evaluation, in long form."""
    parts: list[tuple[str, str, np.ndarray]] = [
        *((name, "", getattr(fit, name)) for name in FIT_ARRAYS),
        *((name, "", getattr(evaluation, name)) for name in EVALUATION_ARRAYS),
    ]
    for curve in evaluation.kaplan_meier:
        parts.append(("km_time", curve.group, curve.time))
        parts.append(("km_survival", curve.group, curve.survival))
    names: list[str] = []
    groups: list[str] = []
    positions: list[np.ndarray] = [np.empty(0, dtype=np.int64)]
    values: list[np.ndarray] = [np.empty(0, dtype=np.float64)]
    for name, group, array in parts:
        flat = np.asarray(array, dtype=np.float64).reshape(-1)
        names += [name] * len(flat)
        groups += [group] * len(flat)
        positions.append(np.arange(len(flat), dtype=np.int64))
        values.append(flat)
    return pa.table(
        {
            "array": pa.array(names, type=pa.string()),
            "group": pa.array(groups, type=pa.string()),
            "position": np.concatenate(positions),
            "value": np.concatenate(values),
        }
    )
