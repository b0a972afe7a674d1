"""The offline HTML report: sections with readings, figures and tables, all escaped."""

from __future__ import annotations

import re

import pandas as pd

from dashboard import charts, report

HOSTILE = "<img src=x onerror=alert(1)>"


def test_sections_render_readings_figures_and_tables_escaped():
    """Check that a section's paragraphs, table cells and column names show literally, that
    each figure is drawn and plotly.js is embedded once for the whole page."""
    fig = charts.importance_figure(["a", "b"], [1.0, 0.5])
    table = pd.DataFrame({HOSTILE: [HOSTILE, "x & y"], "rows": [3, 4]})
    page = report.charts_html(
        "title",
        [("first", fig)],
        sections=[
            report.Section("audit", (HOSTILE, "plain words"), fig, table),
            report.Section("rules only", table=table),
        ],
    ).decode("utf-8")
    assert HOSTILE not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") == 5  # reading, 2 headers, 2 cells
    assert "x &amp; y" in page and "<p>plain words</p>" in page
    assert page.count("Plotly.newPlot") == 2  # the chart and the audit section's figure
    assert page.count('<script type="text/javascript">/**') <= 1
    assert not re.search(r"<script[^>]+src=", page)
    assert page.index("<h2>first</h2>") < page.index("<h2>audit</h2>") < page.index("rules only")
