"""Is the model worth it? Baselines, the score along the trees, deployment facts, and the
learning curve.

Baselines, the tree curve and the deployment facts take a few seconds and are computed when
the Model page asks (queued behind :data:`WORK_SLOTS`); the learning curve retrains the model
on parts of its training rows, so it runs as a background job (:mod:`dashboard.jobs`),
started on request, with progress and Stop. Results are cached like the analysis itself:
shared for a bundled sample with a model trained here, else in the user's session only.
An uploaded model has no known training rows: its baselines and learning curve raise the
engine's ``DataError`` (code ``needs_training_rows``), cached like any result.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard import jobs
from dashboard.analysis import Analysis
from dashboard.result_cache import entry, memo, peek
from dashboard.services.cluster import cluster_calls, cluster_scheduler
from dashboard.services.pipeline import SEED, WORK_SLOTS
from explainers import (
    BaselineReport,
    DeploymentFacts,
    LearningCurve,
    Progress,
    TreeCurve,
    compare_baselines,
    deployment_facts,
    learning_curve,
    tree_curve,
)

LEARNING_FRACTIONS = (0.1, 0.25, 0.5, 1.0)
"""The shares of the training rows the learning curve retrains the model on."""
LEARNING_STAGES = ("learning_curve",)
"""The learning-curve job's stage names (its progress messages)."""


def _key(part: str, analysis: Analysis) -> str:
    return f"worth-{part}|{analysis.key}"


def worth_baselines(analysis: Analysis) -> BaselineReport:
    """The trivial and linear baselines on the model's split, compared with it (cached)."""

    def compute() -> BaselineReport:
        with WORK_SLOTS:
            return compare_baselines(analysis.model, analysis.dataset, seed=SEED)

    return memo(_key("baselines", analysis), analysis.shared, compute, BaselineReport)


def worth_tree_curve(analysis: Analysis) -> TreeCurve:
    """The validation score after each round of trees, with the compact model (cached)."""

    def compute() -> TreeCurve:
        with WORK_SLOTS:
            return tree_curve(analysis.model, analysis.dataset)

    return memo(_key("trees", analysis), analysis.shared, compute, TreeCurve)


def worth_deployment(analysis: Analysis) -> DeploymentFacts:
    """File sizes, tree shapes and prediction speeds of the model and of its compact version,
    measured on this machine when first asked (cached)."""
    curve = worth_tree_curve(analysis)

    def compute() -> DeploymentFacts:
        with WORK_SLOTS:
            return deployment_facts(analysis.model, analysis.dataset, curve=curve)

    return memo(_key("deployment", analysis), analysis.shared, compute, DeploymentFacts)


@dataclass(frozen=True)
class ComputedWorth:
    """Whatever of the model-worth results was computed (None for a part not computed yet,
    or that cannot be computed for this model)."""

    baselines: BaselineReport | None
    curve: TreeCurve | None
    deployment: DeploymentFacts | None
    learning: LearningCurve | None


def computed_worth(analysis: Analysis) -> ComputedWorth:
    """The model-worth results computed so far, without computing anything."""
    return ComputedWorth(
        baselines=peek(_key("baselines", analysis), analysis.shared, BaselineReport),
        curve=peek(_key("trees", analysis), analysis.shared, TreeCurve),
        deployment=peek(_key("deployment", analysis), analysis.shared, DeploymentFacts),
        learning=worth_learning_curve(analysis),
    )


def learning_curve_job(analysis: Analysis, *, start: bool = True) -> jobs.Job | None:
    """The background job retraining the model on parts of its training rows (started once
    when ``start``; None when none was started). Its result lands in the cache
    :func:`worth_learning_curve` reads.

    A stopped or failed job is not restarted here; see :func:`restart_learning_curve`.
    """
    slot = entry(_key("learning", analysis), analysis.shared)
    with slot.lock:
        if slot.job is None and slot.value is None and start:
            scheduler = cluster_scheduler()

            def work(progress: Progress) -> LearningCurve:
                if scheduler is not None:  # one retraining per fraction, side by side
                    return _learning_curve_on_cluster(analysis, scheduler, progress)
                with WORK_SLOTS:
                    return learning_curve(
                        analysis.model,
                        analysis.dataset,
                        fractions=LEARNING_FRACTIONS,
                        seed=SEED,
                        progress=progress,
                    )

            def keep(job: jobs.Job) -> None:
                if job.succeeded:
                    slot.value = job.result

            slot.job = jobs.start("learning-curve", work, on_done=keep)
        return slot.job


def _learning_curve_on_cluster(
    analysis: Analysis, scheduler: str, progress: Progress
) -> LearningCurve:
    """The learning curve with each fraction retrained by its own task on the cluster (each
    fraction's rows are drawn from the seed alone, so the curve is the one computed here)."""
    kwargs = [{"fractions": (fraction,), "seed": SEED} for fraction in LEARNING_FRACTIONS]
    calls = [("learning_curve", learning_curve, ("model", "dataset"), k) for k in kwargs]
    shared = {"model": analysis.model, "dataset": analysis.dataset}
    parts: list[LearningCurve] = cluster_calls(
        scheduler, shared, calls, progress=progress, stage="the learning curve"
    )
    kept = sorted(
        (f, r, n, score)
        for part in parts
        for f, r, n, score in zip(part.fractions, part.rows, part.rounds, part.scores, strict=True)
    )
    return LearningCurve(
        metric=parts[0].metric,
        fractions=tuple(k[0] for k in kept),
        rows=tuple(k[1] for k in kept),
        rounds=tuple(k[2] for k in kept),
        scores=tuple(k[3] for k in kept),
        skipped=tuple(sorted(f for part in parts for f in part.skipped)),
    )


def restart_learning_curve(analysis: Analysis) -> jobs.Job | None:
    """Start the learning curve (again, after it was stopped or failed)."""
    slot = entry(_key("learning", analysis), analysis.shared)
    with slot.lock:
        if slot.job is not None and not slot.job.running and slot.value is None:
            slot.job = None
    return learning_curve_job(analysis)


def worth_learning_curve(analysis: Analysis) -> LearningCurve | None:
    """The learning curve once the background job computed it, else None (nothing starts)."""
    return peek(_key("learning", analysis), analysis.shared, LearningCurve)
