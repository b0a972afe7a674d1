"""The Local and What-if pages' charts checked on their figure data against XGBoost's numbers."""

from __future__ import annotations

import numpy as np
import pytest
import xgboost as xgb

from dashboard import charts


@pytest.fixture(scope="module")
def contribs(regression_run):
    """XGBoost's own pred_contribs and margins for the synthetic regression model."""
    model, X = regression_run.model, regression_run.dataset.X
    dm = xgb.DMatrix(X, enable_categorical=True)
    values = model.booster.predict(dm, pred_contribs=True)
    margin = model.booster.predict(dm, output_margin=True)
    return list(X.columns), values, margin


def test_waterfall_walks_from_base_to_the_rows_margin(contribs):
    """Check that the waterfall's bars sum from the base value to XGBoost's margin."""
    names, values, margin = contribs
    row = 5
    fig = charts.waterfall_figure(
        float(values[row, -1]),
        names,
        ["?"] * len(names),
        values[row, :-1],
        final=float(margin[row]),
        max_features=2,
    )
    trace = fig.data[0]
    measures = list(trace.measure)
    assert measures[0] == "absolute" and measures[-1] == "total"
    x = np.asarray(trace.x, dtype=float)
    assert x[0] == pytest.approx(values[row, -1], abs=1e-5)
    assert x[0] + x[1:-1].sum() == pytest.approx(margin[row], abs=1e-4)
    assert x[-1] == pytest.approx(margin[row], abs=1e-4)


def test_waterfall_axes_make_room_for_labels_instead_of_hiding_them(contribs):
    """Check that the waterfall's axes grow the margins for their tick labels and never ask
    Plotly to hide one past the chart's edge (Plotly's default on a numeric axis, which
    measures every label on each draw: about 12 ms of a row switch, make bench-remount)."""
    names, values, margin = contribs
    fig = charts.waterfall_figure(
        float(values[0, -1]), names, ["?"] * len(names), values[0, :-1], final=float(margin[0])
    )
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert axis.automargin is True
        assert axis.ticklabeloverflow == "allow"


def test_waterfall_refuses_values_that_do_not_add_up(contribs):
    """Check that a waterfall whose parts miss the final value is an error, not a wrong chart."""
    names, values, margin = contribs
    with pytest.raises(ValueError, match="final"):
        charts.waterfall_figure(
            float(values[0, -1]),
            names,
            ["?"] * len(names),
            values[0, :-1],
            final=float(margin[0]) + 1.0,
        )


def test_probability_waterfall_ends_at_the_predicted_probability(binary_run):
    """Check that probability mode ends at XGBoost's predicted probability for the row."""
    model, X = binary_run.model, binary_run.dataset.X
    dm = xgb.DMatrix(X.iloc[[3]], enable_categorical=True)
    contrib = model.booster.predict(dm, pred_contribs=True)[0]
    probability = float(model.booster.predict(dm)[0])
    margin = float(contrib.sum())
    fig = charts.waterfall_figure(
        float(contrib[-1]),
        list(X.columns),
        ["?"] * X.shape[1],
        contrib[:-1],
        final=margin,
        probability=True,
    )
    x = np.asarray(fig.data[0].x, dtype=float)
    assert x[-1] == pytest.approx(100 * probability, abs=1e-3)
    assert x[0] + x[1:-1].sum() == pytest.approx(100 * probability, abs=1e-3)


def test_log_odds_waterfall_states_the_end_probabilities(multiclass_run):
    """Check that a log-odds waterfall's end bars also give the softmax probabilities."""
    model, X = multiclass_run.model, multiclass_run.dataset.X
    dm = xgb.DMatrix(X.iloc[[2]], enable_categorical=True)
    contrib = model.booster.predict(dm, pred_contribs=True)[0]  # (k, f + 1)
    base, margin = contrib[:, -1], contrib.sum(axis=1)
    softmax = np.exp(margin - margin.max()) / np.exp(margin - margin.max()).sum()
    average = np.exp(base - base.max()) / np.exp(base - base.max()).sum()
    fig = charts.waterfall_figure(
        float(base[1]),
        list(X.columns),
        ["?"] * X.shape[1],
        contrib[1, :-1],
        final=float(margin[1]),
        end_probabilities=(float(average[1]), float(softmax[1])),
    )
    trace = fig.data[0]
    assert float(trace.x[0]) == pytest.approx(base[1], abs=1e-6)
    assert trace.text[0].endswith(f"({100 * average[1]:.1f}%)")
    assert trace.text[-1].endswith(f"({100 * softmax[1]:.1f}%)")


def test_probability_steps_follow_the_logistic_function():
    """Check the walk against the logistic function written out by hand."""
    steps = charts.probability_steps(-0.5, [1.0, -2.0, 0.25])
    margins = -0.5 + np.array([0.0, 1.0, -1.0, -0.75])
    np.testing.assert_allclose(steps, 1 / (1 + np.exp(-margins)))


def test_lime_and_shap_panels_hold_each_method_by_shap_rank():
    """Check that both panels show their own numbers for the same features, by |SHAP|."""
    names = ["a", "b", "c", "d"]
    shap = np.array([0.1, -0.5, 0.2, 0.05])
    lime = np.array([0.0, -0.3, 0.1, 0.02])
    fig = charts.lime_shap_figure(names, shap, lime, top=3)
    order = np.argsort(-np.abs(shap))[:3]
    np.testing.assert_allclose(fig.data[0].x, shap[order])
    np.testing.assert_allclose(fig.data[1].x, lime[order])
    assert list(fig.data[0].customdata) == [names[i] for i in order]


def test_whatif_dots_are_before_and_after_by_change():
    """Check that the dots hold the old and new SHAP values, largest change first."""
    names = ["a", "b", "c"]
    before, after = np.array([0.1, -0.5, 0.2]), np.array([0.3, -0.5, -0.4])
    fig = charts.whatif_figure(names, before, after)
    order = np.argsort(-np.abs(after - before), kind="stable")
    dots = {trace.name: trace for trace in fig.data if trace.mode == "markers"}
    np.testing.assert_allclose(dots["Original"].x, before[order])
    np.testing.assert_allclose(dots["What-if"].x, after[order])
    rising, falling = (trace for trace in fig.data if trace.mode == "lines")
    assert [x for x in rising.x if x is not None] == [0.1, 0.3]  # a rose
    assert [x for x in falling.x if x is not None] == [0.2, -0.4]  # c fell; b did not move


def test_lime_panels_are_laid_out_as_plotly_make_subplots_lays_them_out():
    """Check the LIME/SHAP figure (built in one construction) against the reference layout of
    Plotly's own ``make_subplots(1, 2, shared_yaxes=True, horizontal_spacing=0.06)``: the
    same axis domains, anchors, the shared names axis, the panel titles and each trace on its
    panel."""
    from plotly.subplots import make_subplots

    fig = charts.lime_shap_figure(["a", "b", "c"], [0.3, -0.2, 0.1], [0.1, 0.0, -0.4])
    reference = make_subplots(
        rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06, subplot_titles=["SHAP", "LIME"]
    )
    for axis in ("xaxis", "xaxis2", "yaxis", "yaxis2"):
        for key in ("domain", "anchor", "matches", "showticklabels"):
            assert fig.layout[axis][key] == reference.layout[axis][key], (axis, key)
    for ours, theirs in zip(fig.layout.annotations, reference.layout.annotations, strict=True):
        assert (ours.text, ours.x, ours.y, ours.xanchor, ours.yanchor) == (
            theirs.text,
            theirs.x,
            theirs.y,
            theirs.xanchor,
            theirs.yanchor,
        )
    assert [(t.xaxis, t.yaxis) for t in fig.data] == [("x", "y"), ("x2", "y2")]
    assert list(fig.layout.yaxis.ticktext) == ["a", "b", "c"]  # by |SHAP|, largest on top
