"""Baselines checked against scikit-learn fitted here, scipy's bootstrap and known truth."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn import metrics as skm
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.class_weight import compute_sample_weight
from synthetic_tables import to_csv_bytes

from explainers import DataError, explain_file
from explainers._baselines import compare_baselines, paired_interval, verdict_of


def _explain(frame: pd.DataFrame, target: str, task: str = "auto", **kwargs):
    return explain_file(
        to_csv_bytes(frame), name="t.csv", target=target, task=task, rows=20, **kwargs
    )


def _mixed_binary(n: int = 1200, seed: int = 4, rate: float = -0.4) -> pd.DataFrame:
    """Numbers (one with gaps, one named with brackets), a category and a yes/no column."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.normal(60, 10, n),
            "dose [mg]": rng.normal(5, 2, n),
            "site": rng.choice(["north", "south", "east"], n, p=[0.5, 0.3, 0.2]),
            "smoker": rng.choice(["yes", "no"], n),
        }
    )
    logit = (
        0.08 * (frame["age"] - 60)
        - 0.5 * (frame["dose [mg]"] - 5)
        + 1.0 * (frame["site"] == "south")
        + 0.8 * (frame["smoker"] == "yes")
        + rate
    )
    frame["event"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    frame.loc[rng.choice(n, n // 10, replace=False), "age"] = np.nan
    return frame


@pytest.fixture(scope="module")
def mixed_run():
    """A binary run on a table with every kind of feature."""
    return _explain(_mixed_binary(), "event", "binary")


@pytest.fixture(scope="module")
def rare_run():
    """A binary run whose positive class is rare, so that training weights classes."""
    return _explain(_mixed_binary(seed=9, rate=-3.0), "event", "binary")


@pytest.fixture(scope="module")
def small_regression_run():
    """A regression run with a categorical feature."""
    rng = np.random.default_rng(2)
    n = 600
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    frame["group"] = rng.choice(["x", "y", "z"], n)
    frame["y"] = 2 * frame["a"] - frame["b"] + (frame["group"] == "z") + rng.normal(0, 0.5, n)
    return _explain(frame, "y", "regression")


@pytest.fixture(scope="module")
def small_multiclass_run():
    """A multiclass run with three ordered levels."""
    rng = np.random.default_rng(5)
    n = 900
    s1, s2 = rng.normal(size=(2, n))
    level = np.select([2 * s1 - s2 < -0.8, 2 * s1 - s2 < 0.8], ["low", "medium"], "high")
    frame = pd.DataFrame({"s1": s1, "s2": s2, "mode": rng.choice(["walk", "car"], n)})
    frame["level"] = level
    return _explain(frame, "level", "multiclass")


def _reference_fit(run):
    """The linear baseline fitted here from its description; predictions on validation rows."""
    model, dataset = run.model, run.dataset
    spec = model.spec
    X = dataset.X[list(spec.names)].copy()
    categorical = [n for n in spec.names if n in spec.categories]
    boolean = [n for n in spec.names if n not in categorical and spec.kinds[n] == "boolean"]
    numeric = [n for n in spec.names if n not in categorical and n not in boolean]
    for name in categorical:
        X[name] = X[name].astype(object)
    train, valid = model.train_index, model.valid_index
    modes = [X[n].iloc[train].mode().iloc[0] for n in categorical]
    steps = [("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric)]
    if categorical:
        encoder = OneHotEncoder(
            categories=[list(spec.categories[n]) for n in categorical], drop=modes
        )
        imputer = SimpleImputer(strategy="most_frequent")
        steps.append(("cat", make_pipeline(imputer, encoder), categorical))
    if boolean:
        encoder = OneHotEncoder(categories=[[0.0, 1.0]] * len(boolean), drop=[0.0] * len(boolean))
        imputer = SimpleImputer(strategy="most_frequent")
        steps.append(("bool", make_pipeline(imputer, encoder), boolean))
    y = dataset.y
    if model.task == "regression":
        pipe = make_pipeline(ColumnTransformer(steps), RidgeCV(alphas=np.logspace(-3, 3, 13)))
        pipe.fit(X.iloc[train], y[train])
        return pipe, pipe.predict(X.iloc[valid])
    pipe = make_pipeline(ColumnTransformer(steps), LogisticRegression(max_iter=5000))
    counts = np.bincount(y)
    weights = None
    if counts.min() < counts.max() / 3:  # the training's own rule for class weights
        weights = compute_sample_weight("balanced", y)[train]
    pipe.fit(X.iloc[train], y[train], logisticregression__sample_weight=weights)
    return pipe, pipe.predict_proba(X.iloc[valid])


def _sklearn_metrics(task: str, y: np.ndarray, prediction: np.ndarray) -> dict[str, float]:
    if task == "regression":
        return {
            "rmse": skm.root_mean_squared_error(y, prediction),
            "mae": skm.mean_absolute_error(y, prediction),
            "r2": skm.r2_score(y, prediction),
        }
    labels = list(range(prediction.shape[1]))
    out = {
        "accuracy": skm.accuracy_score(y, prediction.argmax(axis=1)),
        "log_loss": skm.log_loss(y, prediction, labels=labels),
    }
    if task == "binary":
        out["auc"] = skm.roc_auc_score(y, prediction[:, 1])
        out["brier"] = skm.brier_score_loss(y, prediction[:, 1])
    else:
        out["auc"] = skm.roc_auc_score(y, prediction, multi_class="ovr", average="macro")
        out["f1"] = skm.f1_score(y, prediction.argmax(axis=1), average="macro")
    return out


@pytest.mark.parametrize(
    "fixture", ["mixed_run", "rare_run", "small_regression_run", "small_multiclass_run"]
)
def test_linear_baseline_agrees_with_sklearn_fitted_here(fixture, request):
    """Check the linear baseline's metrics and coefficients against a pipeline fitted here."""
    run = request.getfixturevalue(fixture)
    report = compare_baselines(run.model, run.dataset, n_boot=50)
    pipe, prediction = _reference_fit(run)
    y = run.dataset.y[run.model.valid_index]
    linear = {b.name: b for b in report.baselines}["linear"]
    assert set(linear.metrics) == set(run.evaluation.metrics)
    for key, value in _sklearn_metrics(run.model.task, y, prediction).items():
        assert linear.metrics[key] == pytest.approx(value, rel=1e-4, abs=1e-6), key
    assert report.comparison.linear == pytest.approx(linear.metrics[report.comparison.metric])
    assert report.comparison.xgboost == pytest.approx(
        run.evaluation.metrics[report.comparison.metric]
    )
    expected = np.sort(np.abs(np.ravel(pipe[-1].coef_)))[::-1]
    ours = np.array([abs(c.coefficient) for c in report.coefficients])
    np.testing.assert_allclose(ours, expected, rtol=1e-3, atol=1e-6)
    assert report.n_train == len(run.model.train_index)
    assert report.n_valid == len(y)


def test_rare_outcome_is_weighted_like_the_model(rare_run):
    """Check that the rare-outcome table is weighted (the rule the reference fit copies)."""
    counts = np.bincount(rare_run.dataset.y)
    assert counts.min() < counts.max() / 3


@pytest.mark.parametrize("fixture", ["mixed_run", "small_multiclass_run"])
def test_trivial_classifier_has_auc_half_and_majority_accuracy(fixture, request):
    """Check that the trivial classifier's AUC is 0.5 and its accuracy the majority share."""
    run = request.getfixturevalue(fixture)
    report = compare_baselines(run.model, run.dataset, n_boot=10)
    trivial = report.baselines[0]
    assert trivial.name == "trivial"
    train_y = run.dataset.y[run.model.train_index]
    valid_y = run.dataset.y[run.model.valid_index]
    majority = np.bincount(train_y).argmax()
    assert trivial.metrics["auc"] == pytest.approx(0.5)
    assert trivial.metrics["accuracy"] == pytest.approx(np.mean(valid_y == majority))
    priors = np.bincount(train_y) / len(train_y)
    assert trivial.metrics["log_loss"] == pytest.approx(
        skm.log_loss(valid_y, np.tile(priors, (len(valid_y), 1)))
    )


def test_trivial_regressor_predicts_the_training_mean(small_regression_run):
    """Check the trivial regressor's RMSE against the training mean's error by hand."""
    run = small_regression_run
    report = compare_baselines(run.model, run.dataset, n_boot=10)
    mean = run.dataset.y[run.model.train_index].mean()
    valid_y = run.dataset.y[run.model.valid_index]
    trivial = report.baselines[0].metrics
    assert trivial["rmse"] == pytest.approx(np.sqrt(np.mean((valid_y - mean) ** 2)))
    assert trivial["r2"] <= 0.01


def test_coefficients_are_per_standard_deviation_with_display_names(mixed_run):
    """Check odds ratios, scales, references and names of the binary linear baseline."""
    report = compare_baselines(mixed_run.model, mixed_run.dataset, n_boot=10)
    by_term = {(c.display_name, c.level): c for c in report.coefficients}
    dose = by_term[("dose [mg]", None)]
    train = mixed_run.model.train_index
    dose_values = mixed_run.dataset.X[mixed_run.model.spec.names[1]].iloc[train]
    assert dose.scale == pytest.approx(np.std(dose_values))
    assert dose.coefficient < 0  # dose lowers the risk
    assert dose.odds_ratio == pytest.approx(np.exp(dose.coefficient))
    # planted: 0.5 per mg, so about 1.0 per standard deviation of 2 mg (shrunk a little)
    assert -1.3 < dose.coefficient < -0.6
    south = by_term[("site", "south")]
    assert south.reference == "north"  # the most common site
    assert south.odds_ratio > 1.5
    assert {c.level for c in report.coefficients if c.feature == "site"} == {"south", "east"}
    smoker = by_term[("smoker", "true")]
    assert smoker.reference == "false"
    assert smoker.odds_ratio > 1.3
    assert [abs(c.coefficient) for c in report.coefficients] == sorted(
        (abs(c.coefficient) for c in report.coefficients), reverse=True
    )


def test_multiclass_coefficients_name_the_outcome(small_multiclass_run):
    """Check that multiclass terms name their class and carry no odds ratio."""
    report = compare_baselines(small_multiclass_run.model, small_multiclass_run.dataset, n_boot=10)
    assert {c.outcome for c in report.coefficients} == {"high", "low", "medium"}
    assert all(c.odds_ratio is None for c in report.coefficients)
    s1_high = next(c for c in report.coefficients if c.feature == "s1" and c.outcome == "high")
    assert s1_high.coefficient > 0  # a high s1 means a high level


def test_a_two_class_target_run_as_multiclass_has_its_coefficients():
    """Check that a two-class target the user runs as multiclass gets its linear baseline:
    one coefficient per term, for the second class against the first, equal to a
    pipeline fitted here (scikit-learn fits a single row of coefficients for two classes)."""
    frame = _mixed_binary(n=600, seed=12)
    frame["event"] = np.where(frame["event"] == 1, "sick", "well")
    run = _explain(frame, "event", "multiclass")
    assert run.model.task == "multiclass" and len(run.model.classes) == 2
    report = compare_baselines(run.model, run.dataset, n_boot=10)
    pipe, _ = _reference_fit(run)
    second = run.model.classes[int(pipe[-1].classes_[1])]
    assert {c.outcome for c in report.coefficients} == {second}
    expected = np.sort(np.abs(np.ravel(pipe[-1].coef_)))[::-1]
    ours = np.array([abs(c.coefficient) for c in report.coefficients])
    np.testing.assert_allclose(ours, expected, rtol=1e-3, atol=1e-6)


def _logistic_table(n: int, seed: int, *, scores: bool) -> pd.DataFrame:
    """y from a logistic model of three features: scores 0..3, or standard normal numbers."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, size=(n, 3)) - 1.5 if scores else rng.normal(size=(n, 3))
    frame = pd.DataFrame(X, columns=["x1", "x2", "x3"])
    logit = X @ np.array([1.0, -0.7, 0.4]) * (1 if scores else 1.5)
    frame["y"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


def test_linear_truth_gives_similar():
    """Check the verdict on a logistic truth in three clinical-style scores (0 to 3)."""
    run = _explain(_logistic_table(2000, 1, scores=True), "y", "binary")
    comparison = compare_baselines(run.model, run.dataset, seed=1).comparison
    assert comparison.verdict == "similar"
    assert comparison.ci_low < 0 < comparison.ci_high
    assert abs(comparison.difference) < 0.02


@pytest.mark.parametrize("seed", [0, 2])
def test_linear_truth_is_never_better(seed):
    """Check that XGBoost never beats a logistic regression on a smooth logistic truth.

    With the default options it is often measurably worse there (by 1 to 4 AUC points),
    which the verdict then says.
    """
    run = _explain(_logistic_table(1000, seed, scores=False), "y", "binary")
    comparison = compare_baselines(run.model, run.dataset, seed=1).comparison
    assert comparison.verdict in {"similar", "worse"}
    assert comparison.difference < 0.01


def test_interaction_truth_gives_better():
    """Check the verdict when the outcome is the sign of x1 * x2, which no linear model sees."""
    rng = np.random.default_rng(12)
    n = 1500
    x1, x2, x3 = rng.normal(size=(3, n))
    frame = pd.DataFrame({"x1": x1, "x2": x2, "x3": x3})
    frame["y"] = np.where(rng.random(n) < 0.9, x1 * x2 > 0, x1 * x2 <= 0).astype(int)
    run = _explain(frame, "y", "binary")
    report = compare_baselines(run.model, run.dataset, seed=1)
    assert report.comparison.verdict == "better"
    assert report.comparison.ci_low > 0.2
    assert report.comparison.linear < 0.6
    assert report.comparison.xgboost > 0.8


def _rank_auc(y: np.ndarray, score: np.ndarray) -> np.ndarray:
    """AUC along the last axis by the Mann-Whitney rank formula (ties averaged)."""
    ranks = stats.rankdata(score, axis=-1)
    n1 = y.sum(axis=-1)
    n0 = y.shape[-1] - n1
    return ((ranks * y).sum(axis=-1) - n1 * (n1 + 1) / 2) / (n1 * n0)


def _r2(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    residual = ((y - p) ** 2).sum(axis=-1)
    return 1 - residual / ((y - y.mean(axis=-1, keepdims=True)) ** 2).sum(axis=-1)


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_paired_interval_agrees_with_scipy_bootstrap(task):
    """Check the vectorised paired interval against scipy.stats.bootstrap(paired=True)."""
    rng = np.random.default_rng(3)
    n = 300
    if task == "binary":
        y = (rng.random(n) < 0.4).astype(int)
        a = np.round(y * 0.8 + rng.normal(0, 0.6, n), 2)  # rounded: ties as well
        b = y * 0.5 + rng.normal(0, 0.6, n)
        pair = (np.column_stack([1 - a, a]), np.column_stack([1 - b, b]))
        ours = paired_interval(task, y, *pair, n_boot=4000, seed=0)

        def statistic(yy, aa, bb, axis=-1):
            return _rank_auc(yy, aa) - _rank_auc(yy, bb)
    else:
        y = rng.normal(size=n)
        a = y + rng.normal(0, 0.5, n)
        b = y + rng.normal(0, 0.7, n)
        ours = paired_interval(task, y, a, b, n_boot=4000, seed=0)

        def statistic(yy, aa, bb, axis=-1):
            return _r2(yy, aa) - _r2(yy, bb)

    theirs = stats.bootstrap(
        (y, a, b),
        statistic,
        paired=True,
        vectorized=True,
        n_resamples=4000,
        method="percentile",
        random_state=np.random.default_rng(1),
    ).confidence_interval
    width = theirs.high - theirs.low
    assert ours[0] == pytest.approx(theirs.low, abs=0.1 * width)
    assert ours[1] == pytest.approx(theirs.high, abs=0.1 * width)
    point = statistic(y, a, b)
    assert ours[0] < point < ours[1]


@pytest.mark.parametrize(
    ("low", "high", "verdict"),
    [(0.01, 0.05, "better"), (-0.05, -0.01, "worse"), (-0.01, 0.02, "similar"), (0, 0, "similar")],
)
def test_verdict_follows_the_interval(low, high, verdict):
    """Check that only an interval wholly on one side of 0 gives a verdict other than similar."""
    assert verdict_of(low, high) == verdict


def test_summary_has_the_cli_contract(small_regression_run):
    """Check the summary's shape: names trivial and linear, metrics keyed as the model's."""
    run = small_regression_run
    summary = compare_baselines(run.model, run.dataset, n_boot=20).to_summary()
    json.dumps(summary, allow_nan=False)
    assert [b["name"] for b in summary["baselines"]] == ["trivial", "linear"]
    for baseline in summary["baselines"]:
        assert set(baseline["metrics"]) == set(run.evaluation.metrics)
    comparison = summary["comparison"]
    assert set(comparison) == {"verdict", "metric", "difference", "ci_low", "ci_high"}
    assert comparison["metric"] == "r2"
    assert comparison["verdict"] in {"better", "similar", "worse"}


def test_the_same_seed_gives_the_same_interval(mixed_run):
    """Check that the bootstrap is seeded."""
    first = compare_baselines(mixed_run.model, mixed_run.dataset, seed=5, n_boot=50)
    second = compare_baselines(mixed_run.model, mixed_run.dataset, seed=5, n_boot=50)
    assert first.comparison == second.comparison


def test_uploaded_model_and_bad_options_are_refused(mixed_run):
    """Check the errors: an uploaded model has no held-out split; n_boot must be positive."""
    with pytest.raises(DataError, match="n_boot must be at least 1") as caught:
        compare_baselines(mixed_run.model, mixed_run.dataset, n_boot=0)
    assert caught.value.code == "bad_option"
    model_file = bytes(mixed_run.model.booster.save_raw("json"))
    uploaded = _explain(_mixed_binary(), "event", model=model_file)
    with pytest.raises(DataError, match="uploaded model's training rows are unknown") as caught:
        compare_baselines(uploaded.model, uploaded.dataset)
    assert caught.value.code == "needs_training_rows"
