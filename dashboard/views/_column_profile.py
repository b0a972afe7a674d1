"""The Data page's lower half: the per-column profile and the sample's data dictionary.

Not a page itself (``app.py`` registers only the page files).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, column_profile, services, state
from dashboard.i18n import fmt_number
from dashboard.safe_text import escape_md, plain, shown_names
from dashboard.text import t
from dashboard.views import _common as ui


def show_profile(
    source: state.Source, schema: services.Schema | None, table: services.Table
) -> None:
    """Every column's kind, role, missing share, distinct count and histogram; one column
    drawn large, and the missing share of all."""
    counted = {c.name: c.n_unique for c in schema.columns} if schema else None
    summaries = column_profile.column_summaries(source, counted)
    roles = {c.name: c for c in schema.columns} if schema else {}
    st.subheader(t("data.profile_title"), anchor=False)
    frame = pd.DataFrame(
        {
            "column": [plain(s.display, max_len=80) for s in summaries],
            "kind": [t(f"kind.{roles[s.name].kind}") if s.name in roles else "" for s in summaries],
            "role": [t(f"role.{roles[s.name].role}") if s.name in roles else "" for s in summaries],
            "missing": [100 * s.missing_fraction for s in summaries],
            "distinct": [s.n_distinct for s in summaries],
            "histogram": [list(s.histogram) for s in summaries],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            "column": st.column_config.TextColumn(t("data.col_column")),
            "kind": st.column_config.TextColumn(t("data.col_kind")),
            "role": st.column_config.TextColumn(t("data.col_role")),
            "missing": st.column_config.ProgressColumn(
                t("data.col_missing"), format="%.1f%%", min_value=0, max_value=100
            ),
            "distinct": st.column_config.NumberColumn(t("data.col_distinct"), format="localized"),
            "histogram": st.column_config.BarChartColumn(t("data.col_histogram"), y_min=0),
        },
    )
    names = [s.name for s in summaries]
    display = shown_names(table.original_names)
    left, right = st.columns(2, gap="large")
    with left:
        features = [c.name for c in schema.columns if c.role == "feature"] if schema else []
        first = names.index(features[0]) if features and features[0] in names else 0
        chosen = st.selectbox(
            t("data.look_at"),
            options=names,
            key="w_profile_column",
            index=first,
            format_func=lambda n: plain(display.get(n, n)),
        )
        meta = services.sample_meta(source)
        unit = None
        if meta is not None and chosen is not None:
            info = meta.columns.get(table.original_names.get(chosen, chosen))
            unit = info.unit if info else None
        if chosen is not None:
            ui.chart(
                charts.histogram_figure(
                    table.frame[chosen],
                    name=display.get(chosen, chosen),
                    unit=unit,
                    height=300,
                    title=display.get(chosen, chosen),
                    labelled=True,
                    count_label=t("chart.rows"),
                    other_label=t("chart.other_values"),
                    empty_label=t("chart.no_values"),
                )
            )
    with right:
        if not any(s.missing_fraction > 0 for s in summaries):  # a chart of zeros says less
            st.success(t("data.no_missing", n=fmt_number(len(summaries))), icon=":material/check:")
        else:
            ui.chart(
                charts.missing_figure(
                    [s.display for s in summaries],
                    [s.missing_fraction for s in summaries],
                    hide_complete=False,
                    title=t("chart.missing_title"),
                    x_title=t("chart.missing_x"),
                )
            )


def show_dictionary(source: state.Source) -> None:
    """The bundled sample's data dictionary (nothing for an upload)."""
    meta = services.sample_meta(source)
    if meta is None:
        return
    lang = state.language()
    with st.expander(t("data.dictionary_title"), icon=":material/menu_book:"):
        st.dataframe(
            pd.DataFrame(
                {
                    t("data.col_column"): list(meta.columns),
                    t("data.col_description"): [
                        c.description.get(lang, c.description["en"]) for c in meta.columns.values()
                    ],
                    t("data.col_unit"): [c.unit or "" for c in meta.columns.values()],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(
            t(
                "data.source_line",
                source=escape_md(meta.source, max_len=400),
                licence=escape_md(meta.licence, max_len=200),
            )
        )
