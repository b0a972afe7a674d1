"""Cohort definitions: filters on the table's columns, and splits of one column.

A :class:`Cohort` is the rows of the table as read (``Table.frame``, safe column names)
that meet every one of its :class:`CohortFilter`; the columns may be ones the model does
not use (sex, age group, site). :func:`split_cohorts` makes one cohort per value, or per
quantile band, of one column. :func:`~explainers._audit.cohorts.compare_cohorts` compares them.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import NoReturn

import numpy as np
import pandas as pd

from .._errors import DataError
from .groups import MISSING_GROUP


@dataclass(frozen=True)
class CohortFilter:
    """One condition on one column of the table as read (its safe name).

    Either ``values``: keep rows whose cell, as text (see :func:`cohort_values`), is one
    of them, ``MISSING_GROUP`` selecting missing cells; or a numeric range: keep rows with
    ``low <= value <= high`` (``value < high`` when ``high_inclusive`` is False), an end
    None for no bound. Missing cells are never in a range.
    """

    column: str
    _: KW_ONLY
    values: tuple[str, ...] | None = None
    low: float | None = None
    high: float | None = None
    high_inclusive: bool = True

    def __post_init__(self) -> None:
        if self.values is not None:
            if isinstance(self.values, str) or not all(isinstance(v, str) for v in self.values):
                _fail(self.column, "cohort_bad_values", "its values must be a tuple of texts")
            object.__setattr__(self, "values", tuple(self.values))
            if not self.values:
                _fail(self.column, "cohort_empty_values", "it lists no values, so keeps no row")
        ends = [float(v) for v in (self.low, self.high) if v is not None]
        if (self.values is None) == (not ends):
            _fail(self.column, "cohort_values_or_range", "it needs values or a range, not both")
        if len(ends) == 2 and (
            ends[0] > ends[1] or (ends[0] == ends[1] and not self.high_inclusive)
        ):
            _fail(self.column, "cohort_bad_range", "its range is empty (low above high)")
        if any(np.isnan(ends)):
            _fail(self.column, "cohort_bad_range", "a range end is not a number")


@dataclass(frozen=True)
class Cohort:
    """A named set of rows: those meeting every filter (all rows when there is none)."""

    name: str
    filters: tuple[CohortFilter, ...] = ()


def _fail(column: str, code: str, problem: str) -> NoReturn:
    raise DataError(
        f"The cohort filter on column {column!r} cannot be used: {problem}. Change the filter.",
        code=code,
        column=column,
    )


def _option(ok: bool, message: str) -> None:
    if not ok:
        raise DataError(f"Invalid cohort option: {message}.", code="bad_option", detail=message)


def _is_numeric(column: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column))


def _format_number(value: float, digits: int | None = None) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return np.format_float_positional(value, precision=digits, fractional=False, trim="-")


def _texts(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Code of each cell (-1 when missing) and the text of each code."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    numeric = _is_numeric(column)
    return np.asarray(codes), [_format_number(float(u)) if numeric else str(u) for u in uniques]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        raise DataError(
            f"There is no column named {name!r} to define a cohort. Choose a column of the table.",
            code="unknown_column",
            column=name,
        )
    return frame[name]


def _filter_mask(frame: pd.DataFrame, condition: CohortFilter) -> np.ndarray:
    column = _column(frame, condition.column)
    if condition.values is not None:
        codes, texts = _texts(column)
        wanted = set(condition.values)
        hit = np.array([t in wanted for t in [*texts, MISSING_GROUP]], dtype=bool)
        return np.asarray(hit[codes])  # code -1 (missing) picks the last entry
    if not _is_numeric(column):
        _fail(condition.column, "cohort_range_not_numeric", "a range needs a numeric column")
    values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    keep: np.ndarray = ~np.isnan(values)
    if condition.low is not None:
        keep &= values >= condition.low
    if condition.high is not None:
        keep &= values <= condition.high if condition.high_inclusive else values < condition.high
    return keep


def cohort_mask(frame: pd.DataFrame, cohort: Cohort) -> np.ndarray:
    """One bool per row of ``frame`` (the table as read): is the row in ``cohort``?

    Raises
    ------
    DataError
        ``unknown_column`` for a filter on a column ``frame`` lacks,
        ``cohort_range_not_numeric`` for a range on a column that is not numeric.
    """
    mask = np.ones(len(frame), dtype=bool)
    for condition in cohort.filters:
        mask &= _filter_mask(frame, condition)
    return mask


def cohort_values(frame: pd.DataFrame, column: str) -> list[tuple[str, int]]:
    """The distinct values of a column as the texts a values filter matches, with counts.

    Most frequent first (ties by text); missing cells count as ``MISSING_GROUP``. Numbers
    read in their shortest form (``3`` for 3.0), booleans as ``True`` and ``False``.
    """
    codes, texts = _texts(_column(frame, column))
    counts = np.bincount(codes + 1, minlength=len(texts) + 1)
    pairs = [(t, int(n)) for t, n in zip([MISSING_GROUP, *texts], counts, strict=True) if n]
    return sorted(pairs, key=lambda p: (-p[1], p[0]))


def _band_edges(values: np.ndarray, bands: int, integer: bool) -> np.ndarray:
    """Interior edges at the quantiles of ``values``, rounded to a step of 0.1% to 1% of the
    span, finer where that would merge two edges.

    Whole numbers are cut at ceil(edge) at most, which splits them exactly as the edge does.
    """
    finite = values[np.isfinite(values)]
    if len(np.unique(finite)) < 2:
        return np.asarray(np.unique(values)[1:2], dtype=np.float64)
    lo, hi = float(finite.min()), float(finite.max())
    raw = np.quantile(finite, np.linspace(0.0, 1.0, bands + 1))[1:-1]
    target = np.unique(raw[(raw > lo) & (raw <= hi)])
    if len(target) == 0:  # the quantiles all sit on the smallest value: split that off
        target = np.unique(finite)[1:2]
    decimals = 2 - int(np.floor(np.log10(hi - lo)))
    for _ in range(15):
        if integer and decimals >= 0:
            return np.unique(np.ceil(target))
        rounded = np.unique(np.round(target, decimals))
        if len(rounded[(rounded > lo) & (rounded <= hi)]) == len(target):
            return np.asarray(rounded, dtype=np.float64)
        decimals += 1
    return np.asarray(target, dtype=np.float64)


def _numeric_bands(column: pd.Series, name: str, label: str, bands: int) -> list[Cohort]:
    values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    present = values[~np.isnan(values)]
    integer = bool(np.all(present == np.round(present)))
    edges = _band_edges(present, bands, integer)
    which = np.searchsorted(edges, present, side="right")
    cuts: list[float | None] = [None, *edges.tolist(), None]
    out: list[Cohort] = []
    for b in range(len(edges) + 1):
        inside, low, high = present[which == b], cuts[b], cuts[b + 1]
        if len(inside) == 0:
            continue
        if integer:
            first = _format_number(inside.min() if low is None else low)
            last = _format_number(inside.max() if high is None else high - 1)
            text = first if first == last else f"{first}–{last}"
        else:
            start = _format_number(inside.min(), 3) if low is None else _format_number(low)
            end = _format_number(inside.max(), 3) if high is None else _format_number(high)
            text = f"[{start}, {end}{']' if high is None else ')'}"
        band = CohortFilter(name, low=low, high=high, high_inclusive=high is None)
        out.append(Cohort(f"{label} {text}", (band,)))
    return out


def split_cohorts(
    frame: pd.DataFrame,
    column: str,
    *,
    max_cohorts: int = 8,
    bands: int = 4,
    label: str | None = None,
) -> list[Cohort]:
    """One cohort per value, or per quantile band, of one column; each row in exactly one.

    Parameters
    ----------
    frame, column
        The table as read and the column to split by (a safe name; the model need not
        use it).
    max_cohorts
        At most this many cohorts (at least 3), counting the last one, of rows whose cell
        is missing, when there are such rows. Text, boolean and numeric columns with few
        values get one cohort per value: most frequent first, the rarest pooled in one
        ``other`` cohort past the limit (numbers in value order, never pooled).
    bands
        A numeric column with more values is cut into this many quantile bands (fewer when
        ``max_cohorts`` says so or ties merge them), at qcut's edges rounded to about three
        significant digits of the column's span (whole numbers at whole numbers). A band
        holds ``low <= value < high``; the outer bands are open-ended.
    label
        The column's name in cohort names (``column`` by default), which read like
        ``sex = female``, ``age 29–48`` (whole numbers) or ``dose [0.5, 1.2)``.

    Raises
    ------
    DataError
        ``unknown_column``; ``bad_option`` for ``max_cohorts`` below 3 or ``bands`` below 2.
    """
    _option(max_cohorts >= 3, "max_cohorts must be at least 3")
    _option(bands >= 2, "bands must be at least 2")
    series, shown = _column(frame, column), label or column
    levels = cohort_values(frame, column)
    present = [text for text, _ in levels if text != MISSING_GROUP]
    budget = max_cohorts - int(len(present) < len(levels))
    out: list[Cohort]
    if _is_numeric(series) and len(present) > budget:
        out = _numeric_bands(series, column, shown, min(bands, budget))
    else:
        if _is_numeric(series):
            present.sort(key=float)
        keep = present if len(present) <= budget else present[: budget - 1]
        out = [Cohort(f"{shown} = {v}", (CohortFilter(column, values=(v,)),)) for v in keep]
        if rest := tuple(present[len(keep) :]):
            other = CohortFilter(column, values=rest)
            out.append(Cohort(f"{shown} = other ({len(rest)} values)", (other,)))
    if len(present) < len(levels):
        missing = CohortFilter(column, values=(MISSING_GROUP,))
        out.append(Cohort(f"{shown} = {MISSING_GROUP}", (missing,)))
    return out
