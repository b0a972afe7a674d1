"""Plotly figures for the model page (classification): ROC, PR, calibration, confusion, threshold.

Each builder takes plain arrays (as computed by the engine) and returns a
``go.Figure``; every visible word is a keyword argument with an English default
so the caller can pass translated text. Class labels are data and are escaped. Regression
figures are in :mod:`dashboard.charts.regression`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.charts.kit import (
    NEUTRAL,
    SEQUENTIAL_SCALE,
    SERIES,
    _as_1d,
    _fmt,
    _hover_xy,
    _inside_legend,
    _names_axis,
    _reference_line,
    _same_length,
    _style,
    _text,
    _tpl,
)

ArrayPair = tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray]
_UNIT_RANGE = [-0.02, 1.02]


def _curve_figure(
    curves: Mapping[str, ArrayPair],
    scores: Mapping[str, float],
    score_label: str,
    *,
    x_word: str,
    y_word: str,
    shape: str = "linear",
    markers: bool = False,
) -> go.Figure:
    """One line per class label: name shows the score, e.g. ``"yes (AUC 0.912)"``."""
    fig = go.Figure()
    for i, (label, (x, y)) in enumerate(curves.items()):
        xs, ys = _as_1d(x, f"x of curve {label!r}"), _as_1d(y, f"y of curve {label!r}")
        _same_length(x=xs, y=ys)
        name = _text(label)
        if label in scores:
            name += f" ({_text(score_label)} {scores[label]:.3f})"
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers" if markers else "lines",
                name=name,
                line={"color": SERIES[i % len(SERIES)], "width": 2.5, "shape": shape},
                hovertemplate=_hover_xy(x_word, y_word),
            )
        )
    return fig


def roc_figure(
    curves: Mapping[str, ArrayPair],
    aucs: Mapping[str, float],
    *,
    title: str = "ROC curve",
    x_title: str = "False positive rate",
    y_title: str = "True positive rate",
    chance_name: str = "Chance",
    auc_label: str = "AUC",
) -> go.Figure:
    """ROC curves, one per class label, with the chance diagonal.

    Parameters
    ----------
    curves : Mapping[str, tuple[array, array]]
        Class label -> ``(false positive rates, true positive rates)``.
    aucs : Mapping[str, float]
        Class label -> area under the curve, shown in the legend.
    title, x_title, y_title, chance_name, auc_label : str
        Visible text (plain; escaped here).

    Returns
    -------
    go.Figure
        One line trace per class, then the diagonal.
    """
    fig = _curve_figure(curves, aucs, auc_label, x_word=x_title, y_word=y_title)
    fig.add_trace(_reference_line([0, 1], [0, 1], chance_name))
    fig.update_xaxes(range=_UNIT_RANGE)
    fig.update_yaxes(range=_UNIT_RANGE)
    return _inside_legend(
        _style(fig, title=title, x_title=x_title, y_title=y_title, height=420),
        "right",
        0.98,
        "bottom",
        0.02,
    )


def pr_figure(
    curves: Mapping[str, ArrayPair],
    aps: Mapping[str, float],
    *,
    prevalence: Mapping[str, float] | None = None,
    title: str = "Precision-recall curve",
    x_title: str = "Recall",
    y_title: str = "Precision",
    ap_label: str = "AP",
    baseline_name: str = "{label}: no-skill baseline",
) -> go.Figure:
    """Precision-recall curves (drawn as steps) with each class's no-skill line.

    Parameters
    ----------
    curves : Mapping[str, tuple[array, array]]
        Class label -> ``(recall, precision)``, as from scikit-learn's
        ``precision_recall_curve`` (note the order: recall first).
    aps : Mapping[str, float]
        Class label -> average precision, shown in the legend.
    prevalence : Mapping[str, float] or None
        Class label -> share of positives; each draws a dotted horizontal line
        in the class's colour (the precision of a model that guesses).
    title, x_title, y_title, ap_label : str
        Visible text.
    baseline_name : str
        Legend text of a baseline; ``{label}`` is replaced by the class label.

    Returns
    -------
    go.Figure
        One step line per class, then one baseline per given prevalence.
    """
    fig = _curve_figure(curves, aps, ap_label, x_word=x_title, y_word=y_title, shape="hv")
    for i, label in enumerate(curves):
        if prevalence is None or label not in prevalence:
            continue
        rate = float(prevalence[label])
        fig.add_trace(
            go.Scatter(
                x=[0, 1],
                y=[rate, rate],
                mode="lines",
                name=_text(baseline_name.replace("{label}", str(label))),
                line={"color": SERIES[i % len(SERIES)], "dash": "dot", "width": 1.5},
                hovertemplate=f"{_tpl(y_title)}: %{{y:.3f}}",
            )
        )
    fig.update_xaxes(range=_UNIT_RANGE)
    fig.update_yaxes(range=_UNIT_RANGE)
    return _inside_legend(
        _style(fig, title=title, x_title=x_title, y_title=y_title, height=420),
        "left",
        0.02,
        "bottom",
        0.02,
    )


def calibration_figure(
    curves: Mapping[str, ArrayPair],
    *,
    title: str = "Calibration",
    x_title: str = "Mean predicted probability",
    y_title: str = "Observed fraction of positives",
    perfect_name: str = "Perfectly calibrated",
) -> go.Figure:
    """Reliability curves (lines with markers) against the perfect-calibration diagonal.

    Parameters
    ----------
    curves : Mapping[str, tuple[array, array]]
        Class label -> ``(mean predicted probability, fraction of positives)`` per
        bin, as from scikit-learn's ``calibration_curve`` (which returns them in
        the opposite order: swap them).
    title, x_title, y_title, perfect_name : str
        Visible text.

    Returns
    -------
    go.Figure
        One line per class, then the diagonal.
    """
    fig = _curve_figure(curves, {}, "", x_word=x_title, y_word=y_title, markers=True)
    fig.add_trace(_reference_line([0, 1], [0, 1], perfect_name))
    fig.update_xaxes(range=_UNIT_RANGE)
    fig.update_yaxes(range=_UNIT_RANGE)
    return _inside_legend(
        _style(fig, title=title, x_title=x_title, y_title=y_title, height=420),
        "left",
        0.02,
        "top",
        0.98,
    )


def confusion_figure(
    matrix: np.ndarray,
    labels: Sequence[str],
    *,
    normalize: bool = False,
    title: str = "Confusion matrix",
    x_title: str = "Predicted",
    y_title: str = "Actual",
    count_label: str = "Rows",
    row_share_label: str = "Share of actual",
) -> go.Figure:
    """An annotated confusion-matrix heatmap: each cell shows its count and row percent.

    Parameters
    ----------
    matrix : np.ndarray
        Square counts, rows = actual class, columns = predicted class (scikit-learn's
        ``confusion_matrix`` layout).
    labels : Sequence[str]
        Class labels in the matrix's order.
    normalize : bool
        False colours cells by count and writes the count first; True colours by
        the row share (recall per class) and writes the percent first.
    title, x_title, y_title, count_label, row_share_label : str
        Visible text.

    Returns
    -------
    go.Figure
        A single heatmap trace; ``text`` holds each cell's label, first actual
        class on top.
    """
    counts = np.asarray(matrix, dtype=float)
    k = len(labels)
    if counts.shape != (k, k):
        raise ValueError(f"matrix must be {k}x{k} to match {k} labels; got shape {counts.shape}.")
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    count_text = [[f"{int(c):,}" for c in row] for row in counts]
    pct_text = [[f"{100 * s:.1f}%" for s in row] for row in share]
    text = [
        [f"{p}<br>({c})" if normalize else f"{c}<br>({p})" for c, p in zip(crow, prow, strict=True)]
        for crow, prow in zip(count_text, pct_text, strict=True)
    ]
    names = [_text(label) for label in labels]
    custom = [
        [[names[i], names[j], count_text[i][j], pct_text[i][j]] for j in range(k)] for i in range(k)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=share if normalize else counts,
            x=list(range(k)),
            y=list(range(k)),
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            colorscale=SEQUENTIAL_SCALE,
            zmin=0,
            zmax=1 if normalize else None,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate=(
                f"{_tpl(y_title)}: %{{customdata[0]}}<br>{_tpl(x_title)}: %{{customdata[1]}}<br>"
                f"{_tpl(count_label)}: %{{customdata[2]}}<br>"
                f"{_tpl(row_share_label)}: %{{customdata[3]}}<extra></extra>"
            ),
        )
    )
    _names_axis(fig, labels, axis="x", showgrid=False, zeroline=False)
    _names_axis(fig, labels, axis="y", autorange="reversed", showgrid=False, zeroline=False)
    size = 160 + 70 * max(k, 2)
    return _style(fig, title=title, x_title=x_title, y_title=y_title, height=min(size, 720))


def threshold_metrics_figure(
    thresholds: Sequence[float] | np.ndarray,
    precision: Sequence[float] | np.ndarray,
    recall: Sequence[float] | np.ndarray,
    f1: Sequence[float] | np.ndarray,
    *,
    current: float | None = None,
    title: str = "Precision, recall and F1 by decision threshold",
    x_title: str = "Decision threshold",
    y_title: str = "Score",
    precision_name: str = "Precision",
    recall_name: str = "Recall",
    f1_name: str = "F1",
    current_name: str = "Current threshold",
) -> go.Figure:
    """Binary: precision, recall and F1 as the decision threshold moves, with a marker line.

    Parameters
    ----------
    thresholds : array-like
        Increasing thresholds.
    precision, recall, f1 : array-like
        Scores at each threshold. scikit-learn's ``precision_recall_curve`` returns
        one more precision/recall value than thresholds (its last point has no
        threshold); that extra last value is dropped here.
    current : float or None
        The threshold in use, drawn as a vertical dotted line.
    title, x_title, y_title, precision_name, recall_name, f1_name, current_name : str
        Visible text.

    Returns
    -------
    go.Figure
        Three line traces (precision, recall, F1) on the thresholds.
    """
    x = _as_1d(thresholds, "thresholds")
    series = []
    for name, values in (("precision", precision), ("recall", recall), ("f1", f1)):
        arr = _as_1d(values, name)
        series.append(arr[: len(x)] if len(arr) == len(x) + 1 else arr)
    _same_length(thresholds=x, precision=series[0], recall=series[1], f1=series[2])
    fig = go.Figure()
    names = (precision_name, recall_name, f1_name)
    for i, (name, values) in enumerate(zip(names, series, strict=True)):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=values,
                mode="lines",
                name=_text(name),
                line={"color": SERIES[i], "width": 2.5 if i == 2 else 2},
                hovertemplate=_hover_xy(x_title, name),
            )
        )
    if current is not None:
        fig.add_vline(
            x=float(current),
            line={"color": NEUTRAL, "dash": "dot", "width": 2},
            annotation={"text": f"{_text(current_name)}: {_fmt(float(current))}"},
            annotation_position="top left",
        )
    fig.update_yaxes(range=_UNIT_RANGE)
    return _style(fig, title=title, x_title=x_title, y_title=y_title, height=380)
