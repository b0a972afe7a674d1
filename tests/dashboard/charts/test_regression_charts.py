"""The regression charts checked on their figure data against numpy."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard import charts


@pytest.fixture(scope="module")
def fit():
    """Actual values and noisy predictions of a regression."""
    rng = np.random.default_rng(5)
    actual = rng.normal(100, 15, 600)
    return actual, actual + rng.normal(0, 5, 600)


def test_predicted_vs_actual_holds_every_pair_and_the_identity(fit):
    """Check that each point is one (actual, predicted) pair and the identity spans them."""
    actual, predicted = fit
    fig = charts.predicted_vs_actual_figure(actual, predicted, max_points=None)
    points, identity = fig.data
    np.testing.assert_allclose(points.x, actual)
    np.testing.assert_allclose(points.y, predicted)
    low, high = min(actual.min(), predicted.min()), max(actual.max(), predicted.max())
    assert min(identity.x) <= low and max(identity.x) >= high
    np.testing.assert_allclose(identity.x, identity.y)


def test_predicted_vs_actual_samples_pairs_not_values(fit):
    """Check that a sample keeps each drawn row's pair together."""
    actual, predicted = fit
    fig = charts.predicted_vs_actual_figure(actual, predicted, max_points=50, seed=1)
    x, y = np.asarray(fig.data[0].x), np.asarray(fig.data[0].y)
    assert len(x) == 50 and fig.layout.meta["sampled"]
    index = {a: i for i, a in enumerate(actual)}
    np.testing.assert_allclose(y, predicted[[index[a] for a in x]])


def test_residual_points_are_the_residuals(fit):
    """Check that the residual plot has predicted on x and actual - predicted on y."""
    actual, predicted = fit
    fig = charts.residuals_figure(predicted, actual - predicted, max_points=None)
    np.testing.assert_allclose(fig.data[0].x, predicted)
    np.testing.assert_allclose(fig.data[0].y, actual - predicted)


def test_residual_histogram_counts_are_numpys(fit):
    """Check that the residual bars are np.histogram's counts over its bins."""
    actual, predicted = fit
    residuals = np.append(actual - predicted, [np.nan, np.inf])  # non-finite left out
    counts, edges = np.histogram((actual - predicted), bins=25)
    bar = charts.residual_histogram_figure(residuals, bins=25).data[0]
    np.testing.assert_array_equal(bar.y, counts)
    np.testing.assert_allclose(bar.x, (edges[:-1] + edges[1:]) / 2)
    np.testing.assert_allclose(bar.width, np.diff(edges))
