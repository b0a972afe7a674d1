"""The session's words: :func:`t` writes a catalogue key in the language the session chose.

:mod:`dashboard.i18n` holds the catalogues and takes the language as an argument;
this module reads the language from :mod:`dashboard.state` (English outside a
session) and passes it on, so pages need not.
"""

from __future__ import annotations

from typing import Any

from dashboard import i18n, state
from dashboard.i18n import Lang


def current_lang() -> Lang:
    """The session's language (English outside a Streamlit session)."""
    return state.language()


def t(key: str, /, **params: Any) -> str:
    """The text of ``key`` in the session's language with ``params`` filled in."""
    return i18n.translate(current_lang(), key, **params)


def unit_label(unit: str | None) -> str | None:
    """A unit as written in the session's language (``years`` is ``세`` in Korean)."""
    return i18n.unit_label(current_lang(), unit)


def error_message(error: BaseException) -> str:
    """A translated, Markdown-safe message for an engine error, in the session's language."""
    return i18n.error_message(error, current_lang())
