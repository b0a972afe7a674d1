"""Saved analyses (.xai): every sample and task, and an uploaded model, opened with the same values.

References are independent of the archive code: the original run's arrays, the
original booster's predictions, XGBoost's own ``pred_contribs`` on the loaded model,
and the CLI's own writers (``shap_values.csv``, ``summary.json``).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from synthetic_tables import FIRST_NAMES, synthetic_binary, to_csv_bytes

from explainers import (
    DataError,
    ExplainRun,
    TrainingOptions,
    compute_interactions,
    load_model_file,
    read_table,
    run_pipeline,
)
from explainers._archive import OpenedAnalysis, flagged_columns, open_analysis, save_analysis
from explainers._export import csv_bytes, shap_frame
from explainers.cli import reading_of, summary_of
from sample_data import load_sample_bytes

SAMPLES = ["breast_cancer", "diabetes", "heart_disease", "triage"]
TASKS = {
    "breast_cancer": "binary",
    "diabetes": "regression",
    "heart_disease": "binary",
    "triage": "multiclass",
}
SMALL = TrainingOptions(n_estimators=15, max_depth=3)
WHEN = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def _run(sample: str) -> ExplainRun:
    table = read_table(load_sample_bytes(sample), name=f"{sample}.csv")
    return run_pipeline(table, rows=40, seed=0, options=SMALL, device="cpu")


@pytest.fixture(scope="module")
def runs() -> dict[str, ExplainRun]:
    """One small run of each bundled sample."""
    return {sample: _run(sample) for sample in SAMPLES}


def _round_trip(run: ExplainRun, **options: object) -> OpenedAnalysis:
    buffer = io.BytesIO()
    save_analysis(run, buffer, app_version="9.9.9", created=WHEN, **options)
    return open_analysis(buffer.getvalue())


def _same_evaluation(opened: OpenedAnalysis, run: ExplainRun) -> None:
    got, want = opened.evaluation, run.evaluation
    np.testing.assert_equal(got.metrics, want.metrics)  # NaN equals NaN here
    np.testing.assert_equal(got.per_class, want.per_class)
    for name in ("y_true", "y_score", "y_pred", "confusion", "residuals"):
        a, b = getattr(got, name), getattr(want, name)
        assert (a is None and b is None) or (np.array_equal(a, b) and a.dtype == b.dtype), name
    assert got.classes == want.classes and got.n_valid == want.n_valid and got.task == want.task
    for family in ("roc", "pr", "calibration"):
        mine, theirs = getattr(got, family), getattr(want, family)
        assert list(mine) == list(theirs), family
        for label, curve in theirs.items():
            for part in ("x", "y", "thresholds"):
                assert np.array_equal(getattr(mine[label], part), getattr(curve, part)), part


def _same_model_outputs(opened: OpenedAnalysis, run: ExplainRun) -> None:
    X = run.dataset.X
    original = run.model.booster.predict(run.model.dmatrix(X), output_margin=True)
    loaded = opened.model.booster.predict(opened.model.dmatrix(X), output_margin=True)
    assert np.array_equal(loaded, original)
    explained = X.iloc[opened.shap.rows]
    contribs = opened.model.booster.predict(opened.model.dmatrix(explained), pred_contribs=True)
    contribs = np.asarray(contribs).reshape(len(explained), opened.shap.n_outputs, -1)
    np.testing.assert_allclose(opened.shap.values, contribs[:, :, :-1], atol=1e-6)


@pytest.mark.parametrize("include_table", [False, True])
@pytest.mark.parametrize("sample", SAMPLES)
def test_every_sample_round_trips_with_identical_values(runs, sample, include_table):
    """Check that SHAP values, metrics, curves, model and CLI outputs survive a round trip."""
    run = runs[sample]
    opened = _round_trip(run, include_table=include_table)
    assert opened.model.task == TASKS[sample] and opened.has_table is include_table
    for name in ("values", "base_values", "margin", "rows", "row_ids"):
        mine, theirs = getattr(opened.shap, name), getattr(run.shap, name)
        assert np.array_equal(mine, theirs) and mine.dtype == theirs.dtype, name
    assert (opened.shap.backend, opened.shap.device) == (run.shap.backend, run.shap.device)
    _same_evaluation(opened, run)
    _same_model_outputs(opened, run)
    assert opened.schema == run.schema and opened.findings == run.findings
    assert opened.model.spec == run.model.spec and opened.model.options == run.model.options
    assert np.array_equal(opened.model.valid_index, run.model.valid_index)
    assert np.array_equal(opened.model.train_index, run.model.train_index)
    shap_csv = csv_bytes(shap_frame(run.shap, run.model))
    assert csv_bytes(shap_frame(opened.shap, opened.model)) == shap_csv
    facts, table = opened.table_facts, run.table
    assert facts.original_names == table.original_names and facts.reading == table.reading
    assert (facts.source_name, facts.n_rows, facts.n_columns) == (
        table.source_name,
        table.n_rows,
        table.n_columns,
    )
    assert reading_of(opened.table_facts.table(pd.DataFrame())) == reading_of(run.table)
    assert opened.n_rows == len(run.dataset.y) and opened.seconds == run.seconds
    assert (opened.app_version, opened.created) == ("9.9.9", WHEN)


@pytest.mark.parametrize("sample", SAMPLES)
def test_with_the_table_the_run_and_summary_are_the_same(runs, sample):
    """Check that the table, dataset and summary.json document come back unchanged."""
    run = runs[sample]
    opened = _round_trip(run, include_table=True)
    again = opened.run
    assert again is not None
    pd.testing.assert_frame_equal(again.table.frame, run.table.frame)
    pd.testing.assert_frame_equal(again.dataset.X, run.dataset.X)
    assert np.array_equal(again.dataset.y, run.dataset.y)
    assert again.dataset.y.dtype == run.dataset.y.dtype
    assert np.array_equal(again.dataset.row_ids, run.dataset.row_ids)
    want = json.dumps(summary_of(run, run.seconds), sort_keys=True)
    assert json.dumps(summary_of(again, again.seconds), sort_keys=True) == want
    assert np.array_equal(again.model.predict(again.dataset.X), run.model.predict(run.dataset.X))


def test_without_the_table_no_rows_are_saved(runs):
    """Check that a file saved without the table holds no table member and no run."""
    run = runs["heart_disease"]
    buffer = io.BytesIO()
    facts = save_analysis(run, buffer)
    names = zipfile.ZipFile(buffer).namelist()
    assert "table.parquet" not in names and "dataset.parquet" not in names
    assert not facts.has_table and facts.personal_columns == facts.identifier_columns == ()
    opened = open_analysis(buffer.getvalue())
    assert opened.run is None and opened.table is None and opened.dataset is None


def test_interactions_and_audit_round_trip(runs):
    """Check that interaction values and the audit document come back exactly."""
    run = runs["triage"]
    rows = np.arange(12)
    interactions = compute_interactions(
        run.model, run.dataset.X.iloc[rows], rows=rows, device="cpu"
    )
    audit = {"validation_rows": 3, "permutation_importance": [{"feature": "x", "mean": 0.5}]}
    opened = _round_trip(run, interactions=interactions, audit=audit)
    assert opened.interactions is not None and opened.audit == audit
    assert np.array_equal(opened.interactions.values, interactions.values)
    assert np.array_equal(opened.interactions.rows, interactions.rows)
    assert opened.interactions.features == interactions.features
    plain = _round_trip(run)
    assert plain.interactions is None and plain.audit is None


def test_saving_is_deterministic_and_writes_files_atomically(runs, tmp_path):
    """Check that equal inputs give equal bytes, and a path gets the whole file, nothing else."""
    run = runs["diabetes"]
    first, second = io.BytesIO(), io.BytesIO()
    save_analysis(run, first, app_version="1", created=WHEN)
    save_analysis(run, second, app_version="1", created=WHEN)
    assert first.getvalue() == second.getvalue()
    path = tmp_path / "analysis.xai"
    facts = save_analysis(run, path, app_version="1", created=WHEN)
    assert path.read_bytes() == first.getvalue() and facts.n_bytes == path.stat().st_size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analysis.xai"]
    assert open_analysis(path).model.task == "regression"


def test_an_unwritable_path_is_a_data_error(runs, tmp_path):
    """Check that a missing folder is refused with a code, and no partial file is left."""
    with pytest.raises(DataError, match="could not be written") as caught:
        save_analysis(runs["diabetes"], tmp_path / "no" / "such" / "a.xai")
    assert caught.value.code == "archive_cannot_write"
    assert list(tmp_path.iterdir()) == []


def test_an_audit_that_is_not_plain_json_is_refused(runs):
    """Check that NaN in the audit document is refused before anything is written."""
    buffer = io.BytesIO()
    with pytest.raises(DataError, match="plain JSON") as caught:
        save_analysis(runs["diabetes"], buffer, audit={"score": float("nan")})
    assert caught.value.code == "archive_bad_audit" and buffer.getvalue() == b""


def test_personal_columns_are_named_when_the_table_is_saved():
    """Check that e-mail and person-name columns are listed only when the table goes in."""
    frame = synthetic_binary(300)
    rng = np.random.default_rng(0)
    frame["email"] = [f"user{i}@example.org" for i in range(len(frame))]
    surnames = ["Smith", "Kim", "Garcia", "Okafor", "Novak", "Tanaka", "Silva", "Cohen", "Ali"]
    frame["full_name"] = [f"{rng.choice(FIRST_NAMES)} {rng.choice(surnames)}" for _ in frame.index]
    table = read_table(to_csv_bytes(frame), name="people.csv")
    run = run_pipeline(table, target="outcome", rows=20, options=SMALL, device="cpu")
    with_table = save_analysis(run, io.BytesIO(), include_table=True)
    assert {"email", "full_name"} <= set(with_table.personal_columns)
    assert "record_id" in with_table.identifier_columns
    assert flagged_columns(run) == (with_table.personal_columns, with_table.identifier_columns)
    without = save_analysis(run, io.BytesIO())
    assert without.personal_columns == () and without.identifier_columns == ()


def test_an_uploaded_model_round_trips(tmp_path):
    """Check an uploaded binary model: same SHAP values, source, warnings and predictions."""
    frame = synthetic_binary(500)
    X = frame[["x_strong", "x_medium", "x_noise", "colour"]].astype({"colour": "category"})
    y = (frame["outcome"] == "yes").to_numpy(dtype=int)
    dtrain = xgb.DMatrix(X, label=y, enable_categorical=True)
    booster = xgb.train({"objective": "binary:logistic", "max_depth": 3}, dtrain, 10)
    loaded = load_model_file(bytes(booster.save_raw("ubj")), name="model.ubj")
    table = read_table(to_csv_bytes(frame), name="data.csv")
    run = run_pipeline(table, model=loaded, rows=30, device="cpu")
    expected = booster.predict(xgb.DMatrix(X, enable_categorical=True), output_margin=True)
    for include_table in (False, True):
        opened = _round_trip(run, include_table=include_table)
        assert opened.model.source == "uploaded" and opened.warnings == run.warnings
        assert np.array_equal(opened.shap.values, run.shap.values)
        margin = opened.model.predict_margin(run.dataset.X)[:, 0]
        np.testing.assert_allclose(margin, expected[run.dataset.row_ids], atol=1e-6)
        _same_evaluation(opened, run)
        if include_table:
            assert opened.run is not None
            pd.testing.assert_frame_equal(opened.run.dataset.X, run.dataset.X)
            want = json.dumps(summary_of(run, run.seconds), sort_keys=True)
            assert json.dumps(summary_of(opened.run, run.seconds), sort_keys=True) == want


def test_object_columns_with_missing_booleans_round_trip():
    """Check a table whose yes/no column has missing values (an object column) and mixed text."""
    frame = synthetic_binary(300)
    flags = np.where(np.arange(300) % 3 == 0, "True", "False").astype(object)
    flags[::25] = "NA"
    frame["smoker"] = flags
    table = read_table(to_csv_bytes(frame), name="flags.csv")
    run = run_pipeline(table, target="outcome", rows=20, options=SMALL, device="cpu")
    opened = _round_trip(run, include_table=True)
    assert opened.run is not None
    pd.testing.assert_frame_equal(opened.run.table.frame, run.table.frame)
    pd.testing.assert_frame_equal(opened.run.dataset.X, run.dataset.X)
