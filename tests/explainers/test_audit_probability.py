"""Shapley values of the predicted probability, checked against a brute-force reference.

The reference below is the textbook formula: for each feature i, the weighted sum
over every subset S of the other features of v(S + i) - v(S), where v(S) is the
mean, over the background rows, of the probability XGBoost's own ``predict``
gives when the row's values are used for S and the background row's elsewhere.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from synthetic_tables import synthetic_regression, to_csv_bytes

from explainers import TrainingOptions, explain_file
from explainers._audit.probability import probability_shap
from explainers._errors import DataError

OPTIONS = TrainingOptions(n_estimators=80, max_depth=4, seed=0)


def _table(kind: str, n: int = 700, seed: int = 0) -> pd.DataFrame:
    """A table whose outcome has interactions, with missing values in two columns."""
    rng = np.random.default_rng(seed)
    a, b, c, d = rng.normal(size=(4, n))
    colour = rng.choice(["red", "green", "blue"], n)
    logit = 2 * a - 1.5 * b + 2 * a * c + 1.2 * (colour == "red") + 0.3 * d
    frame = pd.DataFrame({"a": a, "b": b, "c": c, "d": d})
    if kind == "numeric":
        frame["e"] = rng.normal(size=n)
    else:
        frame["colour"] = colour
        frame.loc[rng.choice(n, n // 15, replace=False), "colour"] = np.nan
    frame.loc[rng.choice(n, n // 15, replace=False), "b"] = np.nan
    if kind == "multiclass":
        frame["outcome"] = np.digitize(logit + rng.normal(0, 0.5, n), [-1.0, 1.0])
        frame["outcome"] = frame["outcome"].map({0: "low", 1: "mid", 2: "high"})
    else:
        frame["outcome"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


@functools.cache
def _trained(kind: str):
    """The pipeline on one small table, trained once per test session."""
    frame = _table(kind)
    return explain_file(
        to_csv_bytes(frame), name="p.csv", target="outcome", rows=10, options=OPTIONS
    )


@pytest.fixture(params=["numeric", "categorical", "multiclass"])
def run(request):
    """A binary numeric, a binary categorical and a multiclass run."""
    return _trained(request.param)


@pytest.fixture
def categorical_run():
    """The binary run with a categorical feature."""
    return _trained("categorical")


def _probability(model, frame: pd.DataFrame, k: int) -> np.ndarray:
    """Class ``k``'s probability straight from ``booster.predict`` (no margin transform)."""
    matrix = xgb.DMatrix(frame[list(model.spec.names)], enable_categorical=True)
    raw = np.asarray(model.booster.predict(matrix), dtype=np.float64)
    if model.task == "binary":
        return raw if k == 1 else 1 - raw
    return raw[:, k]


def _brute_force(model, X: pd.DataFrame, row: int, background, k: int):
    """Interventional Shapley values of ``row`` by the formula over all subsets."""
    names = list(model.spec.names)
    copies = X.iloc[np.full(len(background), row)][names].reset_index(drop=True)
    others = X.iloc[np.asarray(background)][names].reset_index(drop=True)
    cache: dict[frozenset[str], float] = {}

    def value(subset: frozenset[str]) -> float:
        if subset not in cache:
            mixed = pd.DataFrame({n: (copies if n in subset else others)[n].array for n in names})
            cache[subset] = float(_probability(model, mixed, k).mean())
        return cache[subset]

    m = len(names)
    phi = np.zeros(m)
    for i, name in enumerate(names):
        rest = [n for n in names if n != name]
        for size in range(m):
            weight = math.factorial(size) * math.factorial(m - size - 1) / math.factorial(m)
            for subset in itertools.combinations(rest, size):
                phi[i] += weight * (value(frozenset(subset) | {name}) - value(frozenset(subset)))
    return phi, value(frozenset()), value(frozenset(names))


def _output(run) -> int:
    return 2 if run.model.task == "multiclass" else 1


def test_exact_enumeration_matches_brute_force(run):
    """Check that exact enumeration equals the textbook Shapley formula on every model kind."""
    k = _output(run)
    result = probability_shap(run.model, run.dataset, [3, 11], output=k, background_rows=40)
    assert result.method == "exact-enumeration" and result.std_error is None
    assert result.features == tuple(run.dataset.X.columns)
    for i, row in enumerate(result.rows):
        phi, empty, full = _brute_force(run.model, run.dataset.X, row, result.background, k)
        np.testing.assert_allclose(result.values[i], phi, atol=1e-6)
        assert result.base_value == pytest.approx(empty, abs=1e-6)
        assert result.predicted[i] == pytest.approx(full, abs=1e-6)
    assert np.abs(result.values).max() > 0.05  # the model is not flat: the check had teeth


def test_points_add_up_to_the_predicted_probability(run):
    """Check that base + sum of values is the booster's probability for every row, both methods."""
    k = _output(run)
    rows = np.arange(0, 60, 6)
    expected = _probability(run.model, run.dataset.X.iloc[rows], k)
    for limit in (10, 0):
        result = probability_shap(run.model, run.dataset, rows, output=k, max_exact_features=limit)
        np.testing.assert_allclose(result.predicted, expected, atol=1e-6)
        gap = np.abs(result.base_value + result.values.sum(axis=1) - expected)
        assert gap.max() < 1e-6
        assert result.max_additivity_error < 1e-12
        background = run.dataset.X.iloc[result.background]
        assert result.base_value == pytest.approx(_probability(run.model, background, k).mean())
        assert result.output_label == run.model.classes[k]


@pytest.mark.parametrize("kind", ["categorical", "multiclass"])
def test_tables_have_categories_and_missing_values(kind):
    """Check that the tests above run on a categorical feature with missing values."""
    run = _trained(kind)
    X = run.dataset.X
    assert isinstance(X["colour"].dtype, pd.CategoricalDtype)
    assert X["colour"].isna().any() and X["b"].isna().any()
    assert run.model.spec.feature_types.count("c") == 1


def test_permutation_estimate_is_taken_above_the_limit_and_its_error_is_honest(categorical_run):
    """Check that above max_exact_features the estimate is used and lies within 4 stated errors."""
    model, dataset = categorical_run.model, categorical_run.dataset
    result = probability_shap(model, dataset, [5, 9], max_exact_features=4, background_rows=50)
    assert result.method == "permutation-estimate" and result.permutations == 16
    assert result.std_error is not None and result.std_error.shape == result.values.shape
    for i, row in enumerate(result.rows):
        phi, _, _ = _brute_force(model, dataset.X, row, result.background, 1)
        error = np.abs(result.values[i] - phi)
        assert np.all(error <= 4 * result.std_error[i] + 1e-12)
    assert result.std_error.max() < 0.02  # precise enough to show, so the bound means something


def test_stated_errors_are_not_far_too_large_or_small(categorical_run):
    """Check that over several seeds the errors in units of the stated error have RMS near 1."""
    model, dataset = categorical_run.model, categorical_run.dataset
    z = []
    for seed in range(8):
        result = probability_shap(
            model, dataset, [7], seed=seed, max_exact_features=0, background_rows=30
        )
        phi, _, _ = _brute_force(model, dataset.X, 7, result.background, 1)
        assert result.std_error is not None
        moving = result.std_error[0] > 0  # a feature the row shares with every background row
        z.extend((result.values[0][moving] - phi[moving]) / result.std_error[0][moving])
    rms = float(np.sqrt(np.mean(np.square(z))))
    assert 0.5 < rms < 1.6, rms


def test_negative_class_mirrors_the_positive_class(categorical_run):
    """Check that the values of class 0 are minus those of class 1, as P(0) = 1 - P(1)."""
    model, dataset = categorical_run.model, categorical_run.dataset
    positive = probability_shap(model, dataset, [2, 4])
    negative = probability_shap(model, dataset, [2, 4], output=0)
    np.testing.assert_allclose(negative.values, -positive.values, atol=1e-9)
    assert negative.base_value == pytest.approx(1 - positive.base_value)
    assert (negative.output_label, positive.output_label) == ("0", "1")


def test_same_seed_same_result_and_background_from_training_rows(categorical_run):
    """Check that a seed repeats the result exactly and the background is sampled training rows."""
    model, dataset = categorical_run.model, categorical_run.dataset
    first = probability_shap(model, dataset, [1], max_exact_features=0, seed=3)
    again = probability_shap(model, dataset, [1], max_exact_features=0, seed=3)
    other = probability_shap(model, dataset, [1], max_exact_features=0, seed=4)
    assert np.array_equal(first.values, again.values)
    assert first.std_error is not None and again.std_error is not None
    assert np.array_equal(first.std_error, again.std_error)
    assert not np.array_equal(first.background, other.background)
    assert first.background_rows == len(first.background) == 100
    assert set(first.background) <= set(model.train_index.tolist())
    everything = probability_shap(model, dataset, [1], background_rows=10**6)
    assert np.array_equal(everything.background, np.sort(model.train_index))


def test_progress_reports_each_row(categorical_run):
    """Check that the progress callback hears of every explained row."""
    calls: list[tuple[int, int, str]] = []
    probability_shap(
        categorical_run.model,
        categorical_run.dataset,
        [0, 1, 2],
        background_rows=10,
        progress=lambda done, total, stage: calls.append((done, total, stage)),
    )
    assert calls == [(done, 3, "probability_shap") for done in (1, 2, 3)]


def test_regression_has_no_probability():
    """Check that a regression model is refused with the not_a_probability code."""
    run = explain_file(
        to_csv_bytes(synthetic_regression(n=300)),
        name="r.csv",
        target="y",
        rows=10,
        options=OPTIONS,
    )
    with pytest.raises(DataError, match="not a probability") as info:
        probability_shap(run.model, run.dataset, [0])
    assert info.value.code == "not_a_probability"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"rows": [10**6]}, "rows must lie in"),
        ({"rows": []}, "at least one row"),
        ({"output": 2}, "class index from 0 to 1"),
        ({"permutations": 7}, "permutations must be even"),
        ({"background_rows": 0}, "background_rows must be at least 1"),
        ({"max_exact_features": 17}, "max_exact_features must be"),
    ],
)
def test_bad_options_are_refused(categorical_run, options, message):
    """Check that each out-of-range option is refused with a message naming it."""
    arguments = {"rows": [0], **options}
    rows = arguments.pop("rows")
    with pytest.raises(DataError, match=message) as info:
        probability_shap(categorical_run.model, categorical_run.dataset, rows, **arguments)
    assert info.value.code == "bad_option"


def test_shap_probability_treeshap_is_not_the_probability_shapley_value():
    """Check the reason shap's TreeExplainer is no backend: its probability output is rescaled."""
    import shap

    run = _trained("numeric")
    result = probability_shap(run.model, run.dataset, [3, 11], background_rows=40)
    background = run.dataset.X.iloc[result.background].to_numpy(dtype=np.float32)
    explainer = shap.TreeExplainer(
        run.model.booster,
        data=background,
        feature_perturbation="interventional",
        model_output="probability",
    )
    rows = run.dataset.X.iloc[result.rows].to_numpy(dtype=np.float32)
    tree = np.asarray(explainer.shap_values(rows, check_additivity=False))
    np.testing.assert_allclose(tree.sum(axis=1) + explainer.expected_value, result.predicted, 1e-5)
    assert np.abs(tree - result.values).max() > 0.01  # adds up, yet differs from the exact values
