"""The app's frame: page config, sidebar, deep links and navigation over ``views/``.

Start it with ``python -m dashboard.serve`` (or ``make run``); the package is
installed (editable), so ``streamlit run dashboard/app.py`` works too. Deep links:
``?lang=ko|en`` sets the language, ``?sample=<id>`` opens a bundled sample
trained and explained, on the Global page.
"""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from dashboard import services, state
from dashboard.i18n import LANG_NAMES, LANGS, fmt_number, normalise_lang
from dashboard.safe_text import escape_md
from dashboard.text import t
from dashboard.views import _common as ui
from dashboard.views import _full_values as full_values

# Pages that need every row's features (an analysis saved without its table says so).
ROW_PAGES = ("local", "whatif", "audit")

# A local favicon: a ``:material/...:`` page icon makes the browser fetch it from a font CDN.
_ICON = str(Path(__file__).with_name("icon.png"))


def _apply_language() -> None:
    """Take the language from ``?lang=``, else keep the session's, else the browser's."""
    wanted = normalise_lang(st.query_params.get("lang"))
    if wanted is not None:
        if wanted != state.language() or not state.has_language():
            state.set_language(wanted)
        return
    if not state.has_language():
        state.set_language(normalise_lang(st.context.locale) or "en")


def _apply_deep_link() -> bool:
    """Load ``?sample=<id>`` once per session; True when the Global page should open."""
    sample = st.query_params.get("sample")
    if not services.is_sample_id(sample) or state.preference("deep_link") == str(sample):
        return False
    services.use_sample(str(sample))
    state.set_preference("deep_link", str(sample))
    return True


def _preload_charts() -> None:
    """Once per session, two hidden empty charts in the sidebar (Streamlit's, and a kept one
    of :mod:`dashboard.views._kept_chart`): the browser then loads the charting code (4.7 MB
    of JavaScript each, a second or more of CPU on a small machine) while the user is still
    choosing a table, not while the model trains beside the first chart. Later runs keep
    their place with an empty element, so the sidebar's elements below keep theirs (else,
    while a long run is drawing, the browser shows the previous run's last element again,
    faded, below the new one)."""
    if not state.first_time("charts_preloaded"):
        st.sidebar.empty()
        return
    with st.sidebar.container(key="chart_preload"):
        st.html("<style>.st-key-chart_preload{display:none}</style>")
        ui.chart(go.Figure(layout={"height": 10}), key="chart_preload_figure")
        # and the plotly.js the charts kept between reruns draw with (the Local waterfall)
        ui.chart(go.Figure(layout={"height": 10}), key="chart_preload_kept", kept=True)


def _on_language_change() -> None:
    lang = state.widget_value("lang_select")
    if lang in LANGS:
        state.set_language(lang)
        st.query_params["lang"] = lang


def _sidebar_language() -> None:
    state.set_widget_value("lang_select", state.language())
    st.sidebar.selectbox(
        "Language · 언어",
        options=list(LANGS),
        format_func=lambda code: LANG_NAMES[code],
        key="lang_select",
        on_change=_on_language_change,
    )


def _sidebar_status(box: st.delta_generator.DeltaGenerator) -> None:
    """Dataset, model and SHAP backend status (drawn after the page, so it is current)."""
    source = state.source()
    with box.container():
        st.subheader(t("sidebar.dataset"), divider="gray")
        if source is None:
            st.caption(t("sidebar.no_data"))
            return
        meta = services.sample_meta(source)
        if meta is not None:
            st.markdown(f"**{escape_md(meta.title.get(state.language(), meta.title['en']))}**")
            st.caption(t("sidebar.synthetic") if meta.synthetic else t("sidebar.real_data"))
        elif source.kind == "analysis":
            st.markdown(t("sidebar.opened", name=escape_md(source.name, max_len=60)))
        else:
            st.markdown(t("sidebar.uploaded", name=escape_md(source.name, max_len=60)))
        analysis = services.peek_analysis(
            source, state.settings(), state.model_settings(), state.model_file()
        )
        st.subheader(t("sidebar.model"), divider="gray")
        if analysis is None:
            st.caption(t("sidebar.not_trained"))
            return
        st.markdown(
            t(
                "sidebar.model_line",
                task=t(f"task.{analysis.task}"),
                target=escape_md(analysis.model.target_display, max_len=60),
            )
        )
        st.caption(
            t(
                "sidebar.model_detail",
                trees=fmt_number(analysis.model.best_iteration + 1),
                rows=fmt_number(analysis.n_rows),
                features=fmt_number(len(analysis.features)),
            )
        )
        if analysis.model.source == "uploaded":
            st.caption(t("sidebar.uploaded_model"))
        if analysis.opened is not None:
            st.caption(
                t(
                    "sidebar.opened_detail",
                    date=analysis.opened.created.strftime("%Y-%m-%d %H:%M UTC"),
                    version=escape_md(analysis.opened.app_version, max_len=64),
                )
            )
        st.markdown(t("sidebar.backend", backend=analysis.backend))
        full_values.sidebar_line(analysis)


def main() -> None:
    """Draw the frame and run the selected page."""
    _apply_language()
    st.set_page_config(
        page_title=t("app.title"), page_icon=_ICON, layout="wide", initial_sidebar_state="expanded"
    )
    open_global = _apply_deep_link()
    pending = state.take_pending_upload()
    if pending is not None:
        state.set_upload(*pending)
    pending = state.take_pending_upload(state.PENDING_ANALYSIS_KEY)
    if pending is not None:
        state.set_upload(*pending, kind="analysis")

    pages = {
        "data": st.Page(
            ui.DATA_PAGE,
            title=t("nav.data"),
            icon=":material/table:",
            url_path="data",
            default=True,
        ),
        "model": st.Page(
            ui.MODEL_PAGE, title=t("nav.model"), icon=":material/model_training:", url_path="model"
        ),
        "global": st.Page(
            ui.GLOBAL_PAGE, title=t("nav.global"), icon=":material/public:", url_path="global"
        ),
        "local": st.Page(
            ui.LOCAL_PAGE, title=t("nav.local"), icon=":material/person_search:", url_path="local"
        ),
        "whatif": st.Page(
            ui.WHATIF_PAGE, title=t("nav.whatif"), icon=":material/tune:", url_path="what-if"
        ),
        "audit": st.Page(
            ui.AUDIT_PAGE, title=t("nav.audit"), icon=":material/fact_check:", url_path="audit"
        ),
        "export": st.Page(
            ui.EXPORT_PAGE, title=t("nav.export"), icon=":material/download:", url_path="export"
        ),
    }
    page = st.navigation(list(pages.values()), position="sidebar")
    if open_global and page is not pages["global"]:
        st.switch_page(pages["global"])
    _sidebar_language()
    _preload_charts()
    status = st.sidebar.empty()
    st.sidebar.caption(t("sidebar.privacy"))
    scheduler = services.cluster_scheduler()
    if scheduler is not None:
        st.sidebar.caption(t("sidebar.cluster", scheduler=services.scheduler_label(scheduler)))
    if any(page is pages[name] for name in ROW_PAGES) and ui.opened_without_rows():
        ui.page_without_rows(page.title)  # opened from a file saved without its table
    else:
        ui.run_page(page.run)
    _sidebar_status(status)


main()
