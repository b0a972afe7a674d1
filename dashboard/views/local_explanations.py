"""Local page: one row's prediction, its SHAP waterfall, LIME beside SHAP, a plain summary."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, services, state
from dashboard.display.agreement import agreement
from dashboard.display.narrative import summarize
from dashboard.display.prediction import RowPrediction
from dashboard.i18n import fmt_number, fmt_percent
from dashboard.safe_text import escape_md
from dashboard.text import current_lang, t
from dashboard.views import _common as ui
from dashboard.views import _figures as figures
from dashboard.views import _rows, _survival

# The units a classifier's contributions can be shown in, the default first: probability
# along SHAP's path (binary), log-odds (TreeSHAP's exact values), probability points
# (Shapley values of the probability).
UNITS = {"binary": ["path", "log_odds", "shapley"], "multiclass": ["log_odds", "shapley"]}


def _headline(
    analysis: services.Analysis,
    position: int,
    row: RowPrediction,
    points: services.ProbabilityShap | None,
) -> None:
    """The row's prediction against the average prediction, both read from ``row``, or,
    given ``points``, against their base value (the mean prediction over their background
    rows): the waterfall's first and last bars show the same two numbers."""
    cols = st.columns([2, 1, 1])  # room for "vs. the average prediction (37.4%)"
    if analysis.is_survival:
        _survival.headline(analysis, position, row, cols)
    elif analysis.task == "regression":
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
        mean, versus = row.average, t("local.vs_average")
        if points is not None:
            background = figures.background_text(analysis, points)
            mean, versus = points.base_value, t("local.vs_background", background=background)
        change = fmt_number(100 * (row.prediction - mean), 1, signed=True)
        cols[0].metric(
            t("local.probability_of", label=escape_md(label)),
            fmt_percent(row.prediction, 1),
            delta=t("unit.points", value=change),
            delta_color="off",
            delta_description=f"{versus} ({fmt_percent(mean, 1)})",
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
    if np.isin(position, analysis.model.valid_index):
        split = t("local.validation")
    elif np.isin(position, analysis.model.train_index):
        split = t("local.training")
    else:  # outside the sample the model was fitted on
        split = t("local.not_fitted")
    cols[2].metric(t("local.split"), split, help=t("local.split_help"), border=True)


def _keep_lime_choice() -> None:
    state.set_preference("lime", bool(state.widget_value("w_local_lime")))


def _lime(analysis: services.Analysis, position: int, row: RowPrediction) -> None:
    """LIME beside SHAP, once the user turns it on (kept for the session): computing and
    drawing it with every row switch held the waterfall back by about a third."""
    st.subheader(t("local.lime_title"), anchor=False)
    st.caption(t("local.lime_caption"))
    state.set_widget_value("w_local_lime", bool(state.preference("lime", False)))
    shown = st.toggle(
        t("local.lime_toggle"),
        key="w_local_lime",
        help=t("local.lime_toggle_help"),
        on_change=_keep_lime_choice,
    )
    if not shown:
        return
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
        kept=True,
    )


def _values_table(
    analysis: services.Analysis,
    row: RowPrediction,
    values: list[str],
    points: services.ProbabilityShap | None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every feature's value and contribution: its SHAP value, or its probability points
    (with their standard error, in the same cell so the narrow column shows it, when
    estimated); returned with the contribution column's configuration."""
    if points is None:
        contributions, name, shown = row.shap, t("chart.shap"), "%+.4f"
    else:
        contributions, name, shown = 100 * points.values[0], t("local.points_column"), "%+.2f"
    cells: object = contributions
    column = st.column_config.NumberColumn(format=shown)
    if points is not None and points.std_error is not None:
        errors = 100 * points.std_error[0]
        cells = [
            f"{fmt_number(v, 2, signed=True)} ± {fmt_number(e, 2)}"
            for v, e in zip(contributions, errors, strict=True)
        ]
        column = st.column_config.TextColumn(help=t("local.std_error_help"))
    frame = pd.DataFrame(
        {t("chart.feature"): analysis.display_names, t("chart.value"): values, name: cells}
    ).iloc[np.argsort(-np.abs(contributions), kind="stable")]
    return frame, {name: column}


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
    summary = st.container()  # filled once the units are chosen below it
    units = _units(analysis)
    points = None
    if units == "shapley":
        with st.spinner(t("local.shapley_running")):
            class_index = 1 if analysis.task == "binary" else output
            points = services.row_probability_shap(analysis, position, class_index)
    # The rest is computed before any of it is drawn: the browser then gets the row's
    # elements in one burst and redraws the page once or twice, not once per element as they
    # trickle in between computations.
    values = _rows.value_texts(analysis, position)
    facts = _rows.narrative_facts(analysis, position, row, points)
    narrative = escape_md(summarize(facts, current_lang()), max_len=2000)
    title = t("chart.waterfall_title")
    if points is None:
        fig = figures.waterfall(analysis, row, values, raw=units == "log_odds", title=title)
    else:
        fig = figures.probability_points(analysis, points, values, title=title)
    table, table_columns = _values_table(analysis, row, values, points)
    with summary:
        _headline(analysis, position, row, points)
        st.info(narrative, icon=":material/record_voice_over:")
    if analysis.task == "multiclass" and units == "log_odds":
        st.caption(t("local.multiclass_margin"))
    left, right = st.columns([3, 2], gap="large")
    with left:
        ui.chart(fig, key="waterfall_chart", kept=True)  # redrawn with every row switch
        if points is not None:
            st.caption(_points_caption(analysis, points))
    with right:
        with st.expander(t("local.values_title"), icon=":material/list:"):
            st.dataframe(table, hide_index=True, width="stretch", column_config=table_columns)
        if analysis.is_survival:
            _survival.row_curve(analysis, position)
        st.page_link(ui.WHATIF_PAGE, label=t("local.to_whatif"), icon=":material/tune:")
    _lime(analysis, position, row)


def _units(analysis: services.Analysis) -> str:
    """The units the user chose for a classifier's contributions (see :data:`UNITS`);
    ``value`` for regression, which has one kind and no choice."""
    if analysis.task not in UNITS:
        return "value"
    options = UNITS[analysis.task]
    chosen = st.segmented_control(
        t("local.units"),
        options=options,
        default=options[0],
        format_func=lambda unit: t(f"local.units_{unit}"),
        key=f"w_local_units_{analysis.task}",
        help="\n\n".join(t(f"local.units_help_{unit}") for unit in options),
    )
    return chosen or options[0]


def _points_caption(analysis: services.Analysis, points: services.ProbabilityShap) -> str:
    """What the probability points are: the method, the background, and that they add up."""
    if points.std_error is None:
        method = t("local.shapley_exact", subsets=fmt_number(2 ** len(points.features)))
    else:
        method = t("local.shapley_estimate", k=fmt_number(points.permutations))
    return t(
        "local.shapley_caption",
        label=escape_md(points.output_label),
        background=figures.background_text(analysis, points),
        method=method,
        base=fmt_percent(points.base_value, 1),
        prediction=fmt_percent(float(points.predicted[0]), 1),
    )


ui.run_page(_body)
