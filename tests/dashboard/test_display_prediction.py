"""The average prediction: one number under one label, checked against the booster itself."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import page_charts
import pytest
import xgboost as xgb
from streamlit.testing.v1 import AppTest

from dashboard.display.prediction import RowPrediction
from explainers import explain_file
from sample_data import load_sample_bytes

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PERCENT = re.compile(r"\(([-\d.]+)%\)")


def _booster_walk(model, X) -> tuple[np.ndarray, np.ndarray]:
    """Base values (n, k) and margins (n, k) straight from XGBoost's pred_contribs."""
    dm = xgb.DMatrix(X[list(model.spec.names)], enable_categorical=True)
    contribs = np.asarray(model.booster.predict(dm, pred_contribs=True))
    contribs = contribs.reshape(len(X), -1, contribs.shape[-1])
    return contribs[:, :, -1], contribs.sum(axis=2)


def _probabilities(margins: np.ndarray, task: str) -> np.ndarray:
    """Probabilities by hand (not through the app): logistic for binary, softmax otherwise."""
    if task == "binary":
        p = 1 / (1 + np.exp(-margins[:, 0]))
        return np.column_stack([1 - p, p])
    e = np.exp(margins - margins.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("run_name", ["binary_run", "multiclass_run", "regression_run"])
def test_average_and_prediction_are_the_boosters_base_and_output(request, run_name):
    """Check that average and prediction are the booster's base value and output, linked."""
    run = request.getfixturevalue(run_name)
    task, X = run.model.task, run.dataset.X.iloc[run.shap.rows[:5]]
    base, margins = _booster_walk(run.model, X)
    booster_prediction = run.model.booster.predict(
        xgb.DMatrix(X[list(run.model.spec.names)], enable_categorical=True)
    )
    for i in range(len(X)):
        for output in range(run.shap.n_outputs):
            row = RowPrediction.from_shap(run.shap, i, task=task, output=output)
            if task == "regression":
                assert row.average == pytest.approx(base[i, 0], abs=1e-4)
                assert row.prediction == pytest.approx(float(booster_prediction[i]), abs=1e-3)
                continue
            column = 1 if task == "binary" else output
            expected = _probabilities(base[i : i + 1], task)[0, column]
            assert row.average == pytest.approx(expected, abs=1e-6)
            predicted = booster_prediction[i] if task == "binary" else booster_prediction[i, output]
            assert row.prediction == pytest.approx(float(predicted), abs=1e-5)
            # the effects walk from the average to the prediction, nothing lost
            assert row.average + row.effects().sum() == pytest.approx(row.prediction, abs=1e-6)


def _first_bar(at: AppTest) -> tuple[float, str, str]:
    spec = page_charts.waterfall(at)
    trace = spec["data"][0]
    x = trace["x"]
    if isinstance(x, dict):
        x = np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"])
    ticks = spec["layout"]["yaxis"]["ticktext"]
    return float(x[0]), str(trace["text"][0]), str(ticks[0])


@pytest.mark.parametrize("sample", ["breast_cancer", "triage"])
def test_headline_and_waterfall_state_one_average(sample):
    """Check that the Local page's headline and the waterfall's first bar show one average.

    Both equal the booster's base value mapped to a probability, computed here from
    XGBoost's own pred_contribs of a model trained as the app trains it.
    """
    run = explain_file(load_sample_bytes(sample), name="sample.csv")
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = sample
    at.run()
    at.switch_page("views/local_explanations.py").run()
    assert not at.exception and not at.error
    row_id = int(at.number_input(key="w_row_number").value)
    position = int(np.searchsorted(run.dataset.row_ids, row_id))
    base, margins = _booster_walk(run.model, run.dataset.X.iloc[[position]])
    task = run.model.task
    headline = at.metric[0]
    output = 0 if task == "binary" else int(at.selectbox(key=f"w_local_class_{position}").value)
    column = 1 if task == "binary" else output
    probability = _probabilities(margins, task)[0, column]
    average = _probabilities(base, task)[0, column]
    assert headline.value == f"{100 * probability:.1f}%"  # the same model as the app's
    stated = float(PERCENT.search(headline.proto.delta_description).group(1))
    assert stated == pytest.approx(100 * average, abs=0.051)
    bar, text, tick = _first_bar(at)
    if task == "binary":  # the waterfall is in probability: its first bar is the average
        assert bar == pytest.approx(100 * average, abs=1e-3)
    else:  # in log-odds: the bar is the base log-odds, its text gives the same probability
        assert bar == pytest.approx(base[0, output], abs=1e-4)
        assert float(PERCENT.search(text).group(1)) == pytest.approx(100 * average, abs=0.051)
        assert "log-odds" in tick.lower()  # the chart says its units on the bar itself
