"""The Audit page's per-group section: metrics of each group of any column, with intervals,
and the largest gaps between groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import services, state
from dashboard.i18n import fmt_metric, fmt_number
from dashboard.text import error_message, t
from dashboard.views import _audit_figures as figures
from dashboard.views import _common as ui

FEW_VALUES = 12  # a column with at most this many values is offered first (e.g. sex)


def default_column(analysis: services.Analysis, columns: list[str]) -> int:
    """The first column with few distinct values other than the target (e.g. sex)."""
    for i, column in enumerate(columns):
        few = services.distinct_values(analysis, column) <= FEW_VALUES
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


def metrics_table(report: services.GroupReport) -> pd.DataFrame:
    """One row per group: its size and each metric with its 95% interval, as text."""
    metrics = list(report.groups[0].metrics) if report.groups else []
    table: dict[str, list[object]] = {
        t("audit.col_group"): [g.value for g in report.groups],
        t("audit.col_rows"): [fmt_number(g.n) for g in report.groups],
    }
    for m in metrics:
        table[t(f"audit.metric_{m}")] = [
            _interval_text(m, g.metrics[m], g.ci_low.get(m), g.ci_high.get(m))
            for g in report.groups
        ]
    return pd.DataFrame(table)


def gaps_table(report: services.GroupReport) -> pd.DataFrame:
    """One row per metric: the largest difference and the smallest ratio between groups."""
    metrics = list(report.groups[0].metrics) if report.groups else []
    return pd.DataFrame(
        {
            t("audit.col_metric"): [t(f"audit.metric_{m}") for m in metrics],
            t("audit.col_difference"): [fmt_metric(m, report.difference.get(m)) for m in metrics],
            t("audit.col_ratio"): [fmt_number(report.ratio.get(m), 2) for m in metrics],
        }
    )


def groups(analysis: services.Analysis) -> None:
    """Choose a column (used by the model or not); show its groups' metrics and gaps."""
    st.subheader(t("audit.groups_title"), anchor=False)
    st.markdown(t("audit.groups_reading"))
    columns = services.group_columns(analysis)
    if state.widget_value("w_audit_group") not in columns:
        state.set_widget_value("w_audit_group", columns[default_column(analysis, columns)])
    column = st.selectbox(
        t("audit.groups_column"),
        options=columns,
        format_func=lambda c: services.column_display(analysis, c),
        key="w_audit_group",
        help=t("audit.groups_column_help"),
    )
    threshold = state.threshold()
    state.set_audit_group_column(str(column))
    try:
        with st.spinner(t("audit.computing")):
            report = services.audit_groups(analysis, str(column), threshold=threshold)
    except services.data_error_types() as error:
        st.warning(error_message(error), icon=":material/warning:")
        return
    if report.threshold is not None:
        st.caption(t("audit.threshold", threshold=fmt_number(report.threshold, 2)))
    ui.chart(figures.groups(report), key="audit_groups_chart")
    st.dataframe(metrics_table(report), hide_index=True, width="stretch")
    st.markdown(t("audit.gaps", n_boot=fmt_number(report.n_boot)))
    st.dataframe(gaps_table(report), hide_index=True, width="stretch")
