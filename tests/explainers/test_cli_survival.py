"""``xai-explain --task survival``: the CLI contract, against XGBoost and scikit-survival."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sksurv.datasets import load_veterans_lung_cancer
from sksurv.metrics import concordance_index_censored
from synthetic_tables import cox_table

from explainers._cli_archive import NO_ROWS
from explainers.cli import main


def _run(args: list[str]) -> tuple[Path, dict[str, object]]:
    out = Path(args[args.index("--out") + 1])
    assert main(args) == 0
    return out, json.loads((out / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cox_cli(tmp_path_factory):
    """The CLI on the synthetic Cox table, survival implied by --time and --event."""
    folder = tmp_path_factory.mktemp("cox")
    path = folder / "cox.csv"
    cox_table().to_csv(path, index=False)
    args = [str(path), "--time", "follow_up_days", "--event", "dead", "--device", "cpu"]
    out, summary = _run([*args, "--out", str(folder / "out")])
    return path, out, summary


@pytest.fixture(scope="module")
def veterans_cli(tmp_path_factory):
    """The CLI on scikit-survival's veterans lung cancer data (categorical features)."""
    X, y = load_veterans_lung_cancer()
    frame = X.assign(days=y["Survival_in_days"], status=y["Status"])
    folder = tmp_path_factory.mktemp("veterans")
    path = folder / "veterans.csv"
    frame.to_csv(path, index=False)
    args = [str(path), "--task", "survival", "--time", "days", "--event", "status"]
    out, summary = _run([*args, "--device", "cpu", "--out", str(folder / "out")])
    return path, out, summary


def _xgboost_margin(out: Path, shap: pd.DataFrame, source: Path) -> np.ndarray:
    """XGBoost's own output margin of model.json on the explained rows of the input file."""
    booster = xgb.Booster(model_file=str(out / "model.json"))
    names = list(booster.feature_names or [])
    kinds = list(booster.feature_types or ["float"] * len(names))
    table = pd.read_csv(source).iloc[shap["row"].to_numpy()][names]
    for name, kind in zip(names, kinds, strict=True):
        if kind == "c":  # categories in sorted order, as pandas gives them
            table[name] = table[name].astype(str).astype("category")
        elif not pd.api.types.is_numeric_dtype(table[name]):  # a yes/no column is 1/0
            table[name] = table[name].map({"yes": 1.0, "no": 0.0})
    data = xgb.DMatrix(table, enable_categorical=True)
    return np.asarray(booster.predict(data, output_margin=True), dtype=np.float64)


def _check_outputs(source: Path, out: Path, summary: dict, time: str, event: str) -> None:
    shap = pd.read_csv(out / "shap_values.csv")
    features = [c for c in shap.columns if c not in ("row", "base_value", "margin")]
    assert time not in shap.columns and time not in summary["features"]
    assert event not in shap.columns
    total = shap["base_value"] + shap[features].sum(axis=1)
    np.testing.assert_allclose(shap["margin"], total, atol=1e-4)
    np.testing.assert_allclose(shap["margin"], _xgboost_margin(out, shap, source), atol=1e-5)

    predictions = pd.read_csv(out / "predictions.csv")
    assert list(predictions.columns) == ["row", "split", "time", "event", "risk"]
    table = pd.read_csv(source)
    assert predictions["row"].tolist() == list(range(len(table)))
    np.testing.assert_allclose(predictions["time"], table[time])
    assert predictions["event"].tolist() == table[event].astype(int).tolist()
    assert set(predictions["split"]) == {"train", "validation"}
    explained = predictions.set_index("row").loc[shap["row"], "risk"].to_numpy()
    np.testing.assert_allclose(explained, shap["margin"], atol=1e-5)

    valid = predictions[predictions["split"] == "validation"]
    expected = concordance_index_censored(
        valid["event"].astype(bool).to_numpy(), valid["time"].to_numpy(), valid["risk"].to_numpy()
    )[0]
    metrics = summary["metrics"]
    assert metrics["c_index"] == pytest.approx(expected, abs=1e-6)
    assert metrics["c_index_low"] <= metrics["c_index"] <= metrics["c_index_high"]
    assert summary["tree_curve"]["metric"] == "c_index"
    assert summary["tree_curve"]["scores"][-1] == pytest.approx(expected, abs=1e-5)


def test_synthetic_cox_summary_and_files(cox_cli):
    """Check summary.json's survival facts and that the files agree with XGBoost and sksurv."""
    source, out, summary = cox_cli
    assert summary["task"] == "survival"
    assert (summary["time"], summary["event"], summary["event_value"]) == (
        "follow_up_days",
        "dead",
        None,
    )
    assert summary["n_events"] == int(pd.read_csv(source)["dead"].sum())
    metrics = summary["metrics"]
    assert metrics["c_index"] > 0.65
    assert 0.5 < metrics["mean_auc"] <= 1 and 0 < metrics["integrated_brier"] < 0.25
    times = [entry["time"] for entry in metrics["time_dependent_auc"]]
    assert times == sorted(times) and len(times) == 3 and times[0] > 0
    assert [b["name"] for b in summary["baselines"]] == ["trivial", "linear"]
    assert summary["baselines"][0]["metrics"]["c_index"] == 0.5
    assert summary["comparison"]["metric"] == "c_index" and "baselines_skipped" not in summary
    assert summary["deployment"]["trees"] >= summary["deployment"]["compact_trees"] >= 1
    assert [g["feature"] for g in summary["global_importance"][:2]] == ["x1", "x2"]
    assert not (out / "audit.json").exists()
    _check_outputs(source, out, summary, "follow_up_days", "dead")


def test_veterans_with_categorical_features(veterans_cli):
    """Check the veterans data: exit 0, facts, additivity and XGBoost's margin with categories."""
    source, out, summary = veterans_cli
    assert (summary["task"], summary["time"], summary["event"]) == ("survival", "days", "status")
    assert summary["n_rows"] == 137 and summary["n_events"] == 128
    assert "Celltype" in summary["features"]
    _check_outputs(source, out, summary, "days", "status")


def test_task_survival_alone_uses_the_recognised_pair(tmp_path):
    """Check that --task survival without columns uses the recognised time/event pair."""
    path = tmp_path / "cox.csv"
    cox_table(n=300, seed=5).to_csv(path, index=False)
    _, summary = _run([str(path), "--task", "survival", "--out", str(tmp_path / "out")])
    assert (summary["time"], summary["event"]) == ("follow_up_days", "dead")


def test_audit_writes_a_survival_audit(tmp_path):
    """Check that --audit --group-by on a survival run with a 3-valued status writes
    predictions.csv and audit.json: permutation importance by C-index (the strong driver x1
    first), no error analysis, and per-group C-indexes equal to scikit-survival's on each
    group's validation rows."""
    path = tmp_path / "status.csv"
    frame = cox_table(n=600, seed=7)
    frame["dead"] = np.where(frame["dead"] == 1, 2, np.where(np.arange(600) % 2, 0, 1))
    frame["site"] = np.where(np.arange(600) % 3 == 0, "north", "south")
    frame.to_csv(path, index=False)
    args = [str(path), "--time", "follow_up_days", "--event", "dead", "--event-value", "2"]
    out, summary = _run([*args, "--audit", "--group-by", "site", "--out", str(tmp_path / "o")])
    assert summary["event_value"] == "2"
    events = pd.read_csv(out / "predictions.csv")["event"]
    assert events.tolist() == (frame["dead"] == 2).astype(int).tolist()
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert audit["permutation_score"] == "c_index"
    assert audit["permutation_importance"][0]["feature"] == "x1"
    assert audit["error_analysis"] is None
    predictions = pd.read_csv(out / "predictions.csv")
    valid = predictions[predictions["split"] == "validation"]
    site = frame["site"].to_numpy()[valid["row"].to_numpy()]
    assert set(audit["groups"]["metrics"]) == {"north", "south"}
    for name, metrics in audit["groups"]["metrics"].items():
        rows = valid[site == name]
        event = rows["event"].to_numpy().astype(bool)
        expected = concordance_index_censored(event, rows["time"], rows["risk"])[0]
        assert metrics["c_index"] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--time", "follow_up", "--event", "dead"], "no column named 'follow_up'"),
        (["--time", "follow_up_days", "--event", "dead", "--event-value", "7"], "'7' does not"),
        (["--time", "follow_up_days", "--task", "binary"], "--time needs --task survival"),
        (["--task", "survival", "--model", "model.json"], "--model cannot be used"),
    ],
)
def test_bad_survival_flags_exit_2_with_one_error_line(tmp_path, capsys, extra, message):
    """Check that bad survival flags exit 2 with one 'error:' line saying what is wrong."""
    path = tmp_path / "cox.csv"
    cox_table(n=200).to_csv(path, index=False)
    assert main([str(path), *extra, "--out", str(tmp_path / "out")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
    assert not (tmp_path / "out").exists()


def test_task_survival_without_a_pair_exits_2(tmp_path, capsys):
    """Check that --task survival on a table with no time/event pair exits 2 and says so."""
    rng = np.random.default_rng(0)
    path = tmp_path / "plain.csv"
    pd.DataFrame({"a": rng.normal(size=100), "b": rng.normal(size=100)}).to_csv(path, index=False)
    assert main([str(path), "--task", "survival", "--out", str(tmp_path / "out")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "needs a time column" in lines[0]


@pytest.mark.parametrize("save_table", [False, True])
def test_save_and_open_give_the_same_outputs(tmp_path, save_table):
    """Check --save then --open: the same shap_values.csv bytes and summary.json facts."""
    source = tmp_path / "cox.csv"
    cox_table(n=400, seed=9).to_csv(source, index=False)
    saved = tmp_path / "run.xai"
    args = [str(source), "--task", "survival", "--time", "follow_up_days", "--event", "dead"]
    args += ["--device", "cpu", "--rows", "80", "--save", str(saved)]
    first, summary = _run(
        [*args, *(["--save-table"] if save_table else []), "--out", str(tmp_path / "a")]
    )
    again, reopened = _run(["--open", str(saved), "--out", str(tmp_path / "b")])
    assert (again / "shap_values.csv").read_bytes() == (first / "shap_values.csv").read_bytes()
    assert reopened["metrics"] == summary["metrics"]
    assert reopened["metrics"]["c_index"] == summary["metrics"]["c_index"] > 0.6
    facts = ("task", "time", "event", "event_value", "n_events", "features", "global_importance")
    assert {k: reopened[k] for k in facts} == {k: summary[k] for k in facts}
    assert (again / "predictions.csv").exists() is save_table
    if save_table:  # computed again from the saved rows, with the same split and seed
        assert (again / "predictions.csv").read_bytes() == (first / "predictions.csv").read_bytes()
        for key in ("tree_curve", "baselines", "comparison"):
            assert reopened[key] == summary[key], key
    else:
        assert reopened["baselines_skipped"] == reopened["tree_curve_skipped"] == NO_ROWS
