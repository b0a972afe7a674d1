"""Saving an analysis: one ``.xai`` file (a ZIP of JSON, Parquet and the XGBoost model).

Nothing is pickled: the model travels as XGBoost UBJSON, arrays as Parquet, the
rest as JSON. The table goes in only when asked, and the result then names the
columns that hold personal data or identifiers, so the caller can warn.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import BinaryIO

from .._pipeline import ExplainRun
from .._profiling import profile_columns
from .._shap import InteractionResult
from .container import write_zip
from .frames import frame_to_arrow
from .manifest import MANIFEST, Manifest, MemberEntry, entry_for, version_for
from .members import (
    curve_arrays,
    dataset_arrays,
    evaluation_arrays,
    evaluation_document,
    interaction_arrays,
    json_bytes,
    parquet_bytes,
    schema_document,
    settings_document,
    shap_arrays,
    split_arrays,
)
from .refusals import bad_audit, cannot_write
from .survival_members import survival_arrays, survival_document

_PACKAGE = "xai-dashboard"


@dataclass(frozen=True)
class SavedFacts:
    """What :func:`save_analysis` wrote.

    ``personal_columns`` and ``identifier_columns`` are the display names of the
    table's columns the profiler flags as personal data (names, phone numbers,
    e-mail or postal addresses, national ID numbers) or as identifiers; both are
    empty when the table was left out.
    """

    n_bytes: int
    sha256: str
    schema_version: int
    app_version: str
    created: datetime
    members: tuple[MemberEntry, ...]
    has_table: bool
    personal_columns: tuple[str, ...]
    identifier_columns: tuple[str, ...]


def installed_version() -> str:
    """The installed package's version (``unknown`` when it is not installed)."""
    try:
        return metadata.version(_PACKAGE)
    except metadata.PackageNotFoundError:
        return "unknown"


def save_analysis(
    run: ExplainRun,
    destination: str | os.PathLike[str] | BinaryIO,
    *,
    include_table: bool = False,
    interactions: InteractionResult | None = None,
    audit: dict[str, object] | None = None,
    app_version: str | None = None,
    created: datetime | None = None,
) -> SavedFacts:
    """Write ``run`` as a saved analysis (``.xai``) to ``destination``.

    Parameters
    ----------
    run
        The run to save (trained or uploaded model).
    destination
        A path (written whole through a temporary file beside it, then renamed) or
        a binary stream (``io.BytesIO`` for a download button).
    include_table
        Also save the table (as Parquet) and the encoded target of every row, so
        that views needing rows work when opened. Off by default: without it only
        the model, settings, schema, metrics, curves and SHAP values are saved (for a
        survival run also its baseline, survival metrics, Kaplan-Meier curves and the
        validation rows' follow-up time, event and risk).
    interactions
        SHAP interaction values on their sample, when computed.
    audit
        The audit document (:func:`explainers._audit.document.audit_document`).
    app_version
        The version written to the manifest; the installed package's by default.
    created
        The time written to the manifest (UTC now by default).

    Returns
    -------
    SavedFacts
        Size, hash, members and, with the table, its personal and identifier columns.

    Raises
    ------
    DataError
        ``archive_bad_audit`` when ``audit`` is not plain JSON; ``archive_cannot_write``
        when the path cannot be written.
    """
    version = app_version or installed_version()
    made = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    contents = _member_bytes(run, include_table, interactions, audit)
    entries = tuple(entry_for(name, data) for name, data in contents)
    schema_version = version_for(tuple(name for name, _ in contents))
    manifest = Manifest(schema_version, version, made, entries)
    archive = write_zip([(MANIFEST, manifest.to_bytes()), *contents])
    _write(archive, destination)
    personal, identifiers = flagged_columns(run) if include_table else ((), ())
    return SavedFacts(
        n_bytes=len(archive),
        sha256=hashlib.sha256(archive).hexdigest(),
        schema_version=schema_version,
        app_version=version,
        created=made,
        members=entries,
        has_table=include_table,
        personal_columns=personal,
        identifier_columns=identifiers,
    )


def _member_bytes(
    run: ExplainRun,
    include_table: bool,
    interactions: InteractionResult | None,
    audit: dict[str, object] | None,
) -> list[tuple[str, bytes]]:
    frame = run.table.frame
    table_arrow, dtypes = (
        frame_to_arrow(frame) if include_table else (None, [str(t) for t in frame.dtypes])
    )
    contents = [
        ("model.ubj", bytes(run.model.booster.save_raw("ubj"))),
        ("settings.json", json_bytes(settings_document(run, interactions, dtypes))),
        ("schema.json", json_bytes(schema_document(run.schema))),
        (
            "evaluation.json",
            json_bytes(evaluation_document(run.evaluation, run.findings)),
        ),
        ("evaluation.parquet", parquet_bytes(evaluation_arrays(run.evaluation))),
        ("curves.parquet", parquet_bytes(curve_arrays(run.evaluation))),
        ("split.parquet", parquet_bytes(split_arrays(run.model))),
        ("shap_values.parquet", parquet_bytes(shap_arrays(run.shap))),
    ]
    fit, survival = run.model.survival, run.evaluation.survival
    if run.model.task == "survival":
        event = run.dataset.event
        assert fit is not None and survival is not None and event is not None  # set for survival
        document = survival_document(fit, survival, int(event.sum()))
        contents.append(("survival.json", json_bytes(document)))
        contents.append(("survival.parquet", parquet_bytes(survival_arrays(fit, survival))))
    if interactions is not None:
        table = interaction_arrays(interactions)
        contents.append(("interactions.parquet", parquet_bytes(table)))
    if audit is not None:
        try:
            contents.append(("audit.json", json_bytes(audit)))
        except (TypeError, ValueError, RecursionError):
            raise bad_audit() from None
    if table_arrow is not None:
        dataset = dataset_arrays(run.dataset.row_ids, run.dataset.y)
        contents.append(("table.parquet", parquet_bytes(table_arrow)))
        contents.append(("dataset.parquet", parquet_bytes(dataset)))
    return contents


def _write(archive: bytes, destination: str | os.PathLike[str] | BinaryIO) -> None:
    if not isinstance(destination, str | os.PathLike):
        try:
            destination.write(archive)
        except OSError as error:
            raise cannot_write(type(error).__name__) from None
        return
    path = os.fspath(destination)
    partial = f"{path}.partial"
    try:
        with open(partial, "wb") as handle:
            handle.write(archive)
        os.replace(partial, path)
    except OSError as error:
        if os.path.exists(partial):
            os.remove(partial)
        raise cannot_write(type(error).__name__) from None


def flagged_columns(run: ExplainRun) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Display names of the table's personal-data columns and identifier columns.

    What :func:`save_analysis` reports when it saves the table; call it first to warn
    before saving. The schema's reasons can hide such columns (a column the user made
    a feature; an uploaded model's unused columns are all ``not_in_model``), so the
    table is profiled afresh.
    """
    table = run.table
    profiles = profile_columns(table.frame, table.original_names)
    flagged = {c.name: c.reason for c in run.schema.columns}
    personal = [
        c.display_name
        for c in profiles
        if c.reason == "personal" or flagged.get(c.name) == "personal"
    ]
    identifiers = [
        c.display_name
        for c in profiles
        if c.display_name not in personal
        and (c.reason == "identifier" or flagged.get(c.name) == "identifier")
    ]
    return tuple(personal), tuple(identifiers)
