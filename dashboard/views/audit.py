"""Audit page: importance with intervals, partial dependence with ICE, errors, cohorts, groups.

The core of the audit runs in the background (:func:`services.audit_job`), started when
the page is first opened for an analysis; a fragment shows its progress with Stop, and
the page draws its sections when it is done. Groups are computed when a column is chosen.
"""

from __future__ import annotations

import streamlit as st

from dashboard import services
from dashboard.jobs import Job
from dashboard.text import error_message, t
from dashboard.views import _audit_cohorts as cohort_sections
from dashboard.views import _audit_core as core_sections
from dashboard.views import _audit_groups as group_sections
from dashboard.views import _common as ui
from dashboard.views._job_progress import job_progress


def _status(analysis: services.Analysis) -> bool:
    """Show the background audit's progress, failure or stop; True once it is done."""
    if services.audit_core(analysis) is not None:
        return True
    job = services.audit_job(analysis)
    if job is not None and job.succeeded:
        return True
    if job is not None and job.running and not job.cancelled:
        _progress(analysis)
        return False
    if job is not None and job.error is not None:
        known = isinstance(job.error, services.data_error_types())
        st.warning(
            t("audit.failed") + (" " + error_message(job.error) if known else ""),
            icon=":material/warning:",
        )
    else:
        st.caption(t("audit.stopped"))
    if st.button(t("audit.run"), key="w_audit_run", icon=":material/fact_check:"):
        services.restart_audit(analysis)
        st.rerun()
    return False


def _step(job: Job) -> str:
    """The running audit's progress text, naming its stage."""
    step = (
        t(f"progress.{job.stage}", done=job.done, total=job.total)
        if job.stage in services.AUDIT_STAGES
        else ""
    )
    return t("audit.running", step=step)


def _progress(analysis: services.Analysis) -> None:
    job_progress(
        lambda: services.audit_job(analysis, start=False),
        running=_step,
        waiting=t("audit.waiting"),
        stop_key="w_audit_stop",
    )


def _body() -> None:
    ui.page_header("audit.title", "audit.intro")
    analysis = ui.current_analysis()
    if analysis is None:
        return
    ui.show_notices()
    if _status(analysis):
        found = services.audit_core(analysis)
        if found is None:  # the job just ended: its result is in the cache on the next run
            st.rerun()
        ranking = [i.feature for i in found.importance.permutation]
        core_sections.importance(analysis, found.importance)
        st.divider()
        core_sections.effects(analysis, ranking)
        st.divider()
        if found.errors is None:  # a survival model: a censored time has no per-row error
            st.info(t("audit.survival_parts"), icon=":material/timeline:")
        else:
            core_sections.errors(analysis, found.errors, ranking)
        st.divider()
        cohort_sections.cohorts(analysis, ranking)
        st.divider()
    group_sections.groups(analysis)


ui.run_page(_body)
