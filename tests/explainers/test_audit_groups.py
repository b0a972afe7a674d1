"""Per-group metrics on a synthetic table whose groups differ by construction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, selection_rate
from scipy import stats
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    confusion_matrix,
    mean_absolute_error,
    precision_score,
    recall_score,
    roc_auc_score,
    root_mean_squared_error,
)
from synthetic_tables import to_csv_bytes

from explainers import DataError, explain_file
from explainers._audit.group_bootstrap import (
    binary_metrics,
    group_intervals,
    multiclass_metrics,
    regression_metrics,
    resample_weights,
)
from explainers._audit.groups import group_metrics


def _run(task: str = "binary", n: int = 3000, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    sex = rng.choice(["female", "male"], n)
    if task == "binary":
        y = (x + rng.normal(0, 0.3, n) > 0).astype(int)
        flip = (sex == "male") & (rng.random(n) < 0.3)  # labels noisier for men: lower accuracy
        y = np.where(flip, 1 - y, y)
    else:
        y = 3 * x + np.where(sex == "male", rng.normal(0, 2.0, n), rng.normal(0, 0.3, n))
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=n), "sex": sex, "outcome": y})
    run = explain_file(to_csv_bytes(frame), name="g.csv", target="outcome", rows=200, task=task)
    return run, frame


def test_binary_groups_agree_with_direct_per_group_metrics():
    """Check each group's accuracy and AUC against scikit-learn on that group's rows."""
    run, frame = _run()
    report = group_metrics(run.model, run.dataset, frame["sex"], n_boot=100)
    valid = run.model.valid_index
    rows = run.dataset.row_ids[valid]
    proba = run.model.predict(run.dataset.X.iloc[valid])[:, 1]
    y = run.dataset.y[valid]
    accuracies = {}
    for group in report.groups:
        mask = frame["sex"].to_numpy()[rows] == group.value
        assert group.n == int(mask.sum())
        expected = accuracy_score(y[mask], (proba[mask] >= 0.5).astype(int))
        assert group.metrics["accuracy"] == pytest.approx(expected)
        assert group.metrics["auc"] == pytest.approx(roc_auc_score(y[mask], proba[mask]))
        assert group.ci_low["accuracy"] <= expected <= group.ci_high["accuracy"]
        accuracies[group.value] = expected
    assert accuracies["male"] < accuracies["female"] - 0.15  # the planted gap
    gap = max(accuracies.values()) - min(accuracies.values())
    assert report.difference["accuracy"] == pytest.approx(gap)
    assert report.threshold == 0.5


def test_regression_groups_report_errors():
    """Check per-group MAE against scikit-learn; the noisier group has the larger error."""
    run, frame = _run("regression")
    report = group_metrics(run.model, run.dataset, frame["sex"], n_boot=0)
    valid = run.model.valid_index
    rows = run.dataset.row_ids[valid]
    predicted = run.model.predict(run.dataset.X.iloc[valid])
    y = run.dataset.y[valid]
    mae = {}
    for group in report.groups:
        mask = frame["sex"].to_numpy()[rows] == group.value
        mae[group.value] = mean_absolute_error(y[mask], predicted[mask])
        assert group.metrics["mae"] == pytest.approx(mae[group.value])
    assert mae["male"] > 2 * mae["female"]
    assert report.threshold is None


def test_too_many_groups_is_refused():
    """Check that a column with dozens of values is refused with a clear message."""
    run, frame = _run(n=800)
    ids = pd.Series(np.arange(len(frame)) % 60, name="site")
    with pytest.raises(DataError, match="at most 30 groups") as info:
        group_metrics(run.model, run.dataset, ids, n_boot=0)
    assert info.value.code == "too_many_groups"


def _binary_sample(n: int = 400, seed: int = 0):
    """Outcomes, scores rounded to 0.05 (many ties) and labels at 0.5."""
    rng = np.random.default_rng(seed)
    score = np.round(rng.random(n) / 0.05) * 0.05
    y = (rng.random(n) < score).astype(int)
    return y, score, (score >= 0.5).astype(int)


def _explicit_resamples(n: int, seed: int = 1) -> list[np.ndarray]:
    """Row indices of a few resamples, two of them degenerate (one class, no positive label)."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n, n) for _ in range(4)] + [rng.integers(0, n, n // 3)]


def test_binary_weights_match_sklearn_on_each_resample():
    """Check that each weighted binary metric equals scikit-learn's on the resampled rows."""
    y, score, labels = _binary_sample()
    resamples = _explicit_resamples(len(y))
    low = np.flatnonzero(score <= 0.3)
    resamples.append(low[np.flatnonzero(y[low] == 0)])  # negatives only, no positive label
    weights = np.stack([np.bincount(i, minlength=len(y)).astype(float) for i in resamples])
    ours = binary_metrics(weights, y, score, labels)
    for b, idx in enumerate(resamples):
        t, p, s = y[idx], labels[idx], score[idx]
        tn, fp, fn, tp = confusion_matrix(t, p, labels=[0, 1]).ravel()
        assert ours["accuracy"][b] == pytest.approx(accuracy_score(t, p))
        assert ours["selection_rate"][b] == pytest.approx(np.mean(p))
        assert ours["tpr"][b] == pytest.approx(recall_score(t, p, zero_division=0))
        assert ours["fpr"][b] == pytest.approx(fp / (fp + tn) if fp + tn else 0.0)
        assert ours["precision"][b] == pytest.approx(precision_score(t, p, zero_division=0))
        assert ours["brier"][b] == pytest.approx(brier_score_loss(t, s))
        assert ours["calibration_gap"][b] == pytest.approx(np.mean(s) - np.mean(t))
        if len(np.unique(t)) == 2:
            assert ours["auc"][b] == pytest.approx(roc_auc_score(t, s))
        else:
            assert np.isnan(ours["auc"][b])
    assert np.isnan(ours["auc"][-1])  # the negatives-only resample
    assert ours["tpr"][-1] == 0.0 and ours["precision"][-1] == 0.0


def test_weighted_auc_counts_tied_scores_half():
    """Check that the AUC of heavily tied scores equals scikit-learn's on each resample."""
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 300)
    score = rng.integers(0, 4, 300) / 4 + 0.1 * y * rng.integers(0, 2, 300)  # 8 distinct scores
    resamples = _explicit_resamples(len(y), seed=6)
    weights = np.stack([np.bincount(i, minlength=len(y)).astype(float) for i in resamples])
    ours = binary_metrics(weights, y, score, (score >= 0.5).astype(int))["auc"]
    expected = [roc_auc_score(y[i], score[i]) for i in resamples]
    np.testing.assert_allclose(ours, expected, rtol=1e-12)


def test_regression_and_multiclass_weights_match_sklearn():
    """Check that weighted RMSE, MAE and multiclass accuracy equal scikit-learn's per resample."""
    rng = np.random.default_rng(2)
    y, pred = rng.normal(size=250), rng.normal(size=250)
    classes, chosen = rng.integers(0, 3, 250), rng.integers(0, 3, 250)
    resamples = _explicit_resamples(250, seed=3)
    weights = np.stack([np.bincount(i, minlength=250).astype(float) for i in resamples])
    regression = regression_metrics(weights, y, pred)
    multiclass = multiclass_metrics(weights, classes, chosen)
    for b, idx in enumerate(resamples):
        assert regression["rmse"][b] == pytest.approx(root_mean_squared_error(y[idx], pred[idx]))
        assert regression["mae"][b] == pytest.approx(mean_absolute_error(y[idx], pred[idx]))
        assert multiclass["accuracy"][b] == pytest.approx(accuracy_score(classes[idx], chosen[idx]))


def test_resample_weights_are_seeded_multinomial_counts():
    """Check that each resample draws n rows in all, about once each, the same for a seed."""
    weights = resample_weights(np.random.default_rng(4), 500, 300)
    assert weights.shape == (300, 500)
    np.testing.assert_array_equal(weights.sum(axis=1), 500)
    assert weights.mean() == pytest.approx(1.0)
    assert weights.var() == pytest.approx(1 - 1 / 500, abs=0.02)  # multinomial: (n-1)/n
    np.testing.assert_array_equal(weights, resample_weights(np.random.default_rng(4), 500, 300))


def _binary_metrics_of(y, score, labels):
    """The weighted binary metrics as the MetricsOfWeights group_intervals takes."""
    return lambda w, rows: binary_metrics(w, y[rows], score[rows], labels[rows])


def test_intervals_match_scipy_percentile_bootstrap_within_a_group():
    """Check each group's intervals against scipy.stats.bootstrap's percentile ones, within 0.01."""
    y, score, labels = _binary_sample(n=900, seed=8)
    groups = np.where(np.arange(900) % 3 == 0, "a", "b").astype(object)
    ours = group_intervals(_binary_metrics_of(y, score, labels), groups, n_boot=3000, seed=0)
    checks = {
        "accuracy": lambda t, s, p, axis: np.mean(t == p, axis=axis),
        "calibration_gap": lambda t, s, p, axis: np.mean(s - t, axis=axis),
        "brier": lambda t, s, p, axis: np.mean((s - t) ** 2, axis=axis),
    }
    for value in ("a", "b"):
        mask = groups == value
        for name, statistic in checks.items():
            scipy_ci = stats.bootstrap(
                (y[mask], score[mask], labels[mask]),
                statistic,
                paired=True,
                vectorized=True,
                n_resamples=3000,
                method="percentile",
                rng=np.random.default_rng(1),
            ).confidence_interval
            # Two Monte Carlo estimates of the same quantiles: 0.01 is a tenth of the width.
            assert ours[value][0][name] == pytest.approx(scipy_ci.low, abs=0.01)
            assert ours[value][1][name] == pytest.approx(scipy_ci.high, abs=0.01)
        auc = stats.bootstrap(
            (y[mask], score[mask]),
            lambda t, s: roc_auc_score(t, s),
            paired=True,
            vectorized=False,
            n_resamples=1000,
            method="percentile",
            rng=np.random.default_rng(2),
        ).confidence_interval
        assert ours[value][0]["auc"] == pytest.approx(auc.low, abs=0.015)
        assert ours[value][1]["auc"] == pytest.approx(auc.high, abs=0.015)


@pytest.fixture(scope="module")
def binary_groups():
    """The binary pipeline of _run and its report with 200 resamples."""
    run, frame = _run()
    return run, frame, group_metrics(run.model, run.dataset, frame["sex"], n_boot=200, seed=3)


def test_intervals_cover_the_point_and_are_seeded(binary_groups):
    """Check that every interval holds its point estimate and a seed gives the same intervals."""
    run, frame, report = binary_groups
    assert report.n_boot == 200
    for group in report.groups:
        assert set(group.ci_low) == set(group.metrics) == set(group.ci_high)
        for name, point in group.metrics.items():
            assert group.ci_low[name] <= point <= group.ci_high[name], (group.value, name)
            assert group.ci_low[name] < group.ci_high[name], (group.value, name)
    again = group_metrics(run.model, run.dataset, frame["sex"], n_boot=200, seed=3)
    other = group_metrics(run.model, run.dataset, frame["sex"], n_boot=200, seed=4)
    assert repr(again) == repr(report)  # repr: NaN (the ratio of calibration gaps) != NaN
    assert other.groups[0].ci_low != report.groups[0].ci_low
    assert other.groups[0].metrics == report.groups[0].metrics


def test_intervals_are_close_to_fairlearn_bootstrap(binary_groups):
    """Check intervals against fairlearn MetricFrame's own bootstrap (whole rows), within 0.03."""
    run, frame, report = binary_groups
    valid = run.model.valid_index
    rows = run.dataset.row_ids[valid]
    proba = run.model.predict(run.dataset.X.iloc[valid])[:, 1]
    theirs = MetricFrame(
        metrics={"accuracy": accuracy_score, "selection_rate": selection_rate},
        y_true=run.dataset.y[valid],
        y_pred=(proba >= 0.5).astype(int),
        sensitive_features=pd.Series(frame["sex"].to_numpy()[rows], name="sex"),
        n_boot=200,
        ci_quantiles=[0.025, 0.975],
        random_state=0,
    )
    low, high = theirs.by_group_ci
    # fairlearn resamples all rows (group sizes vary), ours within groups; both with 200
    # resamples, so each end carries Monte Carlo error: 0.03 is about a third of a width.
    for group in report.groups:
        for name in ("accuracy", "selection_rate"):
            assert group.ci_low[name] == pytest.approx(low.loc[group.value, name], abs=0.03)
            assert group.ci_high[name] == pytest.approx(high.loc[group.value, name], abs=0.03)


def test_weights_of_one_reproduce_the_point_estimates(binary_groups):
    """Check that unit weights give fairlearn's per-group point estimates, metric by metric."""
    run, frame, report = binary_groups
    valid = run.model.valid_index
    rows = run.dataset.row_ids[valid]
    proba = run.model.predict(run.dataset.X.iloc[valid])[:, 1]
    y = run.dataset.y[valid]
    for group in report.groups:
        mask = frame["sex"].to_numpy()[rows] == group.value
        ones = np.ones((1, int(mask.sum())))
        ours = binary_metrics(ones, y[mask], proba[mask], (proba[mask] >= 0.5).astype(int))
        assert {k: float(v[0]) for k, v in ours.items()} == pytest.approx(group.metrics)


def test_calibration_gap_finds_the_group_the_model_underestimates():
    """Check that a hidden group's higher risk shows as a negative calibration gap."""
    rng = np.random.default_rng(11)
    n = 4000
    x = rng.normal(size=n)
    site = np.where(rng.random(n) < 0.3, "north", "south")
    risk = 1 / (1 + np.exp(-(x - 0.5 + 1.5 * (site == "north"))))  # north: higher risk
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=n)})
    frame["outcome"] = (rng.random(n) < risk).astype(int)  # the model never sees the site
    run = explain_file(to_csv_bytes(frame), name="c.csv", target="outcome", rows=100)
    report = group_metrics(run.model, run.dataset, pd.Series(site, name="site"), seed=0)
    valid = run.model.valid_index
    rows = run.dataset.row_ids[valid]
    proba = run.model.predict(run.dataset.X.iloc[valid])[:, 1]
    y = run.dataset.y[valid]
    by_site = {g.value: g for g in report.groups}
    for value, group in by_site.items():
        mask = site[rows] == value
        gap = np.mean(proba[mask]) - np.mean(y[mask])
        assert group.metrics["calibration_gap"] == pytest.approx(gap)
        assert group.metrics["brier"] == pytest.approx(np.mean((proba[mask] - y[mask]) ** 2))
    north = by_site["north"]
    assert north.metrics["calibration_gap"] < -0.15
    assert north.ci_high["calibration_gap"] < -0.05  # the interval is clear of 0
    assert abs(by_site["south"].metrics["calibration_gap"]) < 0.1
    assert report.difference["calibration_gap"] > 0.15
    assert np.isnan(report.ratio["calibration_gap"])


def test_an_undefined_metric_gives_a_nan_interval():
    """Check that an AUC undefined in a group, or in some of its resamples, has NaN ends."""
    y, score, labels = _binary_sample(n=300, seed=9)
    groups = np.array(["both"] * 200 + ["negatives"] * 60 + ["rare"] * 40, dtype=object)
    y[200:260] = 0
    y[260:] = 0
    y[260] = 1  # one positive in 40 rows: about a third of the resamples miss it
    ours = group_intervals(_binary_metrics_of(y, score, labels), groups, n_boot=100, seed=0)
    assert np.isfinite(ours["both"][0]["auc"]) and np.isfinite(ours["both"][1]["auc"])
    for value in ("negatives", "rare"):
        assert np.isnan(ours[value][0]["auc"]) and np.isnan(ours[value][1]["auc"])
        assert np.isfinite(ours[value][0]["accuracy"])
    assert ours["negatives"][0]["tpr"] == ours["negatives"][1]["tpr"] == 0.0  # zero_division=0
