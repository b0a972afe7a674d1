"""Fuzzing saved analyses: whatever the manifest or a member says, the answer is an analysis
or a DataError raised on purpose.

``archive_unreadable`` is the opener's net for an unexpected exception, so it fails
the test too: it means a check is missing. Runs are derandomized.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import zipfile
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explainers import DataError, TrainingOptions, read_table, run_pipeline
from explainers._archive import OpenedAnalysis, open_analysis, save_analysis
from sample_data import load_sample_bytes

_FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=40,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            0,
            1,
            2,
            -1,
            "",
            "json",
            "parquet",
            "xgboost-ubj",
            "model.ubj",
            "../x",
            "0" * 64,
            "2025-01-01T00:00:00+00:00",
            "2025-01-01T00:00:00+09:00",
            "binary",
            "ranking",
        ]
    )
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@functools.cache
def _valid_members() -> dict[str, bytes]:
    """The members of a valid saved analysis (triage: multiclass, with its table)."""
    table = read_table(load_sample_bytes("triage"), name="triage.csv")
    run = run_pipeline(table, rows=15, options=TrainingOptions(n_estimators=3), device="cpu")
    buffer = io.BytesIO()
    save_analysis(run, buffer, include_table=True)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@functools.cache
def _valid_archive() -> bytes:
    """The valid saved analysis as one file."""
    return _zip(_valid_members())


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indices) into a JSON value, the value itself included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _mutated(document: Any, path: tuple[Any, ...], action: str, value: Any) -> Any:
    """``document`` with the value at ``path`` replaced, deleted, or given an extra key."""
    if not path:
        return value
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "add" and isinstance(parent[last], dict):
        parent[last]["extra"] = value
    else:
        parent[last] = value
    return document


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _relisted(members: dict[str, bytes]) -> dict[str, bytes]:
    """``members`` with the manifest's hashes and sizes made to match them."""
    document = json.loads(members["manifest.json"])
    for entry in document["members"]:
        data = members.get(entry["name"], b"")
        entry.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    return {**members, "manifest.json": json.dumps(document).encode()}


def _check(data: bytes) -> OpenedAnalysis | DataError:
    """Open; allow only an analysis or a DataError with a deliberate ``archive_`` code."""
    try:
        return open_analysis(data)
    except DataError as error:
        assert error.code.startswith("archive_"), (error.code, error.params)
        assert error.code != "archive_unreadable", error.params
        assert error.message and str(error) == error.message
        return error


def _draw_mutation(data: st.DataObject, document: Any) -> Any:
    path = data.draw(st.sampled_from(_paths(document)), label="path")
    action = data.draw(st.sampled_from(["set", "delete", "add"]), label="action")
    if not path and action != "set":
        action = "set"
    return _mutated(document, path, action, data.draw(_JSON, label="value"))


@_FUZZ
@given(data=st.data())
def test_manifest_fuzz_never_escapes_as_anything_but_a_data_error(data):
    """Check that any change to any manifest field is an analysis or a deliberate refusal."""
    members = _valid_members()
    document = _draw_mutation(data, json.loads(members["manifest.json"]))
    _check(_zip({**members, "manifest.json": json.dumps(document).encode()}))


@_FUZZ
@given(
    data=st.data(),
    name=st.sampled_from(["settings.json", "schema.json", "evaluation.json"]),
)
def test_member_document_fuzz_never_escapes_as_anything_but_a_data_error(data, name):
    """Check that any change to a JSON member (its hash made to match) is handled."""
    members = _valid_members()
    document = _draw_mutation(data, json.loads(members[name]))
    _check(_zip(_relisted({**members, name: json.dumps(document).encode()})))


@_FUZZ
@given(
    name=st.sampled_from(
        ["settings.json", "shap_values.parquet", "curves.parquet", "table.parquet", "model.ubj"]
    ),
    cut=st.integers(min_value=0, max_value=400),
    junk=st.binary(max_size=40),
)
def test_damaged_member_bytes_never_escape_as_anything_but_a_data_error(name, cut, junk):
    """Check that a member cut short or with bytes spliced in (hash made to match) is handled."""
    members = _valid_members()
    raw = members[name]
    position = min(cut, len(raw))
    damaged = raw[:position] + junk + raw[position + len(junk) :]
    _check(_zip(_relisted({**members, name: damaged})))


@_FUZZ
@given(
    cut=st.integers(min_value=0, max_value=2**20),
    junk=st.binary(min_size=1, max_size=24),
    from_end=st.booleans(),
)
def test_damaged_archive_bytes_never_escape_as_anything_but_a_data_error(cut, junk, from_end):
    """Check that bytes spliced anywhere into the archive itself (index, headers) are handled."""
    archive = _valid_archive()
    position = max(len(archive) - 1 - cut % 200, 0) if from_end else min(cut, len(archive))
    _check(archive[:position] + junk + archive[position + len(junk) :])
