"""The optional Dask cluster of the app: ``XAI_DASK_SCHEDULER`` in the environment.

When it is set (a scheduler's address such as ``tcp://host:8786``, or ``local:N``), the
background jobs run on that cluster, with the same progress and Stop: the exact values of
every row (partition by partition), the audit (permutation importance, the error
analysis and each top feature's partial dependence side by side) and the learning curve
(one retraining per fraction). The app keeps one connection to it for its lifetime. The
rows of the table then travel to the cluster's workers: set it only to a cluster you
trust with the data.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from explainers import ClusterError, Progress, ShapResult, TrainedModel

ENVIRONMENT_VARIABLE = "XAI_DASK_SCHEDULER"


def cluster_scheduler() -> str | None:
    """The scheduler the app sends its background SHAP job to, or None (this machine)."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    return value or None


def scheduler_label(scheduler: str, *, max_len: int = 80) -> str:
    """``scheduler`` as shown inside a Markdown code span: printable, no backtick, cut."""
    text = "".join(ch for ch in scheduler if ch.isprintable() and ch != "`")
    return text if len(text) <= max_len else text[: max_len - 1] + "…"


def _missing_dask() -> ClusterError:
    return ClusterError(
        f"{ENVIRONMENT_VARIABLE} is set but Dask is not installed. Install it with "
        'pip install "xai-dashboard[dask]", or unset the variable.',
        code="dask_missing",
    )


def cluster_calls(
    scheduler: str,
    shared: Mapping[str, Any],
    calls: Sequence[tuple[str, Callable[..., Any], tuple[str, ...], Mapping[str, Any]]],
    *,
    progress: Progress,
    stage: str,
) -> list[Any]:
    """Independent engine calls run side by side on the cluster ``scheduler``, their
    results in call order (see :func:`explainers._dask.app_tasks.run_calls`)."""
    try:
        from explainers._dask.app_tasks import run_calls
    except ImportError:
        raise _missing_dask() from None
    return run_calls(scheduler, shared, calls, progress=progress, stage=stage)


def cluster_shap(
    model: TrainedModel,
    X: pd.DataFrame,
    *,
    scheduler: str,
    row_ids: np.ndarray,
    progress: Progress,
    partition_rows: int,
) -> ShapResult:
    """Exact SHAP values of every row of ``X`` on the cluster ``scheduler`` (see
    :func:`explainers._dask.app_shap.shap_on_cluster`)."""
    try:
        from explainers._dask.app_shap import shap_on_cluster
    except ImportError:
        raise _missing_dask() from None
    return shap_on_cluster(
        model,
        X,
        scheduler=scheduler,
        row_ids=row_ids,
        progress=progress,
        partition_rows=partition_rows,
    )
