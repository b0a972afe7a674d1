"""Saving an analysis to one ``.xai`` file and opening it again, safely; never pickle.

An ``.xai`` file is a ZIP archive of ``manifest.json`` (format, schema version, app
version, time made, and each member's kind, size and SHA-256), the model as XGBoost
UBJSON, settings, schema and findings as JSON, metrics, curves and SHAP values as
Parquet, a survival model's baseline, metrics and curves (``survival.json``,
``survival.parquet``: format version 2; other files stay version 1), and, only when
asked, the table. :func:`open_analysis` checks it as strictly as an upload; every
refusal is a :class:`~explainers.DataError` whose ``code`` starts with ``archive_``,
with these ``params`` (``member`` is a member name, shortened and escaped):

- ``archive_too_large``: ``size_bytes`` (None when unknown), ``limit_bytes``, ``limit_mb``
- ``archive_unreadable_file``: ``reason`` (``not_found``, ``no_access``)
- ``archive_not_zip``: ``found`` (``empty``, ``other``, ``damaged``)
- ``archive_pickle``: ``member`` (None: the whole file)
- ``archive_too_many_members``: ``count``, ``limit``
- ``archive_expands_too_much``: ``reason`` (``declared``, ``more_than_declared``,
  ``memory``), ``limit_bytes``, ``limit_mb``, ``member``
- ``archive_bad_member_name``: ``member``, ``reason`` (``empty``, ``too_long``,
  ``control``, ``backslash``, ``absolute``, ``drive``, ``parent``, ``directory``,
  ``link``, ``special``, ``renamed``)
- ``archive_duplicate_member``: ``member``
- ``archive_unsupported_member``: ``member``, ``reason`` (``encrypted``, ``compression``)
- ``archive_damaged``: ``member``, ``reason`` (``local_header``, ``overlap``,
  ``truncated``, ``size``, ``bad_deflate``, ``crc``)
- ``archive_bad_manifest``: ``reason`` (``missing``, ``not_json``, ``not_object``,
  ``format``, ``field``, ``unknown_field``), ``field``
- ``archive_newer_version``: ``version``, ``supported``
- ``archive_old_version``: ``version``, ``oldest``
- ``archive_unknown_member``: ``member``
- ``archive_unlisted_member``: ``member`` (the first), ``count``
- ``archive_missing_member``: ``member``, ``reason`` (``absent``, ``required``)
- ``archive_hash_mismatch``: ``member``, ``reason`` (``size``, ``sha256``)
- ``archive_bad_kind``: ``member``, ``kind``, ``expected``
- ``archive_bad_content``: ``member``, ``kind`` (``JSON``, ``Parquet``,
  ``XGBoost UBJSON model``, ``XGBoost JSON model``)
- ``archive_bad_member``: ``member``, ``field``
- ``archive_bad_model``: ``reason`` (the model check's code), ``detail``
- ``archive_model_mismatch``: ``reason`` (``task``, ``features``, ``classes``,
  ``feature_types``)
- ``archive_unreadable``: ``detail`` (the opener's net: a check is missing)

Saving raises ``archive_bad_audit`` (no params) and ``archive_cannot_write`` (``detail``).
"""

from .manifest import SCHEMA_VERSION, Manifest, MemberEntry, MemberKind
from .opening import (
    DEFAULT_MAX_ARCHIVE_BYTES,
    DEFAULT_MAX_EXPANDED,
    DEFAULT_MAX_MEMBERS,
    OpenedAnalysis,
    open_analysis,
)
from .restore_docs import TableFacts
from .writing import SavedFacts, flagged_columns, save_analysis

__all__ = [
    "DEFAULT_MAX_ARCHIVE_BYTES",
    "DEFAULT_MAX_EXPANDED",
    "DEFAULT_MAX_MEMBERS",
    "SCHEMA_VERSION",
    "Manifest",
    "MemberEntry",
    "MemberKind",
    "OpenedAnalysis",
    "SavedFacts",
    "TableFacts",
    "flagged_columns",
    "open_analysis",
    "save_analysis",
]
