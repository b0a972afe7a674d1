"""The Audit page's charts checked on their figure data against the engine's results."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard import charts
from explainers import partial_dependence, permutation_importance_ci


@pytest.fixture(scope="module")
def permutation(binary_run):
    """Permutation importance with intervals of the synthetic binary model."""
    return permutation_importance_ci(binary_run.model, binary_run.dataset, seed=0, n_repeats=5)


def test_importance_error_bars_are_the_intervals(permutation):
    """Check that bars are the means, largest first, and whiskers reach ci_low and ci_high."""
    names = [i.feature for i in permutation]
    mean = np.array([i.mean for i in permutation])
    low = np.array([i.ci_low for i in permutation])
    high = np.array([i.ci_high for i in permutation])
    fig = charts.interval_importance_figure(names, mean, low, high, top=None)
    bar = fig.data[0]
    order = np.argsort(-mean, kind="stable")
    np.testing.assert_allclose(bar.x, mean[order])
    np.testing.assert_allclose(bar.error_x.array, high[order] - mean[order])
    np.testing.assert_allclose(bar.error_x.arrayminus, mean[order] - low[order])
    assert [c[0] for c in bar.customdata] == [names[i] for i in order]
    assert bar.error_x.symmetric is False


def test_importance_top_keeps_the_largest(permutation):
    """Check that ``top`` shows only the largest means."""
    mean = [i.mean for i in permutation]
    fig = charts.interval_importance_figure(
        [i.feature for i in permutation], mean, mean, mean, top=2
    )
    np.testing.assert_allclose(fig.data[0].x, sorted(mean, reverse=True)[:2])


def test_pdp_line_is_the_average_over_ice(binary_run):
    """Check that the PDP line is the engine's average, the mean of the drawn ICE curves."""
    feature = binary_run.model.spec.names[0]
    pdp = partial_dependence(binary_run.model, binary_run.dataset, feature, sample_rows=50)
    fig = charts.partial_dependence_figure(pdp.grid, pdp.average, pdp.ice, probability=True)
    ice, line = fig.data
    np.testing.assert_allclose(line.y, pdp.average)
    assert list(line.x) == list(pdp.grid)
    drawn = np.array([np.nan if v is None else v for v in ice.y], dtype=float)
    curves = drawn.reshape(pdp.ice.shape[0], len(pdp.grid) + 1)[:, :-1]
    np.testing.assert_allclose(curves.mean(axis=0), pdp.average)
    assert tuple(fig.layout.yaxis.range) == (0, 1)


def test_pdp_needs_one_average_per_grid_value():
    """Check that a grid and average of different lengths are refused."""
    with pytest.raises(ValueError, match="one average per grid value"):
        charts.partial_dependence_figure([1.0, 2.0], [0.5])


def test_group_bars_carry_values_and_intervals():
    """Check that each group's bars are its metrics and whiskers reach its interval."""
    values = np.array([[0.8, 0.3], [0.7, 0.4]])
    low, high = values - 0.1, values + np.array([[0.05, 0.02], [0.1, 0.2]])
    fig = charts.group_metrics_figure(["F", "M"], ["accuracy", "tpr"], values, low, high)
    assert [trace.name for trace in fig.data] == ["F", "M"]
    for g, trace in enumerate(fig.data):
        np.testing.assert_allclose(trace.y, values[g])
        np.testing.assert_allclose(trace.error_y.array, high[g] - values[g])
        np.testing.assert_allclose(trace.error_y.arrayminus, values[g] - low[g])
    with pytest.raises(ValueError, match="shape"):
        charts.group_metrics_figure(["F"], ["accuracy"], values, low, high)


def test_error_rate_bars_match_a_direct_count(binary_run):
    """Check that the error-rate bars are each bin's misclassified share, counted here with
    pandas, and that the dashed line is the overall rate."""
    from explainers import error_rate_along

    model, dataset = binary_run.model, binary_run.dataset
    feature = model.spec.names[0]
    bins = error_rate_along(model, dataset, feature, bins=4)
    valid = model.valid_index
    wrong = model.predict(dataset.X.iloc[valid]).argmax(axis=1) != dataset.y[valid]
    overall = float(wrong.mean())
    fig = charts.error_rate_figure(
        [b.label for b in bins], [b.n for b in bins], [b.error_rate for b in bins], overall=overall
    )
    bar = fig.data[0]
    assert list(bar.customdata) == [b.n for b in bins]
    assert sum(bar.customdata) == len(valid)
    values = dataset.X.iloc[valid][feature].to_numpy()  # a continuous feature: 4 quartile bins
    edges = np.quantile(values, [0.25, 0.5, 0.75])
    quartile = np.searchsorted(edges, values, side="right")  # bins closed on the left
    assert len(bins) == 4
    for code, rate in enumerate(bar.y):
        assert rate == pytest.approx(float(wrong[quartile == code].mean()))
    assert fig.layout.shapes[0].y0 == pytest.approx(overall)


def test_error_rate_needs_one_rate_per_label():
    """Check that mismatched inputs are refused."""
    with pytest.raises(ValueError, match="equal length"):
        charts.error_rate_figure(["a", "b"], [1, 2], [0.1])


def test_cohort_importance_bars_are_each_cohorts_mean_abs_shap(binary_run):
    """Check that each cohort's bars are the mean |SHAP| of its rows, computed here from
    XGBoost's own pred_contribs."""
    import xgboost as xgb

    model, dataset = binary_run.model, binary_run.dataset
    contribs = model.booster.predict(
        xgb.DMatrix(dataset.X, enable_categorical=True), pred_contribs=True
    )[:, :-1]
    feature = model.spec.names[0]
    high = dataset.X[feature].to_numpy() > dataset.X[feature].median()
    values = np.vstack([np.abs(contribs[high]).mean(0), np.abs(contribs[~high]).mean(0)])
    fig = charts.cohort_importance_figure(list(model.spec.names), ["high", "low"], values)
    assert [trace.name for trace in fig.data] == ["high", "low"]
    np.testing.assert_allclose(fig.data[0].x, np.abs(contribs[high]).mean(0), rtol=1e-6)
    assert list(fig.data[1].customdata) == list(model.spec.names)


def test_cohort_dependence_drops_missing_and_names_categories():
    """Check that missing values are not drawn and categorical hover names the category."""
    fig = charts.cohort_dependence_figure(
        ["a", "b"],
        [np.array([0.0, 1.0, np.nan]), np.array([2.0])],
        [np.array([0.1, -0.2, 0.3]), np.array([0.5])],
        categories=["x", "y", "<b>z</b>"],
    )
    assert len(fig.data[0].y) == 2 and list(fig.data[0].customdata) == ["x", "y"]
    assert "<b>" not in fig.data[1].customdata[0]
    assert all(abs(s - v) <= 0.25 for s, v in zip(fig.data[0].x, [0, 1], strict=True))
