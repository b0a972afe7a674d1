"""Safe, unique column names for XGBoost, with the names as written kept for display."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

MAX_NAME_LENGTH = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def safe_column_names(names: Sequence[object]) -> dict[str, str]:
    """Map safe, unique column names to the names as written, in order.

    Names are stripped; ``[``, ``]`` and ``<`` (refused by XGBoost) become ``(``,
    ``)`` and ``lt``; control characters become spaces; empty names become
    ``column_<i>`` (1-based); names over 200 characters are cut and end in "…";
    repeats become ``name (2)``, ``name (3)``, never taking an existing name.
    """
    originals = [_as_text(name) for name in names]
    bases = [_base_name(text, i) for i, text in enumerate(originals, start=1)]
    generated = [not _clean(text) for text in originals]
    claimed = set(bases)
    taken: set[str] = set()
    next_number: dict[str, int] = {}
    safe: list[str] = [""] * len(bases)
    # Names from the file keep their name before generated ones do.
    for i in sorted(range(len(bases)), key=lambda i: generated[i]):
        candidate = bases[i]
        if candidate in taken:
            number = next_number.get(bases[i], 2)
            while f"{bases[i]} ({number})" in claimed:
                number += 1
            next_number[bases[i]] = number + 1
            candidate = f"{bases[i]} ({number})"
        claimed.add(candidate)
        taken.add(candidate)
        safe[i] = candidate
    return dict(zip(safe, originals, strict=True))


def _as_text(name: object) -> str:
    if isinstance(name, str):
        return name
    if name is None:
        return ""
    try:
        missing = bool(pd.isna(name))
    except (TypeError, ValueError):
        missing = False
    return "" if missing else str(name)


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


def _base_name(text: str, position: int) -> str:
    name = _clean(text).replace("[", "(").replace("]", ")").replace("<", "lt")
    if not name:
        return f"column_{position}"
    if len(name) > MAX_NAME_LENGTH:
        return name[:MAX_NAME_LENGTH] + "…"
    return name


def rename_warnings(originals: Sequence[str]) -> list[str]:
    """Codes of what :func:`safe_column_names` had to change about ``originals``."""
    cleaned = [_clean(text) for text in originals]
    bases = [_base_name(text, i) for i, text in enumerate(originals, start=1)]
    checks = {
        "empty_column_names": any(not text for text in cleaned),
        "duplicate_column_names": len(set(bases)) < len(bases),
        "unsafe_characters_in_column_names": any(
            _CONTROL.search(text) or any(c in text for c in "[]<") for text in originals
        ),
        "long_column_names": any(len(text) > MAX_NAME_LENGTH for text in cleaned),
    }
    return [code for code, found in checks.items() if found]


def is_blank_name(text: str) -> bool:
    """True when ``text`` is empty once control characters and spaces are removed."""
    return not _clean(text)
