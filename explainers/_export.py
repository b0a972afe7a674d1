"""Tables of results for export, and writers that are fast and safe to open in Excel."""

from __future__ import annotations

import io
import os
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ._shap import ShapResult
from ._training import TrainedModel

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``.

    Numbers (also text that parses as a number, such as ``-1.5``) are left alone.
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with formula-like header names and text cells neutralised.

    Header names are made unique afterwards (``'=a`` and ``=a`` would otherwise
    both become ``'=a``, which the CSV writer refuses).
    """
    out = frame.copy()
    out.columns = _unique([neutralise_cell(str(c)) for c in frame.columns])
    for name in out.columns:
        column = out[name]
        if not pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            out[name] = column.map(neutralise_cell)
    return out


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, i = name, 2
        while candidate in seen:
            candidate, i = f"{name} ({i})", i + 1
        seen.add(candidate)
        out.append(candidate)
    return out


def shap_frame(shap: ShapResult, model: TrainedModel) -> pd.DataFrame:
    """SHAP values as a long table.

    Columns: ``row``, ``class`` (multiclass), features, ``base_value``, ``margin``.

    Feature columns carry the input's own column names (made unique where the
    input had duplicates).
    """
    n, k, f = shap.values.shape
    names = _unique([shap.display_names.get(c, c) for c in shap.features])
    names = _unique(["row"] + (["class"] if k > 1 else []) + names + ["base_value", "margin"])
    data: dict[str, Any] = {names[0]: np.repeat(shap.row_ids.astype(np.int64), k)}
    offset = 1
    if k > 1:
        classes = list(model.classes or range(k))
        data[names[1]] = np.tile(np.asarray(classes, dtype=object), n)
        offset = 2
    flat = shap.values.reshape(n * k, f)
    for j in range(f):
        data[names[offset + j]] = flat[:, j]
    data[names[-2]] = shap.base_values.reshape(n * k)
    data[names[-1]] = shap.margin.reshape(n * k)
    return pd.DataFrame(data)


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str] | io.BytesIO) -> None:
    """Write ``frame`` as UTF-8 CSV quickly (pyarrow), with formula-like text neutralised."""
    safe = neutralise_frame(frame)
    table = pa.Table.from_pandas(safe, preserve_index=False)
    pacsv.write_csv(table, path)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as neutralised CSV bytes, for a download button."""
    buffer = io.BytesIO()
    write_csv(frame, buffer)
    return buffer.getvalue()


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as Parquet bytes."""
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    return buffer.getvalue()
