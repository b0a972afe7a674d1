"""Baselines, tree curve and deployment facts on the cluster (``local:2``), checked against
the single-process engine and scikit-learn on the same rows."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from synthetic_tables import synthetic_binary, synthetic_regression

from explainers import build_dataset, compare_baselines, read_table, tree_curve
from explainers._dask import connect, explain_on_cluster
from explainers._dask.dataset import validation_mask
from explainers._dask.summary import cluster_summary
from explainers._pipeline import sample_rows
from explainers.cli import main

pytestmark = pytest.mark.timeout(300)

SEED = 3


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, shared by the module's tests."""
    with connect("local:2") as connection:
        yield connection


def _write(folder: Path, frame: pd.DataFrame, n_parts: int) -> Path:
    """``frame`` as ``n_parts`` Parquet parts and as one whole file beside them."""
    parts = folder / "parts"
    parts.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), n_parts)):
        frame.iloc[rows].to_parquet(parts / f"part.{i}.parquet", index=False)
    frame.to_parquet(folder / "whole.parquet", index=False)
    return parts


def _reference(folder: Path, run, *, max_rows: int | None = None):
    """The single-process Dataset of the whole file (the cluster's schema), cut to the rows
    the cluster's rule picks: its hash split of ``row``, then a seeded sample by position
    of each split (seed ``SEED`` for training rows, ``SEED + 1`` for validation rows); the
    model with that split."""
    full = build_dataset(read_table(folder / "whole.parquet"), run.schema)
    valid = validation_mask(full.row_ids, run.model.options.validation_fraction, SEED)
    train_at, valid_at = np.flatnonzero(~valid), np.flatnonzero(valid)
    train_at = train_at[sample_rows(len(train_at), max_rows, seed=SEED)]
    valid_at = valid_at[sample_rows(len(valid_at), max_rows, seed=SEED + 1)]
    keep = np.sort(np.concatenate([train_at, valid_at]))
    dataset = dataclasses.replace(
        full, X=full.X.iloc[keep].reset_index(drop=True), y=full.y[keep], row_ids=full.row_ids[keep]
    )
    in_valid = np.isin(keep, valid_at)
    model = dataclasses.replace(
        run.model, train_index=np.flatnonzero(~in_valid), valid_index=np.flatnonzero(in_valid)
    )
    return dataset, model


def _keys(value: object) -> object:
    """The key structure of a JSON value: dicts by key, lists by their first item."""
    if isinstance(value, dict):
        return {k: _keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_keys(value[0])] if value else []
    return None


def test_binary_worth_equals_the_engine_on_the_same_rows(cluster, tmp_path):
    """Check that with every row sampled the cluster's baselines, comparison and tree curve
    equal compare_baselines and tree_curve run in one process on the cluster's own split,
    that the linear AUC is scikit-learn's, and that the entries have the local CLI's shape."""
    frame = synthetic_binary(800)
    parts = _write(tmp_path, frame, 3)
    run = explain_on_cluster(cluster, parts, tmp_path / "out", target="outcome", seed=SEED)
    summary = json.loads(json.dumps(cluster_summary(run, run.seconds)))
    dataset, model = _reference(tmp_path, run)
    n_train, n_valid = len(model.train_index), len(model.valid_index)
    assert n_train + n_valid == 800 and n_valid == run.evaluation.n_valid
    assert summary["baselines_rows"] == {"train": n_train, "validation": n_valid}
    assert "baselines_skipped" not in summary

    expected = json.loads(json.dumps(compare_baselines(model, dataset, seed=SEED).to_summary()))
    assert summary["baselines"] == expected["baselines"]
    assert summary["comparison"] == expected["comparison"]
    curve = tree_curve(model, dataset)
    assert summary["tree_curve"]["scores"] == [round(float(s), 6) for s in curve.scores]
    assert summary["tree_curve"]["compact_trees"] == curve.compact_trees
    assert summary["deployment"]["compact_trees"] == curve.compact_trees
    assert summary["deployment"]["json_bytes"] == len(run.model.booster.save_raw("json"))
    # Every validation row is used: the curve ends at the cluster's own validation AUC.
    assert summary["tree_curve"]["scores"][-1] == pytest.approx(summary["metrics"]["auc"], abs=1e-6)

    # scikit-learn, written out here: median + scaling, one-hot against the commonest colour.
    table = frame.iloc[dataset.row_ids].reset_index(drop=True)
    train, valid = table.iloc[model.train_index], table.iloc[model.valid_index]
    numeric = ["x_strong", "x_medium", "x_noise"]
    reference = train["colour"].value_counts().idxmax()
    pipeline = make_pipeline(
        ColumnTransformer(
            [
                ("n", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
                (
                    "c",
                    OneHotEncoder(categories=[["blue", "green", "red"]], drop=[reference]),
                    ["colour"],
                ),
            ]
        ),
        LogisticRegression(C=1.0, max_iter=2000),
    )
    pipeline.fit(train[numeric + ["colour"]], train["outcome"] == "yes")
    auc = roc_auc_score(valid["outcome"] == "yes", pipeline.predict_proba(valid)[:, 1])
    linear = summary["baselines"][1]["metrics"]
    assert linear["auc"] == pytest.approx(auc, abs=1e-6)
    assert summary["baselines"][0]["metrics"]["auc"] == 0.5
    difference = summary["metrics"]["auc"] - linear["auc"]
    assert summary["comparison"]["difference"] == pytest.approx(difference, abs=1e-12)

    local_out = tmp_path / "local"
    argv = [str(tmp_path / "whole.parquet"), "--out", str(local_out), "--device", "cpu"]
    assert main([*argv, "--target", "outcome", "--seed", str(SEED)]) == 0
    local = json.loads((local_out / "summary.json").read_text(encoding="utf-8"))
    for key in ("baselines", "comparison", "tree_curve", "deployment"):
        assert _keys(summary[key]) == _keys(local[key]), key
    assert summary["tree_curve"]["rows"] == local["tree_curve"]["rows"] == "validation"
    assert set(summary["seconds"]) >= {"worth_rows", "baselines", "tree_curve", "deployment"}


def test_regression_worth_on_a_bounded_sample(cluster, tmp_path):
    """Check that a table larger than the sample uses exactly max_rows training and
    validation rows, the seeded ones by position, whatever the parts: the scores equal
    compare_baselines on those rows in one process and scikit-learn's r2_score."""
    frame = synthetic_regression(1500)
    frame.loc[[4, 700, 1499], "y"] = np.nan  # dropped rows keep the others' row numbers
    parts = _write(tmp_path, frame, 4)
    run = explain_on_cluster(
        cluster, parts, tmp_path / "out", target="y", seed=SEED, worth_rows=150
    )
    summary = json.loads(json.dumps(cluster_summary(run, run.seconds)))
    assert summary["baselines_rows"] == {"train": 150, "validation": 150}
    assert summary["n_valid_rows"] > 150  # the model's own metrics use every validation row
    dataset, model = _reference(tmp_path, run, max_rows=150)
    assert len(model.train_index) == len(model.valid_index) == 150
    assert not np.isin([4, 700, 1499], dataset.row_ids).any()

    expected = json.loads(json.dumps(compare_baselines(model, dataset, seed=SEED).to_summary()))
    assert summary["baselines"] == expected["baselines"]
    assert summary["comparison"] == expected["comparison"]
    curve = tree_curve(model, dataset)
    assert summary["tree_curve"]["scores"] == [round(float(s), 6) for s in curve.scores]

    X, y = dataset.X[["a", "b", "c"]], dataset.y
    train, valid = model.train_index, model.valid_index
    ridge = make_pipeline(
        SimpleImputer(strategy="median"),
        StandardScaler(),
        RidgeCV(alphas=np.logspace(-3, 3, 13)),
    ).fit(X.iloc[train], y[train])
    trivial, linear = (b["metrics"] for b in summary["baselines"])
    assert linear["r2"] == pytest.approx(r2_score(y[valid], ridge.predict(X.iloc[valid])), abs=1e-9)
    mean = np.full(len(valid), y[train].mean())
    assert trivial["r2"] == pytest.approx(r2_score(y[valid], mean), abs=1e-12)
    assert summary["comparison"]["metric"] == "r2" and linear["r2"] > 0.5


def test_a_class_too_rare_for_the_sample_skips_the_baselines_only(cluster, tmp_path):
    """Check that when the sampled training rows lack a class (12 positives in 3,000 rows,
    120 rows drawn), the run still ends: baselines are skipped with the reason, the tree
    curve and deployment facts are written."""
    frame = synthetic_binary(3000)
    rng = np.random.default_rng(1)
    outcome = np.zeros(len(frame), dtype=int)
    outcome[rng.choice(len(frame), 12, replace=False)] = 1
    frame["outcome"] = outcome
    parts = _write(tmp_path, frame, 3)
    run = explain_on_cluster(
        cluster, parts, tmp_path / "out", target="outcome", seed=SEED, worth_rows=120
    )
    summary = json.loads(json.dumps(cluster_summary(run, run.seconds)))
    assert summary["baselines_skipped"] == "sample_lacks_a_class"
    assert summary["baselines"] == [] and summary["comparison"] is None
    assert summary["tree_curve"]["trees"] and summary["deployment"]
