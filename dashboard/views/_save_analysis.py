"""Export page, "Save analysis": the whole analysis in one file (``.xai``) to open again.

Not a page itself (``app.py`` registers only the page files).
"""

from __future__ import annotations

import re

import streamlit as st

from dashboard import services
from dashboard.i18n import fmt_number
from dashboard.safe_text import escape_md
from dashboard.text import t

MOST_NAMES = 10  # flagged columns named in the warning; more are counted


def section(analysis: services.Analysis, stem: str) -> None:
    """The save button, with a checkbox to include the table and a warning when ticked."""
    st.subheader(t("save.title"), anchor=False)
    st.caption(t("save.caption"))
    if analysis.has_rows:
        _save_button(analysis, stem)
    else:
        _opened_without_rows(analysis)
    audit = services.saved_audit_json(analysis)
    if audit is not None:  # the audit an opened analysis came with, as it was saved
        st.download_button(
            t("save.download_audit"),
            data=audit,
            file_name="audit.json",
            mime="application/json",
            key="dl_saved_audit",
            on_click="ignore",
            icon=":material/download:",
        )


def _save_button(analysis: services.Analysis, stem: str) -> None:
    """The checkbox for the table (with the warning when ticked), what goes in, the button."""
    include = st.checkbox(t("save.include_table"), key="w_save_table", help=t("save.table_help"))
    if include:
        _table_warning(analysis)
    contents = services.save_contents(analysis)
    st.caption(
        " ".join(
            [
                t("save.with_interactions" if contents.interactions else "save.no_interactions"),
                t("save.with_audit" if contents.audit else "save.no_audit"),
            ]
        )
    )
    st.download_button(
        t("save.download"),
        data=lambda: services.analysis_file(analysis, include_table=include),
        file_name=f"{stem}_with_table.xai" if include else f"{stem}.xai",
        mime="application/zip",
        key="dl_analysis",
        on_click="ignore",
        type="primary",
        icon=":material/save:",
    )


def _table_warning(analysis: services.Analysis) -> None:
    """A plain warning: the table goes in whole, naming the columns that identify people."""
    flagged = services.flagged(analysis)
    lines = [t("save.table_warning")]
    if flagged.personal:
        lines.append(t("save.personal_columns", columns=_names(flagged.personal)))
    if flagged.identifiers:
        lines.append(t("save.identifier_columns", columns=_names(flagged.identifiers)))
    st.warning("\n\n".join(lines), icon=":material/warning:")


def _names(names: tuple[str, ...]) -> str:
    shown = ", ".join(f"**{escape_md(n, max_len=60)}**" for n in names[:MOST_NAMES])
    if len(names) > MOST_NAMES:
        shown += " " + t("save.more_columns", n=fmt_number(len(names) - MOST_NAMES))
    return shown


def _opened_without_rows(analysis: services.Analysis) -> None:
    """An analysis opened from a file saved without its table: that file, as it was."""
    st.info(t("save.opened_without_table"), icon=":material/info:")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", analysis.source.name).strip("_") or "analysis.xai"
    st.download_button(
        t("save.download_again"),
        data=lambda: services.analysis_file(analysis, include_table=False),
        file_name=name if name.endswith(".xai") else f"{name}.xai",
        mime="application/zip",
        key="dl_analysis",
        on_click="ignore",
        icon=":material/save:",
    )
