"""Work a page waits on runs detached: a stopped page run does not throw it away.

The first view's analysis (training, the sampled SHAP values) runs in a thread of its own
(``result_cache.memo_detached``), so a click during training (another page, a widget) no
longer restarts it: the next page run waits for the same work.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from synthetic_tables import synthetic_binary, to_csv_bytes

from dashboard import result_cache
from dashboard.services import pipeline
from dashboard.state import PENDING_UPLOAD_KEY
from dashboard.views import _common
from explainers import DataError

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
pytestmark = pytest.mark.timeout(300)  # a regression here would wait forever: fail instead


class PageStopped(Exception):
    """Stands for Streamlit stopping a page run where it draws (a click)."""


class Answer:
    """A cached value of its own type, as the app's results are."""

    def __init__(self, value: int) -> None:
        self.value = value


@pytest.fixture
def in_app(monkeypatch):
    """The detached path as in a Streamlit session: entries kept per key (one session)."""
    slots: dict[str, result_cache.Slot] = {}
    monkeypatch.setattr(st.runtime, "exists", lambda: True)
    monkeypatch.setattr(
        result_cache, "entry", lambda key, shared: slots.setdefault(key, result_cache.Slot())
    )
    return slots


def _gated(calls: list[str], name: str, gate: threading.Event, value: int = 1):
    """Work that reports progress until ``gate`` is set (or it is stopped), then returns."""

    def work(progress):
        calls.append(name)
        step = 0
        while not gate.wait(0.01):
            step += 1
            progress(step, 1000, "training")
        return Answer(value)

    return work


def test_a_stopped_page_run_leaves_the_work_running_and_the_next_run_waits_for_it(in_app):
    """Check that when the page run stops (its progress bar raises), the work goes on, and the
    next run asking for the same key gets its value without computing it again."""
    calls: list[str] = []
    gate = threading.Event()
    work = _gated(calls, "a", gate, value=7)

    def stopped(done, total, stage):
        raise PageStopped

    with pytest.raises(PageStopped):
        result_cache.memo_detached("k", False, work, Answer, stopped)
    job = in_app["k"].work
    assert job is not None and job.running and not job.cancelled
    seen = []

    def drawn(done, total, stage):
        seen.append((done, stage))
        gate.set()

    answer = result_cache.memo_detached("k", False, work, Answer, drawn)
    assert answer.value == 7 and calls == ["a"]
    assert seen and seen[0][1] == "training" and seen[0][0] >= 1
    again = result_cache.memo_detached("k", False, work, Answer, drawn)
    assert again is answer and calls == ["a"]


def test_new_settings_stop_the_work_the_session_left(in_app):
    """Check that waiting for another key stops the session's earlier work (its settings
    changed), and that the earlier key is computed anew when asked for again."""
    calls: list[str] = []
    first_gate, second_gate = threading.Event(), threading.Event()

    def stopped(done, total, stage):
        raise PageStopped

    with pytest.raises(PageStopped):
        result_cache.memo_detached("old", False, _gated(calls, "old", first_gate), Answer, stopped)
    old_job = in_app["old"].work
    second_gate.set()
    new = result_cache.memo_detached(
        "new", False, _gated(calls, "new", second_gate, 2), Answer, lambda *a: None
    )
    assert new.value == 2
    assert old_job.wait(10) and old_job.cancelled and old_job.result is None
    assert in_app["old"].value is None
    first_gate.set()
    back = result_cache.memo_detached(
        "old", False, _gated(calls, "old", first_gate, 3), Answer, lambda *a: None
    )
    assert back.value == 3 and calls == ["old", "new", "old"]


def test_a_shared_entry_dropped_from_the_cache_still_gives_its_waiter_the_value(in_app):
    """Check that when the cache drops a shared entry while a page waits for its work (other
    sessions filled the cache), the work is not stopped and the waiter gets its value from
    the entry it waited on, computed once; a private entry dropped (its session ended)
    stops its work."""
    calls: list[str] = []
    gate = threading.Event()
    in_app["s"] = result_cache.Slot(shared=True)
    got: list[Answer] = []
    waiter = threading.Thread(
        target=lambda: got.append(
            result_cache.memo_detached("s", True, _gated(calls, "s", gate, 4), Answer, _quiet)
        )
    )
    waiter.start()
    while in_app["s"].work is None:
        threading.Event().wait(0.01)
    dropped = in_app.pop("s")
    result_cache.release(dropped)  # what the cache does to an evicted entry
    assert not dropped.work.cancelled
    gate.set()
    waiter.join(60)
    assert [a.value for a in got] == [4] and calls == ["s"]

    private_gate = threading.Event()
    with pytest.raises(PageStopped):
        result_cache.memo_detached("p", False, _gated(calls, "p", private_gate), Answer, _stop)
    ended = in_app["p"].work
    result_cache.release(in_app.pop("p"))  # the session ended
    assert ended.wait(10) and ended.cancelled and ended.result is None


def test_work_that_ends_without_a_result_is_an_error_not_a_loop(in_app):
    """Check that work returning nothing (not stopped) raises instead of starting again."""
    calls: list[str] = []

    def nothing(progress):
        calls.append("n")

    with pytest.raises(RuntimeError, match="without a result"):
        result_cache.memo_detached("n", False, nothing, Answer, _quiet)
    assert calls == ["n"]


def _quiet(done, total, stage):
    """A progress bar that draws nothing."""


def _stop(done, total, stage):
    raise PageStopped


def test_engine_errors_are_cached_and_faults_are_not(in_app):
    """Check that an engine error is raised and kept (not recomputed), while a fault of the
    work itself is raised and the next run tries again."""
    calls: list[str] = []

    def bad_data(progress):
        calls.append("data")
        progress(0, 1, "training")
        raise DataError("no target", code="no_target")

    for _ in range(2):
        with pytest.raises(DataError):
            result_cache.memo_detached("d", False, bad_data, Answer, lambda *a: None)
    assert calls == ["data"]

    def fault(progress):
        calls.append("fault")
        raise RuntimeError("bug")

    for _ in range(2):
        with pytest.raises(RuntimeError):
            result_cache.memo_detached("f", False, fault, Answer, lambda *a: None)
    assert calls == ["data", "fault", "fault"]


def test_outside_a_session_the_work_runs_inline():
    """Check that scripts and the CLI (no Streamlit session) compute in the calling thread."""
    seen = []

    def work(progress):
        seen.append(threading.current_thread())
        progress(1, 1, "training")
        return Answer(5)

    assert result_cache.memo_detached("x", False, work, Answer, lambda *a: None).value == 5
    assert seen == [threading.current_thread()]


def test_a_rerun_during_training_does_not_train_again(monkeypatch):
    """Check in the app that a page run stopped while the model trains (as a click on another
    page stops it) leaves the training running: the next run shows the analysis, trained
    once. Before, the stop reached the training through its progress bar and aborted it."""
    runs: list[int] = []
    gate = threading.Event()
    real_pipeline = pipeline.run_pipeline

    def slow_pipeline(table, *, progress, **kwargs):
        runs.append(1)
        step = 0
        while not gate.wait(0.02) and step < 3000:  # "training" until the page run stopped
            step += 1
            progress(step, 3000, "training")
        return real_pipeline(table, progress=progress, **kwargs)

    monkeypatch.setattr(pipeline, "run_pipeline", slow_pipeline)
    real_call = _common.ProgressBar.__call__
    stopped = []

    def bar(self, done, total, stage):
        real_call(self, done, total, stage)
        if stage == "training" and not stopped:
            stopped.append(done)
            gate.set()
            st.rerun()  # what a click does to the page run: stop it there

    monkeypatch.setattr(_common.ProgressBar, "__call__", bar)
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state[PENDING_UPLOAD_KEY] = ("t.csv", to_csv_bytes(synthetic_binary(n=900)))
    at.run()
    assert stopped, "the page run was never stopped during training"
    assert not at.exception
    assert runs == [1]
    assert any("trees" in c.value for c in at.sidebar.caption)  # the model is there
