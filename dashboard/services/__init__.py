"""The app's only door to the engine (:mod:`explainers`); it owns caching.

One module per concept, re-exported here for the pages:

- :mod:`~dashboard.services.samples`: the bundled samples;
- :mod:`~dashboard.services.pipeline`: the analysis (the engine's pipeline) and its
  cache keys, interaction values, the engine's error types;
- :mod:`~dashboard.services.background`: the background job computing exact values
  of every row after a sampled first view;
- :mod:`~dashboard.services.cluster`: the optional Dask cluster (``XAI_DASK_SCHEDULER``)
  that background job runs on;
- :mod:`~dashboard.services.rows`: explanations of single rows (SHAP, LIME, Shapley values
  of the probability, what-if);
- :mod:`~dashboard.services.exports`: files to download;
- :mod:`~dashboard.services.archive`: the analysis saved to one file (``.xai``; opening
  one is :func:`~dashboard.services.pipeline.open_saved`);
- :mod:`~dashboard.services.cohorts`: cohorts compared side by side (the audit's);
- :mod:`~dashboard.services.audit`: the model audit (importance with intervals,
  partial dependence, error analysis, per-group metrics): its core as a background job,
  the rest when asked;
- :mod:`~dashboard.services.worth`: is the model worth it? (baselines, the score along the
  trees and against training rows, deployment facts): the learning curve as a background
  job, the rest when asked.

Settings that tests change (``FIRST_VIEW_ROWS``, ``BACKGROUND_CHUNK_ROWS``) live in
their module and are read there; they are not re-exported.
"""

from __future__ import annotations

from dashboard.analysis import Analysis, RowsUnavailable
from dashboard.services.archive import (
    FlaggedColumns,
    SaveContents,
    analysis_file,
    flagged,
    save_contents,
    saved_audit_json,
)
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
from dashboard.services.cluster import cluster_scheduler, scheduler_label
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
    computed_interactions,
    confusion_at_threshold,
    data_error_types,
    has_interactions,
    interaction_rows,
    interactions,
    load_schema,
    load_table,
    open_saved,
    peek_analysis,
    run_analysis,
    start_analysis,
)
from dashboard.services.rows import (
    explain_encoded_row,
    lime_for_row,
    row_probability_shap,
    row_shap,
)
from dashboard.services.samples import is_sample_id, sample_bytes, sample_meta, samples, use_sample
from dashboard.services.survival import (
    SurvivalOutcome,
    average_curve,
    average_log_hazard,
    curves_of,
    hazard_ratio,
    survival_at,
    survival_outcome,
    time_grid,
)
from dashboard.services.worth import (
    LEARNING_FRACTIONS,
    LEARNING_STAGES,
    ComputedWorth,
    computed_worth,
    learning_curve_job,
    restart_learning_curve,
    worth_baselines,
    worth_deployment,
    worth_learning_curve,
    worth_tree_curve,
)
from explainers import (
    BaselineReport,
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
    "LEARNING_FRACTIONS",
    "LEARNING_STAGES",
    "SCATTER_ROWS",
    "SEED",
    "Analysis",
    "AuditCore",
    "BaselineReport",
    "Cohort",
    "CohortComparison",
    "CohortFilter",
    "ComputedWorth",
    "ErrorAnalysis",
    "ErrorBin",
    "FlaggedColumns",
    "GroupReport",
    "ImportanceAudit",
    "ImportanceInterval",
    "InteractionResult",
    "LimeResult",
    "PartialDependence",
    "ProbabilityShap",
    "RowsUnavailable",
    "SaveContents",
    "Schema",
    "ShapResult",
    "SurvivalOutcome",
    "Table",
    "analysis_file",
    "analysis_key",
    "audit_core",
    "audit_effect",
    "audit_groups",
    "audit_job",
    "average_curve",
    "average_log_hazard",
    "best_shap",
    "cluster_scheduler",
    "cohort_metric_names",
    "column_display",
    "computed_groups",
    "computed_interactions",
    "computed_worth",
    "confusion_at_threshold",
    "curves_of",
    "data_error_types",
    "distinct_values",
    "error_bins",
    "explain_encoded_row",
    "flagged",
    "full_shap",
    "full_shap_job",
    "global_shap",
    "group_columns",
    "has_interactions",
    "interaction_rows",
    "hazard_ratio",
    "interactions",
    "is_sample_id",
    "learning_curve_job",
    "lime_for_row",
    "load_schema",
    "load_table",
    "metrics_csv",
    "metrics_document",
    "metrics_json",
    "model_json",
    "open_saved",
    "peek_analysis",
    "restart_audit",
    "restart_full_shap",
    "restart_learning_curve",
    "row_probability_shap",
    "row_shap",
    "run_analysis",
    "start_analysis",
    "sample_bytes",
    "sample_meta",
    "samples",
    "save_contents",
    "saved_audit_json",
    "scheduler_label",
    "shap_csv",
    "shap_parquet",
    "survival_at",
    "survival_outcome",
    "time_grid",
    "use_sample",
    "worth_baselines",
    "worth_deployment",
    "worth_learning_curve",
    "worth_tree_curve",
]
