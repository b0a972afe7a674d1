"""Fixtures of the app's tests."""

from __future__ import annotations

import pytest

from dashboard import jobs


@pytest.fixture
def runs_do_not_hold_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Page runs do not hold background jobs back: for tests that rerun the whole app in a
    loop to see a job's progress, as the app's polling fragments do (which do not hold jobs;
    only runs a user starts do). The holding itself is tested in ``test_jobs.py``."""
    monkeypatch.setattr(jobs, "PAGE_HOLD_SECONDS", 0.0)
    monkeypatch.setattr(jobs, "PAGE_GRACE_SECONDS", 0.0)
