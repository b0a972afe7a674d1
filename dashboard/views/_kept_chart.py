"""A plotly chart that stays mounted between reruns and redraws in place.

Streamlit (1.67) derives a ``st.plotly_chart``'s element id from its figure, even with a
``key``, so every new figure is mounted afresh in the browser: React builds a new chart
element and Plotly draws it from nothing (``Plotly.newPlot``). For a chart that changes on
every rerun (the Local page's waterfall, each row switch) this is most of the switch's time
in the browser. This chart is a Streamlit component with a fixed identity: its script keeps
the plot and hands each new figure to ``Plotly.react``, which updates only what changed
(``make bench-remount``: a median 30.7 ms against 56.9 ms for a new plot in a bare page,
22 ms against 61 ms in a page as large as the Local page).

plotly.js is the copy inside the installed ``plotly`` package (the one that wrote the
figure), served by Streamlit's component file route (which serves that package's data
folder: plotly.js and plotly's public templates and sample datasets, no user data); nothing
is fetched from elsewhere. The
chart takes the app's theme (light or dark) from the CSS variables Streamlit sets around a
component, with the defaults of Streamlit's own plotly theme, and the toolbar of
``st.plotly_chart`` (a full-screen button included).

``XAI_PLAIN_CHARTS=1`` in the server's environment draws these charts with
``st.plotly_chart`` instead (:func:`plain_charts`): a fallback for a browser where the
component cannot run, and the baseline of ``make bench-switch``.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import streamlit as st
import streamlit.components.v1 as components_v1
from plotly.io.json import to_json_plotly

from dashboard.text import t

_SCRIPT = Path(__file__).with_name("kept_chart.js")
_PLOTLY_JS = "plotly.min.js"
PLAIN_CHARTS_ENV = "XAI_PLAIN_CHARTS"


def plain_charts() -> bool:
    """Whether the server was told to draw every chart with ``st.plotly_chart``."""
    return os.environ.get(PLAIN_CHARTS_ENV, "").strip().lower() in {"1", "true", "yes"}


@cache
def _component() -> Any:
    """The chart component, registered once per process."""
    return st.components.v2.component(
        "xai_kept_chart",
        js=_SCRIPT.read_text(encoding="utf-8"),
        isolate_styles=False,  # plotly.js styles its toolbar and hover from the page's head
    )


def _plotly_js_addresses() -> dict[str, str]:
    """Where the browser fetches plotly.js: the ``plotly`` package's own file, through
    Streamlit's route for a component's files (declared anew each run, as Streamlit keeps
    its registry per server). ``plotlyPath`` is relative to the page's address, which the
    script tries first (it holds behind a proxy that strips a path prefix); ``plotly`` is
    the address from the server's ``server.baseUrlPath`` (or the component base path a
    deployment sets), tried next."""
    folder = Path(plotly.__file__).parent / "package_data"
    served = components_v1.declare_component("plotlyjs", path=str(folder))
    relative = f"component/{served.name}/{_PLOTLY_JS}"
    if served.url:  # ``server.customComponentBaseUrlPath``: components served from there
        absolute = f"{served.url.rstrip('/')}/{_PLOTLY_JS}"
    else:
        base = str(st.get_option("server.baseUrlPath") or "").strip("/")
        absolute = f"/{base}/{relative}" if base else f"/{relative}"
    return {"plotlyPath": relative, "plotly": absolute}


def figure_json(fig: go.Figure) -> str:
    """The figure as JSON for plotly.js, without its template (the script applies the
    app's theme in the browser, as ``st.plotly_chart`` does)."""
    spec = fig.to_plotly_json()
    spec["layout"] = {k: v for k, v in spec.get("layout", {}).items() if k != "template"}
    return str(to_json_plotly({"data": spec.get("data", []), "layout": spec["layout"]}))


def kept_chart(fig: go.Figure, *, key: str, config: dict[str, Any]) -> None:
    """Draw ``fig`` at full width under ``key``; a later run with the same ``key`` updates
    the chart in place."""
    payload = {
        "figure": figure_json(fig),
        "config": config,
        **_plotly_js_addresses(),
        "failed": t("common.chart_failed"),
        "loadFailed": t("common.chart_load_failed"),
        "labels": {"open": t("chart.fullscreen"), "exit": t("chart.fullscreen_exit")},
    }
    _component()(data=payload, key=key, width="stretch")
