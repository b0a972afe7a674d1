"""The linear baseline's pipeline: the model's features prepared for a linear model.

Numbers are imputed and standardised, categories and booleans one-hot encoded against a
reference level; then a logistic regression (classification), a ridge regression
(regression) or scikit-survival's Cox proportional-hazards model (survival).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sksurv.linear_model import CoxPHSurvivalAnalysis

from ._dataset import FeatureSpec
from ._errors import DataError
from ._types import Task

RIDGE_ALPHAS = tuple(float(a) for a in np.logspace(-3, 3, 13))
COX_ALPHA = 0.01
"""Ridge penalty ``alpha / 2 * ||beta||^2`` of the Cox baseline (on standardised columns):
small beside a log partial likelihood summed over the events, it only keeps the fit finite
when a level separates the events."""


def cox_estimator() -> CoxPHSurvivalAnalysis:
    """scikit-survival's Cox model with Breslow's ties and the ridge :data:`COX_ALPHA`."""
    return CoxPHSurvivalAnalysis(alpha=COX_ALPHA, ties="breslow")


def _feature_groups(spec: FeatureSpec, X: pd.DataFrame) -> dict[str, list[str]]:
    """Features by preprocessing, without those that are missing on every given row."""
    groups: dict[str, list[str]] = {"numeric": [], "categorical": [], "boolean": []}
    for n in (n for n in spec.names if bool(X[n].notna().any())):
        kind = "categorical" if n in spec.categories else spec.kinds.get(n)
        groups[kind if kind in ("categorical", "boolean") else "numeric"].append(n)
    return groups


def linear_frame(X: pd.DataFrame, spec: FeatureSpec) -> pd.DataFrame:
    """``X`` (encoded as ``Dataset.X``) as the linear pipeline takes it.

    Categorical features become object columns of their categories (NaN where
    missing); the others stay float.
    """
    out = X[list(spec.names)].copy()
    for name in spec.categories:
        out[name] = out[name].astype(object)
    return out


def _most_common(column: pd.Series, levels: tuple[str, ...]) -> str:
    counts = column.value_counts()
    return max(levels, key=lambda level: (int(counts.get(level, 0)), -levels.index(level)))


def _one_hot(levels: Sequence[Sequence[object]], references: Sequence[object]) -> Pipeline:
    encoder = OneHotEncoder(categories=[list(lv) for lv in levels], drop=list(references))
    return make_pipeline(SimpleImputer(strategy="most_frequent"), encoder)


def linear_pipeline(task: Task, spec: FeatureSpec, X_train: pd.DataFrame) -> Pipeline:
    """The unfitted linear baseline for ``task`` over ``linear_frame`` columns.

    Numbers: median imputation and standard scaling. Categories and booleans: the most
    frequent value imputed, then one-hot columns for every level but the reference
    (the most common category in ``X_train``; false for booleans). Then
    ``LogisticRegression`` (L2, C=1), ``RidgeCV`` over :data:`RIDGE_ALPHAS`, or for
    survival scikit-survival's ``CoxPHSurvivalAnalysis`` (see :func:`cox_estimator`).
    """
    groups = _feature_groups(spec, X_train)
    if not any(groups.values()):
        raise DataError(
            "The linear baseline needs at least one feature with values in the training "
            "rows; every feature is missing there. Check the feature columns.",
            code="baseline_no_features",
        )
    categorical, boolean = groups["categorical"], groups["boolean"]
    references = [_most_common(X_train[n], spec.categories[n]) for n in categorical]
    transformers = {
        "numeric": make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
        "categorical": _one_hot([spec.categories[n] for n in categorical], references),
        "boolean": _one_hot([[0.0, 1.0]] * len(boolean), [0.0] * len(boolean)),
    }
    columns = ColumnTransformer(
        [(g, step, groups[g]) for g, step in transformers.items() if groups[g]],
        sparse_threshold=0.0,
    )
    if task == "survival":
        return make_pipeline(columns, cox_estimator())
    if task == "regression":
        return make_pipeline(columns, RidgeCV(alphas=RIDGE_ALPHAS))
    return make_pipeline(columns, LogisticRegression(C=1.0, max_iter=2000))
