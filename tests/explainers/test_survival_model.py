"""Survival models against known Cox truth, scikit-survival and XGBoost's own outputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sksurv.datasets import load_veterans_lung_cancer
from sksurv.linear_model.coxph import BreslowEstimator
from sksurv.metrics import concordance_index_censored
from synthetic_tables import to_csv_bytes

from explainers._pipeline import ExplainRun, explain_file
from explainers._survival.baseline import breslow_hazard
from explainers._survival.explain import relative_hazard, survival_curves
from explainers._training import TrainingOptions

BETA = {"x1": 1.2, "x2": -0.6, "x3": 0.0}


@pytest.fixture(scope="module")
def cox_run() -> ExplainRun:
    """A Cox model of 1,000 rows with hazard exp(1.2 x1 - 0.6 x2), exponential baseline."""
    rng = np.random.default_rng(11)
    n = 1000
    x = {name: rng.normal(size=n) for name in BETA}
    hazard = np.exp(sum(beta * x[name] for name, beta in BETA.items()))
    event_time = rng.exponential(10 / hazard)
    censor_time = rng.exponential(20, n)
    frame = pd.DataFrame(
        {
            **{k: v.round(4) for k, v in x.items()},
            "follow_up_days": np.minimum(event_time, censor_time).round(4),
            "dead": (event_time <= censor_time).astype(int),
        }
    )
    options = TrainingOptions(n_estimators=150, learning_rate=0.05, max_depth=2, seed=0)
    return explain_file(
        to_csv_bytes(frame),
        name="cox.csv",
        task="survival",
        time="follow_up_days",
        event="dead",
        device="cpu",
        options=options,
    )


def test_known_truth_is_recovered(cox_run):
    """Check that the C-index is high and SHAP ranks and signs follow the true coefficients."""
    assert cox_run.evaluation.metrics["c_index"] > 0.7
    ranking = [name for name, _ in cox_run.shap.ranking()]
    assert ranking[:2] == ["x1", "x2"]
    X, values = cox_run.dataset.X, cox_run.shap.for_output(0)
    for name, beta in BETA.items():
        if beta:
            j = cox_run.shap.features.index(name)
            slope = np.corrcoef(X[name].to_numpy()[cox_run.shap.rows], values[:, j])[0, 1]
            assert np.sign(slope) == np.sign(beta)


def test_c_index_equals_scikit_survival(cox_run):
    """Check that the C-index equals sksurv's on the validation predictions, inside its interval."""
    ev = cox_run.evaluation
    valid = cox_run.model.valid_index
    time, event = cox_run.dataset.time[valid], cox_run.dataset.event[valid]
    margin = cox_run.model.booster.predict(cox_run.model.dmatrix(cox_run.dataset.X.iloc[valid]))
    expected = concordance_index_censored(event, time, np.log(margin))[0]
    assert ev.metrics["c_index"] == pytest.approx(expected, abs=1e-12)
    assert ev.metrics["c_index_low"] <= expected <= ev.metrics["c_index_high"]
    assert ev.survival is not None and len(ev.survival.auc) == 3
    assert 0.5 < ev.survival.mean_auc <= 1 and 0 < ev.survival.integrated_brier < 0.25


def test_shap_adds_up_to_xgboost_margin(cox_run):
    """Check that base value plus SHAP equals XGBoost's output margin and its pred_contribs."""
    shap, model = cox_run.shap, cox_run.model
    dm = model.dmatrix(cox_run.dataset.X.iloc[shap.rows])
    margin = model.booster.predict(dm, output_margin=True)
    contribs = model.booster.predict(dm, pred_contribs=True)
    total = shap.base_values[:, 0] + shap.values[:, 0].sum(axis=1)
    np.testing.assert_allclose(total, margin, atol=1e-4)
    np.testing.assert_allclose(shap.values[:, 0], contribs[:, :-1], atol=1e-6)
    np.testing.assert_allclose(np.exp(margin), model.booster.predict(dm), rtol=1e-5)


def test_breslow_matches_scikit_survival():
    """Check that the Breslow baseline hazard equals sksurv's BreslowEstimator's."""
    rng = np.random.default_rng(2)
    margin = rng.normal(size=200)
    time = rng.integers(1, 40, 200).astype(float)  # ties on purpose
    event = rng.random(200) < 0.6
    times, hazard = breslow_hazard(margin, time, event, reference=0.0)
    reference = BreslowEstimator().fit(margin, event, time).cum_baseline_hazard_
    np.testing.assert_allclose(hazard, reference(times), rtol=1e-10)


def test_survival_curve_and_relative_hazard(cox_run):
    """Check that a row's curve is S0(t) ** relative hazard and starts at 1, decreasing."""
    model, X = cox_run.model, cox_run.dataset.X.iloc[:2]
    curves = survival_curves(model, X)
    assert curves.survival[:, 0] == pytest.approx(1.0)
    assert np.all(np.diff(curves.survival, axis=1) <= 1e-12)
    fit = model.survival
    margin = model.booster.predict(model.dmatrix(X), output_margin=True)
    baseline = np.exp(-fit.cumulative_hazard(curves.time))
    expected = baseline ** relative_hazard(margin, fit.reference_margin)[:, None]
    np.testing.assert_allclose(curves.survival, expected, rtol=1e-9)
    assert relative_hazard(np.log(2.1) + 0.3, 0.3) == pytest.approx(2.1)


def test_time_is_never_a_feature(cox_run):
    """Check that neither the time nor the event column reaches the model."""
    assert cox_run.model.spec.names == ("x1", "x2", "x3")
    assert cox_run.model.booster.feature_names == ["x1", "x2", "x3"]


def test_aft_option_trains_and_ranks():
    """Check that the AFT option trains on interval labels and its risk is minus the margin."""
    frame = pd.DataFrame({"x": np.linspace(-2, 2, 200)})
    rng = np.random.default_rng(0)
    frame["os_months"] = rng.exponential(10 * np.exp(-frame["x"]))
    frame["status"] = (rng.random(200) < 0.7).astype(int)
    options = TrainingOptions(survival_model="aft", n_estimators=60, seed=0)
    run = explain_file(
        to_csv_bytes(frame), name="a.csv", task="survival", device="cpu", options=options
    )
    assert run.schema.time == "os_months"
    assert "aft" in run.model.booster.save_config()
    assert run.evaluation.metrics["c_index"] > 0.6


def test_veterans_lung_cancer_trains_plausibly():
    """Check that the documented veterans trial (137 rows, 128 deaths) gives a plausible C-index."""
    X, y = load_veterans_lung_cancer()
    frame = X.assign(Survival_in_days=y["Survival_in_days"], Status=y["Status"])
    assert len(frame) == 137 and int(y["Status"].sum()) == 128
    run = explain_file(to_csv_bytes(frame), name="veteran.csv", task="survival", device="cpu")
    assert (run.schema.time, run.schema.target) == ("Survival_in_days", "Status")
    assert 0.55 < run.evaluation.metrics["c_index"] < 0.9
    assert run.shap.ranking()[0][0] == "Karnofsky_score"  # the trial's dominant prognostic factor
    assert isinstance(run.model.booster, xgb.Booster)
