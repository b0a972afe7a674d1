"""Plotly figures for survival (time-to-event) models: observed and predicted survival.

The Model page draws the Kaplan-Meier curves of the validation rows by predicted risk
group and the time-dependent AUC; the Local and what-if pages draw a patient's
predicted survival curve against the average patient's. Plain arrays in,
``go.Figure`` out; every visible word is a keyword argument with an English default,
and labels are escaped. Survival is drawn on a fixed 0-100% axis, so curves of
different charts compare at a glance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.charts.kit import (
    ACCENT,
    NEUTRAL,
    SERIES,
    _as_1d,
    _empty,
    _fmt,
    _inside_legend,
    _reference_line,
    _same_length,
    _style,
    _text,
    _tpl,
    _with_unit,
)

Values = Sequence[float] | np.ndarray
KaplanMeierGroup = tuple[str, Values, Values, int, int]
"""One risk group: ``(group, time, survival, n_rows, n_events)``."""

GROUP_COLOURS = {"low": SERIES[0], "middle": SERIES[1], "high": SERIES[5]}
"""Low risk blue (calm), middle orange, high vermillion (warm): Okabe-Ito, colour-blind safe."""
PATIENT = SERIES[0]
"""The patient's predicted survival curve."""
EDITED = ACCENT
"""The patient's curve after a what-if edit (the what-if chart's colour of a new value)."""

_UNIT_RANGE = [-0.02, 1.02]
_TIME = ",.5~g"
"""d3 format of a time in hover text: up to five significant digits, thousands commas."""


def _value_at(x: np.ndarray, y: np.ndarray, at: float) -> float:
    """The value of a step curve at time ``at`` (its last corner at or before it)."""
    i = int(np.searchsorted(x, at, side="right")) - 1
    return float(y[max(i, 0)]) if len(y) else float("nan")


def _legend_below(fig: go.Figure) -> go.Figure:
    """Put the legend under the plot in a row (it wraps in a narrow column), off the curves."""
    place = {"orientation": "h", "xanchor": "left", "x": 0.0, "yref": "container"}
    fig.update_layout(legend=place | {"yanchor": "bottom", "y": 0.0, "bgcolor": "rgba(0,0,0,0)"})
    return fig


def _place_legend(fig: go.Figure, lines: Sequence[tuple[np.ndarray, np.ndarray]]) -> go.Figure:
    """Put a short legend where falling survival curves leave room: a corner, else below.

    The bottom-left corner is free when every curve is still above 35% at 45% of the
    time axis; the top-right one when every curve has fallen below 65% by 55% of it
    (or ended before). Otherwise the legend goes below the plot.
    """
    kept = [(x, y) for x, y in lines if len(x)]
    span = max((float(np.nanmax(x)) for x, _ in kept), default=0.0)
    low_left = all(_value_at(x, y, 0.45 * span) >= 0.35 for x, y in kept)
    high_right = all(x[-1] < 0.55 * span or _value_at(x, y, 0.55 * span) <= 0.65 for x, y in kept)
    if not (low_left or high_right):
        return _legend_below(fig)
    corner = (
        {"xanchor": "left", "x": 0.01, "yanchor": "bottom", "y": 0.02}
        if low_left
        else {"xanchor": "right", "x": 0.99, "yanchor": "top", "y": 0.98}
    )
    fig.update_layout(legend={"orientation": "v", "bgcolor": "rgba(128,128,128,0.08)"} | corner)
    return fig


def _survival_axis(fig: go.Figure) -> go.Figure:
    """Survival on a fixed 0..1 axis with percent ticks every 20%, time from zero."""
    fig.update_yaxes(range=_UNIT_RANGE, tickformat=".0%", tick0=0, dtick=0.2)
    fig.update_xaxes(rangemode="tozero")
    return fig


def _hover(x_word: str, y_word: str, unit: str | None, name: str) -> str:
    """Hover text of a survival curve: the time (with unit), survival in percent, the name."""
    suffix = f" {_tpl(unit)}" if unit else ""
    return (
        f"{_tpl(x_word)}: %{{x:{_TIME}}}{suffix}<br>{_tpl(y_word)}: %{{y:.1%}}"
        f"<extra>{_tpl(name)}</extra>"
    )


def _counts(template: str, n_rows: int, n_events: int) -> str:
    """Fill ``{n_rows}`` and ``{n_events}`` in a (translated) template, with thousands commas."""
    return template.replace("{n_rows}", f"{n_rows:,}").replace("{n_events}", f"{n_events:,}")


def kaplan_meier_figure(
    curves: Sequence[KaplanMeierGroup],
    *,
    unit: str | None = None,
    title: str = "Observed survival by predicted risk",
    subtitle: str | None = None,
    x_title: str = "Time",
    y_title: str = "Survival",
    low_name: str = "Low risk",
    middle_name: str = "Middle risk",
    high_name: str = "High risk",
    counts_label: str = "n={n_rows}, events={n_events}",
    empty_message: str = "No validation rows to draw",
) -> go.Figure:
    """Kaplan-Meier curves of the validation rows in each tertile of predicted risk.

    A model that ranks risk well separates the curves: the high-risk group's
    observed survival falls fastest.

    Parameters
    ----------
    curves : Sequence[tuple[str, array, array, int, int]]
        One ``(group, time, survival, n_rows, n_events)`` per risk group, drawn in
        this order: ``time`` and ``survival`` are the step function's corners (as from
        scikit-survival's ``kaplan_meier_estimator``, with ``(0, 1)`` prepended);
        ``n_rows`` and ``n_events`` are the group's rows and events. A group of
        ``"low"``, ``"middle"`` or ``"high"`` is named by ``low_name``... and coloured
        blue, orange, vermillion; any other group is shown as given, coloured by position.
    unit : str or None
        Unit of time (``"days"``), added to the x title and hover.
    title, subtitle, x_title, y_title : str
        Visible text (plain; escaped here); ``subtitle`` None leaves it out.
    low_name, middle_name, high_name : str
        Legend words of the three risk groups.
    counts_label : str
        Added to each legend name in parentheses; ``{n_rows}`` and ``{n_events}`` are
        filled in.
    empty_message : str
        Shown in place of the chart when ``curves`` is empty.

    Returns
    -------
    go.Figure
        One step line (``line.shape`` ``"hv"``) per group, ``x`` time and ``y``
        survival (0..1, percent ticks). The legend is under the plot: its names are
        long, and the chart often sits in a narrow column.

    Raises
    ------
    ValueError
        If a group's time and survival differ in length or are not one-dimensional.
    """
    names = {"low": low_name, "middle": middle_name, "high": high_name}
    fig = go.Figure()
    for i, (group, time, survival, n_rows, n_events) in enumerate(curves):
        xs = _as_1d(time, f"time of group {group!r}")
        ys = _as_1d(survival, f"survival of group {group!r}")
        _same_length(time=xs, survival=ys)
        word = names.get(group, group)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=_text(f"{word} ({_counts(counts_label, n_rows, n_events)})"),
                line={
                    "color": GROUP_COLOURS.get(group, SERIES[i % len(SERIES)]),
                    "width": 2.5,
                    "shape": "hv",
                },
                hovertemplate=_hover(x_title, y_title, unit, word),
            )
        )
    if not curves:
        return _style(_empty(fig, empty_message), title=title, height=420, legend=False)
    styled = _style(
        _survival_axis(fig),
        title=title,
        subtitle=subtitle,
        x_title=_with_unit(x_title, unit),
        y_title=y_title,
        height=440,
    )
    return _legend_below(styled)


def time_auc_figure(
    times: Values,
    auc: Values,
    mean_auc: float,
    *,
    unit: str | None = None,
    title: str = "Time-dependent AUC",
    mean_label: str = "Mean over these times: {mean}",
    x_title: str = "Time",
    y_title: str = "AUC",
    chance_name: str = "Chance",
    empty_message: str = "Too few events to compute the AUC at any time",
) -> go.Figure:
    """The time-dependent (cumulative/dynamic) AUC at stated times, with the chance line.

    The AUC at time t is the chance that a patient who had the event by t was given a
    higher risk than one still event-free at t.

    Parameters
    ----------
    times : array-like
        The stated times (increasing), in the unit of follow-up.
    auc : array-like
        The AUC at each time (as from scikit-survival's ``cumulative_dynamic_auc``);
        NaN leaves a gap.
    mean_auc : float
        The AUC averaged over the times, shown in the subtitle (none when NaN).
    unit : str or None
        Unit of time, added to the x title and hover.
    title, x_title, y_title, chance_name : str
        Visible text (plain; escaped here).
    mean_label : str
        The subtitle; ``{mean}`` is replaced by the mean AUC with three decimals.
    empty_message : str
        Shown in place of the chart when no AUC is finite.

    Returns
    -------
    go.Figure
        The AUC line with markers and value labels (``x`` times, ``y`` AUC), then the
        dashed chance line at 0.5 from time 0 to the last time.

    Raises
    ------
    ValueError
        If ``times`` and ``auc`` differ in length or are not one-dimensional.
    """
    x, y = _as_1d(times, "times"), _as_1d(auc, "auc")
    _same_length(times=x, auc=y)
    if not np.isfinite(y).any():
        return _style(_empty(go.Figure(), empty_message), title=title, height=380, legend=False)
    suffix = f" {_tpl(unit)}" if unit else ""
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="lines+markers+text",
            name=_text(y_title),
            text=[f"{v:.3f}" if np.isfinite(v) else "" for v in y],
            textposition="top center",
            cliponaxis=False,
            line={"color": SERIES[0], "width": 2.5},
            marker={"size": 10},
            hovertemplate=(
                f"{_tpl(x_title)}: %{{x:{_TIME}}}{suffix}<br>{_tpl(y_title)}: %{{y:.3f}}"
                "<extra></extra>"
            ),
        )
    )
    fig.add_trace(_reference_line([0.0, float(np.max(x))], [0.5, 0.5], chance_name))
    fig.update_yaxes(range=_UNIT_RANGE)
    fig.update_xaxes(rangemode="tozero")
    mean = float(mean_auc)
    subtitle = mean_label.replace("{mean}", f"{mean:.3f}") if np.isfinite(mean) else None
    styled = _style(
        fig,
        title=title,
        subtitle=subtitle,
        x_title=_with_unit(x_title, unit),
        y_title=y_title,
        height=380,
    )
    return _inside_legend(styled, "right", 0.99, "bottom", 0.02)


def survival_curve_figure(
    time: Values,
    curves: Mapping[str, Values],
    *,
    reference: bool = True,
    unit: str | None = None,
    marker_time: float | None = None,
    marker_name: str = "Median follow-up",
    title: str = "Predicted survival",
    subtitle: str | None = None,
    x_title: str = "Time",
    y_title: str = "Survival",
) -> go.Figure:
    """A patient's predicted survival curve S(t) against the average patient's.

    Parameters
    ----------
    time : array-like
        The shared time grid of all curves (increasing, from 0).
    curves : Mapping[str, array-like]
        Legend label -> survival (0..1) at each ``time``, in this order: the reference
        (the average patient; only when ``reference``), the patient, then optionally
        the patient after a what-if edit. At most three curves.
    reference : bool
        Whether the first curve is the reference, drawn dashed grey; the next is the
        patient (solid blue) and the one after the edit (solid violet).
    unit : str or None
        Unit of time, added to the x title and hover.
    marker_time : float or None
        A time to mark with a dotted vertical line (such as the median follow-up);
        None: no line.
    marker_name : str
        Label of the marker line; its time (and unit) is added after a colon.
    title, subtitle, x_title, y_title : str
        Visible text (plain; escaped here); ``subtitle`` None leaves it out.

    Returns
    -------
    go.Figure
        One line per curve in the given order, ``x`` time and ``y`` survival (0..1,
        percent ticks); the marker is a layout shape with an annotation.

    Raises
    ------
    ValueError
        If there are no curves or too many, or a curve's length differs from ``time``.
    """
    x = _as_1d(time, "time")
    styles = [
        {"color": PATIENT, "width": 2.5},
        {"color": EDITED, "width": 2.5},
    ]
    if reference:
        styles.insert(0, {"color": NEUTRAL, "width": 2, "dash": "dash"})
    if not 1 <= len(curves) <= len(styles):
        raise ValueError(
            f"Expected 1 to {len(styles)} survival curves (reference={reference}); "
            f"got {len(curves)}."
        )
    fig = go.Figure()
    lines = []
    for (label, values), line in zip(curves.items(), styles[: len(curves)], strict=True):
        ys = _as_1d(values, f"survival of curve {label!r}")
        _same_length(time=x, survival=ys)
        lines.append((x, ys))
        fig.add_trace(
            go.Scatter(
                x=x,
                y=ys,
                mode="lines",
                name=_text(label),
                line=line,
                hovertemplate=_hover(x_title, y_title, unit, label),
            )
        )
    if marker_time is not None:
        at = float(marker_time)
        fig.add_vline(x=at, line={"color": NEUTRAL, "dash": "dot", "width": 1.5})
        words = f"{marker_name}: {_fmt(at)}" + (f" {unit}" if unit else "")
        share = at / float(np.nanmax(x)) if len(x) and np.nanmax(x) > 0 else 0.5
        fig.add_annotation(
            x=at,
            xref="x",
            xanchor="right" if share > 0.75 else "left" if share < 0.25 else "center",
            y=1.0,
            yref="paper",
            yanchor="bottom",
            text=_text(words),
            showarrow=False,
            font={"size": 12},
        )
    styled = _style(
        _survival_axis(fig),
        title=title,
        subtitle=subtitle,
        x_title=_with_unit(x_title, unit),
        y_title=y_title,
        height=400,
    )
    return _place_legend(styled, lines)
