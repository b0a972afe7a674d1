"""A CSV part's cells as the file spells them, for columns the whole table reads as text.

When one part reads a column as numbers (``007`` as 7, ``1.50`` as 1.5) or booleans but
the whole table reads it as text, that part's cells are read again from the file as
text and cleaned the way the reader cleans a text column: spaces stripped, missing
markers (:data:`explainers._io.cleaning.MISSING_TOKENS`) missing. The file is parsed
with the part's own encoding, delimiter and header, as :func:`explainers.read_table`
parsed it.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .._errors import DataError
from .._io.cleaning import MISSING_TOKENS, clean_frame
from .._io.column_names import safe_column_names
from .._io.decoding import decode_text
from .._io.delimited import (
    drop_repeated_headers,
    fallback_delimiter,
    read_header,
    separated_by_spaces,
    spaces_to_tabs,
    strip_preamble,
)
from .._io.reading import Table

_DIGIT = re.compile(r"\d")
_WORD_CHARS = 20
"""Longest word the reader may read as missing in a column of numbers."""


def read_text_columns(path: str, table: Table, columns: Sequence[str]) -> pd.DataFrame:
    """The cells of ``columns`` (safe names) of the CSV part ``path``, cleaned as text.

    ``table`` is the part as :func:`explainers.read_table` read it: its delimiter and
    row count are the ones this read must match.

    Raises
    ------
    DataError
        ``parts_disagree`` when the part cannot be parsed again the same way.
    """
    data = Path(path).read_bytes()
    text, encoding, notes = decode_text(data)
    text, hinted, skipped = strip_preamble(text)  # as the reader did: from the header on
    suffix = os.path.splitext(path.lower())[1]
    delimiter = table.delimiter or fallback_delimiter(
        text, prefer="\t" if suffix in (".tsv", ".tab") else None
    )
    spaced = delimiter == " "  # read as the first reading did: as tab-separated text
    if spaced:
        text, delimiter = spaces_to_tabs(text, separated_by_spaces(text) or 0), "\t"
    header = read_header(text, delimiter)
    repeated = 0
    if header is not None:
        text, repeated = drop_repeated_headers(text, header)
    rewritten = spaced or hinted is not None or skipped + repeated > 0
    if encoding == "utf-8-sig" and not rewritten:
        utf8 = data[3:]
    elif encoding == "utf-8" and not notes and not rewritten:
        utf8 = data
    else:
        utf8 = text.encode("utf-8")
    names = list(safe_column_names(header.fields)) if header else []
    offset = len(text[: header.end].encode("utf-8")) if header else 0
    frame = _parse_text(utf8, offset, delimiter, names, list(columns))
    if frame is None or len(frame) != table.n_rows:
        raise DataError(
            f"The part {Path(path).name} could not be read again as text to match the other "
            "parts. Save every part with the same columns, delimiter and encoding.",
            code="part_reread_failed",
            part=Path(path).name,
        )
    return pd.DataFrame({c: text_cells(frame[c]) for c in columns})


def _parse_text(
    utf8: bytes, offset: int, delimiter: str, names: list[str], columns: list[str]
) -> pd.DataFrame | None:
    if not set(columns) <= set(names):
        return None
    quoted = utf8.find(b'"', offset) >= 0
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(utf8)[offset:]),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted),
            convert_options=pacsv.ConvertOptions(
                include_columns=columns,
                column_types=dict.fromkeys(columns, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
            ),
        )
        return table.to_pandas()
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - pyarrow refuses some files the reader's pandas path takes
        pass
    try:
        body = io.BytesIO(utf8)
        body.seek(offset)
        return pd.read_csv(
            body,
            sep=delimiter,
            engine="c",
            header=None,
            names=names,
            usecols=columns,
            index_col=False,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
        )
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - reported by the caller as a DataError
        return None


def text_cells(series: pd.Series) -> pd.Series:
    """Cells as the reader leaves a text column: stripped, missing markers missing."""
    values = series.astype("object").to_numpy()
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        stripped = value.strip() if isinstance(value, str) else None
        out[i] = None if stripped is None or stripped in MISSING_TOKENS else stripped
    return pd.Series(out, index=series.index, name=series.name).astype("str")


def short_words(values: Sequence[str]) -> list[str]:
    """The values that the reader may take as missing in a column of numbers: no digit,
    at most 20 characters (``pending``, ``unknown``)."""
    return [v for v in values if not _DIGIT.search(v) and len(v) <= _WORD_CHARS]


def numbers_under_words(series: pd.Series, delimiter: str | None) -> bool:
    """Tell whether a text column of a part is numbers apart from a few short words.

    The reader keeps such a column as text when the words are more than 5 % of its
    cells or more than five distinct words; over the whole table they may be fewer.
    """
    values = [str(v) for v in series.dropna().unique()]
    words = set(short_words(values))
    rest = [v for v in values if v not in words]
    if not words or not rest:
        return False
    column = pd.Series(rest, dtype="str")
    if pd.to_numeric(column, errors="coerce").notna().all():
        return True  # plain numbers: the parser reads them, cleaning leaves them alone
    cleaned, _ = clean_frame(pd.DataFrame({"v": column}), delimiter=delimiter)
    return bool(pd.api.types.is_numeric_dtype(cleaned["v"]))
