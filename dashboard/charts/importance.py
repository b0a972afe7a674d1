"""Plotly figures for the global page: importance bars, beeswarm, interaction heatmap.

Feature names are data: they are escaped and cut to about 40 characters on the
axis, with the full (escaped) name in the hover. The dependence plot lives in
:mod:`dashboard.charts.dependence`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.kit import (
    ACCENT,
    NEUTRAL,
    SEQUENTIAL_SCALE,
    VALUE_SCALE,
    ZERO_LINE,
    _fmt,
    _names_axis,
    _normalised,
    _same_length,
    _sample_note,
    _sample_rows,
    _style,
    _text,
    _tpl,
    _value_text,
)


def _swarm_offsets(x: np.ndarray, rng: np.random.Generator, *, half: float = 0.4) -> np.ndarray:
    """Vertical offsets of a beeswarm row: density-aware, as shap's summary plot.

    Points are binned along x into 100 bins; within a bin they stack outward
    (0, +1, -1, +2, -2, ...) in a random (seeded) order, then all offsets are
    scaled so the densest bin spans about ``0.9 * half`` either side.
    """
    n = len(x)
    if n == 0:
        return np.zeros(0)
    span = float(np.max(x) - np.min(x))
    bins = np.round(100 * (x - np.min(x)) / (span + 1e-8))
    order = np.lexsort((rng.random(n), bins))
    sorted_bins = bins[order]
    starts = np.r_[True, sorted_bins[1:] != sorted_bins[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    layer = np.arange(n) - first
    offsets = np.empty(n)
    offsets[order] = np.ceil(layer / 2) * np.where(layer % 2 == 1, 1.0, -1.0)
    return np.asarray(offsets * (0.9 * half / (np.max(np.abs(offsets)) + 1)), dtype=float)


def _top_order(strength: np.ndarray, top: int | None) -> np.ndarray:
    """Indices of the ``top`` largest strengths, largest first (stable for ties)."""
    order = np.argsort(-strength, kind="stable")
    return order if top is None else order[: max(0, int(top))]


def importance_figure(
    names: Sequence[str],
    values: Sequence[float] | np.ndarray,
    *,
    top: int | None = 20,
    title: str = "Mean |SHAP value|",
    x_title: str = "mean |SHAP| (impact on model output)",
) -> go.Figure:
    """Horizontal importance bars, largest on top, each labelled with its value.

    Parameters
    ----------
    names : Sequence[str]
        Feature names.
    values : Sequence[float]
        One importance per feature (e.g. mean absolute SHAP value).
    top : int or None
        Show the ``top`` largest; None shows all.
    title, x_title : str
        Visible text.

    Returns
    -------
    go.Figure
        One bar trace; ``x`` holds the shown values, largest first (first bar at
        the top), ``customdata`` the escaped full names.
    """
    _same_length(names=names, values=values)
    strength = np.asarray(values, dtype=float)
    order = _top_order(np.nan_to_num(strength, nan=-np.inf), top)
    shown = [names[i] for i in order]
    fig = go.Figure(
        go.Bar(
            x=strength[order],
            y=list(range(len(order))),
            orientation="h",
            text=[_fmt(v) for v in strength[order]],
            textposition="outside",
            cliponaxis=False,
            customdata=[_text(name) for name in shown],
            marker={"color": ACCENT},
            hovertemplate=f"%{{customdata}}<br>{_tpl(x_title)}: %{{x:.4g}}<extra></extra>",
            showlegend=False,
        )
    )
    _names_axis(fig, shown, autorange="reversed", showgrid=False)
    fig.update_xaxes(rangemode="tozero")
    return _style(fig, title=title, x_title=x_title, height=max(240, 26 * len(order) + 110))


def beeswarm_figure(
    shap_values: np.ndarray,
    feature_values: pd.DataFrame,
    names: Sequence[str],
    *,
    top: int | None = 15,
    max_points: int | None = 5000,
    seed: int = 0,
    title: str = "How each feature moves the prediction",
    x_title: str = "SHAP value (impact on model output)",
    color_title: str = "Feature value",
    low_label: str = "Low",
    high_label: str = "High",
    missing_label: str = "Missing",
    value_label: str = "Value",
    shap_label: str = "SHAP",
    note: str = "Showing {n_shown} of {n_total} rows (random sample)",
) -> go.Figure:
    """A SHAP beeswarm: one row per feature, one point per row of data.

    Features are ranked by mean |SHAP| over all rows and the ``top`` are shown,
    largest on top. Points are jittered vertically with shap's density-aware
    stacking (deterministic for a seed). Colour is the feature's value mapped to
    0..1 per feature: by rank for numbers, by category code for categories (in
    declared order, else sorted); missing values are grey.

    Parameters
    ----------
    shap_values : np.ndarray
        SHAP values, shape ``(n_rows, n_features)``.
    feature_values : pd.DataFrame
        The same rows and features (by position), numeric or categorical columns.
    names : Sequence[str]
        Feature names in column order.
    top : int or None
        Number of features shown; None shows all.
    max_points : int or None
        If there are more rows, a seeded random sample of exactly this many rows
        is drawn (the same rows for every feature) and ``note`` is shown.
    seed : int
        Seed of the sample and of the jitter.
    title, x_title, color_title, low_label, high_label, missing_label, value_label,
    shap_label : str
        Visible text.
    note : str
        Subtitle when sampled; ``{n_shown}`` and ``{n_total}`` are filled in.

    Returns
    -------
    go.Figure
        One ``Scattergl`` per shown feature (top first), plus one grey
        ``Scattergl`` per feature with missing values; a shared colour axis;
        ``layout.meta`` = ``{"sampled", "n_shown", "n_total", "note", "features"}``.
    """
    shap_arr = np.asarray(shap_values, dtype=float)
    if shap_arr.ndim != 2 or feature_values.shape != shap_arr.shape:
        raise ValueError(
            "shap_values and feature_values must both be (rows, features) of one shape; "
            f"got {shap_arr.shape} and {feature_values.shape}."
        )
    if len(names) != shap_arr.shape[1]:
        raise ValueError(f"Expected {shap_arr.shape[1]} names, one per column; got {len(names)}.")
    n_total = shap_arr.shape[0]
    order = _top_order(np.abs(shap_arr).mean(axis=0) if n_total else np.zeros(len(names)), top)
    rows = _sample_rows(n_total, max_points, seed)
    rng = np.random.default_rng(seed)
    k = len(order)
    fig = go.Figure()
    missing_shown = False
    for rank, j in enumerate(order):
        column = feature_values.iloc[:, j]
        colour = _normalised(column)[rows]
        text = _value_text(column.iloc[rows], missing_label)
        x = shap_arr[rows, j]
        y = (k - 1 - rank) + _swarm_offsets(x, rng)
        name = _tpl(names[j])
        hover = (
            f"<b>{name}</b><br>{_tpl(value_label)}: %{{customdata}}<br>"
            f"{_tpl(shap_label)}: %{{x:+.3f}}<extra></extra>"
        )
        present = ~np.isnan(colour)
        fig.add_trace(
            go.Scattergl(
                x=x[present],
                y=y[present],
                mode="markers",
                name=_text(names[j]),
                customdata=text[present],
                marker={"color": colour[present], "coloraxis": "coloraxis", "size": 5},
                hovertemplate=hover,
                showlegend=False,
            )
        )
        if not present.all():
            fig.add_trace(
                go.Scattergl(
                    x=x[~present],
                    y=y[~present],
                    mode="markers",
                    name=_text(missing_label),
                    legendgroup="missing",
                    customdata=text[~present],
                    marker={"color": NEUTRAL, "size": 5, "opacity": 0.7},
                    hovertemplate=hover,
                    showlegend=not missing_shown,
                )
            )
            missing_shown = True
    sampled = len(rows) < n_total
    note_text = _sample_note(note, len(rows), n_total) if sampled else None
    fig.update_layout(
        coloraxis={
            "colorscale": VALUE_SCALE,
            "cmin": 0,
            "cmax": 1,
            "colorbar": {
                "title": {"text": _text(color_title), "side": "right"},
                "tickmode": "array",
                "tickvals": [0, 1],
                "ticktext": [_text(low_label), _text(high_label)],
                "thickness": 12,
                "len": 0.7,
                "outlinewidth": 0,
            },
        },
        meta={
            "sampled": sampled,
            "n_shown": int(len(rows)),
            "n_total": int(n_total),
            "note": note_text,
            "features": [str(names[j]) for j in order],
        },
    )
    fig.add_vline(x=0, line={"color": ZERO_LINE, "width": 1})
    _names_axis(fig, [names[j] for j in order][::-1], showgrid=False, zeroline=False)
    fig.update_yaxes(range=[-0.6, k - 0.4])
    return _style(
        fig,
        title=title,
        x_title=x_title,
        subtitle=note_text,
        height=max(300, 34 * k + 130),
        legend=missing_shown,
    )


def interaction_heatmap_figure(
    matrix: np.ndarray,
    names: Sequence[str],
    *,
    top: int | None = 12,
    diagonal: bool = False,
    title: str = "SHAP interaction strength",
    color_title: str = "mean |SHAP interaction|",
    row_label: str = "Feature",
    column_label: str = "With",
) -> go.Figure:
    """A heatmap of pairwise SHAP interaction strengths between the strongest features.

    Parameters
    ----------
    matrix : np.ndarray
        Shape ``(f, f)``, e.g. mean |SHAP interaction value| per pair, main effects
        on the diagonal.
    names : Sequence[str]
        Feature names in the matrix's order.
    top : int or None
        Features shown, ranked by the row sum of absolute values; None shows all.
    diagonal : bool
        Whether to colour the diagonal (main effects). Off by default: main effects
        are usually far larger and would wash out the pairs; the cells are left blank.
    title, color_title, row_label, column_label : str
        Visible text.

    Returns
    -------
    go.Figure
        One heatmap trace; ``z[i][j]`` is the value of shown features ``i`` and ``j``
        (None on a hidden diagonal).
    """
    values = np.asarray(matrix, dtype=float)
    f = len(names)
    if values.shape != (f, f):
        raise ValueError(f"matrix must be {f}x{f} to match {f} names; got shape {values.shape}.")
    order = _top_order(np.abs(values).sum(axis=1), top)
    sub = values[np.ix_(order, order)]
    z: list[list[float | None]] = [
        [None if (i == j and not diagonal) else float(sub[i, j]) for j in range(len(order))]
        for i in range(len(order))
    ]
    shown = [names[i] for i in order]
    full = [_text(name) for name in shown]
    custom = [[[full[i], full[j]] for j in range(len(order))] for i in range(len(order))]
    signed = bool(np.nanmin(sub, initial=0.0) < 0)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(len(order))),
            y=list(range(len(order))),
            customdata=custom,
            colorscale=VALUE_SCALE if signed else SEQUENTIAL_SCALE,
            zmid=0 if signed else None,
            xgap=1,
            ygap=1,
            hoverongaps=False,
            texttemplate="%{z:.2g}" if len(order) <= 12 else None,
            colorbar={"title": {"text": _text(color_title), "side": "right"}, "thickness": 12},
            hovertemplate=(
                f"{_tpl(row_label)}: %{{customdata[0]}}<br>{_tpl(column_label)}: "
                f"%{{customdata[1]}}<br>{_tpl(color_title)}: %{{z:.4g}}<extra></extra>"
            ),
        )
    )
    _names_axis(fig, shown, axis="x", tickangle=-40, showgrid=False, zeroline=False)
    _names_axis(fig, shown, autorange="reversed", showgrid=False, zeroline=False)
    size = 200 + 40 * len(order)
    return _style(fig, title=title, height=min(size, 800), legend=False)
