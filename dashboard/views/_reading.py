"""Data page, how the file was read: format, sheet and header row (with pickers for a
workbook), the markers read as missing and the columns read as numbers.

Not a page itself (``app.py`` registers only the page files).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import findings, services, state
from dashboard.text import t

SHEET_KEY = "w_sheet"
HEADER_KEY = "w_header_row"


def workbook_controls(source: state.Source, table: services.Table) -> None:
    """A sheet picker (more than one sheet) and the header row, for a workbook."""
    reading = table.reading
    if reading.sheet is None:
        return
    left, right, _ = st.columns([2, 1, 2])
    with left:
        if len(reading.sheets) > 1:
            sheets = list(reading.sheets)
            chosen = st.selectbox(
                t("reading.sheet_label"),
                options=sheets,
                key=SHEET_KEY,
                index=sheets.index(reading.sheet),
                help=t("reading.sheet_help"),
            )
            if chosen is not None and chosen != reading.sheet:
                state.set_reading(chosen, None)  # another sheet: its header row is found again
                st.rerun()
    with right:
        row = st.number_input(
            t("reading.header_label"),
            min_value=1,
            step=1,
            key=HEADER_KEY,
            value=reading.header_row + 1,
            help=t("reading.header_help"),
        )
        if int(row) != reading.header_row + 1:
            state.set_reading(source.sheet or reading.sheet, int(row) - 1)
            st.rerun()


def reset_choice(source: state.Source) -> None:
    """After a sheet or header row that cannot be read: go back to what the reader finds."""
    if source.sheet is None and source.header_row is None:
        return
    if st.button(t("reading.reset"), key="w_reading_reset", icon=":material/undo:"):
        state.set_reading(None, None)
        st.rerun()


def how_it_was_read(source: state.Source, table: services.Table) -> None:
    """The expander saying how the file was read (never a cell value but the markers)."""
    facts = findings.reading_facts(table, sheet_chosen_by_user=source.sheet is not None)
    cleaned = bool(facts.missing or facts.converted)
    with st.expander(
        t("reading.title"),
        icon=":material/plagiarism:",
        expanded=cleaned or len(table.reading.sheets) > 1,
    ):
        for line in facts.lines:
            st.markdown(line)
        if facts.missing:
            st.markdown(t("reading.missing_intro"))
            st.dataframe(
                pd.DataFrame(
                    facts.missing,
                    columns=[
                        t("data.col_column"),
                        t("reading.col_markers"),
                        t("reading.col_cells"),
                    ],
                ),
                hide_index=True,
                width="stretch",
            )
        if facts.converted:
            st.markdown(t("reading.converted_intro"))
            st.dataframe(
                pd.DataFrame(facts.converted, columns=[t("data.col_column"), t("reading.col_how")]),
                hide_index=True,
                width="stretch",
            )
