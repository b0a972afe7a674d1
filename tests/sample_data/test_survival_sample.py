"""The survival sample against its documented truth: scikit-survival's Cox fit and the engine."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, norm, spearmanr
from sksurv.linear_model import CoxPHSurvivalAnalysis
from sksurv.linear_model.coxph import CoxPHOptimizer
from sksurv.metrics import concordance_index_censored
from sksurv.util import Surv

from explainers import build_schema, explain_file, read_table
from explainers._pipeline import ExplainRun
from sample_data import _generate_survival as generate
from sample_data import load_sample_bytes, load_sample_frame, sample_info

SAMPLE = "heart_failure_survival"
EVENTS = 1164
"""Deaths in the CSV, as the README and the JSON description state (38.8%, "about 39%")."""
C_INDEX_FLOOR = 0.67
"""The engine's validation C-index must beat this (the README's documented floor)."""
NOISE = ("platelets", "blood_type=A", "blood_type=B", "blood_type=AB")


def _design(frame: pd.DataFrame) -> pd.DataFrame:
    """The Cox design of the documented formula, centred as written, plus the noise columns."""
    c = generate.SURVIVAL_CENTRES
    columns = {
        "ejection_fraction": frame["ejection_fraction"] - c["ejection_fraction"],
        "ln(serum_creatinine)": np.log(frame["serum_creatinine"]),
        "age": frame["age"] - c["age"],
        "systolic_bp": frame["systolic_bp"] - c["systolic_bp"],
        "platelets": frame["platelets"],
    }
    levels = {
        "nyha_class": ("II", "III", "IV"),
        "treatment": ("active",),
        "diabetes": ("yes",),
        "smoking": ("current", "former"),
        "sex": ("male",),
        "blood_type": ("A", "B", "AB"),
    }
    for column, values in levels.items():
        for value in values:
            columns[f"{column}={value}"] = frame[column] == value
    return pd.DataFrame(columns).astype(float)


@pytest.fixture(scope="module")
def cox_fit() -> tuple[pd.Series, pd.Series, np.ndarray, CoxPHSurvivalAnalysis]:
    """scikit-survival's Cox model on the complete rows: estimates, standard errors, covariance."""
    frame = load_sample_frame(SAMPLE).dropna()
    X = _design(frame)
    event = frame["death"].to_numpy() == 1
    time = frame["follow_up_days"].to_numpy(dtype=float)
    model = CoxPHSurvivalAnalysis(ties="breslow").fit(X, Surv.from_arrays(event, time))
    optimizer = CoxPHOptimizer(
        X.to_numpy(), event, time, alpha=np.zeros(X.shape[1]), ties="breslow"
    )
    optimizer.update(model.coef_)
    covariance = np.linalg.inv(optimizer.hessian * len(X))  # its loss is a mean over rows
    estimates = pd.Series(model.coef_, index=X.columns)
    errors = pd.Series(np.sqrt(np.diag(covariance)), index=X.columns)
    return estimates, errors, covariance, model


@pytest.fixture(scope="module")
def engine_run() -> ExplainRun:
    """The engine's default survival run on the sample's CSV bytes, on the CPU."""
    return explain_file(
        load_sample_bytes(SAMPLE),
        name="x.csv",
        task="survival",
        time="follow_up_days",
        event="death",
        device="cpu",
    )


def test_time_event_ids_and_missing_cells_are_as_documented() -> None:
    """Check whole-day times >= 1 within the study, 0/1 deaths at the documented count, and gaps."""
    info = sample_info(SAMPLE)
    frame = load_sample_frame(SAMPLE)
    assert (info.task, info.target, info.time) == ("survival", "death", "follow_up_days")
    time = frame["follow_up_days"]
    assert pd.api.types.is_integer_dtype(time)
    assert time.min() >= 1 and time.max() <= generate.SURVIVAL_STUDY_DAYS
    assert set(frame["death"]) == {0, 1}
    assert int(frame["death"].sum()) == EVENTS
    assert 0.30 <= EVENTS / info.n_rows <= 0.50
    # The end of study censors after 731 days at the earliest; drop-out can come sooner.
    shortest_study = generate.SURVIVAL_STUDY_DAYS - generate.SURVIVAL_ENROLMENT_DAYS + 1
    censored = frame.loc[frame["death"] == 0, "follow_up_days"]
    assert (censored >= shortest_study).mean() > 0.7  # most censoring is the end of study
    assert frame["patient_id"].is_unique
    assert frame["patient_id"].str.fullmatch(r"HF\d{5}").all()
    missing = frame.isna().mean()
    assert missing["ejection_fraction"] == pytest.approx(0.03)
    assert missing["systolic_bp"] == pytest.approx(0.04)
    assert set(missing[missing > 0].index) == {"ejection_fraction", "systolic_bp"}


def test_documented_figures_are_in_the_readme_and_json() -> None:
    """Check that the README and the JSON state the event count and the generator's constants."""
    readme = (Path(str(files("sample_data"))) / "README.md").read_text(encoding="utf-8")
    assert f"{EVENTS:,} deaths ({100 * EVENTS / 3000:.1f}%)" in readme
    assert f"at least {C_INDEX_FLOOR}" in readme
    formula = sample_info(SAMPLE).formula or ""
    numbers = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", formula)}
    expected = {abs(value) for value in generate.SURVIVAL_COEFFICIENTS.values()}
    expected |= set(generate.SURVIVAL_CENTRES.values())
    expected |= {generate.SURVIVAL_WEIBULL_SHAPE, generate.SURVIVAL_WEIBULL_SCALE}
    expected |= {generate.SURVIVAL_STUDY_DAYS, generate.SURVIVAL_DROPOUT_MEAN}
    expected |= {generate.SURVIVAL_ENROLMENT_DAYS - 1}
    assert expected <= numbers


def test_cox_fit_recovers_every_true_log_hazard_ratio(cox_fit) -> None:
    """Check each true log-hazard ratio lies in its simultaneous 95% interval (Bonferroni)."""
    estimates, errors, _, _ = cox_fit
    truth = generate.SURVIVAL_COEFFICIENTS
    z = norm.ppf(1 - 0.05 / (2 * len(estimates)))
    for name, true_value in truth.items():
        assert abs(estimates[name] - true_value) < z * errors[name], name
        assert np.sign(estimates[name]) == np.sign(true_value), name
    for name in ("ejection_fraction", "ln(serum_creatinine)", "age", "treatment=active"):
        assert estimates[name] == pytest.approx(truth[name], rel=0.2), name
    assert estimates["nyha_class=IV"] > estimates["nyha_class=III"] > estimates["nyha_class=II"]


def test_noise_coefficients_are_near_zero(cox_fit) -> None:
    """Check that the noise columns' coefficients are small and jointly indistinguishable from 0."""
    estimates, errors, covariance, _ = cox_fit
    index = [list(estimates.index).index(name) for name in NOISE]
    beta = estimates[list(NOISE)].to_numpy()
    wald = float(beta @ np.linalg.inv(covariance[np.ix_(index, index)]) @ beta)
    assert chi2.sf(wald, len(NOISE)) > 0.01
    assert abs(estimates["platelets"]) * 100 < 0.1  # per 100 x 10^3/uL
    for name in NOISE[1:]:
        assert abs(estimates[name]) < 0.25, name
        assert abs(estimates[name]) < 2.5 * errors[name], name


def test_breslow_baseline_follows_the_documented_weibull(cox_fit) -> None:
    """Check the fitted reference patient's cumulative hazard against (t / scale) ** shape."""
    _, _, _, model = cox_fit
    days = np.array([90.0, 365.0, 730.0, 1095.0, 1460.0])
    fitted = model.cum_baseline_hazard_(days)
    truth = (days / generate.SURVIVAL_WEIBULL_SCALE) ** generate.SURVIVAL_WEIBULL_SHAPE
    np.testing.assert_allclose(fitted, truth, rtol=0.3)


def test_true_log_hazard_concordance_is_as_documented() -> None:
    """Check that the true log-hazard has the documented C-index (0.73) on complete rows."""
    frame = load_sample_frame(SAMPLE).dropna()
    eta = generate.heart_failure_log_hazard(frame)
    c_index = concordance_index_censored(
        frame["death"].to_numpy() == 1, frame["follow_up_days"].to_numpy(dtype=float), eta
    )[0]
    assert c_index == pytest.approx(0.73, abs=0.005)
    assert len(frame) == 2795


def test_engine_recognises_the_time_and_event_pair() -> None:
    """Check that the profiler, on task auto, suggests survival with follow_up_days and death."""
    schema = build_schema(read_table(load_sample_bytes(SAMPLE), name="x.csv"))
    suggestion = schema.survival_suggestion
    assert suggestion is not None
    assert (suggestion.time, suggestion.event) == ("follow_up_days", "death")
    assert suggestion.event_value is None and not suggestion.needs_event_value
    assert (schema.target, schema.task) == ("death", "binary")  # auto never picks survival
    assert "survival_time_leak" in {finding.code for finding in schema.findings}


def test_engine_concordance_beats_the_documented_floor(engine_run) -> None:
    """Check the engine's validation C-index against the floor and scikit-survival's own."""
    run = engine_run
    assert (run.schema.time, run.schema.target) == ("follow_up_days", "death")
    assert run.model.spec.names == tuple(
        name
        for name in sample_info(SAMPLE).columns
        if name not in {"patient_id", "follow_up_days", "death"}
    )
    metrics = run.evaluation.metrics
    assert metrics["c_index"] > C_INDEX_FLOOR
    valid = run.model.valid_index
    margin = run.model.booster.predict(
        run.model.dmatrix(run.dataset.X.iloc[valid]), output_margin=True
    )
    time, event = run.dataset.time, run.dataset.event
    assert time is not None and event is not None
    expected = concordance_index_censored(event[valid], time[valid], margin)[0]
    assert metrics["c_index"] == pytest.approx(expected, abs=1e-9)


def test_engine_shap_ranks_and_signs_follow_the_true_hazard_ratios(engine_run) -> None:
    """Check mean |SHAP| ranks the true drivers on top, and SHAP moves with each true sign."""
    info = sample_info(SAMPLE)
    shap = engine_run.shap
    importance = dict(shap.ranking())
    ranking = list(importance)
    assert ranking[0] == info.true_drivers[0]
    assert set(ranking[: len(info.true_drivers)]) == set(info.true_drivers)
    weakest_driver = min(importance[name] for name in info.true_drivers)
    assert max(importance[name] for name in info.noise_columns) < 0.6 * weakest_driver
    X = engine_run.dataset.X.iloc[shap.rows]
    values = shap.for_output(0)
    coefficient = {
        "ejection_fraction": generate.SURVIVAL_COEFFICIENTS["ejection_fraction"],
        "serum_creatinine": generate.SURVIVAL_COEFFICIENTS["ln(serum_creatinine)"],
        "age": generate.SURVIVAL_COEFFICIENTS["age"],
        "systolic_bp": generate.SURVIVAL_COEFFICIENTS["systolic_bp"],
    }
    for name, beta in coefficient.items():
        column = X[name].to_numpy(dtype=float)
        known = ~np.isnan(column)
        rho = spearmanr(column[known], values[known, shap.features.index(name)])[0]
        assert np.sign(rho) == np.sign(beta) and abs(rho) > 0.5, (name, rho)
    by_level = {
        name: pd.Series(values[:, shap.features.index(name)])
        .groupby(X[name].astype(str).to_numpy())
        .mean()
        for name in ("treatment", "nyha_class")
    }
    assert by_level["treatment"]["active"] < 0 < by_level["treatment"]["control"]
    nyha = by_level["nyha_class"]
    assert nyha["I"] < nyha["II"] < nyha["III"] < nyha["IV"]
