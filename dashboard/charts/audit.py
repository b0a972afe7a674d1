"""Plotly figures for the Audit page: importance with intervals, partial dependence with ICE,
per-group metrics with intervals, error rate along a feature.

Plain arrays in, ``go.Figure`` out; every visible word is a keyword argument.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.charts.kit import (
    ACCENT,
    NEUTRAL,
    SERIES,
    _fmt,
    _names_axis,
    _same_length,
    _style,
    _text,
    _tick,
    _tpl,
)


def interval_importance_figure(
    names: Sequence[str],
    mean: Sequence[float] | np.ndarray,
    low: Sequence[float] | np.ndarray,
    high: Sequence[float] | np.ndarray,
    *,
    top: int | None = 15,
    colour: str = ACCENT,
    title: str = "Importance",
    x_title: str = "importance",
    interval_label: str = "95% interval",
) -> go.Figure:
    """Horizontal importance bars, largest on top, with 95% interval error bars.

    Parameters
    ----------
    names : Sequence[str]
        Feature names.
    mean, low, high : array-like
        Each feature's importance and the ends of its interval.
    top : int or None
        Show the ``top`` largest means; None shows all.
    colour : str
        Bar colour.
    title, x_title, interval_label : str
        Visible text.

    Returns
    -------
    go.Figure
        One bar trace; ``x`` holds the shown means, largest first (first bar on top),
        ``error_x.array`` = ``high - mean`` and ``error_x.arrayminus`` = ``mean - low``,
        ``customdata`` the escaped full names.
    """
    _same_length(names=names, mean=mean, low=low, high=high)
    m = np.asarray(mean, dtype=float)
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    order = np.argsort(-np.nan_to_num(m, nan=-np.inf), kind="stable")
    if top is not None:
        order = order[: max(0, int(top))]
    shown = [names[i] for i in order]
    interval = [f"{_fmt(lo[i])} – {_fmt(hi[i])}" for i in order]
    fig = go.Figure(
        go.Bar(
            x=m[order],
            y=list(range(len(order))),
            orientation="h",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": hi[order] - m[order],
                "arrayminus": m[order] - lo[order],
                "color": NEUTRAL,
                "thickness": 1.5,
                "width": 4,
            },
            customdata=[[_text(name), text] for name, text in zip(shown, interval, strict=True)],
            marker={"color": colour},
            hovertemplate=(
                f"%{{customdata[0]}}<br>{_tpl(x_title)}: %{{x:.4g}}<br>"
                f"{_tpl(interval_label)}: %{{customdata[1]}}<extra></extra>"
            ),
            showlegend=False,
        )
    )
    _names_axis(fig, shown, autorange="reversed", showgrid=False)
    return _style(fig, title=title, x_title=x_title, height=max(260, 26 * len(order) + 110))


def partial_dependence_figure(
    grid: Sequence[float | str],
    average: Sequence[float] | np.ndarray,
    ice: np.ndarray | None = None,
    *,
    categorical: bool = False,
    probability: bool = False,
    centred: bool = False,
    title: str = "Partial dependence",
    x_title: str = "feature value",
    y_title: str = "prediction",
    average_label: str = "Average (PDP)",
    ice_label: str = "One row (ICE)",
) -> go.Figure:
    """The average prediction along a feature's grid (PDP) over one thin line per row (ICE).

    Parameters
    ----------
    grid : Sequence
        The values the feature was set to (numbers, or category labels when
        ``categorical``).
    average : array-like
        The average prediction at each grid value.
    ice : np.ndarray or None
        ``(rows, len(grid))`` curves of single rows; None draws none.
    categorical : bool
        Category labels on the x axis (markers at each category).
    probability : bool
        The y axis is a probability: fixed to 0..1 unless ``centred``.
    centred : bool
        The curves start at 0 (changes from the first grid value).
    title, x_title, y_title, average_label, ice_label : str
        Visible text.

    Returns
    -------
    go.Figure
        An ICE trace (all rows in one line, separated by gaps), when given, then the
        average trace, whose ``y`` equals ``average``.
    """
    avg = np.asarray(average, dtype=float)
    if len(grid) != len(avg):
        raise ValueError(f"Expected one average per grid value; got {len(avg)} for {len(grid)}.")
    x: list[object] = [_tick(g, 24) for g in grid] if categorical else list(grid)
    fig = go.Figure()
    if ice is not None and len(ice):
        curves = np.asarray(ice, dtype=float)
        xs: list[object] = []
        ys: list[float | None] = []
        for curve in curves:
            xs += [*x, None]
            ys += [*curve.tolist(), None]
        fig.add_trace(
            go.Scattergl(
                x=xs,
                y=ys,
                mode="lines",
                name=_text(ice_label),
                line={"color": "rgba(139,141,152,0.18)", "width": 1},
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=avg,
            mode="lines+markers" if categorical or len(avg) <= 12 else "lines",
            name=_text(average_label),
            line={"color": SERIES[0], "width": 3},
            marker={"size": 7},
            hovertemplate=f"{_tpl(x_title)}: %{{x}}<br>{_tpl(y_title)}: %{{y:.4g}}<extra></extra>",
        )
    )
    if probability and not centred:
        fig.update_yaxes(range=[0, 1], tickformat=".0%")
    elif probability:
        fig.update_yaxes(tickformat="+.0%")
    if categorical:
        fig.update_xaxes(type="category")
    return _style(fig, title=title, x_title=x_title, y_title=y_title, height=420)


def group_metrics_figure(
    groups: Sequence[str],
    metrics: Sequence[str],
    values: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    *,
    metric_labels: Sequence[str] | None = None,
    title: str = "Metrics by group",
    y_title: str = "value",
    interval_label: str = "95% interval",
) -> go.Figure:
    """Grouped bars: one group of bars per metric, one bar (and colour) per group, with
    95% interval error bars.

    Parameters
    ----------
    groups : Sequence[str]
        Group values (one trace each, in this order).
    metrics : Sequence[str]
        Metric names (the x positions).
    values, low, high : np.ndarray
        ``(len(groups), len(metrics))``: each group's metric and its interval (NaN
        where undefined).
    metric_labels : Sequence[str] or None
        Visible metric names (default: ``metrics``).
    title, y_title, interval_label : str
        Visible text.

    Returns
    -------
    go.Figure
        One bar trace per group; ``y`` its metrics, ``error_y.array`` = ``high - y``,
        ``error_y.arrayminus`` = ``y - low``.
    """
    v = np.asarray(values, dtype=float)
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    shape = (len(groups), len(metrics))
    if v.shape != shape or lo.shape != shape or hi.shape != shape:
        raise ValueError(f"values, low and high must all have shape {shape}.")
    labels = [_text(m) for m in (metric_labels or metrics)]
    fig = go.Figure()
    for g, group in enumerate(groups):
        fig.add_trace(
            go.Bar(
                x=labels,
                y=v[g],
                name=_tick(group, 30),
                marker={"color": SERIES[g % len(SERIES)]},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": hi[g] - v[g],
                    "arrayminus": v[g] - lo[g],
                    "color": NEUTRAL,
                    "thickness": 1.5,
                    "width": 3,
                },
                customdata=[[_fmt(a), _fmt(b)] for a, b in zip(lo[g], hi[g], strict=True)],
                hovertemplate=(
                    f"{_tpl(group)}<br>%{{x}}: %{{y:.3f}}<br>{_tpl(interval_label)}: "
                    "%{customdata[0]} – %{customdata[1]}<extra></extra>"
                ),
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    return _style(fig, title=title, y_title=y_title, height=400)


def error_rate_figure(
    labels: Sequence[str],
    counts: Sequence[int],
    rates: Sequence[float] | np.ndarray,
    *,
    overall: float | None = None,
    title: str = "Error rate",
    x_title: str = "feature value",
    y_title: str = "error rate",
    rows_label: str = "rows",
    overall_label: str = "all validation rows",
) -> go.Figure:
    """Bars of the error rate in each bin of a feature, with the overall rate as a line.

    Parameters
    ----------
    labels : Sequence[str]
        Bin labels, in value order (plain text).
    counts : Sequence[int]
        Validation rows in each bin (shown on hover).
    rates : Sequence[float] or np.ndarray
        Error rate of each bin, in [0, 1].
    overall : float or None
        The error rate over all validation rows (a dashed line), or None.
    title, x_title, y_title, rows_label, overall_label : str
        Visible text.

    Returns
    -------
    go.Figure
        One bar trace: ``x`` the labels, ``y`` the rates; ``customdata`` the counts.
    """
    _same_length(labels=labels, counts=counts, rates=rates)
    y = np.asarray(rates, dtype=float)
    fig = go.Figure(
        go.Bar(
            x=[_tick(label, 24) for label in labels],
            y=y,
            marker={"color": ACCENT},
            customdata=np.asarray(counts, dtype=float),
            hovertemplate=(
                f"%{{x}}<br>{_tpl(y_title)}: %{{y:.1%}}<br>{_tpl(rows_label)}: "
                "%{customdata:,.0f}<extra></extra>"
            ),
            name=_text(y_title),
            showlegend=False,
        )
    )
    if overall is not None and np.isfinite(overall):
        fig.add_hline(
            y=overall,
            line={"dash": "dash", "color": NEUTRAL, "width": 1.5},
            annotation_text=_text(overall_label),
            annotation_position="top left",
        )
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(type="category")
    return _style(fig, title=title, x_title=x_title, y_title=y_title, height=380)
