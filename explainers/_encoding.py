"""What the bytes of an upload are: a binary table format, or text in some encoding.

The format is decided by content (magic bytes), never by the file name alone, and
text is decoded with the first encoding that fits: a byte-order mark, UTF-8, CP949
(Korean Excel exports; it covers EUC-KR) when the result reads as Korean, and
finally Windows-1252 or Latin-1, which never fail.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Literal

from ._errors import DataError

ContentKind = Literal["parquet", "zip", "text"]

_HEAD = 8192
_KOREAN_SAMPLE = 1_000_000
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
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
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HANGUL_INSIDE_LATIN = re.compile(r"(?<=[A-Za-z])[\uac00-\ud7a3](?=[A-Za-z])")

_UPLOAD_HINT = "Upload a CSV, TSV, Excel (.xlsx) or Parquet file."


def sniff_content(data: bytes) -> ContentKind:
    """Say which reader the bytes need, or refuse bytes that are not a table.

    Raises
    ------
    DataError
        ``compressed_file``, ``old_excel`` or ``binary_file``.
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
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if binary is not None or b"\x00" in head or controls * 100 > len(head):
        raise DataError(
            f"This file is not a text table (it looks like {_describe(binary)}). {_UPLOAD_HINT}",
            code="binary_file",
            kind=binary or "unknown",
        )
    return "text"


def decode_text(data: bytes) -> tuple[str, str, tuple[str, ...]]:
    """Decode text bytes; return the text, the encoding's name and warning codes.

    Raises
    ------
    DataError
        ``unknown_encoding`` when a byte-order mark names an encoding the bytes break.
    """
    if data.startswith(_UTF8_BOM):
        return _decode_declared(data, "utf-8-sig"), "utf-8-sig", ()
    if data.startswith(_UTF32_BOMS):
        return _decode_declared(data, "utf-32"), "utf-32", ()
    if data.startswith(_UTF16_BOMS):
        return _decode_declared(data, "utf-16"), "utf-16", ()
    try:
        return data.decode("utf-8"), "utf-8", ()
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        pass
    else:
        if _reads_as_korean(text[:_KOREAN_SAMPLE]):
            return text, "cp949", ()
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    # Multi-byte characters add bytes: a few broken bytes among many good
    # UTF-8 characters is a damaged UTF-8 file, not another encoding.
    if bad * 100 <= len(data) - len(text):
        return text, "utf-8", ("invalid_bytes_replaced",)
    if re.search(rb"[\x80-\x9f]", data):
        try:
            return data.decode("cp1252"), "cp1252", ("encoding_guessed",)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1"), "latin-1", ("encoding_guessed",)


def _reads_as_korean(text: str) -> bool:
    """Tell Korean CP949 text from Western text that happens to decode as CP949.

    Most double-byte characters must come from KS X 1001 (both bytes >= 0xA1)
    and be Hangul syllables, and Hangul must not sit between Latin letters the
    way accented letters do ("Größe" decodes to "Gr" + a Hanja + "e").
    """
    counts = Counter(_NON_ASCII.findall(text))
    total = sum(counts.values())
    if not total:
        return False
    ksx = sum(n for char, n in counts.items() if _in_ks_x_1001(char))
    hangul = len(_HANGUL.findall(text))
    inside_latin = len(_HANGUL_INSIDE_LATIN.findall(text))
    return ksx * 2 > total and hangul * 2 > total and inside_latin * 2 < hangul


def _in_ks_x_1001(char: str) -> bool:
    encoded = char.encode("cp949")
    return len(encoded) == 2 and encoded[0] >= 0xA1 and encoded[1] >= 0xA1


def _decode_declared(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        raise DataError(
            f"The file starts with a {encoding.upper()} byte-order mark, but line {line} is "
            f"not valid {encoding.upper()}. Save the file again as UTF-8 and upload it again.",
            code="unknown_encoding",
            encoding=encoding,
            line=line,
        ) from None


def _compressed(kind: str) -> DataError:
    return DataError(
        f"This file is compressed ({kind}). Compressed files are not opened, to keep "
        f"oversized contents out; decompress it first and upload the table inside. "
        f"{_UPLOAD_HINT}",
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
