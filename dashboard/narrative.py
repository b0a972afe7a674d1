"""Moved to :mod:`dashboard.display.narrative`; this re-export stays until its last importer
(``tests/dashboard/test_i18n.py``) switches."""

from dashboard.display.narrative import Driver, Facts, format_value, summarize

__all__ = ["Driver", "Facts", "format_value", "summarize"]
