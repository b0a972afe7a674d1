"""Missing-value markers and numbers as people type them, read from real-looking files."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from explainers import read_table


def _read(text: str, name: str = "t.csv"):
    return read_table(text.encode("utf-8"), name=name)


def _missing(table) -> dict[str, tuple[tuple[str, ...], int]]:
    return {m.column: (m.tokens, m.count) for m in table.reading.missing}


def _converted(table) -> dict[str, tuple[str, ...]]:
    return {c.column: c.formats for c in table.reading.converted}


@pytest.mark.parametrize(
    "token",
    [
        ".",
        "NA",
        "N/A",
        "n/a",
        "#N/A",
        "NULL",
        "null",
        "None",
        "nan",
        "NaN",
        "?",
        "-",
        "--",
        "  ",
        "결측",
    ],
)
def test_markers_make_a_numeric_column_numeric(token):
    """Check that each documented marker is missing and the lab column stays numeric."""
    table = _read(f"lab,group\n1.5,a\n{token},b\n2.5,a\n")
    assert pd.api.types.is_float_dtype(table.frame["lab"])
    assert table.frame["lab"].isna().tolist() == [False, True, False]
    if token.lower() != "nan":  # the CSV parser itself reads nan as a float NaN, not text
        tokens, count = _missing(table)["lab"]
        assert count == 1 and tokens == ((token.strip() or "(blank)"),)


@pytest.mark.parametrize("word", ["missing", "unknown", "Unknown", "없음", "미상", "모름"])
def test_unknown_words_are_missing_only_in_numeric_columns(word):
    """Check that 'unknown' is missing beside numbers but a category among words."""
    table = _read(f"lab,smoking\n1.5,never\n{word},{word}\n2.5,current\n")
    assert table.frame["lab"].isna().sum() == 1
    assert table.frame["smoking"].tolist() == ["never", word, "current"]


def test_whitespace_only_cells_are_missing_in_the_target_too():
    """Check that a blank target cell is missing, not a third class."""
    table = _read("x,outcome\n1,yes\n2,   \n3,no\n4, yes \n")
    assert table.frame["outcome"].tolist()[0] == "yes"
    assert table.frame["outcome"].isna().tolist() == [False, True, False, False]
    assert set(table.frame["outcome"].dropna()) == {"yes", "no"}


@pytest.mark.parametrize(
    ("cells", "expected", "formats"),
    [
        (['"12,345"', '"1,000"', "7"], [12345.0, 1000.0, 7.0], ("thousands_separator",)),
        (
            ['"$1,200"', "$300", '"$12,000.50"'],
            [1200.0, 300.0, 12000.5],
            ("thousands_separator", "currency"),
        ),
        (["45%", "5%", "100%"], [45.0, 5.0, 100.0], ("percent",)),
        (["₩5000", "3000원", " 12 "], [5000.0, 3000.0, 12.0], ("currency",)),
        (["-$5", "$10", "+3"], [-5.0, 10.0, 3.0], ("currency",)),
        (['"£1,000"', "€20", "€3.5"], [1000.0, 20.0, 3.5], ("thousands_separator", "currency")),
    ],
)
def test_typed_numbers_are_numbers(cells, expected, formats):
    """Check that numbers with separators, currency and percent signs read as numbers."""
    body = "".join(f"{cell},g\n" for cell in cells)
    table = _read("amount,group\n" + body)
    assert table.frame["amount"].tolist() == expected
    assert _converted(table)["amount"] == formats


def test_decimal_comma_in_a_semicolon_file():
    """Check that 1.234,5 in a ; file is 1234.5, as pandas reads it with decimal and thousands."""
    text = "a;b\n1.234,5;x\n2,25;y\n10;z\n"
    table = _read(text)
    expected = pd.read_csv(io.StringIO(text), sep=";", decimal=",", thousands=".")
    assert table.frame["a"].tolist() == expected["a"].tolist()
    assert _converted(table)["a"] == ("decimal_comma", "thousands_separator")


def test_text_and_codes_stay_text():
    """Check that codes, dates, ranges and mixed percent units are not turned into numbers."""
    table = _read(
        "code,date,range,mixed,version\nA12,2024-01-05,1-2,45%,1.2.3\nB7,2024-02-01,"
        "3-4,0.5,1.10.0\nC9,2024-03-09,5-6,30%,2.0.1\n"
    )
    for column in ("code", "date", "range", "mixed", "version"):
        assert not pd.api.types.is_numeric_dtype(table.frame[column]), column
    assert table.reading.converted == ()


def test_rare_odd_words_in_a_long_numeric_column_are_missing():
    """Check that a few 'pending' cells among 100 numbers are missing, and said so."""
    values = [str(v) for v in np.arange(100) / 10]
    values[5] = values[50] = "pending"
    table = _read("lab\n" + "\n".join(values) + "\n")
    assert table.frame["lab"].isna().sum() == 2
    assert _missing(table)["lab"] == (("pending",), 2)


def test_many_odd_words_keep_the_column_text():
    """Check that a column with words in a tenth of its cells is not forced into numbers."""
    values = [str(v) for v in range(100)]
    for i in range(0, 100, 10):
        values[i] = "high"
    table = _read("level\n" + "\n".join(values) + "\n")
    assert not pd.api.types.is_numeric_dtype(table.frame["level"])


def test_booleans_with_markers_stay_booleans():
    """Check that True/False with NA markers are booleans with missing values, as pandas has."""
    table = _read("flag,x\nTrue,1\nNA,2\nFalse,3\n")
    assert table.frame["flag"].tolist()[0] is True
    assert table.frame["flag"].isna().tolist() == [False, True, False]


def test_no_cell_value_is_reported_except_markers():
    """Check that the reading report names markers and columns, never other cells."""
    table = _read("name,lab\nSECRET_7431,.\nOther,2\n")
    report = repr(table.reading)
    assert "SECRET_7431" not in report
