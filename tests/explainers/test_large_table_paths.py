"""The faster paths for large tables give what the plain pandas ways give."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from explainers import read_table
from explainers._dataset import FeatureSpec, count_infinite
from explainers._profiling import _count_unique

NUMBERS = st.sampled_from([0.0, -0.0, 1.5, -2.0, math.nan, 3.0, 1e30, math.inf])


@settings(max_examples=80, deadline=None)
@given(st.lists(NUMBERS, max_size=30), st.sampled_from(["float64", "float32"]))
def test_count_unique_equals_pandas_nunique(values, dtype):
    """Check distinct counts of floats (NaN, -0.0) against pandas' own nunique."""
    series = pd.Series(values, dtype=dtype)
    assert _count_unique(series) == series.nunique(dropna=True)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-5, 5), max_size=30))
def test_count_unique_of_integers_and_nullable(values):
    """Check integer and nullable-integer columns against pandas' nunique."""
    plain = pd.Series(values, dtype="int64")
    nullable = pd.Series([*values, None], dtype="Int64")
    assert _count_unique(plain) == plain.nunique()
    assert _count_unique(nullable) == nullable.nunique()


def test_encoding_replaces_infinity_and_keeps_numbers():
    """Check that infinities become missing, other values stay, and the table is untouched."""
    frame = pd.DataFrame(
        {
            "a": np.array([1.0, np.inf, -np.inf, np.nan], dtype="float64"),
            "b": np.array([1.5, 2.5, np.inf, 0.0], dtype="float32"),
            "c": [1, 2, 3, 4],
        }
    )
    before = frame.copy()
    spec = FeatureSpec(("a", "b", "c"), {}, {"a": "numeric", "b": "numeric", "c": "numeric"}, {})
    encoded = spec.encode(frame)
    expected = pd.DataFrame(
        {"a": [1.0, np.nan, np.nan, np.nan], "b": [1.5, 2.5, np.nan, 0.0], "c": [1.0, 2, 3, 4]}
    )
    pd.testing.assert_frame_equal(encoded, expected)
    pd.testing.assert_frame_equal(frame, before)
    assert count_infinite(frame, spec) == 3


def test_parquet_reads_as_pandas_reads_it():
    """Check that a Parquet upload's frame equals pandas' own reading of the file."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=50).astype("float32"),
            "n": rng.integers(0, 9, 50),
            "s": rng.choice(["a", "b"], 50),
        }
    )
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    table = read_table(buffer.getvalue(), name="t.parquet")
    reference = pd.read_parquet(io.BytesIO(buffer.getvalue()))
    pd.testing.assert_frame_equal(table.frame, reference, check_dtype=False)


def test_openmp_threads_sleep_unless_the_user_chose():
    """Check that importing the engine sets a passive OpenMP wait, keeping a user's choice."""
    import os
    import subprocess
    import sys

    code = "import os, explainers; print(os.environ['OMP_WAIT_POLICY'])"
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    plain = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    chosen = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code],
        env={**env, "OMP_WAIT_POLICY": "ACTIVE"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert plain.stdout.strip() == "PASSIVE"
    assert chosen.stdout.strip() == "ACTIVE"
