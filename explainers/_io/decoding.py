"""Decoding text bytes with the first encoding that fits.

A byte-order mark, UTF-16 without one (told by its zero bytes), UTF-8, CP949 (Korean
Excel exports; it covers EUC-KR) when the result reads as Korean, and finally
Windows-1252 or Latin-1, which never fail.
"""

from __future__ import annotations

import re
from collections import Counter

from .._errors import DataError

_KOREAN_SAMPLE = 1_000_000
_UTF16_HEAD = 4096
_TEXT_BYTES = bytes([9, 10, 13, *range(0x20, 0x7F), *range(0xA0, 0x100)])
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_JAMO = re.compile(r"[\u3131-\u318e]")
_ASCII_TEXT = re.compile(r"[\t\n\r\x20-\x7e]")
_HANGUL_INSIDE_LATIN = re.compile(r"(?<=[A-Za-z])[\uac00-\ud7a3](?=[A-Za-z])")


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
    if (utf16 := utf16_without_bom(data)) is not None:
        text = data[: len(data) - len(data) % 2].decode(utf16, errors="replace")
        return text, utf16, ("invalid_bytes_replaced",) if "\ufffd" in text else ()
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


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the first bytes are UTF-16 text without a
    byte-order mark: mostly Latin text, so the high byte of nearly every character (the odd
    bytes for little-endian, the even ones for big-endian) is zero and the other is not; or
    Korean text (see :func:`_korean_utf16`)."""
    head = data[:_UTF16_HEAD]
    head = head[: len(head) - len(head) % 2]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    zero_even, zero_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zero_odd >= 0.9 and zero_even <= 0.05 and _mostly_text(even):
        return "utf-16-le"
    if zero_even >= 0.9 and zero_odd <= 0.05 and _mostly_text(odd):
        return "utf-16-be"
    return next((codec for codec in ("utf-16-le", "utf-16-be") if _korean_utf16(head, codec)), None)


def _korean_utf16(head: bytes, codec: str) -> bool:
    """True when ``head`` reads in ``codec`` as Korean text: 95% of its characters are
    printable ASCII, tab and line breaks (at least a tenth, with a line break: the
    delimiters) or Hangul, and Hangul syllables make up most of the rest. The bytes of an
    ASCII or UTF-8 file never read so: none of them is zero, so no pair reads as ASCII."""
    text = head.decode(codec, errors="replace")  # a pair cut at the head's end: one mark
    ascii_text = len(text) - len(_ASCII_TEXT.sub("", text))
    hangul = len(_HANGUL.findall(text))
    jamo = len(_JAMO.findall(text))
    return (
        "\n" in text
        and ascii_text * 10 >= len(text)
        and (ascii_text + hangul + jamo) * 20 >= len(text) * 19
        and hangul * 2 > len(text) - ascii_text
    )


def _mostly_text(low_bytes: bytes) -> bool:
    """95% of the characters' low bytes are printable Latin-1 or tab and line breaks (numbers
    stored as 16-bit integers have zero high bytes too, but not such low bytes)."""
    other = low_bytes.translate(None, _TEXT_BYTES)
    return len(other) * 20 <= len(low_bytes)


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
