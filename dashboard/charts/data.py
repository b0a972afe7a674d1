"""Plotly figures for the data page: a compact per-column histogram and missing shares."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.kit import (
    ACCENT,
    _empty,
    _fmt,
    _histogram_bars,
    _is_categorical,
    _names_axis,
    _numeric,
    _same_length,
    _style,
    _text,
    _tpl,
)


def histogram_figure(
    values: pd.Series,
    *,
    name: str,
    unit: str | None = None,
    height: int = 120,
    bins: int = 30,
    max_categories: int = 12,
    title: str | None = None,
    count_label: str = "Rows",
    other_label: str = "{n} other values",
    empty_label: str = "No values",
    labelled: bool = False,
) -> go.Figure:
    """A small histogram of one column for the data profile (no axis titles).

    With ``labelled=True`` (a larger chart) category names and counts are on the axes.

    Numbers and dates get ``bins`` equal-width bins (missing values left out);
    text, category and bool columns get a bar per value, most frequent first, the
    ``max_categories`` most frequent kept and the rest summed in one bar.

    Parameters
    ----------
    values : pd.Series
        The column.
    name : str
        The column's name (data; shown in the hover, escaped).
    unit : str or None
        Unit of the column, shown in the hover.
    height : int
        Pixel height.
    bins : int
        Number of bins for numbers and dates.
    max_categories : int
        Bars for single categories.
    title : str or None
        Optional title; None draws none (compact).
    count_label, other_label, empty_label : str
        Visible text; ``{n}`` in ``other_label`` is the number of lumped values.

    Returns
    -------
    go.Figure
        One bar trace (``y`` = counts), or an empty figure with ``empty_label``.
    """
    column = values.reset_index(drop=True)
    fig = go.Figure()
    if _is_categorical(column):
        counts = column.astype(object).dropna().value_counts(sort=True)
        labels = [str(v) for v in counts.index[:max_categories]]
        heights = counts.to_numpy()[:max_categories].tolist()
        if len(counts) > max_categories:
            labels.append(other_label.replace("{n}", str(len(counts) - max_categories)))
            heights.append(int(counts.to_numpy()[max_categories:].sum()))
        if heights:
            fig.add_trace(
                go.Bar(
                    x=list(range(len(heights))),
                    y=heights,
                    customdata=[_text(label) for label in labels],
                    marker={"color": ACCENT},
                    hovertemplate=(
                        f"{_tpl(name)}: %{{customdata}}<br>{_tpl(count_label)}: %{{y:,}}"
                        "<extra></extra>"
                    ),
                    showlegend=False,
                )
            )
            _names_axis(fig, labels, axis="x", showticklabels=labelled, tickangle=-30)
    elif pd.api.types.is_datetime64_any_dtype(column.dtype):
        dates = column.dropna()
        if len(dates):
            stamps = dates.astype("datetime64[ns]").astype("int64").to_numpy(dtype=float)
            counts_arr, edges = np.histogram(stamps, bins=max(1, bins))
            centres = pd.to_datetime((edges[:-1] + edges[1:]) / 2)
            fig.add_trace(
                go.Bar(
                    x=centres,
                    y=counts_arr,
                    width=np.diff(edges) / 1e6,  # a date axis measures in milliseconds
                    marker={"color": ACCENT},
                    hovertemplate=f"%{{x}}<br>{_tpl(count_label)}: %{{y:,}}<extra></extra>",
                    showlegend=False,
                )
            )
    else:
        numbers = _numeric(column)
        if np.isfinite(numbers).any():
            fig.add_trace(_histogram_bars(numbers, bins, count_label=count_label, unit=unit))
    if not fig.data:
        _empty(fig, empty_label)
    fig.update_layout(bargap=0.08 if _is_categorical(column) else 0.02)
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(showgrid=labelled, showticklabels=labelled, zeroline=False)
    _style(fig, title=title, height=height, legend=False)
    if not labelled:
        fig.update_layout(margin={"l": 4, "r": 4, "t": 30 if title else 4, "b": 4})
    return fig


def missing_figure(
    names: Sequence[str],
    fractions: Sequence[float] | np.ndarray,
    *,
    top: int | None = 30,
    hide_complete: bool = False,
    title: str = "Missing values",
    x_title: str = "Missing (%)",
    unit_suffix: str = "%",
) -> go.Figure:
    """Horizontal bars of the share of missing values per column, most missing on top.

    Parameters
    ----------
    names : Sequence[str]
        Column names.
    fractions : array-like
        Missing share per column, 0..1 (drawn as percent).
    top : int or None
        Columns shown; None shows all.
    hide_complete : bool
        Leave out columns with no missing value.
    title, x_title, unit_suffix : str
        Visible text.

    Returns
    -------
    go.Figure
        One bar trace with ``x`` in percent, largest first (drawn at the top).
    """
    share = np.asarray(fractions, dtype=float)
    _same_length(names=names, fractions=share)
    order = np.argsort(-share, kind="stable")
    if hide_complete:
        order = order[share[order] > 0]
    if top is not None:
        order = order[: max(0, top)]
    percent = 100 * share[order]
    shown = [names[i] for i in order]
    fig = go.Figure(
        go.Bar(
            x=percent,
            y=list(range(len(order))),
            orientation="h",
            text=[f"{_fmt(p)}{_text(unit_suffix)}" for p in percent],
            textposition="outside",
            cliponaxis=False,
            customdata=[_text(n) for n in shown],
            marker={"color": ACCENT},
            hovertemplate=f"%{{customdata}}<br>{_tpl(x_title)}: %{{x:.1f}}<extra></extra>",
            showlegend=False,
        )
    )
    _names_axis(fig, shown, autorange="reversed", showgrid=False)
    fig.update_xaxes(range=[0, 115], tickmode="array", tickvals=[0, 25, 50, 75, 100])
    return _style(fig, title=title, x_title=x_title, height=max(220, 24 * len(order) + 110))
