"""How wide a column of axis labels will be, estimated on the server (no browser at hand)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

# Widths in em of the app's sans-serif font, fitted to 150 tick labels measured in Chromium
# (digits, lower case, upper case, the rest, East Asian wide) and rounded up by about 4%.
_EMS = (0.54, 0.46, 0.58, 0.42, 0.86)


def _ems(char: str) -> float:
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return _EMS[4]
    if char.isdigit():
        return _EMS[0]
    if char.isalpha():
        return _EMS[2] if char.isupper() else _EMS[1]
    return _EMS[3]


def labels_px(labels: Sequence[str], *, size: float = 12.0, step: int = 16) -> int:
    """Pixels the widest of ``labels`` (plain text, font ``size``) takes beside its axis,
    rounded up to ``step``.

    Given as the axis margin it saves the browser the second layout pass of Plotly's
    ``automargin`` (which stays on, for a label wider than estimated), and rounding keeps
    the plot area still between rows whose labels are about as long.
    """
    widest = max((sum(_ems(char) for char in label) * size for label in labels), default=0.0)
    return int(math.ceil((widest + 24) / step) * step)  # Plotly sets labels ~23 px off
