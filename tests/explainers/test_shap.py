"""TreeSHAP through XGBoost, checked against shap's TreeExplainer and for additivity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shap

from explainers import compute_interactions, compute_shap


@pytest.mark.parametrize("fixture", ["binary_run", "regression_run", "multiclass_run"])
def test_base_plus_shap_equals_margin(fixture, request):
    """Check that base value plus SHAP values equals the booster's raw margin.

    It holds for every row and output.
    """
    run = request.getfixturevalue(fixture)
    shap_result = run.shap
    margin = run.model.predict_margin(run.dataset.X.iloc[shap_result.rows])
    total = shap_result.base_values + shap_result.values.sum(axis=2)
    np.testing.assert_allclose(total, margin, atol=1e-4 * max(1.0, np.abs(margin).max()))
    np.testing.assert_allclose(shap_result.margin, margin, rtol=1e-6, atol=1e-6)


def test_multiclass_has_one_output_per_class(multiclass_run):
    """Check that multiclass SHAP values carry one slice per class."""
    assert multiclass_run.shap.values.shape[1] == 3
    assert multiclass_run.model.classes == ("high", "low", "medium")


def test_matches_shap_tree_explainer_regression(regression_run):
    """Check that our values equal shap.TreeExplainer's on a numeric model."""
    model, X = regression_run.model, regression_run.dataset.X.iloc[:200]
    ours = compute_shap(model, X, device="cpu")
    theirs = shap.TreeExplainer(model.booster).shap_values(X)
    np.testing.assert_allclose(ours.for_output(0), theirs, atol=1e-4)


def test_matches_shap_tree_explainer_multiclass(multiclass_run):
    """Check per-class values, categorical splits included, against shap.TreeExplainer."""
    model, X = multiclass_run.model, multiclass_run.dataset.X.iloc[:150]
    assert "mode" in model.spec.names and model.spec.kinds["mode"] == "categorical"
    theirs = np.asarray(shap.TreeExplainer(model.booster).shap_values(X))  # (n, f, k)
    ours = compute_shap(model, X, device="cpu").values  # (n, k, f)
    np.testing.assert_allclose(ours, np.transpose(theirs, (0, 2, 1)), atol=1e-4)


def test_interactions_match_shap_and_sum_to_values(regression_run):
    """Check interaction values against shap and that each row's matrix sums to its SHAP values."""
    model, X = regression_run.model, regression_run.dataset.X.iloc[:60]
    inter = compute_interactions(model, X, device="cpu")
    theirs = shap.TreeExplainer(model.booster).shap_interaction_values(X)
    np.testing.assert_allclose(inter.values[:, 0], theirs, atol=1e-4)
    values = compute_shap(model, X, device="cpu").for_output(0)
    np.testing.assert_allclose(inter.values[:, 0].sum(axis=2), values, atol=1e-4)


def test_interaction_partner_is_symmetric_strength(regression_run):
    """Check that the strength matrix is symmetric and the partner is never the feature itself."""
    inter = compute_interactions(regression_run.model, regression_run.dataset.X.iloc[:50])
    strength = inter.strength()
    np.testing.assert_allclose(strength, strength.T, atol=1e-9)
    assert inter.strongest_partner("a") in {"b", "c"}


def test_backend_is_reported(binary_run):
    """Check that the backend names the device that ran."""
    assert binary_run.shap.backend == f"xgboost-{binary_run.shap.device}"


def test_true_drivers_rank_on_top(binary_run):
    """Check that the synthetic binary table's known drivers lead the importance ranking."""
    ranking = [name for name, _ in binary_run.shap.ranking()]
    assert ranking[0] == "x_strong"
    assert ranking.index("x_noise") > ranking.index("x_medium")
    assert "record_id" not in ranking


def test_categorical_feature_has_one_column(binary_run):
    """Check that a categorical column is explained as one feature, under its own name."""
    assert "colour" in binary_run.shap.features
    assert binary_run.shap.values.shape[2] == len(binary_run.model.spec.names)


def test_chunks_give_the_same_values(binary_run, monkeypatch):
    """Check that chunked computation equals one pass."""
    import explainers._shap as module

    X = binary_run.dataset.X.iloc[:300]
    whole = compute_shap(binary_run.model, X, device="cpu").values
    monkeypatch.setattr(module, "CHUNK_ROWS", 70)
    chunked = compute_shap(binary_run.model, X, device="cpu").values
    np.testing.assert_array_equal(whole, chunked)


def test_progress_reports_reach_total(binary_run):
    """Check that the progress callback ends at the number of rows."""
    seen = []
    X = binary_run.dataset.X.iloc[:120]
    compute_shap(binary_run.model, X, device="cpu", progress=lambda d, t, m: seen.append((d, t)))
    assert seen[0][0] == 0 and seen[-1] == (120, 120)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


@pytest.mark.parametrize(
    ("seconds", "n", "done"),
    [(1e3, 2000, [64, 320, 600, 1200, 1800, 2000]), (1e-9, 200, [64, 80, 84, 85, 86])],
)
def test_chunks_sized_by_time_grow_or_shrink_and_give_the_same_values(binary_run, seconds, n, done):
    """Check that with ``chunk_seconds`` the first chunk has 64 rows and the next ones grow
    (work far quicker than the target) or shrink (far slower) at most 4 times at once, up
    to ``chunk_rows`` (a block's end cuts one short) and down to one row, with the values
    of one pass."""
    X = pd.concat([binary_run.dataset.X] * 10, ignore_index=True).iloc[:n]
    whole = compute_shap(binary_run.model, X, device="cpu", distinct=False).values
    seen: list[int] = []
    timed = compute_shap(
        binary_run.model,
        X,
        device="cpu",
        distinct=False,
        chunk_rows=600,
        chunk_seconds=seconds,
        progress=lambda d, t, m: seen.append(d),
    )
    np.testing.assert_array_equal(whole, timed.values)
    assert seen[1 : len(done) + 1] == done  # seen[0] is the report before any work
    assert seen[-1] == n


def test_chunks_sized_by_time_with_several_outputs_repeated_rows_and_no_rows(multiclass_run):
    """Check time-sized chunks on a multiclass model, with repeated rows computed once, and on
    no rows at all: the values of one pass; a chunk length that is not a positive number of
    seconds is refused."""
    X = pd.concat([multiclass_run.dataset.X.iloc[:150]] * 8, ignore_index=True)
    whole = compute_shap(multiclass_run.model, X, device="cpu")
    timed = compute_shap(multiclass_run.model, X, device="cpu", chunk_rows=100, chunk_seconds=1e-3)
    assert timed.distinct_rows == whole.distinct_rows == 150
    np.testing.assert_array_equal(whole.values, timed.values)
    np.testing.assert_array_equal(whole.margin, timed.margin)
    empty = compute_shap(multiclass_run.model, X.iloc[:0], device="cpu", chunk_seconds=0.1)
    assert empty.values.shape == (0, whole.values.shape[1], whole.values.shape[2])
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="chunk_seconds"):
            compute_shap(multiclass_run.model, X, device="cpu", chunk_seconds=bad)
