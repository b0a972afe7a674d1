"""The model-worth charts checked on their figure data against XGBoost and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
import xgboost as xgb
from sklearn.metrics import roc_auc_score

from dashboard import charts
from explainers import tree_curve


@pytest.fixture(scope="module")
def curve(binary_run):
    """The synthetic binary model's validation AUC after each round of trees."""
    return tree_curve(binary_run.model, binary_run.dataset)


def test_tree_curve_line_is_the_auc_after_each_round(binary_run, curve):
    """Check that the line holds the validation AUC of the first k rounds (XGBoost's own
    prediction scored by scikit-learn) and that the markers sit on the best and compact
    models."""
    model, dataset = binary_run.model, binary_run.dataset
    best = int(curve.trees[curve.best_rounds - 1])
    fig = charts.tree_curve_figure(
        curve.trees,
        curve.scores,
        best_trees=best,
        compact_trees=curve.compact_trees,
        best_label="best",
        compact_label="compact",
    )
    line, best_marker, compact_marker = fig.data
    valid = model.valid_index
    data = xgb.DMatrix(dataset.X.iloc[valid][list(model.spec.names)], enable_categorical=True)
    for k in (1, len(curve.rounds) // 2, len(curve.rounds)):
        expected = roc_auc_score(
            dataset.y[valid], model.booster.predict(data, iteration_range=(0, k))
        )
        assert line.y[k - 1] == pytest.approx(expected, abs=1e-6)
    np.testing.assert_array_equal(line.x, curve.trees)
    assert best_marker.y[0] == pytest.approx(np.nanmax(line.y))
    assert (best_marker.x[0], compact_marker.x[0]) == (best, curve.compact_trees)
    within = line.y >= best_marker.y[0] * (1 - curve.tolerance)
    assert compact_marker.x[0] == line.x[np.flatnonzero(within)[0]]  # the fewest trees within
    assert (best_marker.name, compact_marker.name) == ("best", "compact")


def test_tree_curve_reference_line_spans_the_trees(curve):
    """Check that a reference score is a flat dashed line over the whole tree axis."""
    fig = charts.tree_curve_figure(
        curve.trees,
        curve.scores,
        best_trees=int(curve.trees[curve.best_rounds - 1]),
        compact_trees=curve.compact_trees,
        reference=0.8,
        reference_label="Linear <b>model</b>",
    )
    line = fig.data[-1]
    assert list(line.y) == [0.8, 0.8]
    assert list(line.x) == [curve.trees[0], curve.trees[-1]]
    assert line.line.dash == "dash"
    assert "&lt;b&gt;" in line.name  # labels are escaped


def test_tree_curve_refuses_a_marker_off_the_curve():
    """Check that a best or compact model that is not on the curve is refused."""
    with pytest.raises(ValueError, match="compact_trees must be one of"):
        charts.tree_curve_figure([1, 2, 3], [0.5, 0.6, 0.7], best_trees=3, compact_trees=5)
    with pytest.raises(ValueError, match="equal length"):
        charts.tree_curve_figure([1, 2], [0.5], best_trees=1, compact_trees=1)


def test_learning_curve_line_holds_rows_scores_and_rounds():
    """Check that the learning curve draws one point per retrained model, rounds on hover,
    and leaves out the reference line when there is none."""
    rows, scores, rounds = [40, 100, 200, 400], [0.7, 0.8, 0.84, 0.85], [12, 20, 31, 40]
    fig = charts.learning_curve_figure(rows, scores, rounds, x_title="Training rows")
    assert len(fig.data) == 1
    (line,) = fig.data
    np.testing.assert_array_equal(line.x, rows)
    np.testing.assert_allclose(line.y, scores)
    np.testing.assert_array_equal(line.customdata, rounds)
    assert line.mode == "lines+markers"
    with_reference = charts.learning_curve_figure(rows, scores, rounds, reference=0.83)
    assert list(with_reference.data[1].x) == [40, 400]
    with pytest.raises(ValueError, match="equal length"):
        charts.learning_curve_figure(rows, scores, rounds[:2])
