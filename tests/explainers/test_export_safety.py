"""CSV exports neutralise formula cells (CSV injection) and leave numbers alone.

The convention (``explainers/_export.py``): a text cell or header that starts
with ``= + - @``, a tab or a carriage return and is not a number gets a leading
apostrophe, so Excel, LibreOffice and Google Sheets show it as text instead of
running it. Exported files are checked here by parsing them back, against an
independent rule: no cell may start with one of those characters unless it is
a plain decimal number.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re

import numpy as np
import pandas as pd
import pytest

from dashboard import services
from dashboard.state import ModelSettings, Settings, Source
from explainers import csv_bytes, explain_file, neutralise_cell, neutralise_frame, shap_frame

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
CALC = "=cmd|' /C calc'!A0"
FORMULAS = [
    "=1+1",
    CALC,
    '=HYPERLINK("http://example.invalid/?x="&A1,"click")',
    "+SUM(A1:A9)",
    "-2+3",
    "-cmd",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=",
    "-",
    "@",
]


def _risky(cell: str) -> bool:
    """True for a cell a spreadsheet could run: a formula start that is not a plain number."""
    return cell.startswith(DANGEROUS_START) and NUMBER.fullmatch(cell.strip()) is None


def _parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _risky_cells(data: bytes) -> list[str]:
    return [cell for row in _parse(data) for cell in row if _risky(cell)]


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_text_gets_a_leading_apostrophe(value):
    """Check that text starting with = + - @ tab or CR is prefixed with an apostrophe."""
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [
        -1.5,
        -3,
        np.float64(-2.25),
        np.int64(-7),
        "-1.5",
        "+2",
        "-1e-3",
        "-.5",
        "12",
        "plain",
        "a=b",
        "x-1",
        "",
        "'=already quoted",
    ],
)
def test_numbers_and_plain_text_stay_as_they_are(value):
    """Check that numbers, numeric text such as '-1.5', and plain text are not changed."""
    out = neutralise_cell(value)
    assert out == value and type(out) is type(value)


def test_missing_values_stay_missing():
    """Check that None and NaN pass through unchanged."""
    assert neutralise_cell(None) is None
    assert math.isnan(neutralise_cell(float("nan")))


def test_frame_header_and_text_cells_are_neutralised_numbers_kept():
    """Check that neutralise_frame fixes headers and text cells, keeps numeric columns numeric."""
    frame = pd.DataFrame(
        {
            "=SUM(A1)": [-1.5, 2.0, -3.25],
            "label": [CALC, "-1.5", "ok"],
            "@who": pd.Categorical(["@a", "b", "@a"]),
            "-5": [-1, 0, 1],
        }
    )
    safe = neutralise_frame(frame)
    assert list(safe.columns) == ["'=SUM(A1)", "label", "'@who", "-5"]
    assert safe["'=SUM(A1)"].tolist() == [-1.5, 2.0, -3.25]
    assert pd.api.types.is_float_dtype(safe["'=SUM(A1)"])
    assert safe["-5"].tolist() == [-1, 0, 1]
    assert safe["label"].tolist() == ["'" + CALC, "-1.5", "ok"]
    assert [str(v) for v in safe["'@who"]] == ["'@a", "b", "'@a"]
    assert list(frame.columns)[0] == "=SUM(A1)" and frame["label"][0] == CALC  # input untouched


def test_csv_bytes_has_no_risky_cell_and_numbers_read_back_as_numbers():
    """Check that csv_bytes writes no runnable cell and negative numbers come back as numbers."""
    frame = pd.DataFrame(
        {
            "=1+1": [-1.5, 0.25, -1e-9, 3.0] * 3,
            "text": FORMULAS[:8] + ["-1.5", "x", "-2", "+3"],
            "n": np.arange(-6, 6),
        }
    )
    data = csv_bytes(frame)
    assert _risky_cells(data) == []
    rows = _parse(data)
    assert rows[0] == ["'=1+1", "text", "n"]
    back = pd.read_csv(io.BytesIO(data))
    assert pd.api.types.is_float_dtype(back["'=1+1"])
    assert back["'=1+1"].tolist() == frame["=1+1"].tolist()
    assert back["n"].tolist() == list(range(-6, 6))
    assert [r[1] for r in rows[1:]] == ["'" + v if _risky(v) else v for v in frame["text"]]


def test_header_names_that_collide_once_neutralised_still_export():
    """Check that headers '=a' and "'=a" (equal once neutralised) give a CSV with two columns."""
    frame = pd.DataFrame({"=a": [1.0, -2.0], "'=a": ["=x", "y"]})
    data = csv_bytes(frame)
    header = _parse(data)[0]
    assert len(header) == 2 and len(set(header)) == 2, header
    assert _risky_cells(data) == []


def _evil_multiclass(n: int = 300, seed: int = 5) -> bytes:
    rng = np.random.default_rng(seed)
    s, t, u = rng.normal(size=(3, n))
    noisy = s + 0.3 * u  # labels not a pure threshold of one column, which would be a leak
    labels = np.select([noisy < -0.5, noisy < 0.5], [CALC, "+benign"], "@other")
    frame = pd.DataFrame({"=1+1": s, "@SUM(A1)": t, "-x": rng.normal(size=n), "outcome": labels})
    return frame.to_csv(index=False).encode()


def test_shap_csv_neutralises_feature_names_and_class_labels():
    """Check that a SHAP table with formula-like feature names and class labels exports safely."""
    run = explain_file(_evil_multiclass(), name="evil.csv", target="outcome", seed=0)
    assert run.model.task == "multiclass"
    assert CALC in set(run.model.classes or ())
    frame = shap_frame(run.shap, run.model)
    assert {"=1+1", "@SUM(A1)", "-x"} <= set(frame.columns)
    data = csv_bytes(frame)
    assert _risky_cells(data) == []
    header = _parse(data)[0]
    assert {"'=1+1", "'@SUM(A1)", "'-x"} <= set(header), header
    back = pd.read_csv(io.BytesIO(data))
    assert "'" + CALC in set(back["class"])
    assert pd.api.types.is_float_dtype(back["'=1+1"])
    assert (back["'=1+1"] < 0).any(), "negative SHAP values should stay numbers"
    assert np.allclose(back["'=1+1"], frame["=1+1"])


def test_dashboard_metrics_csv_neutralises_a_formula_class_label():
    """Check that the metrics CSV shows the class label "=cmd|' /C calc'!A0" as text."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=300)
    table = pd.DataFrame(
        {
            "x": x,
            "z": rng.normal(size=300),
            "label": np.where(x + rng.normal(0, 1, 300) > 0, CALC, "+benign"),
        }
    )
    data = table.to_csv(index=False).encode()
    source = Source("upload", "evil.csv", hashlib.sha256(data).hexdigest(), data)
    analysis = services.run_analysis(
        source, Settings(target="label"), ModelSettings(n_estimators=50)
    )
    assert analysis.class_labels == ["+benign", CALC]  # per-class rows are the positive class's
    exported = services.metrics_csv(analysis)
    assert _risky_cells(exported) == []
    back = pd.read_csv(io.BytesIO(exported), keep_default_na=False)
    assert "'" + CALC in set(back["class"]), set(back["class"])
    assert CALC not in set(back["class"])
    assert pd.api.types.is_float_dtype(back["value"])
