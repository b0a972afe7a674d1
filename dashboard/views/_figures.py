"""Translated figures built from an analysis; shared by the pages and the Export page."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard import charts, services
from dashboard.display.prediction import RowPrediction
from dashboard.i18n import fmt_number
from dashboard.services import Analysis, ProbabilityShap
from dashboard.text import t, unit_label


def output_title(analysis: Analysis, output: int) -> str:
    """Chart title naming what is explained (the class, or the regression target)."""
    if analysis.task == "regression":
        return t("global.output_regression", target=analysis.model.target_display)
    if analysis.is_survival:
        return t("global.output_survival", target=analysis.model.target_display)
    label = analysis.class_labels[1 if analysis.task == "binary" else output]
    return t("global.output_class", target=analysis.model.target_display, label=label)


def importance(analysis: Analysis, output: int) -> go.Figure:
    """Mean |SHAP| per feature over all rows."""
    shap, _ = services.global_shap(analysis)
    return charts.importance_figure(
        analysis.display_names,
        shap.mean_abs(output),
        top=20,
        title=output_title(analysis, output),
        x_title=t("chart.importance_x"),
    )


def beeswarm(analysis: Analysis, output: int) -> go.Figure:
    """The beeswarm (a seeded sample above :data:`services.SCATTER_ROWS` rows)."""
    shap, X = services.global_shap(analysis)
    return charts.beeswarm_figure(
        shap.for_output(output),
        X,
        analysis.display_names,
        top=15,
        max_points=services.SCATTER_ROWS,
        seed=services.SEED,
        title=output_title(analysis, output),
        x_title=t("chart.shap_x"),
        color_title=t("chart.feature_value"),
        low_label=t("chart.low"),
        high_label=t("chart.high"),
        missing_label=t("chart.missing"),
        value_label=t("chart.value"),
        shap_label=t("chart.shap"),
        note=t("chart.sample_note"),
    )


def dependence(analysis: Analysis, output: int, feature: str, colour: str | None) -> go.Figure:
    """SHAP dependence of ``feature``, coloured by ``colour`` (a feature) when given."""
    j = analysis.features.index(feature)
    shap, X = services.global_shap(analysis)
    return charts.dependence_figure(
        X[feature],
        shap.for_output(output)[:, j],
        feature=analysis.display(feature),
        color=None if colour is None else X[colour],
        color_feature=None if colour is None else analysis.display(colour),
        unit=unit_label(analysis.unit(feature)),
        max_points=services.SCATTER_ROWS,
        seed=services.SEED,
        y_title=t("chart.shap_x"),
        shap_label=t("chart.shap"),
        color_label=t("chart.colour"),
        missing_label=t("chart.missing"),
        note=t("chart.sample_note"),
        missing_note=t("chart.missing_note"),
    )


def heatmap(analysis: Analysis, output: int, inter: services.InteractionResult) -> go.Figure:
    """Mean |SHAP interaction| between the strongest features."""
    return charts.interaction_heatmap_figure(
        inter.strength(output),
        [analysis.display(f) for f in inter.features],
        top=12,
        title=t("global.heatmap_chart_title"),
        color_title=t("chart.interaction_strength"),
        row_label=t("chart.feature"),
        column_label=t("chart.with"),
    )


def curve_labels(analysis: Analysis) -> list[str]:
    """Classes with ROC/PR/calibration curves (the positive class for binary)."""
    labels = analysis.class_labels[1:] if analysis.task == "binary" else analysis.class_labels
    return [label for label in labels if label in analysis.evaluation.roc]


def roc(analysis: Analysis, labels: list[str]) -> go.Figure:
    """ROC curves of ``labels`` (one-vs-rest for multiclass)."""
    ev = analysis.evaluation
    return charts.roc_figure(
        {lb: (ev.roc[lb].x, ev.roc[lb].y) for lb in labels},
        {lb: ev.per_class[lb]["auc"] for lb in labels},
        title=t("chart.roc_title"),
        x_title=t("chart.fpr"),
        y_title=t("chart.tpr"),
        chance_name=t("chart.chance"),
        auc_label=t("metric.auc"),
    )


def pr(analysis: Analysis, labels: list[str]) -> go.Figure:
    """Precision-recall curves of ``labels`` with their no-skill baselines."""
    ev = analysis.evaluation
    prevalence = {lb: float(ev.per_class[lb]["support"]) / max(ev.n_valid, 1) for lb in labels}
    return charts.pr_figure(
        {lb: (ev.pr[lb].x, ev.pr[lb].y) for lb in labels},
        {lb: ev.per_class[lb]["pr_auc"] for lb in labels},
        prevalence=prevalence,
        title=t("chart.pr_title"),
        x_title=t("metric.recall"),
        y_title=t("metric.precision"),
        ap_label=t("chart.ap"),
        baseline_name=t("chart.baseline"),
    )


def calibration(analysis: Analysis, labels: list[str]) -> go.Figure:
    """Reliability curves of ``labels``."""
    ev = analysis.evaluation
    return charts.calibration_figure(
        {lb: (ev.calibration[lb].x, ev.calibration[lb].y) for lb in labels},
        title=t("chart.calibration_title"),
        x_title=t("chart.mean_predicted"),
        y_title=t("chart.observed"),
        perfect_name=t("chart.perfect"),
    )


def confusion(analysis: Analysis, threshold: float | None = None) -> go.Figure:
    """Confusion matrix (binary: at ``threshold``, default 0.5)."""
    ev = analysis.evaluation
    if analysis.task == "binary":
        value = 0.5 if threshold is None else threshold
        matrix = services.confusion_at_threshold(ev, value)
        title = t("chart.confusion_at", threshold=f"{value:.2f}")
    else:
        assert ev.confusion is not None  # classification always has one
        matrix, title = ev.confusion, t("chart.confusion_title")
    return charts.confusion_figure(
        matrix,
        analysis.class_labels,
        title=title,
        x_title=t("chart.predicted"),
        y_title=t("chart.actual"),
        count_label=t("chart.rows"),
        row_share_label=t("chart.row_share"),
    )


def threshold_curves(analysis: Analysis, threshold: float) -> go.Figure | None:
    """Precision, recall and F1 against the decision threshold (binary), or None."""
    curve = analysis.evaluation.pr.get(analysis.class_labels[1])
    if curve is None or len(curve.thresholds) < 2:
        return None
    precision, recall = curve.y[:-1], curve.x[:-1]
    total = precision + recall
    f1 = np.where(total > 0, 2 * precision * recall / np.maximum(total, 1e-12), 0.0)
    return charts.threshold_metrics_figure(
        curve.thresholds[:-1],
        precision,
        recall,
        f1,
        current=threshold,
        title=t("chart.threshold_title"),
        x_title=t("chart.threshold_x"),
        y_title=t("chart.score"),
        precision_name=t("metric.precision"),
        recall_name=t("metric.recall"),
        f1_name=t("metric.f1"),
        current_name=t("chart.current_threshold"),
    )


def predicted_vs_actual(analysis: Analysis) -> go.Figure:
    """Regression: predicted against actual on the validation rows."""
    ev = analysis.evaluation
    return charts.predicted_vs_actual_figure(
        ev.y_true,
        ev.y_pred,
        unit=unit_label(analysis.target_unit),
        title=t("chart.pva_title"),
        x_title=t("chart.actual"),
        y_title=t("chart.predicted"),
        identity_name=t("chart.perfect_prediction"),
        note=t("chart.sample_note"),
    )


def residuals(analysis: Analysis) -> go.Figure:
    """Regression: residuals against predictions on the validation rows."""
    ev = analysis.evaluation
    assert ev.residuals is not None  # regression always has them
    return charts.residuals_figure(
        ev.y_pred,
        ev.residuals,
        unit=unit_label(analysis.target_unit),
        title=t("chart.residuals_title"),
        x_title=t("chart.predicted"),
        y_title=t("chart.residual"),
        note=t("chart.sample_note"),
    )


def residual_histogram(analysis: Analysis) -> go.Figure:
    """Regression: the distribution of validation residuals."""
    ev = analysis.evaluation
    assert ev.residuals is not None  # regression always has them
    return charts.residual_histogram_figure(
        ev.residuals,
        unit=unit_label(analysis.target_unit),
        title=t("chart.residual_hist_title"),
        x_title=t("chart.residual"),
        y_title=t("chart.rows"),
    )


def waterfall(
    analysis: Analysis, row: RowPrediction, values: list[str], *, raw: bool, title: str
) -> go.Figure:
    """Waterfall of one row: in probability for binary unless ``raw``, else in log-odds
    (classifiers) or the target's units.

    Its first bar is ``row.average`` and its last ``row.prediction``, the numbers the
    headline and the summary state; in log-odds the bars say so (the first bar's label and
    the axis) and show those two probabilities in parentheses.
    """
    probability = analysis.task == "binary" and not raw
    base_label = t("chart.base_value")
    ends = None
    if analysis.task == "regression":
        x_title = t("chart.prediction_of", target=analysis.model.target_display)
    elif analysis.is_survival:
        x_title = t("chart.log_hazard_of", target=analysis.model.target_display)
        base_label = t("chart.base_value_log_hazard")
    elif probability:
        x_title = t("chart.probability_of", label=analysis.class_labels[1])
    else:
        label = analysis.class_labels[1 if analysis.task == "binary" else row.output]
        x_title = t("chart.log_odds_of", label=label)
        base_label = t("chart.base_value_log_odds")
        ends = (row.average, row.prediction)
    return charts.waterfall_figure(
        row.base_margin,
        analysis.display_names,
        values,
        row.shap,
        final=row.margin,
        probability=probability,
        end_probabilities=ends,
        unit=unit_label(analysis.target_unit) if analysis.task == "regression" else None,
        title=title,
        x_title=x_title,
        base_label=base_label,
        final_label=t("chart.this_row"),
        other_label=t("chart.other_features"),
        shap_label=t("chart.shap"),
        points_suffix=t("chart.points_suffix"),
    )


def background_text(analysis: Analysis, points: ProbabilityShap) -> str:
    """The background of Shapley values of the probability in words, e.g. "100 training
    rows" (an uploaded model's rows are the whole table: which trained it is not known)."""
    trained = analysis.model.source == "trained"
    key = "local.background_training" if trained else "local.background_table"
    return t(key, n=fmt_number(points.background_rows))


def probability_points(
    analysis: Analysis, points: ProbabilityShap, values: list[str], *, title: str
) -> go.Figure:
    """Waterfall of one row's Shapley values of the predicted probability (percentage
    points), from the mean prediction over their background rows (the first bar says how
    many) to the row's probability; the subtitle states the method, the hover any standard
    errors."""
    background = background_text(analysis, points)
    exact = points.std_error is None
    subtitle = t("chart.shapley_exact") if exact else t("chart.shapley_estimate")
    return charts.probability_points_figure(
        points.base_value,
        analysis.display_names,
        values,
        points.values[0],
        predicted=float(points.predicted[0]),
        std_error=None if points.std_error is None else points.std_error[0],
        title=title,
        subtitle=subtitle,
        x_title=t("chart.shapley_axis", label=points.output_label),
        base_label=t("chart.shapley_base", background=background),
        final_label=t("chart.this_row"),
        other_label=t("chart.other_features"),
        points_suffix=t("chart.points_suffix"),
        error_label=t("chart.std_error"),
    )
