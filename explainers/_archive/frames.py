"""The table's frame to plain Arrow columns and back, each column's pandas dtype kept as a tag.

Columns are named ``c0``, ``c1``, ... in the Parquet file; the names and dtype tags
live in ``settings.json``. Numbers, booleans, text and timestamps are stored as
they are; an object column that Arrow cannot hold as one plain type (mixed values)
is stored as text (``str`` of each value, which is how categories are encoded),
tagged ``text``; ``object`` and ``text`` tags end ``:nan`` when the missing values
were NaN rather than None. No pandas metadata is written or read.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa

NUMERIC_DTYPES = frozenset(
    {
        "bool",
        "boolean",
        *(f"int{b}" for b in (8, 16, 32, 64)),
        *(f"uint{b}" for b in (8, 16, 32, 64)),
        *(f"Int{b}" for b in (8, 16, 32, 64)),
        *(f"UInt{b}" for b in (8, 16, 32, 64)),
        "float32",
        "float64",
        "Float32",
        "Float64",
    }
)
TIMESTAMP_DTYPE = re.compile(r"datetime64\[(s|ms|us|ns)(, [A-Za-z0-9_/+\-:]{1,40})?\]")
TEXT_TAGS = frozenset({"str", "object", "object:nan", "text", "text:nan"})
_OBJECT_TAGS = frozenset(TEXT_TAGS - {"str"})


def column_name(position: int) -> str:
    """The Parquet name of the table's column at ``position``."""
    return f"c{position}"


def _plain(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_boolean(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_null(kind)
    )


def _as_text(column: pd.Series) -> pa.Array:
    missing = column.isna().to_numpy()
    values = [None if gone else str(v) for v, gone in zip(column.tolist(), missing, strict=True)]
    return pa.array(values, type=pa.large_string())


def _missing_tag(column: pd.Series) -> str:
    """``:nan`` when the column's missing values are all NaN (else they come back as None)."""
    missing = column[column.isna()].tolist()
    return ":nan" if missing and all(isinstance(v, float) for v in missing) else ""


def _arrow_column(column: pd.Series) -> tuple[pa.Array, str]:
    dtype = str(column.dtype)
    if dtype in NUMERIC_DTYPES or TIMESTAMP_DTYPE.fullmatch(dtype) or dtype == "str":
        return pa.Array.from_pandas(column), dtype
    if dtype == "object":
        try:
            array = pa.array(column, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            return _as_text(column), "text" + _missing_tag(column)
        if _plain(array.type):
            return array, "object" + _missing_tag(column)
    return _as_text(column), "text" + _missing_tag(column)


def frame_to_arrow(frame: pd.DataFrame) -> tuple[pa.Table, list[str]]:
    """``frame`` as an Arrow table of positional columns, and each column's dtype tag."""
    arrays, tags = [], []
    for position in range(frame.shape[1]):
        array, tag = _arrow_column(frame.iloc[:, position])
        arrays.append(array)
        tags.append(tag)
    names = [column_name(i) for i in range(len(arrays))]
    return pa.table(arrays, names=names), tags


def _fits(kind: pa.DataType, tag: str) -> bool:
    if pa.types.is_null(kind):
        return True
    if tag in TEXT_TAGS:
        text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
        return text or (tag.startswith("object") and _plain(kind))
    if tag in NUMERIC_DTYPES:
        return bool(
            pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)
        )
    return bool(TIMESTAMP_DTYPE.fullmatch(tag) and pa.types.is_timestamp(kind))


def arrow_to_frame(table: pa.Table, names: list[str], tags: list[str]) -> pd.DataFrame | None:
    """The frame back from :func:`frame_to_arrow`'s table, or None when a column does not fit.

    ``names`` are the frame's column names and ``tags`` their dtype tags, in order.
    Missing values in ``object`` and ``text`` columns come back as None, or as NaN
    when the tag ends ``:nan`` (they were all NaN).
    """
    expected = [column_name(i) for i in range(len(names))]
    if table.column_names != expected or len(tags) != len(names):
        return None
    columns: dict[str, pd.Series] = {}
    for position, (name, tag) in enumerate(zip(names, tags, strict=True)):
        chunked = table.column(position)
        if not _fits(chunked.type, tag):
            return None
        series = chunked.to_pandas()
        try:
            if tag in _OBJECT_TAGS:
                values = series.astype(object).to_numpy(copy=True)
                values[pd.isna(values)] = np.nan if tag.endswith(":nan") else None
                series = pd.Series(values, dtype=object)
            else:
                series = series.astype(tag)
        except (TypeError, ValueError, OverflowError, KeyError):
            return None
        columns[name] = series.rename(name)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))
    return frame if frame.shape[1] == len(names) else None
