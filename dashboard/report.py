"""Self-contained HTML files of plotly figures: one chart, or a report of several.

plotly.js is embedded (no network at view time), once per file. Titles may hold
names from the user's data, so they are HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
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
.findings li{{margin:.3rem 0}}
table{{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}}
th,td{{border-bottom:1px solid #d9e2ec;padding:.3rem .6rem;text-align:left}}
th{{background:#f0f4f8}}</style></head>
<body><h1>{title}</h1><p class="note">{note}</p>
{body}
</body></html>
"""


@dataclass(frozen=True)
class Section:
    """A part of the report: a heading, plain-text paragraphs, a figure and a table, each
    optional but the heading (all text is escaped)."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None


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
    sections: Sequence[Section] = (),
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
    sections
        More parts after the charts (the audit's), with their readings and tables.
    """
    parts = []
    if findings:
        items = "".join(f"<li>{html.escape(text)}</li>" for text in findings)
        parts.append(
            f"<section><h2>{html.escape(findings_title)}</h2>\n"
            f'<ul class="findings">{items}</ul></section>'
        )
    every = [Section(heading, figure=fig) for heading, fig in charts] + list(sections)
    plotly_js = True  # embedded once, with the first figure
    for section in every:
        body = [f"<p>{html.escape(text)}</p>" for text in section.paragraphs]
        if section.figure is not None:
            body.append(
                pio.to_html(
                    section.figure,
                    include_plotlyjs=plotly_js,
                    full_html=False,
                    config={"displaylogo": False, "responsive": True},
                )
            )
            plotly_js = False
        if section.table is not None:
            body.append(section.table.to_html(index=False, escape=True, border=0, na_rep=""))
        parts.append(
            f"<section><h2>{html.escape(section.heading)}</h2>\n" + "\n".join(body) + "</section>"
        )
    page = _PAGE.format(
        lang=html.escape(lang),
        title=html.escape(title),
        note=html.escape(note),
        body="\n".join(parts),
    )
    return page.encode("utf-8")
