"""Plotly figures for the local page: waterfall, LIME beside SHAP, what-if changes.

Feature names and displayed values are data: they are escaped and cut on the
axis, with the full text in the hover.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.charts.kit import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    ZERO_LINE,
    _as_1d,
    _fmt,
    _house_axis,
    _house_layout,
    _percent_ticks,
    _same_length,
    _signed,
    _text,
    _tick,
    _tpl,
    _with_unit,
)
from dashboard.charts.text_width import labels_px
from dashboard.display.probability import probability_steps, sigmoid

__all__ = ["lime_shap_figure", "probability_steps", "waterfall_figure"]


def waterfall_figure(
    base: float,
    names: Sequence[str],
    values: Sequence[str],
    shap: Sequence[float] | np.ndarray,
    *,
    final: float,
    max_features: int = 12,
    probability: bool = False,
    end_probabilities: tuple[float, float] | None = None,
    unit: str | None = None,
    title: str = "Why this prediction",
    x_title: str | None = None,
    margin_title: str = "Model output",
    probability_title: str = "Predicted probability (%)",
    base_label: str = "Average prediction",
    final_label: str = "This row",
    other_label: str = "{n} other features",
    shap_label: str = "SHAP",
    points_suffix: str = " pp",
) -> go.Figure:
    """A horizontal waterfall from the base value to this row's prediction.

    Features are sorted by |SHAP|; the ``max_features`` largest get a bar each and
    the rest are lumped into one bar (``final - base - sum(kept)``, so the total
    reaches ``final`` exactly). Rows read top to bottom: base, features, other,
    final. The x axis is zoomed to the walk, so the base and final bars may start
    off the left edge.

    With ``probability=True`` the inputs are log-odds (margin) and the chart is in
    percent: the walk visits ``base``, then the cumulative margin after each bar
    (the lumped bar last), each converted with the logistic function
    (:func:`probability_steps`). The first bar is ``sigmoid(base)``, each feature's
    bar is the change in probability (percentage points) at its step, and the last
    is ``sigmoid(final)``. The hover also gives the SHAP value in log-odds.

    Parameters
    ----------
    base : float
        The explainer's base (expected) value.
    names : Sequence[str]
        Feature names.
    values : Sequence[str]
        Each feature's value as display text, e.g. ``"168 mg/dL"``.
    shap : array-like
        Each feature's contribution, in the base's units.
    final : float
        The row's prediction in the same units; ``base + sum(shap)`` must match it.
    max_features : int
        Bars drawn for single features.
    probability : bool
        Draw probabilities from log-odds inputs (binary classification).
    end_probabilities : tuple of float or None
        In log-odds (``probability=False``) for a classifier: the probabilities
        (0..1) of the average prediction and of this row, shown in parentheses
        beside the first and last bars' log-odds, so they read as the same
        numbers the page states elsewhere.
    unit : str or None
        Unit of the model output (regression), added to the x title and hover.
    title, x_title, margin_title, probability_title, base_label, final_label : str
        Visible text; ``x_title`` None picks ``probability_title`` or ``margin_title``.
    other_label : str
        Label of the lumped bar; ``{n}`` is the number lumped.
    shap_label, points_suffix : str
        Hover word for SHAP and the suffix of percentage-point changes.

    Returns
    -------
    go.Figure
        One ``go.Waterfall``; ``measure`` is absolute, relative..., total and ``x``
        the bar values (percent in probability mode).

    Raises
    ------
    ValueError
        If the inputs differ in length, or ``base + sum(shap)`` is not ``final``.
    """
    contrib = _as_1d(shap, "shap")
    _same_length(names=names, values=values, shap=contrib)
    total = float(base) + float(contrib.sum())
    scale = max(1.0, abs(final), float(np.abs(contrib).sum()))
    if abs(total - final) > 1e-3 * scale:
        raise ValueError(
            f"base + sum(shap) is {total:.6g} but final is {final:.6g}; pass the base value, "
            "SHAP values and prediction of one model output (log-odds when probability=True)."
        )
    order = np.argsort(-np.abs(contrib), kind="stable")
    kept, lumped = order[: max(0, max_features)], order[max(0, max_features) :]
    labels = [_text(base_label)]
    ticks = [_tick(base_label)]
    plain = [base_label, final_label]  # the ticks' text unescaped, to size the margin
    steps = [float(x) for x in contrib[kept]]
    for i in kept:
        labels.append(f"{_text(names[i])} = {_text(values[i])}")
        ticks.append(f"{_tick(names[i], 28)} = {_tick(values[i], 14)}")
        plain.append(f"{str(names[i])[:28]} = {str(values[i])[:14]}")
    if len(lumped):
        other = other_label.replace("{n}", str(len(lumped)))
        labels.append(_text(other))
        ticks.append(_tick(other))
        plain.append(other)
        steps.append(float(final) - float(base) - float(contrib[kept].sum()))
    labels.append(_text(final_label))
    ticks.append(_tick(final_label))
    if probability:
        path = 100 * probability_steps(base, steps)
        bars = [float(path[0]), *np.diff(path).tolist(), 100 * float(sigmoid(final))]
        text = [f"{bars[0]:.1f}%", *(_signed(b, points_suffix) for b in bars[1:-1])]
        text.append(f"{bars[-1]:.1f}%")
        why = [
            f"{t} ({_text(shap_label)}: {_signed(s)})"
            for t, s in zip(text[1:-1], steps, strict=True)
        ]
        hover = [text[0], *why, text[-1]]
        axis_title = probability_title
    else:
        path = float(base) + np.concatenate([[0.0], np.cumsum(steps)])
        bars = [float(base), *steps, float(final)]
        text = [_fmt(bars[0]), *(_signed(b) for b in steps), _fmt(bars[-1])]
        if end_probabilities is not None:
            text[0] += f" ({100 * end_probabilities[0]:.1f}%)"
            text[-1] += f" ({100 * end_probabilities[1]:.1f}%)"
        hover = [f"{t} {_text(unit)}" if unit else t for t in text]
        axis_title = _with_unit(margin_title, unit)
    trace = waterfall_trace(bars, text, labels, hover)
    points = np.concatenate([path, [bars[-1]]])
    low, high = float(points.min()), float(points.max())
    span = high - low if high > low else max(abs(high) * 0.1, 1e-3)
    # Room for the value labels outside the bars: on the left inside the plot (negative
    # steps' labels), on the right mostly in the margin (the last bar's label, the longest).
    window = [low - 0.4 * span, high + 0.1 * span]
    x_axis = {**_house_axis(x_title if x_title is not None else axis_title), "range": window}
    if probability:  # no tick outside 0..100%, even where the labels need the room
        x_axis.update(ticksuffix="%", tickmode="array", tickvals=_percent_ticks(*window))
    y_axis = {**_house_axis(), "tickmode": "array", "tickvals": list(range(len(bars)))}
    y_axis.update(ticktext=ticks, autorange="reversed", showgrid=False, zeroline=False)
    layout = _house_layout(
        title=title,
        height=max(280, 30 * len(bars) + 120),
        legend=False,
        left=labels_px(plain),
        right=labels_px(text) - 16,
    )
    # One construction with the whole layout: Plotly validates it once (a row switch
    # draws this figure; updating it step by step cost several times as long).
    return go.Figure(data=[trace], layout={**layout, "xaxis": x_axis, "yaxis": y_axis})


def waterfall_trace(
    bars: Sequence[float], text: Sequence[str], labels: Sequence[str], hover: Sequence[str]
) -> go.Waterfall:
    """The horizontal waterfall trace of the Local page's charts: the first bar absolute,
    the last a total, the rest steps; ``labels`` (escaped) and ``hover`` in the hover."""
    return go.Waterfall(
        orientation="h",
        measure=["absolute", *(["relative"] * (len(bars) - 2)), "total"],
        x=list(bars),
        y=list(range(len(bars))),
        text=list(text),
        textposition="outside",
        cliponaxis=False,
        customdata=np.stack([labels, hover], axis=1),
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
        increasing={"marker": {"color": POSITIVE}},
        decreasing={"marker": {"color": NEGATIVE}},
        totals={"marker": {"color": NEUTRAL}},
        connector={"line": {"color": ZERO_LINE, "width": 1, "dash": "dot"}},
    )


def _label_room(values: np.ndarray) -> list[float]:
    """An x range around 0 and ``values`` with room for the value labels outside the bars."""
    finite = values[np.isfinite(values)]
    low, high = (
        (min(0.0, float(finite.min())), max(0.0, float(finite.max())))
        if len(finite)
        else (0.0, 1.0)
    )
    span = (high - low) or 1.0
    return [
        low - (0.35 * span if low < 0 else 0.05 * span),
        high + (0.35 * span if high > 0 else 0.05 * span),
    ]


def _sign_colours(values: np.ndarray) -> list[str]:
    """Red for positive contributions, blue for negative (zero counts as positive)."""
    return [NEGATIVE if v < 0 else POSITIVE for v in values]


def lime_shap_figure(
    names: Sequence[str],
    shap: Sequence[float] | np.ndarray,
    lime: Sequence[float] | np.ndarray,
    *,
    top: int | None = 12,
    title: str = "SHAP and LIME side by side",
    shap_name: str = "SHAP",
    lime_name: str = "LIME",
    shap_title: str = "SHAP value (model output units)",
    lime_title: str = "LIME weight (local linear model)",
) -> go.Figure:
    """SHAP and LIME for one row as two bar panels sharing the feature axis.

    The two are on different scales, so each panel has its own x axis in its own
    units (no rescaling). Features are ordered by |SHAP|, largest on top; bars are
    red when they push the prediction up and blue when down.

    Parameters
    ----------
    names : Sequence[str]
        Feature names.
    shap, lime : array-like
        The row's SHAP values and LIME weights, one per feature (0 where LIME did
        not select the feature).
    top : int or None
        Features shown; None shows all.
    title, shap_name, lime_name, shap_title, lime_title : str
        Visible text: panel titles (``*_name``) and x titles (``*_title``).

    Returns
    -------
    go.Figure
        Two bar traces (SHAP in the left panel, LIME in the right), same features
        in the same order.
    """
    shap_arr, lime_arr = _as_1d(shap, "shap"), _as_1d(lime, "lime")
    _same_length(names=names, shap=shap_arr, lime=lime_arr)
    order = np.argsort(-np.abs(shap_arr), kind="stable")
    order = order if top is None else order[: max(0, top)]
    shown = [names[i] for i in order]
    full = [_text(name) for name in shown]
    # Two panels sharing the names axis, laid out as ``make_subplots(1, 2, shared_yaxes=True,
    # horizontal_spacing=0.06)`` does, in one construction (a row switch draws this figure;
    # building it step by step cost several times as long).
    names_axis = {**_house_axis(), "tickmode": "array", "tickvals": list(range(len(order)))}
    names_axis.update(ticktext=[_tick(n) for n in shown], zeroline=False)
    names_axis.update(autorange="reversed", showgrid=False, domain=[0.0, 1.0])
    layout = _house_layout(title=title, height=max(280, 28 * len(order) + 130), legend=False)
    traces, annotations = [], []
    for col, (name, data, unit) in enumerate(
        ((shap_name, shap_arr, shap_title), (lime_name, lime_arr, lime_title)), start=1
    ):
        picked = data[order]
        x, y = ("x", "y") if col == 1 else ("x2", "y2")
        domain = [0.0, 0.47] if col == 1 else [0.53, 1.0]
        layout[x.replace("x", "xaxis")] = {
            **_house_axis(unit),
            "anchor": y,
            "domain": domain,
            "range": _label_room(picked),
            "zeroline": True,
            "zerolinecolor": ZERO_LINE,
        }
        layout[y.replace("y", "yaxis")] = {**names_axis, "anchor": x}
        annotations.append(
            {
                "text": _text(name),
                "x": sum(domain) / 2,
                "xref": "paper",
                "xanchor": "center",
                "y": 1.0,
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 16},
            }
        )
        traces.append(
            go.Bar(
                x=picked,
                y=list(range(len(order))),
                orientation="h",
                name=_text(name),
                text=[_signed(v) for v in picked],
                textposition="outside",
                cliponaxis=False,
                customdata=full,
                marker={"color": _sign_colours(picked)},
                hovertemplate=f"%{{customdata}}<br>{_tpl(name)}: %{{x:+.4g}}<extra></extra>",
                showlegend=False,
                xaxis=x,
                yaxis=y,
            )
        )
    layout["yaxis2"].update(matches="y", showticklabels=False)
    return go.Figure(data=traces, layout={**layout, "annotations": annotations})
