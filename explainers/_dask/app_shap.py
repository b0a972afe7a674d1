"""Exact SHAP values of an in-memory table's every row, computed on a Dask cluster.

This is the app's background job ("exact values of every row") sent to a cluster: the
encoded rows are split into partitions, each partition's values come from the
single-process :func:`explainers.compute_shap` on a worker, and the client gathers them
in order into one :class:`~explainers.ShapResult`, reporting each partition to
``progress``. When ``progress`` raises (the app's Stop), the partitions still queued or
running are cancelled and the exception propagates.
"""

from __future__ import annotations

import time

import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask.delayed import Delayed, delayed
from distributed import get_worker

from .._shap import ShapResult, compute_shap
from .._training import TrainedModel
from .._types import DeviceChoice, Progress
from .app_client import app_client
from .cluster import cluster_device
from .failures import cluster_stage
from .shap_parts import in_order_of_arrival

PARTITION_ROWS = 10_000
"""Rows per partition sent to a worker (how often the job reports and can stop)."""


def _partition_values(frame: pd.DataFrame, model: TrainedModel, device: str) -> ShapResult:
    """SHAP values of one partition (runs on a worker, on its own threads)."""
    rows = frame.index.to_numpy(dtype=np.int64)
    threads = max(get_worker().state.nthreads, 1)
    return compute_shap(
        model, frame, rows=rows, device="cuda" if device == "cuda" else "cpu", threads=threads
    )


def shap_on_cluster(
    model: TrainedModel,
    X: pd.DataFrame,
    *,
    scheduler: str,
    row_ids: np.ndarray | None = None,
    device: DeviceChoice = "auto",
    progress: Progress | None = None,
    partition_rows: int = PARTITION_ROWS,
) -> ShapResult:
    """Exact SHAP values of every row of encoded features ``X``, on the cluster ``scheduler``.

    Parameters
    ----------
    model
        The model to explain; it travels to the workers with the rows.
    X
        Encoded features (see :meth:`explainers.FeatureSpec.encode`).
    scheduler
        A Dask scheduler's address or ``local:N`` (see
        :func:`explainers._dask.cluster.parse_address`).
    row_ids
        The rows' positions in the input file (``X``'s positions when None).
    device
        ``auto`` uses the workers' GPUs when every worker has one.
    progress
        ``(done, total, "shap")`` after each partition, ``total`` being the rows.
    partition_rows
        Rows per partition.

    Raises
    ------
    ClusterError
        When the scheduler does not answer or a worker is lost for good.
    """
    start = time.perf_counter()
    n, k, f = len(X), model.n_outputs, len(model.spec.names)
    frame = X[list(model.spec.names)].reset_index(drop=True)
    with app_client(scheduler) as client, cluster_stage("computing SHAP values"):
        chosen = cluster_device(client, device)
        parts = dd.from_pandas(frame, chunksize=max(partition_rows, 1), sort=False)
        shared = delayed(model, pure=True)
        make = delayed(_partition_values, pure=True)
        tasks: list[Delayed] = [make(part, shared, chosen) for part in parts.to_delayed()]
        values, base, margin = np.empty((n, k, f)), np.empty((n, k)), np.empty((n, k))
        done = 0
        if progress is not None:
            progress(0, n, "shap")
        for _, result in in_order_of_arrival(client, tasks):
            rows = result.rows
            values[rows], base[rows], margin[rows] = (
                result.values,
                result.base_values,
                result.margin,
            )
            done += len(rows)
            if progress is not None:
                progress(done, n, "shap")
    positions = np.arange(n)
    return ShapResult(
        values=values,
        base_values=base,
        margin=margin,
        features=tuple(model.spec.names),
        display_names=dict(model.spec.display_names),
        rows=positions,
        row_ids=positions if row_ids is None else np.asarray(row_ids),
        backend="xgboost-cuda" if chosen == "cuda" else "xgboost-cpu",
        device=chosen,
        seconds=time.perf_counter() - start,
    )
