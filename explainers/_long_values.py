"""Cells too long to be a category's text: kept as categories under a short stand-in.

A categorical feature's categories travel inside the model (XGBoost stores them in its
JSON and UBJSON) and inside a saved analysis. One pasted document in a column of short
labels made every one of them that large: a 2 MB cell made an 8 MB ``model.json``. A value
longer than :data:`MAX_CATEGORY_CHARS` is therefore stored as a stand-in naming its length
and a fingerprint of its text (:func:`category_text`): distinct texts stay distinct
categories, equal ones equal, and no long text is kept. A finding names the columns. No
cell value is quoted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._findings import Finding, names_with
from ._profiling import ColumnProfile

MAX_CATEGORY_CHARS = 1_000
"""The longest text kept as a category's own text, in characters."""


def stand_in(text: str) -> str:
    """A short stand-in for a long text: its length and the start of its SHA-256."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"[{len(text):,} characters, #{digest}]"


def category_text(value: object) -> str:
    """A value as a category's text: ``str(value)``, or its :func:`stand_in` when longer
    than :data:`MAX_CATEGORY_CHARS` characters."""
    text = str(value)
    return stand_in(text) if len(text) > MAX_CATEGORY_CHARS else text


def as_category_texts(values: pd.Series) -> pd.Series:
    """:func:`category_text` of each value of a column of text (no missing values)."""
    long = values.str.len().to_numpy(dtype=float, na_value=0.0) > MAX_CATEGORY_CHARS
    if not long.any():
        return values
    return values.where(~long, values[long].map(stand_in))


def long_value_findings(
    frame: pd.DataFrame, profiles: Sequence[ColumnProfile], *, labelled: pd.Series
) -> list[Finding]:
    """One finding naming the categorical features with values too long to be a category's
    text, with how many of the ``labelled`` rows' cells (those the model learns from) are."""
    rows = np.asarray(labelled, dtype=bool)
    counts: dict[str, int] = {}
    for profile in profiles:
        if profile.role != "feature" or profile.kind != "categorical":
            continue
        column = frame[profile.name]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        text = column[rows].dropna().astype(str)
        n = int((text.str.len() > MAX_CATEGORY_CHARS).sum())
        if n:
            counts[profile.display_name] = n
    if not counts:
        return []
    named = names_with({name: f"{n} cells" for name, n in counts.items()})
    return [
        Finding(
            "long_category_values",
            f"Cells longer than {MAX_CATEGORY_CHARS:,} characters in {named} are "
            "categories under a short stand-in (their length and a fingerprint), not their "
            "text: the model file stays small. If the column holds free text (notes, "
            "documents), leave it out.",
            tuple(counts),
            {"cells": counts, "max_chars": MAX_CATEGORY_CHARS},
        )
    ]
