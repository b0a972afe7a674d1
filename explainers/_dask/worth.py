"""Is the model worth it, on the cluster: baselines, tree curve and deployment facts.

The single process fits its baselines on every training row and scores them, the
boosted model along its trees, and the deployment speeds on every validation row
(:func:`explainers._model_worth.worth_of`). On the cluster the client never holds the
whole table: it gathers a seeded sample of the encoded training rows and one of the
validation rows (at most :data:`WORTH_ROWS` each; all of them when fewer), builds a
small in-memory :class:`~explainers.Dataset` of those rows in ``row`` order and the
model with that split, and runs the single-process functions on them. The figures are
therefore exactly what the single process computes on the same rows.

The sample is drawn by position among each split's rows in ``row`` order (the k-th
training row of the whole table, and so on), so it repeats with the seed whatever the
partitioning. Only the partitions holding a sampled row send anything, and only the
sampled rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from time import perf_counter

import numpy as np
import pandas as pd
from dask.delayed import delayed
from distributed import Client

from .._dataset import Dataset
from .._model_worth import worth_of
from .._pipeline import sample_rows
from .._schema import Schema
from .._training import TrainedModel
from .dataset import TARGET, VALID, ClusterDataset
from .failures import cluster_stage

WORTH_ROWS = 100_000
"""Most training rows, and most validation rows, the baselines and the tree curve use."""


@dataclass(frozen=True)
class ClusterWorth:
    """The ``baselines``, ``comparison``, ``tree_curve`` and ``deployment`` entries of
    ``summary.json`` (as the single process writes them), and the rows they used.

    ``n_train`` and ``n_valid`` count the sampled training and validation rows;
    ``seconds`` holds ``worth_rows`` (gathering them), ``baselines``, ``tree_curve``
    and ``deployment``.
    """

    document: dict[str, object]
    n_train: int
    n_valid: int
    seconds: dict[str, float]


def split_counts(part: pd.DataFrame) -> tuple[int, int]:
    """Training and validation rows of one encoded partition (runs on a worker)."""
    valid = part[VALID].to_numpy(dtype=bool)
    return int((~valid).sum()), int(valid.sum())


def take_split_rows(part: pd.DataFrame, train_at: np.ndarray, valid_at: np.ndarray) -> pd.DataFrame:
    """The partition's training rows at ``train_at`` and validation rows at ``valid_at``
    (positions among that split's rows of the partition), in ``row`` order (on a worker)."""
    valid = part[VALID].to_numpy(dtype=bool)
    picked = np.concatenate([np.flatnonzero(~valid)[train_at], np.flatnonzero(valid)[valid_at]])
    return part.iloc[np.sort(picked)]


def _local(positions: np.ndarray, starts: np.ndarray, i: int) -> np.ndarray:
    """The ``positions`` (sorted, whole-table) falling in partition ``i``, made local."""
    lo, hi = np.searchsorted(positions, [starts[i], starts[i + 1]])
    return np.asarray(positions[lo:hi] - starts[i], dtype=np.int64)


def gather_split_sample(
    client: Client, data: ClusterDataset, *, max_rows: int, seed: int
) -> pd.DataFrame:
    """A seeded sample of at most ``max_rows`` training and ``max_rows`` validation rows
    of ``data``, encoded, indexed by ``row`` and in ``row`` order.

    The training rows are :func:`explainers._pipeline.sample_rows` positions among all
    training rows (seed ``seed``), the validation rows among all validation rows
    (seed ``seed + 1``); every row of a split is taken when it has at most ``max_rows``.
    """
    parts = data.frame.to_delayed()
    counts = np.asarray(
        client.compute([delayed(split_counts)(p) for p in parts], sync=True), dtype=np.int64
    ).reshape(len(parts), 2)
    starts = np.vstack([np.zeros((1, 2), dtype=np.int64), np.cumsum(counts, axis=0)])
    train = sample_rows(int(starts[-1, 0]), max_rows, seed=seed)
    valid = sample_rows(int(starts[-1, 1]), max_rows, seed=seed + 1)
    tasks = []
    for i, part in enumerate(parts):
        train_at, valid_at = _local(train, starts[:, 0], i), _local(valid, starts[:, 1], i)
        if len(train_at) or len(valid_at):
            tasks.append(delayed(take_split_rows)(part, train_at, valid_at))
    frames: list[pd.DataFrame] = list(client.compute(tasks, sync=True))
    return pd.concat(frames) if len(frames) > 1 else frames[0]


def sample_dataset(
    rows: pd.DataFrame, data: ClusterDataset, schema: Schema, model: TrainedModel
) -> tuple[Dataset, TrainedModel]:
    """The in-memory :class:`~explainers.Dataset` of the encoded ``rows`` (in their order)
    and ``model`` with their split as its ``train_index`` and ``valid_index``.

    ``row_ids`` are the rows' ``row`` values; ``n_inf_replaced`` is 0 (not counted on
    the cluster, and read by neither the baselines nor the curves).
    """
    encoding = data.encoding
    valid = rows[VALID].to_numpy(dtype=bool)
    dataset = Dataset(
        X=rows[list(encoding.spec.names)].reset_index(drop=True),
        y=rows[TARGET].to_numpy(),  # class index (int32) or value (float64), as build_dataset
        row_ids=rows.index.to_numpy(dtype=np.int64),
        schema=schema,
        spec=encoding.spec,
        classes=encoding.classes,
        n_dropped_missing_target=data.n_dropped_missing_target,
        n_inf_replaced=0,
    )
    split = replace(model, train_index=np.flatnonzero(~valid), valid_index=np.flatnonzero(valid))
    return dataset, split


def cluster_worth(
    client: Client,
    data: ClusterDataset,
    schema: Schema,
    model: TrainedModel,
    *,
    max_rows: int = WORTH_ROWS,
    seed: int = 0,
) -> ClusterWorth:
    """Baselines, comparison, tree curve and deployment facts of ``model`` on a sample.

    Parameters
    ----------
    client
        The cluster's client.
    data
        The encoded rows on the workers, with their hash split.
    schema, model
        The run's schema and its model trained on the cluster.
    max_rows
        Most training rows, and most validation rows, gathered (see
        :func:`gather_split_sample`).
    seed
        Draws the sample and seeds the bootstrap, as ``model_worth``'s seed does.

    Returns
    -------
    ClusterWorth
        The entries :func:`explainers._model_worth.worth_of` computes on the sampled
        rows, the row counts, and the seconds of each part.

    Raises
    ------
    ClusterError
        When a worker or the connection is lost while the rows are gathered.
    DataError
        As :func:`explainers.compare_baselines` raises it (no feature has values in the
        sampled training rows).
    """
    start = perf_counter()
    with cluster_stage("gathering the rows for the baselines"):
        rows = gather_split_sample(client, data, max_rows=max_rows, seed=seed)
    dataset, sampled = sample_dataset(rows, data, schema, model)
    gathered = perf_counter() - start
    skip = None
    if dataset.classes is not None:  # a class too rare to be drawn: nothing to fit a baseline on
        drawn = np.unique(dataset.y[sampled.train_index])
        if len(drawn) < len(dataset.classes):
            skip = "sample_lacks_a_class"
    document, seconds = worth_of(sampled, dataset, seed=seed, skip_baselines=skip)
    return ClusterWorth(
        document=document,
        n_train=len(sampled.train_index),
        n_valid=len(sampled.valid_index),
        seconds={"worth_rows": gathered, **seconds},
    )
