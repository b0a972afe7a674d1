"""What the bytes of an upload are: Parquet, a zip (a workbook), or text.

Decided by content (magic bytes), never by the file name alone; compressed files,
old Excel workbooks, images, documents and other binary files are refused.
"""

from __future__ import annotations

import re
from typing import Literal

from .._errors import DataError
from .decoding import utf16_without_bom
from .limits import UPLOAD_HINT

ContentKind = Literal["parquet", "zip", "text"]

_HEAD = 8192
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_COMPRESSED = (
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
)
_BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")
_BINARY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"%PDF-", "pdf"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3\x00", "sqlite"),
)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


def sniff_content(data: bytes) -> ContentKind:
    """Say which reader the bytes need, or refuse bytes that are not a table.

    Raises
    ------
    DataError
        ``compressed_file``, ``old_excel``, ``nul_bytes`` (text with zero bytes in it) or
        ``binary_file``.
    """
    head = data[:_HEAD]
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    for magic, kind in _COMPRESSED:
        if head.startswith(magic):
            raise _compressed(kind)
    if _BZIP2.match(head):
        raise _compressed("bzip2")
    if head.startswith(_OLE2):
        raise DataError(
            "This looks like an old Excel 97-2003 (.xls) file or a password-protected "
            "workbook, which cannot be read. Save it as .xlsx without a password, or as "
            "CSV, and upload it again.",
            code="old_excel",
        )
    if head.startswith(_UTF16_BOMS + (_UTF8_BOM,)):
        return "text"
    binary = next((kind for magic, kind in _BINARY_MAGIC if head.startswith(magic)), None)
    if binary is None and utf16_without_bom(head) is not None:
        return "text"
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    nul = head.count(b"\x00")
    if binary is None and nul and (controls - nul) * 100 <= len(head):
        raise DataError(
            "This file is text with zero bytes (NUL) in it, which a table never holds: it may "
            "be damaged, or cut short by the program that wrote it. Open it in a spreadsheet "
            "or text editor, save it again as CSV (UTF-8) and upload it again.",
            code="nul_bytes",
            offset=head.index(b"\x00"),
        )
    if binary is not None or nul or controls * 100 > len(head):
        raise DataError(
            f"This file is not a text table (it looks like {_describe(binary)}). {UPLOAD_HINT}",
            code="binary_file",
            kind=binary or "unknown",
        )
    return "text"


def _compressed(kind: str) -> DataError:
    return DataError(
        f"This file is compressed ({kind}). Compressed files are not opened, to keep "
        f"oversized contents out; decompress it first and upload the table inside. "
        f"{UPLOAD_HINT}",
        code="compressed_file",
        kind=kind,
    )


def _describe(kind: str | None) -> str:
    if kind in ("png", "jpeg", "gif", "tiff"):
        return f"a {kind.upper()} image"
    if kind == "pdf":
        return "a PDF document"
    if kind is not None:
        return f"a {kind} file"
    return "an image, document or other binary file"
