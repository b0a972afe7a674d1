"""The model audit: importance with intervals, partial dependence, error analysis, groups.

The core of the audit (importance with intervals, the error analysis, the effects of the
top features) runs as a background job (:mod:`dashboard.jobs`) once per analysis, so the
pages stay usable; choices made on the Audit page (another feature, centred curves, a
group column) are computed when asked. Results are cached like the analysis itself:
shared for a bundled sample with a model trained here, else in the user's session only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from dashboard import jobs
from dashboard.analysis import Analysis
from dashboard.result_cache import entry, memo, peek
from dashboard.services.cluster import cluster_calls, cluster_scheduler
from dashboard.services.pipeline import SEED, WORK_SLOTS
from explainers import (
    ErrorAnalysis,
    ErrorBin,
    GroupReport,
    ImportanceInterval,
    PartialDependence,
    Progress,
    error_analysis,
    error_rate_along,
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


AUDIT_EFFECTS = 5
"""Partial dependence (with ICE) of this many features, the most important first, is part
of the background audit; other features and centred curves are computed when asked."""


@dataclass(frozen=True)
class AuditCore:
    """What the background audit computes once per analysis: importance with intervals,
    the error analysis, and the effects of the top features (uncentred, with ICE)."""

    importance: ImportanceAudit
    errors: ErrorAnalysis | None
    """None for a survival model (an error is not defined for a censored outcome)."""
    effects: tuple[PartialDependence, ...]
    seconds: float


AUDIT_STAGES = ("permutation", "shap_intervals", "errors", "effects")
"""The background audit's stages, in order (their names are the progress messages)."""


def _audit_key(analysis: Analysis) -> str:
    return f"audit|{analysis.key}"


def _top_features(analysis: Analysis) -> list[str]:
    return [feature for feature, _ in analysis.shap.ranking()[:AUDIT_EFFECTS]]


def _importance(analysis: Analysis, permutation: list[ImportanceInterval]) -> ImportanceAudit:
    """The importance audit: ``permutation`` with the mean |SHAP| intervals (computed here
    from the first view's values: a bootstrap of a few thousand rows)."""
    output: int | Literal["all"] = "all" if analysis.task == "multiclass" else 0
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


def _compute_core_on_cluster(analysis: Analysis, scheduler: str, progress: Progress) -> AuditCore:
    """The background audit with its independent parts side by side on the cluster: the
    same engine calls with the same seeds as :func:`_compute_core`, so the same result."""
    start = time.perf_counter()
    top = _top_features(analysis)
    both = ("model", "dataset")
    shared: dict[str, Any] = {"model": analysis.model, "dataset": analysis.dataset}
    calls: list[tuple[str, Callable[..., Any], tuple[str, ...], dict[str, Any]]] = [
        ("permutation", permutation_importance_ci, both, {"seed": SEED})
    ]
    if not analysis.is_survival:
        shared["table_frame"] = analysis.table.frame
        shared["display_names"] = dict(analysis.schema.display_names)
        uses = (*both, "table_frame", "display_names")
        calls.append(("errors", error_analysis, uses, {"seed": SEED}))
    for feature in top:
        kwargs = {"feature": feature, "ice": True, "seed": SEED}
        calls.append(("effects", partial_dependence, both, kwargs))
    results = cluster_calls(scheduler, shared, calls, progress=progress, stage="the audit")
    importance = _importance(analysis, results[0])
    errors = None if analysis.is_survival else results[1]
    effects = tuple(results[len(results) - len(top) :])
    return AuditCore(importance, errors, effects, time.perf_counter() - start)


def _compute_core(analysis: Analysis, progress: Progress) -> AuditCore:
    """Every part of the background audit, reporting ``(step, steps, stage)`` between parts
    (where a stopped job ends)."""
    start = time.perf_counter()
    top = _top_features(analysis)
    steps = 3 + len(top)
    progress(0, steps, "permutation")
    permutation = permutation_importance_ci(analysis.model, analysis.dataset, seed=SEED)
    progress(1, steps, "shap_intervals")
    importance = _importance(analysis, permutation)
    progress(2, steps, "errors")
    errors = None
    if not analysis.is_survival:
        errors = error_analysis(
            analysis.model,
            analysis.dataset,
            analysis.table.frame,
            analysis.schema.display_names,
            seed=SEED,
        )
    effects = []
    for i, feature in enumerate(top):
        progress(3 + i, steps, "effects")
        effects.append(
            partial_dependence(analysis.model, analysis.dataset, feature, ice=True, seed=SEED)
        )
    progress(steps, steps, "effects")
    return AuditCore(importance, errors, tuple(effects), time.perf_counter() - start)


def audit_job(analysis: Analysis, *, start: bool = True) -> jobs.Job | None:
    """The background job of the audit of ``analysis`` (started once when ``start``; None
    when none was started). Its result lands in the cache :func:`audit_core` reads.

    A stopped or failed job is not restarted here; see :func:`restart_audit`.
    """
    slot = entry(_audit_key(analysis), analysis.shared)
    with slot.lock:
        if slot.job is None and slot.value is None and start:
            scheduler = cluster_scheduler()

            def work(progress: Progress) -> AuditCore:
                if scheduler is not None:  # the cluster's workers do the work
                    return _compute_core_on_cluster(analysis, scheduler, progress)
                with WORK_SLOTS:
                    return _compute_core(analysis, progress)

            def keep(job: jobs.Job) -> None:
                if job.succeeded:
                    slot.value = job.result

            slot.job = jobs.start("audit", work, on_done=keep)
        return slot.job


def restart_audit(analysis: Analysis) -> jobs.Job | None:
    """Start the audit again after it was stopped or failed (a stopped job may still be
    finishing its step: it ends without a result, or with one that is kept)."""
    slot = entry(_audit_key(analysis), analysis.shared)
    with slot.lock:
        done = slot.job is not None and (slot.job.cancelled or not slot.job.running)
        if done and slot.value is None:
            slot.job = None
    return audit_job(analysis)


def audit_core(analysis: Analysis) -> AuditCore | None:
    """The background audit's result once it is computed, else None (nothing is started)."""
    return peek(_audit_key(analysis), analysis.shared, AuditCore)


def audit_effect(
    analysis: Analysis, feature: str, *, centred: bool, output: int | None = None
) -> PartialDependence:
    """Partial dependence of ``feature`` with ICE curves on a seeded sample (the background
    audit's when it has it, else computed now and cached); ``output`` is the class whose
    probability is shown (the default class when None)."""
    core = audit_core(analysis)
    if core is not None and not centred:
        for found in core.effects:
            if found.feature == feature and output in (None, found.output):
                return found

    def compute() -> PartialDependence:
        with WORK_SLOTS:
            return partial_dependence(
                analysis.model,
                analysis.dataset,
                feature,
                ice=True,
                centred=centred,
                output=output,
                seed=SEED,
            )

    key = f"audit-effect|{analysis.key}|{feature}|{centred}|{output}"
    return memo(key, analysis.shared, compute, PartialDependence)


def error_bins(analysis: Analysis, feature: str) -> list[ErrorBin]:
    """The validation error rate in bins of ``feature`` (cached)."""

    def compute() -> ErrorBins:
        with WORK_SLOTS:
            return ErrorBins(tuple(error_rate_along(analysis.model, analysis.dataset, feature)))

    key = f"audit-error-bins|{analysis.key}|{feature}"
    return list(memo(key, analysis.shared, compute, ErrorBins).bins)


@dataclass(frozen=True)
class ErrorBins:
    """The cached bins of :func:`error_bins`."""

    bins: tuple[ErrorBin, ...]


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

    return memo(_groups_key(analysis, column, threshold), analysis.shared, compute, GroupReport)


def _groups_key(analysis: Analysis, column: str, threshold: float) -> str:
    return f"audit-groups|{analysis.key}|{column}|{threshold!r}"


def computed_groups(analysis: Analysis, column: str, *, threshold: float) -> GroupReport | None:
    """The per-group metrics of ``column`` if they were computed, else None."""
    return peek(_groups_key(analysis, column, threshold), analysis.shared, GroupReport)
