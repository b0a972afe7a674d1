"""The parts of the pages that are only for a survival (time-to-event) model.

The Model page's concordance, time-dependent AUC, integrated Brier score and observed
survival by risk group; the Local page's relative hazard and survival curve; the What-if
page's curves before and after an edit. Not a page itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, services
from dashboard.display.prediction import RowPrediction
from dashboard.i18n import fmt_number, fmt_percent
from dashboard.safe_text import escape_md
from dashboard.text import t, unit_label
from dashboard.views import _common as ui
from dashboard.views import _rows

METRICS = ["c_index", "mean_auc", "integrated_brier"]


def _time_axis(outcome: services.SurvivalOutcome) -> str:
    return t("survival.time_axis", time=outcome.time)


def _horizon_text(outcome: services.SurvivalOutcome) -> str:
    return _rows.time_text(outcome, outcome.horizon)


def model_section(analysis: services.Analysis) -> None:
    """The Model page of a survival model: its metrics on the validation rows and charts."""
    ev = analysis.evaluation.survival
    if ev is None:
        return
    outcome = services.survival_outcome(analysis)
    ui.metric_row(ev.metrics, METRICS)
    low, high = ev.c_index_interval
    events = int(np.sum(ev.event))
    st.caption(
        t(
            "survival.metrics_caption",
            low=fmt_number(low, 3),
            high=fmt_number(high, 3),
            n=fmt_number(ev.n_bootstrap),
            events=fmt_number(events),
            rows=fmt_number(len(ev.event)),
            time=escape_md(outcome.time),
            event=escape_md(outcome.event),
        )
    )
    left, right = st.columns(2, gap="large")
    with left:
        ui.chart(km_figure(analysis), key="km_chart")
    with right:
        ui.chart(auc_figure(analysis), key="time_auc_chart")
    st.caption(t("survival.charts_reading"))


def km_figure(analysis: services.Analysis) -> go.Figure:
    """Kaplan–Meier curves of the validation rows by tertile of predicted hazard."""
    ev = analysis.evaluation.survival
    assert ev is not None  # a survival model's evaluation has its survival part
    outcome = services.survival_outcome(analysis)
    groups = [(c.group, c.time, c.survival, c.n_rows, c.n_events) for c in ev.kaplan_meier]
    return charts.kaplan_meier_figure(
        groups,
        unit=unit_label(outcome.time_unit),
        title=t("survival.km_title"),
        subtitle=t("survival.km_subtitle"),
        x_title=_time_axis(outcome),
        y_title=t("survival.survival_axis"),
        low_name=t("survival.group_low"),
        middle_name=t("survival.group_middle"),
        high_name=t("survival.group_high"),
        counts_label=t(
            "survival.group_counts", n_rows="{n_rows}", n_events="{n_events}"
        ),  # template
        empty_message=t("survival.no_rows"),
    )


def auc_figure(analysis: services.Analysis) -> go.Figure:
    """The time-dependent AUC of the validation rows at the stated times."""
    ev = analysis.evaluation.survival
    assert ev is not None  # a survival model's evaluation has its survival part
    outcome = services.survival_outcome(analysis)
    return charts.time_auc_figure(
        ev.auc_times,
        ev.auc,
        ev.mean_auc,
        unit=unit_label(outcome.time_unit),
        title=t("survival.auc_title"),
        mean_label=t("survival.auc_mean", mean="{mean}"),  # a template the chart fills
        x_title=_time_axis(outcome),
        y_title=t("metric.auc"),
        chance_name=t("chart.chance"),
        empty_message=t("survival.auc_empty"),
    )


def headline(
    analysis: services.Analysis,
    position: int,
    row: RowPrediction,
    cols: list[st.delta_generator.DeltaGenerator],
) -> None:
    """The row's relative hazard against the average patient, and what happened to it."""
    outcome = services.survival_outcome(analysis)
    ratio = float(services.hazard_ratio(analysis, row.margin))
    chance = services.survival_at(analysis, row.margin, outcome.horizon)
    average = services.survival_at(analysis, row.base_margin, outcome.horizon)
    cols[0].metric(
        t("local.hazard_vs_average"),
        t("unit.times", value=fmt_number(ratio, 2)),
        delta=t(
            "local.no_event_by",
            event=escape_md(outcome.event),
            time=escape_md(_horizon_text(outcome)),
            value=fmt_percent(chance, 0),
            average=fmt_percent(average, 0),
        ),
        delta_color="off",
        delta_arrow="off",
        help=t("local.hazard_help"),
        border=True,
    )
    time = analysis.dataset.time
    assert time is not None  # a survival dataset has its follow-up times
    had_event = int(analysis.dataset.y[position]) == 1
    when = _rows.time_text(outcome, float(time[position]))
    cols[1].metric(
        t("local.actual"),
        t("local.event_short") if had_event else t("local.censored_short"),
        delta=t("local.event_when" if had_event else "local.censored_when", time=when),
        delta_color="off",
        delta_arrow="off",
        border=True,
    )


def _curve_chart(
    analysis: services.Analysis, curves: dict[str, np.ndarray], times: np.ndarray, key: str
) -> None:
    outcome = services.survival_outcome(analysis)
    fig = charts.survival_curve_figure(
        times,
        curves,
        unit=unit_label(outcome.time_unit),
        marker_time=outcome.horizon,
        marker_name=t("survival.horizon_marker"),
        title=t("survival.curve_title", event=outcome.event),
        x_title=_time_axis(outcome),
        y_title=t("survival.survival_axis"),
    )
    ui.chart(fig, key=key, kept=True)  # redrawn with every row switch or edit


def row_curve(analysis: services.Analysis, position: int) -> None:
    """The row's predicted survival curve beside the average patient's."""
    times = services.time_grid(analysis)
    mine = services.curves_of(analysis, analysis.dataset.X.iloc[[position]])
    curves = {
        t("survival.average_patient"): services.average_curve(analysis, times),
        t("survival.this_patient"): mine.survival[0],
    }
    _curve_chart(analysis, curves, times, "survival_curve_chart")


def edited_curves(analysis: services.Analysis, position: int, edited: pd.DataFrame) -> None:
    """The survival curves of the average patient, the row, and the row after the edit."""
    times = services.time_grid(analysis)
    both = pd.concat([analysis.dataset.X.iloc[[position]], edited], ignore_index=True)
    found = services.curves_of(analysis, both.astype(analysis.dataset.X.dtypes.to_dict()))
    curves = {
        t("survival.average_patient"): services.average_curve(analysis, times),
        t("whatif.original_short"): found.survival[0],
        t("whatif.new_short"): found.survival[1],
    }
    _curve_chart(analysis, curves, times, "whatif_survival_chart")
