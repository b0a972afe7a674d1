"""The ``audit.json`` document of a run: importance with intervals, effects, groups, errors.

Every figure comes from the audit modules beside this one; this module only runs them
in order, times them, and writes their results under the columns' display names
(:func:`audit_document_from` writes results computed elsewhere, such as the app's).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd

from .._errors import DataError
from .._pipeline import ExplainRun
from .._schema import Schema
from .._training import TrainedModel
from .effects import PartialDependence, partial_dependence
from .errors import ErrorAnalysis, error_analysis
from .groups import GroupReport, group_metrics
from .importance import (
    ImportanceInterval,
    importance_score_name,
    indistinguishable,
    permutation_importance_ci,
    shap_importance_ci,
)

PDP_FEATURES = 5
"""Partial dependence is written for this many features, the most important first."""


def audit_document(
    run: ExplainRun, *, group_by: pd.Series | None = None, seed: int = 0
) -> dict[str, object]:
    """Run the audit on ``run``'s model and validation rows; return the JSON document.

    Parameters
    ----------
    group_by
        A column of the table (any column, used by the model or not), named by its
        display name, for per-group metrics; None for none.
    """
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    permutation = permutation_importance_ci(run.model, run.dataset, seed=seed)
    seconds["permutation_importance"] = time.perf_counter() - start
    start = time.perf_counter()
    output: int | Literal["all"] = "all" if run.model.task == "multiclass" else 0
    shap_ci = shap_importance_ci(run.shap, output=output, seed=seed)
    seconds["shap_importance"] = time.perf_counter() - start
    start = time.perf_counter()
    top = [feature for feature, _ in run.shap.ranking()[:PDP_FEATURES]]
    effects = []
    for feature in top:  # a feature with no observed value in the sampled rows has no curve
        try:
            effects.append(
                partial_dependence(run.model, run.dataset, feature, seed=seed, ice=False)
            )
        except DataError as error:
            if error.code != "empty_feature":
                raise
    seconds["partial_dependence"] = time.perf_counter() - start
    start = time.perf_counter()
    names = run.schema.display_names
    errors = None  # a censored outcome has no error to analyse
    if run.model.task != "survival":
        errors = error_analysis(run.model, run.dataset, run.table.frame, names, seed=seed)
    seconds["error_analysis"] = time.perf_counter() - start
    groups = None
    if group_by is not None:
        start = time.perf_counter()
        groups = group_metrics(run.model, run.dataset, group_by, seed=seed)
        seconds["groups"] = time.perf_counter() - start
    return audit_document_from(
        run.schema,
        run.model,
        permutation=permutation,
        shap_importance=shap_ci,
        effects=effects,
        errors=errors,
        groups=groups,
        seconds=seconds,
    )


def audit_document_from(
    schema: Schema,
    model: TrainedModel,
    *,
    permutation: Sequence[ImportanceInterval],
    shap_importance: Sequence[ImportanceInterval],
    effects: Sequence[PartialDependence],
    errors: ErrorAnalysis | None,
    groups: GroupReport | None = None,
    seconds: Mapping[str, float] | None = None,
) -> dict[str, object]:
    """The ``audit.json`` document of audit results already computed (by the app's audit,
    say), written exactly as :func:`audit_document` writes its own; NaN becomes null.

    Parameters
    ----------
    schema, model
        The analysis's schema (for display names) and model (for its validation rows).
    permutation, shap_importance
        Permutation importance and mean |SHAP| with intervals, ranked.
    effects
        Partial dependence of the features to report (only the averages are written).
    errors, groups
        The error analysis (None for a survival model: written as null), and per-group
        metrics of one column or None.
    seconds
        What each part took, written as ``seconds``.
    """
    names = schema.display_names
    document: dict[str, object] = {
        "validation_rows": int(len(model.valid_index)),
        "permutation_score": importance_score_name(model.task),
        "permutation_importance": [
            {
                "feature": names.get(i.feature, i.feature),
                "mean": i.mean,
                "ci_low": i.ci_low,
                "ci_high": i.ci_high,
            }
            for i in permutation
        ],
        "shap_importance": [
            {
                "feature": names.get(i.feature, i.feature),
                "mean_abs_shap": i.mean,
                "ci_low": i.ci_low,
                "ci_high": i.ci_high,
            }
            for i in shap_importance
        ],
        "cannot_be_told_apart": {
            "permutation": [
                [names.get(a, a), names.get(b, b)] for a, b in indistinguishable(permutation)
            ],
            "shap": [
                [names.get(a, a), names.get(b, b)] for a, b in indistinguishable(shap_importance)
            ],
        },
        "partial_dependence": {
            names.get(e.feature, e.feature): {
                "grid": list(e.grid),
                "average": e.average.tolist(),
                "unit": e.unit,
                "output": e.output_label,
                "n_rows": e.n_rows,
                "correlated_with": [names.get(c, c) for c in e.correlated_with],
            }
            for e in effects
        },
        "error_analysis": None
        if errors is None
        else {
            "overall_error_rate": errors.overall_error_rate,
            "error_definition": errors.error_definition,
            "error_threshold": errors.error_threshold,
            "rules": [{"rule": r.rule, "n": r.n, "error_rate": r.error_rate} for r in errors.rules],
            "worst_rows": list(errors.worst_rows),
        },
    }
    if groups is not None:
        document["groups"] = {
            "column": groups.column,
            "threshold": groups.threshold,
            "n_boot": groups.n_boot,
            "metrics": {g.value: {"n": g.n, **g.metrics} for g in groups.groups},
            "intervals": {
                g.value: {k: [g.ci_low.get(k), g.ci_high.get(k)] for k in g.metrics}
                for g in groups.groups
            },
            "disparity": {"difference": groups.difference, "ratio": groups.ratio},
        }
    document["seconds"] = {k: round(v, 4) for k, v in (seconds or {}).items()}
    cleaned = _finite(document)
    assert isinstance(cleaned, dict)
    return cleaned


def _finite(value: object) -> object:
    """NaN and infinities become null, so the document is valid JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
