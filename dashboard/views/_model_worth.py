"""The Model page's "is the model worth it?" sections: XGBoost against a linear and a trivial
baseline, the score against trees and training rows, and the facts deployment needs.

Baselines, the tree curve and the deployment facts are computed when the page is drawn
(seconds, cached); the learning curve retrains the model, so it runs as a background job
(:func:`services.learning_curve_job`) started by a button, with progress and Stop.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import services
from dashboard.i18n import fmt_percent
from dashboard.jobs import Job
from dashboard.text import error_message, t
from dashboard.views import _common as ui
from dashboard.views import _worth_parts as parts
from dashboard.views._job_progress import job_progress

ROW_PX = 35  # a dataframe row's height in pixels
VERDICT_BOX = {"better": st.success, "similar": st.info, "worse": st.warning}
VERDICT_ICON = {
    "better": ":material/trending_up:",
    "similar": ":material/balance:",
    "worse": ":material/trending_down:",
}


def sections(analysis: services.Analysis, names: list[str]) -> None:
    """Draw the three sections: baselines, curves, deployment facts."""
    st.divider()
    report = _baselines(analysis, names)
    st.divider()
    _curves(analysis, report)
    st.divider()
    _deployment(analysis)


def _baselines(analysis: services.Analysis, names: list[str]) -> services.BaselineReport | None:
    """XGBoost beside the baselines, the verdict, and the linear model's terms."""
    st.subheader(t("worth.title"), anchor=False)
    if analysis.model.source == "uploaded":
        st.info(t("worth.uploaded_baselines"), icon=":material/upload_file:")
        return None
    try:
        with st.spinner(t("worth.computing_baselines")):
            report = services.worth_baselines(analysis)
    except services.data_error_types() as error:
        st.info(error_message(error), icon=":material/info:")
        return None
    verdict = report.comparison.verdict
    VERDICT_BOX[verdict](parts.verdict_sentence(report), icon=VERDICT_ICON[verdict])
    left, right = st.columns([11, 10], gap="large")
    with left:
        _table(parts.metrics_table(analysis, report, names))
        for reading in parts.worth_readings(analysis, report):
            st.caption(reading)
    with right:
        if verdict == "better":
            with st.expander(t("worth.coefficients_title"), icon=":material/functions:"):
                _coefficients(analysis, report)
        else:
            st.markdown(f"**{t('worth.coefficients_title')}**")
            _coefficients(analysis, report)
    return report


def _table(frame: pd.DataFrame) -> None:
    """A small table at its full height (no inner scrolling)."""
    st.dataframe(frame, hide_index=True, width="stretch", height=ROW_PX * (len(frame) + 1) + 3)


def _coefficients(analysis: services.Analysis, report: services.BaselineReport) -> None:
    _table(parts.coefficients_table(analysis, report))
    st.caption(parts.coefficients_caption(analysis, report))


def _curves(analysis: services.Analysis, report: services.BaselineReport | None) -> None:
    """The score against trees (from the model) and against training rows (retrained)."""
    st.subheader(t("worth.curves_title"), anchor=False)
    st.markdown(t("worth.curves_reading"))
    left, right = st.columns(2, gap="large")
    with left:
        with st.spinner(t("worth.computing_trees")):
            curve = services.worth_tree_curve(analysis)
        ui.chart(parts.tree_figure(analysis, curve, report), key="worth_tree_chart")
        st.caption(parts.tree_reading(analysis, curve))
    with right:
        _learning(analysis, report)


def _learning(analysis: services.Analysis, report: services.BaselineReport | None) -> None:
    if analysis.model.source == "uploaded":
        st.info(t("worth.uploaded_learning"), icon=":material/upload_file:")
        return
    found = services.worth_learning_curve(analysis)
    if found is None:
        job = services.learning_curve_job(analysis, start=False)
        if job is not None and job.succeeded:
            st.rerun()  # its result is in the cache on the next run
        if job is not None and job.running:
            _progress(analysis)
            return
        _start(analysis, job)
        return
    ui.chart(parts.learning_figure(analysis, found, report), key="worth_learning_chart")
    st.caption(parts.learning_reading(analysis, found))


def _start(analysis: services.Analysis, job: Job | None) -> None:
    """Say what the learning curve does (and why it stopped); offer to compute it."""
    if job is not None and job.error is not None:
        known = isinstance(job.error, services.data_error_types())
        st.warning(
            t("worth.learning_failed") + (" " + error_message(job.error) if known else ""),
            icon=":material/warning:",
        )
    elif job is not None:
        st.caption(t("worth.learning_stopped"))
    shares = ", ".join(fmt_percent(f) for f in services.LEARNING_FRACTIONS)
    st.markdown(t("worth.learning_intro", shares=shares))
    if st.button(t("worth.learning_run"), key="w_learning_run", icon=":material/show_chart:"):
        services.restart_learning_curve(analysis)
        st.rerun()


def _step(job: Job) -> str:
    """The running learning curve's progress text, naming its stage."""
    step = (
        t(f"progress.{job.stage}", done=job.done, total=job.total)
        if job.stage in services.LEARNING_STAGES
        else ""
    )
    return t("worth.learning_running", step=step)


def _progress(analysis: services.Analysis) -> None:
    job_progress(
        lambda: services.learning_curve_job(analysis, start=False),
        running=_step,
        waiting=t("worth.learning_waiting"),
        stop_key="w_learning_stop",
        stopping=t("worth.learning_stopping"),
    )


def _deployment(analysis: services.Analysis) -> None:
    """Sizes, shapes and speeds of the model and of its compact version."""
    st.subheader(t("worth.deploy_title"), anchor=False)
    st.markdown(t("worth.deploy_reading"))
    with st.spinner(t("worth.computing_deployment")):
        facts = services.worth_deployment(analysis)
    plain, measured = parts.deployment_readings(facts)
    left, right = st.columns([3, 2], gap="large")
    with left:
        _table(parts.deployment_table(facts))
    with right:
        st.markdown(plain)
        st.caption(measured)
