"""Columns that hold mostly numbers and some words or marks, read as categories.

Reading keeps a column numeric when its other cells are missing-value markers or a few
words without digits (see :mod:`explainers._io.cleaning`). A lab column with ``<5``,
``>100`` or many kinds of ``pending`` stays text, and the model then treats each number as
a category of its own: their order is lost. That may be right (a diagnosis code such as
``250`` beside ``V45``), so nothing is changed; a finding names the columns and says what
to do. No cell value is quoted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._findings import Finding, names_with
from ._profiling import ColumnProfile

MOSTLY_NUMBERS = 0.5
"""A column is flagged when at least this share of its filled cells read as numbers..."""
MIN_DISTINCT_NUMBERS = 10
"""...of at least this many distinct numbers (codes such as 1, 2, 3 beside words are
categories)."""
MIN_FILLED = 20
PROBE_CELLS = 5_000
PROBE_FILLED = 1_000
"""A probe settles a column only with this many filled cells and a share of numbers this
far (``PROBE_MARGIN``) below :data:`MOSTLY_NUMBERS`: one standard error is then under 0.016."""
PROBE_MARGIN = 0.05


def _count_numbers(cells: pd.Series) -> tuple[float, int, int]:
    counts = cells.astype(str).str.strip().value_counts(sort=False)
    values = pd.Series(counts.index.to_numpy(dtype=object), dtype="str")
    numbers = pd.to_numeric(values, errors="coerce").notna().to_numpy()
    sizes = counts.to_numpy()
    return float(sizes[numbers].sum() / sizes.sum()), int(numbers.sum()), int((~numbers).sum())


def _number_share(series: pd.Series) -> tuple[float, int, int]:
    """The share of filled cells that read as numbers, the distinct numbers and the
    distinct other values; a long column is first probed on :data:`PROBE_CELLS` seeded
    random cells, and counted whole unless the probe finds it clearly words."""
    if len(series) > PROBE_CELLS:
        picked = np.random.default_rng(0).integers(0, len(series), PROBE_CELLS)
        probe = series.iloc[np.sort(picked)].dropna()
        if len(probe) >= PROBE_FILLED:
            found = _count_numbers(probe)
            if found[0] < MOSTLY_NUMBERS - PROBE_MARGIN:
                return found  # clearly words: the rest cannot make it mostly numbers
    filled = series.dropna()
    if len(filled) < MIN_FILLED:
        return 0.0, 0, 0
    return _count_numbers(filled)


def number_text_findings(frame: pd.DataFrame, profiles: list[ColumnProfile]) -> list[Finding]:
    """One finding naming the categorical columns (features, or left out for their many
    values) whose cells are mostly numbers, with each one's share of numbers."""
    shares: dict[str, float] = {}
    for profile in profiles:
        if (
            profile.kind != "categorical"
            or profile.n_unique <= MIN_DISTINCT_NUMBERS
            or not (profile.role == "feature" or profile.reason == "high_cardinality")
        ):
            continue
        series = frame[profile.name]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        share, distinct_numbers, others = _number_share(series)
        if share >= MOSTLY_NUMBERS and distinct_numbers >= MIN_DISTINCT_NUMBERS and others:
            shares[profile.display_name] = round(share, 4)
    if not shares:
        return []
    named = names_with({name: f"{share:.0%} numbers" for name, share in shares.items()})
    return [
        Finding(
            "numbers_with_text",
            f"Read as categories though mostly numbers: {named}. Their other cells hold "
            "words or marks (such as '<5' or 'pending'), so the model cannot use them as "
            "numbers: each number is a category (their order is lost), or the column is left "
            "out when it has too many. If those cells mean 'not measured' or 'below the limit', "
            "replace them in the file (empty, or a number) and read it again; a code (a "
            "diagnosis code, a postcode) is right as categories.",
            tuple(shares),
            {"shares": {name: float(np.round(share, 4)) for name, share in shares.items()}},
        )
    ]
