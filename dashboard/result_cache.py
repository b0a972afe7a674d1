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

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: object = None
        self.error: ExplainerError | None = None
        self.job: jobs.Job | None = None
        self.work: jobs.Job | None = None
        """Detached work computing ``value`` (see :func:`memo_detached`), while it runs."""
        self.watchers: set[str] = set()
        """The sessions whose last detached wait was for this entry."""


def release(slot: Slot) -> None:
    """Stop a dropped entry's background job and detached work (its session ended, or it
    was evicted)."""
    for job in (slot.job, slot.work):
        if job is not None:
            job.cancel()


@st.cache_resource(max_entries=24, ttl=6 * 3600, show_spinner=False, on_release=release)
def _shared_slot(key: str) -> Slot:
    return Slot()


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
    page switch keeps the key, so it keeps the work).
    """
    slot = entry(key, shared)
    with slot.lock:
        idle = slot.work is None or not slot.work.running
        if slot.error is None and not isinstance(slot.value, kind) and idle:
            slot.work = jobs.start(
                "analysis", work, on_done=lambda job: _settle(slot, job, kind), lower=False
            )
    _watch(key, slot)
    return slot


def _settle(slot: Slot, job: jobs.Job, kind: type) -> None:
    """Keep detached work's outcome in its entry (in the work's thread, when it ends)."""
    with slot.lock:
        if isinstance(job.result, kind):
            slot.value = job.result
        elif isinstance(job.error, ExplainerError) and not _transient(job.error):
            slot.error = job.error


def _watch(key: str, slot: Slot) -> None:
    ctx = get_script_run_ctx()
    session = ctx.session_id if ctx is not None else ""
    slot.watchers.add(session)
    mine = entry("detached-wait", False)  # this session's own entry: what it waits for
    previous = mine.value
    if isinstance(previous, tuple) and previous[0] != key:
        old: Slot = previous[1]
        old.watchers.discard(session)
        if not old.watchers and old.work is not None:
            old.work.cancel()
    mine.value = (key, slot)


def memo_detached[T](
    key: str, shared: bool, work: Callable[[Progress], T], kind: type[T], progress: Progress
) -> T:
    """:func:`memo` for work a page waits on, run detached (:func:`start_detached`).

    The page run waits, calling ``progress(done, total, stage)`` with the work's progress
    every :data:`DETACHED_POLL_SECONDS`; when Streamlit stops the run there (a click), the
    work goes on. Engine errors are cached as :func:`memo` caches them; any other error
    of the work is raised here. Outside a Streamlit session the work runs inline.
    """
    if not st.runtime.exists():
        return memo(key, shared, lambda: work(progress), kind)
    while True:
        slot = start_detached(key, shared, work, kind)
        with slot.lock:
            if slot.error is not None:
                raise slot.error
            if isinstance(slot.value, kind):
                return slot.value
            job = slot.work
        assert job is not None  # started above unless the value or an error was there
        while True:
            if job.stage:  # the work has said what it does: draw it
                progress(job.done, job.total, job.stage)
            if job.wait(DETACHED_POLL_SECONDS):
                break
        if job.error is not None and not isinstance(job.error, ExplainerError):
            raise job.error  # a fault of the work itself: shown, never cached
        if isinstance(job.error, ExplainerError) and _transient(job.error):
            raise job.error  # depends on the server's load: not cached, the next run tries again
        if job.result is not None and not isinstance(job.result, kind):
            raise TypeError(f"detached work for {kind.__name__} returned something else")
        # else its value or error is in the entry, or it was stopped (by this session's
        # earlier settings, since waited for again): look again, starting it anew if need be
