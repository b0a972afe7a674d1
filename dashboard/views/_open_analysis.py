"""Data page, a saved analysis (``.xai``): the picker that opens one, and what it holds.

Not a page itself (``app.py`` registers only the page files).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import findings, services, state
from dashboard.i18n import fmt_number
from dashboard.safe_text import escape_md, plain
from dashboard.text import error_message, t
from dashboard.views import _common as ui
from dashboard.views import _findings

ANALYSIS_TYPES = ["xai"]
PREVIEW_ROWS = 500


def picker() -> None:
    """Open a saved analysis: its file replaces the current data, and nothing is retrained."""
    current = state.source()
    is_open = current is not None and current.kind == "analysis"
    with st.expander(t("open.title"), expanded=is_open, icon=":material/folder_open:"):
        st.caption(t("open.help"))
        uploaded = st.file_uploader(
            t("open.label"), type=ANALYSIS_TYPES, key="upload_analysis", help=t("open.limits")
        )
        if uploaded is not None and not state.upload_seen(uploaded.file_id, "analysis"):
            state.set_upload(
                uploaded.name, uploaded.getvalue(), token=uploaded.file_id, kind="analysis"
            )


def overview(source: state.Source) -> None:
    """The opened analysis: when and by which version it was saved, the data and model in
    brief, its columns' roles, and whether its rows came with it."""
    try:
        analysis = services.open_saved(source)
    except services.data_error_types() as error:  # refused: say why, in the user's language
        st.error(error_message(error), icon=":material/error:")
        return
    opened = analysis.opened
    if opened is None:
        return
    st.success(
        t(
            "open.opened_note",
            name=escape_md(source.name, max_len=80),
            date=opened.created.strftime("%Y-%m-%d %H:%M UTC"),
            version=escape_md(opened.app_version, max_len=64),
        ),
        icon=":material/folder_open:",
    )
    schema = analysis.schema
    cols = st.columns([1, 1, 1, 2])
    cols[0].metric(t("data.metric_rows"), fmt_number(opened.table_facts.n_rows))
    cols[1].metric(t("data.metric_columns"), fmt_number(opened.table_facts.n_columns))
    cols[2].metric(t("data.metric_features"), fmt_number(len(analysis.features)))
    cols[3].metric(t("data.metric_task"), t(f"task.{analysis.task}"))
    st.markdown(
        t(
            "data.target_line",
            target=escape_md(analysis.model.target_display),
            guessed=t("data.guessed_tag") if schema.target_guessed else "",
        )
    )
    _findings.data_warnings(schema, analysis)
    ui.model_headline(analysis)
    _rows_note(analysis)
    _roles(schema)
    if analysis.has_rows:
        frame = analysis.table.frame
        st.subheader(t("data.preview_title"), anchor=False)
        st.caption(
            t(
                "data.preview_caption",
                n=fmt_number(min(PREVIEW_ROWS, len(frame))),
                total=fmt_number(len(frame)),
            )
        )
        st.dataframe(frame.head(PREVIEW_ROWS), width="stretch", height=300)


def _rows_note(analysis: services.Analysis) -> None:
    """What came with the file: the rows or not, the interaction values, the audit."""
    opened = analysis.opened
    if opened is None:
        return
    if analysis.has_rows:
        st.info(t("open.with_table"), icon=":material/table_rows:")
    else:
        st.info(t("open.without_table"), icon=":material/table_rows:")
    parts = [t("open.has_interactions")] if opened.interactions is not None else []
    if opened.audit is not None:
        parts.append(t("open.has_audit"))
    if parts:
        st.caption(" ".join(parts))


def _roles(schema: services.Schema) -> None:
    """Every column with its kind and role as saved (read-only: the model is not retrained)."""
    profiles = [c for c in schema.columns if c.role != "target"]
    frame = pd.DataFrame(
        {
            t("data.col_column"): [plain(c.display_name, max_len=80) for c in profiles],
            t("data.col_kind"): [t(f"kind.{c.kind}") for c in profiles],
            t("data.col_role"): [t(f"role.{c.role}") for c in profiles],
            t("data.col_why"): [findings.reason_text(c) for c in profiles],
        }
    )
    with st.expander(t("open.roles_title"), icon=":material/view_column:"):
        st.dataframe(frame, hide_index=True, width="stretch")
