"""Plotly SHAP dependence plot: a feature's value against its SHAP value, coloured by another."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.kit import (
    ACCENT,
    NEUTRAL,
    SERIES,
    VALUE_SCALE,
    ZERO_LINE,
    _as_1d,
    _category_codes,
    _is_categorical,
    _names_axis,
    _normalised,
    _numeric,
    _same_length,
    _sample_note,
    _sample_rows,
    _style,
    _text,
    _tpl,
    _value_text,
    _with_unit,
)

_JITTER = 0.3
"""Half-width of the horizontal jitter of a categorical x (categories are 1 apart)."""


def _as_series(values: Any) -> pd.Series:
    """Wrap an array in a Series with a fresh index (a Series keeps its dtype)."""
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    return pd.Series(np.asarray(values))


def _colour_traces(
    colour: pd.Series,
    idx: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    custom: np.ndarray,
    *,
    hover: str,
    color_feature: str,
    missing_label: str,
) -> tuple[list[go.Scattergl], dict[str, Any] | None]:
    """Point traces coloured by the interacting feature, plus the colour axis (or None).

    ``colour`` holds all rows (categories and percentiles come from all of them);
    ``idx`` picks the rows drawn, which ``x``, ``y`` and ``custom`` already are.
    Numbers use the value scale clipped to their 5th-95th percentiles (as shap does);
    up to 8 categories get one legend entry each; more categories use the value
    scale by category code; missing values are a grey trace.
    """
    traces: list[go.Scattergl] = []
    axis: dict[str, Any] | None = None
    bar = {"title": {"text": _text(color_feature), "side": "right"}, "thickness": 12, "len": 0.7}
    common = {"mode": "markers", "hovertemplate": hover}
    if _is_categorical(colour):
        codes, cats = _category_codes(colour)
        codes = codes[idx]
        if len(cats) <= len(SERIES):
            for i, cat in enumerate(cats):
                pick = codes == i
                traces.append(
                    go.Scattergl(
                        x=x[pick],
                        y=y[pick],
                        customdata=custom[pick],
                        name=_text(cat),
                        marker={"color": SERIES[i], "size": 6, "opacity": 0.8},
                        **common,
                    )
                )
        else:
            scaled = _normalised(colour)[idx]
            pick = ~np.isnan(scaled)
            traces.append(
                go.Scattergl(
                    x=x[pick],
                    y=y[pick],
                    customdata=custom[pick],
                    marker={"color": scaled[pick], "coloraxis": "coloraxis", "size": 6},
                    showlegend=False,
                    **common,
                )
            )
            ticks = {"tickvals": [0, 1], "ticktext": [_text(cats[0]), _text(cats[-1])]}
            axis = {"colorscale": VALUE_SCALE, "cmin": 0, "cmax": 1, "colorbar": bar | ticks}
        missing = np.isnan(codes)
    else:
        all_numbers = _numeric(colour)
        finite = all_numbers[~np.isnan(all_numbers)]
        numbers = all_numbers[idx]
        missing = np.isnan(numbers)
        low, high = np.percentile(finite, [5, 95]) if finite.size else (0.0, 1.0)
        if not high > low:
            low, high = (float(finite.min()), float(finite.max())) if finite.size else (0, 1)
        traces.append(
            go.Scattergl(
                x=x[~missing],
                y=y[~missing],
                customdata=custom[~missing],
                marker={"color": numbers[~missing], "coloraxis": "coloraxis", "size": 6},
                showlegend=False,
                **common,
            )
        )
        axis = {"colorscale": VALUE_SCALE, "cmin": low, "cmax": high, "colorbar": bar}
    if missing.any():
        traces.append(
            go.Scattergl(
                x=x[missing],
                y=y[missing],
                customdata=custom[missing],
                name=_text(missing_label),
                marker={"color": NEUTRAL, "size": 6, "opacity": 0.7},
                **common,
            )
        )
    return traces, axis


def dependence_figure(
    x: Sequence[Any] | np.ndarray | pd.Series,
    shap: Sequence[float] | np.ndarray,
    *,
    feature: str,
    color: Sequence[Any] | np.ndarray | pd.Series | None = None,
    color_feature: str | None = None,
    unit: str | None = None,
    max_points: int | None = 5000,
    seed: int = 0,
    title: str | None = None,
    x_title: str | None = None,
    y_title: str = "SHAP value (impact on model output)",
    shap_label: str = "SHAP",
    color_label: str = "Colour",
    missing_label: str = "Missing",
    note: str = "Showing {n_shown} of {n_total} rows (random sample)",
    missing_note: str = "{n_missing} rows without a value are not shown",
) -> go.Figure:
    """A SHAP dependence plot: each row's feature value (x) against its SHAP value (y).

    A numeric feature is drawn on a number axis and rows where it is missing are
    left out (``missing_note`` says how many). A categorical feature (text,
    category or bool) is drawn as categories with seeded horizontal jitter, and
    missing values get their own "missing" category at the end.

    Parameters
    ----------
    x : array-like or pd.Series
        The feature's value per row, numeric or categorical.
    shap : array-like
        The feature's SHAP value per row.
    feature : str
        The feature's name (data; escaped).
    color : array-like or pd.Series or None
        Values of an interacting feature to colour by, one per row.
    color_feature : str or None
        Name of the colouring feature (legend / colour bar title).
    unit : str or None
        Unit of the feature, added to the x title and hover.
    max_points : int or None
        Draw at most this many rows (a seeded random sample); None draws all.
    seed : int
        Seed of the sample and the jitter.
    title, x_title : str or None
        Visible text; None uses the feature's name (with the unit for ``x_title``).
    y_title, shap_label, color_label, missing_label : str
        Visible text (``color_label`` names the colour in the hover when
        ``color_feature`` is not given).
    note : str
        Subtitle part when sampled; ``{n_shown}`` and ``{n_total}`` are filled in.
    missing_note : str
        Subtitle part when numeric rows are left out; ``{n_missing}`` is filled in.

    Returns
    -------
    go.Figure
        ``Scattergl`` point traces; ``layout.meta`` holds ``sampled``, ``n_shown``
        (rows sampled), ``n_total`` and ``n_missing`` (rows without a value for
        ``x`` among all rows).
    """
    values = _as_series(x)
    shap_arr = _as_1d(shap, "shap")
    n = _same_length(x=values, shap=shap_arr)
    colours = None if color is None else _as_series(color)
    if colours is not None:
        _same_length(x=values, color=colours)
    rows = _sample_rows(n, max_points, seed)
    rng = np.random.default_rng(seed)
    sample = values.iloc[rows].reset_index(drop=True)
    y = shap_arr[rows]
    categorical = _is_categorical(values)
    if categorical:
        all_codes, cats = _category_codes(values)
        codes = all_codes[rows]
        missing = np.isnan(codes)
        labels = [*cats, missing_label] if missing.any() else cats
        position = np.where(missing, len(cats), codes) + rng.uniform(-_JITTER, _JITTER, len(rows))
        n_missing = int(values.isna().sum())
        keep = np.ones(len(rows), dtype=bool)
    else:
        position = _numeric(sample)
        keep = ~np.isnan(position)
        n_missing = int(np.isnan(_numeric(values)).sum())
    x_text = _value_text(sample, missing_label)
    if unit:
        x_text = np.array([f"{t} {_text(unit)}" for t in x_text], dtype=object)
    colour_name = color_feature if color_feature is not None else color_label
    columns = [x_text]
    hover = f"<b>{_tpl(feature)}</b>: %{{customdata[0]}}<br>{_tpl(shap_label)}: %{{y:+.3f}}"
    if colours is not None:
        columns.append(_value_text(colours.iloc[rows].reset_index(drop=True), missing_label))
        hover += f"<br>{_tpl(colour_name)}: %{{customdata[1]}}"
    custom = np.stack(columns, axis=1)[keep]
    hover += "<extra></extra>"
    fig = go.Figure()
    if colours is None:
        fig.add_trace(
            go.Scattergl(
                x=position[keep],
                y=y[keep],
                mode="markers",
                customdata=custom,
                marker={"color": ACCENT, "size": 6, "opacity": 0.7},
                hovertemplate=hover,
                showlegend=False,
            )
        )
        axis = None
    else:
        traces, axis = _colour_traces(
            colours,
            rows[keep],
            position[keep],
            y[keep],
            custom,
            hover=hover,
            color_feature=colour_name,
            missing_label=missing_label,
        )
        fig.add_traces(traces)
    if axis is not None:
        fig.update_layout(coloraxis=axis)
    if categorical:
        _names_axis(fig, labels, axis="x", showgrid=False, zeroline=False)
    fig.add_hline(y=0, line={"color": ZERO_LINE, "width": 1})
    sampled = len(rows) < n
    notes = [_sample_note(note, len(rows), n)] if sampled else []
    if not categorical and n_missing:
        notes.append(missing_note.replace("{n_missing}", f"{n_missing:,}"))
    fig.update_layout(
        meta={"sampled": sampled, "n_shown": int(len(rows)), "n_total": n, "n_missing": n_missing},
        legend_title_text=_text(colour_name),
    )
    return _style(
        fig,
        title=feature if title is None else title,
        x_title=x_title if x_title is not None else _with_unit(feature, unit),
        y_title=y_title,
        subtitle=" \u00b7 ".join(notes) or None,
        height=440,
        legend=any(trace.showlegend is not False for trace in fig.data),
    )
