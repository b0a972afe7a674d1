"""The model-worth part's tables, sentences and figures, translated; shared by the Model page
(:mod:`dashboard.views._model_worth`) and the HTML report (:mod:`dashboard.views._worth_report`).

Sentences are plain text (no Markdown), so the report can print them as they are.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts, services
from dashboard.display.worth import byte_size, is_uneven, learning_trend
from dashboard.i18n import fmt_metric, fmt_number, fmt_percent
from dashboard.safe_text import escape_md
from dashboard.text import t, unit_label
from explainers import (
    BaselineReport,
    Coefficient,
    DeploymentFacts,
    LearningCurve,
    ModelFacts,
    TreeCurve,
)

COEFFICIENT_ROWS = 12  # the linear model's terms shown, the largest first


def metric_name(metric: str) -> str:
    """A metric's translated name (``AUC``, ``R²``...)."""
    return t(f"metric.{metric}")


def model_names(analysis: services.Analysis) -> tuple[str, str, str]:
    """The three models' names: XGBoost, the linear baseline and the trivial one."""
    task = analysis.task
    return t("worth.model_xgboost"), t(f"worth.model_linear_{task}"), t("worth.model_trivial")


def metrics_table(
    analysis: services.Analysis, report: BaselineReport, names: list[str]
) -> pd.DataFrame:
    """The validation metrics ``names`` of XGBoost and both baselines, formatted, one row per
    metric (the first column names it)."""
    found = {b.name: b.metrics for b in report.baselines}
    ours = analysis.evaluation.metrics
    xgboost, linear, trivial = model_names(analysis)
    return pd.DataFrame(
        {
            t("worth.col_metric"): [metric_name(n) for n in names],
            xgboost: [fmt_metric(n, ours.get(n)) for n in names],
            linear: [fmt_metric(n, found["linear"].get(n)) for n in names],
            trivial: [fmt_metric(n, found["trivial"].get(n)) for n in names],
        }
    )


def _score(value: float) -> str:
    return fmt_number(value, 3)


def verdict_sentence(report: BaselineReport) -> str:
    """XGBoost against the linear model in one plain sentence, with the difference and its
    interval (the linear model's lead when it does better)."""
    c = report.comparison
    flip = c.verdict == "worse"  # then say by how much the linear model is ahead
    difference = -c.difference if flip else c.difference
    low, high = (-c.ci_high, -c.ci_low) if flip else (c.ci_low, c.ci_high)
    return t(
        f"worth.verdict_{c.verdict}",
        metric=metric_name(c.metric),
        difference=_score(difference),
        low=_score(low),
        high=_score(high),
    )


def worth_readings(analysis: services.Analysis, report: BaselineReport) -> tuple[str, ...]:
    """What the baselines are and how the interval was found."""
    trivial = "classification" if analysis.is_classifier else analysis.task
    return (
        t(
            "worth.reading",
            train=fmt_number(report.n_train),
            valid=fmt_number(report.n_valid),
        ),
        t(f"worth.linear_{analysis.task}") + " " + t(f"worth.trivial_{trivial}"),
        t("worth.interval_caption", n_boot=fmt_number(report.comparison.n_boot)),
    )


def _level(analysis: services.Analysis, c: Coefficient, value: str | None) -> str:
    words = analysis.boolean_labels(c.feature)
    if words is not None and value in ("false", "true"):
        return words[value == "true"]
    if value in ("false", "true"):
        return "1" if value == "true" else "0"
    return str(value)


def _change(analysis: services.Analysis, c: Coefficient) -> str:
    if c.level is None:
        unit = unit_label(analysis.unit(c.feature))
        scale = fmt_number(c.scale) + (f" {unit}" if unit else "")
        return t("worth.per_sd", scale=scale)
    return t(
        "worth.vs_reference",
        level=_level(analysis, c, c.level),
        reference=_level(analysis, c, c.reference),
    )


def coefficients_table(analysis: services.Analysis, report: BaselineReport) -> pd.DataFrame:
    """The linear model's largest terms: the feature, the change (one standard deviation more,
    or a level against the reference), then the odds ratio (binary), the change of the
    target (regression), the hazard ratio (survival) or the class and its log-scale
    coefficient (multiclass)."""
    terms = report.coefficients[:COEFFICIENT_ROWS]
    table = {
        t("worth.col_feature"): [c.display_name for c in terms],
        t("worth.col_change"): [_change(analysis, c) for c in terms],
    }
    if analysis.task == "binary":
        table[t("worth.col_odds_ratio")] = [fmt_number(c.odds_ratio, 2) for c in terms]
    elif analysis.is_survival:
        table[t("worth.col_hazard_ratio")] = [fmt_number(c.hazard_ratio, 2) for c in terms]
    elif analysis.task == "regression":
        column = t("worth.col_effect", target=analysis.model.target_display)
        table[column] = [fmt_number(c.coefficient, signed=True) for c in terms]
    else:
        table[t("worth.col_class")] = [str(c.outcome) for c in terms]
        table[t("worth.col_coefficient")] = [fmt_number(c.coefficient, 2) for c in terms]
    return pd.DataFrame(table)


def coefficients_caption(
    analysis: services.Analysis, report: BaselineReport, *, markdown: bool = True
) -> str:
    """How to read the coefficients, and how many are shown (Markdown-safe for the page,
    plain text for the report)."""
    task = analysis.task
    label = analysis.class_labels[1] if task == "binary" else analysis.model.target_display
    label = escape_md(label) if markdown else label
    total = len(report.coefficients)
    shown = (
        t("worth.coefficients_all", total=fmt_number(total))
        if total <= COEFFICIENT_ROWS
        else t(
            "worth.coefficients_shown",
            shown=fmt_number(COEFFICIENT_ROWS),
            total=fmt_number(total),
        )
    )
    return t(f"worth.coefficients_{task}", label=label) + " " + shown


def tree_figure(
    analysis: services.Analysis, curve: TreeCurve, report: BaselineReport | None
) -> go.Figure:
    """The validation score against trees, with the best and compact models marked (and the
    linear model's score as a dashed line when the baselines are known)."""
    metric = metric_name(curve.metric)
    best = int(curve.trees[curve.best_rounds - 1])
    return charts.tree_curve_figure(
        curve.trees,
        curve.scores,
        best_trees=best,
        compact_trees=curve.compact_trees,
        reference=None if report is None else report.comparison.linear,
        title=t("worth.tree_title", metric=metric),
        x_title=t("worth.trees_x"),
        y_title=metric,
        best_label=t("worth.best", trees=fmt_number(best)),
        compact_label=t(
            "worth.compact",
            trees=fmt_number(curve.compact_trees),
            tolerance=fmt_percent(curve.tolerance, 1),
        ),
        reference_label=model_names(analysis)[1],
    )


def tree_reading(analysis: services.Analysis, curve: TreeCurve) -> str:
    """The best score, and the smallest number of trees within 0.5% of it, in words."""
    total = int(curve.trees[-1])
    best = int(curve.trees[curve.best_rounds - 1])
    params = {
        "metric": metric_name(curve.metric),
        "best_score": _score(curve.best_score),
        "best": fmt_number(best),
        "total": fmt_number(total),
        "tolerance": fmt_percent(curve.tolerance, 1),
    }
    if curve.compact_trees >= total:
        text = t("worth.tree_reading_all", **params)
    else:
        share = fmt_percent(curve.compact_trees / total)
        compact = fmt_number(curve.compact_trees)
        text = t("worth.tree_reading", compact=compact, share=share, **params)
    if analysis.model.source == "uploaded":
        text += " " + t("worth.tree_uploaded")
    return text


def learning_figure(
    analysis: services.Analysis, found: LearningCurve, report: BaselineReport | None
) -> go.Figure:
    """The validation score against training rows (the linear model's as a dashed line)."""
    metric = metric_name(found.metric)
    return charts.learning_curve_figure(
        found.rows,
        found.scores,
        found.rounds,
        reference=None if report is None else report.comparison.linear,
        title=t("worth.learning_title", metric=metric),
        x_title=t("worth.rows_x"),
        y_title=metric,
        trees_label=t("worth.rounds_label"),
        reference_label=model_names(analysis)[1],
    )


def learning_reading(analysis: services.Analysis, found: LearningCurve) -> str:
    """Whether more rows of the same kind would likely help, in one or two sentences."""
    trend = learning_trend(found.scores)
    if trend is None:
        return t("worth.learning_too_few")
    text = t(
        f"worth.learning_{trend}",
        before=_score(found.scores[-2]),
        last=_score(found.scores[-1]),
    )
    if is_uneven(found.scores):
        valid = fmt_number(len(analysis.model.valid_index))
        text += " " + t("worth.learning_uneven", valid=valid)
    return text


def _size(n: int) -> str:
    value, unit = byte_size(n)
    return f"{fmt_number(value, 0 if unit == 'B' else 1)} {unit}"


def _facts_column(facts: ModelFacts) -> list[str]:
    return [
        _size(facts.json_bytes),
        _size(facts.ubj_bytes),
        fmt_number(facts.trees),
        fmt_number(facts.max_depth),
        fmt_number(facts.leaves),
        t("worth.ms", value=fmt_number(facts.one_row_ms, 2)),
        fmt_number(round(facts.rows_per_s)),
    ]


# the deployment facts' rows, in order (each has a label ``worth.fact_<name>``)
FACTS = ("json", "ubj", "trees", "depth", "leaves", "one_row", "rows_per_s")


def deployment_table(facts: DeploymentFacts) -> pd.DataFrame:
    """The full and the compact model's sizes, shapes and speeds, one row per fact."""
    return pd.DataFrame(
        {
            t("worth.col_fact"): [t(f"worth.fact_{name}") for name in FACTS],
            t("worth.col_full"): _facts_column(facts.full),
            t("worth.col_compact", trees=fmt_number(facts.compact.trees)): _facts_column(
                facts.compact
            ),
        }
    )


def deployment_readings(facts: DeploymentFacts, *, markdown: bool = True) -> tuple[str, str]:
    """The facts in plain words, then where and how the speeds were measured (Markdown-safe
    for the page, plain text for the report)."""
    full, compact = facts.full, facts.compact
    plain = t(
        "worth.deploy_plain",
        ubj=_size(full.ubj_bytes),
        json=_size(full.json_bytes),
        ms=fmt_number(full.one_row_ms, 2),
        rows=fmt_number(round(full.rows_per_s)),
    )
    if compact.trees < full.trees:
        plain += " " + t(
            "worth.deploy_compact",
            trees=fmt_number(compact.trees),
            ubj=_size(compact.ubj_bytes),
            share=fmt_percent(compact.ubj_bytes / full.ubj_bytes),
        )
    else:
        plain += " " + t("worth.deploy_no_compact")
    machine = escape_md(facts.machine) if markdown else facts.machine
    measured = t("worth.deploy_measured", machine=machine, batch=fmt_number(facts.batch_rows))
    return plain, measured
