"""The kept chart (``dashboard/views/_kept_chart.py``): the figure it sends, the Local page's
waterfall drawn with it, and the plain-chart fallback. Its drawing in a browser (updated in
place, toolbar, theme, plotly.js from the app's server) is checked in ``tests/e2e``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import page_charts
import plotly
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import translate
from dashboard.views import _kept_chart
from dashboard.views._kept_chart import PLAIN_CHARTS_ENV, figure_json

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
LOCAL = "views/local_explanations.py"


def test_figure_json_is_plotlys_own_json_without_the_template():
    """Check the figure sent to the browser against plotly's own JSON of the same figure:
    the same traces (typed arrays included) and layout, less the template, which the browser
    replaces with the app's theme."""
    fig = go.Figure(
        go.Waterfall(x=np.array([0.5, -0.25, 0.25]), y=[0, 1, 2], text=["a", "b", "c"]),
        layout={"title": {"text": "Why"}, "height": 300, "template": "plotly_dark"},
    )
    sent = json.loads(figure_json(fig))
    reference = json.loads(fig.to_json())
    assert "template" in reference["layout"] and "template" not in sent["layout"]
    del reference["layout"]["template"]
    assert sent == {"data": reference["data"], "layout": reference["layout"]}


def _local() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = "breast_cancer"
    at.run()
    at.switch_page(LOCAL).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_local_waterfall_is_a_kept_chart():
    """Check that the Local page draws its waterfall as a kept chart whose plotly.js is the
    ``plotly`` package's own file, served by the app, with the toolbar labels from the
    catalogue (Korean too: AppTest cannot rerun a Korean page, see test_survival_pages)."""
    at = _local()
    assert not [c for c in at.main.get("plotly_chart") if '"waterfall"' in c.proto.spec]
    (payload,) = [p for p in page_charts.kept_charts(at) if '"waterfall"' in p["figure"]]
    assert payload["plotly"].startswith("/component/")
    assert payload["plotly"].endswith("/plotly.min.js")
    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert shipped.is_file() and shipped.stat().st_size > 1_000_000
    assert payload["labels"] == {"open": "Full screen", "exit": "Exit full screen"}
    assert translate("ko", "chart.fullscreen_exit") == "전체 화면 종료"
    assert payload["config"]["displaylogo"] is False
    figure = json.loads(payload["figure"])
    assert figure["data"][0]["type"] == "waterfall" and "template" not in figure["layout"]


def test_plain_charts_draw_the_waterfall_with_st_plotly_chart(monkeypatch):
    """Check the fallback: with ``XAI_PLAIN_CHARTS=1`` the waterfall is a ``st.plotly_chart``
    and no kept chart is drawn (the sidebar's hidden preloading one included)."""
    monkeypatch.setenv(PLAIN_CHARTS_ENV, "1")
    at = _local()
    assert [c for c in at.main.get("plotly_chart") if '"waterfall"' in c.proto.spec]
    assert not at.get("bidi_component")


@pytest.mark.parametrize(
    ("base", "prefix"), [("", "/component/"), ("/tools/xai/", "/tools/xai/component/")]
)
def test_plotly_js_url_follows_the_servers_base_path(monkeypatch, base, prefix):
    """Check that plotly.js is asked for under ``server.baseUrlPath`` (the app behind a
    proxy at a sub-path), from the component that serves the ``plotly`` package's folder,
    and next to the page's own address (a proxy that strips its prefix)."""
    monkeypatch.setattr(_kept_chart.st, "get_option", lambda name: base)
    urls = _kept_chart._plotly_js_addresses()
    assert urls["plotly"].startswith(prefix), urls
    assert urls["plotly"].endswith(".plotlyjs/plotly.min.js"), urls
    assert urls["plotlyPath"].startswith("component/")
    assert urls["plotly"].endswith("/" + urls["plotlyPath"])


def test_plotly_js_url_follows_a_component_base_url():
    """Check that a deployment serving components from elsewhere
    (``server.customComponentBaseUrlPath``) gets plotly.js from there too."""
    from streamlit import config

    config.set_option("server.customComponentBaseUrlPath", "https://static.example/c")
    try:
        urls = _kept_chart._plotly_js_addresses()
    finally:
        config.set_option("server.customComponentBaseUrlPath", "")
    assert urls["plotly"].startswith("https://static.example/c/"), urls
    assert urls["plotly"].endswith(".plotlyjs/plotly.min.js"), urls
