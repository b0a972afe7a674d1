"""After a sampled first view: the exact values of every row, computed in the background.

The job runs outside the page run (see :mod:`dashboard.jobs`), so the page stays
usable; fragments poll it (on the Global and Export pages once a second, in the
sidebar of every page every two), and when it ends the whole page reruns, so its
charts switch to every row.
"""

from __future__ import annotations

import streamlit as st

from dashboard import services
from dashboard.i18n import fmt_number
from dashboard.text import error_message, t

POLL_SECONDS = 1.0
SIDEBAR_POLL_SECONDS = 2.0


def status(analysis: services.Analysis) -> None:
    """Show the background job computing every row: progress and Stop while it runs, a
    button to start again once stopped, the reason when it failed."""
    job = services.full_shap_job(analysis)
    if job is None:
        return
    total = fmt_number(len(analysis.dataset.y))
    if job.succeeded:  # finished since this run read the values: draw them
        st.rerun()
    if job.running and not job.cancelled:
        _progress(analysis)
        return
    if job.error is not None:
        known = isinstance(job.error, services.data_error_types())
        st.warning(
            t("full.failed") + (" " + error_message(job.error) if known else ""),
            icon=":material/warning:",
        )
    else:
        st.caption(t("full.stopped"))
    if st.button(
        t("global.compute_all", total=total), key="w_full_shap", icon=":material/functions:"
    ):
        services.restart_full_shap(analysis)
        st.rerun()


@st.fragment(run_every=POLL_SECONDS)
def _progress(analysis: services.Analysis) -> None:
    job = services.full_shap_job(analysis, start=False)
    if job is None or not job.running or job.cancelled:
        st.rerun()  # the whole page: its charts switch to every row (or show the outcome)
    total = fmt_number(len(analysis.dataset.y))
    left, right = st.columns([5, 1], vertical_alignment="center")
    if job.total:
        left.progress(
            min(job.done / job.total, 1.0),
            text=t("full.running", done=fmt_number(job.done), total=total),
        )
    else:
        left.progress(0.0, text=t("full.waiting", total=total))
    if right.button(
        t("full.stop"),
        key="w_full_shap_stop",
        icon=":material/stop_circle:",
        help=t("full.stop_help"),
    ):
        job.cancel()
        st.rerun()


def sidebar_line(analysis: services.Analysis) -> None:
    """While the job runs, a line in the sidebar on every page (polled, so it stays current
    and the page switches to every row when the job is done)."""
    job = services.full_shap_job(analysis, start=False)
    if job is not None and job.running and not job.cancelled:
        _sidebar_progress(analysis)


@st.fragment(run_every=SIDEBAR_POLL_SECONDS)
def _sidebar_progress(analysis: services.Analysis) -> None:
    job = services.full_shap_job(analysis, start=False)
    if job is None or job.cancelled:
        return
    if not job.running:
        st.rerun()
    st.caption(
        t("full.sidebar", done=fmt_number(job.done), total=fmt_number(len(analysis.dataset.y)))
    )
