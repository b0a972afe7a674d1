"""Explanations of single rows: SHAP values of a dataset row, LIME, Shapley values of the
predicted probability, an edited row (what-if).

Results computed for one row stay in the session (:func:`dashboard.state.private_result`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from dashboard import state
from dashboard.analysis import Analysis
from dashboard.services.background import best_shap
from dashboard.services.pipeline import SEED, WORK_SLOTS
from explainers import (
    LimeResult,
    ProbabilityShap,
    ShapResult,
    compute_shap,
    explain_lime,
    probability_shap,
    sample_rows,
)

LIME_BACKGROUND_ROWS = 2000
"""Training rows (a seeded sample) LIME draws its perturbation statistics from."""
PROBABILITY_BACKGROUND_ROWS = 100
"""Training rows (a seeded sample) over which Shapley values of the probability are taken:
a feature a coalition leaves out takes these rows' values."""


def row_shap(analysis: Analysis, position: int) -> ShapResult:
    """SHAP values of the dataset row at ``position`` alone (taken or computed; exact)."""
    shap = best_shap(analysis)
    found = np.flatnonzero(shap.rows == position)
    if not len(found):  # outside the first view's sample: explain it now, once per session
        return _explain_row(analysis, position)
    pick = slice(int(found[0]), int(found[0]) + 1)
    return replace(
        shap,
        values=shap.values[pick],
        base_values=shap.base_values[pick],
        margin=shap.margin[pick],
        rows=shap.rows[pick],
        row_ids=shap.row_ids[pick],
        distinct_rows=None,
    )


def _explain_row(analysis: Analysis, position: int) -> ShapResult:
    key = f"rowshap|{analysis.key}|{position}"
    cached = state.private_result(key)
    if isinstance(cached, ShapResult):
        return cached
    dataset = analysis.dataset
    result = compute_shap(
        analysis.model,
        dataset.X.iloc[[position]],
        rows=np.array([position]),
        row_ids=dataset.row_ids[[position]],
    )
    state.keep_private_result(key, result)
    return result


def lime_for_row(analysis: Analysis, position: int, output: int | None) -> LimeResult:
    """LIME for the dataset row at ``position`` (kept in this session only)."""
    key = f"lime|{analysis.key}|{position}|{output}"
    cached = state.private_result(key)
    if isinstance(cached, LimeResult):
        return cached
    model, X = analysis.model, analysis.dataset.X
    train = model.train_index
    picked = sample_rows(len(train), LIME_BACKGROUND_ROWS, seed=SEED)
    background = X.iloc[train[picked]]
    with WORK_SLOTS:
        result = explain_lime(model, background, X.iloc[[position]], output=output, seed=SEED)
    state.keep_private_result(key, result)
    return result


def row_probability_shap(analysis: Analysis, position: int, output: int) -> ProbabilityShap:
    """Shapley values of the predicted probability of class ``output`` for the dataset row at
    ``position`` (:func:`explainers.probability_shap`), kept in this session only.

    Interventional, over a seeded background of :data:`PROBABILITY_BACKGROUND_ROWS` training
    rows: exact up to 8 features, else estimated from permutations with standard errors.
    Like LIME, one row's result stays in the session (it takes well under a second), so
    clicking through rows does not crowd the small shared cache that holds the analyses.

    Raises
    ------
    DataError
        ``not_a_probability`` for a regression model.
    """
    key = f"probshap|{analysis.key}|{position}|{output}"
    cached = state.private_result(key)
    if isinstance(cached, ProbabilityShap):
        return cached
    with WORK_SLOTS:
        result = probability_shap(
            analysis.model,
            analysis.dataset,
            [position],
            output=output,
            background_rows=PROBABILITY_BACKGROUND_ROWS,
            seed=SEED,
        )
    state.keep_private_result(key, result)
    return result


def explain_encoded_row(analysis: Analysis, encoded: pd.DataFrame) -> tuple[ShapResult, np.ndarray]:
    """SHAP values and prediction of an edited, already encoded row (what-if).

    Returns
    -------
    tuple
        The SHAP result of the row(s) and the model's prediction
        (probabilities ``(n, k)`` or values ``(n,)``).
    """
    frame = encoded.reset_index(drop=True)
    return compute_shap(analysis.model, frame), analysis.model.predict(frame)
