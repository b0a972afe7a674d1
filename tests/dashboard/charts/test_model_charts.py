"""The Model page's charts checked on their figure data against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import confusion_matrix, precision_recall_curve, roc_curve

from dashboard import charts


@pytest.fixture(scope="module")
def scored():
    """Labels and scores of a noisy binary problem."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 400)
    return y, np.clip(0.35 * y + 0.65 * rng.random(400), 0, 1)


def test_roc_points_are_sklearns_roc_curve(scored):
    """Check that the ROC line is scikit-learn's roc_curve, with the chance diagonal."""
    y, score = scored
    fpr, tpr, _ = roc_curve(y, score)
    fig = charts.roc_figure({"yes": (fpr, tpr)}, {"yes": 0.8123})
    curve, chance = fig.data
    np.testing.assert_allclose(curve.x, fpr)
    np.testing.assert_allclose(curve.y, tpr)
    assert "0.812" in curve.name
    assert list(chance.x) == [0, 1] and list(chance.y) == [0, 1]


def test_pr_points_and_baseline_match_sklearn(scored):
    """Check that the PR line is precision_recall_curve and the baseline the prevalence."""
    y, score = scored
    precision, recall, _ = precision_recall_curve(y, score)
    fig = charts.pr_figure(
        {"yes": (recall, precision)}, {"yes": 0.7}, prevalence={"yes": float(y.mean())}
    )
    curve, baseline = fig.data
    np.testing.assert_allclose(curve.x, recall)
    np.testing.assert_allclose(curve.y, precision)
    np.testing.assert_allclose(baseline.y, [y.mean(), y.mean()])


def test_calibration_points_are_sklearns_bins(scored):
    """Check that the reliability curve is calibration_curve's bins (predicted on x)."""
    y, score = scored
    observed, predicted = calibration_curve(y, score, n_bins=8)
    fig = charts.calibration_figure({"yes": (predicted, observed)})
    np.testing.assert_allclose(fig.data[0].x, predicted)
    np.testing.assert_allclose(fig.data[0].y, observed)
    assert list(fig.data[1].x) == [0, 1] and list(fig.data[1].y) == [0, 1]


@pytest.mark.parametrize("normalize", [False, True])
def test_confusion_cells_are_sklearns_counts(scored, normalize):
    """Check that the heatmap holds confusion_matrix's counts (or row shares) and says both."""
    y, score = scored
    matrix = confusion_matrix(y, score >= 0.5)
    fig = charts.confusion_figure(matrix, ["no", "yes"], normalize=normalize)
    z = np.asarray(fig.data[0].z, dtype=float)
    shares = matrix / matrix.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(z, shares if normalize else matrix)
    text = np.asarray(fig.data[0].text)
    assert str(matrix[1, 1]) in text[1, 1] and f"{100 * shares[1, 1]:.1f}%" in text[1, 1]


def test_threshold_lines_are_precision_recall_and_f1(scored):
    """Check the three lines against precision_recall_curve and the F1 formula, with a marker."""
    y, score = scored
    precision, recall, thresholds = precision_recall_curve(y, score)
    p, r = precision[:-1], recall[:-1]
    f1 = np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-12), 0.0)
    fig = charts.threshold_metrics_figure(thresholds, p, r, f1, current=0.4)
    lines = {trace.name: trace for trace in fig.data}
    for name, expected in (("Precision", p), ("Recall", r), ("F1", f1)):
        np.testing.assert_allclose(lines[name].x, thresholds)
        np.testing.assert_allclose(lines[name].y, expected)
    best = int(np.argmax(f1))
    assert max(lines["F1"].y) == pytest.approx(2 * p[best] * r[best] / (p[best] + r[best]))
    assert fig.layout.shapes[0].x0 == pytest.approx(0.4)
