"""Exact SHAP values of every row, computed by a background job after a sampled first view.

With ``XAI_DASK_SCHEDULER`` set, the job runs on that Dask cluster
(:mod:`dashboard.services.cluster`), with the same progress and Stop.
A page run is stopped whenever the user touches a widget, so this work runs in a
job of its own (:mod:`dashboard.jobs`); pages poll it and switch to its result,
which lands in the cache slot :func:`best_shap` reads. One session runs one job.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from dashboard import jobs, state
from dashboard.analysis import Analysis
from dashboard.result_cache import Slot, entry, peek
from dashboard.services.cluster import cluster_scheduler, cluster_shap
from dashboard.services.pipeline import WORK_SLOTS
from explainers import Progress, ShapResult, compute_shap, release_free_memory

BACKGROUND_CHUNK_ROWS = 10_000
"""Most rows per step of the background job (how often it reports progress and can stop)."""
BACKGROUND_CHUNK_SECONDS = 0.1
"""About how long a step of the background job takes (fewer rows for a larger model): at
each step it can stop, and wait while a page runs (:func:`dashboard.jobs.page_run`)."""
BACKGROUND_THREADS = max(1, (os.cpu_count() or 1) - 1)
"""CPU threads of the background job: all but one, which stays free for the pages."""


def _full_key(analysis: Analysis) -> str:
    return f"fullshap|{analysis.key}"


def full_shap_job(analysis: Analysis, *, start: bool = True) -> jobs.Job | None:
    """The background job computing exact SHAP values of every row, when the first view
    used a sample (None otherwise, without the rows, or when ``start`` is False and none
    was started).

    It is started once per analysis (a stopped or failed job is not restarted; see
    :func:`restart_full_shap`); its result lands in the cache that
    :func:`global_shap` reads, so every page switches to it.
    """
    if not analysis.has_rows or not analysis.shap_is_sample:
        return None
    slot = entry(_full_key(analysis), analysis.shared)
    with slot.lock:
        started = slot.job is None and slot.value is None and start
        if started:
            slot.job = _start_full_shap(analysis, slot)
        job = slot.job
    if started and not analysis.shared:
        _stop_previous_job(slot)
    return job


def _stop_previous_job(current: Slot) -> None:
    """One background job per session: a new analysis's (other settings, another file) stops
    the previous one's, which starts afresh if that analysis is opened again."""
    previous = state.background_slot()
    if isinstance(previous, Slot) and previous is not current:
        with previous.lock:
            if previous.job is not None and previous.job.running:
                previous.job.cancel()
                previous.job = None
    state.set_background_slot(current)


def restart_full_shap(analysis: Analysis) -> jobs.Job | None:
    """Start the exact values of every row again after they were stopped or failed (a
    stopped job may still be finishing its step: it ends without a result)."""
    slot = entry(_full_key(analysis), analysis.shared)
    with slot.lock:
        done = slot.job is not None and (slot.job.cancelled or not slot.job.running)
        if done and slot.value is None:
            slot.job = None
    return full_shap_job(analysis)


def _start_full_shap(analysis: Analysis, slot: Slot) -> jobs.Job:
    dataset = analysis.dataset

    scheduler = cluster_scheduler()

    def work(progress: Progress) -> ShapResult:
        if scheduler is not None:  # the cluster's workers do the work: no local slot
            return cluster_shap(
                analysis.model,
                dataset.X,
                scheduler=scheduler,
                row_ids=dataset.row_ids,
                progress=progress,
                partition_rows=BACKGROUND_CHUNK_ROWS,
            )
        with WORK_SLOTS:  # until it has a turn, the job reports no total: "waiting"
            progress(0, len(dataset.y), "shap")
            return compute_shap(
                analysis.model,
                dataset.X,
                row_ids=dataset.row_ids,
                progress=progress,
                chunk_rows=BACKGROUND_CHUNK_ROWS,
                chunk_seconds=BACKGROUND_CHUNK_SECONDS,
                threads=BACKGROUND_THREADS,
            )

    def keep(job: jobs.Job) -> None:
        if job.succeeded:
            slot.value = job.result
        release_free_memory()

    return jobs.start("full-shap", work, on_done=keep)


def full_shap(analysis: Analysis) -> ShapResult:
    """Exact SHAP values of every row, waiting for the background job (started if needed);
    raises the job's engine error, or :class:`jobs.JobCancelled` when it was stopped."""
    job = full_shap_job(analysis)
    if job is None:
        return best_shap(analysis)
    job.wait()
    if job.error is not None:
        raise job.error
    if not isinstance(job.result, ShapResult):
        raise jobs.JobCancelled
    return job.result


def best_shap(analysis: Analysis) -> ShapResult:
    """Exact values of every row once they are computed, else the first view's."""
    return peek(_full_key(analysis), analysis.shared, ShapResult) or analysis.shap


def global_shap(analysis: Analysis) -> tuple[ShapResult, pd.DataFrame]:
    """The SHAP values the global charts use (all rows once computed, else the sample),
    with the encoded features of the same rows: all missing for an analysis opened without
    its table (its feature values are unknown; beeswarm points are grey)."""
    shap = best_shap(analysis)
    if not analysis.has_rows:
        shape = (len(shap.rows), len(analysis.features))
        return shap, pd.DataFrame(np.full(shape, np.nan), columns=analysis.features)
    X = analysis.dataset.X
    return shap, (X if len(shap.rows) == len(X) else X.iloc[shap.rows])
