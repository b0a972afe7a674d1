"""``xai-explain --audit``: predictions.csv and audit.json, on a table with known effects."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from explainers.cli import main


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """The CLI's audit outputs for a table where ``dose`` drives the outcome and
    ``noise`` does nothing, grouped by ``site`` (a column the model does not need)."""
    rng = np.random.default_rng(0)
    n = 1500
    dose = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "dose": dose,
            "age": rng.integers(20, 90, n),
            "noise": rng.normal(size=n),
            "site": rng.choice(["north", "south", "east"], n),
            "outcome": np.where(dose + rng.normal(0, 0.7, n) > 0, "yes", "no"),
        }
    )
    folder = tmp_path_factory.mktemp("audit")
    path, out = folder / "trial.csv", folder / "out"
    frame.to_csv(path, index=False)
    assert main([str(path), "--out", str(out), "--rows", "400", "--group-by", "site"]) == 0
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    predictions = pd.read_csv(out / "predictions.csv")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return frame, audit, predictions, summary


def test_importance_finds_the_driver_and_not_the_noise(audited):
    """Check that dose leads both rankings and that shuffling noise costs a tiny fraction of
    what shuffling dose costs (a model that splits on noise loses a little when it is
    shuffled, so its interval need not hold 0 exactly)."""
    _, audit, _, _ = audited
    permutation = audit["permutation_importance"]
    assert permutation[0]["feature"] == "dose"
    assert [p["mean"] for p in permutation] == sorted(
        (p["mean"] for p in permutation), reverse=True
    )
    noise = next(p for p in permutation if p["feature"] == "noise")
    dose = permutation[0]
    assert noise["mean"] < 0.02 and noise["ci_high"] < dose["ci_low"] / 10
    assert audit["shap_importance"][0]["feature"] == "dose"
    for row in audit["shap_importance"]:
        assert row["ci_low"] <= row["mean_abs_shap"] <= row["ci_high"]


def test_partial_dependence_of_the_driver_rises(audited):
    """Check that P(yes) rises with dose along its grid, in probability units."""
    _, audit, _, _ = audited
    effect = audit["partial_dependence"]["dose"]
    assert effect["unit"] == "probability" and len(effect["grid"]) == len(effect["average"])
    assert effect["average"][-1] - effect["average"][0] > 0.5
    assert all(0.0 <= p <= 1.0 for p in effect["average"])


def test_groups_and_errors_add_up_on_the_validation_rows(audited):
    """Check group sizes, the error rate and rule counts against predictions.csv."""
    frame, audit, predictions, summary = audited
    valid = predictions[predictions["split"] == "validation"]
    assert len(valid) == audit["validation_rows"]
    sites = frame["site"].to_numpy()[valid["row"].to_numpy()]
    metrics = audit["groups"]["metrics"]
    assert {k: v["n"] for k, v in metrics.items()} == pd.Series(sites).value_counts().to_dict()
    wrong = (valid["label"] != valid["prediction"]).mean()
    assert audit["error_analysis"]["overall_error_rate"] == pytest.approx(wrong)
    assert sum(r["n"] for r in audit["error_analysis"]["rules"]) == len(valid)
    assert audit["groups"]["threshold"] == 0.5
    assert "audit" in summary["seconds"]


def test_predictions_file_holds_every_labelled_row(audited):
    """Check predictions.csv: one row per labelled row, probabilities summing to one."""
    frame, _, predictions, _ = audited
    assert list(predictions.columns) == [
        "row",
        "split",
        "label",
        "prediction",
        "proba_no",
        "proba_yes",
    ]
    assert predictions["row"].tolist() == list(range(len(frame)))
    assert np.allclose(predictions[["proba_no", "proba_yes"]].sum(axis=1), 1.0)
    assert (predictions["label"].to_numpy() == frame["outcome"].to_numpy()).all()


def test_an_unknown_group_column_exits_2(tmp_path, capsys):
    """Check that --group-by with a missing column is one error line and exit 2."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.normal(size=200), "y": rng.integers(0, 2, 200)})
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    assert main([str(path), "--out", str(tmp_path / "o"), "--group-by", "nope"]) == 2
    assert "no column named 'nope' to group by" in capsys.readouterr().err


def test_a_column_of_only_infinities_is_left_out_and_the_audit_runs(tmp_path):
    """Check that a numeric column whose every value is infinite or past a 32-bit float
    (which the model reads as missing) is left out as empty, and that --audit then
    completes with every file, instead of refusing that column's effect curve."""
    rng = np.random.default_rng(6)
    n = 240
    x2 = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "gone": np.where(np.arange(n) % 3 == 0, np.inf, -np.inf),
            "huge": np.where(np.arange(n) % 2 == 0, 1e39, -1e300),
            "x2": x2,
            "outcome": (x2 + rng.normal(scale=0.5, size=n) > 0).astype(int),
        }
    )
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "o"
    assert main([str(path), "--out", str(out), "--audit"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    dropped = {c["name"]: c["code"] for c in summary["dropped_columns"]}
    assert dropped == {"gone": "all_missing", "huge": "all_missing"}
    assert summary["features"] == ["x2"]
    audit = json.loads((out / "audit.json").read_text())
    assert audit  # written in full


def test_an_audit_of_one_explained_row_is_refused_before_any_work(tmp_path, capsys):
    """Check that --audit with --rows 1 (too few rows for the audit's intervals) is one
    error line and exit 2, before anything is trained or written."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.normal(size=200), "y": rng.integers(0, 2, 200)})
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "o"
    assert main([str(path), "--out", str(out), "--rows", "1", "--audit"]) == 2
    assert "--audit needs at least 2 explained rows" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())
