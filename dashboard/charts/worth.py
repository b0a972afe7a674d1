"""Plotly figures for the Model page's "is the model worth it?" part: the validation score
against the number of trees (with the best and the compact model marked) and against the
number of training rows.

Plain arrays in, ``go.Figure`` out; every visible word is a keyword argument.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.charts.kit import (
    ACCENT,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    _as_1d,
    _fmt,
    _inside_legend,
    _same_length,
    _style,
    _text,
    _tpl,
)


def _reference(x: np.ndarray, value: float | None, name: str) -> go.Scatter | None:
    """A dashed grey horizontal line at ``value`` over the span of ``x`` (None: no line)."""
    if value is None or not np.isfinite(value) or not len(x):
        return None
    return go.Scatter(
        x=[float(np.min(x)), float(np.max(x))],
        y=[value, value],
        mode="lines",
        name=_text(f"{name} ({_fmt(value)})"),
        line={"color": NEUTRAL, "dash": "dash", "width": 1.5},
        hoverinfo="skip",
    )


def _marker(x: float, y: float, name: str, colour: str, symbol: str) -> go.Scatter:
    return go.Scatter(
        x=[x],
        y=[y],
        mode="markers",
        name=_text(name),
        marker={"color": colour, "size": 13, "symbol": symbol, "line": {"width": 1.5}},
        hovertemplate=f"{_tpl(name)}<extra></extra>",
    )


def tree_curve_figure(
    trees: Sequence[float] | np.ndarray,
    scores: Sequence[float] | np.ndarray,
    *,
    best_trees: int,
    compact_trees: int,
    reference: float | None = None,
    title: str = "Validation score by number of trees",
    x_title: str = "Trees",
    y_title: str = "Score",
    best_label: str = "Best",
    compact_label: str = "Compact model",
    reference_label: str = "Linear model",
) -> go.Figure:
    """The validation score after each boosting round, with the best and compact models.

    Parameters
    ----------
    trees : array-like
        Trees in the model after each round (increasing).
    scores : array-like
        The validation score after each round (higher is better).
    best_trees, compact_trees : int
        Trees of the best-scoring model and of the compact one (the fewest within the
        tolerance of the best); each must be one of ``trees``.
    reference : float or None
        A score to draw as a dashed horizontal line (the linear baseline's); None: none.
    title, x_title, y_title, best_label, compact_label, reference_label : str
        Visible text (plain; escaped here); the labels name the markers in the legend.

    Returns
    -------
    go.Figure
        The score line (``x`` trees, ``y`` scores), the best marker, the compact marker,
        then the reference line when given.

    Raises
    ------
    ValueError
        If ``trees`` and ``scores`` differ in length, or a marked model is not on the curve.
    """
    x, y = _as_1d(trees, "trees"), _as_1d(scores, "scores")
    _same_length(trees=x, scores=y)
    points = {}
    for name, value in (("best_trees", best_trees), ("compact_trees", compact_trees)):
        found = np.flatnonzero(x == value)
        if not len(found):
            raise ValueError(f"{name} must be one of the curve's tree counts; got {value}.")
        points[name] = int(found[0])
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            name=_text(y_title),
            line={"color": ACCENT, "width": 2.5},
            hovertemplate=f"{_tpl(x_title)}: %{{x}}<br>{_tpl(y_title)}: %{{y:.4f}}<extra></extra>",
            showlegend=False,
        )
    )
    best, compact = points["best_trees"], points["compact_trees"]
    fig.add_trace(_marker(x[best], y[best], best_label, POSITIVE, "star"))
    fig.add_trace(_marker(x[compact], y[compact], compact_label, NEGATIVE, "diamond"))
    line = _reference(x, reference, reference_label)
    if line is not None:
        fig.add_trace(line)
    styled = _style(fig, title=title, x_title=x_title, y_title=y_title, height=400)
    return _inside_legend(styled, "right", 0.99, "bottom", 0.02)


def learning_curve_figure(
    rows: Sequence[int] | np.ndarray,
    scores: Sequence[float] | np.ndarray,
    rounds: Sequence[int] | np.ndarray,
    *,
    reference: float | None = None,
    title: str = "Validation score by training rows",
    x_title: str = "Training rows",
    y_title: str = "Score",
    trees_label: str = "Rounds of trees",
    reference_label: str = "Linear model",
) -> go.Figure:
    """The validation score of the model retrained on more and more of its training rows.

    Parameters
    ----------
    rows : array-like
        Training rows of each retrained model (increasing).
    scores : array-like
        Each model's validation score (higher is better).
    rounds : array-like
        Boosting rounds each model kept (shown on hover).
    reference : float or None
        A score to draw as a dashed horizontal line (the linear baseline's); None: none.
    title, x_title, y_title, trees_label, reference_label : str
        Visible text (plain; escaped here).

    Returns
    -------
    go.Figure
        One line with markers (``x`` rows, ``y`` scores, ``customdata`` rounds), then
        the reference line when given.
    """
    x, y = _as_1d(rows, "rows"), _as_1d(scores, "scores")
    kept = _as_1d(rounds, "rounds")
    _same_length(rows=x, scores=y, rounds=kept)
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            customdata=kept,
            mode="lines+markers",
            name=_text(y_title),
            line={"color": ACCENT, "width": 2.5},
            marker={"size": 9},
            hovertemplate=(
                f"{_tpl(x_title)}: %{{x:,}}<br>{_tpl(y_title)}: %{{y:.4f}}<br>"
                f"{_tpl(trees_label)}: %{{customdata}}<extra></extra>"
            ),
            showlegend=False,
        )
    )
    line = _reference(x, reference, reference_label)
    if line is not None:
        fig.add_trace(line)
    fig.update_xaxes(rangemode="tozero", tickformat=",")
    styled = _style(fig, title=title, x_title=x_title, y_title=y_title, height=400)
    return _inside_legend(styled, "right", 0.99, "bottom", 0.02)
