"""Audit page: importance with intervals, partial dependence with ICE, errors, groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, services, state
from dashboard.charts.kit import ACCENT, SERIES
from dashboard.i18n import fmt_metric, fmt_number, fmt_percent
from dashboard.safe_text import escape_md
from dashboard.text import error_message, t
from dashboard.views import _common as ui
from explainers import ImportanceInterval

_FEW_VALUES = 12


def _ties(analysis: services.Analysis, pairs: tuple[tuple[str, str], ...]) -> str:
    """The pairs of features that cannot be told apart, as one plain sentence."""
    if not pairs:
        return t("audit.ties_none")
    shown = [
        t(
            "audit.tie_pair",
            a=escape_md(analysis.display(a), max_len=40),
            b=escape_md(analysis.display(b), max_len=40),
        )
        for a, b in pairs[:6]
    ]
    more = t("audit.ties_more", n=fmt_number(len(pairs) - 6)) if len(pairs) > 6 else ""
    return t("audit.ties", pairs="; ".join(shown), more=more)


def _interval_chart(
    analysis: services.Analysis,
    items: tuple[ImportanceInterval, ...],
    *,
    title: str,
    x_title: str,
    colour: str,
    key: str,
) -> None:
    fig = charts.interval_importance_figure(
        [analysis.display(i.feature) for i in items],
        [i.mean for i in items],
        [i.ci_low for i in items],
        [i.ci_high for i in items],
        colour=colour,
        title=title,
        x_title=x_title,
        interval_label=t("audit.interval"),
    )
    ui.chart(fig, key=key)


def _importance(analysis: services.Analysis) -> services.ImportanceAudit:
    st.subheader(t("audit.importance_title"), anchor=False)
    st.markdown(t("audit.importance_reading"))
    found = services.audit_importance(analysis)
    score = t(f"audit.score_{found.score}")
    left, right = st.columns(2)
    with left:
        _interval_chart(
            analysis,
            found.permutation,
            title=t("audit.permutation_title"),
            x_title=t("audit.permutation_x", score=score),
            colour=SERIES[0],
            key="audit_permutation_chart",
        )
        st.caption(t("audit.permutation_caption", n=fmt_number(found.n_validation), score=score))
        st.markdown(_ties(analysis, found.permutation_ties))
    with right:
        _interval_chart(
            analysis,
            found.shap,
            title=t("audit.shap_title"),
            x_title=t("chart.importance_x"),
            colour=ACCENT,
            key="audit_shap_chart",
        )
        st.caption(t("audit.shap_caption", n=fmt_number(found.n_shap_rows)))
        st.markdown(_ties(analysis, found.shap_ties))
    return found


def _effects(analysis: services.Analysis, ranking: list[str]) -> None:
    st.subheader(t("audit.effects_title"), anchor=False)
    st.markdown(t("audit.effects_reading"))
    left, right = st.columns([2, 1])
    feature = left.selectbox(
        t("audit.effects_feature"),
        options=ranking,
        format_func=analysis.display,
        key="w_audit_feature",
    )
    feature = feature or ranking[0]
    right.markdown("&nbsp;")
    centred = bool(
        right.toggle(t("audit.centred"), key="w_audit_centred", help=t("audit.centred_help"))
    )
    with st.spinner(t("audit.computing")):
        found = services.audit_effect(analysis, feature, centred=centred)
    name = analysis.display(feature)
    probability = found.unit == "probability"
    y_title = (
        t("audit.pdp_y_probability", label=found.output_label)
        if probability
        else t("audit.pdp_y_prediction", target=analysis.model.target_display)
    )
    if centred:
        y_title = t("audit.pdp_y_centred", what=y_title)
    fig = charts.partial_dependence_figure(
        found.grid,
        found.average,
        found.ice,
        categorical=found.kind == "categorical",
        probability=probability,
        centred=centred,
        title=t("audit.pdp_title", name=name),
        x_title=name,
        y_title=y_title,
        average_label=t("audit.pdp_average"),
        ice_label=t("audit.pdp_ice"),
    )
    ui.chart(fig, key="audit_pdp_chart")
    st.caption(t("audit.pdp_caption", n=fmt_number(found.n_rows)))
    if found.correlated_with:
        others = ", ".join(
            escape_md(analysis.display(c), max_len=40) for c in found.correlated_with
        )
        st.warning(
            t("audit.correlated", name=escape_md(name), others=others), icon=":material/warning:"
        )


def _errors(analysis: services.Analysis) -> None:
    st.subheader(t("audit.errors_title"), anchor=False)
    st.markdown(t("audit.errors_reading"))
    with st.spinner(t("audit.computing")):
        found = services.audit_errors(analysis)
    if found.error_definition == "misclassified":
        definition = t("audit.errors_misclassified")
    else:
        definition = t("audit.errors_worst", threshold=fmt_metric("mae", found.error_threshold))
    st.metric(
        t("audit.overall_error_rate"),
        fmt_percent(found.overall_error_rate, 1),
        help=definition,
    )
    st.caption(
        t(
            "audit.errors_caption",
            definition=definition,
            n=fmt_number(found.n_validation),
            errors=fmt_number(found.n_errors),
        )
    )
    rules = sorted(found.rules, key=lambda r: -r.error_rate)
    frame = pd.DataFrame(
        {
            "rule": [r.rule for r in rules],
            "n": [r.n for r in rules],
            "error_rate": [100 * r.error_rate for r in rules],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            "rule": st.column_config.TextColumn(t("audit.col_rule"), width="large"),
            "n": st.column_config.NumberColumn(t("audit.col_rows"), format="localized"),
            "error_rate": st.column_config.ProgressColumn(
                t("audit.col_error_rate"), format="%.1f%%", min_value=0, max_value=100
            ),
        },
    )


def _default_column(analysis: services.Analysis, columns: list[str]) -> int:
    """The first column with few distinct values other than the target (e.g. sex)."""
    for i, column in enumerate(columns):
        few = services.distinct_values(analysis, column) <= _FEW_VALUES
        if few and column != analysis.schema.target:
            return i
    return 0


def _interval_text(metric: str, value: float, low: float | None, high: float | None) -> str:
    if low is None or high is None or not np.isfinite(low) or not np.isfinite(high):
        return fmt_metric(metric, value)
    return t(
        "audit.value_interval",
        value=fmt_metric(metric, value),
        low=fmt_metric(metric, low),
        high=fmt_metric(metric, high),
    )


def _groups(analysis: services.Analysis) -> None:
    st.subheader(t("audit.groups_title"), anchor=False)
    st.markdown(t("audit.groups_reading"))
    columns = services.group_columns(analysis)
    if state.widget_value("w_audit_group") not in columns:
        state.set_widget_value("w_audit_group", columns[_default_column(analysis, columns)])
    column = st.selectbox(
        t("audit.groups_column"),
        options=columns,
        format_func=lambda c: services.column_display(analysis, c),
        key="w_audit_group",
        help=t("audit.groups_column_help"),
    )
    threshold = state.threshold()
    try:
        with st.spinner(t("audit.computing")):
            report = services.audit_groups(analysis, str(column), threshold=threshold)
    except services.data_error_types() as error:
        st.warning(error_message(error), icon=":material/warning:")
        return
    if report.threshold is not None:
        st.caption(t("audit.threshold", threshold=fmt_number(report.threshold, 2)))
    metrics = list(report.groups[0].metrics) if report.groups else []
    labels = [t(f"audit.metric_{m}") for m in metrics]
    nan = float("nan")
    values = np.array([[g.metrics[m] for m in metrics] for g in report.groups])
    low = np.array([[g.ci_low.get(m, nan) for m in metrics] for g in report.groups])
    high = np.array([[g.ci_high.get(m, nan) for m in metrics] for g in report.groups])
    fig = charts.group_metrics_figure(
        [g.value for g in report.groups],
        metrics,
        values.reshape(len(report.groups), len(metrics)),
        low.reshape(len(report.groups), len(metrics)),
        high.reshape(len(report.groups), len(metrics)),
        metric_labels=labels,
        title=t("audit.groups_chart", name=report.column),
        y_title=t("audit.groups_y"),
        interval_label=t("audit.interval"),
    )
    ui.chart(fig, key="audit_groups_chart")
    table: dict[str, list[object]] = {
        t("audit.col_group"): [g.value for g in report.groups],
        t("audit.col_rows"): [fmt_number(g.n) for g in report.groups],
    }
    for m, label in zip(metrics, labels, strict=True):
        table[label] = [
            _interval_text(m, g.metrics[m], g.ci_low.get(m), g.ci_high.get(m))
            for g in report.groups
        ]
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    gaps = pd.DataFrame(
        {
            t("audit.col_metric"): labels,
            t("audit.col_difference"): [fmt_metric(m, report.difference.get(m)) for m in metrics],
            t("audit.col_ratio"): [fmt_number(report.ratio.get(m), 2) for m in metrics],
        }
    )
    st.markdown(t("audit.gaps", n_boot=fmt_number(report.n_boot)))
    st.dataframe(gaps, hide_index=True, width="stretch")


def _body() -> None:
    ui.page_header("audit.title", "audit.intro")
    analysis = ui.current_analysis()
    if analysis is None:
        return
    ui.show_notices()
    if not state.audit_requested(analysis.key):
        ask = st.empty()
        with ask.container():
            st.info(t("audit.run_hint"), icon=":material/info:")
            clicked = st.button(t("audit.run"), type="primary", key="w_audit_run")
        if not clicked:
            return
        state.request_audit(analysis.key)
        ask.empty()
    with st.spinner(t("audit.computing")):
        found = _importance(analysis)
    st.divider()
    ranking = [i.feature for i in found.permutation]
    _effects(analysis, ranking)
    st.divider()
    _errors(analysis)
    st.divider()
    _groups(analysis)


ui.run_page(_body)
