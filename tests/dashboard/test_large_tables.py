"""Large tables: the first view explains a stated sample; exact values follow on request."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from synthetic_tables import synthetic_binary, to_csv_bytes

from dashboard import jobs, services
from dashboard.services import background, pipeline
from dashboard.state import PENDING_UPLOAD_KEY, ModelSettings, Settings, Source
from explainers import DataError, explain_file, sample_rows
from sample_data import load_sample_bytes

pytestmark = pytest.mark.usefixtures("runs_do_not_hold_jobs")

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def small_first_view(monkeypatch):
    """Treat tables over 1,000 rows as large."""
    monkeypatch.setattr(pipeline, "FIRST_VIEW_ROWS", 1000)


def _contribs(analysis, positions):
    """XGBoost's own pred_contribs of dataset rows (the reference)."""
    X = analysis.dataset.X.iloc[positions]
    return analysis.model.booster.predict(analysis.model.dmatrix(X), pred_contribs=True)


def test_sampled_first_view_and_exact_rows(small_first_view):
    """Check the sample's size, and that any row's values equal XGBoost's pred_contribs."""
    source = _sample_source("heart_disease")
    analysis = services.run_analysis(source, Settings(), ModelSettings())
    n = len(analysis.dataset.y)
    assert analysis.shap_is_sample and len(analysis.shap.rows) == 1000 < n
    outside = int(np.setdiff1d(np.arange(n), analysis.shap.rows)[0])
    inside = int(analysis.shap.rows[10])
    for position in (outside, inside):
        row = services.row_shap(analysis, position)
        expected = _contribs(analysis, [position])[0]
        np.testing.assert_allclose(row.values[0, 0], expected[:-1], atol=1e-5)
        assert row.base_values[0, 0] == pytest.approx(expected[-1], abs=1e-5)
    assert len(services.global_shap(analysis)[0].rows) == 1000
    full = services.full_shap(analysis)
    assert len(full.rows) == n
    np.testing.assert_allclose(
        full.values[:, 0, :], _contribs(analysis, np.arange(n))[:, :-1], atol=1e-5
    )
    shap, X = services.global_shap(analysis)
    assert shap is full and len(X) == n


def test_first_view_explains_a_table_whole_up_to_the_limit_and_a_smaller_sample_above():
    """Check the defaults: the 5,000-row heart sample is explained whole at once; an upload of
    6,000 rows gets a sample of FIRST_VIEW_SAMPLE distinct rows,
    each equal to XGBoost's pred_contribs."""
    assert pipeline.FIRST_VIEW_SAMPLE < pipeline.FIRST_VIEW_ROWS == 5_000
    whole = services.run_analysis(_sample_source("heart_disease"), Settings(), ModelSettings())
    assert len(whole.dataset.y) == 5_000 and not whole.shap_is_sample
    data = to_csv_bytes(synthetic_binary(n=6_000))
    upload = Source("upload", "six.csv", hashlib.sha256(data).hexdigest(), data)
    analysis = services.run_analysis(upload, Settings(target="outcome"), ModelSettings())
    rows = analysis.shap.rows
    assert analysis.shap_is_sample and len(rows) == pipeline.FIRST_VIEW_SAMPLE
    assert len(np.unique(rows)) == len(rows) and rows.max() < 6_000
    np.testing.assert_allclose(
        analysis.shap.values[:, 0, :], _contribs(analysis, rows)[:, :-1], atol=1e-5
    )


def test_the_first_view_sample_ranks_the_features_as_every_row_does():
    """Check the size chosen for the first view's sample on the bundled 5,000-row heart table:
    its mean |SHAP| (the first importance chart) puts the top five features in the order
    XGBoost's values of every row put them, each within 5%."""
    run = explain_file(load_sample_bytes("heart_disease"), name="heart_disease.csv", seed=0)
    values = np.abs(run.shap.values[:, 0, :])
    every = values.mean(axis=0)
    picked = sample_rows(len(values), pipeline.FIRST_VIEW_SAMPLE, seed=pipeline.SEED)
    sample = values[picked].mean(axis=0)
    top = np.argsort(-every)[:5]
    assert list(np.argsort(-sample)[:5]) == list(top)
    np.testing.assert_allclose(sample[top], every[top], rtol=0.05)


def _run_until(at, done, seconds=120):
    """Rerun the app (as the page's polling fragment would) until ``done(at)`` or time out."""
    deadline = time.monotonic() + seconds
    while not done(at):
        assert time.monotonic() < deadline, "the background job did not finish"
        time.sleep(0.2)
        at.run()
        assert not at.exception


def _sample_shown(at):
    return any("random sample" in i.value for i in at.info)


def test_global_page_states_the_sample_then_switches_to_every_row(small_first_view):
    """Check that the Global page says it shows a sample, that the exact values of every row
    follow by themselves in the background, and that the page then uses all rows."""
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = "triage"
    at.run()
    assert not at.exception
    notice = " ".join(i.value for i in at.info)
    assert "1,000" in notice and "3,000" in notice, notice
    _run_until(at, lambda at: not _sample_shown(at))
    captions = " ".join(c.value for c in at.caption)
    assert "3,000" in captions


def test_background_job_can_be_stopped_and_started_again(monkeypatch):
    """Check Stop: the job ends without a result, the page says the charts keep the sample
    and offers to start again; started again, its values equal XGBoost's pred_contribs."""
    monkeypatch.setattr(pipeline, "FIRST_VIEW_ROWS", 1001)  # a cache key no other test uses
    monkeypatch.setattr(background, "BACKGROUND_CHUNK_ROWS", 1)  # 3,000 steps: slow enough to stop
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = "triage"
    at.run()
    assert not at.exception
    texts = [p.proto.text for p in at.get("progress")]
    assert any("SHAP values of all 3,000 rows" in text for text in texts), texts
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "of 3,000 computed, in the background" in sidebar, sidebar
    at.button(key="w_full_shap_stop").click().run()
    assert not at.exception
    analysis = _triage_analysis()
    job = services.full_shap_job(analysis, start=False)
    assert job is not None and job.cancelled
    assert "stopped" in " ".join(c.value for c in at.caption)
    assert _sample_shown(at)
    monkeypatch.setattr(background, "BACKGROUND_CHUNK_ROWS", 1000)
    at.button(key="w_full_shap").click().run()  # at once: the stopped job may still be running
    assert services.full_shap_job(analysis, start=False) is not job
    assert job.wait(60) and job.result is None and not job.succeeded
    assert not at.exception
    _run_until(at, lambda at: not _sample_shown(at))
    full, _ = services.global_shap(analysis)
    n = len(analysis.dataset.y)
    assert len(full.rows) == n
    reference = _contribs(analysis, np.arange(n))  # (n, classes, features + 1): multiclass
    np.testing.assert_allclose(full.values, reference[:, :, :-1], atol=1e-5)


def _triage_analysis():
    return services.run_analysis(_sample_source("triage"), Settings(), ModelSettings())


def _sample_source(sample_id):
    data = load_sample_bytes(sample_id)
    return Source("sample", sample_id, hashlib.sha256(data).hexdigest(), data)


def test_export_offers_shap_files_once_every_row_is_computed(monkeypatch):
    """Check that, after a sampled first view, SHAP files are offered only for all rows."""
    monkeypatch.setattr(pipeline, "FIRST_VIEW_ROWS", 300)  # a cache key no other test uses
    monkeypatch.setattr(background, "BACKGROUND_CHUNK_ROWS", 1)  # still running at the first run
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = "triage"
    at.run()
    at.switch_page("views/export.py").run()
    assert not at.exception
    keys = {b.key for b in at.get("download_button")}
    assert "dl_shap_csv" not in keys and "dl_model" in keys
    assert any("every row" in i.value for i in at.info)
    monkeypatch.setattr(background, "BACKGROUND_CHUNK_ROWS", 1000)

    def offered(at):
        return {"dl_shap_csv", "dl_shap_parquet"} <= {b.key for b in at.get("download_button")}

    job = services.full_shap_job(_triage_analysis(), start=False)
    assert job is not None
    job.cancel()  # the one-row steps would take long: stop, and start again in larger ones
    assert job.wait(60)
    at.run()
    at.button(key="w_full_shap").click().run()
    _run_until(at, offered)


def test_failed_background_job_says_why_and_offers_to_start_again(monkeypatch):
    """Check that an engine error in the job shows its translated message on the Global page,
    keeps the sample's charts and offers the button to start again."""
    monkeypatch.setattr(pipeline, "FIRST_VIEW_ROWS", 1002)  # a cache key no other test uses
    real = background.compute_shap

    def failing(*args, **kwargs):
        if "chunk_rows" in kwargs:  # only the background job passes it
            raise DataError("out of memory", code="out_of_memory")
        return real(*args, **kwargs)

    monkeypatch.setattr(background, "compute_shap", failing)
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = "triage"
    at.run()
    job = services.full_shap_job(_triage_analysis(), start=False)
    assert job is not None and job.wait(60) and isinstance(job.error, DataError)
    at.run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "could not be computed" in warning and "memory" in warning, warning
    assert _sample_shown(at)
    assert at.button(key="w_full_shap").label.startswith("Compute all 3,000 rows")


def test_a_new_upload_stops_the_previous_uploads_background_job(monkeypatch):
    """Check that one session runs one background job: uploading another file stops the job
    of the first (its analysis is no longer shown) and starts the new file's."""
    monkeypatch.setattr(pipeline, "FIRST_VIEW_ROWS", 300)
    monkeypatch.setattr(background, "BACKGROUND_CHUNK_ROWS", 1)  # slow enough to be running
    started = []
    real_start = jobs.start

    def recording_start(name, *args, **kwargs):
        job = real_start(name, *args, **kwargs)
        if name == "full-shap":  # not the first view's analysis, which also runs detached
            started.append(job)
        return job

    monkeypatch.setattr(jobs, "start", recording_start)
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state[PENDING_UPLOAD_KEY] = ("first.csv", to_csv_bytes(synthetic_binary(n=900)))
    at.run()
    assert not at.exception and len(started) == 1 and started[0].running
    at.session_state[PENDING_UPLOAD_KEY] = (
        "second.csv",
        to_csv_bytes(synthetic_binary(n=900, seed=5)),
    )
    at.run()
    assert not at.exception and len(started) == 2
    assert started[0].cancelled and started[0].wait(60) and started[0].result is None
    assert not started[1].cancelled
    started[1].cancel()  # do not leave one-row steps running after the test
    assert started[1].wait(60)


def test_a_wide_table_gets_fewer_interaction_rows_or_none(monkeypatch):
    """Check that interaction values are computed on as many rows as fit the memory budget
    (one (f+1)^2 matrix per row): all 500 rows of a narrow table, fewer of a wide one, none
    of a very wide one, where the Global page says so instead of failing."""
    rng = np.random.default_rng(21)
    n, width = 120, 40
    frame = {f"x{i}": rng.normal(size=n) for i in range(width)}
    frame["outcome"] = (frame["x0"] + rng.normal(size=n) > 0).astype(int)
    data = to_csv_bytes(pd.DataFrame(frame))
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state[PENDING_UPLOAD_KEY] = ("wide.csv", data)
    at.run()
    per_row = 12 * (width + 1) ** 2  # every x is a feature
    monkeypatch.setattr(pipeline, "INTERACTION_BYTES", per_row * 60)  # 60 rows fit
    at.switch_page("views/global_explanations.py").run()
    assert not at.exception, [e.message for e in at.exception]
    captions = " ".join(c.value for c in at.caption)
    assert "on 60 rows." in captions, captions
    monkeypatch.setattr(pipeline, "INTERACTION_BYTES", per_row * 10)  # fewer than 50 fit
    at.switch_page("views/local_explanations.py").run()
    at.switch_page("views/global_explanations.py").run()
    assert not at.exception, [e.message for e in at.exception]
    infos = " ".join(i.value for i in at.info)
    assert "not computed for a table this wide (40 features)" in infos, infos


def test_a_wide_table_gets_editors_for_its_most_important_features_and_any_added():
    """Check the What-if page of a 40-feature table: editors for the 24 most important
    features (by the page's own ranking), the others offered to add; an added feature gets
    an editor, and editing it changes its contribution and the prediction."""
    from dashboard.views.what_if import EDITORS

    rng = np.random.default_rng(22)
    n, width = 300, 40
    frame = {f"x{i}": rng.normal(size=n) for i in range(width)}
    signal = sum(frame[f"x{i}"] * (2.0 if i < 2 else 0.5) for i in range(width))
    frame["outcome"] = (signal + rng.normal(size=n) > 0).astype(int)  # every feature counts
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state[PENDING_UPLOAD_KEY] = ("wide.csv", to_csv_bytes(pd.DataFrame(frame)))
    at.run()
    at.switch_page("views/what_if.py").run()
    assert not at.exception, [e.message for e in at.exception]
    editors = [s for s in at.slider if s.key and s.key.startswith("w_edit_")]
    assert len(editors) == EDITORS < width
    (more,) = [m for m in at.multiselect if m.key and m.key.startswith("w_whatif_more_")]
    assert len(more.options) == width - EDITORS
    assert f"most important of {width} features" in " ".join(c.value for c in at.caption)
    added = more.options[0]  # the most important one without an editor
    more.select(added).run()
    assert not at.exception, [e.message for e in at.exception]
    editors = [s for s in at.slider if s.key and s.key.startswith("w_edit_")]
    assert len(editors) == EDITORS + 1
    editor = next(s for s in editors if s.label == added)
    before = at.metric[-1].value
    editor.set_value(editor.max).run()
    changed = at.dataframe[-1].value
    assert added in set(changed.iloc[:, 0]), changed
    assert at.metric[-1].value != before or changed.shape[0] >= 1
