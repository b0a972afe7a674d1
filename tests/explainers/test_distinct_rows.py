"""Computing once per distinct row, checked against XGBoost's own outputs on every row."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from hypothesis import given, settings
from hypothesis import strategies as st
from synthetic_tables import to_csv_bytes

from explainers import (
    compute_interactions,
    compute_shap,
    explain_file,
    open_analysis,
    save_analysis,
)
from explainers._distinct import (
    PREDICT_POLICY,
    SHAP_POLICY,
    DistinctPolicy,
    _estimated_share,
    distinct_rows,
    plan_distinct,
)
from explainers._summary import summary_of
from explainers._training import TrainingOptions

TASKS = ["binary", "multiclass", "regression", "survival"]


def repetitive_frame(
    task: str, *, n: int = 1500, distinct: int = 90, seed: int = 4
) -> pd.DataFrame:
    """A table whose ``n`` rows repeat ``distinct`` feature rows, with missing values in a
    categorical and a numeric feature, and a noisy target of ``task``."""
    rng = np.random.default_rng(seed)
    base = pd.DataFrame(
        {
            "ward": rng.choice(["north", "south", "east", None], size=distinct),
            "grade": rng.choice(["I", "II", "III"], size=distinct),
            "age": rng.integers(20, 90, size=distinct).astype(float),
            "visits": np.where(rng.random(distinct) < 0.2, np.nan, rng.integers(0, 9, distinct)),
        }
    )
    frame = base.iloc[rng.integers(0, distinct, size=n)].reset_index(drop=True)
    signal = (frame["age"] - 55) / 20 + (frame["grade"] == "III") + frame["visits"].fillna(4) / 5
    noisy = signal.to_numpy() + rng.normal(scale=0.7, size=n)
    if task == "binary":
        frame["outcome"] = np.where(noisy > 1.0, "yes", "no")
    elif task == "multiclass":
        frame["outcome"] = np.select([noisy < 0.5, noisy < 1.5], ["low", "mid"], "high")
    elif task == "regression":
        frame["outcome"] = (noisy * 10).round(3)
    else:
        frame["follow_up_days"] = rng.exponential(100 / np.exp(signal.to_numpy())).round(3) + 0.1
        frame["outcome"] = (rng.random(n) < 0.7).astype(int)
    return frame


@pytest.fixture(scope="module", params=TASKS)
def run(request):
    """The whole pipeline on a repetitive table of each task, every row explained."""
    task = request.param
    survival = {"time": "follow_up_days", "event": "outcome"} if task == "survival" else {}
    return explain_file(
        to_csv_bytes(repetitive_frame(task)),
        name=f"{task}.csv",
        target=None if survival else "outcome",
        task=task,
        device="cpu",
        options=TrainingOptions(n_estimators=40, max_depth=4, seed=0),
        **survival,
    )


def xgboost_matrix(run, X: pd.DataFrame) -> xgb.DMatrix:
    """XGBoost's own matrix of the encoded rows, built without the project's code."""
    return xgb.DMatrix(X[list(run.model.spec.names)], enable_categorical=True)


def test_shap_values_equal_xgboost_on_every_row(run):
    """Check that SHAP values, base values and margins equal pred_contribs on every row."""
    X, k = run.dataset.X, run.model.n_outputs
    assert run.shap.distinct_rows is not None and run.shap.distinct_rows <= 90
    raw = run.model.booster.predict(xgboost_matrix(run, X), pred_contribs=True)
    reference = np.asarray(raw, dtype=np.float64).reshape(len(X), k, -1)
    assert np.array_equal(run.shap.values, reference[:, :, :-1])
    assert np.array_equal(run.shap.base_values, reference[:, :, -1])
    margin = run.model.booster.predict(xgboost_matrix(run, X), output_margin=True)
    assert np.array_equal(run.shap.margin, np.asarray(margin, np.float64).reshape(len(X), k))


def test_interaction_values_equal_xgboost_on_every_row(run):
    """Check that interaction values of repeated rows equal pred_interactions on each row."""
    X, k, f = run.dataset.X.iloc[:400], run.model.n_outputs, len(run.model.spec.names)
    result = compute_interactions(run.model, X, device="cpu")
    assert result.distinct_rows is not None and result.distinct_rows < len(X)
    raw = run.model.booster.predict(xgboost_matrix(run, X), pred_interactions=True)
    reference = np.asarray(raw, dtype=np.float64).reshape(len(X), k, f + 1, f + 1)
    assert np.array_equal(result.values, reference[:, :, :f, :f])


def test_predictions_equal_xgboost_on_a_large_repetitive_table(run):
    """Check that margins computed once per distinct row equal XGBoost's on every row."""
    rng = np.random.default_rng(0)
    X = run.dataset.X.iloc[rng.integers(0, len(run.dataset.X), size=30_000)]
    assert plan_distinct(X, policy=PREDICT_POLICY) is not None
    reference = run.model.booster.predict(xgboost_matrix(run, X), output_margin=True)
    margin = run.model.predict_margin(X)
    assert np.array_equal(margin, np.asarray(reference, np.float64).reshape(margin.shape))


def test_distinct_off_gives_the_same_values(run):
    """Check that computing every row and computing distinct rows agree exactly."""
    X = run.dataset.X
    every = compute_shap(run.model, X, device="cpu", distinct=False)
    assert every.distinct_rows is None
    assert np.array_equal(every.values, run.shap.values)
    assert np.array_equal(every.margin, run.shap.margin)


def test_summary_records_distinct_rows(run):
    """Check that summary.json says how many distinct rows TreeSHAP computed."""
    summary = summary_of(run, run.seconds)
    assert summary["shap_distinct_rows"] == run.shap.distinct_rows
    assert summary["shap_rows_computed"] == run.shap.distinct_rows
    assert summary["n_explained_rows"] == len(run.dataset.X)


def test_negative_zero_and_missing_values_share_a_row(run):
    """Check that -0.0 and 0.0, and missing values, are one row and keep XGBoost's values."""
    X = run.dataset.X.iloc[:200].copy()
    X["age"] = np.where(np.arange(200) % 2 == 0, 0.0, -0.0)
    X["visits"] = np.nan
    found = distinct_rows(X)
    assert found.n_distinct == X[["ward", "grade"]].drop_duplicates().shape[0]
    result = compute_shap(run.model, X, device="cpu")
    raw = run.model.booster.predict(xgboost_matrix(run, X), pred_contribs=True)
    reference = np.asarray(raw, dtype=np.float64).reshape(len(X), run.model.n_outputs, -1)
    assert np.array_equal(result.values, reference[:, :, :-1])


def unique_frame(n: int, seed: int = 0) -> pd.DataFrame:
    """A table of ``n`` rows, all different (a continuous column)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "kind": pd.Categorical(rng.choice(["a", "b"], size=n)),
            "x": rng.normal(size=n),
            "y": rng.integers(0, 5, size=n).astype(float),
        }
    )


def test_decision_picks_a_repetitive_table():
    """Check that a large table of few distinct rows is computed on its distinct rows."""
    frame = unique_frame(300).iloc[np.random.default_rng(1).integers(0, 300, size=60_000)]
    plan = plan_distinct(frame, policy=SHAP_POLICY)
    assert plan is not None and plan.n_distinct == 300
    assert plan_distinct(frame, policy=PREDICT_POLICY) is not None


def test_decision_skips_a_unique_table():
    """Check that a large table of unique rows is computed row by row, after a sample only."""
    frame = unique_frame(60_000)
    assert plan_distinct(frame, policy=SHAP_POLICY) is None
    assert plan_distinct(frame, policy=PREDICT_POLICY) is None


def test_decision_skips_small_tables_for_predictions():
    """Check that predictions of fewer rows than the policy's minimum are never scanned."""
    frame = unique_frame(10).iloc[np.zeros(500, dtype=int)]
    assert plan_distinct(frame, policy=PREDICT_POLICY) is None
    assert plan_distinct(frame, policy=SHAP_POLICY) is not None
    assert plan_distinct(frame.iloc[:1], policy=DistinctPolicy(min_share=0.0, min_rows=1)) is None


def test_estimated_share_follows_the_sample():
    """Check the estimate: none for an all-distinct sample, near 1 for a few distinct rows."""
    assert _estimated_share(1_000_000, 5000, 5000) == 0.0
    assert _estimated_share(1_000_000, 5000, 1000) > 0.99
    few_repeats = _estimated_share(1_000_000, 5000, 4999)
    assert 0.0 < few_repeats < 0.1


CELLS = st.sampled_from([0.0, -0.0, 1.0, 2.5, math.nan, -1.0])
LABELS = st.sampled_from(["a", "b", None])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(CELLS, CELLS, LABELS), min_size=1, max_size=40),
)
def test_distinct_rows_match_a_plain_reference(rows):
    """Check distinct rows against Python tuples (NaN as None, -0.0 as 0.0), and the round trip."""
    frame = pd.DataFrame(
        {
            "u": [r[0] for r in rows],
            "v": [r[1] for r in rows],
            "w": pd.Categorical([r[2] for r in rows], categories=["a", "b"]),
        }
    )
    found = distinct_rows(frame)

    def plain(row: tuple[float, float, str | None]) -> tuple[object, ...]:
        return tuple(None if isinstance(c, float) and math.isnan(c) else c for c in row)

    reference = list(dict.fromkeys(plain(r) for r in rows))  # -0.0 == 0.0 in Python
    assert found.n_distinct == len(reference)
    assert [reference.index(plain(r)) for r in rows] == found.inverse.tolist()
    assert found.first.tolist() == sorted(found.first.tolist())
    rebuilt = found.take(frame).iloc[found.inverse].reset_index(drop=True)
    pd.testing.assert_frame_equal(rebuilt, frame)


@pytest.mark.parametrize("run", ["binary", "multiclass", "regression"], indirect=True)
def test_saved_analysis_keeps_distinct_rows(run, tmp_path):
    """Check that a saved and opened analysis reports the same distinct rows in its summary."""
    path = tmp_path / "run.xai"
    save_analysis(run, path)
    opened = open_analysis(path)
    assert opened.shap.distinct_rows == run.shap.distinct_rows
    assert summary_of(opened, {})["shap_rows_computed"] == run.shap.distinct_rows


def test_gpu_path_uses_the_stricter_policy():
    """Check that the CUDA path (same code) computes distinct rows only from heavy repetition."""
    from explainers._shap import _plan

    small = unique_frame(10).iloc[np.zeros(500, dtype=int)]
    assert _plan(small, True, "cpu") is not None
    assert _plan(small, True, "cuda") is None  # under the prediction policy's 10,000 rows
    large = unique_frame(50).iloc[np.random.default_rng(2).integers(0, 50, size=20_000)]
    assert _plan(large, True, "cuda").n_distinct == 50
    assert _plan(large, False, "cuda") is None
