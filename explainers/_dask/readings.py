"""One reading of each CSV column for the whole table of parts.

:func:`explainers.read_table` decides from a file's own cells whether a column holds
numbers, booleans or text, and how numbers are written (thousands separators, decimal
commas, percent, words meaning "missing"). Parts are files of their own, so one part
may read ``1,234`` as a number and another ``pending`` as text. The table's reading of
each column is decided once, on the client, from what every part's reader found, and
every part is then brought to it (:func:`conform`), so that a table of parts reads as
the same rows in one CSV file would:

- a part with no value in a column does not vote; it takes the others' type;
- numbers in every part: numbers (``int64`` when every part has whole numbers and no
  missing cell, else ``float64``), provided the parts write them alike: percent in all
  parts or none, the same decimal mark (a decimal comma ``1.234,5`` in one part and a
  decimal point ``1,234.5`` or ``1.5`` in another), at most five distinct words read
  as missing over all parts; otherwise one file would keep the column as text, and
  the parts are refused (``parts_disagree``);
- booleans in every part: booleans (``bool``, or ``object`` with NaN when one is missing);
- text in some part, beside numbers or booleans in others: text, and the parts read
  as numbers or booleans are read again as the file spells them (``007``, ``1.50``),
  unless a text part is numbers apart from a few words (``pending``), which one file
  might read as missing: that is refused (``parts_disagree``), since deciding it would
  need every cell of every part; numbers beside booleans are refused too.

Parquet parts keep their own types (a Parquet column has one type in its file).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .._errors import DataError
from .._io.cleaning import _UNKNOWN_WORDS, MISSING_TOKENS
from .._io.reading import Table
from .csv_text import numbers_under_words, read_text_columns

PartKind = Literal["empty", "integer", "number", "boolean", "text"]
Target = Literal["int64", "float64", "bool", "boolean", "text"]
DecimalMark = Literal["comma", "point", "none"]
MAX_WORDS = 5
"""Distinct words one CSV file may read as missing in a column of numbers."""
TEXT_DTYPE = str(pd.Series(["a"]).astype("str").dtype)
_DTYPES: dict[Target, str] = {
    "int64": "int64",
    "float64": "float64",
    "bool": "bool",
    "boolean": "object",
    "text": TEXT_DTYPE,
}


@dataclass(frozen=True)
class ColumnReading:
    """How a part's reader read one column.

    ``has_missing`` tells that a cell is missing; ``decimal`` is the decimal mark its
    numbers show (``none``: whole numbers only, no separators); ``words`` the words
    (not missing markers) read as missing; ``hidden_numbers`` tells that a text column
    is numbers apart from a few words.
    """

    kind: PartKind
    has_missing: bool = False
    percent: bool = False
    decimal: DecimalMark = "none"
    words: tuple[str, ...] = ()
    hidden_numbers: bool = False


def part_readings(path: str, table: Table) -> dict[str, ColumnReading]:
    """The reading of each column of a CSV part (runs on a worker)."""
    frame = table.frame
    formats = {c.column: set(c.formats) for c in table.reading.converted}
    words = {
        m.column: tuple(
            t for t in m.tokens if t not in MISSING_TOKENS and t.lower() not in _UNKNOWN_WORDS
        )
        for m in table.reading.missing
    }
    thousands = [
        str(c)
        for c in frame.columns
        if {"thousands_separator"} <= formats.get(str(c), set())
        and "decimal_comma" not in formats.get(str(c), set())
    ]
    # "1.234.567" (decimal comma) and "1,234" (decimal point) both give whole numbers:
    # the separator in the file tells them apart.
    raw = read_text_columns(path, table, thousands) if thousands else pd.DataFrame()
    readings: dict[str, ColumnReading] = {}
    for name in frame.columns:
        column, key = frame[name], str(name)
        kind, missing = _kind(column), bool(column.isna().any())
        if kind in ("integer", "number"):
            found = formats.get(key, set())
            if "decimal_comma" in found:
                decimal: DecimalMark = "comma"
            elif key in raw.columns:
                commas = raw[key].dropna().str.contains(",", regex=False).any()
                decimal = "point" if commas else "comma"
            else:
                values = column.to_numpy(dtype=np.float64, na_value=np.nan)
                finite = values[np.isfinite(values)]
                decimal = "point" if (finite != np.round(finite)).any() else "none"
            readings[key] = ColumnReading(
                kind, missing, "percent" in found, decimal, tuple(sorted(words.get(key, ())))
            )
        elif kind == "text":
            hidden = numbers_under_words(column, table.delimiter)
            readings[key] = ColumnReading(kind, missing, hidden_numbers=hidden)
        else:
            readings[key] = ColumnReading(kind, missing)
    return readings


def _kind(column: pd.Series) -> PartKind:
    if column.isna().all():
        return "empty"
    if pd.api.types.is_bool_dtype(column):
        return "boolean"
    if pd.api.types.is_integer_dtype(column):
        return "integer"
    if pd.api.types.is_numeric_dtype(column):
        return "number"
    if all(isinstance(v, bool | np.bool_) for v in column.dropna().unique()):
        return "boolean"
    return "text"


def decide_targets(
    paths: tuple[str, ...], readings: list[dict[str, ColumnReading]], display: dict[str, str]
) -> dict[str, Target]:
    """The table's reading of every column, from each part's (``readings``, in order).

    Raises
    ------
    DataError
        ``parts_disagree`` when the parts write a column in ways that one file would
        read differently from every part; the message names the column and a part.
    """
    targets: dict[str, Target] = {}
    for name in readings[0]:
        found = [(Path(p).name, r[name]) for p, r in zip(paths, readings, strict=True)]
        voting = [(part, r) for part, r in found if r.kind != "empty"]
        kinds = {r.kind for _, r in voting}
        has_empty = len(voting) < len(found)
        shown = display.get(name, name)
        if not voting:
            targets[name] = "float64"
        elif kinds <= {"integer", "number"}:
            _check_numbers(shown, voting)
            targets[name] = "int64" if kinds == {"integer"} and not has_empty else "float64"
        elif kinds == {"boolean"}:
            missing = has_empty or any(r.has_missing for _, r in voting)
            targets[name] = "boolean" if missing else "bool"
        elif "text" in kinds and not ("boolean" in kinds and kinds & {"integer", "number"}):
            hidden = [part for part, r in voting if r.hidden_numbers]
            if hidden and kinds & {"integer", "number"}:
                raise _disagree(
                    shown,
                    hidden[0],
                    "has a few words where the other parts have numbers",
                    "Write a missing value as an empty cell or NA in every part",
                )
            targets[name] = "text"
        else:
            part = next(p for p, r in voting if r.kind == "boolean")
            raise _disagree(
                shown,
                part,
                "holds booleans (True/False) where other parts have numbers",
                "Write the column the same way in every part (0/1, or True/False)",
            )
    return targets


def _check_numbers(shown: str, voting: list[tuple[str, ColumnReading]]) -> None:
    if len({r.percent for _, r in voting}) > 1:
        part = next(p for p, r in voting if r.percent != voting[0][1].percent)
        raise _disagree(
            shown,
            part,
            "is written with % in some parts and without it in others",
            "Write it the same way in every part (with % everywhere, or as plain numbers)",
        )
    marks = {r.decimal for _, r in voting} - {"none"}
    if len(marks) > 1:
        part = next(p for p, r in voting if r.decimal == "comma")
        raise _disagree(
            shown,
            part,
            "has a decimal comma in some parts and a decimal point in others",
            "Write its numbers with the same decimal mark in every part",
        )
    if len({w for _, r in voting for w in r.words}) > MAX_WORDS:
        part = next(p for p, r in voting if r.words)
        raise _disagree(
            shown,
            part,
            f"has more than {MAX_WORDS} different words read as missing over the parts",
            "Write a missing value as an empty cell or NA in every part",
        )


def _disagree(column: str, part: str, what: str, todo: str) -> DataError:
    return DataError(
        f"The column {column!r} {what} (see the part {part}), so the parts cannot be read "
        f"as one CSV file of the same rows would be. {todo}, then run again.",
        code="parts_disagree",
        column=column,
        part=part,
    )


def needs_conform(dtypes: dict[str, str], targets: dict[str, Target]) -> bool:
    """Tell whether a part read with ``dtypes`` differs from the table's reading."""
    return any(dtypes[name] != _DTYPES[target] for name, target in targets.items())


def conform(path: str, table: Table, targets: dict[str, Target]) -> pd.DataFrame:
    """The part's frame with every column brought to the table's reading (on a worker)."""
    frame = table.frame
    changed: dict[str, pd.Series] = {}
    reread: list[str] = []
    for name, target in targets.items():
        column = frame[name]
        if str(column.dtype) == _DTYPES[target]:
            continue
        if column.isna().all():
            empty = np.full(len(column), np.nan, dtype=np.float64)
            changed[name] = pd.Series(empty, index=frame.index).astype(_DTYPES[target])
        elif target == "text" and _kind(column) != "text":
            reread.append(name)
        else:
            changed[name] = column.astype(_DTYPES[target])
    if reread:
        text = read_text_columns(path, table, reread)
        changed.update({c: text[c].set_axis(frame.index) for c in reread})
    return frame.assign(**changed) if changed else frame
