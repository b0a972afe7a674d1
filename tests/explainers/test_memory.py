"""Freed memory leaves the process: a server that explained a large upload shrinks again."""

from __future__ import annotations

import gc
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from explainers import release_free_memory


def _rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (CI is Linux)")
def test_release_gives_memory_freed_in_arrows_pool_back():
    """Check that 160 MiB computed in pyarrow's pool and dropped leave the process's RSS."""
    base = pa.array(np.arange(2_000_000, dtype=np.float64))
    results = [pc.add(base, float(i)) for i in range(10)]  # 10 x 16 MB in the pool
    assert pa.default_memory_pool().bytes_allocated() >= 150 * 2**20
    del results
    gc.collect()
    before = _rss_mib()
    assert release_free_memory() is True  # glibc: the C heap is trimmed as well
    assert before - _rss_mib() > 100, "the pool kept the freed memory"
