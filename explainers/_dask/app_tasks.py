"""Independent engine calls of an app job run side by side on the Dask cluster.

The app's audit (permutation importance, the error analysis, the partial dependence of
each top feature) and its learning curve (one retraining per fraction) are made of calls
that do not depend on each other. Here each call is one Dask task: the large objects the
calls share (the model, the dataset) are sent to the cluster once, the calls run on
whichever workers are free, and the results come back in the order of the calls. The
job's progress is reported as calls finish and every quarter of a second in between, so
that the app's Stop (a progress callback that raises) is noticed at once: the calls still
queued or running are then cancelled and the exception propagates.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from distributed import Future

from .._types import Progress
from .app_client import app_client
from .failures import cluster_stage

Call = tuple[str, Callable[..., Any], tuple[str, ...], Mapping[str, Any]]
"""``(stage, function, uses, kwargs)``: ``function(**{name: shared[name] for name in
uses}, **kwargs)`` on a worker, ``stage`` being the progress message while it is the
first unfinished call."""

POLL_S = 0.25
"""Seconds between progress reports while no call finishes (how soon a Stop is seen)."""


def _apply(
    function: Callable[..., Any], shared: Mapping[str, Any], kwargs: Mapping[str, Any]
) -> Any:
    """A call on a worker (its shared objects arrive resolved from the cluster's memory)."""
    return function(**shared, **kwargs)


def run_calls(
    scheduler: str,
    shared: Mapping[str, Any],
    calls: Sequence[Call],
    *,
    progress: Progress | None = None,
    stage: str = "the job",
) -> list[Any]:
    """Run ``calls`` on the cluster ``scheduler``; return their results in call order.

    Parameters
    ----------
    scheduler
        A Dask scheduler's address or ``local:N``.
    shared
        Objects the calls take by keyword, each sent to the cluster once.
    calls
        The calls (see :data:`Call`).
    progress
        ``(finished, len(calls), stage)``.
    stage
        Named in the :class:`~explainers.ClusterError` when a worker is lost.

    Raises
    ------
    ClusterError
        When the scheduler does not answer or a worker is lost for good. An engine error
        raised by a call (a :class:`~explainers.DataError`, say) is raised unchanged.
    """
    with app_client(scheduler) as client, cluster_stage(stage):
        handles = {name: client.scatter([item], hash=False)[0] for name, item in shared.items()}
        job = uuid.uuid4().hex[:12]
        futures: list[Future[Any]] = [
            client.submit(
                _apply,
                function,
                {name: handles[name] for name in uses},
                dict(kwargs),
                key=f"xai-{job}-{i}-{name}",
                pure=False,
                retries=1,
            )
            for i, (name, function, uses, kwargs) in enumerate(calls)
        ]
        try:
            return _collect(futures, [call[0] for call in calls], progress)
        finally:
            client.cancel([*futures, *handles.values()])


def _collect(futures: list[Future[Any]], stages: list[str], progress: Progress | None) -> list[Any]:
    """Wait for every future, reporting progress; a call's error is raised as soon as it
    happens (the caller cancels the rest)."""
    results: list[Any] = [None] * len(futures)
    pending = set(range(len(futures)))
    while True:
        for i in sorted(pending):
            if futures[i].done():
                results[i] = futures[i].result()  # raises the call's own error
                pending.discard(i)
        if progress is not None:
            first = min(pending) if pending else len(stages) - 1
            progress(len(futures) - len(pending), len(futures), stages[first] if stages else "")
        if not pending:
            return results
        time.sleep(POLL_S)
