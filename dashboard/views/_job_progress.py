"""A background job's progress bar with a Stop button, polled while the job runs; shared by
the Audit page and the Model page's learning curve."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.jobs import Job
from dashboard.text import t

POLL_SECONDS = 1.0


@st.fragment(run_every=POLL_SECONDS)
def job_progress(
    get_job: Callable[[], Job | None],
    *,
    running: Callable[[Job], str],
    waiting: str,
    stop_key: str,
    stopping: str | None = None,
) -> None:
    """Draw the job's progress (``running(job)`` once it has a total, else ``waiting``) and a
    Stop button; rerun the whole page once the job ended (or was stopped, when ``stopping``
    is None; else say ``stopping`` until its current step ends)."""
    job = get_job()
    if job is None or not job.running or (job.cancelled and stopping is None):
        st.rerun()  # the whole page: it draws the result (or says why there is none)
    if job.cancelled:
        st.progress(min(job.done / max(job.total, 1), 1.0), text=stopping)
        return
    left, right = st.columns([5, 1], vertical_alignment="center")
    if job.total:
        left.progress(min(job.done / job.total, 1.0), text=running(job))
    else:
        left.progress(0.0, text=waiting)
    if right.button(t("full.stop"), key=stop_key, icon=":material/stop_circle:"):
        job.cancel()
        st.rerun()
