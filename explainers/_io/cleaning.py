"""Cleaning what spreadsheets and statistics packages write into cells.

After a file is parsed, every text column is looked at once:

- surrounding spaces are removed, and whitespace-only cells are missing;
- missing-value markers (``.`` from SAS and Stata, ``NA``, ``#N/A``, ``NULL``,
  ``?``, ``-``, ...) are missing in every column; words that mean "unknown"
  (``missing``, ``unknown``, Korean ``없음``, ``미상``, ``모름``) only in a column
  that is otherwise numeric, where they cannot be a category;
- a column whose remaining cells all read as numbers, as people type them
  (``12,345``, ``1.234,5`` in a ``;`` file, ``$1,200``, ``₩5,000``, ``3,000원``,
  ``45%``), becomes numeric; pandas' :func:`pandas.to_numeric` does the parsing
  once the separators and signs are taken off.

What was done is returned as a :class:`Reading`-ready list of facts, so the user
can see it. No cell value is ever put into a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Markers of a missing value in any column (compared after stripping spaces).
MISSING_TOKENS = frozenset(
    {
        "",
        ".",
        "NA",
        "N/A",
        "n/a",
        "N.A.",
        "n.a.",
        "#N/A",
        "#N/A N/A",
        "#NA",
        "<NA>",
        "NULL",
        "null",
        "Null",
        "None",
        "none",
        "nan",
        "NaN",
        "NAN",
        "-NaN",
        "-nan",
        "?",
        "-",
        "--",
        "---",
        "#VALUE!",
        "#DIV/0!",
        "#REF!",
        "#NUM!",
        "#NAME?",
        "결측",
        "결측치",
    }
)
# Words that mean "not known" only where the rest of the column is numbers.
_UNKNOWN_WORDS = frozenset(
    {
        "missing",
        "unknown",
        "not known",
        "not available",
        "없음",
        "미상",
        "모름",
        "알수없음",
        "알 수 없음",
    }
)
_BOOL_WORDS = {
    "True": True,
    "TRUE": True,
    "true": True,
    "False": False,
    "FALSE": False,
    "false": False,
}
_CURRENCY_SUFFIX = ("원", "€", "$", "₩")
_SIGNED = re.compile(
    r"^(?P<sign>[+-]?)\s*(?P<cur>[$€£₩¥]?)\s*(?P<sign2>[+-]?)(?P<body>[\d.,]+)"
    r"\s*(?P<suffix>원|€|\$|₩|%)?$"
)
_US_BODY = re.compile(r"^(\d{1,3}(,\d{3})+(\.\d*)?|\d+(\.\d*)?|\.\d+)$")
_EU_BODY = re.compile(r"^(\d{1,3}(\.\d{3})+(,\d*)?|\d+(,\d*)?|,\d+)$")
_HAS_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_DIGIT = re.compile(r"\d")
# A column stays numeric when at most this share of its cells are odd words (no digits),
# of at most this many distinct words: "pending", "NR", "not done" in a lab column.
_ODD_WORDS_SHARE = 0.05
_ODD_WORDS_DISTINCT = 5
_ODD_WORD_CHARS = 20


@dataclass(frozen=True)
class MissingTokens:
    """Cells of one column read as missing, and the markers they held."""

    column: str
    tokens: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class NumberConversion:
    """A text column read as numbers, and the formats taken off its cells.

    ``formats`` holds ``thousands_separator``, ``decimal_comma``, ``currency``,
    ``percent`` (``45%`` is read as 45, in percent) or ``missing_tokens`` (the
    column only needed its missing markers removed).
    """

    column: str
    formats: tuple[str, ...]


@dataclass(frozen=True)
class CleaningReport:
    """What :func:`clean_frame` changed."""

    missing: tuple[MissingTokens, ...]
    converted: tuple[NumberConversion, ...]


def clean_frame(
    frame: pd.DataFrame, *, delimiter: str | None = None
) -> tuple[pd.DataFrame, CleaningReport]:
    """Return ``frame`` with missing markers removed and typed numbers read as numbers.

    Parameters
    ----------
    frame
        A parsed table; only its text (object or string) columns are touched.
    delimiter
        The file's delimiter: in a ``;`` file, ``1.234,5`` is read with a decimal comma.
    """
    missing: list[MissingTokens] = []
    converted: list[NumberConversion] = []
    changed: dict[str, pd.Series] = {}
    for column in frame.columns:
        series = frame[column]
        if not _is_text(series):
            continue
        result = _clean_column(series, prefer_comma=delimiter == ";")
        if result is None:
            continue
        values, tokens, count, formats = result
        changed[str(column)] = values
        if tokens:
            missing.append(MissingTokens(str(column), tokens, count))
        if formats:
            converted.append(NumberConversion(str(column), formats))
    if changed:
        frame = frame.assign(**changed)
    return frame, CleaningReport(tuple(missing), tuple(converted))


def _is_text(series: pd.Series) -> bool:
    return bool(pd.api.types.is_string_dtype(series) or series.dtype == object)


def _clean_column(
    series: pd.Series, *, prefer_comma: bool
) -> tuple[pd.Series, tuple[str, ...], int, tuple[str, ...]] | None:
    """Clean one text column; None when nothing changes."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if len(uniques) == 0:
        return None
    raw = np.asarray(uniques, dtype=object)
    if not all(isinstance(v, str) for v in raw):
        return None  # mixed Python objects (an Excel column of dates and numbers): leave it
    stripped = np.array([v.strip() for v in raw], dtype=object)
    counts = np.bincount(codes[codes >= 0], minlength=len(raw))  # cells per distinct value
    is_token = np.array([v in MISSING_TOKENS for v in stripped])
    rest = ~is_token
    number, formats = _read_numbers(stripped[rest], prefer_comma=prefer_comma)
    numeric_values: np.ndarray | None = None
    if number is None:
        # Unknown-words and odd words are missing only if the rest are numbers.
        lowered = np.array([v.lower() for v in stripped])
        unknown = rest & np.isin(lowered, list(_UNKNOWN_WORDS))
        odd = (
            rest
            & ~unknown
            & ~np.array([bool(_DIGIT.search(v)) or len(v) > _ODD_WORD_CHARS for v in stripped])
        )
        for extra in (unknown, unknown | odd):
            left = rest & ~extra
            if not left.any() or not extra.any():
                continue
            if extra is not unknown:
                share = counts[odd & ~unknown].sum() / max(counts[rest].sum(), 1)
                if share > _ODD_WORDS_SHARE or (odd & ~unknown).sum() > _ODD_WORDS_DISTINCT:
                    continue
            number, formats = _read_numbers(stripped[left], prefer_comma=prefer_comma)
            if number is not None:
                is_token = is_token | extra
                rest = left
                break
    if number is not None:
        numeric_values = np.full(len(raw), np.nan)
        numeric_values[rest] = number
    tokens = tuple(sorted({str(v) if str(v) else "(blank)" for v in stripped[is_token]}))
    n_tokens = int(counts[is_token].sum())
    if (
        number is None
        and is_token.any()
        and rest.any()
        and all(v in _BOOL_WORDS for v in stripped[rest])
    ):  # True/False with markers: booleans with missing values, as pandas reads them
        bools = np.array([_BOOL_WORDS.get(v) for v in stripped], dtype=object)
        flags = pd.Series(
            np.where(codes >= 0, bools[np.maximum(codes, 0)], np.nan),
            index=series.index,
            name=series.name,
            dtype=object,
        )
        return flags, tokens, n_tokens, ()
    if (
        numeric_values is None
        and not is_token.any()
        and all(a == b for a, b in zip(raw, stripped, strict=True))
    ):
        return None
    if numeric_values is not None:
        values = np.where(codes >= 0, numeric_values[np.maximum(codes, 0)], np.nan)
        out = pd.Series(values, index=series.index, name=series.name)
        if not formats:
            formats = ("missing_tokens",) if is_token.any() else ()
        if not formats and not n_tokens:
            return None
        return out, tokens, n_tokens, formats
    cleaned = stripped.copy()
    cleaned[is_token] = None
    picked = cleaned[np.maximum(codes, 0)]
    picked[codes < 0] = None
    text = pd.Series(picked, index=series.index, name=series.name, dtype=object)
    return text.astype(series.dtype), tokens, n_tokens, ()


def _read_numbers(
    values: np.ndarray, *, prefer_comma: bool
) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """Read every value as a number, or return None; also the formats that were taken off.

    Vectorised over the column's distinct values with Arrow's compute functions.
    """
    if len(values) == 0:
        return None, ()
    text = pa.array(values, type=pa.string())
    if not pc.all(pc.match_substring_regex(text, r"\d|(?i)inf")).as_py():
        return None, ()  # a value with no digit is not a number
    plain = _as_floats(text)
    if plain is not None:
        return plain, ()
    if not pc.all(pc.match_substring_regex(text, _SIGNED.pattern)).as_py():
        other = pd.to_numeric(pd.Series(values, dtype="str"), errors="coerce")  # "inf", "1e3"
        return (other.to_numpy(dtype=float), ()) if other.notna().all() else (None, ())
    parts = pc.extract_regex(text, _SIGNED.pattern)
    bodies = pc.struct_field(parts, "body")
    us = pc.all(pc.match_substring_regex(bodies, _US_BODY.pattern)).as_py()
    eu = pc.all(pc.match_substring_regex(bodies, _EU_BODY.pattern)).as_py()
    if not (us or eu):
        return None, ()
    comma = eu and (not us or prefer_comma)
    has_comma = pc.any(pc.match_substring(bodies, ",")).as_py()
    has_dot = pc.any(pc.match_substring(bodies, ".")).as_py()
    formats: list[str] = []
    if comma:
        digits = pc.replace_substring(pc.replace_substring(bodies, ".", ""), ",", ".")
        formats += ["decimal_comma"] * bool(has_comma) + ["thousands_separator"] * bool(has_dot)
    else:
        digits = pc.replace_substring(bodies, ",", "")
        formats += ["thousands_separator"] * bool(has_comma)
    suffix = pc.struct_field(parts, "suffix")
    currency = pc.or_(
        pc.not_equal(pc.struct_field(parts, "cur"), ""),
        pc.is_in(suffix, pa.array(list(_CURRENCY_SUFFIX))),
    )
    if pc.any(currency).as_py():
        formats.append("currency")
    percent = pc.equal(suffix, "%")
    if pc.any(percent).as_py() and not pc.all(percent).as_py():
        return None, ()  # "45%" beside "0.45": the units are unclear, keep the text
    if pc.all(percent).as_py():
        formats.append("percent")
    signs = pc.binary_join_element_wise(
        pc.struct_field(parts, "sign"), pc.struct_field(parts, "sign2"), ""
    )
    negative = pc.match_substring(signs, "-").to_numpy(zero_copy_only=False).astype(bool)
    numbers = _as_floats(digits)
    if numbers is None:
        return None, ()
    return np.where(negative, -numbers, numbers), tuple(formats)


def _as_floats(text: pa.Array) -> np.ndarray | None:
    """Arrow's exact string-to-float parse of every value, or None if one is not a number."""
    try:
        return np.asarray(pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
