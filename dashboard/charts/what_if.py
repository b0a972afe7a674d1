"""Plotly figure for the What-if page: each contribution before and after an edit."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.charts.kit import (
    ACCENT,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    ZERO_LINE,
    _as_1d,
    _names_axis,
    _same_length,
    _signed,
    _style,
    _text,
    _tpl,
)

__all__ = ["whatif_figure"]


def whatif_figure(
    names: Sequence[str],
    original: Sequence[float] | np.ndarray,
    new: Sequence[float] | np.ndarray,
    *,
    top: int | None = 12,
    title: str = "How the edit changed each contribution",
    x_title: str = "SHAP value (impact on model output)",
    original_name: str = "Original",
    new_name: str = "What-if",
    change_label: str = "Change",
) -> go.Figure:
    """A dumbbell chart of each feature's SHAP value before and after a what-if edit.

    Features are sorted by |change|, largest on top. A grey hollow dot marks the
    original contribution, a filled dot the new one, and the segment between them is
    red where the contribution rose and blue where it fell.

    Parameters
    ----------
    names : Sequence[str]
        Feature names.
    original, new : array-like
        SHAP values of the original and the edited row, one per feature.
    top : int or None
        Features shown; None shows all.
    title, x_title, original_name, new_name, change_label : str
        Visible text.

    Returns
    -------
    go.Figure
        Traces: rising segments, falling segments, original dots, new dots; the dot
        traces' ``x`` hold the values in display order.
    """
    before, after = _as_1d(original, "original"), _as_1d(new, "new")
    _same_length(names=names, original=before, new=after)
    change = after - before
    order = np.argsort(-np.abs(change), kind="stable")
    order = order if top is None else order[: max(0, top)]
    positions = list(range(len(order)))
    custom = [
        [_text(names[i]), _signed(before[i]), _signed(after[i]), _signed(change[i])] for i in order
    ]
    fig = go.Figure()
    for rising, colour in ((True, POSITIVE), (False, NEGATIVE)):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for pos, i in zip(positions, order, strict=True):
            if (change[i] > 0) == rising and change[i] != 0:
                xs += [float(before[i]), float(after[i]), None]
                ys += [pos, pos, None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": colour, "width": 3},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    hover = (
        f"<b>%{{customdata[0]}}</b><br>{_tpl(original_name)}: %{{customdata[1]}}<br>"
        f"{_tpl(new_name)}: %{{customdata[2]}}<br>{_tpl(change_label)}: %{{customdata[3]}}"
        "<extra></extra>"
    )
    dots = (
        (original_name, before, {"color": NEUTRAL, "symbol": "circle-open", "size": 11}),
        (new_name, after, {"color": ACCENT, "symbol": "circle", "size": 11}),
    )
    for name, data, marker in dots:
        fig.add_trace(
            go.Scatter(
                x=data[order],
                y=positions,
                mode="markers",
                name=_text(name),
                marker=marker | {"line": {"width": 2, "color": marker["color"]}},
                customdata=custom,
                hovertemplate=hover,
            )
        )
    fig.add_vline(x=0, line={"color": ZERO_LINE, "width": 1})
    _names_axis(fig, [names[i] for i in order], autorange="reversed", showgrid=False)
    return _style(fig, title=title, x_title=x_title, height=max(260, 30 * len(order) + 130))
