"""The dependence plot checked on its figure data: each point is one row's (value, SHAP)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import charts


@pytest.fixture(scope="module")
def columns():
    """A numeric feature with gaps, a category, and SHAP values of the numeric one."""
    rng = np.random.default_rng(9)
    a = rng.normal(size=300)
    a[:6] = np.nan
    colour = pd.Series(rng.choice(["red", "blue"], 300))
    return pd.Series(a), colour, np.where(np.isnan(a), 0.0, 2 * np.nan_to_num(a))


def test_points_are_value_and_shap_of_each_row(columns):
    """Check that the points are the (value, SHAP) pairs of the rows with a value."""
    a, _, shap = columns
    fig = charts.dependence_figure(a, shap, feature="a", max_points=None)
    present = a.notna().to_numpy()
    np.testing.assert_allclose(fig.data[0].x, a[present])
    np.testing.assert_allclose(fig.data[0].y, shap[present])
    assert fig.layout.meta["n_missing"] == 6


def test_colour_by_category_splits_the_rows(columns):
    """Check that colouring by a category gives one trace per category with its rows."""
    a, colour, shap = columns
    fig = charts.dependence_figure(
        a, shap, feature="a", color=colour, color_feature="c", max_points=None
    )
    present = a.notna().to_numpy()
    for trace in fig.data:
        mask = present & (colour == trace.name).to_numpy()
        np.testing.assert_allclose(np.sort(trace.y), np.sort(shap[mask]))
    assert sum(len(t.x) for t in fig.data) == present.sum()


def test_category_feature_sits_near_its_code():
    """Check that a category's points sit within the jitter of its position, SHAP unchanged."""
    values = pd.Series(["b", "a", "b", "c", "a"] * 20)
    shap = np.arange(100, dtype=float)
    fig = charts.dependence_figure(values, shap, feature="letter", max_points=None)
    codes = values.map({"a": 0, "b": 1, "c": 2}).to_numpy()
    np.testing.assert_allclose(fig.data[0].y, shap)
    assert np.all(np.abs(np.asarray(fig.data[0].x) - codes) < 0.5)
