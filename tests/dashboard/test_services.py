"""The app's caching rules and small chart helpers."""

from __future__ import annotations

import pytest

from dashboard import services
from dashboard.charts_local import _percent_ticks
from explainers import ModelError


@pytest.mark.parametrize(("reason", "calls"), [("timeout", 2), ("memory", 2), ("invalid", 1)])
def test_only_lasting_errors_are_cached(reason, calls):
    """Check that a model check that ran out of time may be retried, a damaged file not."""
    seen = []

    def compute():
        seen.append(1)
        raise ModelError("no", code="model_unreadable", reason=reason, timeout_s=1.0)

    key = f"test-transient-{reason}"
    for _ in range(2):
        with pytest.raises(ModelError):
            services.memo(key, True, compute)
    assert len(seen) == calls


@pytest.mark.parametrize(
    ("low", "high"), [(50.04, 50.72), (0.0, 100.0), (3.2, 41.0), (99.1, 100.4)]
)
def test_percent_ticks_label_every_window(low, high):
    """Check that a probability axis always gets at least two ticks inside it and 0..100%."""
    ticks = _percent_ticks(low, high)
    assert len(ticks) >= 2, ticks
    assert all(max(low, 0) <= v <= min(high, 100) for v in ticks)
