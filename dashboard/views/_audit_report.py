"""The audit's sections of the offline HTML report: the same figures, readings and tables as
the Audit page, for whatever of the audit was computed."""

from __future__ import annotations

from dashboard import services, state
from dashboard.i18n import fmt_number, fmt_percent
from dashboard.report import Section
from dashboard.text import t
from dashboard.views import _audit_core as core_sections
from dashboard.views import _audit_figures as figures
from dashboard.views import _audit_groups as group_sections


def audit_sections(analysis: services.Analysis) -> list[Section]:
    """The audit's report sections: importance with intervals, effects of the top features,
    error rules, and the groups last shown on the Audit page (empty before the audit ran)."""
    found = services.audit_core(analysis)
    if found is None:
        return []
    importance = found.importance
    score = figures.score_label(importance)
    sections = [
        Section(
            t("audit.permutation_title"),
            (
                t("audit.importance_reading"),
                t("audit.permutation_caption", n=fmt_number(importance.n_validation), score=score),
                core_sections.ties_text(analysis, importance.permutation_ties, markdown=False),
            ),
            figures.permutation(analysis, importance),
        ),
        Section(
            t("audit.shap_title"),
            (
                t("audit.shap_caption", n=fmt_number(importance.n_shap_rows)),
                core_sections.ties_text(analysis, importance.shap_ties, markdown=False),
            ),
            figures.shap_intervals(analysis, importance),
        ),
    ]
    for i, effect in enumerate(found.effects):
        readings = (t("audit.effects_reading"),) if i == 0 else ()
        sections.append(
            Section(
                t("audit.pdp_title", name=analysis.display(effect.feature)),
                (*readings, t("audit.pdp_caption", n=fmt_number(effect.n_rows))),
                figures.effect(analysis, effect),
            )
        )
    errors = found.errors
    if errors is None:  # a survival model
        return sections
    rules = core_sections.rules_frame(errors)
    rules["error_rate"] = [fmt_percent(r / 100, 1) for r in rules["error_rate"]]
    rules.columns = [t("audit.col_rule"), t("audit.col_rows"), t("audit.col_error_rate")]
    definition = core_sections.error_definition(errors)
    sections.append(
        Section(
            t("audit.errors_title"),
            (
                t("audit.errors_reading"),
                t("audit.overall_error_rate") + ": " + fmt_percent(errors.overall_error_rate, 1),
                t(
                    "audit.errors_caption",
                    definition=definition,
                    n=fmt_number(errors.n_validation),
                    errors=fmt_number(errors.n_errors),
                ),
            ),
            table=rules,
        )
    )
    sections += _groups(analysis)
    return sections


def _groups(analysis: services.Analysis) -> list[Section]:
    column = state.audit_group_column()
    if column is None:
        return []
    report = services.computed_groups(analysis, column, threshold=state.threshold())
    if report is None:
        return []
    readings = [t("audit.groups_reading")]
    if report.threshold is not None:
        readings.append(t("audit.threshold", threshold=fmt_number(report.threshold, 2)))
    return [
        Section(
            t("audit.groups_chart", name=report.column),
            tuple(readings),
            figures.groups(report),
            group_sections.metrics_table(report),
        ),
        Section(
            t("audit.col_difference") + " / " + t("audit.col_ratio"),
            (t("audit.gaps", n_boot=fmt_number(report.n_boot)),),
            table=group_sections.gaps_table(report),
        ),
    ]
