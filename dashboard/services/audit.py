"""The model audit: importance with intervals, partial dependence, error analysis, groups.

Each result is computed on demand (the Audit page's button), once per analysis and
choice, and cached like the analysis itself: shared for a bundled sample with a model
trained here, else in the user's session only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from dashboard.analysis import Analysis
from dashboard.result_cache import memo
from dashboard.services.pipeline import SEED, WORK_SLOTS
from explainers import (
    ErrorAnalysis,
    GroupReport,
    ImportanceInterval,
    PartialDependence,
    error_analysis,
    group_metrics,
    importance_score_name,
    indistinguishable,
    partial_dependence,
    permutation_importance_ci,
    shap_importance_ci,
)

GROUP_BOOTSTRAP = 100
"""Bootstrap resamples behind each group's 95% intervals."""


@dataclass(frozen=True)
class ImportanceAudit:
    """Permutation importance and mean |SHAP|, each with 95% intervals, ranked.

    ``score`` names the score whose drop permutation importance measures
    (``roc_auc``, ``roc_auc_ovr_macro`` or ``r2``); the ``*_ties`` are neighbours in
    each ranking whose intervals overlap (they cannot be told apart).
    """

    permutation: tuple[ImportanceInterval, ...]
    shap: tuple[ImportanceInterval, ...]
    score: str
    permutation_ties: tuple[tuple[str, str], ...]
    shap_ties: tuple[tuple[str, str], ...]
    n_validation: int
    n_shap_rows: int


def audit_importance(analysis: Analysis) -> ImportanceAudit:
    """Permutation importance on the validation rows and mean |SHAP| with intervals (cached)."""

    def compute() -> ImportanceAudit:
        output: int | Literal["all"] = "all" if analysis.task == "multiclass" else 0
        with WORK_SLOTS:
            permutation = permutation_importance_ci(analysis.model, analysis.dataset, seed=SEED)
            shap = shap_importance_ci(analysis.shap, output=output, seed=SEED)
        return ImportanceAudit(
            permutation=tuple(permutation),
            shap=tuple(shap),
            score=importance_score_name(analysis.task),
            permutation_ties=tuple(indistinguishable(permutation)),
            shap_ties=tuple(indistinguishable(shap)),
            n_validation=len(analysis.model.valid_index),
            n_shap_rows=len(analysis.shap.rows),
        )

    return memo(f"audit-importance|{analysis.key}", analysis.shared, compute, ImportanceAudit)


def audit_effect(analysis: Analysis, feature: str, *, centred: bool) -> PartialDependence:
    """Partial dependence of ``feature`` with ICE curves on a seeded sample (cached)."""

    def compute() -> PartialDependence:
        with WORK_SLOTS:
            return partial_dependence(
                analysis.model, analysis.dataset, feature, ice=True, centred=centred, seed=SEED
            )

    key = f"audit-effect|{analysis.key}|{feature}|{centred}"
    return memo(key, analysis.shared, compute, PartialDependence)


def audit_errors(analysis: Analysis) -> ErrorAnalysis:
    """Where the model fails on the validation rows: readable rules (cached)."""

    def compute() -> ErrorAnalysis:
        with WORK_SLOTS:
            return error_analysis(
                analysis.model,
                analysis.dataset,
                analysis.table.frame,
                analysis.schema.display_names,
                seed=SEED,
            )

    return memo(f"audit-errors|{analysis.key}", analysis.shared, compute, ErrorAnalysis)


def group_columns(analysis: Analysis) -> list[str]:
    """Every column of the table (its safe name), used by the model or not."""
    return [str(c) for c in analysis.table.frame.columns]


def column_display(analysis: Analysis, column: str) -> str:
    """A table column's name as written in the file."""
    return analysis.schema.display_names.get(column, column)


def distinct_values(analysis: Analysis, column: str) -> int:
    """How many distinct values (missing counted as one) a table column holds."""
    return int(analysis.table.frame[column].nunique(dropna=False))


def audit_groups(analysis: Analysis, column: str, *, threshold: float) -> GroupReport:
    """Per-group metrics of a table column on the validation rows, with intervals (cached)."""

    def compute() -> GroupReport:
        series: pd.Series = analysis.table.frame[column].rename(column_display(analysis, column))
        with WORK_SLOTS:
            return group_metrics(
                analysis.model,
                analysis.dataset,
                series,
                threshold=threshold,
                n_boot=GROUP_BOOTSTRAP,
                seed=SEED,
            )

    key = f"audit-groups|{analysis.key}|{column}|{threshold!r}"
    return memo(key, analysis.shared, compute, GroupReport)
