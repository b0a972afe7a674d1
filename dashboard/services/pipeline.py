"""The analysis of a table: the engine's pipeline, run once per cache key.

Results are cached through :mod:`dashboard.result_cache` under a key made of the
SHA-256 of the table's bytes and the user's settings. Bundled samples use a cache
shared by all sessions; uploads use a session-scoped cache, dropped when the session
ends, so one user's upload never outlives their session nor reaches another user.
A saved analysis (``.xai``) is opened, never retrained, once per session and file
(keyed by the file's SHA-256, never shared).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dashboard import jobs
from dashboard.analysis import Analysis
from dashboard.result_cache import memo, memo_detached, peek, start_detached
from dashboard.services.samples import sample_meta
from dashboard.state import ModelFile, ModelSettings, Settings, Source
from explainers import (
    Evaluation,
    ExplainerError,
    InteractionResult,
    LoadedModel,
    Progress,
    Schema,
    Table,
    TrainingOptions,
    build_schema,
    compute_interactions,
    confusion_at,
    load_model_file,
    open_analysis,
    read_table,
    release_free_memory,
    run_pipeline,
    sample_rows,
)

FIRST_VIEW_ROWS = 5_000
"""Tables of up to this many rows are explained whole in the first analysis. Above it, the
first analysis explains a seeded sample of :data:`FIRST_VIEW_SAMPLE` rows; exact values of
all rows follow in the background (:mod:`dashboard.services.background`), and single rows
are explained on demand (:mod:`dashboard.services.rows`)."""
FIRST_VIEW_SAMPLE = 2_000
"""The first view's sample of a larger table. Exact TreeSHAP runs at ~4,000 rows/s on 2
cores (100k x 30 upload, ~100 trees of depth 6), so each 1,000 rows cost the first Global
chart ~0.25 s. On the bundled 5,000-row heart sample, a seeded 2,000-row sample ranks all
features as every row does, each top-10 mean |SHAP| within 2.3% (median 0.9%); the
all-rows values replace it when the background job is done."""
INTERACTION_ROWS = 500
"""Rows (a seeded sample) on which SHAP interaction values are computed, at most."""
INTERACTION_BYTES = 256 * 2**20
"""Memory the interaction values of the sample may take: one (f+1) x (f+1) matrix per row
and output, 12 bytes a value (XGBoost's float32 and our float64). A wide table gets fewer
rows (500 rows fit up to 210 features)..."""
MIN_INTERACTION_ROWS = 50
"""...and none below this many rows (about 660 features): the page says so."""
SCATTER_ROWS = 5000
"""Above this many rows, beeswarm and dependence plots draw a seeded sample."""
SEED = 0
"""The seed of every sample the app draws."""

WORK_SLOTS = jobs.WorkSlots(2)
"""Training and SHAP work of all sessions queues here rather than oversubscribe the CPU."""


def _silent(done: int, total: int, stage: str) -> None:
    """A progress callback that shows nothing."""


def _options(ms: ModelSettings) -> TrainingOptions:
    return TrainingOptions(
        n_estimators=ms.n_estimators,
        learning_rate=ms.learning_rate,
        max_depth=ms.max_depth,
        class_weight=ms.class_weight,
        validation_fraction=ms.validation_fraction,
        seed=ms.seed,
        max_train_rows=ms.max_train_rows,
    )


def load_table(source: Source) -> Table:
    """Read the source's bytes into a table (cached by content hash)."""
    name = source.name if not source.is_sample else "sample.csv"
    return memo(
        f"table|{source.key}|{source.name}",
        source.is_sample,
        lambda: read_table(
            source.data, name=name, sheet=source.sheet, header_row=source.header_row
        ),
        Table,
    )


def load_schema(source: Source, settings: Settings) -> Schema:
    """Profile the table and assign target, task and roles (cached)."""
    table = load_table(source)
    return memo(
        f"schema|{source.key}|{settings.key()}",
        source.is_sample,
        lambda: build_schema(
            table,
            target=settings.target,
            task=settings.task,
            roles=dict(settings.roles),
            time=settings.time if settings.task == "survival" else None,
            event_value=settings.event_value if settings.task == "survival" else None,
        ),
        Schema,
    )


def _loaded_model(model_file: ModelFile) -> LoadedModel:
    """The uploaded model, checked in a sandbox once per session and file."""
    return memo(
        f"model|{model_file.digest}",
        False,
        lambda: load_model_file(model_file.data, name=model_file.name),
        LoadedModel,
    )


def analysis_key(
    source: Source, settings: Settings, ms: ModelSettings, model_file: ModelFile | None = None
) -> str:
    """The cache key of an analysis: content hashes plus every setting."""
    model = model_file.digest if model_file else "trained"
    first_view = f"{FIRST_VIEW_ROWS}|{FIRST_VIEW_SAMPLE}"
    return f"analysis|{source.key}|{settings.key()}|{ms.key()}|{model}|{first_view}"


def _shared(source: Source, model_file: ModelFile | None) -> bool:
    """True when an analysis may be shared by all sessions: a sample, a model trained here."""
    return source.is_sample and model_file is None


def run_analysis(
    source: Source,
    settings: Settings,
    ms: ModelSettings,
    *,
    model_file: ModelFile | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """Read the table, then run the engine's pipeline (:func:`explainers.run_pipeline`), once
    per key: train (or attach the uploaded model), evaluate, and explain the first view's
    rows (all of them up to :data:`FIRST_VIEW_ROWS`, else a seeded sample of
    :data:`FIRST_VIEW_SAMPLE`).

    In the app the work runs detached (:func:`dashboard.result_cache.memo_detached`): a
    click that stops the page run leaves it running, and the next page waits for it.

    Parameters
    ----------
    source, settings, ms
        The data, the user's choices about it and the training settings.
    model_file
        An uploaded model to explain instead of training one (its features and
        objective decide the schema; the task and roles chosen are not used).
    progress
        Called as ``(done, total, stage)`` while work runs (not on a cache hit).

    Raises
    ------
    ExplainerError
        When the table, the settings or the model cannot be used; the message is
        translated by :func:`dashboard.i18n.error_message`.
    """
    if source.kind == "analysis":
        return open_saved(source)
    key, shared = analysis_key(source, settings, ms, model_file), _shared(source, model_file)
    cached = peek(key, shared, Analysis)  # a hit needs no inputs read for the work
    if cached is not None:
        return cached
    work = _analysis_work(key, source, settings, ms, model_file)
    return memo_detached(key, shared, work, Analysis, progress or _silent)


def start_analysis(
    source: Source, settings: Settings, ms: ModelSettings, model_file: ModelFile | None = None
) -> None:
    """Start the analysis :func:`run_analysis` would compute, without waiting for it (the
    Data page starts it before drawing the table's preview and profile)."""
    key = analysis_key(source, settings, ms, model_file)
    shared = _shared(source, model_file)
    if source.kind != "analysis" and peek(key, shared, Analysis) is None:
        start_detached(key, shared, _analysis_work(key, source, settings, ms, model_file), Analysis)


def _analysis_work(
    key: str, source: Source, settings: Settings, ms: ModelSettings, model_file: ModelFile | None
) -> Callable[[Progress], Analysis]:
    """The analysis's work, its inputs read here first (the table, the schema or the
    uploaded model are cached per session, so they are read in the page run)."""
    table = load_table(source)
    schema = load_schema(source, settings) if model_file is None else None
    model = _loaded_model(model_file) if model_file is not None else None
    meta = sample_meta(source)
    large = len(table.frame) > FIRST_VIEW_ROWS
    rows = min(FIRST_VIEW_SAMPLE, FIRST_VIEW_ROWS) if large else None

    def work(report: Progress) -> Analysis:
        report(0, 1, "load")  # waiting for a work slot, then making the training matrix
        with WORK_SLOTS:
            report(0, 1, "load")  # stopped while it waited: give the slot back at once
            if model is None:
                run = run_pipeline(
                    table,
                    schema=schema,
                    rows=rows,
                    seed=SEED,
                    options=_options(ms),
                    progress=report,
                )
            else:  # the pipeline reports checking the uploaded model itself
                run = run_pipeline(
                    table,
                    target=settings.target,
                    rows=rows,
                    seed=SEED,
                    model=model,
                    progress=report,
                )
        prediction = run.model.predict(run.dataset.X)
        release_free_memory()  # the temporaries of reading and training: not kept at peak
        return Analysis.of_run(key, source, run, prediction, meta)

    return work


def _opened_key(source: Source) -> str:
    return f"opened|{source.digest}"


def open_saved(source: Source) -> Analysis:
    """A saved analysis (``.xai``) opened as strictly as an upload, without retraining
    (:func:`explainers.open_analysis`); once per session and file, never shared.

    Raises
    ------
    ExplainerError
        Every refusal (``archive_*`` codes), translated by :func:`dashboard.i18n.error_message`.
    """

    def compute() -> Analysis:
        opened = open_analysis(source.data)
        return Analysis.of_opened(_opened_key(source), source, opened)

    return memo(_opened_key(source), False, compute, Analysis)


def peek_analysis(
    source: Source, settings: Settings, ms: ModelSettings, model_file: ModelFile | None = None
) -> Analysis | None:
    """The analysis of these settings if it is already computed, else None (computes nothing)."""
    if source.kind == "analysis":
        return peek(_opened_key(source), False, Analysis)
    return peek(
        analysis_key(source, settings, ms, model_file), _shared(source, model_file), Analysis
    )


def computed_interactions(analysis: Analysis) -> InteractionResult | None:
    """The interaction values if they were computed (or saved with an opened analysis)."""
    if analysis.opened is not None and analysis.opened.interactions is not None:
        return analysis.opened.interactions
    return peek(f"interactions|{analysis.key}", analysis.shared, InteractionResult)


def interaction_rows(analysis: Analysis) -> int:
    """Rows of the interaction sample: :data:`INTERACTION_ROWS` or as many as fit in
    :data:`INTERACTION_BYTES` (0 when fewer than :data:`MIN_INTERACTION_ROWS` would)."""
    if not analysis.has_rows:
        return 0
    per_row = 12 * analysis.model.n_outputs * (len(analysis.features) + 1) ** 2
    rows = min(INTERACTION_ROWS, analysis.n_rows, INTERACTION_BYTES // per_row)
    return rows if rows >= min(MIN_INTERACTION_ROWS, analysis.n_rows) else 0


def has_interactions(analysis: Analysis) -> bool:
    """True when interaction values can be shown: computed from the rows, or saved."""
    return interaction_rows(analysis) > 0 or computed_interactions(analysis) is not None


def interactions(analysis: Analysis) -> InteractionResult | None:
    """SHAP interaction values on a seeded sample of :func:`interaction_rows` rows (cached;
    an opened analysis's saved ones when it has them); None when none can be computed."""
    saved = analysis.opened.interactions if analysis.opened is not None else None
    if saved is not None:
        return saved
    n_rows = interaction_rows(analysis)
    if not n_rows:
        return None

    def compute() -> InteractionResult:
        rows = sample_rows(len(analysis.dataset.y), n_rows, seed=SEED)
        with WORK_SLOTS:
            return compute_interactions(analysis.model, analysis.dataset.X.iloc[rows], rows=rows)

    return memo(f"interactions|{analysis.key}", analysis.shared, compute, InteractionResult)


def confusion_at_threshold(evaluation: Evaluation, threshold: float) -> np.ndarray:
    """Binary confusion matrix of the validation rows at ``threshold``."""
    return confusion_at(evaluation, threshold)


def data_error_types() -> tuple[type[BaseException], ...]:
    """Exception types that carry a translatable ``code`` (the engine's errors)."""
    return (ExplainerError,)
