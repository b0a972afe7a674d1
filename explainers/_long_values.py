"""Cells too long to be a category: read as missing by the model, and said so.

A categorical feature's categories travel inside the model (XGBoost stores them in its
JSON and UBJSON) and inside a saved analysis. One pasted document in a column of short
labels made every one of them that large: a 2 MB cell made an 8 MB ``model.json``. A value
longer than :data:`MAX_CATEGORY_CHARS` is text, not a category that could recur, so the
model reads it as missing, as it reads a category it has never seen; a finding names the
columns. No cell value is quoted.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ._findings import Finding
from ._profiling import ColumnProfile

MAX_CATEGORY_CHARS = 1_000
"""The longest value kept as a category, in characters."""


def long_values(column: pd.Series) -> set[str]:
    """The distinct values of ``column``, as text, longer than :data:`MAX_CATEGORY_CHARS`."""
    distinct = pd.Series(column.dropna().unique()).astype(str)
    return set(distinct[distinct.str.len() > MAX_CATEGORY_CHARS])


def long_value_findings(frame: pd.DataFrame, profiles: Sequence[ColumnProfile]) -> list[Finding]:
    """One finding naming the categorical features with values too long to be categories,
    with how many cells each has."""
    counts: dict[str, int] = {}
    for profile in profiles:
        if profile.role != "feature" or profile.kind != "categorical":
            continue
        column = frame[profile.name]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        long = long_values(column)
        if long:
            counts[profile.display_name] = int(column.astype(str).isin(long).sum())
    if not counts:
        return []
    named = ", ".join(f"{name!r} ({n} cells)" for name, n in list(counts.items())[:5])
    more = f" and {len(counts) - 5} more" if len(counts) > 5 else ""
    return [
        Finding(
            "long_category_values",
            f"Cells longer than {MAX_CATEGORY_CHARS:,} characters in {named}{more} are too long "
            "to be categories: the model reads them as missing. If the column holds free text "
            "(notes, documents), leave it out.",
            tuple(counts),
            {"cells": counts, "max_chars": MAX_CATEGORY_CHARS},
        )
    ]
