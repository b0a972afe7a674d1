"""The app's only caller of the engine (:mod:`explainers`); it owns caching.

Results are cached through :mod:`dashboard.result_cache` under a key made of the
SHA-256 of the table's bytes and the user's settings. Bundled samples use a cache
shared by all sessions; uploads use a session-scoped cache, dropped when the session
ends, so one user's upload never outlives their session nor reaches another user.
Work longer than a click (exact values of every row of a large table) runs as a
background job (:mod:`dashboard.jobs`), so the pages stay usable meanwhile.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from dashboard import jobs, state
from dashboard.analysis import Analysis
from dashboard.result_cache import Slot, entry, memo, peek
from dashboard.services.exports import metrics_csv as metrics_csv
from dashboard.services.exports import metrics_document as metrics_document
from dashboard.services.exports import metrics_json as metrics_json
from dashboard.services.exports import model_json as model_json
from dashboard.services.exports import shap_csv as shap_csv
from dashboard.services.exports import shap_parquet as shap_parquet
from dashboard.state import ModelFile, ModelSettings, Settings, Source
from explainers import (
    DataError,
    Dataset,
    Evaluation,
    ExplainerError,
    InteractionResult,
    LimeResult,
    Schema,
    ShapResult,
    Table,
    TrainedModel,
    TrainingOptions,
    attach_model,
    build_dataset,
    build_schema,
    compute_interactions,
    compute_shap,
    confusion_at,
    evaluate_model,
    explain_lime,
    load_model_file,
    read_table,
    release_free_memory,
    run_findings,
    sample_rows,
    train_model,
)
from sample_data import SAMPLE_IDS, SampleInfo, list_samples, load_sample_bytes, sample_info

Progress = Callable[[int, int, str], None]

INTERACTION_ROWS = 500
"""Rows (a seeded sample) on which SHAP interaction values are computed."""
FIRST_VIEW_ROWS = 20_000
"""Above this many rows, the first analysis explains a seeded sample; exact values of all
rows follow on request (:func:`full_shap`), and single rows are explained on demand."""
SCATTER_ROWS = 5000
"""Above this many rows, beeswarm and dependence plots draw a seeded sample."""
BACKGROUND_CHUNK_ROWS = 10_000
"""Rows per step of the background job (how often it reports progress and can stop)."""
BACKGROUND_THREADS = max(1, (os.cpu_count() or 1) - 1)
"""CPU threads of the background job: all but one, which stays free for the pages."""
LIME_BACKGROUND_ROWS = 2000
"""Training rows (a seeded sample) LIME draws its perturbation statistics from."""
SEED = 0

_log = logging.getLogger(__name__)
_JOBS = threading.BoundedSemaphore(2)
"""Training and SHAP jobs of all sessions queue here rather than oversubscribe the CPU."""


# ----------------------------------------------------------------------------- samples


@functools.cache
def samples() -> tuple[SampleInfo, ...]:
    """The bundled samples' metadata, in their fixed order."""
    return list_samples()


def is_sample_id(value: object) -> bool:
    """True when ``value`` names a bundled sample."""
    return isinstance(value, str) and value in SAMPLE_IDS


@functools.cache
def sample_bytes(sample_id: str) -> bytes:
    """The CSV bytes of a bundled sample."""
    return load_sample_bytes(sample_id)


def sample_meta(source: Source | None) -> SampleInfo | None:
    """The data dictionary of ``source`` when it is a bundled sample."""
    if source is None or not source.is_sample:
        return None
    return sample_info(source.name)


def use_sample(sample_id: str) -> None:
    """Make the bundled sample ``sample_id`` the session's data."""
    state.set_sample(sample_id, sample_bytes(sample_id))


# ----------------------------------------------------------------------------- the pipeline


def _options(ms: ModelSettings) -> TrainingOptions:
    return TrainingOptions(
        n_estimators=int(ms.n_estimators),
        learning_rate=float(ms.learning_rate),
        max_depth=int(ms.max_depth),
        class_weight=ms.class_weight,  # type: ignore[arg-type]
        validation_fraction=float(ms.validation_fraction),
        seed=int(ms.seed),
    )


def load_table(source: Source) -> Table:
    """Read the source's bytes into a table (cached by content hash)."""
    name = source.name if not source.is_sample else "sample.csv"
    return memo(f"table|{source.key}|{source.name}", source.is_sample,  # type: ignore[no-any-return]
                lambda: read_table(source.data, name=name, sheet=source.sheet,
                                   header_row=source.header_row))


def load_schema(source: Source, settings: Settings) -> Schema:
    """Profile the table and assign target, task and roles (cached)."""
    table = load_table(source)

    def compute() -> Schema:
        return build_schema(
            table,
            target=settings.target,
            task=settings.task,  # type: ignore[arg-type]
            roles=dict(settings.roles),  # type: ignore[arg-type]
        )

    return memo(f"schema|{source.key}|{settings.key()}", source.is_sample, compute)  # type: ignore[no-any-return]


def analysis_key(source: Source, settings: Settings, ms: ModelSettings,
                 model_file: ModelFile | None = None) -> str:
    """The cache key of an analysis: content hashes plus every setting."""
    model = model_file.digest if model_file else "trained"
    return f"analysis|{source.key}|{settings.key()}|{ms.key()}|{model}|{FIRST_VIEW_ROWS}"


def _uploaded_model(source: Source, settings: Settings, model_file: ModelFile,
                    report: Progress) -> tuple[Schema, Dataset, TrainedModel, tuple[str, ...]]:
    """Check the uploaded model in a sandbox, then match it to the table (never trains)."""
    report(0, 1, "model")
    loaded = memo(f"model|{model_file.digest}", False,
                  lambda: load_model_file(model_file.data, name=model_file.name))
    attached = attach_model(loaded, load_table(source), target=settings.target)
    return attached.schema, attached.dataset, attached.model, tuple(attached.warnings)


def run_analysis(
    source: Source, settings: Settings, ms: ModelSettings, *,
    model_file: ModelFile | None = None, progress: Progress | None = None
) -> Analysis:
    """Read, profile, train, evaluate and explain (all rows), once per key.

    Parameters
    ----------
    source, settings, ms
        The data, the user's choices about it and the training settings.
    progress
        Called as ``(done, total, stage)`` while work runs (not on a cache hit).

    Raises
    ------
    DataError
        When the table or the settings cannot be used; the message is translated
        by :func:`dashboard.i18n.error_message`.
    """
    key = analysis_key(source, settings, ms, model_file)
    report = progress or (lambda done, total, stage: None)

    def compute() -> Analysis:
        report(0, 1, "reading")
        table = load_table(source)
        warnings: tuple[str, ...] = ()
        with _JOBS:
            if model_file is not None:
                schema, dataset, model, warnings = _uploaded_model(source, settings, model_file,
                                                                   report)
            else:
                schema = load_schema(source, settings)
                dataset = build_dataset(table, schema)
                model = train_model(dataset, options=_options(ms), progress=report)
            evaluation = evaluate_model(model, dataset)
            report(0, 1, "shap")
            picked = sample_rows(len(dataset.y), FIRST_VIEW_ROWS, seed=SEED)
            X = dataset.X if len(picked) == len(dataset.y) else dataset.X.iloc[picked]
            shap = compute_shap(model, X, rows=picked, row_ids=dataset.row_ids[picked],
                                progress=report)
        prediction = model.predict(dataset.X)
        release_free_memory()  # the temporaries of reading and training: not kept at peak
        findings = schema.findings + run_findings(schema, model, evaluation, shap)
        return Analysis(key, source, table, schema, dataset, model, evaluation, shap,
                        prediction, sample_meta(source), warnings, findings)

    return memo(key, source.is_sample and model_file is None, compute)  # type: ignore[no-any-return]


def peek_analysis(source: Source, settings: Settings, ms: ModelSettings,
                  model_file: ModelFile | None = None) -> Analysis | None:
    """The analysis of these settings if it is already computed, else None (computes nothing)."""
    value = peek(analysis_key(source, settings, ms, model_file),
                  source.is_sample and model_file is None)
    return value if isinstance(value, Analysis) else None


def _full_key(analysis: Analysis) -> str:
    return f"fullshap|{analysis.key}"


def full_shap_job(analysis: Analysis, *, start: bool = True) -> jobs.Job | None:
    """The background job computing exact SHAP values of every row, when the first view
    used a sample (None otherwise, or when ``start`` is False and none was started).

    It is started once per analysis (a stopped or failed job is not restarted; see
    :func:`restart_full_shap`); its result lands in the cache that
    :func:`global_shap` reads, so every page switches to it.
    """
    if not analysis.shap_is_sample:
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

    def work(progress: Progress) -> ShapResult:
        with _JOBS:  # until it has a turn, the job reports no total: "waiting"
            progress(0, len(dataset.y), "shap")
            return compute_shap(analysis.model, dataset.X, row_ids=dataset.row_ids,
                                progress=progress, chunk_rows=BACKGROUND_CHUNK_ROWS,
                                threads=BACKGROUND_THREADS)

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
        return _best_shap(analysis)
    job.wait()
    if job.error is not None:
        raise job.error
    if not job.succeeded:
        raise jobs.JobCancelled
    return job.result  # type: ignore[no-any-return]


def _best_shap(analysis: Analysis) -> ShapResult:
    """Exact values of every row once they are computed, else the first view's."""
    full = peek(_full_key(analysis), analysis.shared)
    return full if isinstance(full, ShapResult) else analysis.shap


def global_shap(analysis: Analysis) -> tuple[ShapResult, pd.DataFrame]:
    """The SHAP values the global charts use (all rows once computed, else the sample),
    with the encoded features of the same rows."""
    shap = _best_shap(analysis)
    X = analysis.dataset.X
    return shap, (X if len(shap.rows) == len(X) else X.iloc[shap.rows])


def row_shap(analysis: Analysis, position: int) -> ShapResult:
    """SHAP values of the dataset row at ``position`` alone (taken or computed; exact)."""
    shap = _best_shap(analysis)
    if len(shap.rows) == len(analysis.dataset.y):
        index = position
    else:
        found = np.flatnonzero(shap.rows == position)
        if not len(found):  # outside the first view's sample: explain it now, once per session
            key = f"rowshap|{analysis.key}|{position}"
            cached = state.private_result(key)
            if isinstance(cached, ShapResult):
                return cached
            X = analysis.dataset.X.iloc[[position]]
            result = compute_shap(analysis.model, X, rows=np.array([position]),
                                  row_ids=analysis.dataset.row_ids[[position]])
            state.keep_private_result(key, result)
            return result
        index = int(found[0])
    pick = slice(index, index + 1)
    return replace(shap, values=shap.values[pick], base_values=shap.base_values[pick],
                   margin=shap.margin[pick], rows=shap.rows[pick], row_ids=shap.row_ids[pick])


def interactions(analysis: Analysis) -> InteractionResult:
    """SHAP interaction values on a seeded sample of :data:`INTERACTION_ROWS` rows (cached)."""

    def compute() -> InteractionResult:
        rows = sample_rows(len(analysis.dataset.y), INTERACTION_ROWS, seed=SEED)
        with _JOBS:
            return compute_interactions(analysis.model, analysis.dataset.X.iloc[rows], rows=rows)

    return memo(f"interactions|{analysis.key}", analysis.shared, compute)  # type: ignore[no-any-return]


def lime_for_row(analysis: Analysis, position: int, output: int | None) -> LimeResult:
    """LIME for the dataset row at ``position`` (kept in this session only)."""
    key = f"lime|{analysis.key}|{position}|{output}"
    cached = state.private_result(key)
    if isinstance(cached, LimeResult):
        return cached
    model, X = analysis.model, analysis.dataset.X
    train = model.train_index
    picked = sample_rows(len(train), LIME_BACKGROUND_ROWS, seed=SEED)
    background = X.iloc[train[picked]]
    with _JOBS:
        result = explain_lime(model, background, X.iloc[[position]], output=output, seed=SEED)
    state.keep_private_result(key, result)
    return result


def explain_encoded_row(analysis: Analysis, encoded: pd.DataFrame) -> tuple[ShapResult, np.ndarray]:
    """SHAP values and prediction of an edited, already encoded row (what-if).

    Returns
    -------
    tuple
        The SHAP result of the row(s) and the model's prediction
        (probabilities ``(n, k)`` or values ``(n,)``).
    """
    frame = encoded.reset_index(drop=True)
    return compute_shap(analysis.model, frame), analysis.model.predict(frame)


def confusion_at_threshold(evaluation: Evaluation, threshold: float) -> np.ndarray:
    """Binary confusion matrix of the validation rows at ``threshold``."""
    return confusion_at(evaluation, threshold)


def data_error_types() -> tuple[type[BaseException], ...]:
    """Exception types that carry a translatable ``code`` (engine errors)."""
    return (ExplainerError, DataError)


def encoded_features(analysis: Analysis) -> pd.DataFrame:
    """The model's encoded features of every dataset row."""
    return analysis.dataset.X
