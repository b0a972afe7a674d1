"""Translated figures of the audit, built from its results; shared by the Audit page and the
Export page's HTML report."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard import charts, services
from dashboard.charts.kit import ACCENT, SERIES
from dashboard.services import Analysis
from dashboard.text import t


def score_label(found: services.ImportanceAudit) -> str:
    """The score whose drop permutation importance measures, in words."""
    return t(f"audit.score_{found.score}")


def permutation(analysis: Analysis, found: services.ImportanceAudit) -> go.Figure:
    """Permutation importance with 95% whiskers."""
    items = found.permutation
    return charts.interval_importance_figure(
        [analysis.display(i.feature) for i in items],
        [i.mean for i in items],
        [i.ci_low for i in items],
        [i.ci_high for i in items],
        colour=SERIES[0],
        title=t("audit.permutation_title"),
        x_title=t("audit.permutation_x", score=score_label(found)),
        interval_label=t("audit.interval"),
    )


def shap_intervals(analysis: Analysis, found: services.ImportanceAudit) -> go.Figure:
    """Mean |SHAP| with 95% bootstrap whiskers."""
    items = found.shap
    return charts.interval_importance_figure(
        [analysis.display(i.feature) for i in items],
        [i.mean for i in items],
        [i.ci_low for i in items],
        [i.ci_high for i in items],
        colour=ACCENT,
        title=t("audit.shap_title"),
        x_title=t("chart.importance_x"),
        interval_label=t("audit.interval"),
    )


def effect(analysis: Analysis, found: services.PartialDependence) -> go.Figure:
    """Partial dependence with ICE curves, in probability for classifiers."""
    name = analysis.display(found.feature)
    probability = found.unit == "probability"
    if probability:
        y_title = t("audit.pdp_y_probability", label=found.output_label)
    elif found.unit == "log_hazard":
        y_title = t("audit.pdp_y_log_hazard", target=analysis.model.target_display)
    else:
        y_title = t("audit.pdp_y_prediction", target=analysis.model.target_display)
    if found.centred:
        y_title = t("audit.pdp_y_centred", what=y_title)
    return charts.partial_dependence_figure(
        found.grid,
        found.average,
        found.ice,
        categorical=found.kind == "categorical",
        probability=probability,
        centred=found.centred,
        title=t("audit.pdp_title", name=name),
        x_title=name,
        y_title=y_title,
        average_label=t("audit.pdp_average"),
        ice_label=t("audit.pdp_ice"),
    )


def error_bins(
    analysis: Analysis, feature: str, bins: list[services.ErrorBin], overall: float
) -> go.Figure:
    """The validation error rate in bins of one feature, against the overall rate."""
    name = analysis.display(feature)
    return charts.error_rate_figure(
        [b.label if b.label != "missing" else t("audit.bin_missing") for b in bins],
        [b.n for b in bins],
        [b.error_rate for b in bins],
        overall=overall,
        title=t("audit.error_bins_title", name=name),
        x_title=name,
        y_title=t("audit.col_error_rate"),
        rows_label=t("audit.col_rows"),
        overall_label=t("audit.error_bins_overall"),
    )


def groups(report: services.GroupReport) -> go.Figure:
    """Per-group metrics with their 95% intervals."""
    metrics = list(report.groups[0].metrics) if report.groups else []
    nan = float("nan")
    shape = (len(report.groups), len(metrics))
    values = np.array([[g.metrics[m] for m in metrics] for g in report.groups]).reshape(shape)
    low = np.array([[g.ci_low.get(m, nan) for m in metrics] for g in report.groups])
    high = np.array([[g.ci_high.get(m, nan) for m in metrics] for g in report.groups])
    return charts.group_metrics_figure(
        [g.value for g in report.groups],
        metrics,
        values,
        low.reshape(shape),
        high.reshape(shape),
        metric_labels=[t(f"audit.metric_{m}") for m in metrics],
        title=t("audit.groups_chart", name=report.column),
        y_title=t("audit.groups_y"),
        interval_label=t("audit.interval"),
    )
