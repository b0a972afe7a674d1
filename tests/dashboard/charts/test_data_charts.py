"""The Data page's charts checked on their figure data against numpy and pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import charts


def test_numeric_histogram_counts_are_numpys():
    """Check that a numeric column's bars are np.histogram's counts (missing left out)."""
    rng = np.random.default_rng(2)
    values = pd.Series(np.append(rng.gamma(2.0, 3.0, 500), [np.nan] * 7))
    counts, edges = np.histogram(values.dropna(), bins=20)
    bar = charts.histogram_figure(values, name="dose", bins=20).data[0]
    np.testing.assert_array_equal(bar.y, counts)
    np.testing.assert_allclose(bar.x, (edges[:-1] + edges[1:]) / 2)


def test_category_histogram_counts_and_lumps_the_rest():
    """Check that categories are value_counts, commonest first, the rest in one bar."""
    values = pd.Series(list("aaaaabbbbccd") + [None])
    expected = values.value_counts()
    fig = charts.histogram_figure(values, name="letter", max_categories=2)
    bar = fig.data[0]
    assert list(bar.y) == [*expected.iloc[:2], expected.iloc[2:].sum()]
    assert list(bar.customdata[:2]) == list(expected.index[:2])


def test_empty_column_says_so():
    """Check that a column with no value draws no bar, only the message."""
    fig = charts.histogram_figure(pd.Series([np.nan, np.nan]), name="x", empty_label="Nothing")
    assert not fig.data and fig.layout.annotations[0].text == "Nothing"


def test_missing_bars_are_percent_of_missing_values():
    """Check that the bars are each column's missing share in percent, largest first."""
    frame = pd.DataFrame({"a": [1, None, None, 4], "b": [None, 2, 3, 4], "c": [1, 2, 3, 4]})
    shares = frame.isna().mean()
    fig = charts.missing_figure(list(frame.columns), shares.to_numpy(), hide_complete=True)
    bar = fig.data[0]
    expected = shares[shares > 0].sort_values(ascending=False)
    np.testing.assert_allclose(bar.x, 100 * expected.to_numpy())
    assert len(bar.x) == 2
