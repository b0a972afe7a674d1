"""The probability-points waterfall checked on its figure data against XGBoost's probability."""

from __future__ import annotations

import numpy as np
import pytest
import xgboost as xgb

from dashboard import charts
from explainers import probability_shap


def _booster_probability(run, position: int) -> float:
    """The positive class's probability of one row, straight from the booster."""
    X = run.dataset.X.iloc[[position]][list(run.model.spec.names)]
    return float(run.model.booster.predict(xgb.DMatrix(X, enable_categorical=True))[0])


def _bars(fig) -> np.ndarray:
    return np.asarray(fig.data[0].x, dtype=float)


@pytest.mark.parametrize("max_exact", [8, 0])
def test_bars_add_up_to_the_boosters_probability(binary_run, max_exact):
    """Check that base plus the bars is XGBoost's probability of the row, exact or estimated."""
    position = int(binary_run.model.valid_index[0])
    points = probability_shap(
        binary_run.model, binary_run.dataset, [position], max_exact_features=max_exact
    )
    names = list(points.features)
    fig = charts.probability_points_figure(
        points.base_value,
        names,
        ["?"] * len(names),
        points.values[0],
        predicted=float(points.predicted[0]),
        std_error=None if points.std_error is None else points.std_error[0],
    )
    x = _bars(fig)
    probability = 100 * _booster_probability(binary_run, position)
    assert list(fig.data[0].measure) == ["absolute", *["relative"] * len(names), "total"]
    assert x[0] == pytest.approx(100 * points.base_value, abs=1e-9)
    assert x[0] + x[1:-1].sum() == pytest.approx(probability, abs=1e-4)
    assert x[-1] == pytest.approx(probability, abs=1e-4)
    order = np.argsort(-np.abs(points.values[0]), kind="stable")
    np.testing.assert_allclose(x[1:-1], 100 * points.values[0][order], atol=1e-9)
    assert len(fig.data) == (1 if points.std_error is None else 2)  # whiskers only when estimated


def test_error_bars_are_the_standard_errors_of_the_drawn_features():
    """Check that each whisker is its feature's standard error, placed where its bar ends."""
    points = np.array([0.02, -0.15, 0.004, 0.08, -0.01, 0.03])
    errors = np.array([0.001, 0.01, 0.0005, 0.004, 0.002, 0.003])
    names = [f"f{i}" for i in range(len(points))]
    fig = charts.probability_points_figure(
        0.3,
        names,
        ["?"] * len(names),
        points,
        predicted=0.3 + points.sum(),
        std_error=errors,
        max_features=3,
        error_label="standard error",
    )
    whiskers = fig.data[1]
    kept = [1, 3, 5]  # the three largest |points|, largest first
    np.testing.assert_allclose(np.asarray(whiskers.error_x.array), 100 * errors[kept])
    ends = 30 + np.cumsum(100 * points[kept])
    np.testing.assert_allclose(np.asarray(whiskers.x, dtype=float), ends)
    assert list(whiskers.y) == [1, 2, 3]
    hover = fig.data[0].customdata[1][1]
    assert hover == "−15.0 pp ± 1.0 pp (standard error)"
    x = _bars(fig)
    assert x[4] == pytest.approx(100 * (points[0] + points[2] + points[4]))  # the other three
    assert x[0] + x[1:-1].sum() == pytest.approx(x[-1])


def test_one_feature_is_drawn_rather_than_lumped():
    """Check that a single feature left over gets its own bar, not an "other features" bar."""
    points = np.array([0.1, -0.05, 0.01])
    fig = charts.probability_points_figure(
        0.5, ["a", "b", "c"], ["1", "2", "3"], points, predicted=0.56, max_features=2
    )
    assert list(fig.layout.yaxis.ticktext[1:-1]) == ["a = 1", "b = 2", "c = 3"]


def test_points_that_miss_the_prediction_are_refused():
    """Check that points not adding up to the prediction are an error, not a wrong chart."""
    with pytest.raises(ValueError, match="predicted"):
        charts.probability_points_figure(
            0.5, ["a", "b"], ["1", "2"], [0.1, 0.2], predicted=0.7 + 1e-3
        )
    with pytest.raises(ValueError, match="std_error must not be negative"):
        charts.probability_points_figure(
            0.5, ["a", "b"], ["1", "2"], [0.1, 0.2], predicted=0.8, std_error=[0.01, -0.01]
        )
    with pytest.raises(ValueError, match="equal length"):
        charts.probability_points_figure(0.5, ["a"], ["1", "2"], [0.1, 0.2], predicted=0.8)


def test_axis_and_labels_are_escaped_and_in_percent():
    """Check that names are shown literally, the axis is in percent and bars say their units."""
    fig = charts.probability_points_figure(
        0.25,
        ["<b>x</b>"],
        ["1"],
        [0.5],
        predicted=0.75,
        x_title="Probability of yes (%)",
        base_label="Mean over 100 training rows",
        points_suffix=" pp",
    )
    trace = fig.data[0]
    assert list(trace.text) == ["25.0%", "+50.0 pp", "75.0%"]
    assert fig.layout.yaxis.ticktext[1] == "&lt;b&gt;x&lt;/b&gt; = 1"
    assert fig.layout.yaxis.ticktext[0] == "Mean over 100 training rows"
    assert fig.layout.xaxis.ticksuffix == "%"
    assert fig.layout.xaxis.title.text == "Probability of yes (%)"
    assert all(0 <= v <= 100 for v in fig.layout.xaxis.tickvals)
