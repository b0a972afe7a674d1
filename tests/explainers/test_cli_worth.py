"""``summary.json``'s baselines, comparison, tree curve and deployment facts, from the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from explainers.cli import main


def _table(n: int, interaction: bool, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    if interaction:  # the sign of a*b, 10% of labels flipped
        y = (a * b > 0) ^ (rng.random(n) < 0.1)
    else:
        y = rng.random(n) < 1 / (1 + np.exp(-(a + 0.5 * b)))
    return pd.DataFrame({"a": a, "b": b, "outcome": np.where(y, "yes", "no")})


@pytest.fixture(scope="module")
def interaction_run(tmp_path_factory):
    """The CLI on a table whose outcome is an interaction a linear model cannot express."""
    folder = tmp_path_factory.mktemp("worth")
    path, out = folder / "xor.csv", folder / "out"
    _table(3000, interaction=True).to_csv(path, index=False)
    assert main([str(path), "--out", str(out), "--rows", "300"]) == 0
    return out, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_interactions_make_xgboost_clearly_better_than_the_linear_baseline(interaction_run):
    """Check that on a sign(a*b) truth the verdict is 'better', its interval above zero, and that
    the trivial baseline scores AUC 0.5."""
    _, summary = interaction_run
    assert [b["name"] for b in summary["baselines"]] == ["trivial", "linear"]
    comparison = summary["comparison"]
    assert comparison["verdict"] == "better" and comparison["metric"] == "auc"
    assert 0 < comparison["ci_low"] <= comparison["difference"] <= comparison["ci_high"]
    trivial, linear = (b["metrics"] for b in summary["baselines"])
    assert trivial["auc"] == pytest.approx(0.5)
    assert linear["auc"] < 0.6  # a linear model cannot see a*b
    assert summary["metrics"]["auc"] - linear["auc"] == pytest.approx(comparison["difference"])


def test_deployment_facts_match_the_model_file_written(interaction_run):
    """Check that the JSON size is the model.json XGBoost wrote, the tree count is the
    booster's, and the compact model is no larger than the full one."""
    out, summary = interaction_run
    facts = summary["deployment"]
    assert facts["json_bytes"] == (out / "model.json").stat().st_size
    booster = xgb.Booster(model_file=str(out / "model.json"))
    assert facts["trees"] == len(booster.get_dump())
    assert 1 <= facts["compact_trees"] <= facts["trees"]
    assert facts["one_row_ms"] > 0 and facts["rows_per_s"] > 0
    curve = summary["tree_curve"]
    assert len(curve["trees"]) == len(curve["scores"]) and curve["trees"][-1] == facts["trees"]
    assert curve["scores"][-1] == pytest.approx(summary["metrics"]["auc"], abs=1e-6)
    assert set(summary["seconds"]) >= {"baselines", "tree_curve", "deployment"}


def test_linear_truth_the_linear_baseline_matches_scikit_learn(tmp_path):
    """Check that the linear baseline's AUC is a scikit-learn logistic regression's on the
    same rows (split read back from predictions.csv), and that it is not beaten clearly."""
    path, out = tmp_path / "lin.csv", tmp_path / "out"
    frame = _table(2000, interaction=False, seed=3)
    frame.to_csv(path, index=False)
    assert main([str(path), "--out", str(out), "--rows", "200", "--audit"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    split = pd.read_csv(out / "predictions.csv")
    train = split.loc[split["split"] == "train", "row"].to_numpy()
    valid = split.loc[split["split"] == "validation", "row"].to_numpy()
    X, y = frame[["a", "b"]].to_numpy(), (frame["outcome"] == "yes").to_numpy()
    reference = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    weights = np.where(y[train], 0.5 / y[train].mean(), 0.5 / (1 - y[train].mean()))
    reference.fit(X[train], y[train], logisticregression__sample_weight=weights)
    expected = roc_auc_score(y[valid], reference.predict_proba(X[valid])[:, 1])
    linear = summary["baselines"][1]["metrics"]
    assert linear["auc"] == pytest.approx(expected, abs=2e-3)
    assert summary["comparison"]["verdict"] in {"similar", "worse"}
