"""A few encoded rows into a DMatrix without pandas' cost per column.

XGBoost reads a pandas frame column by column (about a third of a millisecond each), so a
single row of a wide table costs ten times more to hand over than to explain. A small frame
of float and categorical columns goes in as one float array instead, its categories as
their codes, with the feature names and types the pandas route would give. The values are
the same: the pandas route hands XGBoost the same codes, and re-codes them only when the
booster stores categories (XGBoost 3.1 and later) that differ from the frame's; for such a
booster the pandas route is kept.
"""

from __future__ import annotations

import threading
import weakref

import numpy as np
import pandas as pd
import xgboost as xgb

SMALL_FRAME_ROWS = 512
"""Frames of at most this many rows go in as one array (larger ones: pandas' cost per
column is then small against the rows')."""

_same_codes: weakref.WeakKeyDictionary[xgb.Booster, dict[tuple[str, tuple[object, ...]], bool]]
_same_codes = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _stored_categories(booster: xgb.Booster) -> dict[str, list[object]] | None:
    """The categories the booster stores by feature name (None when it stores none)."""
    stored = booster.get_categories(export_to_arrow=True)
    if stored.empty():
        return None
    return {name: array.to_pylist() for name, array in stored.to_arrow() if array is not None}


def _codes_agree(booster: xgb.Booster, name: str, categories: pd.Index) -> bool:
    """True when XGBoost reads the codes of ``categories`` for feature ``name`` as they are:
    the booster stores no categories, or stores these in this order."""
    key = (name, tuple(categories))
    with _lock:
        known = _same_codes.setdefault(booster, {})
        if key in known:
            return known[key]
    stored = _stored_categories(booster)
    values = None if stored is None else stored.get(name)
    agree = stored is None or (  # the same texts in the same order (encode makes texts)
        values == list(categories) and all(isinstance(v, str) for v in [*values, *categories])
    )
    with _lock:
        known[key] = agree
    return agree


def small_frame_matrix(booster: xgb.Booster, frame: pd.DataFrame) -> xgb.DMatrix | None:
    """A DMatrix of encoded features ``frame`` (float64 and categorical columns) built from
    one float array, or None when the frame is large, holds another kind of column, or its
    categories' codes would mean other categories to ``booster``."""
    if len(frame) > SMALL_FRAME_ROWS or frame.columns.has_duplicates:
        return None
    names = [str(name) for name in frame.columns]
    dtypes = list(frame.dtypes)
    if all(dtype == np.float64 for dtype in dtypes):
        return xgb.DMatrix(
            frame.to_numpy(dtype=np.float64),
            feature_names=names,
            feature_types=["float"] * len(names),
            nthread=1,
        )
    columns: list[np.ndarray] = []
    types: list[str] = []
    for name, dtype in zip(names, dtypes, strict=True):
        column = frame[name]
        if isinstance(dtype, pd.CategoricalDtype):
            if not _codes_agree(booster, name, dtype.categories):
                return None
            codes = column.cat.codes.to_numpy()
            columns.append(np.where(codes < 0, np.nan, codes.astype(np.float64)))
            types.append("c")
        elif dtype == np.float64:
            columns.append(column.to_numpy())
            types.append("float")
        else:
            return None
    matrix = np.column_stack(columns) if columns else np.empty((len(frame), 0))
    return xgb.DMatrix(
        matrix, feature_names=names, feature_types=types, enable_categorical=True, nthread=1
    )
