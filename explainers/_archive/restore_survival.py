"""The survival members read back: the fit, its metrics and curves, each one checked.

Times are finite and not negative; event times, AUC times and Brier times increase
strictly; the baseline cumulative hazard is finite, not negative and never falls; AUCs,
C-indices and survival probabilities lie in [0, 1] (or are NaN where they could not be
computed); each Kaplan-Meier curve starts at time 0 with survival 1 and never rises;
the validation rows' events are their labels and their risks follow from their margins.
Anything else is ``archive_bad_member``. A survival model is parsed in the same
sandboxed child as any other saved model, and its objective must be the fit's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import get_args

import numpy as np
import pyarrow as pa
import xgboost as xgb

from .._byom.model_file import _probe
from .._errors import ModelError
from .._schema import Schema
from .._survival.baseline import SurvivalFit
from .._survival.metrics import KaplanMeierCurve, RiskGroup, SurvivalEvaluation
from .._types import AftDistribution, SurvivalModel
from .fields import Fields
from .refusals import bad_member, bad_model, model_mismatch
from .restore_arrays import _array, _columns, _texts
from .restore_docs import Settings
from .survival_members import CURVE_ARRAYS, EVALUATION_ARRAYS, FIT_ARRAYS

_DOCUMENT = "survival.json"
_ARRAYS = "survival.parquet"
_MODELS: tuple[SurvivalModel, ...] = get_args(SurvivalModel)
_DISTRIBUTIONS: tuple[AftDistribution, ...] = get_args(AftDistribution)
_GROUPS: tuple[RiskGroup, ...] = get_args(RiskGroup)
_OBJECTIVES: dict[SurvivalModel, str] = {"cox": "survival:cox", "aft": "survival:aft"}
_METRICS = ("c_index", "c_index_low", "c_index_high", "mean_auc", "integrated_brier")


@dataclass(frozen=True)
class SavedSurvival:
    """``survival.json`` and ``survival.parquet``, checked: all but the per-row arrays."""

    fit: SurvivalFit
    n_bootstrap: int
    auc_times: np.ndarray
    auc: np.ndarray
    brier_times: np.ndarray
    kaplan_meier: tuple[KaplanMeierCurve, ...]
    n_events: int


def _increasing(values: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(values)) and np.all(values >= 0) and np.all(np.diff(values) > 0))


def _probabilities(values: np.ndarray) -> bool:
    """In [0, 1] where not NaN (no infinities)."""
    known = values[~np.isnan(values)]
    return bool(np.all((known >= 0) & (known <= 1)))


def _fit(fields: Fields, schema: Schema, settings: Settings) -> SurvivalFit:
    options = settings.options
    model = fields.choice("model", _MODELS)
    if model != options.survival_model:
        raise fields.fail("model")
    if fields.text("time") != schema.time:
        raise fields.fail("time")
    if fields.text("event") != schema.target:
        raise fields.fail("event")
    if fields.optional_text("event_value") != schema.event_value:
        raise fields.fail("event_value")
    reference = fields.number("reference_margin")
    if not np.isfinite(reference):
        raise fields.fail("reference_margin")
    distribution = fields.choice("aft_distribution", _DISTRIBUTIONS)
    scale = fields.number("aft_scale")
    if distribution != options.aft_distribution:
        raise fields.fail("aft_distribution")
    if not (np.isfinite(scale) and scale == options.aft_scale):
        raise fields.fail("aft_scale")
    return SurvivalFit(
        model=model,
        time=schema.time or "",
        event=schema.target,
        event_value=schema.event_value,
        reference_margin=reference,
        event_times=np.empty(0),
        baseline_hazard=np.empty(0),
        aft_distribution=distribution,
        aft_scale=scale,
    )


def _long_arrays(table: pa.Table, groups: Sequence[str]) -> dict[tuple[str, str], np.ndarray]:
    """Every array of ``survival.parquet`` by (name, group), positions checked."""
    _columns(_ARRAYS, table, ["array", "group", "position", "value"])
    names = _texts(_ARRAYS, table, "array")
    keys = _texts(_ARRAYS, table, "group")
    position = _array(_ARRAYS, table, "position", (pa.int64(),))
    value = _array(_ARRAYS, table, "value", (pa.float64(),))
    found: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(zip(names, keys, strict=True)):
        found.setdefault(key, []).append(i)
    known = {(n, "") for n in (*FIT_ARRAYS, *EVALUATION_ARRAYS)}
    known |= {(n, g) for n in CURVE_ARRAYS for g in groups}
    if not set(found) <= known:
        raise bad_member(_ARRAYS, "array")
    arrays: dict[tuple[str, str], np.ndarray] = {}
    for key in known:
        index = np.asarray(found.get(key, []), dtype=np.int64)
        if not np.array_equal(position[index], np.arange(len(index))):
            raise bad_member(_ARRAYS, "position")
        arrays[key] = np.asarray(value[index], dtype=np.float64)
    return arrays


def _curve(fields: Fields, arrays: dict[tuple[str, str], np.ndarray]) -> KaplanMeierCurve:
    group = fields.choice("group", _GROUPS)
    n_rows = fields.integer("n_rows", minimum=1)
    n_events = fields.integer("n_events")
    bounds = fields.raw("risk_range")
    if not (
        isinstance(bounds, list)
        and len(bounds) == 2
        and all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
        and np.all(np.isfinite(bounds))
        and bounds[0] <= bounds[1]
    ):
        raise fields.fail("risk_range")
    if n_events > n_rows:
        raise fields.fail("n_events")
    time, survival = arrays[("km_time", group)], arrays[("km_survival", group)]
    if len(time) < 1 or time[0] != 0 or not np.all(np.isfinite(time)) or np.any(np.diff(time) < 0):
        raise bad_member(_ARRAYS, f"km_time.{group}")
    if (
        len(survival) != len(time)
        or survival[0] != 1
        or not np.all((survival >= 0) & (survival <= 1))
        or np.any(np.diff(survival) > 0)
    ):
        raise bad_member(_ARRAYS, f"km_survival.{group}")
    return KaplanMeierCurve(
        group=group,
        time=time,
        survival=survival,
        n_rows=n_rows,
        n_events=n_events,
        risk_range=(float(bounds[0]), float(bounds[1])),
    )


def read_survival(
    document: dict[str, object], table: pa.Table, schema: Schema, settings: Settings
) -> SavedSurvival:
    """Check ``survival.json`` and ``survival.parquet`` against the schema and settings."""
    top = Fields(_DOCUMENT, document)
    fit = _fit(top.section("fit"), schema, settings)
    evaluation = top.section("evaluation")
    n_events = top.integer("n_events")
    if n_events > settings.n_rows:
        raise top.fail("n_events")
    curves = evaluation.sections("kaplan_meier")
    groups = [c.choice("group", _GROUPS) for c in curves]
    if groups != sorted(set(groups), key=_GROUPS.index):
        raise evaluation.fail("kaplan_meier")
    arrays = _long_arrays(table, groups)
    event_times, hazard = arrays[("event_times", "")], arrays[("baseline_hazard", "")]
    if not _increasing(event_times) or (fit.model == "cox") != (len(event_times) > 0):
        raise bad_member(_ARRAYS, "event_times")
    if (
        len(hazard) != len(event_times)
        or not np.all(np.isfinite(hazard))
        or np.any(hazard < 0)
        or np.any(np.diff(hazard) < 0)
    ):
        raise bad_member(_ARRAYS, "baseline_hazard")
    auc_times, auc = arrays[("auc_times", "")], arrays[("auc", "")]
    if not _increasing(auc_times):
        raise bad_member(_ARRAYS, "auc_times")
    if len(auc) != len(auc_times) or not _probabilities(auc):
        raise bad_member(_ARRAYS, "auc")
    brier_times = arrays[("brier_times", "")]
    if not _increasing(brier_times):
        raise bad_member(_ARRAYS, "brier_times")
    return SavedSurvival(
        fit=replace(fit, event_times=event_times, baseline_hazard=hazard),
        n_bootstrap=evaluation.integer("n_bootstrap"),
        auc_times=auc_times,
        auc=auc,
        brier_times=brier_times,
        kaplan_meier=tuple(_curve(c, arrays) for c in curves),
        n_events=n_events,
    )


def survival_evaluation(
    saved: SavedSurvival,
    metrics: dict[str, float],
    arrays: pa.Table,
    y_true: np.ndarray,
    margin: np.ndarray,
) -> SurvivalEvaluation:
    """The validation rows' survival evaluation: saved parts, metrics and per-row arrays.

    ``arrays`` is ``evaluation.parquet`` (its columns already checked), ``y_true`` its
    events as 0/1 and ``margin`` its scores.
    """
    member = "evaluation.parquet"
    time = _array(member, arrays, "time", (pa.float64(),))
    if not (np.all(np.isfinite(time)) and np.all(time >= 0)):
        raise bad_member(member, "time")
    event = _array(member, arrays, "event", (pa.bool_(),))
    if not np.array_equal(event, y_true == 1):
        raise bad_member(member, "event")
    risk = _array(member, arrays, "risk", (pa.float64(),))
    if not np.array_equal(risk, saved.fit.risk(margin)):
        raise bad_member(member, "risk")
    curves = saved.kaplan_meier
    if len(time) and (
        sum(c.n_rows for c in curves) != len(time)
        or sum(c.n_events for c in curves) != int(event.sum())
    ):
        raise bad_member(_DOCUMENT, "evaluation.kaplan_meier")
    if list(metrics) != list(_METRICS):
        raise bad_member("evaluation.json", "metrics")
    values = np.asarray([metrics[k] for k in _METRICS[:4]], dtype=np.float64)
    low, high = metrics["c_index_low"], metrics["c_index_high"]
    brier = metrics["integrated_brier"]
    if not _probabilities(values) or low > high or not (np.isnan(brier) or 0 <= brier <= 1):
        raise bad_member("evaluation.json", "metrics")
    return SurvivalEvaluation(
        c_index=metrics["c_index"],
        c_index_interval=(low, high),
        n_bootstrap=saved.n_bootstrap,
        auc_times=saved.auc_times,
        auc=saved.auc,
        mean_auc=metrics["mean_auc"],
        brier_times=saved.brier_times,
        integrated_brier=brier,
        kaplan_meier=curves,
        time=time,
        event=event,
        risk=risk,
    )


def load_survival_model(
    raw: bytes, model: SurvivalModel, *, timeout_s: float
) -> tuple[xgb.Booster, int, tuple[str, ...] | None, tuple[str, ...] | None]:
    """The survival booster, parsed in the sandboxed child first; its features and types.

    The uploaded-model check (:func:`~explainers._byom.model_file.load_model_file`)
    refuses survival objectives, so the child's description is checked here: a tree
    booster with one output, at least one round, and the fit's objective.
    """
    try:
        description = _probe(raw, timeout_s=timeout_s)
    except ModelError as error:
        detail = error.params.get("reason") or error.params.get("found")
        raise bad_model(error.code, None if detail is None else str(detail)) from None
    if description.get("booster") not in ("gbtree", "dart"):
        raise bad_model("model_booster_unsupported")
    if int(description.get("num_target", 1) or 1) != 1:
        raise bad_model("model_multi_output")
    if int(description.get("n_rounds", 0)) < 1:
        raise bad_model("model_has_no_trees")
    if description.get("objective") != _OBJECTIVES[model]:
        raise model_mismatch("task")
    booster = xgb.Booster()
    try:
        booster.load_model(bytearray(raw))
    except xgb.core.XGBoostError as error:  # the child read it, so this is not expected
        raise bad_model("model_unreadable", type(error).__name__) from None
    names, types = booster.feature_names, booster.feature_types
    return (
        booster,
        booster.num_features(),
        tuple(names) if names else None,
        tuple(types) if types else None,
    )
