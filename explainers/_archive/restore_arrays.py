"""The Parquet members read back into arrays, with their columns, types and shapes checked.

Each reader knows its member's exact columns and their Arrow types; a column that is
absent, of another type, or holds nulls, or a shape that disagrees with the settings,
is ``archive_bad_member``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .._evaluation import Curve
from .._types import Task
from .members import CURVE_ARRAYS, CURVES
from .refusals import bad_member

_INT = (pa.int64(),)
_FLOAT = (pa.float64(),)
_LABEL = (pa.int32(), pa.int64(), pa.float64())
_TEXT = (pa.string(), pa.large_string())


def _columns(member: str, table: pa.Table, names: list[str]) -> None:
    if table.column_names != names:
        raise bad_member(member, "columns")


def _array(member: str, table: pa.Table, name: str, types: tuple[pa.DataType, ...]) -> np.ndarray:
    column = table.column(name)
    if column.type not in types or column.null_count:
        raise bad_member(member, name)
    return np.asarray(column.to_numpy())


def _texts(member: str, table: pa.Table, name: str) -> list[str]:
    column = table.column(name)
    if column.type not in _TEXT or column.null_count:
        raise bad_member(member, name)
    return [str(v) for v in column.to_pylist()]


def _features(f: int) -> list[str]:
    return [f"f{j}" for j in range(f)]


def _matrix(member: str, table: pa.Table, f: int) -> np.ndarray:
    if f == 0:
        return np.empty((table.num_rows, 0))
    return np.column_stack([_array(member, table, name, _FLOAT) for name in _features(f)])


def read_shap(
    table: pa.Table, *, n_rows: int, n_outputs: int, n_features: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """SHAP values (n, k, f), base values, margins (n, k), dataset rows and row ids (n,)."""
    member, n, k, f = "shap_values.parquet", n_rows, n_outputs, n_features
    _columns(member, table, ["row", "row_id", "output", "base_value", "margin", *_features(f)])
    if table.num_rows != n * k:
        raise bad_member(member, "rows")
    row = _array(member, table, "row", _INT).reshape(n, k)
    row_id = _array(member, table, "row_id", _INT).reshape(n, k)
    output = _array(member, table, "output", _INT).reshape(n, k)
    if not (np.all(row == row[:, :1]) and np.all(row_id == row_id[:, :1])):
        raise bad_member(member, "row")
    if not np.array_equal(output, np.tile(np.arange(k), (n, 1))):
        raise bad_member(member, "output")
    values = _matrix(member, table, f).reshape(n, k, f)
    base = _array(member, table, "base_value", _FLOAT).reshape(n, k)
    margin = _array(member, table, "margin", _FLOAT).reshape(n, k)
    return values, base, margin, row[:, 0].copy(), row_id[:, 0].copy()


def read_interactions(
    table: pa.Table, *, n_rows: int, n_outputs: int, n_features: int
) -> tuple[np.ndarray, np.ndarray]:
    """Interaction values (n, k, f, f) and their dataset rows (n,)."""
    member, n, k, f = "interactions.parquet", n_rows, n_outputs, n_features
    _columns(member, table, ["row", "output", "feature", *_features(f)])
    if table.num_rows != n * k * f:
        raise bad_member(member, "rows")
    row = _array(member, table, "row", _INT).reshape(n, k * f)
    output = _array(member, table, "output", _INT).reshape(n, k, f)
    feature = _array(member, table, "feature", _INT).reshape(n, k, f)
    if not np.all(row == row[:, :1]):
        raise bad_member(member, "row")
    grid_output, grid_feature = np.meshgrid(np.arange(k), np.arange(f), indexing="ij")
    if not (np.all(output == grid_output) and np.all(feature == grid_feature)):
        raise bad_member(member, "feature")
    return _matrix(member, table, f).reshape(n, k, f, f), row[:, 0].copy()


def read_evaluation_arrays(
    table: pa.Table, *, task: Task, n_classes: int, n_valid: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Validation labels, predictions, scores ((n, k) or (n,)) and residuals (regression).

    For survival the member also holds ``time``, ``event`` and ``risk`` (see
    :func:`~explainers._archive.restore_survival.read_outcome`); the event is ``y_true``.
    """
    member = "evaluation.parquet"
    if task == "survival":
        _columns(member, table, ["y_true", "y_pred", "score", "time", "event", "risk"])
        if table.num_rows != n_valid:
            raise bad_member(member, "rows")
        y_true = _array(member, table, "y_true", _LABEL)
        if np.any((y_true != 0) & (y_true != 1)):
            raise bad_member(member, "y_true")
        score = _array(member, table, "score", _FLOAT)
        return y_true, _array(member, table, "y_pred", _FLOAT), score, None
    if task == "regression":
        _columns(member, table, ["y_true", "y_pred", "score", "residual"])
    else:
        _columns(member, table, ["y_true", "y_pred", *(f"score_{j}" for j in range(n_classes))])
    if table.num_rows != n_valid:
        raise bad_member(member, "rows")
    y_true = _array(member, table, "y_true", _LABEL)
    y_pred = _array(member, table, "y_pred", _LABEL)
    if task == "regression":
        score = _array(member, table, "score", _FLOAT)
        return y_true, y_pred, score, _array(member, table, "residual", _FLOAT)
    if n_valid and (y_true.min() < 0 or y_true.max() >= n_classes):
        raise bad_member(member, "y_true")
    columns = [_array(member, table, f"score_{j}", _FLOAT) for j in range(n_classes)]
    score = np.column_stack(columns) if columns else np.empty((n_valid, 0))
    return y_true, y_pred, score, None


def read_curves(table: pa.Table, keys: dict[str, tuple[str, ...]]) -> dict[str, dict[str, Curve]]:
    """ROC, PR and calibration curves by class, in the order ``keys`` lists the classes."""
    member = "curves.parquet"
    _columns(member, table, ["curve", "class", "array", "position", "value"])
    curve = _texts(member, table, "curve")
    label = _texts(member, table, "class")
    array = _texts(member, table, "array")
    position = _array(member, table, "position", _INT)
    value = _array(member, table, "value", _FLOAT)
    found: dict[tuple[str, str, str], list[int]] = {}
    for i, key in enumerate(zip(curve, label, array, strict=True)):
        found.setdefault(key, []).append(i)
    known = {(c, k, a) for c in CURVES for k in keys[c] for a in CURVE_ARRAYS}
    if not set(found) <= known:
        raise bad_member(member, "curve")
    out: dict[str, dict[str, Curve]] = {}
    for name in CURVES:
        out[name] = {}
        for cls in keys[name]:
            parts = []
            for part in CURVE_ARRAYS:
                index = np.asarray(found.get((name, cls, part), []), dtype=np.int64)
                if not np.array_equal(position[index], np.arange(len(index))):
                    raise bad_member(member, "position")
                parts.append(np.asarray(value[index], dtype=np.float64))
            out[name][cls] = Curve(parts[0], parts[1], parts[2])
    return out


def read_split(table: pa.Table, *, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The training and validation positions, each within the dataset's rows."""
    member = "split.parquet"
    _columns(member, table, ["split", "position"])
    split = np.asarray(_texts(member, table, "split"), dtype=object)
    position = _array(member, table, "position", _INT)
    if not set(split.tolist()) <= {"train", "valid"}:
        raise bad_member(member, "split")
    if len(position) and (position.min() < 0 or position.max() >= n_rows):
        raise bad_member(member, "position")
    return position[split == "train"].copy(), position[split == "valid"].copy()


def read_dataset(table: pa.Table, *, n_rows: int, table_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Each dataset row's position in the table (increasing) and its encoded target."""
    member = "dataset.parquet"
    _columns(member, table, ["row_id", "y"])
    if table.num_rows != n_rows:
        raise bad_member(member, "rows")
    row_ids = _array(member, table, "row_id", _INT)
    y = _array(member, table, "y", _LABEL)
    if len(row_ids) and (
        row_ids.min() < 0 or row_ids.max() >= table_rows or np.any(np.diff(row_ids) <= 0)
    ):
        raise bad_member(member, "row_id")
    return row_ids, y
