"""``xai-explain DATA --scheduler``: end to end on ``local:2``, beside the single-process run."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from synthetic_tables import synthetic_binary

from explainers.cli import main

pytestmark = pytest.mark.timeout(300)


def test_cluster_run_has_the_local_runs_contract(tmp_path, capsys):
    """Check that a local:2 run on a folder of parts writes what the local run writes, with
    the same schema, features, classes and SHAP columns, plus engine, workers and seconds."""
    frame = synthetic_binary(1200)
    parts = tmp_path / "parts"
    parts.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[rows].to_parquet(parts / f"part.{i}.parquet", index=False)
    frame.to_parquet(tmp_path / "whole.parquet", index=False)

    local_out, cluster_out = tmp_path / "local", tmp_path / "cluster"
    assert main([str(tmp_path / "whole.parquet"), "--out", str(local_out), "--device", "cpu"]) == 0
    argv = [str(parts), "--scheduler", "local:2", "--out", str(cluster_out), "--device", "cpu"]
    assert main(argv) == 0
    assert "shap_values.parquet" in capsys.readouterr().out

    local = json.loads((local_out / "summary.json").read_text())
    cluster = json.loads((cluster_out / "summary.json").read_text())
    assert local["engine"] == "local" and cluster["engine"] == "dask"
    assert cluster["workers"] == 2
    assert set(local) - set(cluster) == set()
    for key in ("task", "target", "classes", "features", "n_rows", "dropped_columns"):
        assert cluster[key] == local[key], key
    assert cluster["n_explained_rows"] == 1200
    assert set(cluster["seconds"]) >= {"connect", "load", "profile", "encode", "train", "shap"}
    assert cluster["table"]["parts"] == 3 and cluster["table"]["n_rows"] == 1200
    assert cluster["table"]["missing"]["x_medium"] == int(frame["x_medium"].isna().sum())
    assert cluster["profile_sample_rows"] == 1200
    assert cluster["metrics"]["auc"] > 0.85
    assert cluster["global_importance"][0]["feature"] == local["global_importance"][0]["feature"]

    local_values = pd.read_csv(local_out / "shap_values.csv")
    cluster_values = pd.read_parquet(cluster_out / "shap_values.parquet")
    assert list(cluster_values.columns) == list(local_values.columns)
    assert cluster_values["row"].tolist() == local_values["row"].tolist()
    assert (cluster_out / "model.json").is_file()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--audit"], "--audit cannot be used with --scheduler"),
        (["--save", "x.xai"], "--save cannot be used with --scheduler"),
        (["--rows", "10"], "--rows cannot be used with --scheduler"),
        (["--task", "survival"], "--task survival cannot be used with --scheduler"),
        (["--time", "t"], "--time cannot be used with --scheduler"),
    ],
)
def test_options_the_cluster_cannot_honour_are_refused(tmp_path, capsys, extra, message):
    """Check that an option a cluster run does not take exits 2 and names it."""
    assert main([str(tmp_path), "--scheduler", "local:2", *extra]) == 2
    assert message in capsys.readouterr().err


def test_an_unreachable_scheduler_exits_2_with_what_to_do(tmp_path, capsys):
    """Check that a scheduler nobody listens on fails in seconds with one error line."""
    synthetic_binary(50).to_parquet(tmp_path / "part.parquet", index=False)
    assert main([str(tmp_path), "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: No Dask scheduler answered at tcp://127.0.0.1:9")
    assert "dask scheduler" in err


def test_a_folder_without_parts_exits_2(tmp_path, capsys):
    """Check that DATA with no Parquet or CSV part is refused before any work."""
    (tmp_path / "notes.md").write_text("x")
    assert main([str(tmp_path), "--scheduler", "local:1", "--out", str(tmp_path / "o")]) == 2
    assert "No Parquet or CSV file was found" in capsys.readouterr().err
