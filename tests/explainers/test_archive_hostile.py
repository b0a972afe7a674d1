"""Hostile saved analyses: every one refused with its own code and a message, nothing written.

The archives are crafted here with zipfile and byte patches, from one valid file.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import struct
import warnings
import zipfile
from collections.abc import Callable

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from explainers import DataError, TrainingOptions, read_table, run_pipeline
from explainers._archive import open_analysis, save_analysis
from sample_data import load_sample_bytes

PICKLES = {
    "protocol 4": b"\x80\x04\x95\x0b\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01a\x94K\x01s.",
    "protocol 2": b"\x80\x02}q\x00X\x01\x00\x00\x00aq\x01K\x01s.",
    "protocol 1": b"}q\x00X\x01\x00\x00\x00aq\x01K\x01s.",
    "protocol 0": b"(dp0\nVa\np1\nI1\ns.",
    "global": b"cos\nsystem\n(S'echo hi'\ntR.",
}


@pytest.fixture(scope="module")
def valid() -> bytes:
    """A valid saved analysis of a small regression run, with its table."""
    table = read_table(load_sample_bytes("diabetes"), name="diabetes.csv")
    run = run_pipeline(table, rows=20, options=TrainingOptions(n_estimators=5), device="cpu")
    buffer = io.BytesIO()
    save_analysis(run, buffer, include_table=True)
    return buffer.getvalue()


def _members(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def _zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicates made on purpose
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    return buffer.getvalue()


def _manifest(members: dict[str, bytes], **changes: object) -> dict[str, object]:
    """The valid file's manifest, its entries re-hashed for ``members``, then ``changes``."""
    document = json.loads(members["manifest.json"])
    for entry in document["members"]:
        if entry["name"] in members:
            data = members[entry["name"]]
            entry.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    document.update(changes)
    return document


def _rebuilt(
    valid: bytes,
    *,
    replace: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
    extra: list[tuple[str | zipfile.ZipInfo, bytes]] | None = None,
    manifest: Callable[[dict[str, object]], object] | None = None,
    relist: bool = True,
) -> bytes:
    """The valid file with members replaced, dropped or added, the manifest re-hashed."""
    members = _members(valid)
    members.update(replace or {})
    document = _manifest(members) if relist else json.loads(members["manifest.json"])
    if manifest is not None:
        document = manifest(document)
    members["manifest.json"] = (
        document if isinstance(document, bytes) else json.dumps(document).encode()
    )
    entries: list[tuple[str | zipfile.ZipInfo, bytes]] = [
        (name, data) for name, data in members.items() if name not in drop
    ]
    return _zip(entries + (extra or []))


def _refused(data: bytes, code: str, match: str, **options: object) -> DataError:
    with pytest.raises(DataError, match=match) as caught:
        open_analysis(data, **options)
    assert caught.value.code == code, (caught.value.code, caught.value.params)
    return caught.value


def _patched(
    archive: bytes, name: str, *, local: dict[int, bytes], central: dict[int, bytes]
) -> bytes:
    """``archive`` with bytes at offsets of ``name``'s local header and index record replaced."""
    data = bytearray(archive)
    raw = name.encode()
    for signature, name_at, changes in ((b"PK\x03\x04", 26, local), (b"PK\x01\x02", 28, central)):
        start = data.find(signature)
        while start >= 0:
            (length,) = struct.unpack_from("<H", data, start + name_at)
            offset = start + (30 if signature == b"PK\x03\x04" else 46)
            if bytes(data[offset : offset + length]) == raw:
                for at, value in changes.items():
                    data[start + at : start + at + len(value)] = value
            start = data.find(signature, start + 4)
    return bytes(data)


def test_the_valid_file_opens(valid):
    """Check that the file every hostile case starts from opens (so refusals are the cases')."""
    assert open_analysis(valid).has_table
    assert open_analysis(_rebuilt(valid)).model.task == "regression"


@pytest.mark.parametrize(
    ("data", "found"),
    [(b"", "empty"), (b"age,outcome\n1,0\n", "other"), (b"%PDF-1.7\n", "other")],
)
def test_what_is_not_a_zip_is_refused(data, found):
    """Check that empty, CSV and other bytes are refused as not a saved analysis."""
    error = _refused(data, "archive_not_zip", "not a saved analysis|empty")
    assert error.params["found"] == found


def test_a_truncated_zip_is_refused(valid):
    """Check that a file cut short is refused as a damaged archive."""
    error = _refused(valid[: len(valid) // 2], "archive_not_zip", "damaged")
    assert error.params["found"] == "damaged"


@pytest.mark.parametrize("kind", sorted(PICKLES))
def test_a_whole_file_pickle_is_refused(kind):
    """Check that a pickle handed over as the .xai file is refused by its bytes."""
    error = _refused(PICKLES[kind], "archive_pickle", "pickle")
    assert error.params["member"] is None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.json", "parent"),
        ("a/../../evil.json", "parent"),
        ("./settings.json", "parent"),
        ("a//b.json", "parent"),
        ("/etc/passwd", "absolute"),
        ("..\\evil.json", "backslash"),
        ("C:/evil.json", "drive"),
        ("C:evil.json", "drive"),
        ("folder/", "directory"),
        ("evil\x01.json", "control"),
        ("x" * 300, "too_long"),
    ],
)
def test_hostile_member_names_are_refused(valid, name, reason):
    """Check that traversal, absolute, backslash, drive and folder names are refused."""
    error = _refused(
        _rebuilt(valid, extra=[(name, b"{}")]), "archive_bad_member_name", "entry of the archive"
    )
    assert error.params["reason"] == reason


def test_a_symbolic_link_entry_is_refused(valid):
    """Check that an entry whose attributes mark it a symbolic link is refused."""
    link = zipfile.ZipInfo("link.json")
    link.create_system = 3
    link.external_attr = 0o120777 << 16
    error = _refused(
        _rebuilt(valid, extra=[(link, b"/etc/passwd")]), "archive_bad_member_name", "link"
    )
    assert error.params["reason"] == "link"


def test_duplicate_names_are_refused(valid):
    """Check that two entries with one name are refused, whichever would win."""
    error = _refused(
        _rebuilt(valid, extra=[("settings.json", b"{}")]), "archive_duplicate_member", "two entries"
    )
    assert error.params["member"] == "settings.json"


@pytest.mark.parametrize("name", ["notes.txt", "Settings.json", "extra/model.ubj"])
def test_members_the_manifest_does_not_list_are_refused(valid, name):
    """Check that any entry beyond the manifest's list is refused."""
    error = _refused(_rebuilt(valid, extra=[(name, b"{}")]), "archive_unlisted_member", "not list")
    assert error.params == {"member": name, "count": 1}


def test_a_listed_member_that_is_absent_is_refused(valid):
    """Check that a member the manifest lists but the archive lacks is refused."""
    error = _refused(_rebuilt(valid, drop=("schema.json",)), "archive_missing_member", "missing")
    assert error.params == {"member": "schema.json", "reason": "absent"}


def test_a_needed_member_left_out_of_the_manifest_is_refused(valid):
    """Check that a manifest without a required member is refused, naming it."""

    def without_shap(document):
        document["members"] = [m for m in document["members"] if "shap" not in m["name"]]
        return document

    data = _rebuilt(valid, drop=("shap_values.parquet",), manifest=without_shap)
    error = _refused(data, "archive_missing_member", "missing")
    assert error.params == {"member": "shap_values.parquet", "reason": "required"}


def test_changed_bytes_are_refused_by_hash_and_size(valid):
    """Check that a changed byte fails the SHA-256 check and an added byte the size check."""
    settings = _members(valid)["settings.json"]
    flipped = settings.replace(b'"seed"', b'"seeD"', 1)
    error = _refused(
        _rebuilt(valid, replace={"settings.json": flipped}, relist=False),
        "archive_hash_mismatch",
        "changed or damaged",
    )
    assert error.params == {"member": "settings.json", "reason": "sha256"}
    longer = _rebuilt(valid, replace={"settings.json": settings + b" "}, relist=False)
    error = _refused(longer, "archive_hash_mismatch", "size")
    assert error.params["reason"] == "size"


@pytest.mark.parametrize("member", ["settings.json", "shap_values.parquet", "model.ubj"])
@pytest.mark.parametrize("kind", sorted(PICKLES))
def test_a_pickle_member_is_refused_by_content(valid, member, kind):
    """Check that pickle bytes under any member name are refused even with a matching hash."""
    data = _rebuilt(valid, replace={member: PICKLES[kind]})
    error = _refused(data, "archive_pickle", "pickle")
    assert error.params["member"] == member


def test_a_member_that_expands_past_its_declared_size_is_refused(valid):
    """Check a zip bomb whose index understates a member's size: caught while inflating."""
    bomb = b"0" * 20_000_000

    def listed(document):
        entry = {"name": "audit.json", "kind": "json", "sha256": "0" * 64, "size": 1000}
        document["members"].append(entry)
        return document

    data = _rebuilt(valid, extra=[("audit.json", bomb)], manifest=listed)
    size = struct.pack("<I", 1000)
    data = _patched(data, "audit.json", local={22: size}, central={24: size})
    error = _refused(data, "archive_expands_too_much", "more than it declares")
    assert error.params["reason"] == "more_than_declared"


def test_an_archive_that_honestly_unpacks_too_far_is_refused(valid):
    """Check that declared sizes over the limit are refused before anything is inflated."""
    error = _refused(valid, "archive_expands_too_much", "unpack", max_expanded=10_000)
    assert error.params["reason"] == "declared" and error.params["limit_bytes"] == 10_000


def test_too_many_entries_are_refused(valid):
    """Check the entry limit, from the end record, before the index is read."""
    _refused(valid, "archive_too_many_members", "entries", max_members=4)
    many = _rebuilt(valid, extra=[(f"x{i}.json", b"{}") for i in range(40)])
    error = _refused(many, "archive_too_many_members", "entries")
    assert error.params["limit"] == 32


def test_a_file_over_the_size_limit_is_refused(valid, tmp_path):
    """Check the file-size limit, for bytes and for a path."""
    _refused(valid, "archive_too_large", "larger than the limit", max_bytes=1000)
    path = tmp_path / "big.xai"
    path.write_bytes(valid)
    error = _refused(path, "archive_too_large", "larger", max_bytes=1000)
    assert error.params["size_bytes"] == len(valid)


@pytest.mark.parametrize(
    ("version", "code", "match"),
    [
        (3, "archive_newer_version", "made by a newer version of the app.*Update the app"),
        (99, "archive_newer_version", "newer version"),
        (0, "archive_old_version", "older than any"),
        ("1", "archive_bad_manifest", "schema_version"),
        (True, "archive_bad_manifest", "schema_version"),
        (None, "archive_bad_manifest", "schema_version"),
    ],
)
def test_schema_versions_are_checked(valid, version, code, match):
    """Check that a newer version says so, an older one says why, a bad one is refused."""
    data = _rebuilt(valid, manifest=lambda d: {**d, "schema_version": version})
    _refused(data, code, match)


@pytest.mark.parametrize(
    ("manifest", "reason"),
    [
        (b"{not json", "not_json"),
        (b"[]", "not_object"),
        (b'{"format": "xai-analysis", "schema_version": NaN}', "not_json"),
        (b'{"format": "xai-analysis", "format": "xai-analysis"}', "not_json"),
        (b"\xef\xbb\xbf{}", "not_json"),
        (b'{"format": "other"}', "format"),
    ],
)
def test_a_corrupt_manifest_is_refused(valid, manifest, reason):
    """Check that a manifest that is not strict JSON describing an analysis is refused."""
    error = _refused(
        _rebuilt(valid, manifest=lambda d: manifest), "archive_bad_manifest", "manifest"
    )
    assert error.params["reason"] == reason


def test_a_missing_manifest_is_refused(valid):
    """Check that an archive without manifest.json is refused."""
    error = _refused(
        _rebuilt(valid, drop=("manifest.json",)), "archive_bad_manifest", "no manifest"
    )
    assert error.params["reason"] == "missing"


@pytest.mark.parametrize("kind", ["pickle", "parquet", "joblib", "npy"])
def test_a_member_kind_other_than_expected_is_refused(valid, kind):
    """Check that only JSON, Parquet and XGBoost kinds, each for its own member, are accepted."""

    def relabel(document):
        for entry in document["members"]:
            if entry["name"] == "settings.json":
                entry["kind"] = kind
        return document

    error = _refused(_rebuilt(valid, manifest=relabel), "archive_bad_kind", "must be json")
    assert error.params["member"] == "settings.json"


def test_an_unknown_member_is_refused_even_when_listed(valid):
    """Check that a member this version does not know is refused, listed and hashed or not."""

    def listed(document):
        digest = hashlib.sha256(b"{}").hexdigest()
        document["members"].append({"name": "run.py", "kind": "json", "sha256": digest, "size": 2})
        return document

    data = _rebuilt(valid, extra=[("run.py", b"{}")], manifest=listed)
    assert _refused(data, "archive_unknown_member", "does not know").params["member"] == "run.py"


@pytest.mark.parametrize(
    ("member", "content", "kind"),
    [
        ("settings.json", "parquet", "JSON"),
        ("shap_values.parquet", b'{"a": 1}', "Parquet"),
        ("model.ubj", b'{"learner": {}}', "XGBoost UBJSON model"),
        ("model.ubj", b"PAR1....PAR1", "XGBoost UBJSON model"),
    ],
)
def test_content_that_is_not_its_kind_is_refused(valid, member, content, kind):
    """Check that each member's bytes are sniffed: JSON parses, Parquet and models by magic."""
    raw = _members(valid)["split.parquet"] if content == "parquet" else content
    error = _refused(_rebuilt(valid, replace={member: raw}), "archive_bad_content", "is not the")
    assert error.params == {"member": member, "kind": kind}


def test_a_damaged_model_is_refused_by_the_sandboxed_check(valid):
    """Check that UBJSON-looking bytes XGBoost cannot load are refused by the child process."""
    data = _rebuilt(valid, replace={"model.ubj": b"{i\x05learnU\x01}"})
    error = _refused(data, "archive_bad_model", "separate process")
    assert error.params["reason"] == "model_unreadable"


def test_encrypted_and_unusual_compression_are_refused(valid):
    """Check that the encrypted flag and a compression other than deflate are refused."""
    flag = _patched(valid, "schema.json", local={}, central={8: b"\x01\x00"})
    assert _refused(flag, "archive_unsupported_member", "encrypted").params["reason"] == "encrypted"
    method = _patched(valid, "schema.json", local={}, central={10: b"\x0c\x00"})
    error = _refused(method, "archive_unsupported_member", "compression")
    assert error.params["reason"] == "compression"


def test_a_local_header_that_renames_its_entry_is_refused(valid):
    """Check that an entry whose own header names another file than the index is refused."""
    data = _patched(valid, "schema.json", local={30: b"Schema"}, central={})
    assert _refused(data, "archive_bad_member_name", "different name").params["reason"] == "renamed"


def test_a_nested_parquet_column_is_refused(valid):
    """Check that a Parquet member with a list column is refused as not plain."""
    buffer = io.BytesIO()
    pq.write_table(pa.table({"split": [["train"]], "position": [0]}), buffer)
    data = _rebuilt(valid, replace={"split.parquet": buffer.getvalue()})
    error = _refused(data, "archive_bad_member", "does not hold")
    assert error.params == {"member": "split.parquet", "field": "split"}


def test_settings_with_an_unknown_task_are_refused(valid):
    """Check that a field outside its allowed values is refused, naming the field."""
    document = json.loads(_members(valid)["settings.json"])
    document["model"]["task"] = "ranking"
    data = _rebuilt(valid, replace={"settings.json": json.dumps(document).encode()})
    error = _refused(data, "archive_bad_member", "model.task")
    assert error.params == {"member": "settings.json", "field": "model.task"}


def test_opening_writes_nothing(valid, monkeypatch):
    """Check that opening, refused or not, never opens a file for writing."""
    real_open = builtins.open

    def read_only(file, mode="r", *args, **kwargs):
        assert not set(mode) & set("wax+"), (file, mode)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", read_only)
    assert open_analysis(valid).has_table
    _refused(_rebuilt(valid, extra=[("../x", b"")]), "archive_bad_member_name", "entry")


def test_a_zip64_entry_count_is_read_before_the_index():
    """Check that a zip64 end record claiming 70,000 entries is refused before parsing them."""
    small = _zip([("manifest.json", b"{}")])
    end = small.rfind(b"PK\x05\x06")
    directory_size, directory_at = struct.unpack_from("<II", small, end + 12)
    record_at = end
    record = b"PK\x06\x06" + struct.pack(
        "<QHHIIQQQQ", 44, 45, 45, 0, 0, 70_000, 70_000, directory_size, directory_at
    )
    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, record_at, 1)
    tail = bytearray(small[end:])
    tail[8:12] = b"\xff\xff\xff\xff"
    error = _refused(
        small[:end] + record + locator + bytes(tail), "archive_too_many_members", "entries"
    )
    assert error.params == {"count": 70_000, "limit": 32}
