"""Reading a Parquet upload within size limits.

Packed formats are checked for what they would unpack to before they are opened
(zip bombs), and every failure is a :class:`DataError` that quotes no cell.
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .._errors import DataError
from .column_names import safe_column_names
from .limits import check_cells, check_unpacked

_INDEX_COLUMN = re.compile(r"__index_level_\d+__")


def read_parquet(
    data: bytes, *, max_bytes: int, max_cells: int
) -> tuple[pd.DataFrame, dict[str, str]]:
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        meta = parquet.metadata
        check_cells(meta.num_rows, meta.num_columns, max_cells, estimated=True)
        groups = range(meta.num_row_groups)
        check_unpacked(sum(meta.row_group(i).total_byte_size for i in groups), 1, max_bytes)
        table = parquet.read(use_pandas_metadata=False)
        keep = [i for i, n in enumerate(table.column_names) if not _INDEX_COLUMN.fullmatch(n)]
        table = table.select(keep)
        if any(pa.types.is_nested(field.type) for field in table.schema):
            raise DataError(
                "The Parquet file has nested columns (lists, structs or maps), which cannot "
                "be used as features. Flatten them into plain columns and upload it again.",
                code="bad_parquet",
                reason="nested_columns",
            )
        names = safe_column_names(table.column_names)
        return arrow_to_pandas(table.rename_columns(list(names))), names
    except (DataError, MemoryError):
        raise
    except Exception:  # noqa: BLE001 - damaged Parquet: a DataError, never a traceback
        raise DataError(
            "The file looks like Parquet but could not be read; it may be damaged or "
            "incomplete. Write it again and upload it again.",
            code="bad_parquet",
        ) from None


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """The table as pandas columns: empty and decimal columns as floats, bytes as text."""
    for i, field in enumerate(table.schema):
        if pa.types.is_null(field.type) or pa.types.is_decimal(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.float64()))
        elif _is_bytes(field.type):
            table = table.set_column(i, field.name, _bytes_as_text(table.column(i)))
    return table.to_pandas(split_blocks=True)  # one block per column: no 2-D copy of the table


def _is_bytes(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
        or pa.types.is_fixed_size_binary(kind)
        or pa.types.is_binary_view(kind)
    )


def _bytes_as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column of bytes as text: UTF-8 as it is, other bytes with replacement marks (a
    column of bytes is no number; as text it is profiled like any other)."""
    try:
        return column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        texts = [
            None if v is None else bytes(v).decode("utf-8", "replace") for v in column.to_pylist()
        ]
        return pa.chunked_array([pa.array(texts, pa.string())])
