"""Tables whose values are separated by runs of spaces (R's write.table, lifelines' and other
packages' data files), checked against pandas' own whitespace reader."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from explainers import DataError, read_table

ANDERSON = """t status sex logWBC Rx
35 0 1 1.45 0
34 0 1 1.47 0
32 0 1 2.2 0
32 0 1 2.53 0
25 0 1 1.78 0
23 1 1 2.57 0
"""

# R's write.table(frame): row names first, under no header of their own; text quoted.
R_WRITE_TABLE = """"city" "visits" "income"
"1" "New York" 3 51.5
"2" "Los Angeles" 5 48.25
"7" "Austin" 1 60
"9" "San Diego" 2 NA
"""


def test_a_table_separated_by_spaces_reads_as_pandas_whitespace_reader_does():
    """Check that a space-separated file named .csv is read into its five columns (not one
    column named 't status sex logWBC Rx'), with the values pandas' sep=r'\\s+' reads."""
    table = read_table(ANDERSON.encode(), name="anderson.csv")
    reference = pd.read_csv(io.StringIO(ANDERSON), sep=r"\s+")
    assert table.delimiter == " "
    assert "single_column" not in table.warnings
    pd.testing.assert_frame_equal(table.frame, reference, check_dtype=False)


def test_r_write_table_with_row_names_and_quoted_text():
    """Check that R's write.table output (a header one field short, quoted values with
    spaces inside) reads with the row names as an unnamed first column and the quoted
    values whole, as pandas reads it (with the row names as its index)."""
    table = read_table(R_WRITE_TABLE.encode(), name="cities.txt")
    reference = pd.read_csv(io.StringIO(R_WRITE_TABLE), sep=r"\s+")
    assert list(table.frame.columns[1:]) == ["city", "visits", "income"]
    assert table.frame.iloc[:, 0].tolist() == reference.index.tolist()
    pd.testing.assert_frame_equal(
        table.frame.iloc[:, 1:], reference.reset_index(drop=True), check_dtype=False
    )


@pytest.mark.parametrize(
    "text",
    [
        "name\nJohn Smith\nAnn Lee\n",  # one column whose values hold a space
        "full name\nJohn Smith\nAnn Lee\nMia Park\n",  # two words everywhere, no numbers
        "a b c\n1 2 3\n4 5\n6 7 8 9\n10\n",  # no steady number of fields
        "a b c d\n1 2 3 4 5\n" + "1 2 3 4\n" * 30,  # one record longer than the header
        "x y z\n1 2 3\n3  9\n" + "4 5 6\n" * 30,  # a blank value would shift z into y
    ],
    ids=["one-word", "two-words", "unsteady", "long-first-record", "blank-value"],
)
def test_text_that_is_not_a_spaced_table_is_one_column(text):
    """Check that lines without a steady number of space-separated fields stay one column."""
    table = read_table(text.encode(), name="t.csv")
    assert table.frame.shape[1] == 1
    assert "single_column" in table.warnings


def test_a_blank_value_past_the_sampled_lines_is_a_ragged_row():
    """Check that a record with a field missing far down a space-separated file (a blank
    value in a fixed-width export) is refused with its line number, rather than its later
    values read into the wrong columns."""
    text = "x y z\n" + "1 2 3\n" * 80 + "3  9\n" + "4 5 6\n" * 5
    with pytest.raises(DataError, match="Line 82 has 2 fields but the header has 3") as caught:
        read_table(text.encode(), name="wide.txt")
    assert caught.value.code == "ragged_rows"
