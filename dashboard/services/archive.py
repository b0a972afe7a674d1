"""Saving an analysis to one file (``.xai``): what goes in, and who in the table is named.

The file holds the model, settings, schema, metrics and curves, the SHAP values the
pages show (every row once computed), the interaction values and the audit when they
were computed, and the table only when the user asks (:func:`explainers.save_analysis`).
Opening one is :func:`dashboard.services.pipeline.open_saved`.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace

from dashboard import state
from dashboard.analysis import Analysis
from dashboard.result_cache import memo
from dashboard.services.audit import audit_core, computed_groups
from dashboard.services.background import best_shap
from dashboard.services.pipeline import computed_interactions
from explainers import audit_document_from, flagged_columns, save_analysis


@dataclass(frozen=True)
class FlaggedColumns:
    """Columns of the table that look like personal data, and identifier columns (as
    written in the file): what a user is warned about before saving the table."""

    personal: tuple[str, ...]
    identifiers: tuple[str, ...]


@dataclass(frozen=True)
class SaveContents:
    """What a saved file of the analysis holds besides the model, metrics and SHAP values."""

    interactions: bool
    audit: bool


def flagged(analysis: Analysis) -> FlaggedColumns:
    """The table's personal-data and identifier columns (:func:`explainers.flagged_columns`;
    profiled once per analysis). Empty without the rows: there is no table to save."""
    if not analysis.has_rows:
        return FlaggedColumns((), ())

    def compute() -> FlaggedColumns:
        return FlaggedColumns(*flagged_columns(analysis.run))

    return memo(f"flagged|{analysis.key}", analysis.shared, compute, FlaggedColumns)


def save_contents(analysis: Analysis) -> SaveContents:
    """Whether the interaction values and the audit would go in the file now."""
    return SaveContents(
        interactions=computed_interactions(analysis) is not None,
        audit=_audit(analysis) is not None,
    )


def analysis_file(analysis: Analysis, *, include_table: bool) -> bytes:
    """The analysis as a saved-analysis file (``.xai`` bytes), made when asked.

    An analysis opened from a file saved without its table is given back as that file:
    there is nothing more to save.
    """
    if not analysis.has_rows:
        return analysis.source.data
    run = replace(analysis.run, shap=best_shap(analysis))
    buffer = io.BytesIO()
    save_analysis(
        run,
        buffer,
        include_table=include_table,
        interactions=computed_interactions(analysis),
        audit=_audit(analysis),
    )
    return buffer.getvalue()


def saved_audit_json(analysis: Analysis) -> bytes | None:
    """The audit document an opened analysis was saved with, as JSON (None if none)."""
    if analysis.opened is None or analysis.opened.audit is None:
        return None
    return json.dumps(analysis.opened.audit, ensure_ascii=False, indent=2).encode("utf-8")


def _audit(analysis: Analysis) -> dict[str, object] | None:
    """The audit document: of the audit computed here (with the groups last shown on the
    Audit page, when computed), else the one an opened analysis was saved with."""
    core = audit_core(analysis)
    if core is None:
        return None if analysis.opened is None else analysis.opened.audit
    column = state.audit_group_column()
    groups = None
    if column is not None:
        groups = computed_groups(analysis, column, threshold=state.threshold())
    return audit_document_from(
        analysis.schema,
        analysis.model,
        permutation=core.importance.permutation,
        shap_importance=core.importance.shap,
        effects=core.effects,
        errors=core.errors,
        groups=groups,
        seconds={"audit": core.seconds},
    )
