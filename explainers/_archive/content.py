"""Judging a member by its bytes: pickles refused, strict JSON, plain Parquet, XGBoost models.

Nothing here trusts a member's name or its manifest entry: a pickle is refused
whatever the manifest calls it, JSON must be strict (no NaN, no duplicate keys),
Parquet must start and end with its magic and hold only plain columns, and a
model must start as XGBoost's JSON or UBJSON does.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .._byom.model_file import sniff_model_format
from .._errors import DataError, ModelError
from .refusals import bad_content, bad_member, expands_too_much

_PARQUET_MAGIC = b"PAR1"
# First bytes of a protocol 0 or 1 pickle (MARK, GLOBAL, EMPTY_LIST/DICT/TUPLE, NONE, INT,
# LONG, FLOAT, STRING, UNICODE, BININT, BINFLOAT, SHORT_BINSTRING, BINUNICODE, PUT, ...).
_TEXT_PICKLE_FIRST = frozenset(b"(c])}NILFSVJKMGTUXdlpqrtig0")


class JsonProblem(ValueError):
    """The bytes are not strict JSON (raised inside this package only)."""


def is_pickle(data: bytes) -> bool:
    """True when ``data`` is a Python pickle of any protocol, judged by its bytes.

    Protocol 2 and later start with ``0x80`` and the protocol number; protocols 0
    and 1 start with an opcode and end with the STOP opcode ``.``. No member of a
    saved analysis can look like either (JSON ends with ``}``, Parquet with ``PAR1``).
    """
    if len(data) >= 2 and data[0] == 0x80 and 2 <= data[1] <= 9:
        return True
    return bool(data) and data[0] in _TEXT_PICKLE_FIRST and data.rstrip(b"\r\n").endswith(b".")


def load_json(data: bytes) -> Any:
    """Parse strict UTF-8 JSON: no byte-order mark, no NaN or Infinity, no repeated keys.

    Raises
    ------
    JsonProblem
        For anything else.
    """
    try:
        return json.loads(
            data.decode("utf-8"),
            parse_constant=_no_constant,
            object_pairs_hook=_unique_keys,
        )
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError included
        raise JsonProblem("not strict JSON") from None


def _no_constant(name: str) -> Any:
    raise JsonProblem(f"{name} is not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) < len(pairs):
        raise JsonProblem("repeated key")
    return document


def json_document(name: str, data: bytes) -> dict[str, Any]:
    """The JSON object member ``name`` holds.

    Raises
    ------
    DataError
        ``archive_bad_content`` when it is not a strict JSON object.
    """
    try:
        document = load_json(data)
    except JsonProblem:
        raise bad_content(name, "JSON") from None
    if not isinstance(document, dict):
        raise bad_content(name, "JSON")
    return document


def _plain(kind: pa.DataType) -> bool:
    if isinstance(kind, pa.ExtensionType):
        return False
    return bool(
        pa.types.is_boolean(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_null(kind)
        or pa.types.is_timestamp(kind)
    )


def parquet_table(name: str, data: bytes, *, limit_bytes: int) -> pa.Table:
    """The table member ``name`` holds, read with pyarrow, plain columns only.

    The file must start and end with ``PAR1``; the sizes its metadata declares
    must fit in ``limit_bytes`` before anything is decoded. Pandas and Arrow
    schema metadata are ignored; extension, nested, dictionary, binary and
    decimal columns are refused.

    Raises
    ------
    DataError
        ``archive_bad_content``, ``archive_expands_too_much`` or ``archive_bad_member``.
    """
    if len(data) < 12 or not (data.startswith(_PARQUET_MAGIC) and data.endswith(_PARQUET_MAGIC)):
        raise bad_content(name, "Parquet")
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        meta = parquet.metadata
        declared = 0
        for i in range(meta.num_row_groups):
            group = meta.row_group(i)
            declared += max(
                group.total_byte_size,
                sum(group.column(j).total_uncompressed_size for j in range(group.num_columns)),
            )
        if declared > limit_bytes:
            raise expands_too_much("declared", limit_bytes, name)
        table = parquet.read(use_pandas_metadata=False)
        table.validate(full=True)  # text must be valid UTF-8, offsets in bounds
    except (DataError, MemoryError):
        raise
    except Exception:  # noqa: BLE001 - a damaged Parquet member is a refusal, not a traceback
        raise bad_content(name, "Parquet") from None
    for field in table.schema:
        if not _plain(field.type):
            raise bad_member(name, str(field.name))
    return table.replace_schema_metadata(None)


def check_model_bytes(name: str, data: bytes, *, ubjson: bool) -> None:
    """Refuse a model member that does not start as XGBoost's UBJSON (or JSON) does.

    Raises
    ------
    DataError
        ``archive_bad_content``.
    """
    expected = "XGBoost UBJSON model" if ubjson else "XGBoost JSON model"
    try:
        found = sniff_model_format(data)
    except ModelError:
        raise bad_content(name, expected) from None
    if found != ("ubjson" if ubjson else "json"):
        raise bad_content(name, expected)
