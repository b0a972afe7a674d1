"""The Data page's column profile: counts checked against pandas on the table as read."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from dashboard import column_profile, services
from dashboard.state import Settings, Source
from explainers import read_table


def _table_bytes() -> bytes:
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame(
        {
            "age": rng.integers(20, 90, n).astype(float),
            "dose": np.round(rng.normal(0, 1, n), 1),
            "zeros": rng.choice([0.0, -0.0, 1.5], n),
            "ward": rng.choice(["A", "B", "C", "D"], n),
            "smoker": rng.choice(["yes", "no"], n),
            "outcome": rng.integers(0, 2, n),
        }
    )
    frame.loc[rng.choice(n, 40, replace=False), "age"] = np.nan
    frame.loc[rng.choice(n, 25, replace=False), "ward"] = None
    return frame.to_csv(index=False).encode()


def test_distinct_counts_from_the_schema_equal_pandas_on_every_column():
    """Check that the profile's distinct counts taken from the schema's profiling (and the
    ones counted here without it) equal pandas' nunique of the table as read, and the
    missing shares equal pandas' isna."""
    data = _table_bytes()
    digest = hashlib.sha256(data).hexdigest()
    with_schema = Source("upload", "t.csv", digest, data)
    without = Source("upload", "t.csv", "other-" + digest, data)
    schema = services.load_schema(with_schema, Settings())
    counted = {c.name: c.n_unique for c in schema.columns}
    frame = read_table(data, name="t.csv").frame
    assert set(counted) == {str(c) for c in frame.columns}
    for summaries in (
        column_profile.column_summaries(with_schema, counted),
        column_profile.column_summaries(without),
    ):
        assert [s.name for s in summaries] == [str(c) for c in frame.columns]
        for summary in summaries:
            column = frame[summary.name]
            assert summary.n_distinct == column.nunique(dropna=True), summary.name
            assert summary.missing_fraction == column.isna().mean()


def test_a_blank_header_is_profiled_under_the_readers_name():
    """Check that R's row names (a blank header) get a visible name in the profile table,
    the reader's one, while other columns keep the file's names."""
    lines = ['"","dose","outcome"'] + [f'"{i}",{i % 7}.5,{i % 2}' for i in range(1, 61)]
    data = "\n".join(lines).encode()
    source = Source("upload", "r.csv", hashlib.sha256(data).hexdigest(), data)
    table = read_table(data, name="r.csv")
    blank = next(n for n, o in table.original_names.items() if not o.strip())
    shown = {s.name: s.display for s in column_profile.column_summaries(source)}
    assert shown[blank] == blank and shown["dose"] == "dose"


def test_shown_names_fill_only_blank_names():
    """Check that a blank or all-space file name is shown by the safe name, others as the
    file gives them (with their spaces)."""
    from dashboard.safe_text import shown_names

    names = {"column_1": "", "column_2": "   ", " age": " age", "bmi": "BMI"}
    assert shown_names(names) == {
        "column_1": "column_1",
        "column_2": "column_2",
        " age": " age",
        "bmi": "BMI",
    }
