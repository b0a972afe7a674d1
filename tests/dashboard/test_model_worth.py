"""The Model page's "is the model worth it?" sections under AppTest, checked against the engine
called directly; and the plain readings they are built from."""

from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from synthetic_tables import synthetic_binary, to_csv_bytes

from dashboard.display.worth import byte_size, is_uneven, learning_trend
from dashboard.i18n import fmt_metric, fmt_number, translate
from dashboard.state import PENDING_UPLOAD_KEY, ModelFile, ModelSettings
from explainers import (
    TrainingOptions,
    compare_baselines,
    read_table,
    run_pipeline,
    tree_curve,
)
from sample_data import load_sample_bytes

pytestmark = pytest.mark.usefixtures("runs_do_not_hold_jobs")

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
TIMEOUT = 300
HANGUL = re.compile(r"[가-힣]")


def _chart(at: AppTest, key_part: str) -> dict:
    """The plotly spec of the chart whose element id mentions ``key_part``."""
    for element in at.main.get("plotly_chart"):
        if key_part in element.proto.id:
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart {key_part}")


def _has_chart(at: AppTest, key_part: str) -> bool:
    return any(key_part in element.proto.id for element in at.main.get("plotly_chart"))


def _array(value: object) -> np.ndarray:
    """A plotly figure array from its JSON form (a list, or plotly's base64 typed array)."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value, dtype=float)


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _model_page(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("views/model.py").run()
    _clean(at)
    return at


def _run_until_charted(at: AppTest, seconds: float = 120) -> None:
    """Rerun the page (as its polling fragment would) until the learning curve is drawn."""
    deadline = time.monotonic() + seconds
    while not _has_chart(at, "worth_learning_chart"):
        assert time.monotonic() < deadline, [p.value for p in at.get("progress")]
        time.sleep(0.3)
        at.run()
        _clean(at)


def _pipeline(sample: str):
    ms = ModelSettings()
    options = TrainingOptions(
        n_estimators=ms.n_estimators,
        learning_rate=ms.learning_rate,
        max_depth=ms.max_depth,
        validation_fraction=ms.validation_fraction,
        seed=ms.seed,
    )
    table = read_table(load_sample_bytes(sample), name="sample.csv")
    return run_pipeline(table, rows=None, seed=0, options=options)


def test_baselines_curves_and_facts_match_the_engine():
    """Check that the baselines table shows compare_baselines' numbers, the verdict box says
    its verdict, the tree curve ends at the page's AUC, the deployment table names the compact
    model, the learning curve computes in the background and ends at the page's AUC, and the
    Export page's report includes the sections."""
    at = _model_page(sample="breast_cancer")
    table = next(d.value for d in at.dataframe if "Metric" in d.value.columns)
    shown_auc = float(next(m for m in at.metric if m.label == "AUC").value)
    tree = _chart(at, "worth_tree_chart")["data"]
    facts = next(d.value for d in at.dataframe if "Fact" in d.value.columns)
    boxes = {kind: [e.value for e in getattr(at, kind)] for kind in ("success", "info", "warning")}
    at.button(key="w_learning_run").click().run()
    _run_until_charted(at)
    learning = _chart(at, "worth_learning_chart")["data"][0]
    at.switch_page("views/export.py").run()
    _clean(at)
    assert any("includes whether the model is worth it" in c.value for c in at.caption)

    run = _pipeline("breast_cancer")
    report = compare_baselines(run.model, run.dataset, seed=0)
    metrics = {b.name: b.metrics for b in report.baselines}
    names = ["auc", "pr_auc", "accuracy", "f1", "log_loss", "brier"]
    assert list(table["Logistic regression"]) == [
        fmt_metric(n, metrics["linear"][n]) for n in names
    ]
    assert list(table["Trivial"]) == [fmt_metric(n, metrics["trivial"][n]) for n in names]
    assert table["XGBoost (this model)"][0] == fmt_metric("auc", report.comparison.xgboost)
    c = report.comparison
    box = {"better": "success", "similar": "info", "worse": "warning"}[c.verdict]
    flip = -1 if c.verdict == "worse" else 1
    low, high = sorted((flip * c.ci_low, flip * c.ci_high))
    expected = translate(
        "en",
        f"worth.verdict_{c.verdict}",
        metric="AUC",
        difference=fmt_number(flip * c.difference, 3),
        low=fmt_number(low, 3),
        high=fmt_number(high, 3),
    )
    assert expected in boxes[box]
    assert _array(tree[0]["y"])[-1] == pytest.approx(shown_auc, abs=5e-4)
    curve = tree_curve(run.model, run.dataset)
    np.testing.assert_allclose(_array(tree[0]["y"]), curve.scores, atol=1e-9)
    assert f"Compact model ({curve.compact_trees} trees)" in facts.columns
    assert list(facts["This model"])[2] == f"{run.model.booster.num_boosted_rounds():,}"
    json_size = len(run.model.booster.save_raw("json"))
    assert list(facts["This model"])[0] == f"{byte_size(json_size)[0]:,.1f} kB"
    assert _array(learning["y"])[-1] == pytest.approx(shown_auc, abs=5e-4)
    assert list(_array(learning["x"])) == [45, 113, 227, 455]  # shares of 455 training rows


def test_learning_curve_can_be_stopped_and_started_again(monkeypatch):
    """Check that Stop ends the learning-curve job (the page says so and offers to start it
    again) and that starting again draws the curve, on a regression sample."""
    from dashboard import result_cache
    from dashboard.services import worth

    real = worth.learning_curve
    calls: list[int] = []

    def held_until_stopped(model, dataset, **options):
        calls.append(1)
        if len(calls) == 1:
            while True:  # reports progress until the job is stopped (progress then raises)
                options["progress"](0, 4, "learning_curve")
                time.sleep(0.05)
        return real(model, dataset, **options)

    monkeypatch.setattr(worth, "learning_curve", held_until_stopped)
    result_cache._shared_slot.clear()
    at = _model_page(sample="diabetes")
    assert any("Change in" in c for d in at.dataframe for c in d.value.columns)
    at.button(key="w_learning_run").click().run()
    at.button(key="w_learning_stop").click().run()
    deadline = time.monotonic() + 30
    while not any(b.key == "w_learning_run" for b in at.button):
        assert time.monotonic() < deadline, "the stopped curve offered no way to start again"
        time.sleep(0.2)
        at.run()
    assert any("was stopped" in c.value for c in at.caption)
    assert not _has_chart(at, "worth_learning_chart")
    at.button(key="w_learning_run").click().run()
    _run_until_charted(at)
    assert len(calls) == 2


def test_uploaded_model_says_why_there_are_no_baselines():
    """Check that an uploaded model gets the reason instead of baselines and a learning
    curve, but still its tree curve (on every labelled row, said so) and deployment facts."""
    import xgboost as xgb

    frame = synthetic_binary(n=400).drop(columns=["record_id", "colour"])
    X, y = frame.drop(columns="outcome"), (frame["outcome"] == "yes").astype(int)
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 3, "seed": 1},
        xgb.DMatrix(X, label=y),
        num_boost_round=20,
    )
    model = bytes(booster.save_raw("json"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[PENDING_UPLOAD_KEY] = ("patients.csv", to_csv_bytes(frame))
    at.session_state["xai_model_file"] = ModelFile("model.json", f"m{len(model)}", model)
    at.run()
    at.switch_page("views/model.py").run()
    _clean(at)
    infos = " ".join(i.value for i in at.info)
    assert "no fair comparison" in infos and "training rows are unknown" in infos
    assert not any("Metric" in d.value.columns for d in at.dataframe)
    assert not any(b.key == "w_learning_run" for b in at.button)
    assert any("every labelled row" in c.value for c in at.caption)
    tree = _chart(at, "worth_tree_chart")["data"][0]
    assert len(_array(tree["y"])) == 20
    facts = next(d.value for d in at.dataframe if "Fact" in d.value.columns)
    assert list(facts["This model"])[0] == f"{byte_size(len(model))[0]:,.1f} kB"


def test_korean_model_page_has_every_key():
    """Check that the Korean Model page draws the new sections in Korean with no key left
    untranslated."""
    at = _model_page(sample="breast_cancer")
    at.query_params["lang"] = "ko"  # one Korean run: AppTest formats widget values in English
    at.run()
    _clean(at)
    texts = [
        e.value
        for kind in ("subheader", "markdown", "caption", "info", "success", "warning")
        for e in getattr(at, kind)
    ]
    assert not [text for text in texts if "worth." in text]
    assert "이 모델이 제값을 하나요?" in texts
    assert all(HANGUL.search(c) for d in at.dataframe for c in d.value.columns)
    title = _chart(at, "worth_tree_chart")["layout"]["title"]["text"]
    assert HANGUL.search(title), title


@pytest.mark.parametrize(
    ("scores", "trend", "uneven"),
    [
        ([0.82, 0.85, 0.86, 0.873], "rising", False),  # +1.5% in the last step
        ([0.98, 0.983, 0.984, 0.985], "flat", False),
        ([0.17, 0.37, 0.26, 0.32], "rising", True),
        ([0.9, float("nan")], None, False),
    ],
)
def test_learning_trend_reads_the_last_step(scores, trend, uneven):
    """Check that the curve "still rises" only when its last step gains more than 1% of the
    final score, and is uneven when a step drops by more than that."""
    assert learning_trend(scores) == trend
    assert is_uneven(scores) is uneven


def test_byte_sizes_use_decimal_units():
    """Check that sizes read in bytes, kilobytes and megabytes (1,000 apart)."""
    assert byte_size(999) == (999.0, "B")
    assert byte_size(402_620) == (402.62, "kB")
    assert byte_size(1_840_675) == (1.840675, "MB")
