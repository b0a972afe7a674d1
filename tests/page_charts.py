"""The plotly figures an AppTest page drew: ``st.plotly_chart`` elements and the app's kept
charts (``dashboard/views/_kept_chart.py``, a Streamlit component that AppTest lists as an
unknown ``bidi_component`` element carrying the figure in its JSON payload)."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest


def kept_charts(at: AppTest) -> list[dict[str, Any]]:
    """The payloads of the kept charts in the main area, in page order: ``figure`` (plotly
    JSON text), ``config``, ``plotly`` (the URL of plotly.js) and ``failed``."""
    return [json.loads(e.proto.json) for e in at.main.get("bidi_component")]


def chart_specs(at: AppTest) -> list[str]:
    """Every figure in the main area as plotly JSON text: the plain charts, then the kept."""
    plain = [c.proto.spec for c in at.main.get("plotly_chart")]
    return plain + [str(p["figure"]) for p in kept_charts(at)]


def figure_with(at: AppTest, marker: str) -> dict[str, Any]:
    """The first figure in the main area whose JSON contains ``marker`` (as written, or
    with non-ASCII text as ``\\u`` escapes)."""
    escaped = json.dumps(marker)[1:-1]
    spec = next(s for s in chart_specs(at) if marker in s or escaped in s)
    figure: dict[str, Any] = json.loads(spec)
    return figure


def waterfall(at: AppTest) -> dict[str, Any]:
    """The Local page's waterfall (or probability-points) figure."""
    return figure_with(at, '"waterfall"')
