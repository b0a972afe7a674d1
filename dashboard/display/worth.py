"""Plain readings of the model-worth results: where the learning curve is heading, file sizes.

Pure functions of the engine's numbers (no Streamlit, no translation): the views turn
their answers into sentences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

LEARNING_GAIN = 0.01
"""The last step of the learning curve (the model on half of its training rows, then on
all) "still rises" when it gains more than this share of the final score."""

Trend = Literal["rising", "flat"]


def learning_trend(scores: Sequence[float], *, gain: float = LEARNING_GAIN) -> Trend | None:
    """``rising`` when the last point of the learning curve beats the one before by more than
    ``gain`` of its value (more rows of the same kind would likely help), ``flat`` when not;
    None with fewer than two finite points."""
    finite = [float(s) for s in scores if math.isfinite(float(s))]
    if len(finite) < 2:
        return None
    last, before = finite[-1], finite[-2]
    return "rising" if last - before > gain * abs(last) else "flat"


def is_uneven(scores: Sequence[float], *, gain: float = LEARNING_GAIN) -> bool:
    """True when the curve drops somewhere by more than ``gain`` of the final score: more rows
    gave a worse model, so its steps are mostly noise (too few validation rows to tell)."""
    finite = [float(s) for s in scores if math.isfinite(float(s))]
    if len(finite) < 2:
        return False
    scale = abs(finite[-1]) or 1.0
    return any(b - a < -gain * scale for a, b in zip(finite, finite[1:], strict=False))


def byte_size(n: int) -> tuple[float, str]:
    """A file size as ``(value, unit)`` in decimal units: bytes ``B``, ``kB`` or ``MB``."""
    if n < 1_000:
        return float(n), "B"
    if n < 1_000_000:
        return n / 1_000, "kB"
    return n / 1_000_000, "MB"
