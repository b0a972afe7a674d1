"""The engine on a Dask cluster (two local worker processes), checked against XGBoost itself."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from distributed import KilledWorker
from synthetic_tables import synthetic_binary, synthetic_multiclass, synthetic_regression

from explainers import ClusterError, DataError
from explainers._dask import connect, explain_on_cluster, parse_address
from explainers._dask.dataset import class_weights, validation_mask
from explainers._dask.failures import cluster_stage
from explainers._dask.parts import sample_table, scan_parts
from explainers._training import _sample_weights

pytestmark = pytest.mark.timeout(300)

# Written in this order; sorted by file name the table is c, a, d, b.
PART_NAMES = ("part-c.parquet", "part-a.parquet", "part-d.parquet", "part-b.parquet")


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, one thread each, shared by the module's tests."""
    with connect("local:2") as connection:
        yield connection


def _write_parts(folder: Path, frame: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """Write ``frame`` in len(names) parts; return the table in sorted file-name order."""
    folder.mkdir()
    chunks = np.array_split(np.arange(len(frame)), len(names))
    for name, rows in zip(names, chunks, strict=True):
        frame.iloc[rows].to_parquet(folder / name, index=False)
    order = sorted(range(len(names)), key=lambda i: names[i])
    return pd.concat([frame.iloc[chunks[i]] for i in order], ignore_index=True)


def _reference_matrix(table: pd.DataFrame, features: list[str]) -> xgb.DMatrix:
    """The features as the single-process path encodes them, written out independently:
    numbers as floats, text as categories sorted over the whole table."""
    columns = {}
    for name in features:
        column = table[name]
        if pd.api.types.is_numeric_dtype(column):
            columns[name] = column.astype("float64")
        else:
            categories = sorted(column.dropna().astype(str).unique())
            columns[name] = pd.Categorical(column, categories=categories)
    return xgb.DMatrix(pd.DataFrame(columns), enable_categorical=True)


def _check_against_xgboost(out: Path, table: pd.DataFrame, run_features: list[str]) -> None:
    """SHAP values and margins written on the cluster equal the booster's own
    single-process ``pred_contribs`` and margin on the same rows; every row adds up."""
    booster = xgb.Booster()
    booster.load_model(str(out / "model.json"))
    values = pd.read_parquet(out / "shap_values.parquet")
    k = values["class"].nunique() if "class" in values.columns else 1
    rows = values["row"].to_numpy()[::k]
    matrix = _reference_matrix(table.iloc[rows], run_features)
    contribs = booster.predict(matrix, pred_contribs=True).reshape(len(rows) * k, -1)
    margin = booster.predict(matrix, output_margin=True).reshape(len(rows) * k)
    got = values[run_features].to_numpy(dtype=np.float64)
    np.testing.assert_allclose(got, contribs[:, :-1], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(values["base_value"], contribs[:, -1], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(values["margin"], margin, rtol=1e-5, atol=1e-5)
    additivity = got.sum(axis=1) + values["base_value"].to_numpy(dtype=np.float64)
    np.testing.assert_allclose(additivity, margin, rtol=1e-4, atol=1e-4)


def test_binary_shap_equals_single_process_pred_contribs(cluster, tmp_path):
    """Check SHAP values, margins, additivity and row numbers across parts in file-name order."""
    table = _write_parts(tmp_path / "parts", synthetic_binary(1500), PART_NAMES)
    out = tmp_path / "out"
    run = explain_on_cluster(cluster, tmp_path / "parts", out, target="outcome", seed=1)
    run.model.booster.save_model(str(out / "model.json"))
    features = [run.schema.display_names[f] for f in run.model.spec.names]
    assert set(features) == {"x_strong", "x_medium", "x_noise", "colour"}
    assert run.model.classes == ("no", "yes")
    assert sorted(os.listdir(out / "shap_values.parquet")) == [
        f"part.{i:05d}.parquet" for i in range(4)
    ]
    values = pd.read_parquet(out / "shap_values.parquet")
    assert list(values.columns) == ["row", *features, "base_value", "margin"]
    assert values["row"].tolist() == list(range(len(table)))
    _check_against_xgboost(out, table, features)
    assert run.n_rows == 1500 and run.shap.n_rows == 1500
    assert run.evaluation.n_valid == pytest.approx(300, abs=60)


def test_multiclass_long_table_with_a_class_column(cluster, tmp_path):
    """Check the multiclass layout (one line per row and class) against pred_contribs."""
    table = _write_parts(tmp_path / "parts", synthetic_multiclass(900), PART_NAMES[:3])
    out = tmp_path / "out"
    run = explain_on_cluster(cluster, tmp_path / "parts", out, target="level")
    run.model.booster.save_model(str(out / "model.json"))
    features = [run.schema.display_names[f] for f in run.model.spec.names]
    values = pd.read_parquet(out / "shap_values.parquet")
    assert list(values.columns) == ["row", "class", *features, "base_value", "margin"]
    assert values["class"].tolist()[:3] == ["high", "low", "medium"]
    assert len(values) == 3 * len(table)
    _check_against_xgboost(out, table, features)
    assert set(run.evaluation.metrics) >= {"accuracy", "auc", "log_loss"}


def test_regression_drops_rows_without_target_and_keeps_their_row_numbers(cluster, tmp_path):
    """Check that rows with a missing target are left out and the others keep their row."""
    frame = synthetic_regression(600)
    frame.loc[[5, 250, 599], "y"] = np.nan
    table = _write_parts(tmp_path / "parts", frame, ("p1.parquet", "p2.parquet"))
    out = tmp_path / "out"
    run = explain_on_cluster(cluster, tmp_path / "parts", out, target="y")
    run.model.booster.save_model(str(out / "model.json"))
    values = pd.read_parquet(out / "shap_values.parquet")
    expected = [r for r in range(600) if r not in (5, 250, 599)]
    assert values["row"].tolist() == expected
    assert run.n_dropped_missing_target == 3
    _check_against_xgboost(out, table, ["a", "b", "c"])
    y = table["y"].to_numpy()
    assert run.evaluation.metrics["r2"] > 0.8
    assert np.isfinite(y[expected]).all()


def test_sample_and_whole_table_facts_follow_sorted_parts(cluster, tmp_path):
    """Check offsets, counts and a sample's rows against the parts concatenated by name."""
    frame = synthetic_binary(400)
    table = _write_parts(tmp_path / "parts", frame, PART_NAMES)
    parted = scan_parts(cluster.client, tmp_path / "parts")
    assert [Path(p).name for p in parted.paths] == sorted(PART_NAMES)
    assert parted.lengths == (100, 100, 100, 100) and parted.offsets == (0, 100, 200, 300)
    assert parted.missing["x_medium"] == int(frame["x_medium"].isna().sum())
    assert sorted(parted.distinct["colour"] or ()) == ["blue", "green", "red"]
    positions = np.array([0, 99, 100, 250, 399])
    sample = sample_table(cluster.client, parted, positions, name="parts")
    np.testing.assert_array_equal(
        sample.frame["record_id"].to_numpy(), table["record_id"].to_numpy()[positions]
    )


def test_csv_parts_are_read_like_a_single_csv(cluster, tmp_path):
    """Check that CSV parts (each with its header) give the facts and rows of the whole file."""
    frame = synthetic_binary(300)
    folder = tmp_path / "csv"
    folder.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(300), 3)):
        frame.iloc[rows].to_csv(folder / f"part-{i}.csv", index=False)
    parted = scan_parts(cluster.client, str(folder / "*.csv"))
    assert parted.format == "csv" and parted.lengths == (100, 100, 100)
    assert parted.missing["x_medium"] == int(frame["x_medium"].isna().sum())
    sample = sample_table(cluster.client, parted, np.array([5, 150, 299]), name="csv")
    np.testing.assert_allclose(sample.frame["x_strong"], frame["x_strong"].iloc[[5, 150, 299]])


def test_parts_with_other_columns_are_refused(cluster, tmp_path):
    """Check that a part whose columns differ is named in the error."""
    folder = tmp_path / "parts"
    folder.mkdir()
    pd.DataFrame({"a": [1.0, 2.0], "b": [0, 1]}).to_parquet(folder / "x1.parquet")
    pd.DataFrame({"a": [1.0, 2.0], "c": [0, 1]}).to_parquet(folder / "x2.parquet")
    with pytest.raises(DataError, match="x2.parquet has other"):
        scan_parts(cluster.client, folder)


def test_bad_addresses_fail_fast_with_what_to_do():
    """Check that an unreachable scheduler fails within seconds, and bad forms at once."""
    start = time.monotonic()
    with pytest.raises(ClusterError, match=r"No Dask scheduler answered at tcp://127\.0\.0\.1:9"):
        with connect("tcp://127.0.0.1:9", timeout_s=1.0):
            pass
    assert time.monotonic() - start < 10
    with pytest.raises(ClusterError, match="give between 1 and"):
        parse_address("local:0")
    with pytest.raises(ClusterError, match="not understood"):
        parse_address("http://a b")
    assert parse_address("10.0.0.5").address == "tcp://10.0.0.5:8786"


def test_hash_split_and_class_weights_follow_the_single_process_rules():
    """Check the split's fraction and repeatability, and the class weights' formula."""
    rows = np.arange(200_000)
    mask = validation_mask(rows, 0.2, 0)
    assert mask.mean() == pytest.approx(0.2, abs=0.005)
    np.testing.assert_array_equal(mask, validation_mask(rows, 0.2, 0))
    assert (mask != validation_mask(rows, 0.2, 1)).any()
    y = np.array([0] * 90 + [1] * 10)
    expected = _sample_weights(y, "binary", "auto")
    weights = class_weights((90, 10), "binary", "auto")
    assert weights is not None and expected is not None
    np.testing.assert_allclose(weights[y], expected)
    assert class_weights((50, 50), "binary", "auto") is None


def test_stop_leaves_no_partial_dataset(cluster, tmp_path):
    """Check that a progress callback that raises (Stop) leaves no SHAP folder behind."""
    _write_parts(tmp_path / "parts", synthetic_binary(800), PART_NAMES)
    out = tmp_path / "out"

    class Stopped(Exception):
        pass

    def stop_after_first_part(done: int, total: int, stage: str) -> None:
        if stage == "shap" and done == 1:
            raise Stopped

    with pytest.raises(Stopped):
        explain_on_cluster(
            cluster, tmp_path / "parts", out, target="outcome", progress=stop_after_first_part
        )
    assert os.listdir(out) == []


def test_a_worker_killed_mid_job_gives_a_retried_result_or_a_clear_error(cluster, tmp_path):
    """Check that killing a worker while SHAP parts are written never leaves a partial file:
    either the job is retried to a complete, correct result or it fails with ClusterError."""
    names = tuple(f"p{i:02d}.parquet" for i in range(12))
    table = _write_parts(tmp_path / "parts", synthetic_binary(1200), names)
    out = tmp_path / "out"
    killed: list[str] = []

    def kill_a_worker(done: int, total: int, stage: str) -> None:
        if stage == "shap" and done == 1 and not killed:
            worker = sorted(cluster.client.scheduler_info()["workers"])[0]
            killed.append(worker)
            try:
                cluster.client.run(os._exit, 1, workers=[worker])
            except Exception:  # noqa: BLE001 - the worker dies before it can answer
                pass

    try:
        run = explain_on_cluster(
            cluster, tmp_path / "parts", out, target="outcome", progress=kill_a_worker
        )
    except ClusterError as error:
        assert error.code == "worker_lost"
        assert not any(p.name.startswith(("shap_values", ".shap")) for p in out.iterdir())
    else:
        run.model.booster.save_model(str(out / "model.json"))
        values = pd.read_parquet(out / "shap_values.parquet")
        assert values["row"].tolist() == list(range(len(table)))
        features = [run.schema.display_names[f] for f in run.model.spec.names]
        _check_against_xgboost(out, table, features)
    assert killed
    assert not [p for p in out.iterdir() if p.name.startswith(".shap")]


def test_lost_workers_and_xgboost_failures_become_cluster_errors():
    """Check the messages a lost worker and an XGBoost failure on the cluster give."""
    with pytest.raises(ClusterError, match="died or the connection was lost during training"):
        with cluster_stage("training"):
            raise KilledWorker("task", "tcp://127.0.0.1:1", "no reason")
    with pytest.raises(ClusterError, match="XGBoost failed on the cluster during training"):
        with cluster_stage("training"):
            raise xgb.core.XGBoostError("boom")
    with pytest.raises(DataError, match="unchanged"):
        with cluster_stage("training"):
            raise DataError("unchanged")
