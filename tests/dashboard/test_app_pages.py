"""Every page of the app under Streamlit's AppTest, with a bundled sample and with an upload."""

from __future__ import annotations

import base64
import io
import json
import re
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from synthetic_tables import synthetic_binary, to_csv_bytes

from dashboard import jobs
from dashboard.state import PENDING_UPLOAD_KEY
from sample_data import load_sample_bytes

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGES = [
    "views/data.py",
    "views/model.py",
    "views/global_explanations.py",
    "views/local_explanations.py",
    "views/what_if.py",
    "views/audit.py",
    "views/export.py",
]
TIMEOUT = 240
HANGUL = re.compile(r"[가-힣]")


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def _texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in (
            "markdown",
            "caption",
            "title",
            "subheader",
            "info",
            "error",
            "warning",
            "success",
        )
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def _assert_clean(at: AppTest, page: str) -> None:
    assert not at.exception, f"{page}: {[e.value for e in at.exception]}"
    assert not at.error, f"{page}: {[e.value for e in at.error]}"


def _array(value):
    """A plotly figure array from its JSON form (a list, or plotly's base64 typed array)."""
    import numpy as np

    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value)


def _charts(at: AppTest) -> list:
    return at.main.get("plotly_chart")


@pytest.mark.parametrize("sample", ["breast_cancer", "diabetes", "triage"])
def test_deep_link_opens_global_page_and_every_page_runs(sample):
    """Check that ?sample= opens the Global page with charts, and every page runs cleanly."""
    at = _app(sample=sample).run()
    _assert_clean(at, "deep link")
    assert at.title[0].value == "Global explanations"
    assert len(_charts(at)) >= 3  # importance, beeswarm, dependence (+ heatmap)
    frame = pd.read_csv(io.BytesIO(load_sample_bytes(sample)))  # the reference: pandas
    complete = not frame.isna().any().any()
    for page in PAGES:
        at.switch_page(page).run()
        _assert_clean(at, page)
        assert at.title, page
        if page == "views/data.py":  # a chart of zero bars for a complete table says less
            titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in _charts(at)]
            said = any("**Missing values:** none" in s.value for s in at.success)
            assert said is complete and ("Missing values" in titles) is not complete, titles


def test_uploaded_csv_is_trained_without_clicks_and_target_guessed():
    """Check that an upload trains at once and says which target it guessed."""
    frame = synthetic_binary(n=600)
    at = _app()
    at.session_state[PENDING_UPLOAD_KEY] = ("patients.csv", to_csv_bytes(frame))
    at.run()
    _assert_clean(at, "data")
    assert "outcome" in _texts(at)
    at.switch_page("views/model.py").run()
    _assert_clean(at, "model")
    labels = {m.label for m in at.metric}
    assert {"AUC", "Accuracy"} <= labels, labels
    auc = next(m for m in at.metric if m.label == "AUC")
    assert float(auc.value) > 0.75  # x_strong drives the outcome: a real model, not chance
    at.switch_page("views/global_explanations.py").run()
    _assert_clean(at, "global")
    assert len(_charts(at)) >= 3
    for page in PAGES[3:]:
        at.switch_page(page).run()
        _assert_clean(at, page)


def test_bad_upload_shows_a_translated_message_not_a_traceback():
    """Check that a PNG named .csv gives the engine's message in Korean, and nothing crashes."""
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    at = _app(lang="ko")
    at.session_state[PENDING_UPLOAD_KEY] = ("scan.csv", png)
    at.run()
    assert not at.exception
    messages = [e.value for e in at.error]
    assert messages, "no error shown for a binary file"
    assert HANGUL.search(messages[0]), messages[0]
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception, page


def test_a_named_outcome_that_cannot_train_is_offered_first_to_fix():
    """Check that when the guessed outcome stops with its reason (a class of one row), the
    page says so, names the column, and its target picker starts on that column."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "age": rng.integers(20, 80, 200),
            "bmi": rng.normal(27, 4, 200).round(1),
            "outcome": ["yes"] + ["no"] * 199,
        }
    )
    at = _app()
    at.session_state[PENDING_UPLOAD_KEY] = ("rare.csv", to_csv_bytes(frame))
    at.run()
    assert not at.exception
    assert any("outcome" in e.value and "1 row" in e.value for e in at.error), at.error
    picker = next(s for s in at.selectbox if s.label.startswith("Target"))
    assert picker.value == "outcome"


def test_korean_deep_link_translates_the_page():
    """Check that ?lang=ko shows the Global page in Korean."""
    at = _app(sample="heart_disease", lang="ko").run()
    _assert_clean(at, "global/ko")
    assert HANGUL.search(at.title[0].value), at.title[0].value
    assert HANGUL.search(_texts(at))


def test_export_page_offers_every_download():
    """Check that the Export page offers SHAP values, model, metrics, report and charts."""
    at = _app(sample="breast_cancer").run()
    at.switch_page("views/export.py").run()
    _assert_clean(at, "export")
    keys = {b.key for b in at.get("download_button")}
    assert {
        "dl_shap_csv",
        "dl_shap_parquet",
        "dl_model",
        "dl_metrics_json",
        "dl_metrics_csv",
        "dl_report",
    } <= keys, keys
    assert sum(k.startswith("dl_chart_") for k in keys) >= 6  # 2 global + 4 model charts


def test_local_page_row_switch_updates_without_retraining(monkeypatch):
    """Check that choosing another row on the Local page reruns cleanly and keeps the model,
    and that its run holds background jobs back (``jobs.page_run``) unless the browser is
    on another machine."""
    at = _app(sample="breast_cancer").run()
    at.switch_page("views/local_explanations.py").run()
    _assert_clean(at, "local")
    before = _texts(at)
    held = []
    real = jobs.page_run

    @contextmanager
    def counted(*, local=True):
        held.append(local)  # AppTest has no client address: the browser counts as local
        with real(local=local):
            yield

    monkeypatch.setattr(jobs, "page_run", counted)
    number = at.number_input(key="w_row_number")
    number.set_value(int(number.value) + 1).run()
    _assert_clean(at, "local after row change")
    assert len(held) >= 3 and all(held)  # the app's frame, the page and its row fragment
    held.clear()
    monkeypatch.setattr(jobs, "browser_on_this_machine", lambda remote_ip: False)
    number.set_value(int(number.value) + 1).run()  # a browser on another machine
    assert held and not any(held)
    assert _texts(at) != before
    assert not at.get("progress")  # cached: no training bar on reruns


def test_what_if_keeps_a_missing_value_missing_until_edited():
    """Check that an unedited row with a missing value predicts as before on the What-if page."""
    at = _app(sample="heart_disease").run()
    at.switch_page("views/what_if.py").run()
    at.number_input(key="w_row_number").set_value(8).run()  # cholesterol is missing in row 8
    _assert_clean(at, "what-if")
    original, new = at.metric[-2], at.metric[-1]
    assert new.value == original.value, (original.value, new.value)
    keep = [c for c in at.checkbox if c.key and c.key.endswith("_na")]
    assert keep and all(c.value for c in keep)
    keep[0].uncheck().run()  # now the slider's value (the median) is used instead
    _assert_clean(at, "what-if edited")
    assert at.metric[-1].value != original.value or at.dataframe


def _uploaded_model_app(frame, model_bytes: bytes, name: str = "model.json", **query) -> AppTest:
    from dashboard.state import ModelFile

    at = _app(**query)
    at.session_state[PENDING_UPLOAD_KEY] = ("patients.csv", to_csv_bytes(frame))
    at.session_state["xai_model_file"] = ModelFile(name, name + str(len(model_bytes)), model_bytes)
    return at


def test_uploaded_model_is_explained_on_every_page():
    """Check that a model trained elsewhere (XGBoost JSON) is explained, not retrained."""
    import numpy as np
    import xgboost as xgb

    frame = synthetic_binary(n=600).drop(columns=["record_id", "colour"])
    X, y = frame.drop(columns="outcome"), (frame["outcome"] == "yes").astype(int)
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 3, "seed": 1},
        xgb.DMatrix(X, label=y),
        num_boost_round=25,
    )
    at = _uploaded_model_app(frame, bytes(booster.save_raw("json")))
    at.run()
    _assert_clean(at, "data")
    at.switch_page("views/model.py").run()
    _assert_clean(at, "model")
    assert any("uploaded" in i.value for i in at.info)
    assert not at.get("form")  # no retraining form for an uploaded model
    at.switch_page("views/global_explanations.py").run()
    _assert_clean(at, "global")
    expected = np.abs(booster.predict(xgb.DMatrix(X), pred_contribs=True)[:, :-1]).mean(axis=0)
    importance = json.loads(_charts(at)[0].proto.spec)["data"][0]
    np.testing.assert_allclose(_array(importance["x"]), np.sort(expected)[::-1], rtol=1e-4)
    assert list(importance["customdata"]) == [X.columns[i] for i in np.argsort(-expected)]
    for page in PAGES[3:]:
        at.switch_page(page).run()
        _assert_clean(at, page)


def test_pickle_renamed_json_is_refused_with_a_translated_message():
    """Check that a pickle uploaded as a model is refused, in Korean, and never opened."""
    import pickle

    frame = synthetic_binary(n=300)
    at = _uploaded_model_app(frame, pickle.dumps({"not": "a model"}), lang="ko")
    at.run()
    assert not at.exception
    messages = " ".join(e.value for e in at.error)
    assert "pickle" in messages.lower() and HANGUL.search(messages), messages


def test_uploaded_model_target_can_be_chosen():
    """Check that with an uploaded model the user can pick the target among unused columns."""
    import numpy as np
    import pandas as pd
    import xgboost as xgb

    rng = np.random.default_rng(4)
    n = 800
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    frame["died"] = (frame["a"] + rng.normal(0, 0.3, n) > 0).astype(int)
    frame["readmitted"] = rng.integers(0, 2, n)  # last column: what a guess would take
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 3, "seed": 1},
        xgb.DMatrix(frame[["a", "b"]], label=frame["died"]),
        num_boost_round=30,
    )
    at = _uploaded_model_app(frame, bytes(booster.save_raw("json")))
    at.run()
    _assert_clean(at, "data")
    choice = at.selectbox(key="w_model_target")
    assert set(choice.options) == {"died", "readmitted"}
    choice.select("died").run()
    _assert_clean(at, "data, target chosen")
    at.switch_page("views/model.py").run()
    auc = next(m for m in at.metric if m.label == "AUC")
    assert float(auc.value) > 0.9  # the model's own target: a (random-free) strong fit


def _sidebar_slots(at: AppTest) -> list[str]:
    """What each top-level place of the sidebar holds: a block's key or an element's type."""
    slots = []
    for _, node in sorted(at.sidebar.children.items()):
        proto = getattr(node, "proto", None)
        key = str(getattr(proto, "id", "")).rsplit("-", 1)[-1] if proto is not None else ""
        slots.append(key if key == "chart_preload" else getattr(node, "type", type(node).__name__))
    return slots


def test_the_chart_code_is_preloaded_once_per_session_out_of_sight():
    """Check that the first run of a session draws one hidden chart of each kind in the
    sidebar (the browser loads plotly's code while the user chooses a table), hidden by its
    style, and that later runs draw them no more."""
    at = _app()
    at.run()
    _assert_clean(at, "data")
    hidden = at.sidebar.get("plotly_chart")
    assert len(hidden) == 1 and not _charts(at)
    assert len(at.sidebar.get("bidi_component")) == 1  # the kept charts' plotly.js
    styles = " ".join(h.proto.body for h in at.get("html"))  # styles go to the page at large
    assert ".st-key-chart_preload{display:none}" in styles
    first = _sidebar_slots(at)
    at.run()
    assert not at.sidebar.get("plotly_chart") and not _charts(at)
    assert not at.sidebar.get("bidi_component")
    # every element below it keeps its place (no stale copy shown while a run draws)
    later = _sidebar_slots(at)
    assert (
        len(later) == len(first)
        and later[first.index("chart_preload") + 1 :] == first[first.index("chart_preload") + 1 :]
    )
