"""Exact SHAP values of every row on the cluster, written as a Parquet dataset.

The values come from XGBoost's own TreeSHAP (``pred_contribs``) on each worker, through
the single-process :func:`explainers.compute_shap` (on the worker's GPU when the device
is CUDA), partition by partition. ``xgboost.dask.predict`` is not used here: on a
``DaskDMatrix`` it pins each partition to the worker holding it, so a lost worker stalls
the job; plain Dask tasks are recomputed elsewhere. Each partition becomes a table
with the columns of ``shap_values.csv``
(``row``, ``class`` for multiclass, features, ``base_value``, ``margin``; see
:func:`explainers.shap_frame`) on its worker; the client receives one partition at a
time, writes it as ``part.NNNNN.parquet`` and keeps a running sum of |SHAP| per feature.

The parts go to a hidden folder beside the output, renamed to ``shap_values.parquet``
only when every part is written: a failed or stopped job leaves no partial dataset.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from dask.delayed import Delayed, delayed
from distributed import Client, Future, as_completed, get_worker

from .._export import shap_frame
from .._shap import compute_shap
from .._training import TrainedModel
from .._types import Device, Progress

IN_FLIGHT_PER_WORKER = 2
"""Partitions computed ahead of the writer, per worker: bounds the results held at once."""


@dataclass(frozen=True)
class ShapParts:
    """What was written: rows, parts, and the mean |SHAP| of each feature over all rows.

    ``mean_abs`` is summed over the outputs of a multiclass model, as
    :meth:`explainers.ShapResult.mean_abs` does.
    """

    path: Path
    n_rows: int
    n_parts: int
    mean_abs: dict[str, float]
    device: Device
    rows_computed: int = 0
    """Rows TreeSHAP computed over all parts (each part computes its distinct rows once)."""
    distinct_rows: int | None = None
    """The sum of the parts' distinct rows when every part computed distinct rows only."""

    def ranking(self) -> list[tuple[str, float]]:
        """Features with their mean |SHAP|, largest first."""
        return sorted(self.mean_abs.items(), key=lambda item: -item[1])


def shap_part(
    frame: pd.DataFrame, model: TrainedModel, device: Device
) -> tuple[pd.DataFrame, int | None]:
    """The ``shap_values`` table of one encoded partition (indexed by ``row``; on a worker),
    and how many distinct rows it computed (None: every row).

    The values come from :func:`explainers.compute_shap`, the single-process function
    (XGBoost's ``pred_contribs`` and margin, each distinct row once), on the worker's own
    threads.
    """
    worker = get_worker()
    rows = frame.index.to_numpy(dtype=np.int64)
    result = compute_shap(
        model,
        frame[list(model.spec.names)],
        rows=rows,
        row_ids=rows,
        device=device,
        threads=max(worker.state.nthreads, 1),
    )
    table = shap_frame(result, model)
    floats = [c for c in table.columns[1:] if table[c].dtype == np.float64]
    table = table.astype(dict.fromkeys(floats, np.float32))  # XGBoost's own precision
    return table, result.distinct_rows


def shap_tasks(model: TrainedModel, frame: dd.DataFrame, device: Device) -> list[Delayed]:
    """One delayed ``shap_values`` table per partition of ``frame``.

    The model is one node of the graph that every task shares, so a task lost with its
    worker is recomputed elsewhere from the graph alone.
    """
    shared = delayed(model, pure=True)
    make = delayed(shap_part, pure=True)
    return [make(part, shared, device) for part in frame.to_delayed()]


def write_shap_parts(
    client: Client,
    model: TrainedModel,
    frame: dd.DataFrame,
    out: Path,
    *,
    device: Device,
    progress: Progress | None = None,
) -> ShapParts:
    """Compute every partition's SHAP values and write ``out/shap_values.parquet/``.

    ``progress(done, total, "shap")`` is called after each part; if it raises, the job is
    cancelled, nothing is left in ``out`` and the exception propagates (this is how a
    user's Stop works).
    """
    final = out / "shap_values.parquet"
    partial = out / f".shap_values.parquet.partial-{uuid.uuid4().hex[:12]}"
    partial.mkdir(parents=True)
    features = list(model.spec.names)
    names = [model.spec.display_names.get(c, c) for c in features]
    sums = np.zeros(len(features))
    n_rows = computed = 0
    distinct: list[int | None] = []
    try:
        tasks = shap_tasks(model, frame, device)
        total = len(tasks)
        if progress is not None:
            progress(0, total, "shap")
        for done, (i, (part, part_distinct)) in enumerate(
            in_order_of_arrival(client, tasks), start=1
        ):
            pq.write_table(
                pa.Table.from_pandas(part, preserve_index=False),
                partial / f"part.{i:05d}.parquet",
            )
            values = part.iloc[:, _feature_positions(part, names)].to_numpy(dtype=np.float64)
            sums += np.abs(values).sum(axis=0)
            part_rows = len(part) // model.n_outputs
            n_rows += part_rows
            computed += part_rows if part_distinct is None else part_distinct
            distinct.append(part_distinct)
            if progress is not None:
                progress(done, total, "shap")
        if final.exists():
            shutil.rmtree(final)
        partial.rename(final)
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    mean = sums / max(n_rows, 1)
    return ShapParts(
        path=final,
        n_rows=n_rows,
        n_parts=total,
        mean_abs={f: float(v) for f, v in zip(features, mean, strict=True)},
        device=device,
        rows_computed=computed,
        distinct_rows=None if None in distinct else sum(d for d in distinct if d is not None),
    )


def _feature_positions(part: pd.DataFrame, names: list[str]) -> list[int]:
    """Positions of the feature columns: after ``row`` (and ``class``), before the last two."""
    start = part.shape[1] - 2 - len(names)
    return list(range(start, part.shape[1] - 2))


def in_order_of_arrival(client: Client, tasks: list[Delayed]) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, table)`` as partitions finish, a bounded number in flight.

    On an early exit (an error, a Stop) the futures still queued or running are cancelled.
    """
    window = IN_FLIGHT_PER_WORKER * max(len(client.scheduler_info().get("workers", {})), 1)
    pending = iter(enumerate(tasks))
    index_of: dict[Future[Any], int] = {}

    def submit() -> Future[Any] | None:
        item = next(pending, None)
        if item is None:
            return None
        future: Future[Any] = client.compute(item[1])
        index_of[future] = item[0]
        return future

    started = [f for f in (submit() for _ in range(window)) if f is not None]
    queue = as_completed(started)
    try:
        for future in queue:
            table = future.result()
            index = index_of.pop(future)
            future.release()
            following = submit()
            if following is not None:
                queue.add(following)
            yield index, table
    finally:
        for future in index_of:
            future.cancel()
        queue.clear()
