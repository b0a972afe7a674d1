"""predictions_frame: one row per labelled file row, checked against the booster and the file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from synthetic_tables import to_csv_bytes

from explainers import ExplainRun, TrainingOptions, explain_file
from explainers._audit.predictions import predictions_frame


def _table(task: str, n: int = 600, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(0, 1, n), rng.normal(0, 1, n)
    colour = rng.choice(["red", "green", "blue"], n)
    score = x1 + 0.5 * x2 + (colour == "red") + rng.normal(0, 0.5, n)
    if task == "binary":
        outcome: pd.Series = pd.Series(np.where(score > 0.3, "sick", "well"), dtype=object)
    elif task == "multiclass":
        outcome = pd.Series(np.digitize(score, [-0.5, 0.8]), dtype=object)
    else:
        outcome = pd.Series(10 * score + 50, dtype=object)
    outcome.iloc[[3, 17, 40]] = None
    return pd.DataFrame({"x1": x1, "x2": x2, "colour": colour, "outcome": outcome})


def _run(frame: pd.DataFrame) -> ExplainRun:
    return explain_file(
        to_csv_bytes(frame),
        name="t.csv",
        target="outcome",
        rows=20,
        seed=0,
        options=TrainingOptions(n_estimators=60),
    )


def _booster(run: ExplainRun) -> np.ndarray:
    return np.asarray(
        run.model.booster.predict(xgb.DMatrix(run.dataset.X, enable_categorical=True))
    )


def _check_rows_and_split(frame: pd.DataFrame, run: ExplainRun, out: pd.DataFrame) -> None:
    labelled = np.flatnonzero(frame["outcome"].notna().to_numpy())
    assert out["row"].tolist() == labelled.tolist()
    valid_rows = set(run.dataset.row_ids[run.model.valid_index].tolist())
    assert set(out.loc[out["split"] == "validation", "row"]) == valid_rows
    assert set(out["split"]) == {"train", "validation"}


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_classifier_predictions(task: str) -> None:
    """Check labels, probabilities, predictions and splits for a classifier."""
    frame = _table(task)
    run = _run(frame)
    out = predictions_frame(run.model, run.dataset)
    _check_rows_and_split(frame, run, out)
    file_labels = frame["outcome"].iloc[out["row"]].astype(str).tolist()
    assert out["label"].tolist() == file_labels
    classes = sorted(set(file_labels))
    assert list(out.columns) == ["row", "split", "label", "prediction"] + [
        f"proba_{c}" for c in classes
    ]
    raw = _booster(run)
    expected = np.column_stack([1 - raw, raw]) if task == "binary" else raw
    order = np.argsort(run.dataset.row_ids)
    proba = out[[f"proba_{c}" for c in classes]].to_numpy()
    np.testing.assert_allclose(proba, expected[order], rtol=1e-5, atol=1e-6)
    assert out["prediction"].tolist() == [classes[j] for j in expected[order].argmax(axis=1)]


def test_regression_predictions() -> None:
    """Check labels and predicted values for a regression model."""
    frame = _table("regression")
    run = _run(frame)
    out = predictions_frame(run.model, run.dataset)
    assert list(out.columns) == ["row", "split", "label", "prediction"]
    _check_rows_and_split(frame, run, out)
    np.testing.assert_allclose(
        out["label"].to_numpy(dtype=float), frame["outcome"].iloc[out["row"]].to_numpy(dtype=float)
    )
    expected = _booster(run)[np.argsort(run.dataset.row_ids)]
    np.testing.assert_allclose(out["prediction"].to_numpy(dtype=float), expected, rtol=1e-5)
