"""Partial dependence and ICE, checked against brute force, scikit-learn and known effects."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sklearn.inspection import partial_dependence as sklearn_partial_dependence
from sklearn_wrappers import SklearnClassifier
from synthetic_tables import to_csv_bytes

from explainers import explain_file
from explainers._audit.effects import partial_dependence
from explainers._errors import DataError


def _brute_force(model, X, feature, grid, output):
    """ICE curves (n, g) by copying X once per grid value, as the textbook defines them."""
    curves = []
    for value in grid:
        copy = X.copy()
        if isinstance(copy[feature].dtype, pd.CategoricalDtype):
            copy[feature] = pd.Categorical(
                [value] * len(copy), categories=copy[feature].cat.categories
            )
        else:
            copy[feature] = float(value)
        prediction = model.predict(copy)
        curves.append(prediction if prediction.ndim == 1 else prediction[:, output])
    return np.column_stack(curves)


@pytest.mark.parametrize(
    ("fixture", "feature", "output"),
    [
        ("binary_run", "x_strong", None),
        ("binary_run", "colour", None),
        ("binary_run", "x_medium", 0),
        ("regression_run", "b", None),
        ("multiclass_run", "s1", 2),
        ("multiclass_run", "mode", None),
    ],
)
def test_matches_brute_force(fixture, feature, output, request):
    """Check the average and every ICE curve against a copy-set-predict loop."""
    run = request.getfixturevalue(fixture)
    result = partial_dependence(run.model, run.dataset, feature, sample_rows=120, output=output)
    X = run.dataset.X.iloc[result.rows]
    index = {"binary": 1, "multiclass": 0, "regression": 0}[run.model.task]
    expected = _brute_force(run.model, X, feature, result.grid, index if output is None else output)
    assert result.n_rows == len(result.rows) == 120
    np.testing.assert_allclose(result.ice, expected, atol=1e-9)
    np.testing.assert_allclose(result.average, expected.mean(axis=0), atol=1e-9)


@pytest.mark.parametrize("feature", ["x_strong", "colour"])
def test_matches_sklearn_partial_dependence(binary_run, feature):
    """Check against sklearn.inspection.partial_dependence(method='brute') on the same grid."""
    model, dataset = binary_run.model, binary_run.dataset
    ours = partial_dependence(model, dataset, feature, sample_rows=150, seed=4)
    X = dataset.X.iloc[ours.rows]
    categorical = feature in model.spec.categories
    theirs = sklearn_partial_dependence(
        SklearnClassifier(model),
        X,
        [feature],
        method="brute",
        kind="both",
        response_method="predict_proba",
        categorical_features=[feature] if categorical else None,
        custom_values={feature: list(ours.grid)},
    )
    assert list(theirs["grid_values"][0]) == list(ours.grid)
    np.testing.assert_allclose(ours.average, theirs["average"][0], atol=1e-9)
    np.testing.assert_allclose(ours.ice, theirs["individual"][0], atol=1e-9)


def test_numeric_grid_is_quantiles_of_observed_values(binary_run):
    """Check the numeric grid against numpy quantiles between the 5th and 95th percentiles."""
    result = partial_dependence(binary_run.model, binary_run.dataset, "x_medium", grid_points=9)
    values = binary_run.dataset.X["x_medium"].to_numpy()[result.rows]
    expected = np.quantile(values[~np.isnan(values)], np.linspace(0.05, 0.95, 9))
    np.testing.assert_allclose(result.grid, expected)
    assert (
        result.kind == "numeric" and result.unit == "probability" and result.output_label == "yes"
    )


def test_monotone_effect_gives_monotone_curve(binary_run, regression_run):
    """Check that planted increasing effects give increasing curves, every ICE curve included."""
    model, dataset = binary_run.model, binary_run.dataset
    constraints = "(" + ",".join("1" if n == "x_strong" else "0" for n in model.spec.names) + ")"
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 3, "monotone_constraints": constraints},
        xgb.DMatrix(dataset.X, label=dataset.y, enable_categorical=True),
        num_boost_round=40,
    )
    constrained = dataclasses.replace(model, booster=booster)
    result = partial_dependence(constrained, dataset, "x_strong", seed=2)
    assert np.all(np.diff(result.ice, axis=1) >= 0) and np.all(np.diff(result.average) >= 0)
    assert result.average[-1] - result.average[0] > 0.5
    linear = partial_dependence(regression_run.model, regression_run.dataset, "a", ice=False)
    assert linear.ice is None
    slope = np.polyfit(np.asarray(linear.grid, dtype=float), linear.average, 1)[0]
    assert slope == pytest.approx(3.0, rel=0.15)  # y = 3a + b^2


def test_centred_ice_starts_at_zero(binary_run):
    """Check that centred curves start at 0 and differ from plain ones by their first value."""
    model, dataset = binary_run.model, binary_run.dataset
    plain = partial_dependence(model, dataset, "x_strong", sample_rows=80)
    centred = partial_dependence(model, dataset, "x_strong", sample_rows=80, centred=True)
    assert centred.centred and np.all(centred.ice[:, 0] == 0) and centred.average[0] == 0
    np.testing.assert_allclose(centred.ice, plain.ice - plain.ice[:, :1], atol=1e-12)


def test_categorical_feature_has_one_point_per_category(binary_run):
    """Check one point per category, and that 'red' (the planted effect) is highest."""
    result = partial_dependence(binary_run.model, binary_run.dataset, "colour")
    assert result.kind == "categorical" and result.grid == ("blue", "green", "red")
    assert result.ice.shape == (500, 3) and result.n_rows == 500
    assert int(np.argmax(result.average)) == 2


def test_multiclass_gives_every_class(multiclass_run):
    """Check per-class curves sum to 1 and the chosen output is one of them."""
    result = partial_dependence(multiclass_run.model, multiclass_run.dataset, "s1", output=1)
    assert result.average_per_class.shape == (len(result.grid), 3)
    np.testing.assert_allclose(result.average_per_class.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(result.average, result.average_per_class[:, 1])
    assert result.output_label == "low"


@pytest.fixture(scope="module")
def correlated_run():
    """A regression table with a near-copy of its driver and a yes/no column."""
    rng = np.random.default_rng(9)
    n = 400
    x1 = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "x1": x1,
            "x1_twin": x1 + rng.normal(0, 0.2, n),
            "other": rng.normal(size=n),
            "smoker": rng.choice(["yes", "no"], n),
        }
    )
    frame["y"] = 2 * frame["x1"] + (frame["smoker"] == "yes") + rng.normal(0, 0.1, n)
    return explain_file(to_csv_bytes(frame), name="twins.csv", target="y", seed=0)


def test_correlated_features_are_named(correlated_run):
    """Check that the near-copy is listed as correlated and the independent column is not."""
    result = partial_dependence(correlated_run.model, correlated_run.dataset, "x1")
    assert result.correlated_with == ("x1_twin",)
    other = partial_dependence(correlated_run.model, correlated_run.dataset, "other")
    assert other.correlated_with == ()


def test_boolean_feature_grid_is_zero_and_one(correlated_run):
    """Check a yes/no feature gets the grid (0, 1) and its planted +1 effect."""
    model = correlated_run.model
    assert model.spec.kinds["smoker"] == "boolean"
    result = partial_dependence(model, correlated_run.dataset, "smoker")
    assert result.kind == "boolean" and result.grid == (0.0, 1.0)
    assert result.average[1] - result.average[0] == pytest.approx(1.0, abs=0.2)


def test_seeded_sample_repeats_and_stays_in_rows(binary_run):
    """Check the same seed gives the same sample and rows are drawn only from ``rows``."""
    model, dataset = binary_run.model, binary_run.dataset
    first = partial_dependence(model, dataset, "x_noise", rows=model.valid_index, sample_rows=50)
    again = partial_dependence(model, dataset, "x_noise", rows=model.valid_index, sample_rows=50)
    np.testing.assert_array_equal(first.rows, again.rows)
    assert set(first.rows) <= set(model.valid_index) and first.seed == 0


def test_errors(binary_run, regression_run):
    """Check the messages for an unknown feature, bad options and a wrong output."""
    model, dataset = binary_run.model, binary_run.dataset
    with pytest.raises(DataError, match="'record_id' is not a feature of the model"):
        partial_dependence(model, dataset, "record_id")
    with pytest.raises(DataError, match="grid_points must be at least 2"):
        partial_dependence(model, dataset, "x_strong", grid_points=1)
    with pytest.raises(DataError, match="class index from 0 to 1; got 5"):
        partial_dependence(model, dataset, "x_strong", output=5)
    with pytest.raises(DataError, match="regression model has one output"):
        partial_dependence(regression_run.model, regression_run.dataset, "a", output=1)
