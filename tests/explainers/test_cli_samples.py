"""xai-explain on every bundled sample, checked against each sample's documented ground truth."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from explainers.cli import main
from sample_data import SAMPLE_IDS, load_sample_bytes, sample_info

LITERATURE_DRIVERS = {
    # Body-mass index and log serum triglycerides lead every published model of this set.
    "diabetes": {"bmi", "ltg"},
    # Size and concavity of the worst nuclei separate malignant from benign.
    "breast_cancer": {
        "worst concave points",
        "worst perimeter",
        "worst area",
        "worst radius",
        "mean concave points",
        "worst concavity",
    },
}


@pytest.fixture(scope="module", params=list(SAMPLE_IDS))
def sample_run(request, tmp_path_factory):
    """The CLI's outputs for one bundled sample, written from a copy of its CSV."""
    sample_id = request.param
    tmp = tmp_path_factory.mktemp(sample_id)
    data = tmp / f"{sample_id}.csv"
    data.write_bytes(load_sample_bytes(sample_id))
    out = tmp / "out"
    info = sample_info(sample_id)
    # A survival sample needs --task survival: on auto the CLI trains its event as binary.
    task = ["--task", "survival"] if info.task == "survival" else []
    assert main([str(data), "--out", str(out), "--device", "cpu", "--seed", "3", *task]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return info, data, out, summary


def test_target_and_task_are_guessed_as_documented(sample_run):
    """Check that, with no --target, the CLI finds the documented target and task."""
    info, _, _, summary = sample_run
    assert summary["target"] == info.target
    assert summary["task"] == info.task
    if info.task == "survival":  # the time/event pair the engine recognises, as documented
        assert (summary["time"], summary["event"]) == (info.time, info.target)
    elif info.classes:
        assert sorted(summary["classes"]) == sorted(info.classes)


def test_identifier_and_leaking_columns_are_excluded_with_reasons(sample_run):
    """Check that documented ID and leak columns are dropped, with the right reason code."""
    info, _, _, summary = sample_run
    dropped = {d["name"]: d["code"] for d in summary["dropped_columns"]}
    for column in info.id_columns:
        assert dropped.get(column) in {"identifier", "personal"}, (column, dropped)
    for column in info.leak_columns:
        assert dropped.get(column) == "leakage", (column, dropped)
    assert not set(summary["features"]) & set(info.id_columns + info.leak_columns)


def test_documented_drivers_lead_the_importance(sample_run):
    """Check that the true drivers outrank every noise column, and most lead the ranking."""
    info, _, _, summary = sample_run
    ranking = [g["feature"] for g in summary["global_importance"]]
    if info.id in LITERATURE_DRIVERS:  # real data: what published analyses find strongest
        assert set(ranking[:3]) & LITERATURE_DRIVERS[info.id], ranking
        return
    top = set(ranking[: len(info.true_drivers)])
    assert len(top & set(info.true_drivers)) >= len(info.true_drivers) - 1, ranking
    worst_driver = max(ranking.index(d) for d in info.true_drivers if d in ranking)
    for noise in info.noise_columns:
        if noise in ranking:
            assert ranking.index(noise) > worst_driver - 1, (noise, ranking)


def test_shap_values_add_up_to_the_saved_models_margin(sample_run):
    """Check shap_values.csv against XGBoost's own prediction from the saved model.json."""
    _, data, out, summary = sample_run
    values = pd.read_csv(out / "shap_values.csv")
    features = summary["features"]
    booster = xgb.Booster()
    booster.load_model(str(out / "model.json"))
    summed = values[features].sum(axis=1) + values["base_value"]
    np.testing.assert_allclose(summed, values["margin"], atol=1e-3)
    frame = pd.read_csv(data)
    X = frame.iloc[values["row"].unique()][features]
    if not all(pd.api.types.is_numeric_dtype(X[c]) for c in features):
        return  # categorical encodings: test_cli checks margins against the model on those
    margin = booster.predict(xgb.DMatrix(X), output_margin=True)
    if "class" in values:
        expected = margin.reshape(len(X), -1).ravel()  # one line per row and class, in order
        np.testing.assert_allclose(values["margin"], expected, atol=1e-3)
    else:
        np.testing.assert_allclose(values["margin"], margin, atol=1e-3)
