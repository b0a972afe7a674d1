"""The Audit page's cohorts: rows chosen by one column's values or by filters on any columns,
compared side by side (size, metrics, mean |SHAP| ranking, one feature's dependence)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, services, state
from dashboard.i18n import fmt_metric, fmt_number
from dashboard.safe_text import escape_md
from dashboard.services import cohorts as cohort_services
from dashboard.text import error_message, t
from dashboard.views import _audit_groups as group_sections
from dashboard.views import _common as ui

MODES = ["split", "filter"]
TOP_FEATURES = 10  # features in the side-by-side ranking
NONE = ""  # the "no second condition" option


def _condition(analysis: services.Analysis, i: int, columns: list[str]) -> object:
    """One condition of the custom cohort: a column and its values or range (None if unset)."""
    options = columns if i == 0 else [NONE, *columns]
    key = f"w_cohort_column_{i}"
    if i == 0 and state.widget_value(key) not in columns:
        state.set_widget_value(key, columns[group_sections.default_column(analysis, columns)])
    left, right = st.columns([1, 2])
    column = left.selectbox(
        t("cohorts.condition", n=i + 1),
        options=options,
        format_func=lambda c: t("cohorts.no_condition") if c == NONE else analysis.display(c),
        key=key,
    )
    if not column:
        return None
    column = str(column)
    if cohort_services.is_numeric_column(analysis, column):
        span = cohort_services.column_range(analysis, column)
        if span is None or span[0] == span[1]:
            right.caption(t("cohorts.one_value"))
            return None
        low, high = right.slider(
            t("cohorts.range", name=analysis.display(column)),
            min_value=span[0],
            max_value=span[1],
            value=span,
            key=f"w_cohort_range_{i}_{column}",
        )
        return services.CohortFilter(column, low=float(low), high=float(high))
    values = cohort_services.column_values(analysis, column)
    chosen = right.multiselect(
        t("cohorts.values", name=analysis.display(column)),
        options=values,
        default=values[:1],
        key=f"w_cohort_values_{i}_{column}",
    )
    return services.CohortFilter(column, values=tuple(str(v) for v in chosen)) if chosen else None


def _describe(analysis: services.Analysis, condition: services.CohortFilter) -> str:
    name = analysis.display(condition.column)
    if condition.values is not None:
        shown = ", ".join(condition.values[:3]) + ("…" if len(condition.values) > 3 else "")
        return f"{name} ∈ {{{shown}}}"
    return f"{fmt_number(condition.low)} ≤ {name} ≤ {fmt_number(condition.high)}"


def _chosen_cohorts(analysis: services.Analysis) -> list[services.Cohort]:
    columns = services.group_columns(analysis)
    mode = st.segmented_control(
        t("cohorts.mode"),
        options=MODES,
        default="split",
        format_func=lambda m: t(f"cohorts.mode_{m}"),
        key="w_cohort_mode",
    )
    if (mode or "split") == "split":
        if state.widget_value("w_cohort_split") not in columns:
            first = columns[group_sections.default_column(analysis, columns)]
            state.set_widget_value("w_cohort_split", first)
        column = st.selectbox(
            t("cohorts.split_column"),
            options=columns,
            format_func=lambda c: services.column_display(analysis, c),
            key="w_cohort_split",
            help=t("cohorts.split_help"),
        )
        return cohort_services.split_by(analysis, str(column))
    st.caption(t("cohorts.filter_help"))
    conditions = [_condition(analysis, i, columns) for i in range(2)]
    filters = [c for c in conditions if isinstance(c, services.CohortFilter)]
    if not filters:
        return []
    name = " & ".join(_describe(analysis, f) for f in filters)
    everyone = t("cohorts.all_rows")
    return [cohort_services.filtered_cohort(name, filters), services.Cohort(everyone)]


def _metrics_table(found: services.CohortComparison) -> pd.DataFrame:
    names = services.cohort_metric_names(found.task)
    table: dict[str, list[object]] = {
        t("cohorts.col_cohort"): [c.name + (" ⚠" if c.too_small else "") for c in found.cohorts],
        t("audit.col_rows"): [fmt_number(c.n_rows) for c in found.cohorts],
        t("cohorts.col_validation"): [fmt_number(c.n_validation) for c in found.cohorts],
    }
    for m in names:
        table[t(f"cohorts.metric_{m}")] = [fmt_metric(m, c.metrics.get(m)) for c in found.cohorts]
    return pd.DataFrame(table)


def _importance(analysis: services.Analysis, found: services.CohortComparison) -> None:
    scores = [dict(c.ranking) for c in found.cohorts]
    features = sorted(
        {f for s in scores for f in s}, key=lambda f: -max(s.get(f, 0.0) for s in scores)
    )[:TOP_FEATURES]
    if not features:
        return
    values = np.array([[s.get(f, np.nan) for f in features] for s in scores])
    fig = charts.cohort_importance_figure(
        [analysis.display(f) for f in features],
        [c.name for c in found.cohorts],
        values,
        title=t("cohorts.importance_title"),
        x_title=t("chart.importance_x"),
    )
    ui.chart(fig, key="audit_cohort_importance_chart")


def _dependence(analysis: services.Analysis, found: services.CohortComparison) -> None:
    if found.feature is None:
        return
    parts = [c for c in found.cohorts if c.dependence is not None]
    name = analysis.display(found.feature)
    fig = charts.cohort_dependence_figure(
        [c.name for c in parts],
        [c.dependence.values for c in parts if c.dependence is not None],
        [c.dependence.shap for c in parts if c.dependence is not None],
        categories=found.feature_categories,
        title=t("cohorts.dependence_title", name=name),
        x_title=name,
        y_title=t("cohorts.dependence_y", name=name),
    )
    ui.chart(fig, key="audit_cohort_dependence_chart")


def cohorts(analysis: services.Analysis, ranking: list[str]) -> None:
    """Choose cohorts; compare their size, metrics, ranking and one feature's dependence."""
    st.subheader(t("cohorts.title"), anchor=False)
    st.markdown(t("cohorts.reading"))
    chosen = _chosen_cohorts(analysis)
    if not chosen:
        st.info(t("cohorts.none"), icon=":material/info:")
        return
    output = 0
    if analysis.task == "multiclass":
        output = int(
            st.selectbox(
                t("cohorts.class"),
                options=list(range(len(analysis.class_labels))),
                format_func=lambda k: analysis.class_labels[k],
                key="w_cohort_class",
            )
            or 0
        )
    feature = st.selectbox(
        t("cohorts.feature"), options=ranking, format_func=analysis.display, key="w_cohort_feature"
    )
    try:
        with st.spinner(t("audit.computing")):
            found = cohort_services.compare(
                analysis, chosen, feature=str(feature or ranking[0]), output=output
            )
    except services.data_error_types() as error:
        st.warning(error_message(error), icon=":material/warning:")
        return
    st.dataframe(_metrics_table(found), hide_index=True, width="stretch")
    notes = [t("cohorts.metrics_caption", n=fmt_number(found.min_validation))]
    if found.overlap_rows:
        notes.append(t("cohorts.overlap", n=fmt_number(found.overlap_rows)))
    st.caption(" ".join(notes))
    if all(c.n_rows == 0 for c in found.cohorts[:1]):
        st.warning(t("cohorts.empty", name=escape_md(found.cohorts[0].name)))
    left, right = st.columns(2)
    with left:
        _importance(analysis, found)
    with right:
        _dependence(analysis, found)
