"""Background jobs: result, stop, failure, and a dropped cache entry stopping its job."""

from __future__ import annotations

import logging
import threading

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
