"""Survival baselines, curves and audit, checked against scikit-survival and XGBoost here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sklearn.inspection import permutation_importance
from sksurv.linear_model import CoxPHSurvivalAnalysis
from sksurv.metrics import (
    concordance_index_censored,
    cumulative_dynamic_auc,
    integrated_brier_score,
)
from sksurv.nonparametric import nelson_aalen_estimator
from sksurv.util import Surv
from synthetic_tables import to_csv_bytes

from explainers._audit.cohorts import Cohort, CohortFilter, compare_cohorts
from explainers._audit.effects import partial_dependence
from explainers._audit.errors import error_analysis, error_rate_along
from explainers._audit.group_bootstrap import resample_weights
from explainers._audit.groups import group_metrics
from explainers._audit.importance import importance_score_name, permutation_importance_ci
from explainers._baselines import compare_baselines, paired_interval
from explainers._curves import learning_curve, main_metric, resampled_main_score
from explainers._errors import DataError
from explainers._model_worth import model_worth
from explainers._pipeline import explain_file
from explainers._survival.metrics import stated_times
from explainers._training import TrainingOptions

BETA = {"x1": 1.2, "x2": -0.6, "x3": 0.0}
SITE_B = 0.5


def _table(n: int, seed: int, *, nonlinear: bool) -> pd.DataFrame:
    """Exponential event times, censoring at random; hazard linear (known betas) or not."""
    rng = np.random.default_rng(seed)
    x = {name: rng.normal(size=n) for name in BETA}
    site = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    if nonlinear:  # a U shape in x1 and an interaction sign(x2 * x3): no linear trace
        hazard = np.exp(2.0 * (np.abs(x["x1"]) > 1) + 1.5 * np.sign(x["x2"] * x["x3"]))
    else:
        hazard = np.exp(sum(b * x[k] for k, b in BETA.items()) + SITE_B * (site == "b"))
    event_time = rng.exponential(10 / hazard)
    censor_time = rng.exponential(20, n)
    frame = pd.DataFrame({k: v.round(4) for k, v in x.items()})
    frame["site"] = site
    frame.loc[rng.choice(n, n // 20, replace=False), "x3"] = np.nan
    frame["follow_up_days"] = np.minimum(event_time, censor_time).round(4)
    frame["dead"] = (event_time <= censor_time).astype(int)
    return frame


def _run(frame: pd.DataFrame):
    options = TrainingOptions(n_estimators=120, learning_rate=0.08, max_depth=3, seed=0)
    return explain_file(
        to_csv_bytes(frame),
        name="cox.csv",
        task="survival",
        time="follow_up_days",
        event="dead",
        device="cpu",
        options=options,
        rows=40,
    )


@pytest.fixture(scope="module")
def linear_run():
    """A Cox model on 900 rows whose true log hazard is 1.2 x1 - 0.6 x2 + 0.5 [site b]."""
    return _run(_table(900, 3, nonlinear=False))


@pytest.fixture(scope="module")
def nonlinear_run():
    """A Cox model on 900 rows whose log hazard is a U shape plus an interaction."""
    return _run(_table(900, 5, nonlinear=True))


def _outcome(run, rows):
    return run.dataset.time[rows], run.dataset.event[rows]


def _margin(run, rows) -> np.ndarray:
    X = run.dataset.X.iloc[rows][list(run.model.spec.names)]
    matrix = xgb.DMatrix(X, enable_categorical=True)
    return np.asarray(run.model.booster.predict(matrix, output_margin=True), dtype=np.float64)


def _reference_cox(run):
    """scikit-survival's Cox model fitted here on a design built by hand from the file."""
    frame = run.table.frame.iloc[run.dataset.row_ids].reset_index(drop=True)
    train, valid = run.model.train_index, run.model.valid_index
    design = pd.DataFrame(index=frame.index)
    for name in ("x1", "x2", "x3"):
        column = frame[name].astype(float)
        column = column.fillna(column.iloc[train].median())
        mean, sd = column.iloc[train].mean(), column.iloc[train].std(ddof=0)
        design[name] = (column - mean) / sd
    reference = frame["site"].iloc[train].value_counts().idxmax()
    for level in sorted(set(frame["site"]) - {reference}):
        design[f"site={level}"] = (frame["site"] == level).astype(float)
    time, event = run.dataset.time, run.dataset.event
    cox = CoxPHSurvivalAnalysis(alpha=0.01, ties="breslow")
    cox.fit(design.iloc[train].to_numpy(), Surv.from_arrays(event[train], time[train]))
    return cox, design, reference, train, valid


def test_cox_baseline_agrees_with_scikit_survival_fitted_here(linear_run):
    """Check the Cox baseline's C-index, AUC and hazard ratios against sksurv fitted here."""
    report = compare_baselines(linear_run.model, linear_run.dataset, n_boot=50)
    cox, design, reference, train, valid = _reference_cox(linear_run)
    time, event = _outcome(linear_run, valid)
    risk = cox.predict(design.iloc[valid].to_numpy())
    linear = {b.name: b.metrics for b in report.baselines}["linear"]
    assert linear["c_index"] == pytest.approx(
        cox.score(design.iloc[valid].to_numpy(), Surv.from_arrays(event, time)), abs=1e-6
    )
    assert report.comparison.linear == pytest.approx(linear["c_index"], abs=1e-12)
    train_y = Surv.from_arrays(*reversed(_outcome(linear_run, train)))
    times = stated_times(time, event, linear_run.dataset.time[train])
    _, mean_auc = cumulative_dynamic_auc(train_y, Surv.from_arrays(event, time), risk, times)
    assert linear["mean_auc"] == pytest.approx(mean_auc, abs=1e-6)
    assert 0 < linear["integrated_brier"] < 0.25
    ratios = {(c.feature, c.level): c.hazard_ratio for c in report.coefficients}
    for j, column in enumerate(design.columns):
        name, _, level = column.partition("=")
        assert ratios[(name, level or None)] == pytest.approx(np.exp(cox.coef_[j]), rel=1e-4)
    assert all(c.odds_ratio is None for c in report.coefficients)
    assert reference == "a" and {c.reference for c in report.coefficients if c.level} == {"a"}
    assert np.log(ratios[("x1", None)]) == pytest.approx(BETA["x1"], abs=0.25)
    assert np.log(ratios[("x2", None)]) == pytest.approx(BETA["x2"], abs=0.25)
    assert np.log(ratios[("site", "b")]) == pytest.approx(SITE_B, abs=0.3)
    assert report.coefficients[0].feature == "x1"


def test_trivial_baseline_is_half_and_nelson_aalen(linear_run):
    """Check one risk for all: C-index 0.5 and the Brier score of the Nelson-Aalen curve."""
    report = compare_baselines(linear_run.model, linear_run.dataset, n_boot=20)
    trivial = {b.name: b.metrics for b in report.baselines}["trivial"]
    train, valid = linear_run.model.train_index, linear_run.model.valid_index
    (time, event), (t_train, e_train) = _outcome(linear_run, valid), _outcome(linear_run, train)
    assert trivial["c_index"] == concordance_index_censored(event, time, np.zeros(len(time)))[0]
    assert trivial["c_index"] == 0.5 and trivial["mean_auc"] == pytest.approx(0.5)
    inside = time < t_train.max()
    grid = np.unique(np.percentile(time[inside], np.linspace(10, 90, 50)))
    grid = grid[(grid >= time[inside].min()) & (grid < time[inside].max())]
    steps, hazard = nelson_aalen_estimator(e_train, t_train)
    survival = np.exp(-np.concatenate([[0.0], hazard])[np.searchsorted(steps, grid, "right")])
    expected = integrated_brier_score(
        Surv.from_arrays(e_train, t_train),
        Surv.from_arrays(event[inside], time[inside]),
        np.tile(survival, (int(inside.sum()), 1)),
        grid,
    )
    assert trivial["integrated_brier"] == pytest.approx(expected, abs=1e-9)


def test_linear_hazard_is_not_better_and_nonlinear_is(linear_run, nonlinear_run):
    """Check the verdicts: similar (or Cox wins) on a Cox truth, XGBoost better on a U shape."""
    for run, verdicts in ((linear_run, {"similar", "worse"}), (nonlinear_run, {"better"})):
        report = compare_baselines(run.model, run.dataset, n_boot=100)
        valid = run.model.valid_index
        time, event = _outcome(run, valid)
        expected = concordance_index_censored(event, time, _margin(run, valid))[0]
        comparison = report.comparison
        assert comparison.metric == main_metric("survival") == "c_index"
        assert comparison.xgboost == pytest.approx(expected, abs=1e-6)
        assert comparison.verdict in verdicts
        assert comparison.ci_low <= comparison.difference <= comparison.ci_high


def _tied_sample(n: int, seed: int):
    rng = np.random.default_rng(seed)
    time = rng.integers(1, 12, n).astype(float)  # many tied times
    event = rng.random(n) < 0.6
    risk = np.round(rng.normal(size=n), 1)  # many tied risks
    return time, event, risk


@pytest.mark.parametrize("seed", [0, 1])
def test_weighted_c_index_equals_scikit_survival_on_resampled_rows(seed):
    """Check each weighted resample's C-index against sksurv on the explicitly drawn rows."""
    time, event, risk = _tied_sample(60, seed)
    rng = np.random.default_rng(seed)
    draws = [rng.integers(0, 60, 60) for _ in range(8)]
    weights = np.vstack([np.bincount(d, minlength=60) for d in draws]).astype(float)
    got = resampled_main_score("survival", weights, event.astype(int), risk, time=time)
    expected = [concordance_index_censored(event[d], time[d], risk[d])[0] for d in draws]
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert np.isnan(resampled_main_score("survival", weights[:1], 0 * event, risk, time=time)[0])


def test_paired_interval_equals_sksurv_loop_over_the_same_draws():
    """Check the survival paired interval against sksurv scored on each drawn resample."""
    time, event, risk = _tied_sample(50, 4)
    other = risk + np.random.default_rng(9).normal(scale=0.8, size=len(risk))
    weights = resample_weights(np.random.default_rng(7), 50, 40)
    differences = []
    for counts in weights.astype(int):
        rows = np.repeat(np.arange(50), counts)
        c = [concordance_index_censored(event[rows], time[rows], r[rows])[0] for r in (risk, other)]
        differences.append(c[0] - c[1])
    expected = np.quantile(differences, [0.025, 0.975])
    got = paired_interval("survival", event.astype(int), risk, other, n_boot=40, seed=7, time=time)
    np.testing.assert_allclose(got, expected, atol=1e-12)
    with pytest.raises(DataError, match="follow-up times"):
        paired_interval("survival", event.astype(int), risk, other, n_boot=5, seed=7)


def test_learning_curve_reproduces_the_survival_model(linear_run):
    """Check the learning curve on all training rows scores the model's own C-index."""
    model = linear_run.model
    curve = learning_curve(model, linear_run.dataset, fractions=(0.5, 1.0))
    valid = model.valid_index
    time, event = _outcome(linear_run, valid)
    expected = concordance_index_censored(event, time, _margin(linear_run, valid))[0]
    assert curve.metric == "c_index" and curve.fractions == (0.5, 1.0)
    assert curve.rounds[-1] == model.best_iteration + 1
    assert curve.scores[-1] == pytest.approx(expected, abs=1e-9)
    assert 0.6 < curve.scores[0] <= 1


class _Margin:
    """The booster as scikit-learn's permutation_importance wants an estimator."""

    def __init__(self, booster: xgb.Booster) -> None:
        self.booster = booster

    def fit(self, X, y):
        """Do nothing: the booster is trained."""
        return self


def _sksurv_scorer(estimator: _Margin, X: pd.DataFrame, y: np.ndarray) -> float:
    margin = estimator.booster.predict(xgb.DMatrix(X, enable_categorical=True), output_margin=True)
    return float(concordance_index_censored(y[:, 1].astype(bool), y[:, 0], margin)[0])


def test_permutation_importance_drops_in_c_index(linear_run):
    """Check the C-index drops against sklearn's shuffles scored by sksurv, x1 ranked first."""
    model, dataset = linear_run.model, linear_run.dataset
    ours = permutation_importance_ci(model, dataset, n_repeats=4, seed=2)
    valid = model.valid_index
    time, event = _outcome(linear_run, valid)
    theirs = permutation_importance(
        _Margin(model.booster),
        dataset.X.iloc[valid][list(model.spec.names)],
        np.column_stack([time, event.astype(float)]),
        scoring=_sksurv_scorer,
        n_repeats=4,
        random_state=2,
    )
    by_name = {item.feature: item for item in ours}
    for i, name in enumerate(model.spec.names):
        assert by_name[name].mean == pytest.approx(theirs.importances_mean[i], abs=1e-12)
    assert ours[0].feature == "x1" and ours[0].ci_low > 0.05
    assert importance_score_name("survival") == "c_index"


def test_permutation_importance_needs_a_comparable_pair(linear_run):
    """Check rows without any event are refused with a clear error."""
    censored = linear_run.model.valid_index[~linear_run.dataset.event[linear_run.model.valid_index]]
    with pytest.raises(DataError, match="C-index") as info:
        permutation_importance_ci(linear_run.model, linear_run.dataset, rows=censored[:30])
    assert info.value.code == "importance_events"


@pytest.mark.parametrize("feature", ["x1", "site"])
def test_partial_dependence_is_the_mean_xgboost_margin(linear_run, feature):
    """Check PDP and ICE on the log-hazard margin against XGBoost's margin of edited copies."""
    run = linear_run
    result = partial_dependence(run.model, run.dataset, feature, sample_rows=80, grid_points=6)
    X = run.dataset.X.iloc[result.rows][list(run.model.spec.names)]
    columns = []
    for value in result.grid:
        copy = X.copy()
        if feature == "site":
            copy[feature] = pd.Categorical(
                [value] * len(copy), categories=X[feature].cat.categories
            )
        else:
            copy[feature] = float(value)
        matrix = xgb.DMatrix(copy, enable_categorical=True)
        columns.append(run.model.booster.predict(matrix, output_margin=True))
    expected = np.column_stack(columns)
    np.testing.assert_allclose(result.ice, expected, atol=1e-6)
    np.testing.assert_allclose(result.average, expected.mean(axis=0), atol=1e-6)
    assert (result.unit, result.output, result.output_label) == ("log_hazard", 0, "dead")
    if feature == "x1":
        assert result.average[-1] > result.average[0]  # the true hazard rises with x1
    with pytest.raises(DataError, match="one output"):
        partial_dependence(run.model, run.dataset, feature, output=1)


def test_error_analysis_refuses_survival(linear_run):
    """Check error analysis and the error rate along a feature refuse survival and say why."""
    run = linear_run
    with pytest.raises(DataError, match="censored patient's outcome is unknown") as info:
        error_analysis(run.model, run.dataset, run.table.frame, run.schema.display_names)
    assert info.value.code == "audit_not_for_survival"
    with pytest.raises(DataError, match="Use permutation importance"):
        error_rate_along(run.model, run.dataset, "x1")


def test_cohorts_give_c_index_and_event_rate(linear_run):
    """Check each cohort's C-index against sksurv on its validation rows, and its event rate."""
    run = linear_run
    cohorts = [Cohort("all"), Cohort("site b", (CohortFilter("site", values=("b",)),))]
    found = compare_cohorts(run.model, run.dataset, run.shap, run.table.frame, cohorts)
    valid = run.model.valid_index
    time, event = _outcome(run, valid)
    margin = _margin(run, valid)
    site = run.table.frame["site"].to_numpy()[run.dataset.row_ids[valid]]
    for summary, inside in zip(found.cohorts, (site == site, site == "b"), strict=True):
        expected = concordance_index_censored(event[inside], time[inside], margin[inside])[0]
        assert summary.metrics["c_index"] == pytest.approx(expected, abs=1e-9)
        assert summary.metrics["event_rate"] == pytest.approx(event[inside].mean())
        assert summary.metrics["mean_risk"] == pytest.approx(margin[inside].mean(), abs=1e-5)
    assert found.task == "survival"


def test_groups_give_c_index_and_event_rate_with_intervals(linear_run):
    """Check per-group C-index, event rate and intervals against sksurv on the drawn rows."""
    run = linear_run
    column = run.table.frame["site"].rename("site")
    report = group_metrics(run.model, run.dataset, column, n_boot=30, seed=5)
    valid = run.model.valid_index
    time, event = _outcome(run, valid)
    margin = _margin(run, valid)
    site = column.to_numpy()[run.dataset.row_ids[valid]].astype(str)
    rng = np.random.default_rng(5)  # groups are resampled in sorted order, as documented
    assert [g.value for g in report.groups] == ["a", "b", "c"]
    for group in report.groups:
        rows = np.flatnonzero(site == group.value)
        c = concordance_index_censored(event[rows], time[rows], margin[rows])[0]
        assert group.metrics["c_index"] == pytest.approx(c, abs=1e-6)
        assert group.metrics["event_rate"] == pytest.approx(event[rows].mean())
        drawn = []
        for counts in resample_weights(rng, len(rows), 30).astype(int):
            picked = rows[np.repeat(np.arange(len(rows)), counts)]
            drawn.append(concordance_index_censored(event[picked], time[picked], margin[picked]))
        low, high = np.quantile([d[0] for d in drawn], [0.025, 0.975])
        assert (group.ci_low["c_index"], group.ci_high["c_index"]) == pytest.approx(
            (low, high), abs=1e-6
        )
    assert report.threshold is None and report.difference["c_index"] > 0


def test_model_worth_writes_survival_baselines(linear_run):
    """Check summary.json's worth entries: both baselines and a C-index comparison."""
    document, seconds = model_worth(linear_run)
    assert [b["name"] for b in document["baselines"]] == ["trivial", "linear"]
    assert set(document["baselines"][1]["metrics"]) == {"c_index", "mean_auc", "integrated_brier"}
    assert document["comparison"]["metric"] == "c_index"
    assert document["comparison"]["verdict"] in {"similar", "worse"}
    assert "baselines_skipped" not in document and seconds["baselines"] >= 0


def test_aft_model_is_compared_and_retrained_on_its_risk():
    """Check an AFT model: C-index of minus its margin (sksurv), learning curve, log-time PDP."""
    frame = _table(500, 8, nonlinear=False)
    options = TrainingOptions(n_estimators=60, max_depth=2, seed=0, survival_model="aft")
    run = explain_file(
        to_csv_bytes(frame),
        name="aft.csv",
        task="survival",
        time="follow_up_days",
        event="dead",
        device="cpu",
        options=options,
        rows=10,
    )
    valid = run.model.valid_index
    time, event = _outcome(run, valid)
    expected = concordance_index_censored(event, time, -_margin(run, valid))[0]
    report = compare_baselines(run.model, run.dataset, n_boot=30)
    assert report.comparison.xgboost == pytest.approx(expected, abs=1e-9) and expected > 0.6
    curve = learning_curve(run.model, run.dataset, fractions=(1.0,))
    assert curve.scores == pytest.approx((expected,), abs=1e-9)
    assert partial_dependence(run.model, run.dataset, "x1", sample_rows=20).unit == "log_time"


def test_large_validation_sets_are_resampled_at_the_stated_size(linear_run, monkeypatch):
    """Check that above the row cap the interval is drawn from that many seeded rows."""
    import explainers._baselines as baselines

    monkeypatch.setattr(baselines, "BOOTSTRAP_MAX_ROWS", 100)
    report = compare_baselines(linear_run.model, linear_run.dataset, n_boot=40, seed=3)
    valid = linear_run.model.valid_index
    at = np.sort(np.random.default_rng(3).choice(len(valid), 100, replace=False))
    cox, design, *_ = _reference_cox(linear_run)
    risk = cox.predict(design.iloc[valid].to_numpy())[at]
    time, event = _outcome(linear_run, valid[at])
    weights = resample_weights(np.random.default_rng(3), 100, 40).astype(int)
    margin = _margin(linear_run, valid[at])
    differences = []
    for counts in weights:
        rows = np.repeat(np.arange(100), counts)
        c = [
            concordance_index_censored(event[rows], time[rows], r[rows])[0] for r in (margin, risk)
        ]
        differences.append(c[0] - c[1])
    expected = np.quantile(differences, [0.025, 0.975])
    got = (report.comparison.ci_low, report.comparison.ci_high)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert report.n_valid == len(valid) > 100
