"""Background jobs: long work that runs outside a page run, so the page stays usable.

A page run is stopped whenever the user touches a widget, so work that takes
longer than a click (exact SHAP values of every row of a large upload) runs in
a thread of its own. The job records its progress; pages poll it and switch to
its result when it is done. Stopping is cooperative: the work's progress
callback raises :class:`JobCancelled` at its next report.

On Linux a job's thread lowers its own CPU priority (``nice`` +10) before it works, and the
threads it starts (XGBoost's OpenMP workers) inherit it: a page run of the server comes
before the job. That does not reach the browser: where the kernel groups processes by
session (autogroup, on by default in common Linux kernels), a niced thread of the server
still takes its session's full share against the browser's session. So a job also waits,
at each progress report, while a page run is in flight (:func:`page_run`) and for a moment
after it, while the browser draws what the run sent: the work of a click comes first,
whatever the operating system, and the job goes on once the user reads. Only the runs of a
browser on the server's own machine hold jobs (:func:`browser_on_this_machine`): a remote
browser draws on its own CPU.

Nothing here knows what the work is (``services`` hands the engine call in).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

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


PAGE_HOLD_SECONDS = 2.0
"""A page run holds background jobs back for at most its first this many seconds: a longer
run is busy with work of its own (or waits for a job) and shares the CPU as usual."""
PAGE_GRACE_SECONDS = 0.5
"""Background jobs also wait this long after a page run ended: the browser is drawing."""
HOLD_CREDIT_SECONDS = 10.0
"""A background job earns a second of waiting for page runs for each second it works and
keeps at most this many: after a quiet spell it waits through this long of quick clicks
without getting in their way, and over any longer stretch it keeps at least half its time."""
HOLD_START_SECONDS = PAGE_HOLD_SECONDS + PAGE_GRACE_SECONDS
"""The waiting a job may do before it earned any: one page run's hold (a job starts as a
page shows its first view, which the user then reads and clicks through)."""
_HOLD_POLL_SECONDS = 0.02


class _PageRuns:
    """The page runs in flight in this process (every session's) and when the last ended."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started: dict[int, float] = {}
        self._next = 0
        self._ended = float("-inf")

    def begin(self) -> int:
        with self._lock:
            self._next += 1
            self._started[self._next] = time.monotonic()
            return self._next

    def end(self, token: int) -> None:
        with self._lock:
            self._started.pop(token, None)
            self._ended = time.monotonic()

    def hold(self) -> float:
        """Seconds background work should still wait (0 when it may go on)."""
        now = time.monotonic()
        with self._lock:
            starts = list(self._started.values())
            ended = self._ended
        wait = max(
            [ended + PAGE_GRACE_SECONDS - now] + [t + PAGE_HOLD_SECONDS - now for t in starts]
        )
        return max(wait, 0.0)


_pages = _PageRuns()
_all_slots: list[WorkSlots] = []


class WorkSlots:
    """A bounded semaphore (``with slots:``) that knows whether a thread waits for a slot:
    while one does, background jobs do not wait for page runs (a held job would keep the
    slot a page run, or the work it waits on, is queued for)."""

    def __init__(self, slots: int) -> None:
        self._semaphore = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._waiting = 0
        _all_slots.append(self)

    @property
    def wanted(self) -> bool:
        """True while some thread waits for a slot."""
        return self._waiting > 0

    def __enter__(self) -> WorkSlots:
        with self._lock:
            self._waiting += 1
        try:
            self._semaphore.acquire()
        finally:
            with self._lock:
                self._waiting -= 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._semaphore.release()


def _hold() -> float:
    """Seconds a background job should still wait for the pages (0 while a slot is wanted)."""
    if any(slots.wanted for slots in _all_slots):
        return 0.0
    return _pages.hold()


def browser_on_this_machine(remote_ip: object) -> bool:
    """True unless ``remote_ip`` (a session's client address as Streamlit reports it: None
    for a local connection) is an address of another machine. Anything that is not an
    address (no client, a test harness) counts as this machine, the side that holds jobs."""
    if not isinstance(remote_ip, str):
        return True
    try:
        address = ipaddress.ip_address(remote_ip.split("%", 1)[0])
    except ValueError:
        return True
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 from a dual stack
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


@contextmanager
def page_run(*, local: bool = True) -> Iterator[None]:
    """Mark a page run (a script or fragment run a user's action started): background jobs
    wait at their next progress report until it ends (or is :data:`PAGE_HOLD_SECONDS`
    old), and :data:`PAGE_GRACE_SECONDS` more. Runs may nest and overlap. A run for a
    browser on another machine (``local=False``) holds nothing: its drawing takes no CPU
    here, so the jobs of a shared server keep their pace."""
    if not local:
        yield
        return
    token = _pages.begin()
    try:
        yield
    finally:
        _pages.end(token)


class JobCancelled(Exception):
    """Raised inside a job's work by its progress callback once the job was stopped."""


class Job:
    """One piece of work running in a daemon thread, with its progress and outcome."""

    def __init__(self, name: str, *, background: bool = True) -> None:
        self.name = name
        self.background = background
        self.done = 0
        self.total = 0
        self.stage = ""
        self.started = time.monotonic()
        self._last_report: float | None = None  # the end of the last report (or wait)
        self._credit = HOLD_START_SECONDS  # seconds it may still wait for page runs
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
        or stops the work. A background job then waits while pages run (see
        :func:`page_run`), spending the credit it earned by working (see
        :data:`HOLD_CREDIT_SECONDS`), and not while a :class:`WorkSlots` slot is wanted."""
        if self._stop.is_set():
            raise JobCancelled
        self.done, self.total, self.stage = done, total, stage
        if not self.background:
            return
        now = time.monotonic()
        if self._last_report is not None:  # it worked since: earn as much waiting
            self._credit = min(self._credit + now - self._last_report, HOLD_CREDIT_SECONDS)
        limit = now + self._credit
        while (wait := min(_hold(), limit - time.monotonic())) > 0:
            if self._stop.wait(min(wait, _HOLD_POLL_SECONDS)):
                raise JobCancelled
        self._last_report = time.monotonic()
        self._credit = max(self._credit - (self._last_report - now), 0.0)


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
    message (which might quote data). ``lower=False`` keeps the usual CPU priority and
    does not wait for page runs: for work a page is waiting on, not work that only
    follows it.
    """
    job = Job(name, background=lower)

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
