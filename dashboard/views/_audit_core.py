"""The Audit page's sections drawn from the background audit: importance with intervals,
effects (partial dependence with ICE), and where the model fails."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import services, state
from dashboard.i18n import fmt_metric, fmt_number, fmt_percent
from dashboard.safe_text import escape_md
from dashboard.text import t
from dashboard.views import _audit_figures as figures
from dashboard.views import _common as ui
from dashboard.views._rows import actual_text, prediction_text

WORST_ROWS = 20  # the most wrong validation rows listed, each one click from the Local page


def ties_text(
    analysis: services.Analysis,
    pairs: tuple[tuple[str, str], ...],
    *,
    markdown: bool = True,
) -> str:
    """The pairs of features that cannot be told apart, as one sentence (Markdown for the
    page, plain text for the report)."""
    if not pairs:
        return t("audit.ties_none")

    def name(feature: str) -> str:
        shown = analysis.display(feature)
        return escape_md(shown, max_len=40) if markdown else shown

    shown = [t("audit.tie_pair", a=name(a), b=name(b)) for a, b in pairs[:6]]
    if not markdown:
        shown = [text.replace("**", "") for text in shown]
    more = t("audit.ties_more", n=fmt_number(len(pairs) - 6)) if len(pairs) > 6 else ""
    return t("audit.ties", pairs="; ".join(shown), more=more)


def importance(analysis: services.Analysis, found: services.ImportanceAudit) -> None:
    """Permutation importance and mean |SHAP|, side by side, with the indistinguishable pairs."""
    st.subheader(t("audit.importance_title"), anchor=False)
    st.markdown(t("audit.importance_reading"))
    score = figures.score_label(found)
    left, right = st.columns(2)
    with left:
        ui.chart(figures.permutation(analysis, found), key="audit_permutation_chart")
        st.caption(t("audit.permutation_caption", n=fmt_number(found.n_validation), score=score))
        st.markdown(ties_text(analysis, found.permutation_ties))
    with right:
        ui.chart(figures.shap_intervals(analysis, found), key="audit_shap_chart")
        st.caption(t("audit.shap_caption", n=fmt_number(found.n_shap_rows)))
        st.markdown(ties_text(analysis, found.shap_ties))


def effects(analysis: services.Analysis, ranking: list[str]) -> None:
    """Partial dependence with ICE of a chosen feature (centred on request)."""
    st.subheader(t("audit.effects_title"), anchor=False)
    st.markdown(t("audit.effects_reading"))
    multiclass = analysis.task == "multiclass"
    columns = st.columns([2, 1, 1] if multiclass else [2, 1])
    left, right = columns[0], columns[-1]
    feature = left.selectbox(
        t("audit.effects_feature"),
        options=ranking,
        format_func=analysis.display,
        key="w_audit_feature",
    )
    feature = feature or ranking[0]
    output = None
    if multiclass:
        output = columns[1].selectbox(
            t("cohorts.class"),
            options=list(range(len(analysis.class_labels))),
            format_func=lambda k: analysis.class_labels[k],
            key="w_audit_effect_class",
        )
    right.markdown("&nbsp;")
    centred = bool(
        right.toggle(t("audit.centred"), key="w_audit_centred", help=t("audit.centred_help"))
    )
    with st.spinner(t("audit.computing")):
        found = services.audit_effect(analysis, feature, centred=centred, output=output)
    ui.chart(figures.effect(analysis, found), key="audit_pdp_chart")
    st.caption(t("audit.pdp_caption", n=fmt_number(found.n_rows)))
    if found.correlated_with:
        name = analysis.display(feature)
        others = ", ".join(
            escape_md(analysis.display(c), max_len=40) for c in found.correlated_with
        )
        st.warning(
            t("audit.correlated", name=escape_md(name), others=others), icon=":material/warning:"
        )


def error_definition(found: services.ErrorAnalysis) -> str:
    """What counts as an error, in words."""
    if found.error_definition == "misclassified":
        return t("audit.errors_misclassified")
    return t("audit.errors_worst", threshold=fmt_metric("mae", found.error_threshold))


def rules_frame(found: services.ErrorAnalysis) -> pd.DataFrame:
    """The error tree's rules, the worst first: rule, rows, error rate (percent)."""
    rules = sorted(found.rules, key=lambda r: -r.error_rate)
    return pd.DataFrame(
        {
            "rule": [r.rule for r in rules],
            "n": [r.n for r in rules],
            "error_rate": [100 * r.error_rate for r in rules],
        }
    )


def errors(analysis: services.Analysis, found: services.ErrorAnalysis, ranking: list[str]) -> None:
    """The error tree's rules, the most wrong rows (to open on the Local page), and the
    error rate along a top feature."""
    st.subheader(t("audit.errors_title"), anchor=False)
    st.markdown(t("audit.errors_reading"))
    definition = error_definition(found)
    st.metric(
        t("audit.overall_error_rate"), fmt_percent(found.overall_error_rate, 1), help=definition
    )
    st.caption(
        t(
            "audit.errors_caption",
            definition=definition,
            n=fmt_number(found.n_validation),
            errors=fmt_number(found.n_errors),
        )
    )
    st.dataframe(
        rules_frame(found),
        hide_index=True,
        width="stretch",
        column_config={
            "rule": st.column_config.TextColumn(t("audit.col_rule"), width="large"),
            "n": st.column_config.NumberColumn(t("audit.col_rows"), format="localized"),
            "error_rate": st.column_config.ProgressColumn(
                t("audit.col_error_rate"), format="%.1f%%", min_value=0, max_value=100
            ),
        },
    )
    _error_bins(analysis, found, ranking)
    _worst_rows(analysis, found)


def _error_bins(
    analysis: services.Analysis, found: services.ErrorAnalysis, ranking: list[str]
) -> None:
    feature = st.selectbox(
        t("audit.error_bins_feature"),
        options=ranking[:10],
        format_func=analysis.display,
        key="w_audit_error_feature",
    )
    feature = feature or ranking[0]
    bins = services.error_bins(analysis, feature)
    ui.chart(
        figures.error_bins(analysis, feature, bins, found.overall_error_rate),
        key="audit_error_bins_chart",
    )


def _worst_rows(analysis: services.Analysis, found: services.ErrorAnalysis) -> None:
    st.markdown(t("audit.worst_title"))
    rows = list(found.worst_rows[:WORST_ROWS])
    if not rows:
        return
    ids = analysis.dataset.row_ids
    positions = [int(p) for p in ids.searchsorted(rows)]
    table = pd.DataFrame(
        {
            t("audit.col_row"): rows,
            t("audit.col_actual"): [actual_text(analysis, p) for p in positions],
            t("audit.col_predicted"): [prediction_text(analysis, p) for p in positions],
        }
    )
    picked = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="w_audit_worst",
    )
    chosen = picked.selection.rows if picked is not None else []
    st.caption(t("audit.worst_caption"))
    if chosen and st.button(
        t("audit.worst_open", row=fmt_number(rows[chosen[0]])),
        icon=":material/arrow_forward:",
        key="w_audit_open_row",
    ):
        state.set_selected_row(positions[chosen[0]])
        state.forget_widget("w_row_number")
        st.switch_page(ui.LOCAL_PAGE)
