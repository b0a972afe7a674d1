"""Moved to :mod:`dashboard.charts.local`; this re-export stays until its last importer
(``tests/dashboard/test_services.py``) switches."""

from dashboard.charts.local import _percent_ticks

__all__ = ["_percent_ticks"]
