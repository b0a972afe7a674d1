"""The app with a survival (time-to-event) table: offered from the Data page, then every page
checked against scikit-survival and the booster's own outputs, in English and Korean."""

from __future__ import annotations

import base64
import re
import time
from hashlib import sha256
from pathlib import Path

import numpy as np
import page_charts
import pytest
import xgboost as xgb
from sksurv.metrics import concordance_index_censored
from streamlit.testing.v1 import AppTest
from synthetic_tables import synthetic_survival, to_csv_bytes

from dashboard import services
from dashboard.display.narrative import Driver, Facts, summarize
from dashboard.i18n import translate
from dashboard.state import PENDING_UPLOAD_KEY, ModelSettings, Settings, Source

pytestmark = pytest.mark.usefixtures("runs_do_not_hold_jobs")

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
HANGUL = re.compile(r"[가-힣]")
FRAME = synthetic_survival()


def _array(value) -> np.ndarray:
    """A plotly figure array from its JSON form (a list, or plotly's base64 typed array)."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value, dtype=float)


def _figure(at: AppTest, marker: str) -> dict:
    """The first plotly figure on the page whose JSON contains ``marker``."""
    return page_charts.figure_with(at, marker)


def _assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _app(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["lang"] = lang
    at.session_state[PENDING_UPLOAD_KEY] = ("cohort.csv", to_csv_bytes(FRAME))
    return at


_ANALYSES: dict[str, object] = {}


def _analysis(at: AppTest):
    """The app's analysis of the session's table and settings, computed the way the pages
    get it (seeded: the same model), once per module."""
    source, settings = at.session_state["xai_source"], at.session_state["xai_settings"]
    key = f"{source.key}|{settings.key()}"
    if key not in _ANALYSES:
        _ANALYSES[key] = services.run_analysis(source, settings, ModelSettings())
    return _ANALYSES[key]


@pytest.fixture(scope="module")
def survival_app() -> AppTest:
    """The app with the synthetic cohort analysed as survival through the Data page's offer."""
    at = _app()
    at.run()
    _assert_clean(at)
    offer = next(b for b in at.button if b.key == "w_use_survival")
    offer.click().run()
    _assert_clean(at)
    return at


def test_data_page_offers_survival_and_takes_it(survival_app):
    """Check that the follow-up time / death pair is recognised and one click makes the task
    survival with that pair, the time column out of the features."""
    settings = survival_app.session_state["xai_settings"]
    chosen = (settings.task, settings.target, settings.time)
    assert chosen == ("survival", "death", "follow_up_days")
    text = " ".join(m.value for m in survival_app.markdown)
    assert "Event: **death** · follow-up time: **follow\\_up\\_days**" in text
    analysis = _analysis(survival_app)
    assert "follow_up_days" not in analysis.features
    assert set(analysis.features) == {"age_z", "marker", "noise", "stage"}


def test_model_page_c_index_matches_scikit_survival(survival_app):
    """Check that the Model page's C-index is scikit-survival's on the validation rows, scored
    with the booster's own margins, and that the Kaplan–Meier chart has three risk groups."""
    survival_app.switch_page("views/model.py").run()
    _assert_clean(survival_app)
    analysis = _analysis(survival_app)
    valid = analysis.model.valid_index
    X = analysis.dataset.X.iloc[valid][list(analysis.model.spec.names)]
    margin = analysis.model.booster.predict(
        xgb.DMatrix(X, enable_categorical=True), output_margin=True
    )
    time = FRAME["follow_up_days"].to_numpy()[analysis.dataset.row_ids[valid]]
    event = FRAME["death"].to_numpy()[analysis.dataset.row_ids[valid]].astype(bool)
    expected = concordance_index_censored(event, time, margin)[0]
    shown = next(m for m in survival_app.metric if m.label == "C-index").value
    assert float(shown) == pytest.approx(expected, abs=6e-4)
    assert expected > 0.7  # strong known hazards: the model ranks risk well
    km = _figure(survival_app, "Observed survival by predicted risk")
    assert len([t for t in km["data"] if t.get("line", {}).get("shape") == "hv"]) == 3


def test_local_page_reads_relative_hazard_and_curve(survival_app):
    """Check the Local page's relative hazard against exp(margin - bias) from the booster's own
    pred_contribs, and that the row's survival curve is the average patient's raised to it
    (proportional hazards)."""
    survival_app.switch_page("views/local_explanations.py").run()
    _assert_clean(survival_app)
    analysis = _analysis(survival_app)
    row_id = int(survival_app.number_input(key="w_row_number").value)
    position = int(np.searchsorted(analysis.dataset.row_ids, row_id))
    X = analysis.dataset.X.iloc[[position]][list(analysis.model.spec.names)]
    contribs = analysis.model.booster.predict(
        xgb.DMatrix(X, enable_categorical=True), pred_contribs=True
    )[0]
    ratio = float(np.exp(contribs[:-1].sum()))
    shown = next(m for m in survival_app.metric if m.label == "Hazard vs the average patient")
    assert float(shown.value.lstrip("×")) == pytest.approx(ratio, abs=0.006)
    curve = _figure(survival_app, "Predicted chance of no death")
    lines = {t["name"]: _array(t["y"]) for t in curve["data"] if t.get("mode") == "lines"}
    average, patient = lines["Average patient"], lines["This patient"]
    np.testing.assert_allclose(patient, average**ratio, rtol=1e-4, atol=1e-9)  # float32 SHAP
    summary = next(i.value for i in survival_app.info if "average patient" in i.value)
    assert f"×{ratio:.2f}".replace(".", "\\.") in summary  # Markdown-escaped


def test_what_if_edit_changes_the_hazard_as_the_booster_does(survival_app):
    """Check that raising age_z on the What-if page gives the new relative hazard the booster
    gives the edited row."""
    survival_app.switch_page("views/what_if.py").run()
    _assert_clean(survival_app)
    analysis = _analysis(survival_app)
    row_id = int(survival_app.number_input(key="w_row_number").value)
    position = int(np.searchsorted(analysis.dataset.row_ids, row_id))
    editor = next(s for s in survival_app.slider if s.label.replace("\\", "") == "age_z")
    editor.set_value(2.0).run()
    _assert_clean(survival_app)
    X = analysis.dataset.X.iloc[[position]][list(analysis.model.spec.names)].copy()
    X["age_z"] = float(editor.value)
    contribs = analysis.model.booster.predict(
        xgb.DMatrix(X, enable_categorical=True), pred_contribs=True
    )[0]
    ratio = float(np.exp(contribs[:-1].sum()))
    after = next(m for m in survival_app.metric if "after your edits" in m.label)
    assert float(after.value.lstrip("×")) == pytest.approx(ratio, abs=0.006)
    curve = _figure(survival_app, "Predicted chance of no death")
    assert len([t for t in curve["data"] if t.get("mode") == "lines"]) == 3


def test_survival_sample_deep_link_opens_every_page():
    """Check that ?sample=heart_failure_survival opens the bundled survival sample as a
    survival analysis (its time and event, not a guess) and every page draws."""
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = "heart_failure_survival"
    at.run()
    _assert_clean(at)
    settings = at.session_state["xai_settings"]
    chosen = (settings.task, settings.target, settings.time)
    assert chosen == ("survival", "death", "follow_up_days")
    for page in ["model", "local_explanations", "what_if", "audit", "export", "data"]:
        at.switch_page(f"views/{page}.py").run()
        _assert_clean(at)


def test_global_page_in_korean():
    """Check that the survival sample opens in Korean with the log hazard named in Korean
    (one run: AppTest formats a translated selectbox outside the session on a second run)."""
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = "heart_failure_survival"
    at.query_params["lang"] = "ko"
    at.run()
    _assert_clean(at)
    assert [t.value for t in at.title] == ["전체 모델 설명"]
    assert "로그 상대 위험도" in _figure(at, "로그 상대 위험도")["layout"]["title"]["text"]


def test_summary_in_korean_and_english_states_the_hazard():
    """Check the plain-language summary of a Cox prediction: a margin ln 2 above the average
    patient reads x2.00 in both languages, with the survival chances and each driver's factor
    exp(SHAP)."""
    drivers = [
        Driver("age", 72.0, None, float(np.log(1.5))),
        Driver("ejection fraction", 25.0, "%", float(np.log(1.2))),
        Driver("treatment", "active", None, float(np.log(0.8))),
    ]
    facts = Facts(
        "survival",
        "death",
        0.3 + float(np.log(2.0)),
        0.3,
        drivers,
        horizon="700 days",
        survival=0.55,
        average_survival=0.74,
    )
    english = summarize(facts, "en")
    assert "is ×2.00 that of the average patient" in english
    assert "by 700 days: 55% (average patient: 74%)" in english
    assert "age = 72 (×1.50)" in english and "treatment = active (×0.80)" in english
    korean = summarize(facts, "ko")
    assert "평균 환자의 ×2.00" in korean and "55%" in korean and "74%" in korean
    assert HANGUL.search(korean) and "×1.50" in korean


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda f: f.assign(follow_up_days=-f["follow_up_days"]), "negative_time"),
        (lambda f: f.assign(death=0), "no_events"),
        (lambda f: f.assign(death=np.arange(len(f)) % 3), "event_value_needed"),
    ],
)
def test_bad_outcomes_get_a_clear_error_in_the_users_language(lang, change, code):
    """Check that negative times, no events and a three-valued status without an event value
    show the engine's refusal translated on the Data page, with a way to pick again."""
    data = to_csv_bytes(change(FRAME.copy()))
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["lang"] = lang
    at.session_state["xai_source"] = Source("upload", "bad.csv", sha256(data).hexdigest(), data)
    at.session_state["xai_settings"] = Settings(
        target="death", task="survival", time="follow_up_days"
    )
    at.run()  # one run: AppTest formats a translated selectbox outside the session on a second
    assert not at.exception
    messages = [e.value for e in at.error]
    assert len(messages) == 1
    template = translate(lang, f"error.{code}", column="X", event="X", time="X", values="X", n="1")
    opening = re.split(r"\{|\*\*|X", template)[0].strip()
    assert messages[0].startswith(opening[:15]), (messages[0], opening)
    if lang == "ko":
        assert HANGUL.search(messages[0])
    assert translate(lang, "data.target") in [b.label for b in at.selectbox]  # pick again


def test_audit_page_for_survival(survival_app):
    """Check that the survival audit finishes in the background and shows importance, effects,
    cohorts with a C-index column (no error analysis, said in words) and groups."""
    at = survival_app
    at.switch_page("views/audit.py").run()
    for _ in range(100):  # the background job ends; its result shows on a later run
        if len(at.subheader) > 4:
            break
        time.sleep(1)
        at.run()
    _assert_clean(at)
    titles = [s.value for s in at.subheader]
    assert titles[:4] == [
        "Importance with uncertainty",
        "Effects: partial dependence and ICE",
        "Cohorts side by side",
        "Groups",
    ]
    assert any("No error analysis for a survival model" in i.value for i in at.info)
    cohort_table = next(d.value for d in at.dataframe if "C-index" in d.value.columns)
    assert cohort_table["C-index"].notna().all()
