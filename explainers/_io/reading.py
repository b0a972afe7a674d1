"""Reading an uploaded table (CSV, TSV, Excel .xlsx or Parquet) into a clean DataFrame.

The format is decided by content first, then by name. Every problem with the
upload becomes a :class:`DataError` with a stable code; messages name lines and
limits but never quote cell values.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .._errors import DataError
from .._types import Format
from .bounded import read_bounded
from .cleaning import MissingTokens, NumberConversion, clean_frame
from .column_names import is_blank_name, rename_warnings, safe_column_names
from .content import sniff_content
from .decoding import decode_text
from .delimited import (
    drop_repeated_headers,
    fallback_delimiter,
    find_problem,
    quote_left_open,
    read_header,
    separated_by_spaces,
    sniff_delimiter,
    spaces_to_tabs,
    strip_preamble,
)
from .limits import UPLOAD_HINT, check_cells, empty_file, header_only, too_large
from .parquet import arrow_to_pandas, read_parquet
from .workbook import read_workbook

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_CELLS = 60_000_000
# Only empty cells are missing while parsing; every other marker ("NA", ".", "?") is
# read as text and turned into a missing value by .cleaning, which reports it.
_NA_VALUES = [""]
_NEVER_A_TIMESTAMP = "\x01%Y"
_NON_SPACE = re.compile(r"\S")
_NOT_A_TABLE = re.compile(r"\s*([{\[<])")
_HEX_INTEGER = re.compile(rb"0[xX][0-9a-fA-F]")


@dataclass(frozen=True)
class Reading:
    """How the file was read, to be shown to the user.

    ``sheet`` and ``sheets`` are set for workbooks, ``header_row`` is the 0-based
    row of the sheet that held the column names; ``missing`` lists the markers read
    as missing per column and ``converted`` the text columns read as numbers.
    Column names are the table's safe names.
    """

    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    header_row: int = 0
    missing: tuple[MissingTokens, ...] = ()
    converted: tuple[NumberConversion, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table read from an upload, with safe, unique column names."""

    frame: pd.DataFrame
    original_names: dict[str, str]
    source_name: str
    format: Format
    encoding: str | None
    delimiter: str | None
    n_rows: int
    n_columns: int
    warnings: tuple[str, ...]
    reading: Reading = Reading()


def read_table(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_cells: int = DEFAULT_MAX_CELLS,
    sheet: str | None = None,
    header_row: int | None = None,
) -> Table:
    """Read a CSV, TSV, Excel (.xlsx) or Parquet table, and clean its cells.

    Parameters
    ----------
    source
        A path (size checked first), the bytes, or a stream (read to max_bytes + 1).
    name
        The file name shown to the user and used as a format hint; defaults to
        the path's or the stream's name.
    max_bytes, max_cells
        Limits on the file size and on rows x columns.
    sheet, header_row
        For a workbook: the sheet to read (the one with the most data when None)
        and the 0-based row holding the column names (found when None).

    Returns
    -------
    Table
        The frame with safe column names, the mapping back to the file's names,
        and what was detected (format, encoding, delimiter: Excel's ``sep=`` line too).

    Raises
    ------
    DataError
        For every file that cannot be read as a table; ``code`` says why
        (``empty_file``, ``header_only``, ``too_large``, ``ragged_rows``, ...).
    """
    data, default_name = _load_bytes(source, max_bytes)
    source_name = name if name is not None else default_name
    try:
        return _parse(
            data,
            source_name,
            max_bytes=max_bytes,
            max_cells=max_cells,
            sheet=sheet,
            header_row=header_row,
        )
    except DataError:
        raise
    except MemoryError:
        raise DataError(
            "The computer ran out of memory while reading this file. Upload a smaller "
            "file, for example a sample of the rows.",
            code="out_of_memory",
        ) from None
    except Exception as exc:  # noqa: BLE001 - the boundary: nothing but DataError may leave
        raise DataError(
            f"The file could not be read as a table. {UPLOAD_HINT}",
            code="unreadable_table",
            detail=type(exc).__name__,
        ) from None


def _load_bytes(source: object, max_bytes: int) -> tuple[bytes, str]:
    return read_bounded(
        source,
        max_bytes,
        default_name="upload",
        too_large=lambda size: too_large(max_bytes, size),
        cannot_open=_cannot_open,
    )


def _cannot_open(error: OSError, name: str) -> DataError:
    if isinstance(error, FileNotFoundError):
        return DataError(
            "The file was not found. Check the path and try again.",
            code="file_not_found",
            name=name,
        )
    return DataError(
        "The file could not be opened. Check that it is a file you may read.",
        code="unreadable_file",
        name=name,
        detail=type(error).__name__,
    )


def _parse(
    data: bytes,
    source_name: str,
    *,
    max_bytes: int,
    max_cells: int,
    sheet: str | None,
    header_row: int | None,
) -> Table:
    if not data:
        raise empty_file()
    kind = sniff_content(data)
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = []
    fmt: Format
    choice, skipped = None, 0
    if kind == "parquet":
        fmt = "parquet"
        frame, names = read_parquet(data, max_bytes=max_bytes, max_cells=max_cells)
    elif kind == "zip":
        fmt = "xlsx"
        frame, names, choice = read_workbook(
            data, max_bytes=max_bytes, sheet=sheet, header_row=header_row
        )
    else:
        frame, names, notes, encoding, delimiter, skipped = _read_text(data, source_name, max_cells)
        fmt = "tsv" if delimiter == "\t" or _suffix(source_name) in (".tsv", ".tab") else "csv"
    if frame.shape[0] == 0:
        raise header_only()
    empty = [s for s, o in names.items() if is_blank_name(o) and frame[s].isna().all()]
    if empty:
        frame = frame.drop(columns=empty)
        names = {s: o for s, o in names.items() if s not in set(empty)}
        notes.append("empty_columns_dropped")
    if frame.shape[1] == 0:
        raise empty_file()
    check_cells(frame.shape[0], frame.shape[1], max_cells)
    frame, cleaning = clean_frame(frame, delimiter=delimiter)
    reading = Reading(
        sheet=choice.sheet if choice else None,
        sheets=choice.sheets if choice else (),
        header_row=choice.header_row if choice else skipped,
        missing=cleaning.missing,
        converted=cleaning.converted,
    )
    return Table(
        frame=frame.reset_index(drop=True),
        original_names=names,
        source_name=source_name,
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        n_rows=frame.shape[0],
        n_columns=frame.shape[1],
        warnings=tuple(notes + rename_warnings(list(names.values()))),
        reading=reading,
    )


def _read_text(
    data: bytes, source_name: str, max_cells: int
) -> tuple[pd.DataFrame, dict[str, str], list[str], str, str | None, int]:
    text, encoding, decode_notes = decode_text(data)
    notes = list(decode_notes)
    if not _NON_SPACE.search(text):
        raise empty_file()
    prefer = "\t" if _suffix(source_name) in (".tsv", ".tab") else None
    text, hinted, skipped = strip_preamble(text)
    if skipped:
        notes.append("comment_lines_skipped")
    found = hinted or sniff_delimiter(text, prefer=prefer)
    fields = separated_by_spaces(text) if found is None else None
    if spaced := fields is not None:  # read as tab-separated text, said as spaces
        text, delimiter, found = spaces_to_tabs(text, fields), "\t", " "
    elif found is None:
        opening = _NOT_A_TABLE.match(text)
        if opening:
            kind = {"{": "json", "[": "json", "<": "markup"}[opening.group(1)]
            raise DataError(
                f"This file looks like JSON, HTML or XML, not a table with one row per line. "
                f"{UPLOAD_HINT}",
                code="unsupported_format",
                kind=kind,
            )
        notes.append("single_column")
    if not spaced:
        delimiter = found or fallback_delimiter(text, prefer=prefer)
    header = read_header(text, delimiter)
    if header is None:
        raise empty_file()
    text, repeated = drop_repeated_headers(text, header)
    if repeated:
        notes.append("repeated_header_rows")
    if not _NON_SPACE.search(text, header.end):
        raise header_only()
    rewritten = spaced or hinted is not None or skipped + repeated > 0
    if encoding == "utf-8-sig" and not rewritten:
        utf8 = data[3:]
    elif encoding == "utf-8" and not decode_notes and not rewritten:
        utf8 = data
    else:
        utf8 = text.encode("utf-8")
    offset = len(text[: header.end].encode("utf-8"))
    rows = utf8.count(b"\n", offset) + (0 if utf8.endswith(b"\n") else 1)
    check_cells(rows, len(header.fields), max_cells, estimated=True)
    names = safe_column_names(header.fields)
    frame = _arrow_csv(utf8, offset, delimiter, list(names)) if len(names) > 1 else None
    if frame is None:
        problem, trailing = find_problem(text, delimiter)
        if problem is not None:
            raise problem
        if trailing:
            names = safe_column_names([*header.fields, ""])
        frame = _pandas_csv(utf8, offset, delimiter, list(names))
    return frame, names, notes, encoding, found, skipped


def _arrow_csv(utf8: bytes, offset: int, delimiter: str, names: list[str]) -> pd.DataFrame | None:
    """Parse with pyarrow (fast, threaded); None whenever the careful path must decide."""
    quoted = utf8.find(b'"', offset) >= 0
    body = pa.py_buffer(utf8)[offset:]
    try:
        table = _arrow_read(body, delimiter, names, quoted, {})
        temporal = [f.name for f in table.schema if pa.types.is_temporal(f.type)]
        if temporal:  # pandas leaves dates as text; so must this path
            as_text = dict.fromkeys(temporal, pa.string())
            table = _arrow_read(body, delimiter, names, quoted, as_text)
        if quoted and _may_hide_open_quote(table, utf8, delimiter):
            return None
        integers = any(pa.types.is_integer(field.type) for field in table.schema)
        if integers and _HEX_INTEGER.search(utf8, offset):
            return None  # pyarrow reads "0x1F" as 31; pandas (and a spreadsheet) keep the text
        frame = arrow_to_pandas(table)
        for field in table.schema:  # missing booleans are NaN, as pandas has them, not None
            if pa.types.is_boolean(field.type) and table.column(field.name).null_count:
                frame[field.name] = frame[field.name].fillna(float("nan"))
        return frame
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - any trouble: the pandas path gives the exact answer or error
        return None


def _arrow_read(
    body: pa.Buffer, delimiter: str, names: list[str], quoted: bool, types: dict[str, pa.DataType]
) -> pa.Table:
    return pacsv.read_csv(
        pa.BufferReader(body),
        read_options=pacsv.ReadOptions(column_names=names),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            null_values=_NA_VALUES,
            true_values=["True", "TRUE", "true"],
            false_values=["False", "FALSE", "false"],
            strings_can_be_null=True,
            timestamp_parsers=[_NEVER_A_TIMESTAMP],
        ),
    )


def _may_hide_open_quote(table: pa.Table, utf8: bytes, delimiter: str) -> bool:
    """pyarrow reads a quote left open at the end as a value: look for one."""
    if table.num_rows == 0:
        return True
    last = table.slice(table.num_rows - 1).to_pylist()[0].values()
    if any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in last):
        return True
    end = len(utf8)
    while end and utf8[end - 1] in b" \t\r\n":
        end -= 1
    start = max(utf8.rfind(b"\n", 0, end), utf8.rfind(b"\r", 0, end)) + 1
    line = utf8[start:end].decode("utf-8", errors="replace")
    return '"' in line and quote_left_open(line, delimiter)


def _pandas_csv(utf8: bytes, offset: int, delimiter: str, names: list[str]) -> pd.DataFrame:
    # The body only, header=None: with header=0 pandas takes the field count from the
    # first rows, so a trailing delimiter first seen further down fails to parse.
    body = io.BytesIO(utf8)
    body.seek(offset)
    try:
        return pd.read_csv(
            body,
            sep=delimiter,
            engine="c",
            header=None,
            names=names,
            index_col=False,
            encoding="utf-8",
            keep_default_na=False,
            na_values=_NA_VALUES,
            low_memory=False,
        )
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse failure: a DataError, never a traceback
        raise DataError(
            "The file could not be read as a delimited table. Open it in a spreadsheet, "
            "save it again as CSV, and upload it again.",
            code="bad_csv",
            detail=type(exc).__name__,
        ) from None


def _suffix(name: str) -> str:
    return os.path.splitext(name.lower())[1]
