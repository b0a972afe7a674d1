"""``manifest.json``: what a saved analysis holds, which version wrote it, and each member's hash.

The manifest is checked before any other member is read: its format and schema
version first (so a newer file says so whatever else changed), then every field.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from .content import JsonProblem, load_json
from .refusals import (
    bad_kind,
    bad_manifest,
    missing_member,
    newer_version,
    old_version,
    unknown_member,
)

MemberKind = Literal["json", "parquet", "xgboost-ubj", "xgboost-json"]
"""What a member is: a JSON document, a Parquet table, or an XGBoost model."""

FORMAT = "xai-analysis"
SCHEMA_VERSION = 2
"""The newest version this code reads and writes (see :func:`version_for`).

Version 2 added the survival members (``survival.json``, ``survival.parquet``); a file
without them is written as version 1, which every reader since the first opens.
"""
OLDEST_VERSION = 1
"""The oldest version this code reads (after :data:`MIGRATIONS`)."""


def _same(document: dict[str, Any]) -> dict[str, Any]:
    """A version-1 manifest is a valid version-2 one (it lists no survival member)."""
    return document


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _same}
"""Version n to n + 1, applied to the manifest document in turn."""
MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 1 << 20

MEMBER_KINDS: dict[str, MemberKind] = {
    "model.ubj": "xgboost-ubj",
    "model.json": "xgboost-json",
    "settings.json": "json",
    "schema.json": "json",
    "evaluation.json": "json",
    "evaluation.parquet": "parquet",
    "curves.parquet": "parquet",
    "split.parquet": "parquet",
    "shap_values.parquet": "parquet",
    "interactions.parquet": "parquet",
    "audit.json": "json",
    "table.parquet": "parquet",
    "dataset.parquet": "parquet",
    "survival.json": "json",
    "survival.parquet": "parquet",
}
"""Every member a file may hold, with its kind."""
SINCE: dict[str, int] = {"survival.json": 2, "survival.parquet": 2}
"""The first version that may hold a member (1 when not listed)."""
REQUIRED = (
    "settings.json",
    "schema.json",
    "evaluation.json",
    "evaluation.parquet",
    "curves.parquet",
    "split.parquet",
    "shap_values.parquet",
)
MODEL_MEMBERS = ("model.ubj", "model.json")
TABLE_MEMBERS = ("table.parquet", "dataset.parquet")
SURVIVAL_MEMBERS = ("survival.json", "survival.parquet")
_KINDS: tuple[MemberKind, ...] = get_args(MemberKind)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FIELDS = {"format", "schema_version", "app_version", "created", "members"}
_ENTRY_FIELDS = {"name", "kind", "sha256", "size"}


@dataclass(frozen=True)
class MemberEntry:
    """One member as the manifest records it."""

    name: str
    kind: MemberKind
    sha256: str
    size: int

    def as_dict(self) -> dict[str, object]:
        """The manifest's JSON form."""
        return {"name": self.name, "kind": self.kind, "sha256": self.sha256, "size": self.size}


@dataclass(frozen=True)
class Manifest:
    """The manifest of a saved analysis: version, maker, time made, members."""

    schema_version: int
    app_version: str
    created: datetime
    members: tuple[MemberEntry, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Member names, in the manifest's order."""
        return tuple(m.name for m in self.members)

    def entry(self, name: str) -> MemberEntry | None:
        """The entry of ``name``, or None when the manifest does not list it."""
        return next((m for m in self.members if m.name == name), None)

    def to_bytes(self) -> bytes:
        """The manifest as UTF-8 JSON."""
        document = {
            "format": FORMAT,
            "schema_version": self.schema_version,
            "app_version": self.app_version,
            "created": self.created.astimezone(UTC).isoformat(timespec="seconds"),
            "members": [m.as_dict() for m in self.members],
        }
        return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


def version_for(names: tuple[str, ...]) -> int:
    """The oldest version that can hold members ``names``: older readers open what they can."""
    return max((SINCE.get(name, 1) for name in names), default=1)


def entry_for(name: str, data: bytes) -> MemberEntry:
    """The manifest entry of member ``name`` holding ``data``."""
    return MemberEntry(name, MEMBER_KINDS[name], hashlib.sha256(data).hexdigest(), len(data))


def parse_manifest(data: bytes, *, max_members: int) -> Manifest:
    """Check ``manifest.json``'s bytes and return the manifest.

    Raises
    ------
    DataError
        ``archive_bad_manifest``, ``archive_newer_version``, ``archive_old_version``,
        ``archive_unknown_member``, ``archive_bad_kind`` or ``archive_missing_member``.
    """
    try:
        document = load_json(data)
    except JsonProblem:
        raise bad_manifest("not_json") from None
    if not isinstance(document, dict):
        raise bad_manifest("not_object")
    if document.get("format") != FORMAT:
        raise bad_manifest("format", "format")
    version, document = _migrated(document)
    unknown = sorted(set(document) - _FIELDS)
    if unknown:
        raise bad_manifest("unknown_field", unknown[0])
    app_version = document.get("app_version")
    if not isinstance(app_version, str) or not 0 < len(app_version) <= 64:
        raise bad_manifest("field", "app_version")
    members = _members(document.get("members"), max_members, version)
    return Manifest(
        schema_version=SCHEMA_VERSION,
        app_version=app_version,
        created=_created(document.get("created")),
        members=members,
    )


def _migrated(document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The file's version and its manifest document migrated to :data:`SCHEMA_VERSION`."""
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise bad_manifest("field", "schema_version")
    if version > SCHEMA_VERSION:
        raise newer_version(version, SCHEMA_VERSION)
    if version < OLDEST_VERSION:
        raise old_version(version, OLDEST_VERSION)
    written = version
    while version < SCHEMA_VERSION:
        document = MIGRATIONS[version](document)
        version += 1
    return written, document


def _created(value: object) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise bad_manifest("field", "created")
    try:
        created = datetime.fromisoformat(value)
    except ValueError:
        raise bad_manifest("field", "created") from None
    offset = created.utcoffset()
    if offset is None or offset.total_seconds() != 0:
        raise bad_manifest("field", "created")
    return created.astimezone(UTC)


def _members(value: object, max_members: int, version: int) -> tuple[MemberEntry, ...]:
    if not isinstance(value, list) or len(value) > max_members:
        raise bad_manifest("field", "members")
    entries = tuple(_entry(item, version) for item in value)
    names = [e.name for e in entries]
    if len(set(names)) < len(names):
        raise bad_manifest("field", "members")
    for name in REQUIRED:
        if name not in names:
            raise missing_member(name, "required")
    models = [n for n in names if n in MODEL_MEMBERS]
    if len(models) != 1:
        raise missing_member(MODEL_MEMBERS[0], "required")
    for group in (TABLE_MEMBERS, SURVIVAL_MEMBERS):
        present = [n for n in names if n in group]
        if present and len(present) != len(group):
            missing = next(n for n in group if n not in present)
            raise missing_member(missing, "required")
    return entries


def _entry(item: object, version: int) -> MemberEntry:
    if not isinstance(item, Mapping) or set(item) != _ENTRY_FIELDS:
        raise bad_manifest("field", "members")
    name, kind, sha256, size = item["name"], item["kind"], item["sha256"], item["size"]
    if not isinstance(name, str) or not name:
        raise bad_manifest("field", "members.name")
    if name not in MEMBER_KINDS or SINCE.get(name, 1) > version:
        raise unknown_member(name)
    expected = MEMBER_KINDS[name]
    if kind not in _KINDS or kind != expected:
        raise bad_kind(name, str(kind), expected)
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise bad_manifest("field", "members.sha256")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise bad_manifest("field", "members.size")
    return MemberEntry(name, expected, sha256, size)
