"""Pieces every page uses: the analysis with a progress bar, error display, selectors.

Not a page itself (``app.py`` registers only the page files).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from dashboard import jobs, services, state
from dashboard.i18n import fmt_metric, fmt_number, fmt_percent
from dashboard.safe_text import escape_md
from dashboard.services import Analysis
from dashboard.text import error_message, t
from dashboard.views._kept_chart import kept_chart, plain_charts

_log = logging.getLogger("dashboard")

DATA_PAGE = "views/data.py"
MODEL_PAGE = "views/model.py"
GLOBAL_PAGE = "views/global_explanations.py"
LOCAL_PAGE = "views/local_explanations.py"
WHATIF_PAGE = "views/what_if.py"
EXPORT_PAGE = "views/export.py"
AUDIT_PAGE = "views/audit.py"

PLOT_CONFIG: dict[str, Any] = {"displaylogo": False, "toImageButtonOptions": {"scale": 2}}


def run_page(body: Callable[[], None]) -> None:
    """Run a page body; engine errors show translated, anything else a generic message.

    Only the exception's type is logged, never its message (which might quote data).
    Background jobs wait while it runs and the browser draws it (:func:`jobs.page_run`), when
    that browser is on the server's machine.
    """
    try:
        with jobs.page_run(local=jobs.browser_on_this_machine(st.context.ip_address)):
            body()
    except services.data_error_types() as error:
        st.error(error_message(error), icon=":material/error:")
    except services.RowsUnavailable:  # a part that needs rows, on a file saved without them
        st.info(t("open.no_rows_here"), icon=":material/table_rows:")
    except Exception as error:  # noqa: BLE001 - never show a traceback to the user
        _log.error("page failed with %s", type(error).__name__)
        st.error(t("error.unexpected"), icon=":material/error:")


def show_notices() -> None:
    """Draw the messages queued for this run (e.g. what was guessed)."""
    for kind, text in state.pop_notices():
        {"success": st.success, "warning": st.warning}.get(kind, st.info)(text)


class ProgressBar:
    """A progress callback for the engine that draws a bar only when work happens."""

    def __init__(self) -> None:
        self.placeholder = st.empty()

    def __call__(self, done: int, total: int, stage: str) -> None:
        """Update the bar: ``stage`` is the engine's stage name (training, shap, ...)."""
        fraction = min(max(done / total, 0.0), 1.0) if total else 0.0
        text = t(f"progress.{stage}", done=fmt_number(done), total=fmt_number(total))
        self.placeholder.progress(fraction, text=text)

    def clear(self) -> None:
        """Remove the bar."""
        self.placeholder.empty()


def current_analysis(*, quiet: bool = False) -> Analysis | None:
    """The session's analysis, computed (with a progress bar) if needed.

    Shows what to do when there is no data yet, or the engine's message when
    the data or settings cannot be used; returns None then.
    """
    source = state.source()
    if source is None:
        if not quiet:
            st.info(t("common.no_data"), icon=":material/info:")
            st.page_link(DATA_PAGE, label=t("common.go_to_data"), icon=":material/table:")
        return None
    bar = ProgressBar()
    try:
        analysis = services.run_analysis(
            source,
            state.settings(),
            state.model_settings(),
            model_file=state.model_file(),
            progress=bar,
        )
    except services.data_error_types() as error:
        bar.clear()
        if not quiet:
            st.error(error_message(error), icon=":material/error:")
            st.page_link(DATA_PAGE, label=t("common.go_to_data"), icon=":material/table:")
        return None
    bar.clear()
    services.full_shap_job(analysis)  # after a sampled first view: every row, in the background
    if state.first_time(f"analysis_seen|{analysis.key}"):  # computed or found: said once
        schema = analysis.schema
        documented = analysis.sample is not None and analysis.sample.target == schema.target
        if schema.target_guessed and not documented:
            state.push_notice(
                "info",
                t(
                    "data.guessed",
                    target=escape_md(analysis.model.target_display),
                    task=t(f"task.{analysis.task}"),
                ),
            )
    return analysis


def rows_missing(analysis: Analysis, what: str) -> bool:
    """True, after saying so, when ``analysis`` was opened from a file saved without its
    table, so ``what`` (a translated name of a chart or page) cannot be shown."""
    if analysis.has_rows:
        return False
    st.info(t("open.no_rows", what=escape_md(what)), icon=":material/table_rows:")
    return True


def opened_without_rows() -> bool:
    """True when the session's analysis was opened from a file saved without its table
    (it is opened now if needed; a refusal is left for the page to show)."""
    source = state.source()
    if source is None or source.kind != "analysis":
        return False
    analysis = current_analysis(quiet=True)
    return analysis is not None and not analysis.has_rows


def page_without_rows(title: str) -> None:
    """A page that needs the rows, for an analysis saved without them: it says so."""
    st.title(title)
    st.info(t("open.no_rows", what=escape_md(title)), icon=":material/table_rows:")
    st.page_link(GLOBAL_PAGE, label=t("open.to_global"), icon=":material/arrow_forward:")


def model_headline(analysis: Analysis) -> None:
    """The model's main validation scores in one line, with the way to the Global page."""
    ev = analysis.evaluation
    if analysis.is_classifier:
        headline = t(
            "data.model_line_class",
            auc=fmt_number(ev.metrics.get("auc"), 3),
            acc=fmt_percent(ev.metrics.get("accuracy"), 1),
        )
    elif analysis.is_survival:
        low, high = ev.survival.c_index_interval if ev.survival else (None, None)
        headline = t(
            "data.model_line_surv",
            c=fmt_number(ev.metrics.get("c_index"), 3),
            low=fmt_number(low, 2),
            high=fmt_number(high, 2),
        )
    else:
        headline = t(
            "data.model_line_reg",
            r2=fmt_number(ev.metrics.get("r2"), 3),
            rmse=fmt_number(ev.metrics.get("rmse")),
        )
    st.success(headline, icon=":material/check_circle:")
    if analysis.fitted_on_sample:
        st.caption(fitted_sample_text(analysis))
    st.page_link(GLOBAL_PAGE, label=t("data.next_global"), icon=":material/arrow_forward:")


def fitted_sample_text(analysis: Analysis) -> str:
    """That the model was fitted on a sample of its training rows, and how to change it."""
    return t(
        "model.train_sampled",
        train=fmt_number(len(analysis.model.train_index)),
        total=fmt_number(analysis.training_split_rows),
        valid=fmt_number(len(analysis.model.valid_index)),
    )


def metric_row(values: Mapping[str, float], names: list[str]) -> None:
    """One bordered metric per name, formatted by :func:`fmt_metric`, with its help text."""
    cols = st.columns(len(names))
    for col, name in zip(cols, names, strict=True):
        col.metric(
            t(f"metric.{name}"),
            fmt_metric(name, values.get(name)),
            help=t(f"metric.{name}_help"),
            border=True,
        )


def output_selector(analysis: Analysis, *, key: str, label_key: str = "common.class") -> int:
    """The model output to explain: a class selector for multiclass, else output 0."""
    if analysis.task != "multiclass":
        return 0
    labels = analysis.class_labels
    default = int(state.widget_value(key, 0) or 0)
    if default >= len(labels):
        state.forget_widget(key)
    choice = st.selectbox(
        t(label_key),
        options=list(range(len(labels))),
        format_func=lambda i: labels[i],
        key=key,
        help=t("common.class_help"),
    )
    return int(choice or 0)


def explained_label(analysis: Analysis, output: int) -> str | None:
    """The class label whose probability is explained (None for regression and survival)."""
    if not analysis.is_classifier:
        return None
    if analysis.task == "binary":
        return analysis.class_labels[1]
    return analysis.class_labels[output]


def chart(fig: go.Figure, *, key: str | None = None, kept: bool = False) -> None:
    """Draw a plotly figure at full width with the house toolbar settings.

    Streamlit (1.67) derives a chart's element id from its figure, even with ``key``, so
    a changed figure is mounted afresh in the browser (``Plotly.newPlot``, not
    ``Plotly.react``; streamlit/streamlit#16052 is open). A chart redrawn on every rerun
    passes ``kept=True`` (with a ``key``): it stays mounted and is updated in place
    (:mod:`dashboard.views._kept_chart`), unless the server runs with plain charts.
    """
    if kept and key is not None and not plain_charts():
        kept_chart(fig, key=key, config=PLOT_CONFIG)
        return
    st.plotly_chart(fig, width="stretch", config=PLOT_CONFIG, key=key, theme="streamlit")


def page_header(title_key: str, intro_key: str | None = None) -> None:
    """The page title and a one-line introduction."""
    st.title(t(title_key))
    if intro_key:
        st.caption(t(intro_key))


def row_label(analysis: Analysis, position: int) -> str:
    """How a dataset row is named to the user.

    It is its row number in the file (0-based, as the preview).
    """
    return t("common.row_n", n=fmt_number(int(analysis.dataset.row_ids[position])))


def short_key(text: str) -> str:
    """A short stable digest of ``text``, for widget keys that must change with settings."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
