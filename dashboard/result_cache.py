"""The app's result cache: one *slot* per key, shared by all sessions or kept in one.

Results are cached with ``st.cache_resource`` (never ``st.cache_data``, which
pickles) under keys :mod:`dashboard.services` makes of content hashes and
settings, bounded by ``max_entries`` and ``ttl``. The cached object is a small
:class:`Slot`; the work runs outside the cached function (so progress bars can be
drawn) under the slot's lock, so two sessions asking for the same key compute it
once. Shared slots hold bundled samples' results; private ones are session-scoped,
dropped when the session ends (stopping any background job they hold).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import streamlit as st

from dashboard import jobs
from explainers import ExplainerError


class Slot:
    """A cache entry: the value (or the engine error) of one key, behind a lock, and the
    background job computing it, if one was started."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: object = None
        self.error: ExplainerError | None = None
        self.job: jobs.Job | None = None


def release(slot: Slot) -> None:
    """Stop a dropped entry's background job (its session ended, or it was evicted)."""
    if slot.job is not None:
        slot.job.cancel()


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
