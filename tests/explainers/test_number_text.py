"""Columns of mostly numbers with words or marks: read as categories, and said so."""

from __future__ import annotations

import numpy as np
import pandas as pd
from synthetic_tables import to_csv_bytes

from explainers import build_schema, read_table


def _table(columns: dict[str, list[object]], n: int = 300, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"age": rng.integers(20, 90, n), **columns})
    frame["outcome"] = rng.choice(["yes", "no"], n)
    return to_csv_bytes(frame)


def _crp(n: int, every: int, marks: list[str], seed: int = 1) -> list[object]:
    """A lab column: numbers with one of ``marks`` in every ``every``-th cell."""
    rng = np.random.default_rng(seed)
    values: list[object] = [f"{v:.1f}" for v in rng.gamma(2.0, 8.0, n)]
    for i in range(0, n, every):
        values[i] = marks[(i // every) % len(marks)]
    return values


def _finding(data: bytes):
    schema = build_schema(read_table(data, name="t.csv"), target="outcome")
    found = [f for f in schema.findings if f.code == "numbers_with_text"]
    return schema, found


def test_a_lab_column_with_limits_and_words_is_named_with_its_share_of_numbers():
    """Check that numbers beside '<5', '>100' and words (over the cleaning's 5% of words) are
    read as categories and named, with the share of numbers counted from the cells."""
    n = 300
    crp = _crp(n, 8, ["<5", ">100", "pending", "not done", "haemolysed", "clotted"])
    schema, found = _finding(_table({"crp": crp}, n))
    kinds = {c.name: c.kind for c in schema.columns}
    assert kinds["crp"] == "categorical"
    assert len(found) == 1 and found[0].columns == ("crp",)
    expected = sum(1 for v in crp if not str(v)[0].isalpha() and str(v)[0] not in "<>") / n
    assert found[0].params["shares"]["crp"] == round(expected, 4)
    assert f"'crp' ({expected:.0%} numbers)" in found[0].message
    assert not any(mark in found[0].message for mark in ("haemolysed", "clotted", "not done"))


def test_categories_and_numeric_columns_with_few_words_are_not_named():
    """Check that no finding names a column of words, a column of a few number codes, or a
    column that reading made numeric (its words were missing markers)."""
    n = 300
    rng = np.random.default_rng(2)
    words = list(rng.choice(["red", "green", "blue"], n))
    codes = [str(v) for v in rng.choice([1, 2, 3, 4], n)]
    codes[::10] = ["other"] * len(codes[::10])
    few_words = _crp(n, 50, ["unknown", "NA"])
    schema, found = _finding(_table({"colour": words, "grade": codes, "crp": few_words}, n))
    assert {c.name: c.kind for c in schema.columns}["crp"] == "numeric"
    assert found == []


def test_the_finding_reaches_the_summary_and_the_cli_notes(tmp_path, capsys):
    """Check that the CLI's summary.json carries the finding and stderr prints it as a note."""
    import json

    from explainers.cli import main

    n = 300
    path = tmp_path / "labs.csv"
    path.write_bytes(_table({"crp": _crp(n, 6, ["<5", "pending", "see note"])}, n))
    out = tmp_path / "out"
    assert main([str(path), "--target", "outcome", "--out", str(out), "--rows", "100"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    codes = [w["code"] for w in summary["warnings"]]
    assert "numbers_with_text" in codes
    assert "Read as categories though mostly numbers: 'crp'" in capsys.readouterr().err


def test_a_long_column_is_probed_first_and_its_share_counted_whole():
    """Check that a column longer than the probe is named with the share of all its cells
    (not the probe's), and that a long column of words is not named."""
    from explainers._number_text import PROBE_CELLS, number_text_findings
    from explainers._profiling import profile_columns

    n = 3 * PROBE_CELLS + 7
    lab = _crp(n, 7, ["<5", "pending", "see note"], seed=5)
    rng = np.random.default_rng(6)
    words = [f"ward {w}" for w in rng.choice(list("ABCDEFGHIJKLMNOP"), n)]
    frame = pd.DataFrame({"lab": lab, "ward": words})
    profiles = profile_columns(frame, {c: c for c in frame.columns})
    found = number_text_findings(frame, profiles)
    assert [f.columns for f in found] == [("lab",)]
    numbers = sum(1 for v in lab if v[0].isdigit())
    assert found[0].params["shares"]["lab"] == round(numbers / n, 4)


def test_rare_marks_in_a_long_column_are_found_by_counting_it_whole():
    """Check that a long column of numbers with a mark in only 20 random cells (which a probe
    of a few thousand cells mostly misses) is named, with the share of all its cells."""
    from explainers._number_text import PROBE_CELLS, number_text_findings
    from explainers._profiling import profile_columns

    n = 40 * PROBE_CELLS
    rng = np.random.default_rng(8)
    lab = pd.Series([f"{v:.1f}" for v in rng.gamma(2.0, 8.0, n)], dtype="str")
    lab.iloc[rng.choice(n, 20, replace=False)] = "<5"
    frame = pd.DataFrame({"lab": lab})
    profiles = profile_columns(frame, {"lab": "lab"})
    found = number_text_findings(frame, profiles)
    assert [f.columns for f in found] == [("lab",)]
    assert found[0].params["shares"]["lab"] == round((n - 20) / n, 4)


def test_distinct_measurements_with_marks_are_not_taken_for_an_identifier():
    """Check that a text column of distinct three-decimal measurements with a few '<0.01'
    cells stays out of the identifiers (a numeric column of fractions is no identifier
    either) and is named by the finding, while text codes of distinct values stay
    identifiers."""
    n = 300
    rng = np.random.default_rng(9)
    glucose: list[object] = [f"{v:.3f}" for v in rng.uniform(3, 12, n)]
    glucose[::60] = ["<0.01"] * len(glucose[::60])
    codes = [f"P{i:05d}" for i in rng.permutation(n)]
    schema, found = _finding(_table({"glucose": glucose, "code": codes}, n))
    reasons = {c.name: (c.kind, c.reason) for c in schema.columns}
    assert reasons["glucose"][0] == "categorical", reasons
    assert reasons["code"] == ("identifier", "identifier")
    assert [f.columns for f in found] == [("glucose",)]
