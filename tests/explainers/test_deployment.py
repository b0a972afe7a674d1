"""Deployment facts checked against the files XGBoost writes and its own tree dump."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from synthetic_tables import synthetic_binary, synthetic_multiclass, to_csv_bytes

from explainers import DataError, explain_file
from explainers._curves import tree_curve
from explainers._deployment import deployment_facts, tree_shapes

CONTRACT = {
    "json_bytes",
    "ubj_bytes",
    "trees",
    "max_depth",
    "leaves",
    "one_row_ms",
    "rows_per_s",
    "compact_trees",
}


@pytest.fixture(scope="module", params=["binary", "multiclass"])
def run(request):
    """A small binary run (with a category and gaps) and a multiclass one."""
    if request.param == "binary":
        frame, target = synthetic_binary(n=800), "outcome"
    else:
        frame, target = synthetic_multiclass(n=600), "level"
    return explain_file(to_csv_bytes(frame), name="d.csv", target=target, rows=10)


def _dump_shapes(booster) -> tuple[int, int, int]:
    """Trees, deepest leaf and leaves from XGBoost's JSON text dump, walked recursively."""

    def walk(node, depth):
        if "leaf" in node:
            return depth, 1
        results = [walk(child, depth + 1) for child in node["children"]]
        return max(r[0] for r in results), sum(r[1] for r in results)

    dumps = [json.loads(text) for text in booster.get_dump(dump_format="json")]
    walked = [walk(tree, 0) for tree in dumps]
    return len(dumps), max(w[0] for w in walked), sum(w[1] for w in walked)


def test_sizes_match_the_files_xgboost_writes(run, tmp_path):
    """Check JSON and UBJSON sizes against save_model files, for both models."""
    curve = tree_curve(run.model, run.dataset)
    facts = deployment_facts(run.model, run.dataset, curve=curve, batch_rows=500)
    compact = run.model.booster[: curve.compact_rounds]
    for booster, model_facts in ((run.model.booster, facts.full), (compact, facts.compact)):
        for suffix, size in (("json", model_facts.json_bytes), ("ubj", model_facts.ubj_bytes)):
            path = tmp_path / f"model.{suffix}"
            booster.save_model(str(path))
            assert size == path.stat().st_size
    assert facts.json_bytes == facts.full.json_bytes
    assert facts.compact.json_bytes <= facts.json_bytes


def test_tree_shapes_match_the_dump(run):
    """Check trees, depth and leaves of both models against XGBoost's own dump."""
    curve = tree_curve(run.model, run.dataset)
    facts = deployment_facts(run.model, run.dataset, curve=curve, batch_rows=500)
    assert (facts.trees, facts.max_depth, facts.leaves) == _dump_shapes(run.model.booster)
    compact = run.model.booster[: curve.compact_rounds]
    shapes = _dump_shapes(compact)
    assert (facts.compact.trees, facts.compact.max_depth, facts.compact.leaves) == shapes
    assert facts.compact_trees == curve.compact_trees == shapes[0]
    assert facts.max_depth <= run.model.options.max_depth


def test_tree_shapes_of_a_stump_and_a_chain():
    """Check depth counting on a hand-written model: one leaf, and a chain of two splits."""
    stump = {"left_children": [-1], "right_children": [-1]}
    chain = {"left_children": [1, -1, 3, -1, -1], "right_children": [2, -1, 4, -1, -1]}
    document = {"learner": {"gradient_booster": {"model": {"trees": [stump, chain]}}}}
    assert tree_shapes(json.dumps(document).encode()) == (2, 2, 4)


def test_summary_has_the_cli_contract(run):
    """Check the deployment entry: the contract's keys, finite positive speeds, valid JSON."""
    calls = []
    facts = deployment_facts(
        run.model, run.dataset, batch_rows=300, progress=lambda d, t, s: calls.append((d, t, s))
    )
    assert calls == [(0, 2, "deployment"), (1, 2, "deployment"), (2, 2, "deployment")]
    summary = facts.to_summary()
    assert CONTRACT <= set(summary)
    json.dumps(summary, allow_nan=False)
    assert summary["trees"] == facts.trees and summary["compact_trees"] == facts.compact_trees
    assert set(summary["compact"]) == CONTRACT - {"compact_trees"}
    for value in (facts.one_row_ms, facts.rows_per_s, facts.compact.rows_per_s):
        assert math.isfinite(value) and value > 0  # measured only; no speed is asserted
    assert facts.batch_rows == 300
    assert "CPU threads" in summary["measured_on"]


def test_the_compact_model_predicts_like_the_first_rounds(run):
    """Check that the compact model is the model cut to its compact rounds."""
    curve = tree_curve(run.model, run.dataset)
    X = run.dataset.X.iloc[run.model.valid_index]
    matrix = run.model.dmatrix(X)
    cut = run.model.booster[: curve.compact_rounds].predict(matrix, output_margin=True)
    ranged = run.model.booster.predict(
        matrix, output_margin=True, iteration_range=(0, curve.compact_rounds)
    )
    np.testing.assert_array_equal(cut, ranged)


def test_bad_batch_is_refused(run):
    """Check that a batch of no rows is refused."""
    with pytest.raises(DataError, match="batch_rows must be at least 1") as caught:
        deployment_facts(run.model, run.dataset, batch_rows=0)
    assert caught.value.code == "bad_option"


class _Clocked:
    """A stand-in booster whose prediction takes ``seconds`` (a sleep), counting calls."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.calls = seconds, 0

    def inplace_predict(self, X):
        import time

        self.calls += 1
        time.sleep(self.seconds)


@pytest.mark.parametrize(("seconds", "calls"), [(0.0, 1 + 50), (0.6, 1 + 3)])
def test_slow_predictions_are_timed_fewer_times(seconds, calls):
    """Check that the timing does every repeat when predictions are fast, and stops after
    the 3 it always does once they have taken the budget (a 5,000-column table's one-row
    prediction took 0.4 s: 50 repeats for two models were 40 s)."""
    from explainers._deployment import TIMING_BUDGET_S, _median_seconds

    assert 3 * 0.6 > TIMING_BUDGET_S
    booster = _Clocked(seconds)
    took = _median_seconds(booster, None, 50)
    assert booster.calls == calls  # one warm-up, then the timed ones
    assert took >= seconds
