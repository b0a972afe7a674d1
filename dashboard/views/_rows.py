"""Choosing a row (by number, filter or list) and describing it; shared by Local and What-if."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import services, state
from dashboard.display.narrative import Driver, Facts, format_value
from dashboard.display.prediction import RowPrediction
from dashboard.display.rows import row_list
from dashboard.i18n import fmt_number, fmt_percent
from dashboard.safe_text import plain
from dashboard.services import Analysis, ProbabilityShap
from dashboard.text import current_lang, t
from dashboard.views import _common as ui

MODES = ["number", "filter", "list"]
MAX_MATCHES = 200


def position_of_row_id(analysis: Analysis, row_id: int) -> int | None:
    """The dataset position of file row ``row_id`` (None when the row was dropped)."""
    ids = analysis.dataset.row_ids
    pos = int(np.searchsorted(ids, row_id))
    return pos if pos < len(ids) and int(ids[pos]) == row_id else None


def default_position(analysis: Analysis) -> int:
    """The row shown first: the session's choice, else the first validation row."""
    chosen = state.selected_row()
    if chosen is not None and 0 <= chosen < len(analysis.dataset.y):
        return chosen
    return int(analysis.model.valid_index[0]) if len(analysis.model.valid_index) else 0


def prediction_text(analysis: Analysis, position: int) -> str:
    """The model's prediction of a dataset row: the likeliest class and its probability,
    or the predicted value."""
    pred = analysis.prediction[position]
    if analysis.is_survival:
        ratio = float(services.hazard_ratio(analysis, float(pred)))
        return t("local.hazard_short", ratio=fmt_number(ratio, 2))
    if analysis.task == "regression":
        return fmt_number(float(pred))
    k = int(np.argmax(pred))
    return f"{analysis.class_labels[k]} ({fmt_percent(float(pred[k]))})"


def time_text(outcome: services.SurvivalOutcome, value: float) -> str:
    """A follow-up time in words: ``1,200 days`` with a known unit, else ``follow_up = 1,200``."""
    if outcome.time_unit:
        return format_value(value, outcome.time_unit, current_lang())
    return t("survival.time_value", time=outcome.time, value=fmt_number(value))


def actual_text(analysis: Analysis, position: int) -> str:
    """A dataset row's actual outcome: its class label or value."""
    y = analysis.dataset.y[position]
    if analysis.is_survival:
        time = analysis.dataset.time
        assert time is not None  # a survival dataset has its follow-up times
        outcome = services.survival_outcome(analysis)
        when = time_text(outcome, float(time[position]))
        key = "local.event_at" if int(y) == 1 else "local.censored_at"
        return t(key, time=when)
    return fmt_number(float(y)) if analysis.task == "regression" else analysis.class_labels[int(y)]


def _by_number(analysis: Analysis, current: int) -> int:
    ids = analysis.dataset.row_ids
    value = st.number_input(
        t("rows.number"),
        min_value=int(ids.min()),
        max_value=int(ids.max()),
        value=int(ids[current]),
        step=1,
        key="w_row_number",
        help=t("rows.number_help"),
    )
    position = position_of_row_id(analysis, int(value))
    if position is None:
        st.warning(t("rows.dropped"), icon=":material/warning:")
        return current
    return position


def _by_filter(analysis: Analysis, current: int) -> int:
    X = analysis.dataset.X
    left, right = st.columns(2)
    feature = left.selectbox(
        t("rows.filter_column"),
        options=analysis.features,
        format_func=analysis.display,
        key="w_filter_feature",
    )
    column = X[feature]
    if feature in analysis.model.spec.categories:
        cats = list(analysis.model.spec.categories[feature])
        picked = right.multiselect(
            t("rows.filter_values"),
            options=cats,
            default=cats[:1],
            key=f"w_filter_values_{ui.short_key(feature)}",
        )
        mask = column.astype(object).isin(picked).to_numpy()
    else:
        finite = column.dropna()
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        if high <= low:
            high = low + 1.0
        chosen = right.slider(
            t("rows.filter_range"),
            low,
            high,
            (low, high),
            key=f"w_filter_range_{ui.short_key(feature)}",
        )
        mask = column.between(chosen[0], chosen[1]).to_numpy()
    matches = np.flatnonzero(mask)
    st.caption(t("rows.matches", n=fmt_number(len(matches))))
    if len(matches) == 0:
        return current
    shown = matches[:MAX_MATCHES]
    index = int(np.searchsorted(shown, current)) if current in shown else 0
    return int(
        st.selectbox(
            t("rows.pick"),
            options=shown.tolist(),
            index=index,
            format_func=lambda p: _describe(analysis, p),
            key="w_filter_pick",
        )
    )


def _describe(analysis: Analysis, position: int) -> str:
    return t(
        "rows.describe",
        row=ui.row_label(analysis, position),
        pred=plain(prediction_text(analysis, position)),
        actual=plain(actual_text(analysis, position)),
    )


def list_kinds(analysis: Analysis) -> list[str]:
    """The row lists offered for this task."""
    if analysis.task == "survival":
        return ["highest_risk", "lowest_risk", "surprising"]
    if analysis.task == "regression":
        return ["wrong", "best", "highest", "lowest"]
    return ["confident", "wrong", "threshold"]


def _by_list(analysis: Analysis, current: int) -> int:
    kinds = list_kinds(analysis)
    kind = st.selectbox(
        t("rows.list_kind"),
        options=kinds,
        key="w_list_kind",
        format_func=lambda k: t(f"rows.list_{k}"),
    )
    threshold = state.threshold()
    positions = row_list(
        kind or kinds[0],
        task=analysis.task,
        y=analysis.dataset.y,
        prediction=analysis.prediction,
        rows=analysis.model.valid_index,
        threshold=threshold,
        n=10,
    )
    st.caption(t("rows.list_caption", n=fmt_number(len(analysis.model.valid_index))))
    options = positions.tolist()
    index = options.index(current) if current in options else 0
    return int(
        st.selectbox(
            t("rows.pick"),
            options=options,
            index=index,
            format_func=lambda p: _describe(analysis, p),
            key=f"w_list_pick_{kind}",
        )
    )


def choose_row(analysis: Analysis) -> int:
    """Draw the row chooser and return the chosen dataset position (also kept in state)."""
    current = default_position(analysis)
    mode = st.segmented_control(
        t("rows.mode"),
        options=MODES,
        default="number",
        format_func=lambda m: t(f"rows.mode_{m}"),
        key="w_row_mode",
    )
    mode = mode or "number"
    position = {"number": _by_number, "filter": _by_filter, "list": _by_list}[mode](
        analysis, current
    )
    if position != state.selected_row():
        state.set_selected_row(position)
        if mode != "number":
            state.forget_widget("w_row_number")
    return position


def _row_value(analysis: Analysis, feature: str, value: object) -> float | str | None:
    """A feature's value as the page names it: None when missing, the file's word for a
    yes/no feature, a float for a number, else the category's text."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    number = float(value) if isinstance(value, (int, float, np.floating, np.integer)) else None
    if number is not None and (words := analysis.boolean_labels(feature)) is not None:
        return words[int(number >= 0.5)]
    return number if number is not None else str(value)


def value_texts(analysis: Analysis, position: int, row: pd.Series | None = None) -> list[str]:
    """Each feature's value in dataset row ``position`` (or in ``row``) as text, with its unit."""
    row = analysis.dataset.X.iloc[position] if row is None else row
    lang = current_lang()
    out = []
    for feature in analysis.features:
        value = _row_value(analysis, feature, row[feature])
        if value is None:
            out.append(t("chart.missing"))
        elif isinstance(value, float):
            out.append(format_value(value, analysis.unit(feature), lang))
        else:
            out.append(value)
    return out


def narrative_facts(
    analysis: Analysis,
    position: int,
    prediction: RowPrediction,
    points: ProbabilityShap | None = None,
) -> Facts:
    """The facts the plain-language summary states about one row.

    The prediction, the average and each feature's effect come from ``prediction`` (a
    classifier's effects are its probability path), or, given ``points``, from those
    Shapley values of the probability (the average is then their base value, the mean
    prediction over their background rows), so the summary states the numbers of the
    headline and the waterfall.
    """
    effects = prediction.effects() if points is None else points.values[0]
    row = analysis.dataset.X.iloc[position]
    drivers = [
        Driver(
            analysis.display(feature),
            _row_value(analysis, feature, row[feature]),
            analysis.unit(feature),
            float(effects[j]),
        )
        for j, feature in enumerate(analysis.features)
    ]
    if analysis.is_survival:
        outcome = services.survival_outcome(analysis)
        return Facts(
            "survival",
            outcome.event,
            prediction.prediction,
            prediction.average,
            drivers,
            horizon=time_text(outcome, outcome.horizon),
            survival=services.survival_at(analysis, prediction.margin, outcome.horizon),
            average_survival=services.survival_at(
                analysis, prediction.base_margin, outcome.horizon
            ),
        )
    if analysis.task == "regression":
        return Facts(
            "regression",
            analysis.model.target_display,
            prediction.prediction,
            prediction.average,
            drivers,
            target_unit=analysis.target_unit,
        )
    output = prediction.output
    column = 1 if analysis.task == "binary" else output
    probabilities = analysis.prediction[position]
    top = int(np.argmax(probabilities))
    multiclass_other = analysis.task == "multiclass" and top != output
    return Facts(
        analysis.task,
        analysis.model.target_display,
        prediction.prediction if points is None else float(points.predicted[0]),
        prediction.average if points is None else points.base_value,
        drivers,
        label=analysis.class_labels[column],
        top_label=analysis.class_labels[top] if multiclass_other else None,
        top_probability=float(probabilities[top]) if multiclass_other else None,
        points="path" if points is None else "shapley",
    )
