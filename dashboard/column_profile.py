"""The Data page's per-column profile: missing share, distinct values, a small histogram."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.display.histogram import finite_histogram
from dashboard.result_cache import memo
from dashboard.safe_text import shown_names
from dashboard.services import load_table
from dashboard.state import Source
from explainers import Table


@dataclass(frozen=True)
class ColumnSummary:
    """What the Data page's profile table shows about one column."""

    name: str
    display: str
    missing_fraction: float
    n_distinct: int
    histogram: tuple[int, ...]


def _histogram(column: pd.Series, bins: int = 20) -> tuple[int, ...]:
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return ()
        counts, _ = finite_histogram(finite, min(bins, max(1, len(np.unique(finite[:5000])))))
        return tuple(int(c) for c in counts)
    counts = column.dropna().astype(str).value_counts().head(12)
    return tuple(int(c) for c in counts.to_numpy())


def column_summaries(
    source: Source, known_distinct: Mapping[str, int] | None = None
) -> tuple[ColumnSummary, ...]:
    """Missing share, distinct count and a small histogram of every column (cached).

    ``known_distinct`` holds distinct counts already made (the schema's profiling counts
    every column of the whole table): a million-row table's columns are not counted twice.
    """
    table = load_table(source)
    known = dict(known_distinct or {})

    def compute() -> tuple[ColumnSummary, ...]:
        frame = table.frame
        shown = shown_names(table.original_names)
        out = []
        for name in frame.columns:
            column = frame[name]
            out.append(
                ColumnSummary(
                    name=str(name),
                    display=shown.get(str(name), str(name)),
                    missing_fraction=float(column.isna().mean()) if len(column) else 0.0,
                    n_distinct=known[str(name)]
                    if str(name) in known
                    else int(column.nunique(dropna=True)),
                    histogram=_histogram(column),
                )
            )
        return tuple(out)

    return memo(f"profile|{source.key}", source.is_sample, compute, tuple)


def renamed_columns(table: Table) -> list[tuple[str, str]]:
    """``(name in the file, name used)`` for every column the reader had to rename."""
    return [(original, safe) for safe, original in table.original_names.items() if original != safe]
