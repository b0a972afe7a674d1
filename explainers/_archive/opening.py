"""Opening a saved analysis (``.xai``) as strictly as an upload, in memory, without retraining.

The order: the file's size; its first bytes (a ZIP, not a pickle); the archive's
structure (:mod:`~explainers._archive.container`); the manifest and its version;
exactly the members it lists, each inflated within the limits, refused if it is a
pickle, checked against its size and SHA-256, and sniffed for its kind; then each
member's fields; then the model, parsed in the sandboxed child process first.
Nothing is written to disk, and a refusal leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

import pyarrow as pa

from .._byom.model_file import DEFAULT_TIMEOUT_S
from .._dataset import Dataset
from .._errors import DataError
from .._evaluation import Evaluation
from .._findings import Finding
from .._io.bounded import read_bounded
from .._io.reading import DEFAULT_MAX_BYTES, Table
from .._pipeline import ExplainRun
from .._schema import Schema
from .._shap import InteractionResult, ShapResult
from .._training import TrainedModel
from .assemble import (
    build_evaluation,
    check_agreement,
    check_rows,
    interaction_result,
    load_model,
    shap_result,
    table_and_dataset,
    trained_model,
)
from .container import Entry, list_entries, read_member
from .content import check_model_bytes, is_pickle, json_document, parquet_table
from .manifest import MANIFEST, MANIFEST_MAX_BYTES, MODEL_MEMBERS, Manifest, parse_manifest
from .refusals import (
    AGAIN,
    bad_manifest,
    bad_member,
    cannot_read_file,
    expands_too_much,
    hash_mismatch,
    missing_member,
    pickle_content,
    too_large,
    unlisted_member,
)
from .restore_docs import (
    Settings,
    TableFacts,
    read_audit,
    read_evaluation,
    read_schema,
    read_settings,
)
from .restore_survival import SavedSurvival, read_survival

DEFAULT_MAX_ARCHIVE_BYTES = DEFAULT_MAX_BYTES
"""Largest ``.xai`` file opened by default: the app's upload limit."""
DEFAULT_MAX_MEMBERS = 32
"""Most entries an archive may hold (a saved analysis has at most 16)."""
DEFAULT_MAX_EXPANDED = 1 << 30
"""Most bytes an archive may unpack to, all members (and their Parquet pages) together."""


@dataclass(frozen=True)
class OpenedAnalysis:
    """A saved analysis, opened: everything needed to show it and write its outputs.

    Without the table (``has_table`` False) ``table`` and ``dataset`` are None and
    :attr:`run` is None: the model, metrics, curves, SHAP values (and interaction
    values, when saved) are all present, and ``table_facts`` says how the table was
    read. ``n_rows`` is the number of dataset rows (``len(dataset.y)``). A survival
    analysis also has ``model.survival`` (the baseline that gives survival curves) and
    ``evaluation.survival`` (C-index, time-dependent AUC, Kaplan-Meier curves).
    """

    manifest: Manifest
    schema: Schema
    model: TrainedModel
    evaluation: Evaluation
    shap: ShapResult
    interactions: InteractionResult | None
    findings: tuple[Finding, ...]
    warnings: tuple[str, ...]
    seconds: dict[str, float]
    seed: int
    table_facts: TableFacts
    n_rows: int
    n_dropped_missing_target: int
    n_inf_replaced: int
    audit: dict[str, object] | None
    table: Table | None
    dataset: Dataset | None
    n_events: int | None = None
    """For survival: the events among the dataset's rows (known without the table)."""

    @property
    def has_table(self) -> bool:
        """True when the table (and so every row's features) was saved."""
        return self.table is not None and self.dataset is not None

    @property
    def run(self) -> ExplainRun | None:
        """The run as :func:`explainers.run_pipeline` returned it, when the table was saved."""
        if self.table is None or self.dataset is None:
            return None
        return ExplainRun(
            table=self.table,
            schema=self.schema,
            dataset=self.dataset,
            model=self.model,
            evaluation=self.evaluation,
            shap=self.shap,
            seconds=dict(self.seconds),
            warnings=self.warnings,
            findings=self.findings,
        )

    @property
    def created(self) -> datetime:
        """When the analysis was saved (UTC)."""
        return self.manifest.created

    @property
    def app_version(self) -> str:
        """The version of the app that saved it."""
        return self.manifest.app_version


def open_analysis(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    max_bytes: int = DEFAULT_MAX_ARCHIVE_BYTES,
    max_members: int = DEFAULT_MAX_MEMBERS,
    max_expanded: int = DEFAULT_MAX_EXPANDED,
    model_timeout_s: float = DEFAULT_TIMEOUT_S,
) -> OpenedAnalysis:
    """Open a saved analysis (``.xai``) written by :func:`save_analysis`.

    Parameters
    ----------
    source
        A path (its size is checked before it is read), the file's bytes, or a
        binary stream (at most ``max_bytes + 1`` bytes are read from it).
    max_bytes, max_members, max_expanded
        Limits on the file's size, its number of entries, and what all its members
        (and the Parquet data inside them) unpack to.
    model_timeout_s
        Wall-clock limit of the child process that checks the model.

    Returns
    -------
    OpenedAnalysis
        The model, schema, metrics, curves, SHAP values and, when saved, the
        interaction values, the audit document and the table.

    Raises
    ------
    DataError
        Every refusal, with a ``code`` starting ``archive_`` (see the package docs).
    """
    data, _ = read_bounded(
        source,
        max_bytes,
        default_name="analysis.xai",
        too_large=lambda size: too_large(size, max_bytes),
        cannot_open=lambda error, name: cannot_read_file(
            "not_found" if isinstance(error, FileNotFoundError) else "no_access"
        ),
    )
    try:
        return _open(data, max_members, max_expanded, model_timeout_s)
    except DataError:
        raise
    except MemoryError:
        raise expands_too_much("memory", max_expanded) from None
    except Exception as error:  # noqa: BLE001 - the boundary: nothing but DataError may leave
        raise DataError(
            f"The saved analysis could not be read. {AGAIN}",
            code="archive_unreadable",
            detail=type(error).__name__,
        ) from None


def _open(data: bytes, max_members: int, max_expanded: int, timeout_s: float) -> OpenedAnalysis:
    entries = list_entries(data, max_members=max_members, max_expanded=max_expanded)
    if MANIFEST not in entries:
        raise bad_manifest("missing")
    manifest = parse_manifest(
        read_member(data, entries[MANIFEST], cap=MANIFEST_MAX_BYTES), max_members=max_members
    )
    contents = _contents(data, entries, manifest, max_expanded)
    documents = {
        m.name: json_document(m.name, contents[m.name])
        for m in manifest.members
        if m.kind == "json"
    }
    tables = _tables(manifest, contents, max_expanded)
    model_name = next(n for n in manifest.names if n in MODEL_MEMBERS)
    check_model_bytes(model_name, contents[model_name], ubjson=model_name.endswith(".ubj"))
    return _assembled(manifest, documents, tables, contents[model_name], model_name, timeout_s)


def _contents(
    data: bytes, entries: dict[str, Entry], manifest: Manifest, max_expanded: int
) -> dict[str, bytes]:
    """Exactly the listed members, each inflated within the budget and checked."""
    listed = set(manifest.names)
    extra = sorted(n for n in entries if n != MANIFEST and n not in listed)
    if extra:
        raise unlisted_member(extra[0], len(extra))
    for name in manifest.names:
        if name not in entries:
            raise missing_member(name, "absent")
    budget = max_expanded - entries[MANIFEST].info.file_size
    contents = {}
    for member in manifest.members:
        entry = entries[member.name]
        if entry.info.file_size != member.size:
            raise hash_mismatch(member.name, "size")
        raw = read_member(data, entry, cap=budget)
        budget -= len(raw)
        if is_pickle(raw):
            raise pickle_content(member.name)
        if hashlib.sha256(raw).hexdigest() != member.sha256:
            raise hash_mismatch(member.name, "sha256")
        contents[member.name] = raw
    return contents


def _tables(
    manifest: Manifest, contents: dict[str, bytes], max_expanded: int
) -> dict[str, pa.Table]:
    """Each Parquet member read with pyarrow, all within ``max_expanded`` bytes together."""
    budget = max_expanded - sum(len(raw) for raw in contents.values())
    tables: dict[str, pa.Table] = {}
    for member in manifest.members:
        if member.kind == "parquet":
            table = parquet_table(member.name, contents[member.name], limit_bytes=max(budget, 0))
            budget -= table.nbytes
            tables[member.name] = table
    return tables


def _assembled(
    manifest: Manifest,
    documents: dict[str, dict[str, Any]],
    tables: dict[str, pa.Table],
    model_bytes: bytes,
    model_name: str,
    timeout_s: float,
) -> OpenedAnalysis:
    settings = read_settings(documents["settings.json"])
    schema = read_schema(documents["schema.json"])
    facts = read_evaluation(documents["evaluation.json"])
    check_agreement(settings, schema, facts)
    survival = _survival(documents, tables, schema, settings)
    shap = shap_result(tables["shap_values.parquet"], settings)
    interactions = interaction_result(tables.get("interactions.parquet"), settings)
    table, dataset = None, None
    if "table.parquet" in tables:
        table, dataset = table_and_dataset(
            tables["table.parquet"], tables["dataset.parquet"], settings, schema
        )
        check_rows(shap, dataset)
    if survival is not None and dataset is not None and dataset.event is not None:
        if int(dataset.event.sum()) != survival.n_events:
            raise bad_member("survival.json", "n_events")
    booster = load_model(model_bytes, model_name, settings, timeout_s=timeout_s, survival=survival)
    model = trained_model(booster, settings, tables["split.parquet"], survival)
    evaluation = build_evaluation(
        facts, tables["evaluation.parquet"], tables["curves.parquet"], model, survival
    )
    audit = documents.get("audit.json")
    return OpenedAnalysis(
        manifest=manifest,
        schema=schema,
        model=model,
        evaluation=evaluation,
        shap=shap,
        interactions=interactions,
        findings=facts.findings,
        warnings=settings.warnings,
        seconds=settings.seconds,
        seed=settings.seed,
        table_facts=settings.table,
        n_rows=settings.n_rows,
        n_dropped_missing_target=settings.n_dropped_missing_target,
        n_inf_replaced=settings.n_inf_replaced,
        audit=None if audit is None else read_audit(audit),
        table=table,
        dataset=dataset,
        n_events=None if survival is None else survival.n_events,
    )


def _survival(
    documents: dict[str, dict[str, Any]],
    tables: dict[str, pa.Table],
    schema: Schema,
    settings: Settings,
) -> SavedSurvival | None:
    """The survival members, which a survival analysis needs and no other may hold."""
    document = documents.get("survival.json")
    if document is None:
        if settings.task == "survival":
            raise missing_member("survival.json", "required")
        return None
    if settings.task != "survival":
        raise bad_member("settings.json", "model.task")
    return read_survival(document, tables["survival.parquet"], schema, settings)
