"""Delimited text: the delimiter, the header, and the first row that breaks the table.

Records are read with the :mod:`csv` module, which splits fields and quotes the
way pandas' C parser does. A marker line is chained after the text: it comes
back as a record of its own unless a quote left open swallows it, which is how
an unclosed quote is told apart from a well-formed last record.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from .._errors import DataError

DELIMITERS = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe", " ": "spaces"}
_SAMPLE_LINES = 50
_SAMPLE_CHARS = 1 << 20
_END = "\x00\x1fend-of-text\x1f\x00"
# A field of a table separated by runs of spaces (R's write.table, fixed-width exports): a
# quoted value kept whole, or a run of anything but spaces.
_SPACED_FIELD = re.compile(r'"(?:[^"]|"")*"|[^\s"]\S*')
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_COMMENT = re.compile(r"[ \t]*#")
_MAX_COMMENT_LINES = 1_000
_NON_SPACE = re.compile(r"\S")
_SEP_LINE = re.compile(r'\A[ \t]*"?sep=([,;\t|:])"?[ \t]*\r?\n', re.IGNORECASE)
# A long value (a note, a document) must not pass for a quote that swallowed the
# rest: lift the csv module's 128 KiB field cap for good (raised only, never lowered,
# so that readers in other threads never see it shrink; 2**31 - 1 fits a C long).
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))


@dataclass(frozen=True)
class Header:
    """The header record: its fields, where it ends in the text, the line it starts on."""

    fields: tuple[str, ...]
    end: int
    line: int


def strip_preamble(text: str) -> tuple[str, str | None, int]:
    """The text from its header on: Excel's ``sep=`` line and comment lines above the header
    left out (:func:`strip_delimiter_line`, :func:`strip_comment_lines`), with the delimiter
    the first names and the number of comment lines."""
    text, hinted = strip_delimiter_line(text)
    text, skipped = strip_comment_lines(text)
    return text, hinted, skipped


def strip_delimiter_line(text: str) -> tuple[str, str | None]:
    """The text after Excel's delimiter line, and the delimiter it names.

    Spreadsheets in locales whose lists use another separator write ``sep=;`` (or
    ``"sep=;"``) as the first line; Excel reads it as an instruction, not as data. A text
    without that line comes back whole, with ``None``.
    """
    hinted = _SEP_LINE.match(text)
    if hinted is None:
        return text, None
    return text[hinted.end() :], hinted.group(1)


def strip_comment_lines(text: str) -> tuple[str, int]:
    """The text after the comment lines above its header, and how many there were.

    Instruments, R scripts and many exports open a table with notes on lines starting with
    ``#``. They count as comments only where the first of them is not shaped like the line
    below it (the header): ``#id,age,outcome`` above rows of three fields is a header.
    """
    start = lines = 0
    while lines < _MAX_COMMENT_LINES and _COMMENT.match(text, start):
        end = text.find("\n", start)
        if end < 0:
            return text, 0  # nothing but comments: the reader says the file is empty
        start, lines = end + 1, lines + 1
    if lines == 0 or not _NON_SPACE.search(text, start):
        return text, 0
    delimiter = sniff_delimiter(text[start : start + 65_536])
    first = text[: text.find("\n")]
    end = text.find("\n", start)
    header = text[start : end if end >= 0 else len(text)]
    if delimiter is None or first.count(delimiter) == header.count(delimiter):
        return text, 0
    return text[start:], lines


def sniff_delimiter(text: str, *, prefer: str | None = None) -> str | None:
    """Return the delimiter that splits the first lines most consistently, or None.

    Each candidate is scored on up to 50 records (quotes respected): the share of
    records with the most common field count, plus a bonus when the header has
    that count. A candidate that yields fewer than two fields is no delimiter.
    Ties go to ``prefer`` (a hint from the file name), then to more columns.
    """
    sample, cut = _sample(text)
    best: str | None = None
    best_key: tuple[float, bool, int] | None = None
    for delimiter in DELIMITERS:
        counts = []
        try:
            for _, record in _records(io.StringIO(sample, newline=""), delimiter):
                if not is_blank(record):
                    counts.append(len(record))
        except DataError:
            pass
        if cut and len(counts) > 1:
            counts.pop()
        if not counts:
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = freq / len(counts) + (0.5 if counts[0] == mode else 0.0)
        key = (round(score, 9), delimiter == prefer, mode)
        if best_key is None or key > best_key:
            best, best_key = delimiter, key
    return best


def separated_by_spaces(text: str) -> int | None:
    """The number of fields when runs of spaces split every one of the first records into
    the same number of fields (at least two, numbers among them in most records), where no
    delimiter does; else None. The header may have one field fewer when there are three or
    more: R's write.table leaves the row names' column unnamed."""
    sample, cut = _sample(text)
    lines = [line for line in _lines(sample) if line.strip()]
    if cut and len(lines) > 2:
        lines.pop()
    if len(lines) < 2:
        return None
    records = [_SPACED_FIELD.findall(line) for line in lines[1:]]
    fields = len(records[0])
    if fields < 2 or any(len(r) != fields for r in records):
        return None
    header = len(_SPACED_FIELD.findall(lines[0]))
    if header != fields and not (header == fields - 1 and fields >= 3):
        return None
    with_numbers = sum(any(_NUMBER.match(f) for f in r) for r in records)
    return fields if with_numbers * 2 > len(records) else None


def spaces_to_tabs(text: str, fields: int) -> str:
    """The text with each line's space-separated fields joined by tabs (quoted values kept
    whole); a header one field short of ``fields`` gets an empty first name.

    Raises
    ------
    DataError
        ``ragged_rows`` when a line has another number of fields (a blank value in a
        fixed-width file would shift the values after it into the wrong columns).
    """
    rows: list[str] = []
    header_seen = False
    for number, line in enumerate(_lines(text), start=1):
        found = _SPACED_FIELD.findall(line)
        if not found:
            rows.append("")
            continue
        if not header_seen and len(found) == fields - 1:
            found = ['""', *found]
        if len(found) != fields:
            raise _ragged(number, fields, len(found), " ")
        header_seen = True
        rows.append("\t".join(found))
    return "\n".join(rows) + "\n"


def _lines(text: str) -> list[str]:
    """Lines split at line feeds only (a carriage return before one is dropped)."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def fallback_delimiter(text: str, *, prefer: str | None = None) -> str:
    """Pick a delimiter for one-column text: one that never occurs in it, if any."""
    candidates = ((prefer,) if prefer else ()) + DELIMITERS
    return next((d for d in candidates if d not in text), ",")


def drop_repeated_headers(text: str, header: Header) -> tuple[str, int]:
    """The text without the lines below the header that repeat it exactly, and how many.

    Files joined end to end (``cat part*.csv``) carry each part's header line among the
    rows; read as data it would turn every column into text.
    """
    start = text.rfind("\n", 0, max(header.end - 1, 0)) + 1
    line = text[start : header.end].rstrip("\r\n")
    if not line.strip() or text.find(line, header.end) < 0:
        return text, 0
    repeated = re.compile(rf"^{re.escape(line)}[ \t]*(?:\r\n|\r|\n|\Z)", re.MULTILINE)
    body, count = repeated.subn("", text[header.end :])
    return (text[: header.end] + body, count) if count else (text, 0)


def read_header(text: str, delimiter: str) -> Header | None:
    """Return the first non-blank record, or None when there is none.

    Raises
    ------
    DataError
        ``unclosed_quote`` when the header opens a quote that is never closed.
    """
    buffer = io.StringIO(text, newline="")
    for line, record in _records(buffer, delimiter):
        if is_blank(record):
            continue
        if record[-1].endswith(_END):
            raise _unclosed_quote(line)
        return Header(tuple(record), buffer.tell(), line)
    return None


def find_problem(text: str, delimiter: str) -> tuple[DataError | None, bool]:
    """Scan every record; return the first problem, and whether rows end in a spare delimiter.

    A row with exactly one field more than the header, that field empty, is a
    trailing delimiter (some exporters write one); any other longer row is a
    ``ragged_rows`` problem, and a quote open at the end an ``unclosed_quote``.
    """
    expected: int | None = None
    trailing = False
    try:
        for line, record in _records(io.StringIO(text, newline=""), delimiter):
            if is_blank(record):  # skipped, as pandas does; an empty line is no fields at all
                continue
            if record[-1].endswith(_END):
                return _unclosed_quote(line), False
            if expected is None:
                expected = len(record)
            elif len(record) == expected + 1 and record[-1] == "":
                trailing = True
            elif len(record) > expected:
                return _ragged(line, expected, len(record), delimiter), False
    except DataError as problem:
        return problem, False
    return None, trailing


def quote_left_open(line: str, delimiter: str) -> bool:
    """Tell whether one line, read on its own, ends inside a quoted value."""
    try:
        return any(r and r[-1].endswith(_END) for _, r in _records(io.StringIO(line), delimiter))
    except DataError:
        return True


def is_blank(record: list[str]) -> bool:
    """Blank records (empty or whitespace-only lines) are skipped, as pandas does."""
    return not record or (len(record) == 1 and not record[0].strip(" \t"))


def _records(buffer: io.StringIO, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line, fields); a record still open at the end swallows ``_END``.

    A line break goes before the marker, so that a quote opened by the very last
    character swallows more than the bare marker; otherwise it yields one blank record.
    """
    reader = csv.reader(itertools.chain(buffer, ("\n", _END)), delimiter=delimiter)
    line = 0
    while True:
        start = line + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error:  # a field over 2 GiB: only a quote that swallowed the rest
            raise _unclosed_quote(start) from None
        line = reader.line_num
        if record == [_END]:
            return
        yield start, record


def _sample(text: str) -> tuple[str, bool]:
    end = -1
    for _ in range(_SAMPLE_LINES + 1):
        end = text.find("\n", end + 1, _SAMPLE_CHARS)
        if end < 0:
            return text[:_SAMPLE_CHARS], len(text) > _SAMPLE_CHARS
    return text[: end + 1], end + 1 < len(text)


def _unclosed_quote(line: int) -> DataError:
    return DataError(
        f"A quoted value that starts on line {line} is never closed, so the rest of the file "
        f'would be read as one value. Add the missing closing quote (") or remove the stray '
        f"one, then upload the file again.",
        code="unclosed_quote",
        line=line,
    )


def _ragged(line: int, expected: int, found: int, delimiter: str) -> DataError:
    name = DELIMITER_NAMES[delimiter]
    return DataError(
        f"Line {line} has {found} fields but the header has {expected}. A value there "
        f"probably contains the delimiter ({name}) without quotes around it, or there are "
        f"notes above the header. Fix or remove that line and upload the file again.",
        code="ragged_rows",
        line=line,
        expected=expected,
        found=found,
        delimiter=name,
    )
