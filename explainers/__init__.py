"""The xai-dashboard engine: read tables, profile them, train XGBoost (or load one), explain it.

Pure Python; no user-interface library is imported here.

Importing it sets ``OMP_WAIT_POLICY=PASSIVE`` unless it is already set, before XGBoost
loads its OpenMP runtime: waiting threads then sleep instead of spinning. Where the cores
are shared (the app's background job beside a page, other sessions, other programs),
spinning threads wait on each other: training 30 trees on 16,000 rows took 5.5-8.6 s with
2 spinning threads against 0.16 s sleeping, on this project's loaded 2-core machine.
"""

import os as _os

_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from ._archive import (
    OpenedAnalysis,
    SavedFacts,
    TableFacts,
    flagged_columns,
    open_analysis,
    save_analysis,
)
from ._audit.cohorts import (
    MIN_VALIDATION,
    Cohort,
    CohortComparison,
    CohortDependence,
    CohortFilter,
    CohortSummary,
    cohort_mask,
    cohort_metric_names,
    cohort_values,
    compare_cohorts,
    split_cohorts,
)
from ._audit.document import audit_document, audit_document_from
from ._audit.effects import PartialDependence, partial_dependence
from ._audit.errors import ErrorAnalysis, ErrorBin, ErrorRule, error_analysis, error_rate_along
from ._audit.groups import GroupMetrics, GroupReport, group_metrics
from ._audit.importance import (
    ImportanceInterval,
    importance_score_name,
    indistinguishable,
    permutation_importance_ci,
    shap_importance_ci,
)
from ._audit.probability import ProbabilityMethod, ProbabilityShap, probability_shap
from ._baselines import (
    Baseline,
    BaselineReport,
    Coefficient,
    Comparison,
    Verdict,
    compare_baselines,
)
from ._byom.attach import AttachedModel, attach_model
from ._byom.model_file import LoadedModel, load_model_file
from ._curves import LearningCurve, TreeCurve, learning_curve, tree_curve
from ._dataset import Dataset, FeatureSpec, build_dataset
from ._deployment import DeploymentFacts, ModelFacts, deployment_facts
from ._device import DeviceFacts, choose_device, device_facts, resolve_device
from ._errors import ClusterError, DataError, DeviceError, ExplainerError, ModelError
from ._evaluation import Curve, Evaluation, confusion_at, evaluate_model
from ._export import csv_bytes, neutralise_cell, neutralise_frame, parquet_bytes, shap_frame
from ._findings import Finding
from ._io.cleaning import MissingTokens, NumberConversion
from ._io.reading import Reading, Table, read_table
from ._lime import LimeResult, LimeWeight, explain_lime
from ._memory import release_free_memory
from ._model_worth import model_worth
from ._pipeline import (
    ExplainRun,
    attach_uploaded,
    explain_file,
    explain_sample,
    run_findings,
    run_pipeline,
    sample_rows,
)
from ._profiling import REASON_TEXT, ColumnProfile
from ._schema import Schema, build_schema, guess_target, infer_task
from ._shap import InteractionResult, ShapResult, compute_interactions, compute_shap
from ._survival.baseline import SurvivalFit
from ._survival.detect import SurvivalSuggestion, suggest_survival
from ._survival.explain import SurvivalCurves, relative_hazard, survival_curves
from ._survival.metrics import KaplanMeierCurve, SurvivalEvaluation
from ._survival.outcome import EventValue
from ._training import TrainedModel, TrainingOptions, train_model
from ._types import (
    AftDistribution,
    Backend,
    ClassWeight,
    Device,
    DeviceChoice,
    Format,
    Kind,
    Progress,
    Reason,
    Role,
    SurvivalModel,
    TargetReason,
    Task,
    TaskChoice,
)

__all__ = [
    "MIN_VALIDATION",
    "REASON_TEXT",
    "AftDistribution",
    "AttachedModel",
    "Backend",
    "Baseline",
    "BaselineReport",
    "ClassWeight",
    "ClusterError",
    "Coefficient",
    "Cohort",
    "CohortComparison",
    "CohortDependence",
    "CohortFilter",
    "CohortSummary",
    "ColumnProfile",
    "Comparison",
    "Curve",
    "DataError",
    "Dataset",
    "DeploymentFacts",
    "Device",
    "DeviceChoice",
    "DeviceError",
    "DeviceFacts",
    "ErrorAnalysis",
    "ErrorBin",
    "ErrorRule",
    "Evaluation",
    "EventValue",
    "ExplainRun",
    "ExplainerError",
    "FeatureSpec",
    "Finding",
    "Format",
    "GroupMetrics",
    "GroupReport",
    "ImportanceInterval",
    "InteractionResult",
    "KaplanMeierCurve",
    "Kind",
    "LearningCurve",
    "LimeResult",
    "LimeWeight",
    "LoadedModel",
    "MissingTokens",
    "ModelError",
    "ModelFacts",
    "NumberConversion",
    "OpenedAnalysis",
    "PartialDependence",
    "ProbabilityMethod",
    "ProbabilityShap",
    "Progress",
    "Reading",
    "Reason",
    "Role",
    "SavedFacts",
    "Schema",
    "ShapResult",
    "SurvivalCurves",
    "SurvivalEvaluation",
    "SurvivalFit",
    "SurvivalModel",
    "SurvivalSuggestion",
    "Table",
    "TableFacts",
    "TargetReason",
    "Task",
    "TaskChoice",
    "TrainedModel",
    "TrainingOptions",
    "TreeCurve",
    "Verdict",
    "attach_model",
    "attach_uploaded",
    "audit_document",
    "audit_document_from",
    "build_dataset",
    "build_schema",
    "choose_device",
    "cohort_mask",
    "cohort_metric_names",
    "cohort_values",
    "compare_baselines",
    "compare_cohorts",
    "compute_interactions",
    "compute_shap",
    "confusion_at",
    "csv_bytes",
    "deployment_facts",
    "device_facts",
    "error_analysis",
    "error_rate_along",
    "evaluate_model",
    "explain_file",
    "explain_lime",
    "explain_sample",
    "flagged_columns",
    "group_metrics",
    "guess_target",
    "importance_score_name",
    "indistinguishable",
    "infer_task",
    "learning_curve",
    "load_model_file",
    "model_worth",
    "neutralise_cell",
    "neutralise_frame",
    "open_analysis",
    "parquet_bytes",
    "partial_dependence",
    "permutation_importance_ci",
    "probability_shap",
    "read_table",
    "relative_hazard",
    "release_free_memory",
    "resolve_device",
    "run_findings",
    "run_pipeline",
    "sample_rows",
    "save_analysis",
    "shap_frame",
    "shap_importance_ci",
    "split_cohorts",
    "suggest_survival",
    "survival_curves",
    "train_model",
    "tree_curve",
]
