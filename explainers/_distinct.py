"""Compute once per distinct row: find the distinct encoded feature rows of a table.

An exact explanation (TreeSHAP values, interaction values) and a prediction of a row
depend only on the row's encoded feature values, and real tables with categorical and
integer columns repeat rows massively (a 1.4M-row personnel table has 933 distinct
feature rows). :func:`plan_distinct` decides, on a sample, whether finding the distinct
rows pays; :class:`DistinctRows` takes them out of a table and spreads results computed
on them back to every row, exactly.

Rows are compared on the values XGBoost sees: category codes for categorical columns,
floats for the others. All missing values of a column are equal to each other, and
``-0.0`` equals ``0.0`` (no split of a tree can tell them apart: ``-0.0 < t`` exactly
when ``0.0 < t``). There is no hashing that could collide: each column is factorised
into exact codes and the codes are combined in mixed radix, compressed back to dense
codes whenever their range passes the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SAMPLE_ROWS = 5_000
"""Rows of the sample :func:`plan_distinct` looks at before scanning the whole table."""


@dataclass(frozen=True)
class DistinctPolicy:
    """When computing on distinct rows pays: from ``min_rows`` rows and an (estimated)
    share of repeated rows of at least ``min_share``."""

    min_share: float
    min_rows: int


SHAP_POLICY = DistinctPolicy(min_share=0.02, min_rows=2)
"""TreeSHAP on the CPU (values, interactions): a SHAP value costs about 500 us per row
of 30 features on this project's 2-core machine, finding distinct rows 0.5-3.3 us
(``make bench-distinct``), so a few repeats already pay."""

PREDICT_POLICY = DistinctPolicy(min_share=0.5, min_rows=10_000)
"""Predictions (and, until measured on a GPU, TreeSHAP on one): a row costs a few
microseconds, about what finding distinct rows costs, so only heavy repetition pays."""


@dataclass(frozen=True)
class DistinctRows:
    """The distinct rows of a table: where one copy of each is, and which one each row is.

    ``first`` holds, in increasing order, the position of the first copy of each
    distinct row; ``inverse`` (one entry per row of the table) the index into ``first``
    of the row's copy, so ``table[first][inverse]`` equals ``table`` row for row.
    """

    first: np.ndarray
    inverse: np.ndarray

    @property
    def n_rows(self) -> int:
        """Rows of the table."""
        return int(len(self.inverse))

    @property
    def n_distinct(self) -> int:
        """Distinct rows of the table."""
        return int(len(self.first))

    @property
    def repeated_share(self) -> float:
        """Share of rows that repeat an earlier row: 1 - distinct / rows (0 for no rows)."""
        return 1.0 - self.n_distinct / self.n_rows if self.n_rows else 0.0

    def take(self, X: pd.DataFrame) -> pd.DataFrame:
        """The first copy of each distinct row of ``X``, in table order."""
        return X.iloc[self.first]

    def spread(self, values: np.ndarray) -> np.ndarray:
        """Results of the distinct rows (first axis) given back to every row of the table."""
        spread: np.ndarray = np.asarray(values)[self.inverse]
        return spread


def _column_codes(column: pd.Series) -> tuple[np.ndarray, int]:
    """Exact codes 0..size-1 of a column's values, missing values sharing one code."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        values: np.ndarray = column.cat.codes.to_numpy()
    elif pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan) + 0.0  # -0.0 becomes 0.0
    else:
        values = column.astype("object").to_numpy()
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int64) + 1, len(uniques) + 1  # the missing code -1 becomes 0


def _dense(key: np.ndarray) -> tuple[np.ndarray, int]:
    codes, uniques = pd.factorize(key)
    return codes.astype(np.int64), len(uniques)


def distinct_rows(X: pd.DataFrame) -> DistinctRows:
    """The distinct rows of the encoded feature table ``X``, found exactly.

    Parameters
    ----------
    X
        Encoded features (see :meth:`FeatureSpec.encode`): categorical columns are
        compared on their codes, the others as floats (missing values equal to each
        other, ``-0.0`` equal to ``0.0``).

    Returns
    -------
    DistinctRows
        Where the first copy of each distinct row is and which one each row is.
    """
    n = len(X)
    key = np.zeros(n, dtype=np.int64)
    size = 1
    for name in X.columns:
        codes, width = _column_codes(X[name])
        key = key * width + codes  # size * width <= n * (n + 1): no overflow below 2**31 rows
        size *= width
        if size > n:
            key, size = _dense(key)
            if size == n:  # every row is already unlike every other
                everything = np.arange(n)
                return DistinctRows(first=everything, inverse=everything)
    inverse, size = _dense(key)  # codes in order of first appearance
    first = np.empty(size, dtype=np.int64)
    positions = np.arange(n)
    first[inverse[::-1]] = positions[::-1]  # the last write of each code is its first row
    return DistinctRows(first=first, inverse=inverse)


def _estimated_share(n: int, sample: int, seen: int) -> float:
    """Share of repeated rows of an ``n``-row table whose random ``sample`` rows hold
    ``seen`` distinct ones, taking its distinct rows as equally frequent.

    ``D (1 - exp(-s / D))`` distinct rows are expected in a sample of ``s`` rows of a
    table of ``D`` equally frequent distinct rows; it grows with ``D``, so ``D`` is
    found by bisection and the table's share is ``1 - D (1 - exp(-n / D)) / n``.
    """
    if seen >= sample:
        return 0.0
    low, high = float(seen), float(seen)
    while high * -np.expm1(-sample / high) < seen:
        high *= 2.0
    for _ in range(60):
        middle = (low + high) / 2
        if middle * -np.expm1(-sample / middle) < seen:
            low = middle
        else:
            high = middle
    return float(1.0 - high * -np.expm1(-n / high) / n)


def plan_distinct(
    X: pd.DataFrame, *, policy: DistinctPolicy, sample_rows: int = SAMPLE_ROWS
) -> DistinctRows | None:
    """The distinct rows of ``X`` when computing on them pays, else None.

    A seeded random sample of ``sample_rows`` rows decides cheaply: from the distinct
    rows it holds, the share of repeated rows of the whole table is estimated (see
    :func:`_estimated_share`), and below ``policy.min_share`` the table is not
    scanned, so a table of unique rows pays for the sample only. Otherwise the whole
    table is scanned and its distinct rows are used when their share is reached.

    Parameters
    ----------
    X
        Encoded features (see :func:`distinct_rows`).
    policy
        When it pays (:data:`SHAP_POLICY`, :data:`PREDICT_POLICY`).
    sample_rows
        Rows of the deciding sample; the whole table is scanned when it is no larger.

    Returns
    -------
    DistinctRows or None
        The distinct rows, or None when every row should be computed.
    """
    n = len(X)
    if n < max(2, policy.min_rows):
        return None
    if n > sample_rows:
        picked = np.sort(np.random.default_rng(0).choice(n, size=sample_rows, replace=False))
        seen = distinct_rows(X.iloc[picked]).n_distinct
        if _estimated_share(n, sample_rows, seen) < policy.min_share:
            return None
    found = distinct_rows(X)
    return found if found.repeated_share >= policy.min_share else None
