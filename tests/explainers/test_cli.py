"""The xai-explain contract, end to end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from synthetic_tables import synthetic_binary, synthetic_multiclass, synthetic_regression

from explainers.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, frame: pd.DataFrame, name: str = "data.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_binary_contract(tmp_path, capsys):
    """Check the three output files and their columns for a binary table."""
    frame = synthetic_binary(500)
    out = tmp_path / "out"
    assert main([str(_write(tmp_path, frame)), "--out", str(out), "--device", "cpu"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["task"] == "binary" and summary["target"] == "outcome"
    assert summary["classes"] == ["no", "yes"]
    assert summary["device"] == "cpu" and summary["shap_backend"] == "xgboost-cpu"
    assert {
        "name": "record_id",
        "reason": summary["dropped_columns"][0]["reason"],
        "code": "identifier",
    } in summary["dropped_columns"]
    assert set(summary["seconds"]) >= {"load", "train", "shap"}
    assert summary["n_features"] == len(summary["features"]) == 4
    importance = [g["mean_abs_shap"] for g in summary["global_importance"]]
    assert importance == sorted(importance, reverse=True)
    assert summary["global_importance"][0]["feature"] == "x_strong"
    assert {"auc", "pr_auc", "accuracy", "f1", "log_loss", "brier"} <= set(summary["metrics"])

    values = pd.read_csv(out / "shap_values.csv")
    assert list(values.columns) == ["row", *summary["features"], "base_value", "margin"]
    assert len(values) == len(frame)
    assert values["row"].tolist() == list(range(len(frame)))
    feature_sum = values[summary["features"]].sum(axis=1) + values["base_value"]
    np.testing.assert_allclose(feature_sum, values["margin"], atol=1e-4)

    booster = xgb.Booster()
    booster.load_model(str(out / "model.json"))
    assert booster.feature_names == summary["features"]


def test_margin_column_is_the_model_output(tmp_path):
    """Check that the margin column equals the saved model's raw prediction on the input rows."""
    frame = synthetic_regression(300)
    out = tmp_path / "out"
    assert main([str(_write(tmp_path, frame)), "--out", str(out)]) == 0
    values = pd.read_csv(out / "shap_values.csv")
    booster = xgb.Booster()
    booster.load_model(str(out / "model.json"))
    margin = booster.predict(xgb.DMatrix(frame[["a", "b", "c"]]), output_margin=True)
    np.testing.assert_allclose(values["margin"], margin[values["row"]], rtol=1e-5, atol=1e-5)
    assert json.loads((out / "summary.json").read_text())["task"] == "regression"


def test_multiclass_rows_and_rows_option(tmp_path):
    """Check one line per row and class, and that --rows samples N rows with a seed."""
    frame = synthetic_multiclass(600)
    out = tmp_path / "out"
    args = [str(_write(tmp_path, frame)), "--out", str(out), "--rows", "40", "--seed", "9"]
    assert main(args) == 0
    values = pd.read_csv(out / "shap_values.csv")
    assert list(values.columns[:2]) == ["row", "class"]
    assert len(values) == 40 * 3
    assert values["row"].nunique() == 40
    assert set(values["class"]) == {"high", "low", "medium"}
    again = tmp_path / "again"
    argv = [str(_write(tmp_path, frame)), "--out", str(again), "--rows", "40", "--seed", "9"]
    assert main(argv) == 0
    pd.testing.assert_frame_equal(values, pd.read_csv(again / "shap_values.csv"))


def test_missing_target_rows_keep_file_positions(tmp_path):
    """Check that `row` is the data row's position in the input file when rows are dropped."""
    frame = synthetic_binary(300)
    frame.loc[[0, 5, 6], "outcome"] = np.nan
    out = tmp_path / "out"
    assert main([str(_write(tmp_path, frame)), "--out", str(out), "--target", "outcome"]) == 0
    rows = pd.read_csv(out / "shap_values.csv")["row"]
    assert 0 not in set(rows) and 5 not in set(rows) and 1 in set(rows)
    assert len(rows) == 297


def test_original_column_names_are_kept(tmp_path):
    """Check that names XGBoost refuses appear in the outputs as written in the input."""
    frame = synthetic_regression(200).rename(columns={"a": "dose [mg]", "b": "<b>", "c": "a,b"})
    out = tmp_path / "out"
    assert main([str(_write(tmp_path, frame)), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["features"]) == {"dose [mg]", "<b>", "a,b"}
    assert {"dose [mg]", "<b>", "a,b"} <= set(pd.read_csv(out / "shap_values.csv").columns)


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"", [], "empty"),
        (b"a,b,c\n", [], "no data rows|header"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, [], "not a text table|binary"),
        (None, ["--target", "nope"], "no column named"),
        (None, ["--rows", "0"], "--rows"),
        (None, ["--task", "sometimes"], "invalid choice"),
    ],
)
def test_user_errors_exit_2_with_one_line(tmp_path, capsys, content, args, message):
    """Check that bad input exits 2 with a single `error:` line and no traceback."""
    path = tmp_path / "bad.csv"
    if content is None:
        synthetic_binary(100).to_csv(path, index=False)
    else:
        path.write_bytes(content)
    assert main([str(path), "--out", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:")
    assert re.search(message, err[0], re.IGNORECASE)


def test_entry_point_missing_file(tmp_path):
    """Check the installed console script: a missing file exits 2 with an error line."""
    script = Path(sys.executable).with_name("xai-explain")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "explainers.cli"]
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [*command, str(tmp_path / "missing.csv")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: no such file")
    assert "Traceback" not in result.stderr


def test_the_readers_notes_are_said_and_kept_in_the_summary(tmp_path, capsys):
    """Check that how the file was read (comment lines skipped, a repeated column name) is a
    note on stderr and in summary.json's reading, in the words the app's English catalogue
    uses for the same codes."""
    from dashboard.i18n import catalog, translate
    from explainers._io.notes import READING_NOTES

    rng = np.random.default_rng(2)
    lines = ["# exported by a tool, 2026", "age,score,score,outcome"]
    lines += [
        f"{rng.integers(20, 80)},{rng.normal():.3f},{rng.normal():.2f},{i % 2}" for i in range(80)
    ]
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main([str(path), "--out", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    notes = {n["code"]: n["message"] for n in summary["reading"]["notes"]}
    assert set(notes) == {"comment_lines_skipped", "duplicate_column_names"}
    for message in notes.values():
        assert f"note: {message}" in err
    assert notes["comment_lines_skipped"] == translate("en", "table_warning.comment_lines_skipped")
    catalogue = {k.split(".", 1)[1] for k in catalog("en") if k.startswith("table_warning.")}
    assert set(READING_NOTES) == catalogue
