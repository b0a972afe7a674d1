"""Plotly figures for regression models on the model page: predicted vs actual, residuals.

Point clouds use WebGL (``go.Scattergl``) and a seeded sample above ``max_points``
rows; ``layout.meta`` records how many rows are drawn.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.charts.kit import (
    NEUTRAL,
    SERIES,
    _as_1d,
    _histogram_bars,
    _hover_xy,
    _reference_line,
    _same_length,
    _sample_note,
    _sample_rows,
    _style,
    _text,
    _with_unit,
)


def _with_sampling(
    fig: go.Figure, n_total: int, rows: np.ndarray, note: str
) -> tuple[go.Figure, str | None]:
    """Record the sample in ``layout.meta`` and return the filled note (None if all rows)."""
    sampled = len(rows) < n_total
    text = _sample_note(note, len(rows), n_total) if sampled else None
    fig.update_layout(meta={"sampled": sampled, "n_shown": int(len(rows)), "n_total": n_total})
    return fig, text


def predicted_vs_actual_figure(
    actual: Sequence[float] | np.ndarray,
    predicted: Sequence[float] | np.ndarray,
    *,
    unit: str | None = None,
    max_points: int | None = 20_000,
    seed: int = 0,
    title: str = "Predicted vs actual",
    x_title: str = "Actual",
    y_title: str = "Predicted",
    identity_name: str = "Perfect prediction",
    note: str = "Showing {n_shown} of {n_total} rows (random sample)",
) -> go.Figure:
    """Regression: predicted against actual values (WebGL points) with the identity line.

    Parameters
    ----------
    actual, predicted : array-like
        One value per row, in the target's unit.
    unit : str or None
        Unit of the target, added to axis titles and hover.
    max_points : int or None
        Draw at most this many rows (a seeded random sample); None draws all.
    seed : int
        Seed of the sample.
    title, x_title, y_title, identity_name : str
        Visible text.
    note : str
        Subtitle when sampled; ``{n_shown}`` and ``{n_total}`` are filled in.

    Returns
    -------
    go.Figure
        A ``Scattergl`` of the points and the identity line; ``layout.meta`` holds
        ``sampled``, ``n_shown`` and ``n_total``.
    """
    y_true, y_pred = _as_1d(actual, "actual"), _as_1d(predicted, "predicted")
    n = _same_length(actual=y_true, predicted=y_pred)
    rows = _sample_rows(n, max_points, seed)
    fig = go.Figure(
        go.Scattergl(
            x=y_true[rows],
            y=y_pred[rows],
            mode="markers",
            name=_text(y_title),
            marker={"color": SERIES[0], "size": 5, "opacity": 0.55},
            hovertemplate=_hover_xy(_with_unit(x_title, unit), _with_unit(y_title, unit))
            + "<extra></extra>",
            showlegend=False,
        )
    )
    both = np.concatenate([y_true, y_pred])
    finite = both[np.isfinite(both)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    fig.add_trace(_reference_line([low, high], [low, high], identity_name))
    fig, subtitle = _with_sampling(fig, n, rows, note)
    return _style(
        fig,
        title=title,
        x_title=_with_unit(x_title, unit),
        y_title=_with_unit(y_title, unit),
        subtitle=subtitle,
        height=440,
    )


def residuals_figure(
    predicted: Sequence[float] | np.ndarray,
    residuals: Sequence[float] | np.ndarray,
    *,
    unit: str | None = None,
    max_points: int | None = 20_000,
    seed: int = 0,
    title: str = "Residuals",
    x_title: str = "Predicted",
    y_title: str = "Residual (actual \u2212 predicted)",
    note: str = "Showing {n_shown} of {n_total} rows (random sample)",
) -> go.Figure:
    """Regression: residuals against predictions (WebGL points) with a zero line.

    Parameters
    ----------
    predicted, residuals : array-like
        One value per row; residual = actual - predicted (say otherwise in
        ``y_title`` if the caller's sign differs).
    unit, max_points, seed, title, x_title, y_title, note
        As in :func:`predicted_vs_actual_figure`.

    Returns
    -------
    go.Figure
        A ``Scattergl`` of the points and a horizontal zero line (a layout shape).
    """
    y_pred, resid = _as_1d(predicted, "predicted"), _as_1d(residuals, "residuals")
    n = _same_length(predicted=y_pred, residuals=resid)
    rows = _sample_rows(n, max_points, seed)
    fig = go.Figure(
        go.Scattergl(
            x=y_pred[rows],
            y=resid[rows],
            mode="markers",
            marker={"color": SERIES[0], "size": 5, "opacity": 0.55},
            hovertemplate=_hover_xy(_with_unit(x_title, unit), _with_unit(y_title, unit))
            + "<extra></extra>",
            showlegend=False,
        )
    )
    fig.add_hline(y=0, line={"color": NEUTRAL, "dash": "dash", "width": 1.5})
    fig, subtitle = _with_sampling(fig, n, rows, note)
    return _style(
        fig,
        title=title,
        x_title=_with_unit(x_title, unit),
        y_title=_with_unit(y_title, unit),
        subtitle=subtitle,
        height=400,
        legend=False,
    )


def residual_histogram_figure(
    residuals: Sequence[float] | np.ndarray,
    *,
    unit: str | None = None,
    bins: int = 40,
    title: str = "Distribution of residuals",
    x_title: str = "Residual (actual \u2212 predicted)",
    y_title: str = "Rows",
) -> go.Figure:
    """Regression: histogram of the residuals with a zero line.

    Parameters
    ----------
    residuals : array-like
        One residual per row; non-finite values are left out.
    unit : str or None
        Unit, added to the x title and hover.
    bins : int
        Number of equal-width bins.
    title, x_title, y_title : str
        Visible text (``y_title`` is also the hover's count word).

    Returns
    -------
    go.Figure
        One bar trace: ``x`` = bin centres, ``y`` = counts, ``width`` = bin widths.
    """
    resid = _as_1d(residuals, "residuals")
    fig = go.Figure(_histogram_bars(resid, bins, count_label=y_title, unit=unit))
    fig.add_vline(x=0, line={"color": NEUTRAL, "dash": "dash", "width": 1.5})
    fig.update_layout(bargap=0.02)
    return _style(fig, title=title, x_title=_with_unit(x_title, unit), y_title=y_title, height=320)
