"""CSV parts on a Dask cluster read as one CSV file of the same rows would be read.

The reference is the single-process reader, :func:`explainers.read_table`, of the parts
concatenated into one file (one header), and XGBoost's own ``pred_contribs`` on the
features encoded from that one file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from explainers import DataError, read_table
from explainers._dask import connect, explain_on_cluster
from explainers._dask.parts import sample_table, scan_parts

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, one thread each, shared by the module's tests."""
    with connect("local:2") as connection:
        yield connection


def _write_parts(folder: Path, parts: list[str]) -> bytes:
    """Write each text as ``part-<i>.csv``; return the one file of all their rows."""
    folder.mkdir()
    for i, text in enumerate(parts):
        (folder / f"part-{i}.csv").write_text(text, encoding="utf-8")
    return (parts[0] + "".join(p.split("\n", 1)[1] for p in parts[1:])).encode("utf-8")


# Each case: the parts of one table whose parts, each read on its own, disagree.
AGREEING = {
    "thousands separators in one part": ["a,y\n12,0\n34,1\n", 'a,y\n"1,234",0\n56,1\n'],
    "a missing marker in one part": ["a,y\n12,0\n34,1\n", "a,y\nN/A,0\n56,1\n"],
    "a column empty in one part": ["a,b,y\n12,x,0\n34,z,1\n", "a,b,y\n,,0\n,,1\n"],
    "numbers in one part, words in another": ["a,y\n1.50,0\n007,1\n", "a,y\nfoo,0\nbar,1\n"],
    "codes that look like numbers in one part": ["a,y\n00123,0\n0045,1\n", "a,y\nA12,0\nB3,1\n"],
    "booleans missing in one part": ["a,y\nTrue,0\nFalse,1\n", "a,y\nTrue,0\n,1\n"],
    "booleans beside yes/no": ["a,y\nTrue,0\nFalse,1\n", "a,y\nyes,0\nno,1\n"],
    "whole numbers beside decimals": ["a,y\n1,0\n2,1\n", "a,y\n1.5,0\n2,1\n"],
    "dates empty in one part": ["a,y\n2020-01-02,0\n2020-02-03,1\n", "a,y\n,0\n,1\n"],
    "a decimal comma beside whole numbers": ["a;y\n1.234,5;0\n3,5;1\n", "a;y\n12;0\n56;1\n"],
    "currency in one part": ['a,y\n"$1,200",0\n$3,1\n', "a,y\n5,0\n6.5,1\n"],
    "text empty in one part, markers only": ["a,y\nx,0\n z ,1\n", "a,y\n,0\n-,1\n"],
}


@pytest.mark.parametrize("case", sorted(AGREEING))
def test_csv_parts_read_like_the_concatenated_file(cluster, tmp_path, case):
    """Check every column's dtype and values against read_table of the one file."""
    whole = _write_parts(tmp_path / "parts", AGREEING[case])
    expected = read_table(whole, name="whole.csv").frame
    parted = scan_parts(cluster.client, tmp_path / "parts")
    rows = np.arange(parted.n_rows)
    got = sample_table(cluster.client, parted, rows, name="parts").frame
    pd.testing.assert_frame_equal(got, expected)
    for name in expected.columns:
        assert parted.dtypes[name] == (str(expected[name].dtype),)
        assert parted.missing[name] == int(expected[name].isna().sum())
        values = {v for v in expected[name].dropna().tolist()}
        assert set(parted.distinct[name] or ()) == values


@pytest.mark.parametrize(
    "preamble", ["# exported by a tool\n# 2 parts\n", "sep=,\n", "sep=,\n# a note; one\n"]
)
def test_parts_opening_with_notes_read_like_the_file_without_them(cluster, tmp_path, preamble):
    """Check that a part opening with comment lines or Excel's ``sep=`` line (or repeating
    its header among its rows), whose column is read again as text (numbers there, words in
    the other part), equals read_table of the one file without those lines."""
    folder = tmp_path / "parts"
    folder.mkdir()
    body = "a,y\n1.50,0\na,y\n007,1\n" if not preamble else "a,y\n1.50,0\n007,1\n"
    (folder / "part-0.csv").write_text(preamble + body, encoding="utf-8")
    (folder / "part-1.csv").write_text("a,y\nfoo,0\nbar,1\n", encoding="utf-8")
    expected = read_table(b"a,y\n1.50,0\n007,1\nfoo,0\nbar,1\n", name="whole.csv").frame
    parted = scan_parts(cluster.client, folder)
    got = sample_table(cluster.client, parted, np.arange(parted.n_rows), name="parts").frame
    pd.testing.assert_frame_equal(got, expected)
    assert got["a"].tolist()[:2] == ["1.50", "007"]  # as the file spells them


REFUSED = {
    "percent in one part only": (["a,y\n45%,0\n30%,1\n", "a,y\n0.45,0\n0.3,1\n"], "with %"),
    "a decimal comma beside a decimal point": (
        ["a;y\n1.234,5;0\n3,5;1\n", "a;y\n1.234;0\n56;1\n"],
        "decimal comma",
    ),
    "thousands dots beside thousands commas": (
        ["a,y\n1.234.567,0\n3,1\n", 'a,y\n"1,234",0\n56,1\n'],
        "decimal comma",
    ),
    "a word in a small part of numbers": (
        ["a,y\n" + "".join(f"{i},0\n" for i in range(40)), "a,y\npending,0\n5,1\n"],
        "a few words",
    ),
    "booleans beside numbers": (["a,y\nTrue,0\nFalse,1\n", "a,y\n1,0\n0,1\n"], "booleans"),
    "six words over the parts": (
        [
            "a,y\n" + "".join(f"{i},0\n" for i in range(60)) + "qzu,1\nqzv,1\nqzw,1\n",
            "a,y\n" + "".join(f"{i},0\n" for i in range(60)) + "qzx,1\nqzy,1\nqzz,1\n",
        ],
        "more than 5 different words",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_parts_one_file_reads_differently_are_refused(cluster, tmp_path, case):
    """Check that such parts raise parts_disagree naming the column, never a cell."""
    parts, fragment = REFUSED[case]
    _write_parts(tmp_path / "parts", parts)
    with pytest.raises(DataError, match=f"column 'a' .*{fragment}") as caught:
        scan_parts(cluster.client, tmp_path / "parts")
    assert caught.value.code == "parts_disagree"
    message = str(caught.value)
    assert "part-" in message
    for cell in ("45%", "0.45", "pending", "1.234,5", "qzu", "56"):
        assert cell not in message


def _parts_of_a_binary_table(n: int = 600, seed: int = 11) -> tuple[list[str], list[str]]:
    """Three CSV parts whose own readings differ, and the model's features."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    income = rng.integers(500, 5000, n)
    site = rng.choice(["007", "012", "030"], n)
    lab = np.round(rng.normal(5, 1, n), 2)
    flag = rng.random(n) < 0.5
    logit = 2.0 * x + 0.0008 * (income - 2750) + 0.8 * (site == "007") + 0.5 * flag
    outcome = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    parts = []
    for i, rows in enumerate(np.array_split(np.arange(n), 3)):
        lines = ["x,income,site,lab,flag,outcome"]
        for r in rows:
            # Part 1 writes income with thousands separators and has a site code with a
            # letter (so one file reads site as text); part 2 has no lab values and
            # one missing flag.
            money = f'"{income[r]:,}"' if i == 1 else str(income[r])
            code = "A12" if i == 1 and r % 7 == 0 else site[r]
            value = "" if i == 2 else f"{lab[r]:.2f}"
            shown = "" if i == 2 and r == rows[0] else str(bool(flag[r]))
            lines.append(f"{x[r]:.6f},{money},{code},{value},{shown},{outcome[r]}")
        parts.append("\n".join(lines) + "\n")
    return parts, ["x", "income", "site", "lab", "flag"]


def _reference_matrix(frame: pd.DataFrame, features: list[str]) -> xgb.DMatrix:
    """The features of the one-file read, encoded independently: numbers and booleans as
    floats, text as categories sorted over the whole table."""
    columns = {}
    for name in features:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            columns[name] = column.astype("float64")
        elif all(isinstance(v, bool) for v in column.dropna()):
            columns[name] = column.map(lambda v: np.nan if pd.isna(v) else float(v))
            columns[name] = columns[name].astype("float64")
        else:
            categories = sorted(column.dropna().astype(str).unique())
            columns[name] = pd.Categorical(column, categories=categories)
    return xgb.DMatrix(pd.DataFrame(columns), enable_categorical=True)


def test_cluster_shap_equals_pred_contribs_on_the_one_file_read(cluster, tmp_path):
    """Check encoded categories and every SHAP row against the single-process read."""
    parts, features = _parts_of_a_binary_table()
    whole = _write_parts(tmp_path / "parts", parts)
    frame = read_table(whole, name="whole.csv").frame
    assert frame["site"].dtype == "str" and frame["income"].dtype == "float64"
    out = tmp_path / "out"
    run = explain_on_cluster(cluster, tmp_path / "parts", out, target="outcome", seed=2)
    assert sorted(run.model.spec.names) == sorted(features)
    expected_sites = tuple(sorted(frame["site"].dropna().unique()))
    assert run.model.spec.categories["site"] == expected_sites
    assert run.schema.display_names["flag"] == "flag"
    run.model.booster.save_model(str(out / "model.json"))
    booster = xgb.Booster()
    booster.load_model(str(out / "model.json"))
    values = pd.read_parquet(out / "shap_values.parquet")
    assert values["row"].tolist() == list(range(len(frame)))
    names = list(run.model.spec.names)
    matrix = _reference_matrix(frame, names)
    contribs = booster.predict(matrix, pred_contribs=True)
    margin = booster.predict(matrix, output_margin=True)
    shown = [run.schema.display_names[n] for n in names]
    np.testing.assert_allclose(values[shown].to_numpy(float), contribs[:, :-1], atol=1e-5)
    np.testing.assert_allclose(values["base_value"], contribs[:, -1], atol=1e-5)
    np.testing.assert_allclose(values["margin"], margin, rtol=1e-5, atol=1e-5)
