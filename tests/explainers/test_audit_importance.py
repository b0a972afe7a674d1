"""Importance with uncertainty, checked against scikit-learn, scipy and known ground truth."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import xgboost as xgb
from scipy import stats
from sklearn.inspection import permutation_importance
from sklearn_wrappers import SklearnClassifier, SklearnRegressor

from explainers._audit.importance import (
    ImportanceInterval,
    importance_score_name,
    indistinguishable,
    permutation_importance_ci,
    shap_importance_ci,
)
from explainers._errors import DataError

_SCORING = {"binary": "roc_auc", "multiclass": "roc_auc_ovr", "regression": "r2"}


@pytest.mark.parametrize("fixture", ["binary_run", "regression_run", "multiclass_run"])
def test_permutation_matches_sklearn_with_its_own_scorer(fixture, request):
    """Check means against sklearn's permutation_importance and intervals against scipy's t."""
    run = request.getfixturevalue(fixture)
    model, dataset = run.model, run.dataset
    ours = permutation_importance_ci(model, dataset, n_repeats=6, seed=3)
    rows = model.valid_index
    X = dataset.X.iloc[rows][list(model.spec.names)]
    estimator = SklearnRegressor(model) if model.task == "regression" else SklearnClassifier(model)
    theirs = permutation_importance(
        estimator,
        X,
        dataset.y[rows],
        scoring=_SCORING[model.task],
        n_repeats=6,
        random_state=3,
    )
    by_name = {item.feature: item for item in ours}
    assert set(by_name) == set(model.spec.names)
    for i, name in enumerate(model.spec.names):
        drops = theirs.importances[i]
        low, high = stats.t.interval(
            0.95, df=len(drops) - 1, loc=drops.mean(), scale=stats.sem(drops)
        )
        got = by_name[name]
        assert got.mean == pytest.approx(theirs.importances_mean[i], abs=1e-12)
        assert (got.ci_low, got.ci_high) == pytest.approx((low, high), abs=1e-12)
    assert [item.mean for item in ours] == sorted((item.mean for item in ours), reverse=True)
    assert importance_score_name(model.task).startswith(_SCORING[model.task][:3])


def test_permutation_ranks_known_drivers(binary_run, regression_run):
    """Check that the planted driver ranks first and the noise feature gets about zero."""
    binary = permutation_importance_ci(binary_run.model, binary_run.dataset, n_repeats=5)
    assert binary[0].feature == "x_strong" and binary[0].ci_low > 0.1
    noise = next(item for item in binary if item.feature == "x_noise")
    assert abs(noise.mean) < 0.01
    regression = permutation_importance_ci(
        regression_run.model, regression_run.dataset, n_repeats=5
    )
    assert [item.feature for item in regression] == ["a", "b", "c"]
    assert abs(regression[-1].mean) < 0.01


def test_unused_feature_gets_zero_with_an_interval_containing_zero(binary_run):
    """Check that a feature the booster never splits on scores exactly 0, interval included."""
    model, dataset = binary_run.model, binary_run.dataset
    train = dataset.X.iloc[model.train_index].copy()
    train["x_noise"] = 0.0  # constant while training: no split can use it
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 3, "seed": 0},
        xgb.DMatrix(train, label=dataset.y[model.train_index], enable_categorical=True),
        num_boost_round=30,
    )
    blind = dataclasses.replace(model, booster=booster)
    result = {i.feature: i for i in permutation_importance_ci(blind, dataset, n_repeats=4)}
    assert result["x_noise"] == ImportanceInterval("x_noise", 0.0, 0.0, 0.0)
    assert result["x_strong"].ci_low > 0


def test_permutation_respects_rows_and_max_rows(binary_run):
    """Check that a row cap draws a seeded subsample and gives the same answer twice."""
    model, dataset = binary_run.model, binary_run.dataset
    first = permutation_importance_ci(model, dataset, rows=np.arange(600), max_rows=200, seed=5)
    again = permutation_importance_ci(model, dataset, rows=np.arange(600), max_rows=200, seed=5)
    assert first == again


def test_permutation_errors(binary_run):
    """Check the messages for one repeat and for rows holding a single class."""
    model, dataset = binary_run.model, binary_run.dataset
    with pytest.raises(DataError, match="n_repeats must be at least 2"):
        permutation_importance_ci(model, dataset, n_repeats=1)
    one_class = np.flatnonzero(dataset.y == 0)[:50]
    with pytest.raises(DataError, match="found 1 of 2 class"):
        permutation_importance_ci(model, dataset, rows=one_class)


def test_shap_interval_matches_scipy_bootstrap(binary_run):
    """Check each feature's interval against scipy.stats.bootstrap called on that feature alone."""
    shap_result = binary_run.shap
    ours = {i.feature: i for i in shap_importance_ci(shap_result, n_resamples=400, seed=11)}
    magnitude = np.abs(shap_result.values[:, 0, :])
    for j, name in enumerate(shap_result.features):
        reference = stats.bootstrap(
            (magnitude[:, j],),
            np.mean,
            n_resamples=400,
            method="percentile",
            rng=np.random.default_rng(11),
        ).confidence_interval
        got = ours[name]
        width = reference.high - reference.low
        assert got.mean == pytest.approx(magnitude[:, j].mean(), rel=1e-12)
        assert got.ci_low == pytest.approx(reference.low, abs=0.05 * width)
        assert got.ci_high == pytest.approx(reference.high, abs=0.05 * width)


def test_shap_interval_covers_the_true_mean(binary_run):
    """Check that about 95% of intervals cover the known mean of |N(0, 1)|, sqrt(2/pi)."""
    n_rows, n_replicates = 200, 300
    draws = np.random.default_rng(0).normal(size=(n_rows, 1, n_replicates))
    fake = dataclasses.replace(
        binary_run.shap,
        values=draws,
        features=tuple(f"r{i}" for i in range(n_replicates)),
    )
    intervals = shap_importance_ci(fake, n_resamples=500, seed=1)
    truth = np.sqrt(2 / np.pi)
    coverage = np.mean([i.ci_low <= truth <= i.ci_high for i in intervals])
    assert 0.89 <= coverage <= 0.99


def test_shap_all_outputs_and_constant_feature(multiclass_run):
    """Check output='all' sums |SHAP| over classes and a constant feature's interval is a point."""
    shap_result = multiclass_run.shap
    summed = np.abs(shap_result.values).sum(axis=1).mean(axis=0)
    result = {i.feature: i for i in shap_importance_ci(shap_result, output="all", n_resamples=50)}
    for j, name in enumerate(shap_result.features):
        assert result[name].mean == pytest.approx(summed[j], rel=1e-12)
        assert result[name].ci_low <= result[name].mean <= result[name].ci_high
    values = shap_result.values.copy()
    values[:, :, 0] = 0.25
    flat = shap_importance_ci(dataclasses.replace(shap_result, values=values), n_resamples=50)
    constant = next(i for i in flat if i.feature == shap_result.features[0])
    assert constant == ImportanceInterval(shap_result.features[0], 0.25, 0.25, 0.25)


def test_shap_importance_errors(binary_run):
    """Check the messages for an unknown output and too few rows."""
    with pytest.raises(DataError, match="output must be 'all' or a class index from 0 to 0"):
        shap_importance_ci(binary_run.shap, output=2)
    one_row = dataclasses.replace(binary_run.shap, values=binary_run.shap.values[:1])
    with pytest.raises(DataError, match="at least 2 rows"):
        shap_importance_ci(one_row)


def test_indistinguishable_on_planted_intervals():
    """Check that only adjacent overlapping pairs are reported, in rank order."""
    planted = [
        ImportanceInterval("d", 0.1, 0.0, 0.2),
        ImportanceInterval("a", 1.0, 0.9, 1.1),
        ImportanceInterval("b", 0.8, 0.7, 0.95),  # overlaps a
        ImportanceInterval("c", 0.5, 0.4, 0.6),  # clear of b, touches nothing above
        ImportanceInterval("e", 0.05, 0.2, 0.3),  # odd but legal: overlaps d at 0.2
    ]
    assert indistinguishable(planted) == [("a", "b"), ("d", "e")]
    assert indistinguishable([]) == []
