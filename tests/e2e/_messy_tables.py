"""A messy clinic table for the browser tests and screenshots, with a known truth.

``outcome`` (yes/no) follows ``age`` and ``risk_score``; ``lab_marker`` is above 50
exactly when the outcome is yes (a threshold leak); ``followup_days`` is named as
recorded after the outcome; ``patient_id`` numbers the rows; ``charges`` is typed as
money (``$1,234``), ``copay_share`` as percent (``45%``); ``blood_pressure`` has
SAS-style ``.`` for missing in 30 cells.
"""

from __future__ import annotations

from pathlib import Path

from synthetic_tables import messy_clinic_frame


def write_messy_clinic_csv(path: Path) -> Path:
    """Write :func:`messy_clinic_frame` as CSV to ``path``."""
    messy_clinic_frame().to_csv(path, index=False)
    return path
