"""Score curves checked against XGBoost's own predictions, scikit-learn and brute force."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, softmax
from sklearn import metrics as skm
from synthetic_tables import synthetic_multiclass, to_csv_bytes

from explainers import DataError, TrainingOptions, explain_file
from explainers._curves import compact_rounds, learning_curve, subsample_rows, tree_curve


def _table(task: str, n: int, seed: int = 0) -> tuple[pd.DataFrame, str]:
    rng = np.random.default_rng(seed)
    if task == "multiclass":
        return synthetic_multiclass(n=n, seed=seed), "level"
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "colour": rng.choice(["red", "green", "blue"], n),
        }
    )
    signal = frame["a"] * frame["b"] + (frame["colour"] == "red") + rng.normal(0, 0.5, n)
    frame["y"] = signal if task == "regression" else (signal > 0.3).astype(int)
    return frame, "y"


@pytest.fixture(scope="module", params=["binary", "multiclass", "regression"])
def run(request):
    """A small run of each task."""
    frame, target = _table(request.param, 700)
    options = TrainingOptions(n_estimators=120)  # at most 120 rounds: brute force stays quick
    return explain_file(
        to_csv_bytes(frame),
        name="c.csv",
        target=target,
        task=request.param,
        rows=10,
        options=options,
    )


def _score_with_k_rounds(run, matrix, k: int) -> float:
    """The main score of the first ``k`` rounds, from XGBoost's iteration_range."""
    model = run.model
    margin = model.booster.predict(matrix, output_margin=True, iteration_range=(0, k))
    y = run.dataset.y[model.valid_index]
    if model.task == "regression":
        return skm.r2_score(y, margin)
    if model.task == "binary":
        return skm.roc_auc_score(y, expit(margin.astype(np.float64)))
    proba = softmax(margin.astype(np.float64), axis=1)
    return skm.roc_auc_score(y, proba, multi_class="ovr", average="macro")


def test_tree_curve_is_xgboost_score_at_every_round(run):
    """Check every point against iteration_range, the last against evaluate_model."""
    curve = tree_curve(run.model, run.dataset)
    rounds = run.model.booster.num_boosted_rounds()
    assert list(curve.rounds) == list(range(1, rounds + 1))
    matrix = run.model.dmatrix(run.dataset.X.iloc[run.model.valid_index])
    expected = np.array([_score_with_k_rounds(run, matrix, k) for k in range(1, rounds + 1)])
    np.testing.assert_allclose(curve.scores, expected, rtol=1e-12, atol=1e-12)
    assert curve.scores[-1] == pytest.approx(run.evaluation.metrics[curve.metric], abs=1e-12)
    assert curve.metric == ("r2" if run.model.task == "regression" else "auc")
    # brute force: the fewest rounds within 0.5% of the best
    best = expected.max()
    smallest = min(k for k in range(1, rounds + 1) if expected[k - 1] >= best - 0.005 * abs(best))
    assert curve.compact_rounds == smallest
    assert curve.best_score == pytest.approx(best)
    assert expected[curve.best_rounds - 1] == best
    per_round = len(run.model.booster.get_dump()) // rounds
    assert per_round == (3 if run.model.task == "multiclass" else 1)
    assert curve.compact_trees == smallest * per_round
    assert list(curve.trees) == [k * per_round for k in curve.rounds]


def test_tree_curve_reports_progress(run):
    """Check that progress runs from the first round to the last under its stage name."""
    calls = []
    tree_curve(run.model, run.dataset, progress=lambda d, t, s: calls.append((d, t, s)))
    rounds = run.model.booster.num_boosted_rounds()
    assert calls[0] == (1, rounds, "tree_curve")
    assert calls[-1] == (rounds, rounds, "tree_curve")


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([0.5, 0.8, 0.9, 0.897, 1.0, 0.99], 5),
        ([0.5, 0.996, 0.9, 1.0], 2),
        ([np.nan, 0.7, 0.7], 2),
        ([np.nan, np.nan], 2),
        ([-2.0, -1.0, -1.004, -1.006], 2),
    ],
)
def test_compact_rounds_by_hand(scores, expected):
    """Check the compact model's rounds on hand-made curves (relative 0.5% of the best)."""
    assert compact_rounds(np.array(scores)) == expected


def test_learning_curve_reproduces_the_model_on_all_rows(run):
    """Check that the fraction 1.0 retrains the model itself and smaller ones use fewer rows."""
    calls = []
    curve = learning_curve(
        run.model,
        run.dataset,
        fractions=(0.5, 1.0, 0.01),
        progress=lambda d, t, s: calls.append((d, t, s)),
    )
    train = run.model.train_index
    assert curve.skipped == (0.01,)  # 0.01 of 560 rows is fewer than 20
    assert curve.fractions == (0.5, 1.0)
    assert curve.rows[1] == len(train)
    assert curve.rows[0] == pytest.approx(len(train) / 2, abs=3)
    assert curve.rounds[1] == run.model.best_iteration + 1
    assert curve.scores[1] == pytest.approx(run.evaluation.metrics[curve.metric], abs=1e-12)
    assert calls[0] == (0, 3, "learning_curve")
    assert calls[-1] == (3, 3, "learning_curve")


def test_learning_curve_improves_with_rows():
    """Check that an interaction needs rows: a tenth of them scores clearly lower."""
    frame, target = _table("binary", 2000, seed=4)
    run = explain_file(to_csv_bytes(frame), name="c.csv", target=target, rows=10)
    curve = learning_curve(run.model, run.dataset, fractions=(0.1, 1.0))
    assert curve.scores[0] < curve.scores[1] - 0.03


def test_subsample_keeps_each_class_share():
    """Check that the row sample is seeded, sorted and stratified by class."""
    rows = np.arange(1000)
    y = np.r_[np.zeros(900, int), np.ones(100, int)]
    picked = subsample_rows(rows, y, 0.25, task="binary", seed=3)
    assert np.array_equal(picked, np.sort(picked))
    assert np.bincount(y[picked]).tolist() == [225, 25]
    assert np.array_equal(picked, subsample_rows(rows, y, 0.25, task="binary", seed=3))
    assert np.array_equal(subsample_rows(rows, y, 1.0, task="binary", seed=3), rows)


def test_learning_curve_refuses_bad_fractions_and_uploaded_models(run):
    """Check the errors: fractions outside (0, 1]; a model whose training rows are unknown."""
    with pytest.raises(DataError, match="fractions must be between 0") as caught:
        learning_curve(run.model, run.dataset, fractions=(0.5, 1.5))
    assert caught.value.code == "bad_option"
    with pytest.raises(DataError, match="fractions must be between 0"):
        learning_curve(run.model, run.dataset, fractions=())
    if run.model.task != "binary":
        return
    frame, target = _table("binary", 700)
    uploaded = explain_file(
        to_csv_bytes(frame),
        name="c.csv",
        target=target,
        rows=10,
        model=bytes(run.model.booster.save_raw("json")),
    )
    with pytest.raises(DataError, match="uploaded model's training rows are unknown") as caught:
        learning_curve(uploaded.model, uploaded.dataset)
    assert caught.value.code == "needs_training_rows"
    curve = tree_curve(uploaded.model, uploaded.dataset)  # in-sample, but defined
    assert len(curve.scores) == uploaded.model.booster.num_boosted_rounds()
