"""Local page: one row's prediction, its SHAP waterfall, LIME beside SHAP, a plain summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, services
from dashboard.display.agreement import agreement
from dashboard.display.narrative import summarize
from dashboard.display.prediction import RowPrediction
from dashboard.i18n import fmt_number, fmt_percent
from dashboard.safe_text import escape_md
from dashboard.text import current_lang, t
from dashboard.views import _common as ui
from dashboard.views import _figures as figures
from dashboard.views import _rows


def _headline(analysis: services.Analysis, position: int, row: RowPrediction) -> None:
    """The row's prediction against the average prediction, both read from ``row`` (the
    waterfall's last and first bars show the same two numbers)."""
    cols = st.columns([2, 1, 1])  # room for "vs. the average prediction (37.4%)"
    if analysis.task == "regression":
        average = fmt_number(row.average)
        cols[0].metric(
            t("local.predicted"),
            fmt_number(row.prediction),
            delta=fmt_number(row.prediction - row.average, signed=True),
            delta_color="off",
            delta_description=f"{t('local.vs_average')} ({average})",
            border=True,
        )
        cols[1].metric(
            t("local.actual"), fmt_number(float(analysis.dataset.y[position])), border=True
        )
    else:
        label = analysis.class_labels[1 if analysis.task == "binary" else row.output]
        points = fmt_number(100 * (row.prediction - row.average), 1, signed=True)
        average = fmt_percent(row.average, 1)
        cols[0].metric(
            t("local.probability_of", label=escape_md(label)),
            fmt_percent(row.prediction, 1),
            delta=t("unit.points", value=points),
            delta_color="off",
            delta_description=f"{t('local.vs_average')} ({average})",
            border=True,
        )
        cols[1].metric(
            t("local.actual"), analysis.class_labels[int(analysis.dataset.y[position])], border=True
        )
    if analysis.model.source == "uploaded":  # which rows trained it is not known here
        cols[2].metric(
            t("local.split"),
            t("local.split_unknown"),
            help=t("local.split_unknown_help"),
            border=True,
        )
        return
    in_valid = bool(np.isin(position, analysis.model.valid_index))
    cols[2].metric(
        t("local.split"),
        t("local.validation") if in_valid else t("local.training"),
        help=t("local.split_help"),
        border=True,
    )


def _lime(analysis: services.Analysis, position: int, row: RowPrediction) -> None:
    st.subheader(t("local.lime_title"), anchor=False)
    st.caption(t("local.lime_caption"))
    lime_output = 1 if analysis.task == "binary" else row.output
    with st.spinner(t("local.lime_running")):
        lime = services.lime_for_row(analysis, position, lime_output)
    shap_row = pd.Series(row.shap, index=analysis.features)
    weights = lime.as_series().reindex(analysis.features).fillna(0.0)
    agree = agreement(shap_row, lime.as_series())
    cols = st.columns(3)
    cols[0].metric(
        t("local.spearman"),
        fmt_number(agree.spearman, 2),
        help=t("local.spearman_help", n=agree.n_features),
        border=True,
    )
    cols[1].metric(
        t("local.sign_agreement"),
        fmt_percent(agree.sign_agreement),
        help=t("local.sign_agreement_help"),
        border=True,
    )
    cols[2].metric(
        t("local.lime_fit"), fmt_number(lime.score, 2), help=t("local.lime_fit_help"), border=True
    )
    ui.chart(
        charts.lime_shap_figure(
            analysis.display_names,
            shap_row.to_numpy(),
            weights.to_numpy(),
            top=12,
            title=t("chart.lime_shap_title"),
            shap_name=t("chart.shap"),
            lime_name=t("chart.lime"),
            shap_title=t("chart.shap_units"),
            lime_title=t("chart.lime_units"),
        ),
        key="lime_chart",
    )


def _values_table(analysis: services.Analysis, row: RowPrediction, values: list[str]) -> None:
    contributions = row.shap
    frame = pd.DataFrame(
        {
            t("chart.feature"): analysis.display_names,
            t("chart.value"): values,
            t("chart.shap"): contributions,
        }
    ).iloc[np.argsort(-np.abs(contributions), kind="stable")]
    with st.expander(t("local.values_title"), icon=":material/list:"):
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            column_config={t("chart.shap"): st.column_config.NumberColumn(format="%+.4f")},
        )


def _body() -> None:
    ui.page_header("local.title", "local.intro")
    analysis = ui.current_analysis()
    if analysis is None:
        return
    ui.show_notices()
    _row_section(analysis)


@st.fragment
def _row_section(analysis: services.Analysis) -> None:
    """Everything that depends on the chosen row: a row switch reruns only this part
    (not the page frame and sidebar), so the waterfall updates sooner."""
    ui.run_page(lambda: _row_content(analysis))


def _row_content(analysis: services.Analysis) -> None:
    with st.container(border=True):
        position = _rows.choose_row(analysis)
    predicted = int(np.argmax(analysis.prediction[position])) if analysis.is_classifier else 0
    output = 0
    if analysis.task == "multiclass":
        labels = analysis.class_labels
        output = int(
            st.selectbox(
                t("common.class"),
                options=list(range(len(labels))),
                index=predicted,
                format_func=lambda i: labels[i],
                key=f"w_local_class_{position}",
                help=t("common.class_help"),
            )
        )
    st.subheader(t("local.row_title", row=ui.row_label(analysis, position)), anchor=False)
    row = RowPrediction.from_shap(
        services.row_shap(analysis, position), 0, task=analysis.task, output=output
    )
    _headline(analysis, position, row)
    facts = _rows.narrative_facts(analysis, position, row)
    st.info(
        escape_md(summarize(facts, current_lang()), max_len=2000),
        icon=":material/record_voice_over:",
    )
    values = _rows.value_texts(analysis, position)
    raw = False
    if analysis.task == "binary":
        raw = st.toggle(t("local.raw_margin"), key="w_raw_margin", help=t("local.raw_margin_help"))
    elif analysis.task == "multiclass":
        st.caption(t("local.multiclass_margin"))
    left, right = st.columns([3, 2], gap="large")
    with left:
        fig = figures.waterfall(analysis, row, values, raw=raw, title=t("chart.waterfall_title"))
        ui.chart(fig, key="waterfall_chart")
    with right:
        _values_table(analysis, row, values)
        st.page_link(ui.WHATIF_PAGE, label=t("local.to_whatif"), icon=":material/tune:")
    _lime(analysis, position, row)


ui.run_page(_body)
