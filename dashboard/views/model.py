"""Model page: training settings, validation metrics and the charts that judge a model, then
whether it is worth it (baselines, curves, deployment facts)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import services, state
from dashboard.display.thresholds import threshold_stats
from dashboard.i18n import fmt_metric, fmt_number, fmt_percent
from dashboard.safe_text import escape_md
from dashboard.state import ModelSettings
from dashboard.text import t
from dashboard.views import _common as ui
from dashboard.views import _figures as figures
from dashboard.views import _findings, _survival
from dashboard.views import _model_worth as worth
from explainers import ClassWeight

CLASS_METRICS = ["auc", "pr_auc", "accuracy", "f1", "log_loss", "brier"]
REGRESSION_METRICS = ["rmse", "mae", "r2"]
THRESHOLD_METRICS = ["accuracy", "precision", "recall", "specificity", "f1"]
LEARNING_RATES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3]
# The caps on training rows offered besides every row (the default is ModelSettings').
TRAIN_ROW_CAPS = [100_000, 250_000, 500_000, 1_000_000]


def _settings_form(analysis: services.Analysis) -> None:
    ms = state.model_settings()
    with st.expander(t("model.settings_title"), icon=":material/tune:"):
        with st.form("w_model_settings"):
            c1, c2, c3 = st.columns(3)
            n_estimators = c1.slider(
                t("model.n_estimators"),
                20,
                2000,
                ms.n_estimators,
                step=20,
                help=t("model.n_estimators_help"),
            )
            rates = sorted({*LEARNING_RATES, ms.learning_rate})
            learning_rate = c2.select_slider(
                t("model.learning_rate"),
                options=rates,
                value=ms.learning_rate,
                help=t("model.learning_rate_help"),
            )
            max_depth = c3.slider(
                t("model.max_depth"), 1, 12, ms.max_depth, help=t("model.max_depth_help")
            )
            c4, c5, c6 = st.columns(3)
            weights: list[ClassWeight] = ["auto", "balanced", "none"]
            class_weight = c4.selectbox(
                t("model.class_weight"),
                options=weights,
                index=weights.index(ms.class_weight),
                format_func=lambda w: t(f"model.class_weight_{w}"),
                disabled=not analysis.is_classifier,
                help=t("model.class_weight_help"),
            )
            validation = c5.slider(
                t("model.validation"),
                0.1,
                0.4,
                ms.validation_fraction,
                step=0.05,
                help=t("model.validation_help"),
            )
            seed = c6.number_input(
                t("model.seed"), 0, 2**31 - 1, ms.seed, step=1, help=t("model.seed_help")
            )
            caps = [0, *sorted({*TRAIN_ROW_CAPS, ms.max_train_rows or TRAIN_ROW_CAPS[0]})]
            cap = st.columns(3)[0].selectbox(
                t("model.train_rows"),
                options=caps,
                index=caps.index(ms.max_train_rows or 0),
                format_func=_cap_text,
                help=t("model.train_rows_help", rows=fmt_number(analysis.training_split_rows)),
            )
            if st.form_submit_button(t("model.retrain"), type="primary", icon=":material/refresh:"):
                state.set_model_settings(
                    ModelSettings(
                        n_estimators=int(n_estimators),
                        learning_rate=float(learning_rate),
                        max_depth=int(max_depth),
                        class_weight=class_weight,
                        validation_fraction=float(validation),
                        seed=int(seed),
                        max_train_rows=int(cap) or None,
                    )
                )
                st.rerun()
        if st.button(t("model.defaults"), icon=":material/restart_alt:"):
            state.set_model_settings(ModelSettings())
            st.rerun()


def _cap_text(cap: int) -> str:
    """A choice of the training-rows cap: 0 is every training row."""
    return t("model.train_rows_all") if cap == 0 else t("model.train_rows_cap", n=fmt_number(cap))


def _training_facts(analysis: services.Analysis) -> None:
    model = analysis.model
    st.caption(
        t(
            "model.facts",
            trees=fmt_number(model.best_iteration + 1),
            train=fmt_number(len(model.train_index)),
            valid=fmt_number(len(model.valid_index)),
            backend=analysis.backend,
        )
    )
    if analysis.fitted_on_sample:
        st.info(ui.fitted_sample_text(analysis), icon=":material/speed:")


def _binary(analysis: services.Analysis) -> None:
    ev = analysis.evaluation
    st.subheader(t("model.threshold_title"), anchor=False)
    threshold = st.slider(
        t("model.threshold"),
        0.01,
        0.99,
        state.threshold(),
        0.01,
        key="w_threshold",
        help=t("model.threshold_help", label=escape_md(analysis.class_labels[1])),
    )
    state.set_threshold(threshold)
    stats = threshold_stats(ev.y_true, ev.y_score[:, 1], threshold)
    cols = st.columns(5)
    for col, name in zip(cols, THRESHOLD_METRICS, strict=True):
        col.metric(
            t(f"metric.{name}"),
            fmt_metric(name, stats[name]),
            help=t(f"metric.{name}_help"),
            border=True,
        )
    left, right = st.columns(2, gap="large")
    with left:
        ui.chart(figures.confusion(analysis, threshold), key="confusion_chart")
    with right:
        curves = figures.threshold_curves(analysis, threshold)
        if curves is not None:
            ui.chart(curves, key="threshold_chart")
    _curves(analysis, figures.curve_labels(analysis))


def _curves(analysis: services.Analysis, labels: list[str]) -> None:
    if not labels:
        return
    c1, c2, c3 = st.columns(3)
    with c1:
        ui.chart(figures.roc(analysis, labels), key="roc_chart")
    with c2:
        ui.chart(figures.pr(analysis, labels), key="pr_chart")
    with c3:
        ui.chart(figures.calibration(analysis, labels), key="calibration_chart")


def _multiclass(analysis: services.Analysis) -> None:
    ev = analysis.evaluation
    labels = figures.curve_labels(analysis)
    st.subheader(t("model.per_class_title"), anchor=False)
    table = pd.DataFrame(ev.per_class).T[["auc", "pr_auc", "f1", "brier", "support"]]
    table.columns = [t(f"metric.{c}") for c in table.columns]
    st.dataframe(table, width="stretch")
    choice = st.selectbox(
        t("model.curves_for"),
        options=["__all__", *labels],
        key="w_model_class",
        format_func=lambda v: t("model.all_classes") if v == "__all__" else v,
    )
    _curves(analysis, labels if choice == "__all__" else [str(choice)])
    ui.chart(figures.confusion(analysis), key="confusion_chart")


def _regression(analysis: services.Analysis) -> None:
    left, right = st.columns(2, gap="large")
    with left:
        ui.chart(figures.predicted_vs_actual(analysis), key="pva_chart")
    with right:
        ui.chart(figures.residuals(analysis), key="residuals_chart")
    ui.chart(figures.residual_histogram(analysis), key="residual_hist_chart")


def _body() -> None:
    ui.page_header("model.title", "model.intro")
    analysis = ui.current_analysis()
    if analysis is None:
        return
    ui.show_notices()
    _findings.model_warnings(analysis)
    _training_facts(analysis)
    if analysis.model.source == "uploaded":
        st.info(t("model.uploaded_note"), icon=":material/upload_file:")
    else:
        _settings_form(analysis)
    ev = analysis.evaluation
    st.subheader(t("model.metrics_title", n=fmt_number(ev.n_valid)), anchor=False)
    if analysis.is_survival:
        _survival.model_section(analysis)
        worth.sections(analysis, _survival.METRICS)
        return
    names = CLASS_METRICS if analysis.is_classifier else REGRESSION_METRICS
    ui.metric_row(ev.metrics, names)
    if analysis.task == "binary":
        positive = analysis.class_labels[1]
        st.caption(
            t(
                "model.positive_class",
                label=escape_md(positive),
                rate=fmt_percent(float(np.mean(ev.y_true == 1)), 1),
            )
        )
        _binary(analysis)
    elif analysis.task == "multiclass":
        _multiclass(analysis)
    else:
        _regression(analysis)
    worth.sections(analysis, names)


ui.run_page(_body)
