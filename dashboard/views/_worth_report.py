"""The model-worth sections of the offline HTML report: the same tables, readings and figures
as the Model page, for whatever of them was computed (nothing is computed here)."""

from __future__ import annotations

from dashboard import services
from dashboard.report import Section
from dashboard.text import t
from dashboard.views import _worth_parts as parts

CLASS_METRICS = ("auc", "pr_auc", "accuracy", "f1", "log_loss", "brier")
REGRESSION_METRICS = ("rmse", "mae", "r2")


def worth_sections(analysis: services.Analysis) -> list[Section]:
    """Baselines with the verdict (and the linear model's terms), the score along the trees
    and against training rows, and the deployment facts: each once computed on the Model
    page (an empty list before)."""
    found = services.computed_worth(analysis)
    sections: list[Section] = []
    report = found.baselines
    if report is not None:
        names = CLASS_METRICS if analysis.is_classifier else REGRESSION_METRICS
        sections.append(
            Section(
                t("worth.title"),
                (parts.verdict_sentence(report), *parts.worth_readings(analysis, report)),
                table=parts.metrics_table(analysis, report, list(names)),
            )
        )
        sections.append(
            Section(
                t("worth.coefficients_title"),
                (parts.coefficients_caption(analysis, report, markdown=False),),
                table=parts.coefficients_table(analysis, report),
            )
        )
    if found.curve is not None:
        sections.append(
            Section(
                t("worth.curves_title"),
                (parts.tree_reading(analysis, found.curve),),
                parts.tree_figure(analysis, found.curve, report),
            )
        )
    if found.learning is not None:
        sections.append(
            Section(
                t("worth.learning_title", metric=parts.metric_name(found.learning.metric)),
                (parts.learning_reading(analysis, found.learning),),
                parts.learning_figure(analysis, found.learning, report),
            )
        )
    if found.deployment is not None:
        sections.append(
            Section(
                t("worth.deploy_title"),
                (
                    t("worth.deploy_reading"),
                    *parts.deployment_readings(found.deployment, markdown=False),
                ),
                table=parts.deployment_table(found.deployment),
            )
        )
    return sections
