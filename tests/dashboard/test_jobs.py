"""Background jobs: result, stop, failure, and a dropped cache entry stopping its job."""

from __future__ import annotations

import logging
import sys
import threading
import time

import pytest

from dashboard import jobs, result_cache


def _steps(n: int, gate: threading.Event | None = None):
    """Work that reports ``n`` steps (waiting on ``gate`` after the first) and returns n."""

    def work(progress):
        for i in range(n):
            progress(i + 1, n, "shap")
            if gate is not None:
                gate.wait(5)
        return n

    return work


def test_job_returns_its_result_and_reports_progress():
    """Check that the result, the last progress and on_done are there when wait returns."""
    seen = []
    job = jobs.start("t", _steps(7), on_done=lambda j: seen.append(j.result))
    assert job.wait(10)
    assert job.succeeded and not job.running and job.result == 7
    assert (job.done, job.total) == (7, 7)
    assert seen == [7]


def test_cancel_stops_the_work_at_its_next_report():
    """Check that a stopped job ends without a result and never reaches its last step."""
    gate = threading.Event()
    job = jobs.start("t", _steps(1000, gate))
    job.cancel()
    gate.set()
    assert job.wait(10)
    assert job.cancelled and not job.succeeded and job.result is None
    assert job.done < 1000


def test_failure_is_kept_and_only_its_type_is_logged(caplog):
    """Check that an error is kept for the page and its message (data) is not logged."""
    marker = "patient-7731-secret"

    def work(progress):
        raise ValueError(marker)

    with caplog.at_level(logging.DEBUG):
        job = jobs.start("t", work)
        assert job.wait(10)
    assert isinstance(job.error, ValueError) and not job.succeeded
    assert "ValueError" in caplog.text and marker not in caplog.text


def test_dropped_cache_entry_stops_its_job():
    """Check that releasing a slot (session over, or evicted) stops its background job."""
    gate = threading.Event()
    slot = result_cache.Slot()
    slot.job = jobs.start("t", _steps(1000, gate))
    result_cache.release(slot)
    gate.set()
    assert slot.job.wait(10) and slot.job.cancelled and slot.job.result is None


def _nice(tid: int) -> int:
    """A thread's nice value as the kernel reports it (/proc), read independently."""
    with open(f"/proc/self/task/{tid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[16])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_a_job_and_the_threads_it_starts_run_at_lower_priority():
    """Check that a job's thread is niced JOB_NICENESS steps below the caller, that a thread it
    starts (as OpenMP starts XGBoost's workers) inherits that, and the caller is unchanged."""
    caller = _nice(threading.get_native_id())
    seen: dict[str, int] = {}

    def work(progress):
        seen["job"] = _nice(threading.get_native_id())
        child = threading.Thread(target=lambda: seen.update(child=_nice(threading.get_native_id())))
        child.start()
        child.join()
        return 1

    job = jobs.start("nice", work)
    assert job.wait(10) and job.succeeded
    expected = min(caller + jobs.JOB_NICENESS, 19)
    assert seen == {"job": expected, "child": expected}
    assert _nice(threading.get_native_id()) == caller


def _report_after(seconds: float, reported: threading.Event | None = None):
    """Work that reports (the first report starts its clock), works ``seconds``, reports
    again (setting ``reported``) and returns the time that report returned."""

    def work(progress):
        progress(0, 1, "shap")
        time.sleep(seconds)
        if reported is not None:
            reported.set()
        progress(1, 1, "shap")
        return time.monotonic()

    return work


def test_a_background_job_waits_while_a_page_runs_and_the_browser_draws(monkeypatch):
    """Check that a background job's report during a page run waits until the run ended
    and PAGE_GRACE_SECONDS more, while a foreground job (one a page waits on) goes on."""
    monkeypatch.setattr(jobs, "PAGE_HOLD_SECONDS", 10.0)  # the run's age is not the test
    monkeypatch.setattr(jobs, "HOLD_START_SECONDS", 0.0)  # it waits on what it earned
    with jobs.page_run():
        background = jobs.start("t", _report_after(2.0))
        foreground = jobs.start("f", _report_after(2.0), lower=False)
        assert foreground.wait(10)
        time.sleep(0.2)
        ended = time.monotonic()
    assert background.wait(10)
    assert foreground.result < ended
    assert background.result >= ended + 0.9 * jobs.PAGE_GRACE_SECONDS


def test_a_page_run_for_a_remote_browser_holds_no_job(monkeypatch):
    """Check that a page run marked as for a browser on another machine does not hold a
    background job (its drawing takes no CPU on the server), where the same run for a local
    browser holds the job's next report for about as long as the job had worked."""
    monkeypatch.setattr(jobs, "PAGE_HOLD_SECONDS", 10.0)
    monkeypatch.setattr(jobs, "HOLD_START_SECONDS", 0.0)

    def work(progress):
        progress(0, 1, "shap")  # the job's clock starts
        time.sleep(0.5)
        asked = time.monotonic()
        progress(1, 1, "shap")  # held here while a local page run is in flight
        return time.monotonic() - asked

    held = {}
    for local in (True, False):
        with jobs.page_run(local=local):
            job = jobs.start("t", work)
            assert job.wait(10)
        held[local] = job.result
    assert held[True] >= 0.35 and held[False] < 0.15, held


@pytest.mark.parametrize(
    ("remote_ip", "local"),
    [
        (None, True),  # Streamlit's value for a connection through localhost
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),  # IPv4 loopback on a dual-stack socket
        ("10.1.2.3", False),
        ("192.168.0.20", False),
        ("2001:db8::7", False),
        ("fe80::1%eth0", False),
        ("::ffff:10.0.0.4", False),
        ("not an address", True),  # unknown: the side that holds, as before
        (object(), True),  # no client (a test harness's stand-in)
    ],
)
def test_a_browser_is_on_this_machine_only_for_loopback_addresses(remote_ip, local):
    """Check which client addresses count as a browser on the server's own machine."""
    assert jobs.browser_on_this_machine(remote_ip) is local


def _timed_reports(works: list[float]):
    """Work that reports, then for each of ``works`` works that long and reports again;
    returns how long each report held it."""

    def work(progress):
        held = []
        for seconds in [0.0, *works]:
            time.sleep(seconds)
            asked = time.monotonic()
            progress(0, 1, "shap")
            held.append(time.monotonic() - asked)
        return held

    return work


def test_a_job_waits_as_long_as_it_worked_at_most(monkeypatch):
    """Check that however busy the pages are, a job waits no longer than its start credit
    plus the time it worked, and saves up at most HOLD_CREDIT_SECONDS of waiting (so it
    keeps at least half its time)."""
    monkeypatch.setattr(jobs, "PAGE_HOLD_SECONDS", 10.0)  # every report falls in the run
    monkeypatch.setattr(jobs, "HOLD_START_SECONDS", 0.2)
    monkeypatch.setattr(jobs, "HOLD_CREDIT_SECONDS", 0.4)
    with jobs.page_run():  # in flight for the whole test: the job is held whenever allowed
        job = jobs.start("t", _timed_reports([0.3, 1.0]))
        assert job.wait(10)
    start, earned, capped = job.result
    assert 0.18 <= start < 0.45  # its start credit
    assert 0.28 <= earned < 0.55  # as long as it worked
    assert 0.38 <= capped < 0.65  # worked 1.0 s, but kept at most 0.4 s of credit


def test_a_job_saves_its_credit_for_a_quick_series_of_page_runs(monkeypatch):
    """Check that a job that worked while no page ran waits through each of several page
    runs in a row (and their grace), not only through the first."""
    monkeypatch.setattr(jobs, "HOLD_START_SECONDS", 0.0)
    monkeypatch.setattr(jobs, "PAGE_GRACE_SECONDS", 0.1)
    go, done = threading.Event(), threading.Event()

    def work(progress):
        progress(0, 1, "shap")
        time.sleep(1.5)  # earns 1.5 s of waiting; no page runs meanwhile
        go.set()
        held = 0.0
        while not done.is_set():  # a step of 0.02 s, then a report
            time.sleep(0.02)
            asked = time.monotonic()
            progress(0, 1, "shap")
            held += time.monotonic() - asked
        return held

    job = jobs.start("t", work)
    assert go.wait(10)
    for _ in range(3):  # three page runs of 0.4 s, 0.15 s apart (longer than the grace)
        with jobs.page_run():
            time.sleep(0.4)
        time.sleep(0.15)
    done.set()
    assert job.wait(10)
    # Held through each run and its grace: about 1.45 s in all. Waiting only as long as it
    # worked since it last waited, it would wait through the first run, then half of each
    # later one (a step's wait after each step): about 1.0 s.
    assert job.result >= 1.25, job.result


def test_a_long_page_run_stops_holding_jobs_back(monkeypatch):
    """Check that a page run holds jobs back only for its first PAGE_HOLD_SECONDS (a
    longer run may itself wait for the job)."""
    monkeypatch.setattr(jobs, "PAGE_HOLD_SECONDS", 0.6)
    monkeypatch.setattr(jobs, "HOLD_START_SECONDS", 0.0)  # its first report goes on
    with jobs.page_run():
        began = time.monotonic()
        job = jobs.start("t", _report_after(1.0))
        assert job.wait(10)
    assert job.result - began < 1.5  # reported at about 1.0 s, not held (else 2.0 s)


def test_no_job_waits_while_a_work_slot_is_wanted():
    """Check that while a thread waits for a work slot (which a held job may keep), jobs do
    not wait for page runs."""
    slots = jobs.WorkSlots(1)
    reported = threading.Event()
    with jobs.page_run():
        with slots:
            waiter = threading.Thread(target=lambda: slots.__enter__() and slots.__exit__())
            waiter.start()
            while not slots.wanted:
                time.sleep(0.01)
            job = jobs.start("t", _report_after(1.5, reported))
            assert reported.wait(10)
            at = time.monotonic()
            assert job.wait(10)
            assert job.result - at < 0.7  # not held (else about 1.5 s): a slot is wanted
        waiter.join(10)
    assert not slots.wanted
    jobs._all_slots.remove(slots)


def test_a_job_stopped_while_held_back_ends_at_once(monkeypatch):
    """Check that Stop does not wait for the page run to end."""
    monkeypatch.setattr(jobs, "HOLD_START_SECONDS", 0.0)  # held at its second report
    reported = threading.Event()
    with jobs.page_run():
        job = jobs.start("t", _report_after(1.0, reported))
        assert reported.wait(10)
        while job.done != 1:  # the report is held
            time.sleep(0.01)
        stopped = time.monotonic()
        job.cancel()
        assert job.wait(1.0)
        assert time.monotonic() - stopped < 0.5
    assert job.cancelled and job.result is None
