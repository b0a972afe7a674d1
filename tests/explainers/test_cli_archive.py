"""xai-explain --save and --open: a saved analysis written and opened again through the CLI."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from synthetic_tables import synthetic_binary, synthetic_regression

from explainers.cli import main

SPEEDS = {"one_row_ms", "rows_per_s", "measured_on"}
WORTH = ("baselines", "comparison", "tree_curve", "deployment")


def _csv(tmp_path: Path, frame: pd.DataFrame) -> Path:
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def _facts(summary: dict, *, worth: bool) -> dict:
    """The summary without timings (and without what model_worth adds, unless ``worth``),
    and deployment without the speeds measured when it was written."""
    facts = {k: v for k, v in summary.items() if k != "seconds"}
    if not worth:
        return {k: v for k, v in facts.items() if not k.startswith(WORTH)}
    deployment = {k: v for k, v in facts["deployment"].items() if k not in SPEEDS}
    deployment["compact"] = {k: v for k, v in deployment["compact"].items() if k not in SPEEDS}
    return facts | {"deployment": deployment}


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A binary table run once with --audit, saved with and without the table."""
    folder = tmp_path_factory.mktemp("saved")
    data = _csv(folder, synthetic_binary(400))
    out = folder / "run"
    with_table = folder / "with_table.xai"
    args = [str(data), "--out", str(out), "--device", "cpu", "--audit", "--save"]
    assert main([*args, str(with_table), "--save-table"]) == 0
    without = folder / "without_table.xai"
    args = [str(data), "--out", str(folder / "run2"), "--device", "cpu", "--save", str(without)]
    assert main(args) == 0
    return folder, out, with_table, without


def test_with_the_table_every_output_comes_back_the_same(saved, tmp_path, capsys):
    """Check that --open of a file saved with the table writes the same outputs, byte for byte
    where nothing is measured, without retraining."""
    _, out, with_table, _ = saved
    again = tmp_path / "again"
    assert main(["--open", str(with_table), "--out", str(again)]) == 0
    assert "wrote" in capsys.readouterr().out
    for name in ("shap_values.csv", "predictions.csv", "audit.json", "model.json"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
    first, second = _summary(out), _summary(again)
    assert _facts(second, worth=True) == _facts(first, worth=True)
    assert {"open", "write", "train", "shap"} <= set(second["seconds"])
    assert second["seconds"]["train"] == pytest.approx(first["seconds"]["train"], abs=1e-4)


def test_without_the_table_the_facts_are_the_same_and_rows_are_skipped(saved, tmp_path):
    """Check that a file saved without the table gives identical SHAP values and summary facts,
    no predictions, and says why baselines, the tree curve and deployment are missing."""
    _, out, _, without = saved
    again = tmp_path / "again"
    assert main(["--open", str(without), "--out", str(again)]) == 0
    assert (again / "shap_values.csv").read_bytes() == (out / "shap_values.csv").read_bytes()
    assert sorted(p.name for p in again.iterdir()) == [
        "model.json",
        "shap_values.csv",
        "summary.json",
    ]
    second = _summary(again)
    assert _facts(second, worth=False) == _facts(_summary(out), worth=False)
    assert second["baselines"] == [] and second["comparison"] is None
    assert second["tree_curve"] is None and second["deployment"] is None
    for key in ("baselines_skipped", "tree_curve_skipped", "deployment_skipped"):
        assert second[key] == "saved_without_table"


def test_regression_round_trip_without_the_table(tmp_path):
    """Check identical SHAP values and metrics for a regression saved without its table."""
    data = _csv(tmp_path, synthetic_regression(300))
    out, again, path = tmp_path / "out", tmp_path / "again", tmp_path / "reg.xai"
    assert main([str(data), "--out", str(out), "--device", "cpu", "--save", str(path)]) == 0
    assert main(["--open", str(path), "--out", str(again)]) == 0
    assert (again / "shap_values.csv").read_bytes() == (out / "shap_values.csv").read_bytes()
    assert _facts(_summary(again), worth=False) == _facts(_summary(out), worth=False)


def test_saving_the_table_warns_about_identifier_columns(saved, tmp_path, capsys):
    """Check that --save-table names the identifier column on stderr, and without the table
    nothing is said."""
    folder, _, _, _ = saved
    data = folder / "data.csv"
    args = [str(data), "--out", str(tmp_path / "o"), "--device", "cpu", "--save"]
    assert main([*args, str(tmp_path / "t.xai"), "--save-table"]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "'record_id'" in err and "identifiers" in err
    assert main([*args, str(tmp_path / "n.xai")]) == 0
    assert "warning" not in capsys.readouterr().err


def _one_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    return err[0]


def test_opening_a_pickle_exits_2_and_writes_nothing(tmp_path, capsys):
    """Check that a pickle named .xai is refused by content, with nothing written."""
    path = tmp_path / "evil.xai"
    path.write_bytes(pickle.dumps({"model": [1, 2, 3]}))
    out = tmp_path / "out"
    assert main(["--open", str(path), "--out", str(out)]) == 2
    assert "pickle" in _one_error(capsys)
    assert not out.exists()


def test_opening_a_tampered_file_exits_2_and_writes_nothing(saved, tmp_path, capsys):
    """Check that a member changed after saving (its hash no longer matches) is refused."""
    _, _, _, without = saved
    buffer = io.BytesIO()
    with zipfile.ZipFile(without) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "settings.json":
                data = data.replace(b'"seed": 0', b'"seed": 1')
            target.writestr(info, data)
    path = tmp_path / "tampered.xai"
    path.write_bytes(buffer.getvalue())
    out = tmp_path / "out"
    assert main(["--open", str(path), "--out", str(out)]) == 2
    assert "changed or damaged" in _one_error(capsys)
    assert not out.exists()


def test_opening_a_missing_file_exits_2(tmp_path, capsys):
    """Check that --open of a path that does not exist is a one-line error."""
    assert main(["--open", str(tmp_path / "nope.xai"), "--out", str(tmp_path / "o")]) == 2
    assert "not found" in _one_error(capsys)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "give a DATA file to explain, or --open"),
        (["data.csv", "--open", "a.xai"], "either DATA or --open"),
        (["--open", "a.xai", "--target", "y"], "--target cannot be used with --open"),
        (["--open", "a.xai", "--save-table"], "--save-table cannot be used with --open"),
        (["data.csv", "--save-table"], "--save-table needs --save"),
        (["data.csv", "--save", "no/such/folder/a.xai"], "the folder of --save"),
    ],
)
def test_usage_errors(tmp_path, monkeypatch, capsys, argv, message):
    """Check that each wrong combination exits 2 with one error line and writes nothing."""
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path, synthetic_binary(50))
    assert main(argv) == 2
    line = _one_error(capsys)
    assert message in line and "--help" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]
