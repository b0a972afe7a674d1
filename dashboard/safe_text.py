"""Making user-supplied text (column names, cell values, file names) safe to show.

Streamlit renders Markdown in ``st.markdown``, ``st.caption``, alerts and widget
labels, and plotly renders a few HTML-like tags in chart text. User text must
show as the characters it is, so it is escaped before it reaches either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Every ASCII punctuation character may be backslash-escaped in CommonMark, which
# turns it into a literal; escaping all of them defeats links, images, emphasis,
# code, tables, headings, raw HTML, LaTeX ($) and Streamlit's :colour[...] and
# :emoji: directives at once.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=%^@;,?/])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_md(text: object, *, max_len: int = 200) -> str:
    """Return ``text`` escaped so that Streamlit Markdown shows it literally.

    Newlines and control characters become spaces; text longer than
    ``max_len`` characters is cut with an ellipsis.

    Parameters
    ----------
    text
        Any value; it is converted with ``str``.
    max_len
        Longest text kept, in characters.

    Examples
    --------
    >>> escape_md("**bold**")
    '\\\\*\\\\*bold\\\\*\\\\*'
    """
    value = _CONTROL.sub(" ", str(text)).replace("\n", " ").replace("\r", " ")
    if len(value) > max_len:
        value = value[: max_len - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", value)


def plain(text: object, *, max_len: int = 200) -> str:
    """Return ``text`` as one line, control characters removed and cut at ``max_len``.

    For places that never interpret markup (``st.text``, dataframe cells,
    select-box options, download file names).
    """
    value = _CONTROL.sub(" ", str(text)).replace("\n", " ").replace("\r", " ")
    return value if len(value) <= max_len else value[: max_len - 1] + "…"


def shown_names(original_names: Mapping[str, str]) -> dict[str, str]:
    """Each column's name as the file gives it (``Table.original_names``: safe name to the
    file's name), or its safe name where the file's is blank (R's row names under an empty
    header): no picker option or label is empty."""
    return {safe: name if name.strip() else safe for safe, name in original_names.items()}
