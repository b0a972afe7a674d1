"""Exact TreeSHAP through XGBoost's own ``pred_contribs`` and ``pred_interactions``."""

from __future__ import annotations

import os
import threading
import time
import weakref
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xgboost as xgb

from ._device import resolve_device
from ._distinct import PREDICT_POLICY, SHAP_POLICY, DistinctRows, plan_distinct
from ._training import TrainedModel
from ._types import Backend, Device, DeviceChoice, Progress

CHUNK_ROWS = 50_000
FIRST_TIMED_CHUNK = 64
"""Rows of the first chunk when chunks are sized by time (``chunk_seconds``)."""
FEW_ROWS = 32
"""Inputs of at most this many rows (a row switch, a what-if edit) run on one CPU thread by
default, with a configured copy of the booster kept for the model: copying a booster costs
more than explaining a row, and more threads only contend with other work."""

_Kept = tuple[xgb.Booster, threading.Lock]  # a configured copy, one call at a time on it
_kept: weakref.WeakKeyDictionary[xgb.Booster, dict[tuple[str, int], _Kept]]
_kept = weakref.WeakKeyDictionary()  # each lives as long as its model's booster
_kept_lock = threading.Lock()


@dataclass(frozen=True)
class ShapResult:
    """SHAP values of some rows, one set per model output.

    ``values`` has shape (n, k, f): k is the number of classes for multiclass
    and 1 otherwise. ``base_values`` (n, k) plus the sum over features equals
    ``margin`` (n, k), the model's raw output. ``row_ids`` are the rows'
    0-based positions in the input file; ``rows`` their positions in the dataset.
    ``distinct_rows`` is how many distinct rows TreeSHAP computed when repeated rows
    were computed once (see :func:`plan_distinct`), None when every row was computed.
    """

    values: np.ndarray
    base_values: np.ndarray
    margin: np.ndarray
    features: tuple[str, ...]
    display_names: dict[str, str]
    rows: np.ndarray
    row_ids: np.ndarray
    backend: Backend
    device: Device
    seconds: float
    distinct_rows: int | None = None

    @property
    def n_outputs(self) -> int:
        """Number of model outputs k."""
        return int(self.values.shape[1])

    def for_output(self, k: int = 0) -> np.ndarray:
        """SHAP values (n, f) of output ``k``."""
        return self.values[:, k, :]

    def mean_abs(self, k: int | None = None) -> np.ndarray:
        """Mean |SHAP| per feature, for output ``k`` or summed over outputs when None."""
        magnitude = np.abs(self.values)
        if k is not None:
            return magnitude[:, k, :].mean(axis=0)
        return magnitude.mean(axis=0).sum(axis=0)

    def ranking(self, k: int | None = None) -> list[tuple[str, float]]:
        """Features with their mean |SHAP|, largest first."""
        scores = self.mean_abs(k)
        order = np.argsort(-scores, kind="stable")
        return [(self.features[i], float(scores[i])) for i in order]


@dataclass(frozen=True)
class InteractionResult:
    """SHAP interaction values (n, k, f, f) of a sample of rows.

    ``distinct_rows`` as in :class:`ShapResult`.
    """

    values: np.ndarray
    features: tuple[str, ...]
    rows: np.ndarray
    backend: Backend
    seconds: float
    distinct_rows: int | None = None

    def strength(self, k: int | None = None) -> np.ndarray:
        """Mean |interaction| (f, f), off-diagonal interactions counted both ways."""
        magnitude = np.abs(self.values)
        if k is not None:
            return magnitude[:, k].mean(axis=0)
        return magnitude.mean(axis=0).sum(axis=0)

    def strongest_partner(self, feature: str, k: int | None = None) -> str | None:
        """The feature that interacts most with ``feature``, or None if there is only one."""
        if len(self.features) < 2:
            return None
        i = self.features.index(feature)
        row = self.strength(k)[i].copy()
        row[i] = -np.inf
        return self.features[int(np.argmax(row))]


def _backend(device: Device) -> Backend:
    return "xgboost-cuda" if device == "cuda" else "xgboost-cpu"


def _booster_on(model: TrainedModel, device: Device, threads: int | None = None) -> xgb.Booster:
    booster = model.booster.copy()
    booster.set_param({"device": device, "nthread": threads or os.cpu_count() or 1})
    return booster


def _kept_booster(model: TrainedModel, device: Device, threads: int) -> _Kept:
    """The model's booster configured for ``device`` and ``threads``, made once (copied
    outside the lock: a large model's first copy holds no other model up), with its lock."""
    key = (device, threads)
    with _kept_lock:
        found = _kept.get(model.booster, {}).get(key)
    if found is not None:
        return found
    made = (_booster_on(model, device, threads), threading.Lock())
    with _kept_lock:
        return _kept.setdefault(model.booster, {}).setdefault(key, made)


def _timed_chunk(rows: int, seconds: float, target: float, most: int) -> int:
    """The next chunk's rows so that it takes about ``target`` seconds, given that the last
    one's ``rows`` took ``seconds``: at most 4 times more or less at once, 1 to ``most``."""
    wanted = rows * target / max(seconds, 1e-6)
    return int(min(max(wanted, rows / 4, 1), rows * 4, most))


def _reshape(raw: np.ndarray, n: int, k: int, width: int) -> np.ndarray:
    return np.asarray(raw, dtype=np.float64).reshape(n, k, width)


def _plan(X: pd.DataFrame, distinct: bool, device: Device) -> DistinctRows | None:
    if not distinct:
        return None
    return plan_distinct(X, policy=SHAP_POLICY if device == "cpu" else PREDICT_POLICY)


def compute_shap(
    model: TrainedModel,
    X: pd.DataFrame,
    *,
    rows: np.ndarray | None = None,
    row_ids: np.ndarray | None = None,
    device: DeviceChoice = "auto",
    progress: Progress | None = None,
    chunk_rows: int | None = None,
    chunk_seconds: float | None = None,
    threads: int | None = None,
    distinct: bool = True,
) -> ShapResult:
    """Exact TreeSHAP values of encoded features ``X`` with XGBoost's ``pred_contribs``.

    Runs on the GPU when ``device`` resolves to CUDA, else on ``threads`` CPU cores
    (by default all, or one for at most :data:`FEW_ROWS` rows), in chunks of
    ``chunk_rows`` so that ``progress`` can report (and, by raising, stop the work). With
    ``chunk_seconds``, chunks start small and grow or shrink (up to ``chunk_rows``) to take
    about that long each, so that reports come that often whatever the model's size. The
    result names the backend.

    With ``distinct`` (the default), when a sample shows that rows repeat (see
    :func:`plan_distinct`), each distinct row is computed once and its values given
    to each of its copies: the values are those of computing every row.
    """
    if chunk_seconds is not None and not chunk_seconds > 0:
        raise ValueError("chunk_seconds must be a positive number of seconds")
    chosen = resolve_device(device)
    n, k, f = len(X), model.n_outputs, len(model.spec.names)
    few = n <= FEW_ROWS
    using: AbstractContextManager[object] = nullcontext()
    if few:
        booster, using = _kept_booster(model, chosen, threads or 1)
    else:
        booster = _booster_on(model, chosen, threads)
    start = time.perf_counter()
    if progress is not None:
        progress(0, n, "shap")  # the bar says what runs before the first chunk is done
    plan = _plan(X, distinct and not few, chosen)
    work = X if plan is None else plan.take(X)
    m = len(work)
    values = np.empty((m, k, f))
    base = np.empty((m, k))
    margin = np.empty((m, k))
    most = chunk_rows or (CHUNK_ROWS if chosen == "cpu" else 1_000_000)
    size = most if chunk_seconds is None else min(most, FIRST_TIMED_CHUNK)
    for block in range(0, m, most):  # one DMatrix per block; a timed part is a slice of it
        dm = model.dmatrix(work.iloc[block : block + most])
        height = dm.num_row()
        with using:
            raw_margin = booster.predict(dm, output_margin=True)
        margin[block : block + height] = _reshape(raw_margin, height, k, 1)[:, :, 0]
        done = 0
        while done < height:
            took = time.perf_counter()
            whole = done == 0 and size >= height
            part = dm if whole else dm.slice(np.arange(done, min(done + size, height)))
            got = part.num_row()
            with using:
                raw = booster.predict(part, pred_contribs=True)
            contribs = _reshape(raw, got, k, f + 1)
            at = block + done
            values[at : at + got] = contribs[:, :, :f]
            base[at : at + got] = contribs[:, :, f]
            took = time.perf_counter() - took
            done += got
            if progress is not None:
                progress(n * (block + done) // m, n, "shap")
            if chunk_seconds is not None and got == size:  # a block's short tail: no measure
                size = _timed_chunk(got, took, chunk_seconds, most)
    if plan is not None:
        values, base, margin = plan.spread(values), plan.spread(base), plan.spread(margin)
    seconds = time.perf_counter() - start
    rows_arr = np.arange(n) if rows is None else np.asarray(rows)
    return ShapResult(
        values=values,
        base_values=base,
        margin=margin,
        features=tuple(model.spec.names),
        display_names=dict(model.spec.display_names),
        rows=rows_arr,
        row_ids=rows_arr if row_ids is None else np.asarray(row_ids),
        backend=_backend(chosen),
        device=chosen,
        seconds=seconds,
        distinct_rows=None if plan is None else plan.n_distinct,
    )


def compute_interactions(
    model: TrainedModel,
    X: pd.DataFrame,
    *,
    rows: np.ndarray | None = None,
    device: DeviceChoice = "auto",
    distinct: bool = True,
) -> InteractionResult:
    """Exact SHAP interaction values of ``X`` with XGBoost's ``pred_interactions``.

    One (f+1) x (f+1) matrix per row and output: call it on a sample of rows.
    ``distinct`` computes repeated rows once, as in :func:`compute_shap`.
    """
    chosen = resolve_device(device)
    booster = _booster_on(model, chosen)
    k, f = model.n_outputs, len(model.spec.names)
    start = time.perf_counter()
    plan = _plan(X, distinct, chosen)
    work = X if plan is None else plan.take(X)
    raw = booster.predict(model.dmatrix(work), pred_interactions=True)
    values = np.asarray(raw, dtype=np.float64).reshape(len(work), k, f + 1, f + 1)[:, :, :f, :f]
    return InteractionResult(
        values=values if plan is None else plan.spread(values),
        features=tuple(model.spec.names),
        rows=np.arange(len(X)) if rows is None else np.asarray(rows),
        backend=_backend(chosen),
        seconds=time.perf_counter() - start,
        distinct_rows=None if plan is None else plan.n_distinct,
    )
