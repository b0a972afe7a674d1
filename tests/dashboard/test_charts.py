"""Chart builders checked on the data inside their figures, against XGBoost's own numbers."""

from __future__ import annotations

import re

import numpy as np
import pytest
import xgboost as xgb

from dashboard import charts, report


@pytest.fixture(scope="module")
def contribs(regression_run):
    """XGBoost's own pred_contribs and margins for the synthetic regression model."""
    model, X = regression_run.model, regression_run.dataset.X
    dm = xgb.DMatrix(X, enable_categorical=True)
    values = model.booster.predict(dm, pred_contribs=True)
    margin = model.booster.predict(dm, output_margin=True)
    return list(X.columns), values, margin


def test_importance_bars_are_mean_abs_pred_contribs(regression_run, contribs):
    """Check that the importance bars equal mean |pred_contribs|, largest first."""
    names, values, _ = contribs
    expected = np.abs(values[:, :-1]).mean(axis=0)
    fig = charts.importance_figure(names, regression_run.shap.mean_abs(0))
    bar = fig.data[0]
    order = np.argsort(-expected)
    np.testing.assert_allclose(bar.x, expected[order], rtol=1e-5)
    assert list(bar.customdata) == [names[i] for i in order]
    assert bar.customdata[0] == "a"  # y = 3a + b^2: a drives it


def test_waterfall_walks_from_base_to_the_rows_margin(contribs):
    """Check that the waterfall's bars sum from the base value to XGBoost's margin."""
    names, values, margin = contribs
    row = 5
    fig = charts.waterfall_figure(float(values[row, -1]), names, ["?"] * len(names),
                                  values[row, :-1], final=float(margin[row]), max_features=2)
    trace = fig.data[0]
    measures = list(trace.measure)
    assert measures[0] == "absolute" and measures[-1] == "total"
    x = np.asarray(trace.x, dtype=float)
    assert x[0] == pytest.approx(values[row, -1], abs=1e-5)
    assert x[0] + x[1:-1].sum() == pytest.approx(margin[row], abs=1e-4)
    assert x[-1] == pytest.approx(margin[row], abs=1e-4)


def test_waterfall_refuses_values_that_do_not_add_up(contribs):
    """Check that a waterfall whose parts miss the final value is an error, not a wrong chart."""
    names, values, margin = contribs
    with pytest.raises(ValueError, match="final"):
        charts.waterfall_figure(float(values[0, -1]), names, ["?"] * len(names),
                                values[0, :-1], final=float(margin[0]) + 1.0)


def test_probability_waterfall_ends_at_the_predicted_probability(binary_run):
    """Check that probability mode ends at XGBoost's predicted probability for the row."""
    model, X = binary_run.model, binary_run.dataset.X
    dm = xgb.DMatrix(X.iloc[[3]], enable_categorical=True)
    contrib = model.booster.predict(dm, pred_contribs=True)[0]
    probability = float(model.booster.predict(dm)[0])
    margin = float(contrib.sum())
    fig = charts.waterfall_figure(float(contrib[-1]), list(X.columns), ["?"] * X.shape[1],
                                  contrib[:-1], final=margin, probability=True)
    x = np.asarray(fig.data[0].x, dtype=float)
    assert x[-1] == pytest.approx(100 * probability, abs=1e-3)
    assert x[0] + x[1:-1].sum() == pytest.approx(100 * probability, abs=1e-3)


def test_beeswarm_samples_above_the_limit_and_says_so(binary_run):
    """Check that the beeswarm draws a seeded sample above max_points, with a note."""
    shap = binary_run.shap.for_output(0)
    X = binary_run.dataset.X
    fig = charts.beeswarm_figure(shap, X, list(X.columns), max_points=300, seed=0,
                                 note="showing {n_shown} of {n_total} rows")
    points = sum(len(t.x) for t in fig.data if t.x is not None)
    assert points <= 300 * X.shape[1]
    assert all(t.type == "scattergl" for t in fig.data if t.x is not None)
    meta = fig.layout.meta
    assert meta["sampled"] and meta["n_shown"] == 300 and meta["n_total"] == len(X)
    assert f"{len(X):,}" in meta["note"] and "300" in meta["note"]
    again = charts.beeswarm_figure(shap, X, list(X.columns), max_points=300, seed=0)
    np.testing.assert_array_equal(fig.data[0].x, again.data[0].x)


def test_hostile_names_stay_text_in_charts_and_report():
    """Check that a feature named like HTML is escaped in the figure and the HTML report."""
    hostile = "<img src=x onerror=alert(1)>"
    fig = charts.importance_figure([hostile, "b"], [1.0, 0.5])
    assert "<img" not in str(fig.data[0].customdata[0])
    page = report.charts_html(hostile, [(hostile, fig)]).decode("utf-8")
    assert hostile not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.count("<script type=\"text/javascript\">/**") <= 1  # plotly.js embedded once
    assert not re.search(r"<script[^>]+src=", page)  # offline: plotly.js is in the file
