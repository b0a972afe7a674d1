"""Findings and reading facts as translated sentences (no Streamlit here).

The engine's :class:`explainers.Finding` carries a stable ``code``, ``params`` and the
columns it names; its English ``message`` is never shown. Each finding is written
from those in the session's language, with column names escaped for Markdown.
The same text serves the pages and the HTML report (:func:`plain_text`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from dashboard.i18n import fmt_number, fmt_percent, has_key
from dashboard.safe_text import escape_md, plain, shown_names
from dashboard.text import t
from explainers import ColumnProfile, Finding, Schema, Table

Findings = tuple[Finding, ...]

MODEL_CODES = ("near_perfect_score", "dominant_feature", "small_target_scale")
"""Findings about the trained model (the rest are about the table and the target)."""
LEAK_CODES = ("leakage", "possible_leak")
DATA_CODES = ("numbers_with_text", "long_category_values")
INCLUDABLE_REASONS = ("leakage", "possible_leak", "identifier", "personal")
"""Exclusions the user may overrule with one click."""
_METRIC_KEYS = {"AUC": "auc", "accuracy": "accuracy", "R²": "r2"}
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar", " ": "space"}
_MAX_NAMED = 5


def _names(
    columns: tuple[str, ...] | list[str], figure: Callable[[str], str | None] = lambda _: None
) -> str:
    """The first columns in bold, each with its ``figure`` in brackets when it has one."""
    parts = []
    for name in columns[:_MAX_NAMED]:
        shown, value = f"**{escape_md(name, max_len=80)}**", figure(name)
        parts.append(f"{shown} ({value})" if value else shown)
    text = ", ".join(parts)
    if len(columns) > _MAX_NAMED:
        text += t("finding.and_more", n=fmt_number(len(columns) - _MAX_NAMED))
    return text


def leak_figure(profile: ColumnProfile) -> str | None:
    """``AUC 0.998`` / ``R² 0.985``: how well the column alone predicts the target."""
    if profile.leak_score is None:
        return None
    metric = "auc" if profile.leak_metric == "auc" else "r2"
    return f"{t(f'metric.{metric}')} {fmt_number(profile.leak_score, 3)}"


def reason_text(profile: ColumnProfile) -> str:
    """Why a column is left out, as plain text (the roles editor's "why" column)."""
    if not profile.reason:
        return ""
    figure = leak_figure(profile) if profile.reason == "leakage" else None
    if figure is not None:
        return t("reason.leakage_figure", figure=figure)
    return t(f"reason.{profile.reason}") if has_key(f"reason.{profile.reason}") else ""


def _leak_names(finding: Finding, schema: Schema | None) -> str:
    profiles = {c.display_name: c for c in schema.columns} if schema else {}

    def figure(name: str) -> str | None:
        profile = profiles.get(name)
        return leak_figure(profile) if profile is not None else None

    return _names(finding.columns, figure)


def _figure_names(finding: Finding, param: str, figure: Callable[[float], str]) -> str:
    """The columns of a finding, each with ``figure`` of its number in ``params[param]``
    (a dict of column to number), when it has one."""
    numbers = finding.params.get(param)
    known = numbers if isinstance(numbers, dict) else {}

    def shown(name: str) -> str | None:
        value = known.get(name)
        return figure(float(value)) if isinstance(value, int | float) else None

    return _names(finding.columns, shown)


def finding_text(finding: Finding, schema: Schema | None = None) -> str:
    """A finding as one translated Markdown sentence (empty for an unknown code)."""
    code, params, columns = finding.code, finding.params, finding.columns
    if code == "target_guess":
        reason = str(params.get("reason", ""))
        if not has_key(f"finding.target_guess_{reason}") or not columns:
            return ""
        return t(f"finding.target_guess_{reason}", target=_names(columns[:1]))
    if code == "target_skipped":
        why = str(params.get("why", ""))
        why_text = (
            t(f"target_skip.{why}") if has_key(f"target_skip.{why}") else t("target_skip.other")
        )
        return t("finding.target_skipped", column=_names(columns[:1]), why=why_text)
    if code == "possible_leak":
        return t("finding.possible_leak", columns=_names(columns))
    if code == "leakage":
        return t("finding.leakage", columns=_leak_names(finding, schema))
    if code == "near_perfect_score":
        metric = _METRIC_KEYS.get(str(params.get("metric")), "auc")
        score = params.get("score")
        return t(
            "finding.near_perfect_score",
            metric=t(f"metric.{metric}"),
            score=fmt_number(float(score) if isinstance(score, int | float) else None, 3),
            columns=_names(columns),
        )
    if code == "numbers_with_text":
        shares = _figure_names(
            finding, "shares", lambda v: t("finding.numbers_share", share=fmt_percent(v))
        )
        return t("finding.numbers_with_text", columns=shares)
    if code == "long_category_values":
        limit = params.get("max_chars")
        return t(
            "finding.long_category_values",
            columns=_figure_names(
                finding, "cells", lambda n: t("finding.cells", n=fmt_number(int(n)))
            ),
            chars=fmt_number(int(limit) if isinstance(limit, int) else None),
        )
    if code == "small_target_scale":
        spread = params.get("spread")
        return t(
            "finding.small_target_scale",
            column=_names(columns[:1]),
            spread=format(float(spread), ".2g") if isinstance(spread, int | float) else "–",
        )
    if code == "dominant_feature":
        share = params.get("share")
        return t(
            "finding.dominant_feature",
            column=_names(columns[:1]),
            share=fmt_percent(float(share) if isinstance(share, int | float) else None),
        )
    return ""


_MARKUP = re.compile(r"\\(.)|\*\*")


def plain_text(markdown: str) -> str:
    """A sentence of :func:`finding_text` without its Markdown marks (for the HTML report)."""
    return _MARKUP.sub(lambda m: m.group(1) or "", markdown)


def warnings_of(findings: Findings, schema: Schema | None, codes: tuple[str, ...]) -> list[str]:
    """The translated sentences of the findings whose code is in ``codes``, in that order."""
    texts = [finding_text(f, schema) for code in codes for f in findings if f.code == code]
    return [text for text in texts if text]


def report_lines(findings: Findings, schema: Schema | None) -> list[str]:
    """Every finding worth a warning, as plain text, for the HTML report."""
    codes = (*MODEL_CODES, *LEAK_CODES, *DATA_CODES, "target_skipped", "target_guess")
    return [plain_text(text) for text in warnings_of(findings, schema, codes)]


def includable(schema: Schema) -> list[ColumnProfile]:
    """Flagged columns (leak, possible leak, identifier, personal) that can become features."""
    return [
        c
        for c in schema.columns
        if c.role == "excluded"
        and c.reason in INCLUDABLE_REASONS
        and c.kind not in ("datetime", "text")
    ]


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class ReadingFacts:
    """What the Data page says about how the file was read."""

    lines: list[str]
    missing: list[tuple[str, str, str]]
    """(column, markers, cells) of the cells read as missing."""
    converted: list[tuple[str, str]]
    """(column, how) of the text columns read as numbers."""


def _marker(token: str) -> str:
    return t("reading.blank") if token == "(blank)" else f"“{plain(token, max_len=20)}”"


def reading_facts(table: Table, *, sheet_chosen_by_user: bool) -> ReadingFacts:
    """The format, sheet, header row, missing markers and number conversions of ``table``."""
    reading = table.reading
    names = shown_names(table.original_names)
    if table.delimiter is not None:
        key = _DELIMITERS.get(table.delimiter)
        delimiter = t(f"reading.delimiter_{key}") if key else f"“{plain(table.delimiter)}”"
        lines = [
            t(
                "reading.format_text",
                format=table.format.upper(),
                encoding=escape_md(table.encoding or "–"),
                delimiter=delimiter,
            )
        ]
    else:
        lines = [t("reading.format_binary", format=table.format.upper())]
    if reading.sheet is not None:
        sheet, n = escape_md(reading.sheet, max_len=80), fmt_number(len(reading.sheets))
        if len(reading.sheets) <= 1:
            lines.append(t("reading.sheet_only", sheet=sheet))
        elif sheet_chosen_by_user:
            lines.append(t("reading.sheet_chosen", sheet=sheet, n=n))
        else:
            lines.append(t("reading.sheet_auto", sheet=sheet, n=n))
        key = "reading.header_skipped" if reading.header_row > 0 else "reading.header_first"
        lines.append(t(key, row=fmt_number(reading.header_row + 1)))
    missing = [
        (
            plain(names.get(m.column, m.column), max_len=80),
            ", ".join(_marker(token) for token in m.tokens),
            fmt_number(m.count),
        )
        for m in reading.missing
    ]
    converted = [
        (
            plain(names.get(c.column, c.column), max_len=80),
            "; ".join(t(f"reading.how_{f}") for f in c.formats if has_key(f"reading.how_{f}")),
        )
        for c in reading.converted
    ]
    if not missing and not converted:
        lines.append(t("reading.nothing_cleaned"))
    return ReadingFacts(lines, missing, converted)
