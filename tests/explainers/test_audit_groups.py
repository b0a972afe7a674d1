"""Per-group metrics on a synthetic table whose groups differ by construction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, mean_absolute_error, roc_auc_score
from synthetic_tables import to_csv_bytes

from explainers import DataError, explain_file
from explainers._audit.groups import group_metrics


def _run(task: str = "binary", n: int = 3000, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    sex = rng.choice(["female", "male"], n)
    if task == "binary":
        y = (x + rng.normal(0, 0.3, n) > 0).astype(int)
        flip = (sex == "male") & (rng.random(n) < 0.3)  # labels noisier for men: lower accuracy
        y = np.where(flip, 1 - y, y)
    else:
        y = 3 * x + np.where(sex == "male", rng.normal(0, 2.0, n), rng.normal(0, 0.3, n))
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=n), "sex": sex, "outcome": y})
    run = explain_file(to_csv_bytes(frame), name="g.csv", target="outcome", rows=200, task=task)
    return run, frame


def test_binary_groups_agree_with_direct_per_group_metrics():
    """Check each group's accuracy and AUC against scikit-learn on that group's rows."""
    run, frame = _run()
    report = group_metrics(run.model, run.dataset, frame["sex"], n_boot=100)
    valid = run.model.valid_index
    rows = run.dataset.row_ids[valid]
    proba = run.model.predict(run.dataset.X.iloc[valid])[:, 1]
    y = run.dataset.y[valid]
    accuracies = {}
    for group in report.groups:
        mask = frame["sex"].to_numpy()[rows] == group.value
        assert group.n == int(mask.sum())
        expected = accuracy_score(y[mask], (proba[mask] >= 0.5).astype(int))
        assert group.metrics["accuracy"] == pytest.approx(expected)
        assert group.metrics["auc"] == pytest.approx(roc_auc_score(y[mask], proba[mask]))
        assert group.ci_low["accuracy"] <= expected <= group.ci_high["accuracy"]
        accuracies[group.value] = expected
    assert accuracies["male"] < accuracies["female"] - 0.15  # the planted gap
    gap = max(accuracies.values()) - min(accuracies.values())
    assert report.difference["accuracy"] == pytest.approx(gap)
    assert report.threshold == 0.5


def test_regression_groups_report_errors():
    """Check per-group MAE against scikit-learn; the noisier group has the larger error."""
    run, frame = _run("regression")
    report = group_metrics(run.model, run.dataset, frame["sex"], n_boot=0)
    valid = run.model.valid_index
    rows = run.dataset.row_ids[valid]
    predicted = run.model.predict(run.dataset.X.iloc[valid])
    y = run.dataset.y[valid]
    mae = {}
    for group in report.groups:
        mask = frame["sex"].to_numpy()[rows] == group.value
        mae[group.value] = mean_absolute_error(y[mask], predicted[mask])
        assert group.metrics["mae"] == pytest.approx(mae[group.value])
    assert mae["male"] > 2 * mae["female"]
    assert report.threshold is None


def test_too_many_groups_is_refused():
    """Check that a column with dozens of values is refused with a clear message."""
    run, frame = _run(n=800)
    ids = pd.Series(np.arange(len(frame)) % 60, name="site")
    with pytest.raises(DataError, match="at most 30 groups") as info:
        group_metrics(run.model, run.dataset, ids, n_boot=0)
    assert info.value.code == "too_many_groups"
