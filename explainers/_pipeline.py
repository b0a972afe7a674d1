"""The whole path from a file to explanations, used by the CLI and the app."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from time import perf_counter
from typing import BinaryIO

import numpy as np

from ._byom.attach import attach_model
from ._byom.model_file import LoadedModel, load_model_file
from ._dataset import Dataset, build_dataset
from ._errors import DataError
from ._evaluation import Evaluation, evaluate_model
from ._findings import Finding, model_findings, target_scale_finding
from ._io.reading import DEFAULT_MAX_BYTES, Table, read_table
from ._schema import Schema, build_schema
from ._shap import ShapResult, compute_shap
from ._survival.outcome import EventValue
from ._training import TrainedModel, TrainingOptions, train_model
from ._types import DeviceChoice, Progress, Role, TaskChoice

Source = str | os.PathLike[str] | bytes | BinaryIO


@dataclass(frozen=True)
class ExplainRun:
    """Everything one run produced, with the seconds each stage took.

    ``warnings`` holds the codes :func:`attach_model` reported for an uploaded
    model (empty for a trained one). ``findings`` holds what a user must check: the
    schema's (target guess, leaks) and the model's (:func:`run_findings`).
    """

    table: Table
    schema: Schema
    dataset: Dataset
    model: TrainedModel
    evaluation: Evaluation
    shap: ShapResult
    seconds: dict[str, float]
    warnings: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


def sample_rows(n_total: int, n: int | None, *, seed: int) -> np.ndarray:
    """Sorted, seeded random sample of ``n`` row positions (all rows when ``n`` is None)."""
    if n is None or n >= n_total:
        return np.arange(n_total)
    if n < 1:
        raise DataError("--rows must be at least 1.", code="bad_rows", n=n)
    return np.sort(np.random.default_rng(seed).choice(n_total, size=n, replace=False))


def explain_file(
    source: Source,
    *,
    name: str | None = None,
    target: str | None = None,
    task: TaskChoice = "auto",
    device: DeviceChoice = "auto",
    rows: int | None = None,
    seed: int = 0,
    options: TrainingOptions | None = None,
    model: Source | LoadedModel | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sheet: str | None = None,
    header_row: int | None = None,
    progress: Progress | None = None,
    time: str | None = None,
    event: str | None = None,
    event_value: EventValue | None = None,
) -> ExplainRun:
    """Read, profile, train (or load ``model``), evaluate and explain, in that order.

    Training uses every usable row; SHAP explains ``rows`` rows drawn with
    ``seed`` (all rows when None).

    With ``model`` (an XGBoost JSON or UBJSON file, see :func:`load_model_file`)
    nothing is trained: the model's features and objective decide the schema,
    ``task`` must be ``"auto"`` or the model's task, ``options`` is ignored,
    the model is evaluated on every labelled row, and ``seconds["train"]`` is
    the time taken to check, load and evaluate it. ``max_bytes`` limits the
    table's file size (the app's upload limit by default); ``sheet`` and
    ``header_row`` choose a workbook's sheet and header row (see :func:`read_table`).
    ``time``, ``event`` and ``event_value`` name the outcome of ``task="survival"``
    (see :func:`build_schema`); the run's model, evaluation and SHAP values then hold
    a Cox model (``options.survival_model``), its survival metrics and log-hazard SHAP.
    """
    report = progress or (lambda done, total, message: None)
    start = perf_counter()
    report(0, 1, "load")
    table = read_table(source, name=name, max_bytes=max_bytes, sheet=sheet, header_row=header_row)
    read_seconds = perf_counter() - start
    run = run_pipeline(
        table,
        target=target,
        task=task,
        device=device,
        rows=rows,
        seed=seed,
        options=options,
        model=model,
        progress=report,
        time=time,
        event=event,
        event_value=event_value,
    )
    seconds = dict(run.seconds)
    seconds["load"] += read_seconds
    return replace(run, seconds=seconds)


def run_pipeline(
    table: Table,
    *,
    schema: Schema | None = None,
    target: str | None = None,
    task: TaskChoice = "auto",
    roles: Mapping[str, Role] | None = None,
    device: DeviceChoice = "auto",
    rows: int | None = None,
    seed: int = 0,
    options: TrainingOptions | None = None,
    model: Source | LoadedModel | None = None,
    progress: Progress | None = None,
    time: str | None = None,
    event: str | None = None,
    event_value: EventValue | None = None,
) -> ExplainRun:
    """The stages after reading, in order: schema, train (or attach ``model``), evaluate,
    explain ``rows`` sampled rows, findings. The CLI and the app both run this.

    ``schema`` skips profiling when the caller already has it (the app caches it);
    else it is built from ``target``, ``task`` and ``roles``. See :func:`explain_file`
    for the other parameters.
    """
    report = progress or (lambda done, total, message: None)
    seconds: dict[str, float] = {}
    start = perf_counter()
    warnings: tuple[str, ...] = ()
    if model is None:
        schema = schema or build_schema(
            table,
            target=target,
            task=task,
            roles=roles,
            time=time,
            event=event,
            event_value=event_value,
        )
        dataset = build_dataset(table, schema)
        seconds["load"] = perf_counter() - start
        start = perf_counter()
        trained = train_model(
            dataset, options=options or TrainingOptions(seed=seed), progress=report
        )
    else:
        seconds["load"] = 0.0
        schema, dataset, trained, warnings = attach_uploaded(
            model, table, target=target, task=task, progress=report
        )
    evaluation = evaluate_model(trained, dataset)
    seconds["train"] = perf_counter() - start

    start = perf_counter()
    shap = explain_sample(trained, dataset, rows=rows, seed=seed, device=device, progress=report)
    seconds["shap"] = perf_counter() - start
    findings = schema.findings + run_findings(schema, trained, evaluation, shap)
    if trained.task == "regression":  # a target in units too small for XGBoost's splits
        target_name = schema.display_names.get(schema.target, schema.target)
        small = target_scale_finding(dataset.y, target_name)
        findings += (small,) if small is not None else ()
    return ExplainRun(
        table, schema, dataset, trained, evaluation, shap, seconds, warnings, findings
    )


def attach_uploaded(
    model: Source | LoadedModel,
    table: Table,
    *,
    target: str | None = None,
    task: TaskChoice = "auto",
    progress: Progress | None = None,
) -> tuple[Schema, Dataset, TrainedModel, tuple[str, ...]]:
    """Check an uploaded model (sandboxed) and match it to ``table``; nothing is trained."""
    report = progress or (lambda done, total, message: None)
    report(0, 1, "model")
    loaded = model if isinstance(model, LoadedModel) else load_model_file(model)
    if task not in ("auto", loaded.task):
        raise DataError(
            f"The uploaded model is a {loaded.task} model, so the task cannot be {task}. "
            "Leave the task on auto.",
            code="task_conflicts_with_model",
            task=task,
            model_task=loaded.task,
        )
    attached = attach_model(loaded, table, target=target)
    report(1, 1, "model")
    return attached.schema, attached.dataset, attached.model, attached.warnings


def explain_sample(
    model: TrainedModel,
    dataset: Dataset,
    *,
    rows: int | None,
    seed: int = 0,
    device: DeviceChoice = "auto",
    progress: Progress | None = None,
) -> ShapResult:
    """Exact SHAP values of ``rows`` rows drawn with ``seed`` (every row when None)."""
    picked = sample_rows(len(dataset.y), rows, seed=seed)
    X = dataset.X if len(picked) == len(dataset.y) else dataset.X.iloc[picked]
    return compute_shap(
        model, X, rows=picked, row_ids=dataset.row_ids[picked], device=device, progress=progress
    )


def run_findings(
    schema: Schema, model: TrainedModel, evaluation: Evaluation, shap: ShapResult
) -> tuple[Finding, ...]:
    """Warnings about the model itself: a near-perfect held-out score, one dominant feature."""
    names = schema.display_names
    importance = {names.get(f, f): score for f, score in shap.ranking()}
    return model_findings(
        evaluation.metrics,
        classifier=model.task not in ("regression", "survival"),
        mean_abs_shap=importance,
    )
