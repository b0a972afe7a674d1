"""Export page: SHAP values, the model, the validation metrics, and every chart.

Files are produced only when their button is clicked (Streamlit runs the
callable then, off the page script), so opening the page costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from dashboard import findings, report, services, state
from dashboard.i18n import fmt_number
from dashboard.text import t
from dashboard.views import _audit_report as audit_report
from dashboard.views import _common as ui
from dashboard.views import _figures as figures
from dashboard.views import _full_values as full_values
from dashboard.views import _save_analysis as save_analysis
from dashboard.views import _survival
from dashboard.views import _worth_report as worth_report


def _file_stem(analysis: services.Analysis) -> str:
    """A short, safe file-name stem: the sample id or the upload's name."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", analysis.source.name.rsplit(".", 1)[0]).strip("_")
    return stem[:40] or "data"


def _download(
    label_key: str,
    make: Callable[[], bytes],
    file_name: str,
    mime: str,
    key: str,
    help_key: str | None = None,
) -> None:
    st.download_button(
        t(label_key),
        data=make,
        file_name=file_name,
        mime=mime,
        key=key,
        icon=":material/download:",
        on_click="ignore",
        help=t(help_key) if help_key else None,
    )


def _chart_figures(analysis: services.Analysis, output: int) -> list[tuple[str, go.Figure]]:
    """The charts offered for download, with their translated titles (built once per run)."""
    charts = [
        ("importance", figures.importance(analysis, output)),
        ("beeswarm", figures.beeswarm(analysis, output)),
    ]
    if analysis.is_classifier:
        labels = figures.curve_labels(analysis)
        charts += [
            ("roc", figures.roc(analysis, labels)),
            ("pr", figures.pr(analysis, labels)),
            ("calibration", figures.calibration(analysis, labels)),
            ("confusion", figures.confusion(analysis)),
        ]
    elif analysis.is_survival:
        charts += [
            ("kaplan_meier", _survival.km_figure(analysis)),
            ("time_auc", _survival.auc_figure(analysis)),
        ]
    else:
        charts += [
            ("predicted_vs_actual", figures.predicted_vs_actual(analysis)),
            ("residuals", figures.residuals(analysis)),
        ]
    return [(t(f"export.chart_{name}"), fig) for name, fig in charts]


def _all_rows_shap(analysis: services.Analysis) -> services.ShapResult | None:
    """Exact SHAP values of every row for the export; None (with the background job's
    progress) while the first view's sample is all there is."""
    shap, _ = services.global_shap(analysis)
    total = analysis.n_rows
    if len(shap.rows) == total:
        return shap
    st.info(t("export.sample_first", total=fmt_number(total)), icon=":material/info:")
    full_values.status(analysis)
    return None


def _data_section(analysis: services.Analysis, stem: str) -> None:
    st.subheader(t("export.data_title"), anchor=False)
    st.caption(t("export.data_caption"))
    shap = _all_rows_shap(analysis)
    c1, c2, c3 = st.columns(3)
    with c1:
        if shap is None:
            st.caption(t("export.shap_pending"))
        else:
            _download(
                "export.shap_csv",
                lambda: services.shap_csv(analysis, shap),
                f"{stem}_shap_values.csv",
                "text/csv",
                "dl_shap_csv",
                "export.shap_help",
            )
            _download(
                "export.shap_parquet",
                lambda: services.shap_parquet(analysis, shap),
                f"{stem}_shap_values.parquet",
                "application/vnd.apache.parquet",
                "dl_shap_parquet",
                "export.shap_help",
            )
    with c2:
        _download(
            "export.model_json",
            lambda: services.model_json(analysis),
            f"{stem}_model.json",
            "application/json",
            "dl_model",
            "export.model_help",
        )
    with c3:
        _download(
            "export.metrics_json",
            lambda: services.metrics_json(analysis),
            f"{stem}_metrics.json",
            "application/json",
            "dl_metrics_json",
        )
        _download(
            "export.metrics_csv",
            lambda: services.metrics_csv(analysis),
            f"{stem}_metrics.csv",
            "text/csv",
            "dl_metrics_csv",
        )


def _charts_section(analysis: services.Analysis, stem: str, output: int) -> None:
    st.subheader(t("export.charts_title"), anchor=False)
    st.caption(t("export.charts_caption"))
    charts = _chart_figures(analysis, output)
    title = t("export.report_title", target=analysis.model.target_display)
    note = t("export.report_note", backend=analysis.backend)
    if analysis.fitted_on_sample:
        note += " " + t(
            "export.report_sampled",
            train=fmt_number(len(analysis.model.train_index)),
            total=fmt_number(analysis.training_split_rows),
            valid=fmt_number(len(analysis.model.valid_index)),
        )
    lang = state.language()
    checks = findings.report_lines(analysis.findings, analysis.schema)
    checks_title = t("export.report_findings")
    audit = audit_report.audit_sections(analysis)
    worth = worth_report.worth_sections(analysis)
    _download(
        "export.report",
        lambda: report.charts_html(
            title,
            charts,
            note=note,
            lang=lang,
            findings=checks,
            findings_title=checks_title,
            sections=[*worth, *audit],
        ),
        f"{stem}_report.html",
        "text/html",
        "dl_report",
        "export.report_help",
    )
    st.caption(t("export.report_audit" if audit else "export.report_no_audit"))
    st.caption(t("export.report_worth" if worth else "export.report_no_worth"))
    cols = st.columns(2)
    for i, (name, fig) in enumerate(charts):
        with cols[i % 2]:
            _download_chart(name, fig, f"{stem}_chart_{i + 1}.html", f"dl_chart_{i}")


def _download_chart(name: str, fig: go.Figure, file_name: str, key: str) -> None:
    st.download_button(
        t("export.chart_html", name=name),
        data=lambda: report.figure_html(fig),
        file_name=file_name,
        mime="text/html",
        key=key,
        on_click="ignore",
        icon=":material/bar_chart:",
    )


def _body() -> None:
    ui.page_header("export.title", "export.intro")
    analysis = ui.current_analysis()
    if analysis is None:
        return
    ui.show_notices()
    stem = _file_stem(analysis)
    output = ui.output_selector(analysis, key="w_export_class")
    _data_section(analysis, stem)
    save_analysis.section(analysis, stem)
    _charts_section(analysis, stem, output)
    st.info(t("export.image_hint"), icon=":material/photo_camera:")


ui.run_page(_body)
