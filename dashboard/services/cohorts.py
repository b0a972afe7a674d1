"""Cohorts of the audit: rows chosen by filters on any column (or one column's values),
compared side by side; computed when asked and cached like the analysis."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analysis import Analysis
from dashboard.result_cache import memo
from dashboard.services.background import best_shap
from dashboard.services.pipeline import SEED, WORK_SLOTS
from explainers import (
    Cohort,
    CohortComparison,
    CohortFilter,
    cohort_values,
    compare_cohorts,
    split_cohorts,
)

MAX_VALUES_OFFERED = 200
"""At most this many of a column's values are offered in a cohort filter (most frequent)."""


def is_numeric_column(analysis: Analysis, column: str) -> bool:
    """True for a column of numbers (not yes/no), which a range can filter."""
    series = analysis.table.frame[column]
    return bool(pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def column_range(analysis: Analysis, column: str) -> tuple[float, float] | None:
    """The smallest and largest value of a numeric column (None when it has none)."""
    values = analysis.table.frame[column].to_numpy(dtype=float, na_value=np.nan)
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if len(finite) else None


def column_values(analysis: Analysis, column: str) -> list[str]:
    """A column's values as texts (the cohort filters' form), most frequent first."""
    return [text for text, _ in cohort_values(analysis.table.frame, column)][:MAX_VALUES_OFFERED]


def split_by(analysis: Analysis, column: str) -> list[Cohort]:
    """One cohort per value (or quantile band) of ``column``, named by its display name."""
    label = analysis.schema.display_names.get(column, column)
    return split_cohorts(analysis.table.frame, column, label=label)


def filtered_cohort(name: str, filters: list[CohortFilter]) -> Cohort:
    """A cohort of the rows meeting every filter."""
    return Cohort(name, tuple(filters))


def compare(
    analysis: Analysis, cohorts: list[Cohort], *, feature: str | None, output: int
) -> CohortComparison:
    """Size, validation metrics, mean |SHAP| ranking and ``feature``'s dependence of each
    cohort, on the SHAP values of every row once computed (else the first view's); cached."""
    shap = best_shap(analysis)

    def compute() -> CohortComparison:
        with WORK_SLOTS:
            return compare_cohorts(
                analysis.model,
                analysis.dataset,
                shap,
                analysis.table.frame,
                cohorts,
                feature=feature,
                output=output,
                seed=SEED,
            )

    key = f"cohorts|{analysis.key}|{len(shap.rows)}|{output}|{feature}|{cohorts!r}"
    return memo(key, analysis.shared, compute, CohortComparison)
