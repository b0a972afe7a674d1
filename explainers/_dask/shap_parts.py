"""Exact SHAP values of every row on the cluster, written as a Parquet dataset.

The values come from ``xgboost.dask.predict(..., pred_contribs=True)`` (XGBoost's own
TreeSHAP on each worker, on its GPU when the booster's device is CUDA), partition by
partition. Each partition becomes a table with the columns of ``shap_values.csv``
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

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import xgboost as xgb
import xgboost.dask
from dask.delayed import Delayed, delayed
from distributed import Client, Future, as_completed

from .._export import shap_frame
from .._shap import ShapResult
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

    def ranking(self) -> list[tuple[str, float]]:
        """Features with their mean |SHAP|, largest first."""
        return sorted(self.mean_abs.items(), key=lambda item: -item[1])


def shap_part(
    contribs: np.ndarray, margin: np.ndarray, rows: np.ndarray, model: TrainedModel
) -> pd.DataFrame:
    """The ``shap_values`` table of one partition (runs on a worker)."""
    n, k, f = len(rows), model.n_outputs, len(model.spec.names)
    values = np.asarray(contribs, dtype=np.float32).reshape(n, k, f + 1)
    result = ShapResult(
        values=values[:, :, :f],
        base_values=values[:, :, f],
        margin=np.asarray(margin, dtype=np.float32).reshape(n, k),
        features=tuple(model.spec.names),
        display_names=dict(model.spec.display_names),
        rows=np.asarray(rows),
        row_ids=np.asarray(rows, dtype=np.int64),
        backend="xgboost-cpu",  # not written: shap_frame takes the values only
        device="cpu",
        seconds=0.0,
    )
    return shap_frame(result, model)


def shap_tasks(
    client: Client, model: TrainedModel, frame: dd.DataFrame
) -> tuple[list[Delayed], list[object]]:
    """One delayed ``shap_values`` table per partition of ``frame`` (indexed by ``row``).

    The second item holds what the tasks depend on (the matrix, the scattered booster,
    the predictions' futures): keep it referenced until the tasks are done.
    """
    features = list(model.spec.names)
    matrix = xgb.dask.DaskDMatrix(client, frame[features], enable_categorical=True)
    booster = client.scatter(model.booster, hash=False)
    client.replicate(booster)  # a copy on every worker: a lost worker does not lose it
    contribs = xgb.dask.predict(client, booster, matrix, pred_contribs=True)
    margin = xgb.dask.predict(client, booster, matrix, output_margin=True)
    rows = frame.index.to_dask_array(lengths=list(contribs.chunks[0]))
    make = delayed(shap_part, pure=True)
    parts = zip(
        contribs.to_delayed().ravel(),
        margin.to_delayed().ravel(),
        rows.to_delayed().ravel(),
        strict=True,
    )
    return [make(c, m, r, model) for c, m, r in parts], [matrix, booster, contribs, margin]


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
    n_rows = 0
    try:
        tasks, _held = shap_tasks(client, model, frame)
        total = len(tasks)
        if progress is not None:
            progress(0, total, "shap")
        for done, (i, part) in enumerate(_in_order_of_arrival(client, tasks), start=1):
            pq.write_table(
                pa.Table.from_pandas(part, preserve_index=False),
                partial / f"part.{i:05d}.parquet",
            )
            values = part.iloc[:, _feature_positions(part, names)].to_numpy(dtype=np.float64)
            sums += np.abs(values).sum(axis=0)
            n_rows += len(part) // model.n_outputs
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
    )


def _feature_positions(part: pd.DataFrame, names: list[str]) -> list[int]:
    """Positions of the feature columns: after ``row`` (and ``class``), before the last two."""
    start = part.shape[1] - 2 - len(names)
    return list(range(start, part.shape[1] - 2))


def _in_order_of_arrival(
    client: Client, tasks: list[Delayed]
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Yield ``(index, table)`` as partitions finish, a bounded number in flight.

    On an early exit (an error, a Stop) the futures still queued or running are cancelled.
    """
    window = IN_FLIGHT_PER_WORKER * max(len(client.scheduler_info().get("workers", {})), 1)
    pending = iter(enumerate(tasks))
    index_of: dict[Future[pd.DataFrame], int] = {}

    def submit() -> Future[pd.DataFrame] | None:
        item = next(pending, None)
        if item is None:
            return None
        future: Future[pd.DataFrame] = client.compute(item[1])
        index_of[future] = item[0]
        return future

    started = [f for f in (submit() for _ in range(window)) if f is not None]
    queue = as_completed(started)
    try:
        for future in queue:
            table: pd.DataFrame = future.result()
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
