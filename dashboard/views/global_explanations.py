"""Global page: importance, beeswarm, dependence by interaction partner, interaction heatmap."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import services
from dashboard.i18n import fmt_number
from dashboard.safe_text import escape_md
from dashboard.text import t
from dashboard.views import _common as ui
from dashboard.views import _figures as figures
from dashboard.views import _full_values as full_values


def _dependence(
    analysis: services.Analysis, output: int, inter: services.InteractionResult | None
) -> None:
    st.subheader(t("global.dependence_title"), anchor=False)
    st.caption(t("global.dependence_caption"))
    ranking = [name for name, _ in services.global_shap(analysis)[0].ranking(output)]
    left, right = st.columns([2, 1])
    feature = left.selectbox(
        t("global.dependence_feature"),
        options=ranking,
        format_func=analysis.display,
        key="w_dependence_feature",
    )
    feature = feature or ranking[0]
    partner = inter.strongest_partner(feature, output) if inter is not None else None

    def colour_label(option: str) -> str:
        if option == "__auto__":
            return (
                t("global.colour_auto", name=analysis.display(partner))
                if partner
                else t("global.colour_none")
            )
        return t("global.colour_none") if option == "__none__" else analysis.display(option)

    options = ["__auto__", "__none__", *[f for f in ranking if f != feature]]
    choice = right.selectbox(
        t("global.dependence_colour"),
        options=options,
        key="w_dependence_colour",
        format_func=colour_label,
    )
    colour = partner if choice == "__auto__" else None if choice == "__none__" else choice
    ui.chart(figures.dependence(analysis, output, feature, colour), key="dependence_chart")
    if partner and inter is not None:
        st.caption(
            t(
                "global.partner_caption",
                name=escape_md(analysis.display(partner)),
                n=fmt_number(len(inter.rows)),
            )
        )


def _sample_notice(analysis: services.Analysis, n_shown: int) -> DeltaGenerator:
    """Say that the charts use a sample; return the place where the exact values of every
    row come on (filled once the first charts are drawn: the job then starts, so its work
    does not hold up the first chart)."""
    total = analysis.n_rows
    st.info(
        t("global.sample_notice", n=fmt_number(n_shown), total=fmt_number(total)),
        icon=":material/info:",
    )
    return st.container()


def _body() -> None:
    ui.page_header("global.title", "global.intro")
    analysis = ui.current_analysis()
    if analysis is None:
        return
    ui.show_notices()
    output = ui.output_selector(analysis, key="w_global_class")
    shap, _ = services.global_shap(analysis)
    st.caption(
        t(
            "common.backend_line",
            backend=analysis.backend,
            n=fmt_number(len(shap.rows)),
            seconds=fmt_number(shap.seconds, 2),
        )
    )
    job_place = None
    if len(shap.rows) < analysis.n_rows:
        job_place = _sample_notice(analysis, len(shap.rows))
    st.subheader(t("global.importance_title"), anchor=False)
    st.caption(t("global.importance_caption", n=fmt_number(len(shap.rows))))
    ui.chart(figures.importance(analysis, output), key="importance_chart")
    st.subheader(t("global.beeswarm_title"), anchor=False)
    st.caption(t("global.beeswarm_caption"))
    ui.chart(figures.beeswarm(analysis, output), key="beeswarm_chart")
    if job_place is not None:
        with job_place:
            full_values.status(analysis)
    if not analysis.has_rows:
        st.caption(t("open.beeswarm_grey"))
    if len(analysis.features) < 2:
        st.info(t("global.one_feature"))
        return
    if analysis.has_rows:
        n_inter = services.interaction_rows(analysis)
        with st.spinner(t("global.computing_interactions", n=fmt_number(n_inter))):
            inter = services.interactions(analysis)
        _dependence(analysis, output, inter)
    else:  # opened from a file saved without its table: its saved interactions, if any
        ui.rows_missing(analysis, t("global.dependence_title"))
        if not services.has_interactions(analysis):
            ui.rows_missing(analysis, t("global.heatmap_title"))
            return
        inter = services.interactions(analysis)
    st.subheader(t("global.heatmap_title"), anchor=False)
    if inter is None:  # too wide: a sample of interaction matrices would not fit
        st.info(
            t("global.too_wide_for_interactions", n=fmt_number(len(analysis.features))),
            icon=":material/info:",
        )
        return
    st.caption(t("global.heatmap_caption", n=fmt_number(len(inter.rows))))
    ui.chart(figures.heatmap(analysis, output, inter), key="heatmap_chart")


ui.run_page(_body)
