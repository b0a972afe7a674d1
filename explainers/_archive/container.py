"""The ZIP container of a saved analysis: written deterministically, read as strictly as an upload.

Reading checks, before any member is unpacked: the entry count (from the end
record, then the index), every name (no absolute paths, ``..``, backslashes,
drive letters, control characters, folders or links), duplicates, encryption and
compression, the sizes the index declares against the limit, and that each entry's
own header agrees with the index and no two entries overlap. Each member is then
inflated here with zlib into at most its declared size plus one byte, so a member
that expands past what it declares is caught as it is read, and its CRC is checked.
Everything happens in memory.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from .content import is_pickle
from .refusals import (
    bad_member_name,
    damaged,
    duplicate_member,
    expands_too_much,
    not_zip,
    pickle_content,
    too_many_members,
    unsupported_member,
)

_LOCAL = b"PK\x03\x04"
_END = b"PK\x05\x06"
_END64, _END64_LOCATOR = b"PK\x06\x06", b"PK\x06\x07"
_END_SEARCH = 22 + 0xFFFF
_STORED, _DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
_MAX_NAME = 255
_FILE_TYPE = 0o170000
_REGULAR, _FOLDER, _LINK = 0o100000, 0o040000, 0o120000
_UTF8_FLAG, _ENCRYPTED_FLAG = 0x800, 0x1
_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Entry:
    """A checked entry: its index record and where its compressed bytes start."""

    name: str
    info: zipfile.ZipInfo
    start: int


def write_zip(members: Iterable[tuple[str, bytes]]) -> bytes:
    """A ZIP of ``members`` in order: deflated, fixed dates and permissions, no folders."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_DATE)
            info.compress_type = _DEFLATED
            info.create_system = 3
            info.external_attr = (_REGULAR | 0o644) << 16
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


def list_entries(data: bytes, *, max_members: int, max_expanded: int) -> dict[str, Entry]:
    """Check the archive's structure and return its entries by name; nothing is unpacked.

    Raises
    ------
    DataError
        ``archive_not_zip``, ``archive_pickle``, ``archive_too_many_members``,
        ``archive_bad_member_name``, ``archive_duplicate_member``,
        ``archive_unsupported_member``, ``archive_expands_too_much`` or ``archive_damaged``.
    """
    if not data.strip():
        raise not_zip("empty")
    if is_pickle(data):
        raise pickle_content(None)
    if not data.startswith(_LOCAL):
        raise not_zip("other")
    declared = _declared_count(data)
    if declared is not None and declared > max_members:
        raise too_many_members(declared, max_members)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception:  # noqa: BLE001 - any failure to read the index: a damaged archive
        raise not_zip("damaged") from None
    if len(infos) > max_members:
        raise too_many_members(len(infos), max_members)
    seen: set[str] = set()
    for info in infos:
        _check_name(info)
        if info.orig_filename in seen:
            raise duplicate_member(info.orig_filename)
        seen.add(info.orig_filename)
        if info.flag_bits & _ENCRYPTED_FLAG:
            raise unsupported_member(info.orig_filename, "encrypted")
        if info.compress_type not in (_STORED, _DEFLATED):
            raise unsupported_member(info.orig_filename, "compression")
    if sum(info.file_size for info in infos) > max_expanded:
        raise expands_too_much("declared", max_expanded)
    return {entry.name: entry for entry in _located(data, infos)}


def read_member(data: bytes, entry: Entry, *, cap: int) -> bytes:
    """Inflate one entry into at most ``cap`` bytes, refusing more than it declares.

    Raises
    ------
    DataError
        ``archive_expands_too_much`` or ``archive_damaged``.
    """
    info = entry.info
    if info.file_size > cap:
        raise expands_too_much("declared", cap, entry.name)
    raw = data[entry.start : entry.start + info.compress_size]
    if info.compress_type == _STORED:
        if info.compress_size != info.file_size:
            raise damaged(entry.name, "size")
        out = raw
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            out = inflater.decompress(raw, info.file_size + 1)
        except zlib.error:
            raise damaged(entry.name, "bad_deflate") from None
        if len(out) > info.file_size:
            raise expands_too_much("more_than_declared", cap, entry.name)
        if not inflater.eof or len(out) != info.file_size:
            raise damaged(entry.name, "truncated")
    if zlib.crc32(out) != info.CRC:
        raise damaged(entry.name, "crc")
    return out


def _declared_count(data: bytes) -> int | None:
    """Entry count the end record (or the zip64 one) declares, before the index is parsed."""
    position = data.rfind(_END, max(0, len(data) - _END_SEARCH))
    if position < 0 or position + 22 > len(data):
        return None
    (count,) = struct.unpack_from("<H", data, position + 10)
    if count != 0xFFFF:
        return int(count)
    locator = position - 20  # zip64: the locator sits just before the end record
    if locator < 0 or data[locator : locator + 4] != _END64_LOCATOR:
        return None
    (record,) = struct.unpack_from("<Q", data, locator + 8)
    if record + 40 > len(data) or data[record : record + 4] != _END64:
        return None
    (total,) = struct.unpack_from("<Q", data, record + 32)
    return int(total)


def _check_name(info: zipfile.ZipInfo) -> None:
    name = info.orig_filename
    reason = _name_problem(name)
    if reason is None and info.filename != name:
        reason = "control"  # zipfile cut the name at a NUL
    mode = info.external_attr >> 16
    kind = mode & _FILE_TYPE
    if reason is None and (info.is_dir() or kind == _FOLDER):
        reason = "directory"
    if reason is None and kind == _LINK:
        reason = "link"
    if reason is None and kind not in (0, _REGULAR):
        reason = "special"
    if reason is not None:
        raise bad_member_name(name, reason)


def _name_problem(name: str) -> str | None:
    if not name:
        return "empty"
    if len(name) > _MAX_NAME:
        return "too_long"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "control"
    if "\\" in name:
        return "backslash"
    if name.startswith("/"):
        return "absolute"
    if ":" in name:
        return "drive"
    if name.endswith("/"):
        return "directory"
    if any(part in ("", ".", "..") for part in name.split("/")):
        return "parent"
    return None


def _located(data: bytes, infos: list[zipfile.ZipInfo]) -> list[Entry]:
    """Each entry's data offset, after checking its local header; entries may not overlap."""
    entries = []
    end_of_previous = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        name = info.orig_filename
        start = info.header_offset
        if start < end_of_previous or data[start : start + 4] != _LOCAL or start + 30 > len(data):
            raise damaged(name, "overlap" if start < end_of_previous else "local_header")
        name_length, extra_length = struct.unpack_from("<HH", data, start + 26)
        try:
            expected = name.encode("utf-8" if info.flag_bits & _UTF8_FLAG else "cp437")
        except UnicodeEncodeError:
            raise bad_member_name(name, "renamed") from None
        if data[start + 30 : start + 30 + name_length] != expected:
            raise bad_member_name(name, "renamed")
        body = start + 30 + name_length + extra_length
        end_of_previous = body + info.compress_size
        if end_of_previous > len(data):
            raise damaged(name, "truncated")
        entries.append(Entry(name, info, body))
    return entries
