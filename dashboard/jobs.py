"""Background jobs: long work that runs outside a page run, so the page stays usable.

A page run is stopped whenever the user touches a widget, so work that takes
longer than a click (exact SHAP values of every row of a large upload) runs in
a thread of its own. The job records its progress; pages poll it and switch to
its result when it is done. Stopping is cooperative: the work's progress
callback raises :class:`JobCancelled` at its next report.

On Linux a job's thread lowers its own CPU priority (``nice`` +10) before it works, and the
threads it starts (XGBoost's OpenMP workers) inherit it: when the CPU is busy, what a user
clicks (a page run, the browser drawing it) comes before the job, which only takes the
time nobody else wants. Elsewhere jobs run at the usual priority.

Nothing here knows what the work is (``services`` hands the engine call in).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable

from explainers import Progress

_log = logging.getLogger(__name__)


JOB_NICENESS = 10
"""How much a job's thread lowers its CPU priority (Linux ``nice`` steps, 19 the lowest)."""


def lower_priority(steps: int = JOB_NICENESS) -> bool:
    """Lower the calling thread's CPU priority by ``steps`` nice levels (Linux only, where a
    thread has its own; threads it starts afterwards inherit it). True when done."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(current + steps, 19))
    except OSError:  # a sandbox that forbids it: the job runs at the usual priority
        return False
    return True


class JobCancelled(Exception):
    """Raised inside a job's work by its progress callback once the job was stopped."""


class Job:
    """One piece of work running in a daemon thread, with its progress and outcome."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.done = 0
        self.total = 0
        self.stage = ""
        self.started = time.monotonic()
        self.result: object = None
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._finished = threading.Event()

    @property
    def running(self) -> bool:
        """True until the work returned, failed or noticed it was stopped."""
        return not self._finished.is_set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called (the work may still be finishing a chunk)."""
        return self._stop.is_set()

    @property
    def succeeded(self) -> bool:
        """True when the work finished with a result."""
        return self.error is None and self.result is not None  # set when the work returned

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (or ``timeout`` seconds pass); True when it ended."""
        return self._finished.wait(timeout)

    def progress(self, done: int, total: int, stage: str) -> None:
        """The work's progress callback: records ``done`` of ``total`` and the stage's name,
        or stops the work."""
        if self._stop.is_set():
            raise JobCancelled
        self.done, self.total, self.stage = done, total, stage


def start(
    name: str,
    work: Callable[[Progress], object],
    on_done: Callable[[Job], None] | None = None,
    *,
    lower: bool = True,
) -> Job:
    """Run ``work(progress)`` in a daemon thread and return its :class:`Job` at once.

    ``on_done`` is called in that thread when the work ended, however it ended,
    before :meth:`Job.wait` returns. Only an error's type is logged, never its
    message (which might quote data). ``lower=False`` keeps the usual CPU priority:
    for work a page is waiting on, not work that only follows it.
    """
    job = Job(name)

    def run() -> None:
        if lower:
            lower_priority()
        try:
            job.result = work(job.progress)
        except JobCancelled:
            pass
        except Exception as error:  # noqa: BLE001 - any failure: kept for the page to show
            job.error = error
            _log.warning("background job %s failed with %s", name, type(error).__name__)
        finally:
            try:
                if on_done is not None:
                    on_done(job)
            finally:
                job._finished.set()

    threading.Thread(target=run, name=f"xai-job-{name}", daemon=True).start()
    return job
