"""Is the model worth it? The ``baselines``, ``comparison``, ``tree_curve`` and
``deployment`` entries of ``summary.json``, with the seconds each took.

Every figure comes from :mod:`._baselines`, :mod:`._curves` and :mod:`._deployment`;
this module only runs them in order and writes their results as plain data.
"""

from __future__ import annotations

import math
import time

from ._baselines import compare_baselines
from ._curves import tree_curve
from ._dataset import Dataset
from ._deployment import deployment_facts
from ._pipeline import ExplainRun
from ._training import TrainedModel


def model_worth(run: ExplainRun, *, seed: int = 0) -> tuple[dict[str, object], dict[str, float]]:
    """Baselines and the comparison (trained models only), the score along the trees, and the
    deployment facts of ``run``'s model; with the seconds of each part.

    An uploaded model's training rows are unknown, so it gets no baselines:
    ``baselines`` is empty, ``comparison`` null, and ``baselines_skipped`` says why
    (``"needs_training_rows"``). A survival model's baselines are a Cox model and one
    risk for all, compared on Harrell's C-index, which its ``tree_curve`` scores too.
    Speeds in ``deployment`` are measured on this machine when called.
    """
    return worth_of(run.model, run.dataset, seed=seed)


def worth_of(
    model: TrainedModel, dataset: Dataset, *, seed: int = 0, skip_baselines: str | None = None
) -> tuple[dict[str, object], dict[str, float]]:
    """What :func:`model_worth` writes, for ``model`` and the ``dataset`` it was trained on.

    The cluster run calls it on a sample of its rows (:mod:`explainers._dask.worth`);
    ``skip_baselines`` is then the reason written when the sample cannot fit them.
    """
    document: dict[str, object] = {}
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    if model.source == "uploaded" or skip_baselines is not None:
        reason = skip_baselines or "needs_training_rows"
        document.update(baselines=[], comparison=None, baselines_skipped=reason)
    else:
        document.update(compare_baselines(model, dataset, seed=seed).to_summary())
    seconds["baselines"] = time.perf_counter() - start
    start = time.perf_counter()
    curve = tree_curve(model, dataset)
    document["tree_curve"] = {
        "metric": curve.metric,
        "trees": curve.trees.tolist(),
        "scores": [round(float(s), 6) if math.isfinite(s) else None for s in curve.scores],
        "best_trees": int(curve.trees[curve.best_rounds - 1]),
        "compact_trees": curve.compact_trees,
        "tolerance": curve.tolerance,
        "rows": "validation" if model.source == "trained" else "all labelled rows",
    }
    seconds["tree_curve"] = time.perf_counter() - start
    start = time.perf_counter()
    document["deployment"] = deployment_facts(model, dataset, curve=curve).to_summary()
    seconds["deployment"] = time.perf_counter() - start
    return document, seconds
