"""The Audit page under Streamlit's AppTest, checked against the engine computed independently."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from streamlit.testing.v1 import AppTest

from dashboard.state import ModelSettings
from explainers import TrainingOptions, permutation_importance_ci, read_table, run_pipeline
from sample_data import load_sample_bytes

pytestmark = pytest.mark.usefixtures("runs_do_not_hold_jobs")

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
TIMEOUT = 300


def _chart(at: AppTest, key_part: str) -> dict:
    """The plotly spec of the chart whose element id mentions ``key_part``."""
    for element in at.main.get("plotly_chart"):
        if key_part in element.proto.id:
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart {key_part}")


def _array(value: object) -> np.ndarray:
    """A plotly figure array from its JSON form (a list, or plotly's base64 typed array)."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value, dtype=float)


def _has_chart(at: AppTest, key_part: str) -> bool:
    return any(key_part in element.proto.id for element in at.main.get("plotly_chart"))


def _run_until_audited(at: AppTest, seconds: float = 240) -> None:
    """Rerun the page (as its polling fragment would) until the background audit is drawn."""
    deadline = time.monotonic() + seconds
    while not _has_chart(at, "audit_permutation_chart"):
        failed = [w.value for w in at.warning if "could not be completed" in w.value]
        assert not failed, failed
        assert time.monotonic() < deadline, (
            "the background audit did not finish: "
            f"{[p.value for p in at.get('progress')]} {[c.value for c in at.caption]}"
        )
        time.sleep(0.3)
        at.run()
        assert not at.exception, [e.value for e in at.exception]


def test_audit_page_runs_in_the_background_and_ranks_like_the_engine():
    """Check that opening the Audit page starts the audit in the background, that the page
    then draws every section, and that its top permutation feature is the engine's."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["sample"] = "heart_disease"
    at.run()
    at.switch_page("views/audit.py").run()
    assert not at.exception, [e.value for e in at.exception]
    _run_until_audited(at)
    assert not at.error, [e.value for e in at.error]
    for key in (
        "audit_permutation_chart",
        "audit_shap_chart",
        "audit_pdp_chart",
        "audit_error_bins_chart",
        "audit_groups_chart",
        "audit_cohort_importance_chart",
        "audit_cohort_dependence_chart",
    ):
        _chart(at, key)
    cohort_table = next(d.value for d in at.dataframe if "Cohort" in d.value.columns)
    at.segmented_control(key="w_cohort_mode").set_value("filter").run()
    at.multiselect(key="w_cohort_values_0_sex").set_value(["female"]).run()
    assert not at.exception, [e.value for e in at.exception]
    custom = next(d.value for d in at.dataframe if "Cohort" in d.value.columns)
    female_rows, all_rows = custom["Rows"]
    bins = _chart(at, "audit_error_bins_chart")["data"][0]
    rates, counts = _array(bins["y"]), _array(bins["customdata"])
    shown = _chart(at, "audit_permutation_chart")["data"][0]["customdata"][0][0]
    at.switch_page("views/export.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("includes the model audit" in c.value for c in at.caption)

    ms = ModelSettings()
    run = run_pipeline(
        read_table(load_sample_bytes("heart_disease"), name="sample.csv"),
        rows=None,
        seed=0,
        options=TrainingOptions(
            n_estimators=ms.n_estimators,
            learning_rate=ms.learning_rate,
            max_depth=ms.max_depth,
            validation_fraction=ms.validation_fraction,
            seed=ms.seed,
        ),
    )
    reference = permutation_importance_ci(run.model, run.dataset, seed=0)
    top = max(reference, key=lambda i: i.mean).feature
    assert shown == run.model.spec.display_names.get(top, top)
    valid = run.model.valid_index
    proba = run.model.predict(run.dataset.X.iloc[valid])
    wrong = float(np.mean(proba.argmax(axis=1) != run.dataset.y[valid]))
    assert counts.sum() == len(valid)  # every validation row in one bin of the feature
    assert float((rates * counts).sum() / counts.sum()) == pytest.approx(wrong)
    sex = run.table.frame["sex"].to_numpy()[run.dataset.row_ids[valid]]
    assert female_rows == f"{int((run.table.frame['sex'] == 'female').sum()):,}"
    assert all_rows == f"{len(run.table.frame):,}"
    by_size = run.table.frame["sex"].value_counts().index  # most frequent first
    assert list(cohort_table["Cohort"]) == [f"sex = {v}" for v in by_size]
    for name, auc in zip(cohort_table["Cohort"], cohort_table["AUC"], strict=True):
        mine = sex == name.removeprefix("sex = ")
        expected = roc_auc_score(run.dataset.y[valid][mine], proba[mine, 1])
        assert float(auc) == pytest.approx(expected, abs=5e-4)  # shown with 3 decimals


def test_audit_can_be_stopped_and_started_again(monkeypatch):
    """Check that Stop ends the background audit (the page says so and offers to start it
    again) and that starting again draws the audit, on a regression sample."""
    from dashboard import result_cache
    from dashboard.services import audit as audit_service

    real = audit_service._compute_core
    calls: list[int] = []

    def held_until_stopped(analysis, progress):
        calls.append(1)
        if len(calls) == 1:
            while True:  # reports progress until the job is stopped (progress then raises)
                progress(0, 4, "permutation")
                time.sleep(0.05)
        return real(analysis, progress)

    monkeypatch.setattr(audit_service, "_compute_core", held_until_stopped)
    result_cache._shared_slot.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["sample"] = "diabetes"
    at.run()
    at.switch_page("views/audit.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not _has_chart(at, "audit_permutation_chart")
    at.button(key="w_audit_stop").click().run()
    deadline = time.monotonic() + 30
    while not any(b.key == "w_audit_run" for b in at.button):
        assert time.monotonic() < deadline, "the stopped audit offered no way to start again"
        time.sleep(0.2)
        at.run()
    assert not _has_chart(at, "audit_permutation_chart")
    at.button(key="w_audit_run").click().run()
    _run_until_audited(at)
    assert len(calls) == 2
    _chart(at, "audit_pdp_chart")


def test_multiclass_effects_follow_the_chosen_class():
    """Check that on a multiclass sample the effect curve shows the probability of the class
    picked (the curves themselves are checked against scikit-learn in the engine's tests)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["sample"] = "triage"
    at.run()
    at.switch_page("views/audit.py").run()
    _run_until_audited(at)
    picker = at.selectbox(key="w_audit_effect_class")
    label = picker.options[-1]
    picker.set_value(len(picker.options) - 1).run()
    assert not at.exception, [e.value for e in at.exception]
    fig = _chart(at, "audit_pdp_chart")
    assert label in fig["layout"]["yaxis"]["title"]["text"]
