"""Shared pieces of the plotly chart builders: palette, text escaping, layout, sampling.

Everything here is private to the ``dashboard.charts`` package. The builders never set a
plotly template, so inside Streamlit the app's own template (light or dark)
picks fonts and text colours; backgrounds are transparent and grid lines are a
translucent grey that reads on both.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.display.histogram import bin_centres, finite_histogram

POSITIVE = "#e5484d"
"""Colour of a positive SHAP contribution (pushes the prediction up), as in shap."""
NEGATIVE = "#3e63dd"
"""Colour of a negative SHAP contribution (pushes the prediction down)."""
NEUTRAL = "#8b8d98"
"""Grey for totals, reference lines and missing values; readable on light and dark."""
ACCENT = "#6e56cf"
"""Violet for unsigned magnitudes (importance), neither positive nor negative."""
TRANSPARENT = "rgba(0,0,0,0)"
GRID = "rgba(128,128,128,0.22)"
ZERO_LINE = "rgba(128,128,128,0.6)"
SERIES = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#999999",
)
"""Okabe-Ito colours (colour-blind safe) for one line per class; black is left out."""
VALUE_SCALE = [[0.0, NEGATIVE], [0.5, "#9b51c9"], [1.0, POSITIVE]]
"""Feature value colour scale: low = blue, high = red, through violet (as shap's)."""
SEQUENTIAL_SCALE = [[0.0, "#eef1fd"], [0.5, "#7d96e8"], [1.0, "#1f3aa6"]]
"""Light-to-dark blue for counts and strengths (heatmaps)."""

TICK_CHARS = 40
"""Tick labels longer than this are cut with an ellipsis; the full text is in the hover."""


def _text(value: object) -> str:
    """Escape a value for any plotly text field so markup shows literally.

    Plotly renders a subset of HTML (``<b>``, ``<br>``, ``<a href>``...) in
    titles, ticks, hover labels and annotations. Feature names and category
    values are data, so every one of them passes through here.

    Parameters
    ----------
    value : object
        Any value; it is converted with ``str`` first.

    Returns
    -------
    str
        The text with ``&``, ``<`` and ``>`` replaced by entities.
    """
    return html.escape(str(value), quote=False)


def _tpl(value: object) -> str:
    """Escape a value for use inside a ``hovertemplate`` (markup and ``%{...}``).

    Parameters
    ----------
    value : object
        A word, name or unit to put verbatim in a hover template.

    Returns
    -------
    str
        ``_text(value)`` with ``%{`` broken by a zero-width space, so plotly does
        not read it as a placeholder.
    """
    return _text(value).replace("%{", "%\u200b{")


def _tick(value: object, limit: int = TICK_CHARS) -> str:
    """Cut a label to ``limit`` characters with an ellipsis, then escape it.

    Parameters
    ----------
    value : object
        The raw label (cut before escaping, so no entity is split).
    limit : int, optional
        The most characters shown.

    Returns
    -------
    str
        The escaped, possibly shortened label.
    """
    raw = str(value)
    if len(raw) > limit:
        raw = raw[: limit - 1].rstrip() + "\u2026"
    return _text(raw)


def _with_unit(label: str, unit: str | None) -> str:
    """Append a unit in parentheses, e.g. ``"Glucose (mg/dL)"``, unescaped."""
    return f"{label} ({unit})" if unit else label


def _fmt(value: float) -> str:
    """Format a number compactly for labels: four significant digits, commas when large."""
    size = abs(value)
    if not math.isfinite(value):
        return str(value)
    if 1e4 <= size < 1e15:
        return f"{value:,.0f}"
    if size >= 1e-3 or size == 0:
        return f"{value:.4g}"
    return f"{value:.2e}"


def _signed(value: float, suffix: str = "") -> str:
    """A signed number for contributions: ``+0.1234`` or ``−0.1234`` (true minus)."""
    sign = "−" if value < 0 else "+"
    return f"{sign}{_fmt(abs(value))}{suffix}"


def _house_layout(
    *,
    title: str | None,
    height: int | None = None,
    subtitle: str | None = None,
    legend: bool = True,
    left: int = 16,
    right: int = 16,
) -> dict[str, Any]:
    """The house layout as a dict (axes apart, see :func:`_house_axis`), for a figure
    built in one go; :func:`_style` applies it to a figure already made."""
    title_dict: dict[str, Any] = {"text": _text(title) if title else None, "x": 0.0}
    title_dict["xanchor"] = "left"
    if subtitle:
        title_dict["subtitle"] = {"text": _text(subtitle)}
    top = 40 + (28 if title else 0) + (20 if subtitle else 0)
    return {
        "title": title_dict,
        "paper_bgcolor": TRANSPARENT,
        "plot_bgcolor": TRANSPARENT,
        "margin": {"l": left, "r": right, "t": top, "b": 16},
        "hoverlabel": {"namelength": -1},
        "showlegend": legend,
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "right",
            "x": 1.0,
            "bgcolor": TRANSPARENT,
        },
        "height": height,
    }


def _house_axis(title: str | None = None) -> dict[str, Any]:
    """An axis in the house style: soft grid and lines, its title escaped (None: none)."""
    axis = {"gridcolor": GRID, "zerolinecolor": ZERO_LINE, "automargin": True, "linecolor": GRID}
    axis["ticklabeloverflow"] = "allow"  # automargin makes room: no label to hide, none measured
    return {"title": {"text": _text(title) if title else None}, **axis}


def _style(
    fig: go.Figure,
    *,
    title: str | None,
    x_title: str | None = None,
    y_title: str | None = None,
    height: int | None = None,
    subtitle: str | None = None,
    legend: bool = True,
    left: int = 16,
    right: int = 16,
) -> go.Figure:
    """Apply the house layout: escaped titles, transparent backgrounds, soft grid.

    Parameters
    ----------
    fig : go.Figure
        The figure to style in place.
    title, x_title, y_title, subtitle : str or None
        Plain text (escaped here); None leaves the element out.
    height : int or None
        Pixel height; None lets the container decide.
    legend : bool
        Whether to show the legend (placed above the plot, horizontally).
    left, right : int
        Side margins in pixels (axis labels push them further where they need to).

    Returns
    -------
    go.Figure
        The same figure, for chaining.
    """
    fig.update_layout(
        _house_layout(
            title=title, height=height, subtitle=subtitle, legend=legend, left=left, right=right
        )
    )
    fig.update_xaxes(_house_axis(x_title))
    fig.update_yaxes(_house_axis(y_title))
    return fig


def _percent_ticks(low: float, high: float) -> list[float]:
    """About five round tick values between ``low`` and ``high``, within 0..100."""
    steps = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 25, 50)
    step = next((s for s in steps if (high - low) / s <= 6), 50)
    first = np.ceil(max(low, 0.0) / step) * step
    return [round(float(v), 6) for v in np.arange(first, min(high, 100.0) + 1e-9, step)]


def _as_1d(values: Any, name: str) -> np.ndarray:
    """Return ``values`` as a 1-D float array, or raise a ValueError naming it."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {arr.shape}.")
    return arr


def _same_length(**arrays: Sequence[Any] | np.ndarray) -> int:
    """Check that all given sequences have one length and return it."""
    lengths = {key: len(val) for key, val in arrays.items()}
    if len(set(lengths.values())) > 1:
        found = ", ".join(f"{key}={n}" for key, n in lengths.items())
        raise ValueError(f"Expected inputs of equal length; got {found}.")
    return next(iter(lengths.values()), 0)


def _sample_rows(n: int, max_points: int | None, seed: int) -> np.ndarray:
    """Pick at most ``max_points`` of ``n`` row indices (sorted), seeded, no repeats."""
    if max_points is None or n <= max_points:
        return np.arange(n)
    if max_points < 1:
        raise ValueError(f"max_points must be at least 1; got {max_points}.")
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=max_points, replace=False))


def _sample_note(note: str, n_shown: int, n_total: int) -> str:
    """Fill ``{n_shown}`` and ``{n_total}`` in a (translated) note, with thousands commas."""
    return note.replace("{n_shown}", f"{n_shown:,}").replace("{n_total}", f"{n_total:,}")


def _is_categorical(values: pd.Series) -> bool:
    """Whether a column is drawn as categories (text, category, bool) rather than numbers."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return True
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return False
    return not pd.api.types.is_numeric_dtype(dtype)


def _categories(values: pd.Series) -> list[Any]:
    """The categories of a column in display order (declared order, else sorted as text)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories)
    uniques = list(pd.unique(values.dropna()))
    try:
        return sorted(uniques)
    except TypeError:  # mixed types: order by type name, then as text
        return sorted(uniques, key=lambda v: (type(v).__name__, str(v)))


def _category_codes(values: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """Codes 0..c-1 of each value (NaN where missing) and the category list."""
    cats = _categories(values)
    codes = pd.Categorical(values, categories=cats).codes.astype(float)
    codes[codes < 0] = np.nan
    return codes, cats


def _numeric(values: pd.Series) -> np.ndarray:
    """A numeric column as floats with NaN for missing (nullable dtypes included)."""
    return np.asarray(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan))


def _normalised(values: pd.Series) -> np.ndarray:
    """Map a column to 0..1 per feature: by rank for numbers, by code for categories.

    Missing values stay NaN (drawn grey). A column with a single distinct value maps
    to 0.5.
    """
    if _is_categorical(values):
        codes, cats = _category_codes(values)
        if len(cats) < 2:
            return np.where(np.isnan(codes), np.nan, 0.5)
        scaled = codes / (len(cats) - 1)
        return np.asarray(scaled, dtype=float)
    numbers = _numeric(values)
    ranks = pd.Series(numbers).rank(method="average").to_numpy(dtype=float)
    low, high = np.nanmin(ranks, initial=np.inf), np.nanmax(ranks, initial=-np.inf)
    if not high > low:
        return np.where(np.isnan(ranks), np.nan, 0.5)
    return np.asarray((ranks - low) / (high - low), dtype=float)


def _value_text(values: pd.Series, missing_label: str) -> np.ndarray:
    """Hover text of each value (escaped): four significant digits or the category."""
    if _is_categorical(values) or pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = [missing_label if pd.isna(v) else str(v) for v in values.astype(object)]
        return np.array([_text(v) for v in out], dtype=object)
    label, numbers = _text(missing_label), _numeric(values).tolist()  # digits need no escaping
    return np.array([label if math.isnan(v) else _fmt(v) for v in numbers], dtype=object)


def _names_axis(fig: go.Figure, labels: Sequence[object], *, axis: str = "y", **kw: Any) -> None:
    """Put labels as ticks at integer positions 0..k-1 (duplicates stay apart)."""
    ticks = {
        "tickmode": "array",
        "tickvals": list(range(len(labels))),
        "ticktext": [_tick(label) for label in labels],
        "zeroline": False,  # the names axis has no zero; a line there strikes the first label
        **kw,
    }
    if axis == "y":
        fig.update_yaxes(**ticks)
    else:
        fig.update_xaxes(**ticks)


def _empty(fig: go.Figure, message: str) -> go.Figure:
    """Show a centred message in place of data (no rows, all missing...)."""
    fig.add_annotation(
        text=_text(message), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper"
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _histogram_bars(
    values: np.ndarray, bins: int, *, count_label: str, unit: str | None = None
) -> go.Bar:
    """A bar trace of a histogram computed here (only counts travel, not raw values).

    Non-finite values are left out. Each bar spans its bin exactly; the hover shows
    the bin's range and its count.
    """
    counts, edges = finite_histogram(values, bins)
    suffix = f" {_tpl(unit)}" if unit else ""
    ranges = [
        f"{_fmt(lo)} \u2013 {_fmt(hi)}{suffix}"
        for lo, hi in zip(edges[:-1], edges[1:], strict=True)
    ]
    return go.Bar(
        x=bin_centres(edges),
        y=counts,
        width=np.diff(edges),
        customdata=np.array(ranges, dtype=object),
        marker={"color": ACCENT, "line": {"width": 0}},
        hovertemplate=f"%{{customdata}}<br>{_tpl(count_label)}: %{{y:,}}<extra></extra>",
        showlegend=False,
    )


def _hover_xy(x_word: str, y_word: str) -> str:
    """Hover template showing x and y with three decimals, trace name in the side box."""
    return f"{_tpl(x_word)}: %{{x:.3f}}<br>{_tpl(y_word)}: %{{y:.3f}}"


def _reference_line(x: Sequence[float], y: Sequence[float], name: str) -> go.Scatter:
    """A dashed grey reference line (chance, perfect calibration, identity)."""
    return go.Scatter(
        x=list(x),
        y=list(y),
        mode="lines",
        name=_text(name),
        line={"color": NEUTRAL, "dash": "dash", "width": 1.5},
        hoverinfo="skip",
    )


def _inside_legend(fig: go.Figure, xanchor: str, x: float, yanchor: str, y: float) -> go.Figure:
    """Put the legend in the plot's empty corner (curves leave one), off the title."""
    fig.update_layout(
        legend={
            "orientation": "v",
            "xanchor": xanchor,
            "x": x,
            "yanchor": yanchor,
            "y": y,
            "bgcolor": "rgba(128,128,128,0.08)",
        }
    )
    return fig
