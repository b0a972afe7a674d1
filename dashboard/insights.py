"""Moved to :mod:`dashboard.display`; this re-export stays until its last importers switch.

(``dashboard/views/model.py`` and ``tests/dashboard/test_i18n.py`` import it.)
"""

from dashboard.display.agreement import Agreement, agreement
from dashboard.display.probability import contribution_path, to_probability
from dashboard.display.rows import row_list
from dashboard.display.thresholds import threshold_stats

__all__ = ["Agreement", "agreement", "contribution_path", "row_list", "threshold_stats",
           "to_probability"]
