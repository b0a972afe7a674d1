"""The launcher ``make run`` uses: libraries imported first, their objects frozen out of GC."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import gc, sys
from dashboard.serve import prepare
frozen = prepare()
assert "xgboost" in sys.modules and "plotly.graph_objects" in sys.modules
assert gc.get_freeze_count() == frozen
tracked = len(gc.get_objects())  # what a full collection walks now
print(frozen, tracked)
"""


def test_prepare_imports_the_libraries_and_freezes_their_objects():
    """Check, in a fresh interpreter, that the launcher imports XGBoost and plotly and moves
    their objects (well over 50,000) out of what garbage collection walks (a few thousand
    left): Streamlit collects after every run, fragment polls included."""
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    frozen, tracked = (int(v) for v in done.stdout.split())
    assert frozen > 50_000
    assert tracked < frozen / 10
