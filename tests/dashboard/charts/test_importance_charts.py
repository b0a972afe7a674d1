"""The Global page's charts checked on their figure data against XGBoost's own numbers."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from dashboard import charts, report


@pytest.fixture(scope="module")
def contribs(regression_run):
    """XGBoost's own pred_contribs for the synthetic regression model."""
    model, X = regression_run.model, regression_run.dataset.X
    values = model.booster.predict(xgb.DMatrix(X, enable_categorical=True), pred_contribs=True)
    return list(X.columns), values


def test_importance_bars_are_mean_abs_pred_contribs(regression_run, contribs):
    """Check that the importance bars equal mean |pred_contribs|, largest first."""
    names, values = contribs
    expected = np.abs(values[:, :-1]).mean(axis=0)
    fig = charts.importance_figure(names, regression_run.shap.mean_abs(0))
    bar = fig.data[0]
    order = np.argsort(-expected)
    np.testing.assert_allclose(bar.x, expected[order], rtol=1e-5)
    assert list(bar.customdata) == [names[i] for i in order]
    assert bar.customdata[0] == "a"  # y = 3a + b^2: a drives it


def test_beeswarm_rows_hold_each_features_shap_values(binary_run):
    """Check that each feature's points are exactly its SHAP values, ordered by mean |SHAP|."""
    shap = binary_run.shap.for_output(0)
    X = binary_run.dataset.X.iloc[binary_run.shap.rows]
    names = list(X.columns)
    fig = charts.beeswarm_figure(shap, X, names, top=None, max_points=None)
    order = np.argsort(-np.abs(shap).mean(axis=0), kind="stable")
    assert fig.layout.meta["features"] == [names[j] for j in order]
    x = np.concatenate([t.x for t in fig.data])  # missing values are a trace of their own
    row = np.rint(np.concatenate([t.y for t in fig.data])).astype(int)
    for position, j in enumerate(order[::-1]):  # the strongest feature is the top row
        np.testing.assert_allclose(np.sort(x[row == position]), np.sort(shap[:, j]))


def test_beeswarm_samples_above_the_limit_and_says_so(binary_run):
    """Check that the beeswarm draws a seeded sample above max_points, with a note."""
    shap = binary_run.shap.for_output(0)
    X = binary_run.dataset.X
    fig = charts.beeswarm_figure(
        shap, X, list(X.columns), max_points=300, seed=0, note="showing {n_shown} of {n_total} rows"
    )
    points = sum(len(t.x) for t in fig.data if t.x is not None)
    assert points <= 300 * X.shape[1]
    assert all(t.type == "scattergl" for t in fig.data if t.x is not None)
    meta = fig.layout.meta
    assert meta["sampled"] and meta["n_shown"] == 300 and meta["n_total"] == len(X)
    assert f"{len(X):,}" in meta["note"] and "300" in meta["note"]
    again = charts.beeswarm_figure(shap, X, list(X.columns), max_points=300, seed=0)
    np.testing.assert_array_equal(fig.data[0].x, again.data[0].x)


def test_heatmap_cells_are_mean_abs_pred_interactions(binary_run):
    """Check the heatmap against XGBoost's pred_interactions: mean |value|, strongest first."""
    model, X = binary_run.model, binary_run.dataset.X.iloc[:200]
    inter = model.booster.predict(xgb.DMatrix(X, enable_categorical=True), pred_interactions=True)[
        :, :-1, :-1
    ]
    strength = np.abs(inter).mean(axis=0)
    names = list(X.columns)
    fig = charts.interaction_heatmap_figure(strength, names, top=4)
    order = np.argsort(-strength.sum(axis=1), kind="stable")[:4]
    z = np.array([[np.nan if v is None else v for v in row] for row in fig.data[0].z])
    expected = strength[np.ix_(order, order)]
    np.fill_diagonal(expected, np.nan)
    np.testing.assert_allclose(z, expected, rtol=1e-6)
    assert list(fig.layout.xaxis.ticktext) == [names[i] for i in order]


def test_hostile_names_stay_text_in_charts_and_report():
    """Check that a feature named like HTML is escaped in the figure and the HTML report."""
    hostile = "<img src=x onerror=alert(1)>"
    fig = charts.importance_figure([hostile, "b"], [1.0, 0.5])
    assert "<img" not in str(fig.data[0].customdata[0])
    page = report.charts_html(hostile, [(hostile, fig)]).decode("utf-8")
    assert hostile not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.count('<script type="text/javascript">/**') <= 1  # plotly.js embedded once
    assert not re.search(r"<script[^>]+src=", page)  # offline: plotly.js is in the file


def test_beeswarm_hover_states_each_value_with_four_significant_digits():
    """Check the value each beeswarm point's hover states: four significant digits, thousands
    separated from 10,000 up, an exponent below 0.001, and the (escaped) missing label."""
    values = [12345.678, 0.000123, 3.14159, -0.0, 1e15, float("inf"), np.nan, 0.001, 9999.5]
    expected = [
        "12,346",
        "1.23e-04",
        "3.142",
        "-0",
        "1e+15",
        "inf",
        "&lt;none&gt;",
        "0.001",
        "1e+04",
    ]
    frame = pd.DataFrame({"v": values})
    shap = np.arange(len(values), dtype=float).reshape(-1, 1)  # tells the points apart
    fig = charts.beeswarm_figure(shap, frame, ["v"], missing_label="<none>")
    shown = {x: c for trace in fig.data for x, c in zip(trace.x, trace.customdata, strict=True)}
    assert [shown[float(i)] for i in range(len(values))] == expected
