"""A waterfall in probability points: Shapley values of the predicted probability.

The Local page's other waterfall (:func:`dashboard.charts.local.waterfall_figure`)
draws TreeSHAP's log-odds contributions, or walks them along the logistic curve.
Here each bar is a feature's Shapley value of the probability itself (percentage
points), so the bars add up to the row's predicted probability in any order, from
the mean prediction over a background of rows. When the values are estimated,
each feature's bar carries a whisker of plus or minus one standard error.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.charts.kit import (
    NEUTRAL,
    _as_1d,
    _percent_ticks,
    _same_length,
    _style,
    _text,
    _tick,
)
from dashboard.charts.local import waterfall_trace

__all__ = ["probability_points_figure"]

ADDITIVITY_TOLERANCE = 1e-6
"""Largest gap (in probability, 0..1) allowed between ``base + sum(points)`` and ``predicted``."""


def _percent(value: float) -> str:
    return f"{value:.1f}%"


def _points(value: float, suffix: str, *, signed: bool = True) -> str:
    """Percentage points to one decimal (two below 0.1), with a true minus: ``−10.9 pp``."""
    size = abs(value)
    digits = 1 if size >= 0.1 or size == 0 else 2
    sign = ("−" if value < 0 else "+") if signed else ""
    return f"{sign}{size:.{digits}f}{suffix}"


def probability_points_figure(
    base: float,
    names: Sequence[str],
    values: Sequence[str],
    points: Sequence[float] | np.ndarray,
    *,
    predicted: float,
    std_error: Sequence[float] | np.ndarray | None = None,
    max_features: int = 12,
    title: str = "Why this prediction",
    subtitle: str | None = None,
    x_title: str = "Predicted probability (%); bars in percentage points",
    base_label: str = "Mean prediction over the background rows",
    final_label: str = "This row",
    other_label: str = "{n} other features",
    points_suffix: str = " pp",
    error_label: str = "standard error",
) -> go.Figure:
    """A horizontal waterfall of Shapley values of a predicted probability.

    Features are sorted by |value|; the ``max_features`` largest get a bar each and
    the rest are lumped into one bar. Rows read top to bottom: the base (the mean
    prediction over the background), the features, the lumped bar, this row. The
    chart is in percent: the bars are ``100 * base``, ``100 * points`` (percentage
    points) and ``100 * predicted``, and they add up exactly.

    Parameters
    ----------
    base : float
        The mean predicted probability (0..1) over the background rows.
    names : Sequence[str]
        Feature names.
    values : Sequence[str]
        Each feature's value as display text, e.g. ``"168 mg/dL"``.
    points : array-like
        Each feature's Shapley value of the probability (0..1 scale).
    predicted : float
        The row's predicted probability (0..1); ``base + sum(points)`` must match it.
    std_error : array-like or None
        Each value's standard error (0..1 scale) when the values are estimated, drawn
        as a whisker of plus or minus one standard error at the end of the feature's
        bar and stated in its hover; None when they are exact. The lumped bar has no
        whisker: the errors of different features are correlated, so their sum's
        error is not known from them.
    max_features : int
        Bars drawn for single features (all of them when only one would be lumped).
    title, subtitle, x_title, base_label, final_label : str
        Visible text (the subtitle, e.g. the method, may be None).
    other_label : str
        Label of the lumped bar; ``{n}`` is the number lumped.
    points_suffix, error_label : str
        Suffix of percentage points and the hover word for the standard error.

    Returns
    -------
    go.Figure
        A ``go.Waterfall`` (``measure`` absolute, relative..., total; ``x`` in percent)
        and, with ``std_error``, a ``go.Scatter`` whose ``error_x.array`` holds the
        standard errors (percentage points) of the single-feature bars, in bar order.

    Raises
    ------
    ValueError
        If the inputs differ in length, a standard error is negative, or
        ``base + sum(points)`` is not ``predicted``.
    """
    contrib = _as_1d(points, "points")
    _same_length(names=names, values=values, points=contrib)
    spread = None if std_error is None else _as_1d(std_error, "std_error")
    if spread is not None:
        _same_length(points=contrib, std_error=spread)
        if np.any(spread < 0):
            raise ValueError("std_error must not be negative.")
    total = float(base) + float(contrib.sum())
    if abs(total - float(predicted)) > ADDITIVITY_TOLERANCE:
        raise ValueError(
            f"base + sum(points) is {total:.6g} but predicted is {predicted:.6g}; pass the "
            "base value, Shapley values and prediction of one class's probability."
        )
    order = np.argsort(-np.abs(contrib), kind="stable")
    shown = len(order) if len(order) == max_features + 1 else max(0, max_features)
    kept, lumped = order[:shown], order[shown:]  # a bar of one "other" feature is that feature
    labels, ticks = [_text(base_label)], [_tick(base_label)]
    steps = [100 * float(x) for x in contrib[kept]]
    errors = [] if spread is None else [100 * float(s) for s in spread[kept]]
    for i in kept:
        labels.append(f"{_text(names[i])} = {_text(values[i])}")
        ticks.append(f"{_tick(names[i], 28)} = {_tick(values[i], 14)}")
    if len(lumped):
        other = other_label.replace("{n}", str(len(lumped)))
        labels.append(_text(other))
        ticks.append(_tick(other))
        steps.append(100 * float(contrib[lumped].sum()))
    labels.append(_text(final_label))
    ticks.append(_tick(final_label))
    bars = [100 * float(base), *steps, 100 * float(predicted)]
    text = [_percent(bars[0]), *(_points(s, points_suffix) for s in steps), _percent(bars[-1])]
    hover = list(text)
    for j, error in enumerate(errors, start=1):
        hover[j] += f" ± {_points(error, points_suffix, signed=False)} ({_text(error_label)})"
    fig = go.Figure(waterfall_trace(bars, text, labels, hover))
    path = bars[0] + np.concatenate([[0.0], np.cumsum(steps)])
    ends = path[1 : len(errors) + 1]  # where each single-feature bar ends
    if errors:
        fig.add_trace(
            go.Scatter(
                x=ends,
                y=list(range(1, len(errors) + 1)),
                mode="markers",
                marker={"size": 1, "color": "rgba(0,0,0,0)"},
                error_x={
                    "type": "data",
                    "array": errors,
                    "symmetric": True,
                    "color": NEUTRAL,
                    "thickness": 2,
                    "width": 6,
                },
                hoverinfo="skip",
                showlegend=False,
            )
        )
    whiskers = np.asarray(errors, dtype=float)
    reach = np.concatenate([path, [bars[-1]], ends - whiskers, ends + whiskers])
    low, high = float(reach.min()), float(reach.max())
    span = high - low if high > low else 1.0
    window = [low - 0.4 * span, high + 0.3 * span]  # room for the labels outside the bars
    fig.update_xaxes(
        range=window,
        ticksuffix="%",
        tickmode="array",
        tickvals=_percent_ticks(window[0], window[1]),
    )
    fig.update_yaxes(
        tickmode="array",
        tickvals=list(range(len(bars))),
        ticktext=ticks,
        autorange="reversed",
        showgrid=False,
        zeroline=False,
    )
    return _style(
        fig,
        title=title,
        subtitle=subtitle,
        x_title=x_title,
        height=max(280, 30 * len(bars) + 140),
        legend=False,
    )
