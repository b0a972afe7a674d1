"""The app's result cache: one *slot* per key, shared by all sessions or kept in one.

Results are cached with ``st.cache_resource`` (never ``st.cache_data``, which
pickles) under keys :mod:`dashboard.services` makes of content hashes and
settings, bounded by ``max_entries`` and ``ttl``. The cached object is a small
:class:`Slot`; the work runs outside the cached function (so progress bars can be
drawn) under the slot's lock, so two sessions asking for the same key compute it
once. Shared slots hold bundled samples' results; private ones are session-scoped,
dropped when the session ends (stopping any background job they hold).

Work a page waits on may run *detached* (:func:`memo_detached`): in a thread of its
own that outlives the page run, so a click that stops the run (another page, a
widget) does not throw the work away; the next run asking for the same key waits
for the same work.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import jobs
from explainers import ExplainerError, Progress

DETACHED_POLL_SECONDS = 0.2
"""How often a page run waiting on detached work redraws its progress (and so notices a
click that stops it)."""


class Slot:
    """A cache entry: the value (or the engine error) of one key, behind a lock, and the
    background job computing it, if one was started."""

    def __init__(self, *, shared: bool = False) -> None:
        self.shared = shared
        self.lock = threading.Lock()
        self.value: object = None
        self.error: ExplainerError | None = None
        self.job: jobs.Job | None = None
        self.work: jobs.Job | None = None
        """Detached work computing ``value`` (see :func:`memo_detached`), while it runs."""
        self.watchers: set[str] = set()
        """The sessions whose last detached wait was for this entry."""


def release(slot: Slot) -> None:
    """Stop a dropped entry's background job (its session ended, or it was evicted), and a
    private entry's detached work (its session ended). A shared entry's detached work goes
    on: a page of another session may be waiting for it (it holds the entry)."""
    for job in (slot.job, None if slot.shared else slot.work):
        if job is not None:
            job.cancel()


@st.cache_resource(max_entries=24, ttl=6 * 3600, show_spinner=False, on_release=release)
def _shared_slot(key: str) -> Slot:
    return Slot(shared=True)


@st.cache_resource(
    max_entries=12, ttl=3 * 3600, show_spinner=False, scope="session", on_release=release
)
def _private_slot(key: str) -> Slot:
    return Slot()


def entry(key: str, shared: bool) -> Slot:
    """The cache entry of ``key``: shared by all sessions, or this session's own.

    Outside a Streamlit session (a script, a unit test) a private entry is a fresh slot
    each time: private work is never cached then, so it cannot reach anyone else.
    """
    if shared:
        return _shared_slot(key)
    return _private_slot(key) if st.runtime.exists() else Slot()


def memo[T](key: str, shared: bool, compute: Callable[[], T], kind: type[T]) -> T:
    """Return the cached value of ``key``, computing it once (engine errors are cached too).

    ``kind`` is the type ``compute`` returns; a slot holding anything else (a key made
    twice for different things) is computed afresh rather than handed out.
    """
    slot = entry(key, shared)
    with slot.lock:
        if slot.error is not None:
            raise slot.error
        value = slot.value
        if value is None or not isinstance(value, kind):
            try:
                value = compute()
            except ExplainerError as error:
                if not _transient(error):
                    slot.error = error
                raise
            slot.value = value
        return value


def _transient(error: ExplainerError) -> bool:
    """True for failures that depend on the server's load (a model check that ran out of
    time or memory, or whose process could not start): the same input may work later."""
    params = getattr(error, "params", {}) or {}
    return params.get("reason") in {"timeout", "memory", "crashed"}


def peek[T](key: str, shared: bool, kind: type[T]) -> T | None:
    """The cached value of ``key`` if it was computed, without computing it (else None)."""
    value = entry(key, shared).value
    return value if isinstance(value, kind) else None


def start_detached[T](key: str, shared: bool, work: Callable[[Progress], T], kind: type[T]) -> Slot:
    """Start ``work(progress)`` for ``key`` in a thread of its own unless its value (or
    engine error) is cached or the work already runs; return the entry at once.

    The session now waits for ``key``: the detached work it waited for before, on another
    key, is stopped unless another session waits for it too (its settings changed; a
    page switch keeps the key, so it keeps the work). Outside a Streamlit session nothing
    is started (nothing would be kept).
    """
    return _attach(key, shared, work, kind)[0]


def _attach[T](
    key: str, shared: bool, work: Callable[[Progress], T], kind: type[T]
) -> tuple[Slot, jobs.Job | None]:
    """:func:`start_detached`, also returning the work to wait for (None when the value or
    an engine error is cached)."""
    slot = entry(key, shared)
    if not st.runtime.exists():
        return slot, None
    session = _session()
    with slot.lock:
        job = None
        if slot.error is None and not isinstance(slot.value, kind):
            if slot.work is None or not slot.work.running:
                slot.work = jobs.start(
                    "analysis", work, on_done=lambda done: _settle(slot, done, kind), lower=False
                )
            job = slot.work
            slot.watchers.add(session)
    _leave_previous(key, slot, session)
    return slot, job


def _session() -> str:
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else ""


def _settle(slot: Slot, job: jobs.Job, kind: type) -> None:
    """Keep detached work's outcome in its entry (in the work's thread, when it ends); the
    ended job is let go (a failure's traceback holds the work's data)."""
    with slot.lock:
        if isinstance(job.result, kind):
            slot.value = job.result
        elif isinstance(job.error, ExplainerError) and not _transient(job.error):
            slot.error = job.error
        if slot.work is job:
            slot.work = None


def _leave_previous(key: str, slot: Slot, session: str) -> None:
    """Remember that this session waits for ``slot``; stop the work it waited for before
    when nobody else waits for it."""
    mine = entry("detached-wait", False)  # this session's own entry: what it waits for
    previous = mine.value
    if isinstance(previous, tuple) and previous[0] != key:
        old = previous[1]()  # held weakly: a dropped entry is not kept alive here
        if isinstance(old, Slot):
            with old.lock:
                old.watchers.discard(session)
                if not old.watchers and old.work is not None:
                    old.work.cancel()
    mine.value = (key, weakref.ref(slot))


def memo_detached[T](
    key: str, shared: bool, work: Callable[[Progress], T], kind: type[T], progress: Progress
) -> T:
    """:func:`memo` for work a page waits on, run detached (:func:`start_detached`).

    The page run waits, calling ``progress(done, total, stage)`` with the work's progress
    every :data:`DETACHED_POLL_SECONDS`; when Streamlit stops the run there (a click), the
    work goes on. Engine errors are cached as :func:`memo` caches them; any other error
    of the work is raised here (and tried again by the next run). Outside a Streamlit
    session the work runs inline.
    """
    if not st.runtime.exists():
        return memo(key, shared, lambda: work(progress), kind)
    while True:
        slot, job = _attach(key, shared, work, kind)
        if job is not None:
            while True:
                if job.stage:  # the work has said what it does: draw it
                    progress(job.done, job.total, job.stage)
                if job.wait(DETACHED_POLL_SECONDS):
                    break
        with slot.lock:  # the entry waited on, even if the cache has dropped it since
            slot.watchers.discard(_session())
            if slot.error is not None:
                raise slot.error
            if isinstance(slot.value, kind):
                return slot.value
        if job is None:  # nothing cached, nothing started: cannot happen in a session
            raise RuntimeError(f"no work started for {kind.__name__}")
        if job.error is not None:
            raise job.error  # not cached (a fault, or the server's load): the next run retries
        if not job.cancelled:
            raise RuntimeError(f"detached work for {kind.__name__} ended without a result")
        # stopped (by this session's earlier settings, since asked for again): start anew
