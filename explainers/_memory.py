"""Giving memory the work on a large table freed back to the operating system."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable

import pyarrow as pa


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, musl)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None)
    except OSError:
        return None


def release_free_memory() -> bool:
    """Return memory that is free inside the process to the operating system.

    Reading, training and explaining a large table leave their temporaries' memory
    in pyarrow's pool and in the C allocator's heap, where a long-running server
    would keep it at its peak size; this hands it back. Best effort and cheap
    (a few milliseconds); returns True when the C heap could be trimmed too.
    """
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
