"""What to check before trusting a model: leaks, a too-good score, a dominant column, and
how the target was guessed, with one-click fixes (include a column, pick another target).

Not a page itself (``app.py`` registers only the page files).
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import findings, services, state
from dashboard.i18n import fmt_number
from dashboard.safe_text import escape_md, plain
from dashboard.state import Settings
from dashboard.text import t
from dashboard.views import _common as ui

MAX_BUTTONS = 8  # flagged columns offered with a button; the roles table has every column


def model_warnings(analysis: services.Analysis) -> None:
    """The model's findings (near-perfect score, one dominant feature) as warnings."""
    for text in findings.warnings_of(analysis.findings, analysis.schema, findings.MODEL_CODES):
        st.warning(text, icon=":material/report:")


def data_warnings(schema: services.Schema, analysis: services.Analysis | None) -> None:
    """The Data page's warnings: leaks and possible leaks, numbers read as categories, and
    once trained the model's."""
    found = analysis.findings if analysis is not None else schema.findings
    codes = (
        (*findings.MODEL_CODES, *findings.LEAK_CODES, *findings.DATA_CODES)
        if analysis is not None
        else (*findings.LEAK_CODES, *findings.DATA_CODES)
    )
    for text in findings.warnings_of(found, schema, codes):
        st.warning(text, icon=":material/report:")
    if schema.leak_check_rows and schema.leak_check_rows < schema.n_rows:
        st.caption(t("finding.leak_sample", n=fmt_number(schema.leak_check_rows)))


def data_fixes(schema: services.Schema, analysis: services.Analysis | None) -> None:
    """How the target was guessed, with the next candidates, and the flagged columns, each
    one click from being the target or a feature."""
    found = analysis.findings if analysis is not None else schema.findings
    _target_guess(schema, found)
    _include_buttons(schema)


def _target_guess(schema: services.Schema, found: findings.Findings) -> None:
    texts = findings.warnings_of(found, schema, ("target_guess", "target_skipped"))
    alternatives = [a for a in schema.target_alternatives if a != schema.target]
    if not texts and not alternatives:
        return
    with st.container(border=True):
        for text in texts:
            st.markdown(text)
        if alternatives:
            st.caption(t("finding.other_targets"))
            names = schema.display_names
            cols = st.columns(min(len(alternatives), 4))
            for i, name in enumerate(alternatives):
                label = t("finding.use_target", column=plain(names.get(name, name), max_len=40))
                if cols[i % len(cols)].button(
                    label, key=f"w_target_{ui.short_key(name)}", icon=":material/ads_click:"
                ):
                    current = state.settings()
                    roles = tuple((k, v) for k, v in current.roles if k != name)
                    state.set_settings(Settings(target=name, task="auto", roles=roles))
                    st.rerun()


def _include_buttons(schema: services.Schema) -> None:
    flagged = findings.includable(schema)
    if not flagged:
        return
    with st.container(border=True):
        st.markdown(t("finding.include_intro"))
        for profile in flagged[:MAX_BUTTONS]:
            text, button = st.columns([5, 1], vertical_alignment="center")
            text.markdown(
                t(
                    "finding.flagged_line",
                    column=escape_md(profile.display_name, max_len=80),
                    why=escape_md(findings.reason_text(profile), max_len=300),
                )
            )
            if button.button(
                t("finding.include"),
                key=f"w_include_{ui.short_key(profile.name)}",
                icon=":material/add_circle:",
                width="stretch",
            ):
                _include(profile.name)
        if len(flagged) > MAX_BUTTONS:
            st.caption(t("finding.more_in_table", n=fmt_number(len(flagged) - MAX_BUTTONS)))


def _include(name: str) -> None:
    current = state.settings()
    roles = dict(current.roles)
    roles[name] = "feature"
    state.set_settings(replace(current, roles=tuple(sorted(roles.items()))))
    st.rerun()
