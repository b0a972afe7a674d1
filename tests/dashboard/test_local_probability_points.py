"""The Local page in probability points: Shapley values of the probability, checked against
the booster's own probabilities, a brute-force Shapley sum and the engine called here."""

from __future__ import annotations

import base64
import re
from math import factorial
from pathlib import Path

import numpy as np
import page_charts
import pandas as pd
import pytest
import xgboost as xgb
from streamlit.testing.v1 import AppTest
from synthetic_tables import synthetic_binary, to_csv_bytes

from dashboard.display.narrative import Driver, Facts, summarize
from dashboard.i18n import translate
from dashboard.services import SEED
from dashboard.services.rows import PROBABILITY_BACKGROUND_ROWS
from dashboard.state import PENDING_UPLOAD_KEY
from explainers import explain_file, probability_shap
from sample_data import load_sample_bytes

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
LOCAL = "views/local_explanations.py"
HANGUL = re.compile(r"[가-힣]")


def _array(value) -> np.ndarray:
    """A plotly figure array from its JSON form (a list, or plotly's base64 typed array)."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value, dtype=float)


def _waterfall(at: AppTest) -> dict:
    """The Local page's waterfall figure as plotly JSON."""
    return page_charts.waterfall(at)


def _assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _open_local(at: AppTest, run) -> int:
    """Open the Local page; return the dataset position of the row it shows."""
    at.run()
    at.switch_page(LOCAL).run()
    _assert_clean(at)
    row_id = int(at.number_input(key="w_row_number").value)
    return int(np.searchsorted(run.dataset.row_ids, row_id))


def _booster_probabilities(model, X: pd.DataFrame) -> np.ndarray:
    """Probabilities straight from the booster: (n,) of the positive class, or (n, k)."""
    frame = X[list(model.spec.names)]
    return np.asarray(model.booster.predict(xgb.DMatrix(frame, enable_categorical=True)))


def _brute_force_shapley(model, X: pd.DataFrame, position: int, background: np.ndarray):
    """Shapley values of the positive class's probability by the formula over every subset:
    v(S) is the booster's mean probability over the background rows with the features in S
    taken from the row."""
    names = list(model.spec.names)
    row, rows = X.iloc[[position]][names], X.iloc[background][names].reset_index(drop=True)
    m = len(names)
    value = np.empty(2**m)
    for mask in range(2**m):
        mixed = rows.copy()
        for j, name in enumerate(names):
            if mask >> j & 1:
                repeated = np.repeat(row[name].to_numpy(dtype=object), len(rows))
                mixed[name] = pd.Series(repeated).astype(X[name].dtype)
        value[mask] = _booster_probabilities(model, mixed).mean()
    phi = np.zeros(m)
    for j in range(m):
        for mask in range(2**m):
            if not mask >> j & 1:
                size = bin(mask).count("1")
                weight = factorial(size) * factorial(m - size - 1) / factorial(m)
                phi[j] += weight * (value[mask | 1 << j] - value[mask])
    return value[0], phi


def test_heart_disease_points_are_the_engines_estimate_and_add_up_to_the_probability():
    """Check that heart_disease (13 features) shows estimated points with their errors, which
    add up from the base to the booster's probability, and that log-odds stays as it was."""
    run = explain_file(load_sample_bytes("heart_disease"), name="sample.csv")
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = "heart_disease"
    position = _open_local(at, run)
    units = at.segmented_control(key="w_local_units_binary")
    assert units.value == "path" and units.options[-1].startswith("Probability points")
    units.set_value("shapley").run()
    _assert_clean(at)
    expected = probability_shap(
        run.model,
        run.dataset,
        [position],
        output=1,
        background_rows=PROBABILITY_BACKGROUND_ROWS,
        seed=SEED,
    )
    assert expected.method == "permutation-estimate" and expected.std_error is not None
    probability = 100 * float(_booster_probabilities(run.model, run.dataset.X.iloc[[position]])[0])
    spec = _waterfall(at)
    bars, whiskers = spec["data"][0], spec["data"][1]
    x = _array(bars["x"])
    order = np.argsort(-np.abs(expected.values[0]), kind="stable")
    assert x[0] == pytest.approx(100 * expected.base_value, abs=1e-9)
    np.testing.assert_allclose(x[1:-1], 100 * expected.values[0][order], atol=1e-9)
    np.testing.assert_allclose(
        _array(whiskers["error_x"]["array"]), 100 * expected.std_error[0][order], atol=1e-9
    )
    assert x[0] + x[1:-1].sum() == pytest.approx(probability, abs=1e-4)
    assert x[-1] == pytest.approx(probability, abs=1e-4)
    assert at.metric[0].value == f"{probability:.1f}%"  # the probability the page states
    assert f"({100 * expected.base_value:.1f}%)" in at.metric[0].proto.delta_description
    assert "Probability of yes (%)" in spec["layout"]["xaxis"]["title"]["text"]
    captions = " ".join(c.value for c in at.caption)
    assert "16 permutations per background row" in captions
    assert "100 training rows" in captions
    assert "Shapley values of the probability" in at.info[0].value.replace("\\", "")

    at.segmented_control(key="w_local_units_binary").set_value("log_odds").run()
    _assert_clean(at)
    spec = _waterfall(at)
    x = _array(spec["data"][0]["x"])
    margin = run.model.booster.predict(
        xgb.DMatrix(run.dataset.X.iloc[[position]], enable_categorical=True), output_margin=True
    )
    assert x[0] + x[1:-1].sum() == pytest.approx(float(margin[0]), abs=1e-4)
    assert "log-odds" in spec["layout"]["yaxis"]["ticktext"][0].lower()
    assert len(spec["data"]) == 1


def test_multiclass_points_explain_the_chosen_class_in_korean():
    """Check that on triage the points explain the class chosen on the page, in Korean."""
    run = explain_file(load_sample_bytes("triage"), name="sample.csv")
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = "triage"
    position = _open_local(at, run)
    predicted = int(np.argmax(_booster_probabilities(run.model, run.dataset.X.iloc[[position]])))
    chosen = (predicted + 1) % len(run.model.classes)
    at.selectbox(key=f"w_local_class_{position}").set_value(chosen).run()
    units = at.segmented_control(key="w_local_units_multiclass")
    assert units.value == "log_odds" and units.options == [
        "Log-odds (exact TreeSHAP)",
        "Probability points (Shapley, interventional)",
    ]
    units.set_value("shapley").run()
    # then Korean, from the sidebar (AppTest formats widget labels outside the session, in
    # English, so a widget is set before the language changes)
    at.selectbox(key="lang_select").set_value("ko").run()
    _assert_clean(at)
    assert at.segmented_control(key="w_local_units_multiclass").value == "shapley"
    expected = probability_shap(
        run.model,
        run.dataset,
        [position],
        output=chosen,
        background_rows=PROBABILITY_BACKGROUND_ROWS,
        seed=SEED,
    )
    probability = _booster_probabilities(run.model, run.dataset.X.iloc[[position]])[0, chosen]
    x = _array(_waterfall(at)["data"][0]["x"])
    order = np.argsort(-np.abs(expected.values[0]), kind="stable")
    np.testing.assert_allclose(x[1:-1], 100 * expected.values[0][order], atol=1e-9)
    assert x[0] + x[1:-1].sum() == pytest.approx(100 * float(probability), abs=1e-4)
    caption = next(c.value for c in at.caption if "%p" in c.value)
    assert HANGUL.search(caption) and "학습 행 100개" in caption
    assert run.model.classes[chosen] in caption


def test_few_features_give_exact_points_equal_to_a_brute_force_sum():
    """Check that an upload with four features shows exact points equal to a brute-force
    Shapley sum over every subset, on the background the engine states."""
    frame = synthetic_binary(n=600)
    data = to_csv_bytes(frame)
    run = explain_file(data, name="patients.csv")
    assert len(run.model.spec.names) <= 8
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state[PENDING_UPLOAD_KEY] = ("patients.csv", data)
    position = _open_local(at, run)
    probability = float(_booster_probabilities(run.model, run.dataset.X.iloc[[position]])[0])
    assert at.metric[0].value == f"{100 * probability:.1f}%"  # the app trained the same model
    at.segmented_control(key="w_local_units_binary").set_value("shapley").run()
    _assert_clean(at)
    stated = probability_shap(
        run.model,
        run.dataset,
        [position],
        background_rows=PROBABILITY_BACKGROUND_ROWS,
        seed=SEED,
    )
    assert stated.method == "exact-enumeration"
    base, phi = _brute_force_shapley(run.model, run.dataset.X, position, stated.background)
    spec = _waterfall(at)
    x = _array(spec["data"][0]["x"])
    order = np.argsort(-np.abs(phi), kind="stable")
    # to float32 rounding of the booster's probabilities (in percent)
    assert x[0] == pytest.approx(100 * base, abs=1e-4)
    np.testing.assert_allclose(x[1:-1], 100 * phi[order], atol=1e-4)
    assert x[-1] == pytest.approx(100 * probability, abs=1e-4)
    assert len(spec["data"]) == 1  # exact: no error bars
    captions = " ".join(c.value for c in at.caption)
    assert f"exact over all {2 ** len(phi)} feature subsets" in captions


def test_regression_has_no_units_control():
    """Check that a regression sample's Local page offers no choice of units."""
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = "diabetes"
    at.run()
    at.switch_page(LOCAL).run()
    _assert_clean(at)
    assert [c.key for c in at.segmented_control] == ["w_row_mode"]
    assert _waterfall(at)["data"][0]["type"] == "waterfall"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_summary_says_which_points_it_quotes(lang):
    """Check that the summary names its kind of points, and says nothing of it when untold."""
    drivers = [Driver("age", 61.0, None, 0.12), Driver("sex", "male", None, -0.03)]
    path = summarize(
        Facts("binary", "disease", 0.6, 0.51, drivers, label="yes", points="path"), lang
    )
    shapley = summarize(
        Facts("binary", "disease", 0.6, 0.51, drivers, label="yes", points="shapley"), lang
    )
    untold = summarize(Facts("binary", "disease", 0.6, 0.51, drivers, label="yes"), lang)
    assert path.startswith(untold) and shapley.startswith(untold)
    assert path.endswith(translate(lang, "narrative.points_path"))
    assert shapley.endswith(translate(lang, "narrative.points_shapley"))
    assert ("SHAP" in path) and ("섀플리" in shapley if lang == "ko" else "Shapley" in shapley)
