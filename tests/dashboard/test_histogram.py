"""Histograms of the numbers real files hold (``dashboard/display/histogram.py``), checked
against numpy's own bins and, where numpy refuses a column, against counts made by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import charts
from dashboard.display.histogram import bin_centres, finite_histogram
from dashboard.state import PENDING_UPLOAD_KEY

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.mark.parametrize("bins", [1, 7, 20])
def test_ordinary_columns_get_numpys_own_bins(bins):
    """Check that a column numpy can bin gets exactly np.histogram's counts and edges."""
    rng = np.random.default_rng(5)
    values = np.append(rng.lognormal(0, 2, 300), [np.nan, np.inf, -np.inf])
    counts, edges = finite_histogram(values, bins)
    expected_counts, expected_edges = np.histogram(values[np.isfinite(values)], bins=bins)
    np.testing.assert_array_equal(counts, expected_counts)
    np.testing.assert_array_equal(edges, expected_edges)


def test_a_range_past_the_float_limit_is_binned():
    """Check that 1e308 beside -1e308 (a range numpy cannot hold) falls into bins counted by
    hand: three at the bottom, two at the top, the small ones in the middle bins."""
    values = np.array([-1e308] * 3 + [1e308] * 2 + [0.5, -0.5, 2.0])
    with pytest.raises(ValueError, match="bins"), np.errstate(all="ignore"):
        np.histogram(values, bins=4)
    counts, edges = finite_histogram(values, 4)
    assert counts.tolist() == [3, 1, 2, 2]  # -0.5 below 0, then 0.5 and 2.0
    assert np.isfinite(edges).all() and np.all(np.diff(edges) > 0)
    assert edges[0] == -1e308 and edges[-1] == 1e308
    assert np.isfinite(bin_centres(edges)).all()


def test_subnormal_numbers_are_binned():
    """Check that 5e-324 beside 0 (bins too narrow for a float) is counted: the zeros,
    signed ones included, in the first bin, the subnormal ones in the last."""
    values = np.array([0.0, -0.0] * 2 + [5e-324] * 6)
    with pytest.raises(ValueError, match="bins"):
        np.histogram(values, bins=20)
    counts, edges = finite_histogram(values, 20)
    assert counts.sum() == 10 and counts[0] == 4 and counts[-1] == 6
    assert edges[0] == 0.0 and edges[-1] == 5e-324


def test_no_finite_value_gives_empty_arrays():
    """Check that only missing and infinite values give no bins at all."""
    counts, edges = finite_histogram(np.array([np.nan, np.inf]), 10)
    assert counts.size == 0 and edges.size == 0


def test_the_data_chart_draws_a_column_past_the_float_limit():
    """Check that the Data page's column chart draws such a column with every value counted."""
    column = pd.Series([1e308, -1e308, 1.0, 2.0, np.nan])
    (bar,) = charts.histogram_figure(column, name="y", bins=10).data
    assert sum(bar.y) == 4 and np.isfinite(np.asarray(bar.x, dtype=float)).all()


def test_a_table_with_extreme_numbers_opens_on_every_page():
    """Check that an upload whose numbers reach the float limit and the subnormal range is
    profiled, trained and explained without an error on any page."""
    rng = np.random.default_rng(8)
    n = 300
    frame = pd.DataFrame(
        {
            "x1": rng.normal(0, 1, n),
            "tiny": rng.choice([0.0, -0.0, 5e-324], n),
            "huge": rng.choice([1e308, -1e308, 1.0], n),
            "outcome": rng.integers(0, 2, n),
        }
    )
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state[PENDING_UPLOAD_KEY] = ("extreme.csv", frame.to_csv(index=False).encode())
    at.run()
    pages = ["model", "global_explanations", "local_explanations", "what_if", "audit", "export"]
    for page in [None, *(f"views/{p}.py" for p in pages)]:
        if page:
            at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
