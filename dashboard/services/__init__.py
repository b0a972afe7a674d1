"""The app's only door to the engine (:mod:`explainers`); it owns caching.

One module per concept, re-exported here for the pages:

- :mod:`~dashboard.services.samples`: the bundled samples;
- :mod:`~dashboard.services.pipeline`: the analysis (the engine's pipeline) and its
  cache keys, interaction values, the engine's error types;
- :mod:`~dashboard.services.background`: the background job computing exact values
  of every row after a sampled first view;
- :mod:`~dashboard.services.rows`: explanations of single rows (SHAP, LIME, Shapley values
  of the probability, what-if);
- :mod:`~dashboard.services.exports`: files to download;
- :mod:`~dashboard.services.cohorts`: cohorts compared side by side (the audit's);
- :mod:`~dashboard.services.audit`: the model audit (importance with intervals,
  partial dependence, error analysis, per-group metrics): its core as a background job,
  the rest when asked.

Settings that tests change (``FIRST_VIEW_ROWS``, ``BACKGROUND_CHUNK_ROWS``) live in
their module and are read there; they are not re-exported.
"""

from __future__ import annotations

from dashboard.analysis import Analysis
from dashboard.services.audit import (
    AUDIT_STAGES,
    GROUP_BOOTSTRAP,
    AuditCore,
    ImportanceAudit,
    audit_core,
    audit_effect,
    audit_groups,
    audit_job,
    column_display,
    computed_groups,
    distinct_values,
    error_bins,
    group_columns,
    restart_audit,
)
from dashboard.services.background import (
    best_shap,
    full_shap,
    full_shap_job,
    global_shap,
    restart_full_shap,
)
from dashboard.services.exports import (
    metrics_csv,
    metrics_document,
    metrics_json,
    model_json,
    shap_csv,
    shap_parquet,
)
from dashboard.services.pipeline import (
    INTERACTION_ROWS,
    SCATTER_ROWS,
    SEED,
    analysis_key,
    confusion_at_threshold,
    data_error_types,
    interactions,
    load_schema,
    load_table,
    peek_analysis,
    run_analysis,
)
from dashboard.services.rows import (
    explain_encoded_row,
    lime_for_row,
    row_probability_shap,
    row_shap,
)
from dashboard.services.samples import is_sample_id, sample_bytes, sample_meta, samples, use_sample
from explainers import (
    Cohort,
    CohortComparison,
    CohortFilter,
    ErrorAnalysis,
    ErrorBin,
    GroupReport,
    ImportanceInterval,
    InteractionResult,
    LimeResult,
    PartialDependence,
    ProbabilityShap,
    Schema,
    ShapResult,
    Table,
    cohort_metric_names,
)

__all__ = [
    "AUDIT_STAGES",
    "GROUP_BOOTSTRAP",
    "INTERACTION_ROWS",
    "SCATTER_ROWS",
    "SEED",
    "Analysis",
    "AuditCore",
    "Cohort",
    "CohortComparison",
    "CohortFilter",
    "ErrorAnalysis",
    "ErrorBin",
    "GroupReport",
    "ImportanceAudit",
    "ImportanceInterval",
    "InteractionResult",
    "LimeResult",
    "PartialDependence",
    "ProbabilityShap",
    "Schema",
    "ShapResult",
    "Table",
    "analysis_key",
    "audit_core",
    "audit_effect",
    "audit_groups",
    "audit_job",
    "best_shap",
    "cohort_metric_names",
    "column_display",
    "computed_groups",
    "confusion_at_threshold",
    "data_error_types",
    "distinct_values",
    "error_bins",
    "explain_encoded_row",
    "full_shap",
    "full_shap_job",
    "global_shap",
    "group_columns",
    "interactions",
    "is_sample_id",
    "lime_for_row",
    "load_schema",
    "load_table",
    "metrics_csv",
    "metrics_document",
    "metrics_json",
    "model_json",
    "peek_analysis",
    "restart_audit",
    "restart_full_shap",
    "row_probability_shap",
    "row_shap",
    "run_analysis",
    "sample_bytes",
    "sample_meta",
    "samples",
    "shap_csv",
    "shap_parquet",
    "use_sample",
]
