"""A cap on training rows: the model is fitted on a seeded, stratified sample of its training
split; the validation rows are untouched."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from synthetic_tables import synthetic_binary, to_csv_bytes

from explainers import (
    DataError,
    TrainingOptions,
    build_dataset,
    build_schema,
    read_table,
    run_pipeline,
    train_model,
)
from explainers._archive import open_analysis, save_analysis
from explainers._training import _sample_training_rows, booster_params, split_indices


def _dataset(frame, **kwargs):
    table = read_table(to_csv_bytes(frame), name="t.csv")
    return build_dataset(table, build_schema(table, **kwargs))


@pytest.fixture(scope="module")
def binary():
    return _dataset(synthetic_binary(5000), target="outcome")


def test_cap_samples_the_training_split_and_keeps_validation(binary):
    """Check that the capped training rows are a subset of the uncapped training split, the
    validation rows are the same, and the class shares match the split's within one row."""
    whole_train, whole_valid = split_indices(binary, TrainingOptions(seed=5))
    train, valid = split_indices(binary, TrainingOptions(seed=5, max_train_rows=1000))
    np.testing.assert_array_equal(valid, whole_valid)
    assert len(train) == 1000 and len(np.unique(train)) == 1000
    assert np.isin(train, whole_train).all() and np.all(np.diff(train) > 0)
    positives_whole = binary.y[whole_train].mean()
    assert abs(binary.y[train].sum() - positives_whole * 1000) <= 1


def test_cap_is_seeded_and_a_larger_cap_changes_nothing(binary):
    """Check that one seed gives one sample, another seed another, and a cap at or above the
    split's size gives the uncapped split."""
    first, _ = split_indices(binary, TrainingOptions(seed=1, max_train_rows=1500))
    again, _ = split_indices(binary, TrainingOptions(seed=1, max_train_rows=1500))
    other, _ = split_indices(binary, TrainingOptions(seed=2, max_train_rows=1500))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    whole, _ = split_indices(binary, TrainingOptions(seed=1))
    for cap in (len(whole), len(whole) + 1):
        same, _ = split_indices(binary, TrainingOptions(seed=1, max_train_rows=cap))
        np.testing.assert_array_equal(same, whole)


def test_model_is_fitted_on_the_sample_only(binary):
    """Check that the capped model equals XGBoost trained directly on the sampled rows with the
    same parameters and rounds, and differs from one fitted on every training row."""
    options = TrainingOptions(seed=0, n_estimators=40, max_train_rows=1000)
    model = train_model(binary, options=options)
    assert len(model.train_index) == 1000
    X, y = binary.X, binary.y
    params = booster_params(options, "binary", 2, X.shape[1], 1)
    direct = xgb.train(
        params,
        xgb.DMatrix(X.iloc[model.train_index], label=y[model.train_index], enable_categorical=True),
        num_boost_round=model.best_iteration + 1,
    )
    expected = direct.predict(xgb.DMatrix(X, enable_categorical=True), output_margin=True)
    np.testing.assert_allclose(model.predict_margin(X)[:, 0], expected, atol=1e-5)
    whole = train_model(binary, options=replace(options, max_train_rows=None))
    assert len(whole.train_index) == 4000
    assert not np.allclose(whole.predict_margin(X)[:, 0], expected, atol=1e-3)


def test_the_rarest_class_allowed_is_kept_and_a_singleton_falls_back():
    """Check that a class of 5 rows (the fewest a target may have) keeps its training rows
    in proportion, and that labels with a single row fall back to a plain seeded sample."""
    frame = synthetic_binary(3000)
    kind = np.where(frame["outcome"] == 1, "a", "b")
    kind[:5] = "rare"
    frame["kind"] = kind
    dataset = _dataset(frame.drop(columns="outcome"), target="kind", task="multiclass")
    whole, _ = split_indices(dataset, TrainingOptions())
    train, valid = split_indices(dataset, TrainingOptions(max_train_rows=1200))
    assert len(train) == 1200 and len(np.intersect1d(train, valid)) == 0
    rare = int(np.bincount(dataset.y).argmin())  # the 5-row class
    assert np.bincount(dataset.y)[rare] == 5
    assert (dataset.y[train] == rare).sum() == round((dataset.y[whole] == rare).sum() / 2)
    labels = np.array([0] * 1999 + [1])
    kept = _sample_training_rows(np.arange(2000), labels, 1000, seed=0)
    assert len(kept) == 1000 and len(np.unique(kept)) == 1000


def test_regression_cap():
    """Check that a regression target (no classes to stratify on) is capped too."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=3000), "z": rng.normal(size=3000)})
    frame["y"] = 2 * frame["x"] + rng.normal(size=3000)
    dataset = _dataset(frame, target="y", task="regression")
    train, valid = split_indices(dataset, TrainingOptions(max_train_rows=1200))
    assert len(train) == 1200 and len(valid) == 600


def test_a_capped_run_is_saved_and_opened_with_its_cap_and_rows():
    """Check that a saved analysis keeps the cap and the rows the model was fitted on."""
    table = read_table(to_csv_bytes(synthetic_binary(3000)), name="t.csv")
    options = TrainingOptions(n_estimators=10, max_train_rows=1000)
    run = run_pipeline(table, target="outcome", rows=30, options=options, device="cpu")
    buffer = io.BytesIO()
    save_analysis(run, buffer)
    opened = open_analysis(buffer.getvalue())
    assert opened.model.options.max_train_rows == 1000
    np.testing.assert_array_equal(opened.model.train_index, run.model.train_index)
    assert len(opened.model.train_index) == 1000


def test_a_cap_below_the_minimum_is_refused():
    """Check that a cap under 1,000 rows is a bad option, named."""
    with pytest.raises(DataError, match="max_train_rows must be at least 1,000"):
        TrainingOptions(max_train_rows=10)


def test_a_survival_model_is_fitted_on_a_sample_that_keeps_the_event_share():
    """Check a Cox model under the cap: the fitted rows keep the events' share within one row
    of the training split's, and the run is scored on every validation row."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 3))
    event_time = rng.exponential(np.exp(-x[:, 0]) * 100)
    censor_time = rng.exponential(150, 4000)
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2]})
    frame["follow_up_days"] = np.minimum(event_time, censor_time).round(1)
    frame["death"] = (event_time <= censor_time).astype(int)
    table = read_table(to_csv_bytes(frame), name="s.csv")
    options = TrainingOptions(n_estimators=20, max_train_rows=1000)
    run = run_pipeline(
        table,
        target="death",
        task="survival",
        time="follow_up_days",
        rows=50,
        options=options,
        device="cpu",
    )
    model, events = run.model, frame["death"].to_numpy()
    whole, valid = split_indices(run.dataset, replace(options, max_train_rows=None))
    assert len(model.train_index) == 1000 and np.isin(model.train_index, whole).all()
    np.testing.assert_array_equal(model.valid_index, valid)
    assert abs(events[model.train_index].sum() - events[whole].mean() * 1000) <= 1
    assert run.evaluation.n_valid == len(valid) == 800
