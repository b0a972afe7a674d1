"""Plotly figures comparing cohorts: mean |SHAP| rankings side by side, and one feature's
SHAP dependence with a colour per cohort.

Plain arrays in, ``go.Figure`` out; every visible word is a keyword argument.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.charts.kit import (
    SERIES,
    ZERO_LINE,
    _names_axis,
    _same_length,
    _style,
    _text,
    _tick,
    _tpl,
)

_JITTER = 0.25


def cohort_importance_figure(
    features: Sequence[str],
    cohorts: Sequence[str],
    values: np.ndarray,
    *,
    title: str = "Mean |SHAP| by cohort",
    x_title: str = "mean |SHAP value|",
) -> go.Figure:
    """Grouped horizontal bars: one row per feature (the first on top), one bar per cohort.

    Parameters
    ----------
    features : Sequence[str]
        Feature names, in the order to show them (top first).
    cohorts : Sequence[str]
        Cohort names (one trace and colour each).
    values : np.ndarray
        ``(len(cohorts), len(features))`` mean |SHAP| (NaN where a cohort has no rows).
    title, x_title : str
        Visible text.

    Returns
    -------
    go.Figure
        One bar trace per cohort with ``x`` its values and ``y`` the feature names.
    """
    v = np.asarray(values, dtype=float)
    if v.shape != (len(cohorts), len(features)):
        raise ValueError(f"values must have shape {(len(cohorts), len(features))}.")
    positions = list(range(len(features)))
    fig = go.Figure()
    for c, cohort in enumerate(cohorts):
        fig.add_trace(
            go.Bar(
                x=v[c],
                y=positions,
                orientation="h",
                customdata=[_text(f) for f in features],
                name=_tick(cohort, 40),
                marker={"color": SERIES[c % len(SERIES)]},
                hovertemplate=f"{_tpl(cohort)}<br>%{{customdata}}: %{{x:.3f}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", bargap=0.2, legend={"orientation": "h", "y": -0.15})
    _names_axis(fig, list(features), autorange="reversed")
    height = max(320, 60 + 22 * len(features) * max(1, len(cohorts)) // 2)
    return _style(fig, title=title, x_title=x_title, height=min(height, 900))


def cohort_dependence_figure(
    cohorts: Sequence[str],
    xs: Sequence[np.ndarray],
    ys: Sequence[np.ndarray],
    *,
    categories: Sequence[str] | None = None,
    title: str = "SHAP dependence by cohort",
    x_title: str = "feature value",
    y_title: str = "SHAP value",
    seed: int = 0,
) -> go.Figure:
    """A feature's value against its SHAP value, one colour per cohort.

    Parameters
    ----------
    cohorts : Sequence[str]
        Cohort names (one trace each).
    xs, ys : Sequence[np.ndarray]
        Each cohort's feature values (category codes when ``categories`` is given; NaN
        when missing, not drawn) and SHAP values.
    categories : Sequence[str] or None
        Category names behind the codes of a categorical feature (points are jittered
        around each category).
    title, x_title, y_title : str
        Visible text.
    seed : int
        Seed of the jitter.

    Returns
    -------
    go.Figure
        One marker trace per cohort; ``customdata`` holds the unjittered value (the
        category's name for a categorical feature).
    """
    _same_length(cohorts=cohorts, xs=xs, ys=ys)
    rng = np.random.default_rng(seed)
    fig = go.Figure()
    for c, (cohort, x, y) in enumerate(zip(cohorts, xs, ys, strict=True)):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        keep = np.isfinite(x)
        x, y = x[keep], y[keep]
        if categories is not None:
            shown = x + rng.uniform(-_JITTER, _JITTER, len(x))
            values: list[str] | np.ndarray = [_text(categories[int(v)]) for v in x]
            value_hover = "%{customdata}"
        else:
            shown, values, value_hover = x, x, "%{customdata:.4g}"
        fig.add_trace(
            go.Scattergl(
                x=shown,
                y=y,
                mode="markers",
                name=_tick(cohort, 40),
                marker={"color": SERIES[c % len(SERIES)], "size": 6, "opacity": 0.6},
                customdata=values,
                hovertemplate=f"{_tpl(cohort)}<br>{value_hover}: %{{y:.3f}}<extra></extra>",
            )
        )
    fig.add_hline(y=0, line={"color": ZERO_LINE, "width": 1})
    if categories is not None:
        fig.update_xaxes(
            tickmode="array",
            tickvals=list(range(len(categories))),
            ticktext=[_tick(c, 20) for c in categories],
        )
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return _style(fig, title=title, x_title=x_title, y_title=y_title, height=420)
