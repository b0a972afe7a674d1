"""Can it be deployed? File sizes, tree shapes and prediction speed, measured here.

Sizes are the bytes of the model as XGBoost writes it (``save_raw``, the same bytes as
``save_model`` to a ``.json`` or ``.ubj`` file). Speeds are wall-clock times of
:meth:`xgboost.Booster.inplace_predict` from a pandas frame on *this* machine, with
every CPU thread, after a warm-up; they depend on the machine and its load, and say
nothing about another one. The compact model is the model cut to
:attr:`TreeCurve.compact_rounds` rounds (see :func:`tree_curve`).
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xgboost as xgb

from ._curves import TreeCurve, tree_curve
from ._dataset import Dataset
from ._errors import DataError
from ._training import TrainedModel
from ._types import Progress

BATCH_ROWS = 10_000
"""Rows in the batch whose throughput is measured."""
ONE_ROW_REPEATS = 50
"""Single-row predictions timed at most; their median is reported."""
BATCH_REPEATS = 7
"""Batch predictions timed at most."""
TIMING_BUDGET_S = 1.0
"""Seconds of timed predictions per figure after which no more are started, once
:data:`_MIN_REPEATS` are done: XGBoost reads a pandas frame column by column, and one row
of a 5,000-column table took 0.4 s, so 50 of them for each of two models took 40 s."""
_MIN_REPEATS = 3


@dataclass(frozen=True)
class ModelFacts:
    """One model's size, shape and speed.

    ``json_bytes`` and ``ubj_bytes``: the model file as XGBoost JSON and UBJSON.
    ``trees``: trees in the model (``rounds`` boosting rounds); ``max_depth``: the most
    splits from a root to a leaf; ``leaves``: leaves over all trees. ``one_row_ms``: the
    median time to predict one row, in milliseconds; ``rows_per_s``: rows predicted per
    second in a batch (median of the repeats). Speeds are measured on this machine.
    """

    json_bytes: int
    ubj_bytes: int
    rounds: int
    trees: int
    max_depth: int
    leaves: int
    one_row_ms: float
    rows_per_s: float

    def to_summary(self) -> dict[str, object]:
        """The facts as a JSON-ready dict."""
        return {
            "json_bytes": self.json_bytes,
            "ubj_bytes": self.ubj_bytes,
            "trees": self.trees,
            "max_depth": self.max_depth,
            "leaves": self.leaves,
            "one_row_ms": self.one_row_ms,
            "rows_per_s": self.rows_per_s,
        }


@dataclass(frozen=True)
class DeploymentFacts:
    """The model's and the compact model's facts, and where the speeds were measured.

    ``json_bytes`` ... ``rows_per_s`` are the full model's (``full``); ``compact`` is the
    model cut to ``compact_trees`` trees, the fewest within 0.5% of the best validation
    score. ``batch_rows``: rows in the timed batch; ``machine``: the machine measured on
    (architecture, operating system and CPU threads).
    """

    full: ModelFacts
    compact: ModelFacts
    batch_rows: int
    machine: str

    @property
    def json_bytes(self) -> int:
        """The full model's size as XGBoost JSON."""
        return self.full.json_bytes

    @property
    def ubj_bytes(self) -> int:
        """The full model's size as XGBoost UBJSON."""
        return self.full.ubj_bytes

    @property
    def trees(self) -> int:
        """Trees in the full model."""
        return self.full.trees

    @property
    def max_depth(self) -> int:
        """The full model's deepest leaf (splits from the root)."""
        return self.full.max_depth

    @property
    def leaves(self) -> int:
        """Leaves in the full model."""
        return self.full.leaves

    @property
    def one_row_ms(self) -> float:
        """The full model's median time for one row, in milliseconds, on this machine."""
        return self.full.one_row_ms

    @property
    def rows_per_s(self) -> float:
        """The full model's batch throughput, rows per second, on this machine."""
        return self.full.rows_per_s

    @property
    def compact_trees(self) -> int:
        """Trees in the compact model."""
        return self.compact.trees

    def to_summary(self) -> dict[str, object]:
        """The ``deployment`` entry of ``summary.json``.

        The full model's ``json_bytes``, ``ubj_bytes``, ``trees``, ``max_depth``,
        ``leaves``, ``one_row_ms``, ``rows_per_s`` and ``compact_trees``, then
        ``compact`` (the same facts of the compact model), ``batch_rows`` and
        ``measured_on`` (the machine).
        """
        return {
            **self.full.to_summary(),
            "compact_trees": self.compact_trees,
            "compact": self.compact.to_summary(),
            "batch_rows": self.batch_rows,
            "measured_on": self.machine,
        }


def tree_shapes(model_json: bytes | bytearray) -> tuple[int, int, int]:
    """Trees, the greatest depth and the leaves of a model in XGBoost JSON.

    Nodes are walked from each root; a node is a leaf when it has no left child
    (``left_children`` is -1). Depth counts the splits from the root, so a single-leaf
    tree has depth 0.
    """
    trees = json.loads(model_json)["learner"]["gradient_booster"]["model"]["trees"]
    deepest, leaves = 0, 0
    for tree in trees:
        left, right = tree["left_children"], tree["right_children"]
        stack = [(0, 0)]  # (node, depth), from the root
        while stack:
            node, depth = stack.pop()
            if left[node] == -1:
                leaves += 1
                deepest = max(deepest, depth)
            else:
                stack += [(left[node], depth + 1), (right[node], depth + 1)]
    return len(trees), deepest, leaves


def _median_seconds(booster: xgb.Booster, X: pd.DataFrame, repeats: int) -> float:
    """The median time of up to ``repeats`` predictions of ``X`` after a warm-up: fewer
    (at least :data:`_MIN_REPEATS`) once they have taken :data:`TIMING_BUDGET_S`."""
    booster.inplace_predict(X)  # warm-up
    times: list[float] = []
    while len(times) < repeats and (len(times) < _MIN_REPEATS or sum(times) < TIMING_BUDGET_S):
        start = time.perf_counter()
        booster.inplace_predict(X)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def model_facts(booster: xgb.Booster, one_row: pd.DataFrame, batch: pd.DataFrame) -> ModelFacts:
    """Size, shape and speed of ``booster``, timing ``one_row`` and ``batch`` here.

    Parameters
    ----------
    booster : xgboost.Booster
        The model.
    one_row : pandas.DataFrame
        One row of features, encoded as the model expects.
    batch : pandas.DataFrame
        The rows whose throughput is measured (median of up to :data:`BATCH_REPEATS`
        predictions, every thread).

    Returns
    -------
    ModelFacts
        ``one_row_ms`` is the median of up to :data:`ONE_ROW_REPEATS` one-thread
        predictions (as a single request runs); both figures stop adding predictions after
        :data:`TIMING_BUDGET_S` of them (at least 3 are timed).
    """
    as_json = booster.save_raw("json")
    trees, depth, leaves = tree_shapes(as_json)
    single = booster.copy()  # one request runs on one thread; threads only add overhead here
    single.set_param({"nthread": 1})
    one_row_ms = 1000 * _median_seconds(single, one_row, ONE_ROW_REPEATS)
    batch_seconds = _median_seconds(booster, batch, BATCH_REPEATS)
    return ModelFacts(
        json_bytes=len(as_json),
        ubj_bytes=len(booster.save_raw("ubj")),
        rounds=booster.num_boosted_rounds(),
        trees=trees,
        max_depth=depth,
        leaves=leaves,
        one_row_ms=one_row_ms,
        rows_per_s=len(batch) / batch_seconds if batch_seconds > 0 else float("inf"),
    )


def this_machine() -> str:
    """The machine speeds are measured on: architecture, system and CPU threads."""
    return f"{platform.machine()} {platform.system()}, {os.cpu_count() or 1} CPU threads"


def deployment_facts(
    model: TrainedModel,
    dataset: Dataset,
    *,
    curve: TreeCurve | None = None,
    batch_rows: int = BATCH_ROWS,
    progress: Progress | None = None,
) -> DeploymentFacts:
    """Sizes, shapes and speeds of the model and of its compact version.

    Parameters
    ----------
    model : TrainedModel
        The model.
    dataset : Dataset
        The data the model was trained on; the timed rows are its validation rows.
    curve : TreeCurve, optional
        The model's :func:`tree_curve`, which names the compact model; computed when
        not given.
    batch_rows : int, default 10,000
        Rows in the timed batch: the validation rows, repeated or cut to this many.
    progress : callable, optional
        Called as ``(done, 2, "deployment")`` with models measured.

    Returns
    -------
    DeploymentFacts
        The full and the compact model's facts. When the compact model is the full
        model, its facts are the full model's (measured once).

    Raises
    ------
    DataError
        If ``batch_rows`` < 1.
    """
    if batch_rows < 1:
        raise DataError(
            f"batch_rows must be at least 1; got {batch_rows}.",
            code="bad_option",
            detail="batch_rows",
        )
    report = progress or (lambda done, total, stage: None)
    report(0, 2, "deployment")
    curve = curve or tree_curve(model, dataset)
    X = dataset.X.iloc[model.valid_index][list(model.spec.names)].reset_index(drop=True)
    batch = X.iloc[np.resize(np.arange(len(X)), batch_rows)]
    one_row = X.iloc[:1]
    full = model_facts(model.booster, one_row, batch)
    report(1, 2, "deployment")
    compact = full
    if curve.compact_rounds < model.booster.num_boosted_rounds():
        compact = model_facts(model.booster[: curve.compact_rounds], one_row, batch)
    report(2, 2, "deployment")
    return DeploymentFacts(
        full=full, compact=compact, batch_rows=batch_rows, machine=this_machine()
    )
