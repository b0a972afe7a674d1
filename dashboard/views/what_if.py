"""What-if page: edit a row's features and see the new prediction and contributions."""

from __future__ import annotations

import math
from typing import cast

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import charts, services, state
from dashboard.display.prediction import RowPrediction
from dashboard.i18n import fmt_number, fmt_percent
from dashboard.safe_text import escape_md
from dashboard.text import t, unit_label
from dashboard.views import _common as ui
from dashboard.views import _figures as figures
from dashboard.views import _rows, _survival

MISSING = "__missing__"
# Features with an editor at first, the most important ones; the user adds any other. A
# 5,000-column table drew 5,000 sliders, and the page took 82 s.
EDITORS = 24


def _editor_key(position: int, feature: str) -> str:
    return f"w_edit_{position}_{ui.short_key(feature)}"


def _numeric_editor(
    analysis: services.Analysis, position: int, feature: str, original: object
) -> float | None:
    column = analysis.dataset.X[feature].dropna()
    low, high = (float(column.min()), float(column.max())) if len(column) else (0.0, 1.0)
    if high <= low:
        high = low + 1.0
    missing = original is None or (isinstance(original, float) and math.isnan(original))
    start = (
        float(np.clip(float(cast(float, original)), low, high))
        if not missing
        else float(column.median())
    )
    integral = bool(len(column) and np.all(column == np.round(column)))
    step = 1.0 if integral and high - low >= 10 else None
    unit = unit_label(analysis.unit(feature))
    label = escape_md(analysis.display(feature), max_len=60) + (
        f" ({escape_md(unit)})" if unit else ""
    )
    keep_missing = missing and st.checkbox(
        t("whatif.keep_missing", name=label), value=True, key=_editor_key(position, feature) + "_na"
    )
    value = st.slider(
        label,
        low,
        high,
        start,
        step=step,
        key=_editor_key(position, feature),
        disabled=keep_missing,
        help=t("whatif.range_help", low=fmt_number(low), high=fmt_number(high)),
    )
    return None if keep_missing else float(value)


def _categorical_editor(
    analysis: services.Analysis, position: int, feature: str, original: object
) -> str | None:
    cats = list(analysis.model.spec.categories[feature])
    options = [*cats, MISSING]
    current = (
        MISSING
        if original is None or (isinstance(original, float) and math.isnan(original))
        else str(original)
    )
    index = options.index(current) if current in options else len(options) - 1
    choice = st.selectbox(
        escape_md(analysis.display(feature), max_len=60),
        options=options,
        index=index,
        key=_editor_key(position, feature),
        format_func=lambda v: t("chart.missing") if v == MISSING else v,
    )
    return None if choice == MISSING else str(choice)


def _boolean_editor(
    analysis: services.Analysis,
    position: int,
    feature: str,
    original: object,
    words: tuple[str, str],
) -> float:
    """A yes/no feature as its two words from the file (and missing)."""
    options = [0.0, 1.0, math.nan]
    number = float(original) if isinstance(original, int | float | np.number) else math.nan
    index = 2 if math.isnan(number) else int(number >= 0.5)
    choice = st.selectbox(
        escape_md(analysis.display(feature), max_len=60),
        options=options,
        index=index,
        key=_editor_key(position, feature),
        format_func=lambda v: t("chart.missing") if math.isnan(v) else words[int(v)],
    )
    return float(choice)


def _edited_features(analysis: services.Analysis) -> tuple[list[str], list[DeltaGenerator]]:
    """Draw the editors' caption, their three columns and, for a table of more than
    :data:`EDITORS` features, a list below them to add features from. Return the features
    to draw editors for, most important first (the :data:`EDITORS` most important and
    those added, at most as many again; the others keep the row's values), and the
    columns."""
    ranking = [name for name, _ in analysis.shap.ranking()]
    if len(ranking) <= EDITORS:
        st.caption(t("whatif.edit_caption"))
        return ranking, list(st.columns(3))
    total = fmt_number(len(ranking))
    st.caption(t("whatif.some_editors", shown=fmt_number(EDITORS), total=total))
    columns = list(st.columns(3))  # drawn above the list, filled once it is read
    more = st.multiselect(
        t("whatif.more_features"),
        options=ranking[EDITORS:],
        format_func=lambda name: analysis.display(name),
        key=f"w_whatif_more_{ui.short_key('|'.join(ranking))}",  # per table: no stale choice
        help=t("whatif.more_features_help", most=fmt_number(EDITORS)),
        max_selections=EDITORS,  # a page of sliders stays quick to draw
        select_all=False,
        placeholder=t("whatif.more_features_placeholder"),
    )
    chosen = set(more)
    return ranking[:EDITORS] + [name for name in ranking[EDITORS:] if name in chosen], columns


def _edited_row(analysis: services.Analysis, position: int) -> pd.DataFrame:
    """Draw one editor per chosen feature (most important first) and return the edited
    encoded row."""
    row = analysis.dataset.X.iloc[[position]].copy().reset_index(drop=True)
    originals = row.iloc[0].to_dict()  # the row's values, read once (not once per feature)
    features, columns = _edited_features(analysis)
    for i, feature in enumerate(features):
        original = originals[feature]
        with columns[i % 3]:
            if feature in analysis.model.spec.categories:
                row.loc[0, feature] = _categorical_editor(analysis, position, feature, original)
            elif (words := analysis.boolean_labels(feature)) is not None:
                row.loc[0, feature] = _boolean_editor(analysis, position, feature, original, words)
            else:
                row.loc[0, feature] = _numeric_editor(analysis, position, feature, original)
    return row


def _reset(position: int, features: list[str]) -> None:
    for feature in features:
        state.forget_widget(_editor_key(position, feature))
        state.forget_widget(_editor_key(position, feature) + "_na")


def _prediction_metric(
    analysis: services.Analysis,
    container: st.delta_generator.DeltaGenerator,
    label: str,
    row: RowPrediction,
    before: RowPrediction | None,
) -> None:
    change = None if before is None else row.prediction - before.prediction
    if analysis.is_survival:  # the relative hazard against the average patient
        ratio = float(services.hazard_ratio(analysis, row.margin))
        shown = t("unit.times", value=fmt_number(ratio, 2))
        delta = (
            None
            if change is None or abs(change) < 1e-9
            else t("whatif.hazard_change", value=fmt_number(float(np.exp(change)), 2))
        )
    elif analysis.task == "regression":
        shown = fmt_number(row.prediction)
        delta = None if change is None or change == 0 else fmt_number(change, signed=True)
    else:
        shown = fmt_percent(row.prediction, 1)
        points = None if change is None else 100 * change
        delta = (
            None
            if points is None or abs(points) < 0.05
            else t("unit.points", value=fmt_number(points, 1, signed=True))
        )
    container.metric(label, shown, delta=delta, border=True)


def _body() -> None:
    ui.page_header("whatif.title", "whatif.intro")
    analysis = ui.current_analysis()
    if analysis is None:
        return
    with st.container(border=True):
        position = _rows.choose_row(analysis)
    output = ui.output_selector(analysis, key="w_whatif_class")
    if st.button(t("whatif.reset"), icon=":material/restart_alt:"):
        _reset(position, analysis.features)
        st.rerun()
    with st.expander(t("whatif.editors_title"), expanded=True, icon=":material/edit:"):
        encoded = _edited_row(analysis, position)
    new_shap, _ = services.explain_encoded_row(analysis, encoded)
    original = RowPrediction.from_shap(
        services.row_shap(analysis, position), 0, task=analysis.task, output=output
    )
    edited = RowPrediction.from_shap(new_shap, 0, task=analysis.task, output=output)
    if analysis.is_survival:
        what = t("local.hazard_vs_average")
    elif analysis.task == "regression":
        what = t("local.predicted")
    else:
        label = escape_md(ui.explained_label(analysis, output) or "")
        what = t("local.probability_of", label=label)
    cols = st.columns(2)
    _prediction_metric(analysis, cols[0], t("whatif.original", what=what), original, None)
    _prediction_metric(analysis, cols[1], t("whatif.new", what=what), edited, original)
    original_values = _rows.value_texts(analysis, position)
    new_values = _rows.value_texts(analysis, 0, encoded.iloc[0])
    left, right = st.columns(2, gap="large")
    with left:
        fig = figures.waterfall(
            analysis, original, original_values, raw=False, title=t("whatif.original_waterfall")
        )
        ui.chart(fig, key="whatif_original")
    with right:
        fig = figures.waterfall(
            analysis, edited, new_values, raw=False, title=t("whatif.new_waterfall")
        )
        ui.chart(fig, key="whatif_new", kept=True)  # redrawn with every edit
    if analysis.is_survival:
        _survival.edited_curves(analysis, position, encoded)
    before, after = original.shap, edited.shap
    ui.chart(
        charts.whatif_figure(
            analysis.display_names,
            before,
            after,
            top=12,
            title=t("chart.whatif_title"),
            x_title=t("chart.shap_x"),
            original_name=t("whatif.original_short"),
            new_name=t("whatif.new_short"),
            change_label=t("chart.change"),
        ),
        key="whatif_chart",
        kept=True,
    )
    changed = np.flatnonzero(np.abs(after - before) > 1e-12)
    if len(changed):
        frame = pd.DataFrame(
            {
                t("chart.feature"): [analysis.display_names[j] for j in changed],
                t("whatif.original_short"): before[changed],
                t("whatif.new_short"): after[changed],
                t("chart.change"): (after - before)[changed],
            }
        ).sort_values(t("chart.change"), key=np.abs, ascending=False)
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            column_config={
                c: st.column_config.NumberColumn(format="%+.4f") for c in frame.columns[1:]
            },
        )
    else:
        st.caption(t("whatif.no_change"))


ui.run_page(_body)
