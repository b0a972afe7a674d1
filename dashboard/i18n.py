"""Translations and number formatting for the app (English and Korean).

A leaf: it knows the catalogues (``dashboard/locales/<lang>.json``) and how to
fill them in, never whose session asks. Every function that words something takes
the language; :mod:`dashboard.text` reads the session's language and passes it on.
Engine errors are translated from their stable ``code`` and ``params``.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from importlib import resources
from typing import Any, Final, Literal

from dashboard.safe_text import escape_md

Lang = Literal["en", "ko"]
LANGS: Final[tuple[Lang, ...]] = ("en", "ko")
LANG_NAMES: Final[dict[Lang, str]] = {"en": "English", "ko": "한국어"}
DEFAULT_LANG: Final[Lang] = "en"

_log = logging.getLogger(__name__)


@functools.cache
def catalog(lang: Lang) -> dict[str, str]:
    """Return the catalog of ``lang`` (key to template), read once per process.

    Parameters
    ----------
    lang
        ``"en"`` or ``"ko"``.
    """
    text = resources.files("dashboard").joinpath("locales", f"{lang}.json").read_text("utf-8")
    data: dict[str, str] = json.loads(text)
    return data


def normalise_lang(value: object) -> Lang | None:
    """Return ``value`` as a supported language code, or None when it is not one."""
    if not isinstance(value, str):
        return None
    lowered = value.strip().lower()
    for lang in LANGS:
        if lowered == lang or lowered.startswith(lang + "-") or lowered.startswith(lang + "_"):
            return lang
    return None


def translate(lang: Lang, key: str, /, **params: Any) -> str:
    """Return the text of ``key`` in ``lang`` with ``params`` filled in.

    A key missing from ``lang`` falls back to English, then to the key itself,
    so that a missing translation never breaks a page (a test keeps the
    catalogs complete).
    """
    template = catalog(lang).get(key) or catalog(DEFAULT_LANG).get(key) or key
    if not params:
        return template
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        _log.warning("translation %s/%s has mismatched parameters", lang, key)
        return template


def has_key(key: str) -> bool:
    """True when the English catalog (the reference) has ``key``."""
    return key in catalog(DEFAULT_LANG)


def unit_label(lang: Lang, unit: str | None) -> str | None:
    """A unit as written in ``lang`` (``years`` is ``세`` in Korean)."""
    if not unit:
        return unit
    key = f"unit_name.{unit}"
    return translate(lang, key) if has_key(key) else unit


# ----------------------------------------------------------------------------- numbers


def fmt_number(
    value: float | int | None,
    digits: int | None = None,
    *,
    lang: Lang | None = None,
    signed: bool = False,
) -> str:
    """Format a number with thousands separators and a sensible number of decimals.

    Parameters
    ----------
    value
        The number; None or NaN gives an en dash.
    digits
        Decimals to show; by default 0 for whole numbers, otherwise chosen by size
        (3 significant digits below 0.0005, 3 decimals below 1, 2 below 100, 1 below
        10,000, else 0).
    lang
        Language; both use ``,`` for thousands and ``.`` for decimals (as Korean does).
    signed
        Prefix positive numbers with ``+``.
    """
    del lang  # Korean and English share separators; kept for a future locale.
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    number = float(value)
    if digits is None:
        magnitude = abs(number)
        if 0 < magnitude < 0.0005:  # 3 decimals would show 0.000: 3 significant digits
            text = f"{number:.3g}"
            return "+" + text if signed and not text.startswith("-") else text
        if number == round(number) and magnitude < 1e15:
            digits = 0
        elif magnitude < 1:
            digits = 3
        elif magnitude < 100:
            digits = 2
        elif magnitude < 10_000:
            digits = 1
        else:
            digits = 0
    text = f"{number:,.{digits}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    if signed and not text.startswith("-"):
        text = "+" + text
    return text


def fmt_percent(fraction: float | None, digits: int = 0, *, signed: bool = False) -> str:
    """Format a 0..1 fraction as a percentage, e.g. ``0.72`` as ``72%``."""
    if fraction is None or not math.isfinite(float(fraction)):
        return "–"
    return fmt_number(100 * float(fraction), digits, signed=signed) + "%"


def fmt_metric(name: str, value: float | None) -> str:
    """Format a model metric: rates as 3 decimals, errors by size."""
    if value is None or not math.isfinite(float(value)):
        return "–"
    if name in {"rmse", "mae"}:
        return fmt_number(value)
    return fmt_number(value, 3)


# ----------------------------------------------------------------------------- errors


def error_message(error: BaseException, lang: Lang) -> str:
    """A translated, Markdown-safe message for an engine error (by ``code`` and ``params``).

    Parameters (which may hold column names) are escaped for Markdown. Unknown
    codes give the generic translated message followed by the engine's English
    message (escaped), which by design names no cell values.
    """
    code = getattr(error, "code", None)
    params = dict(getattr(error, "params", {}) or {})
    key = f"error.{code}"
    if code and key in catalog(lang):
        safe = {k: _plain(v) for k, v in params.items()}
        return translate(lang, key, **safe)
    english = getattr(error, "message", None) or str(error)
    return translate(lang, "error.generic_with_detail", detail=_plain(english))


def _plain(value: Any) -> str:
    return escape_md(value, max_len=300)
