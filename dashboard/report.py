"""Self-contained HTML files of plotly figures: one chart, or a report of several.

plotly.js is embedded (no network at view time), once per file. Titles may hold
names from the user's data, so they are HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go
import plotly.io as pio

_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans KR",sans-serif;
max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1f2933}}
h1{{font-size:1.6rem}} h2{{font-size:1.2rem;margin-top:2.5rem}}
.note{{color:#52606d;font-size:.9rem}}
.findings{{background:#fff8e1;border-left:4px solid #f0b429;padding:.6rem 1rem .6rem 2rem}}
.findings li{{margin:.3rem 0}}</style></head>
<body><h1>{title}</h1><p class="note">{note}</p>
{body}
</body></html>
"""


def figure_html(fig: go.Figure) -> bytes:
    """One figure as a standalone, offline HTML page (plotly.js embedded)."""
    text: str = pio.to_html(
        fig,
        include_plotlyjs=True,
        full_html=True,
        config={"displaylogo": False, "responsive": True},
    )
    return text.encode("utf-8")


def charts_html(
    title: str,
    charts: Sequence[tuple[str, go.Figure]],
    *,
    note: str = "",
    lang: str = "en",
    findings: Sequence[str] = (),
    findings_title: str = "",
) -> bytes:
    """Several figures, each under its heading, in one offline HTML page.

    Parameters
    ----------
    title
        The page title (escaped).
    charts
        ``(heading, figure)`` pairs, in order; headings are escaped.
    note, lang
        A line under the title (escaped) and the page's language code.
    findings, findings_title
        Sentences to check before trusting the model (plain text, escaped), listed
        under ``findings_title`` before the charts.
    """
    parts = []
    if findings:
        items = "".join(f"<li>{html.escape(text)}</li>" for text in findings)
        parts.append(
            f"<section><h2>{html.escape(findings_title)}</h2>\n"
            f'<ul class="findings">{items}</ul></section>'
        )
    for i, (heading, fig) in enumerate(charts):
        div: str = pio.to_html(
            fig,
            include_plotlyjs=(i == 0),
            full_html=False,
            config={"displaylogo": False, "responsive": True},
        )
        parts.append(f"<section><h2>{html.escape(heading)}</h2>\n{div}</section>")
    page = _PAGE.format(
        lang=html.escape(lang),
        title=html.escape(title),
        note=html.escape(note),
        body="\n".join(parts),
    )
    return page.encode("utf-8")
