"""What a failure on the cluster becomes: a :class:`~explainers.ClusterError` that says
which stage failed, why in general terms, and what to do. No cell value is quoted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import xgboost as xgb
from distributed import KilledWorker
from distributed.client import FutureCancelledError
from distributed.comm.core import CommClosedError

from .._errors import ClusterError, ExplainerError

_LOST = (KilledWorker, FutureCancelledError, CommClosedError, ConnectionError, TimeoutError)


@contextmanager
def cluster_stage(stage: str) -> Iterator[None]:
    """Turn a lost worker, a lost connection or an XGBoost failure during ``stage`` into a
    :class:`ClusterError`; the engine's own errors pass through unchanged."""
    try:
        yield
    except ExplainerError:
        raise
    except _LOST as error:
        raise ClusterError(
            f"A worker of the Dask cluster died or the connection was lost during {stage}, "
            "and the work could not be finished; no partial output was kept. Run again; if "
            "it happens again, give the workers more memory (a worker is killed when it "
            "passes its memory limit) or use smaller parts.",
            code="worker_lost",
            stage=stage,
            detail=type(error).__name__,
        ) from None
    except xgb.core.XGBoostError as error:
        raise ClusterError(
            f"XGBoost failed on the cluster during {stage}. Check that every worker has the "
            "same XGBoost version as this machine, and that the target and features are "
            "usable.",
            code="cluster_xgboost_failed",
            stage=stage,
            detail=str(error).splitlines()[0][:200] if str(error) else "",
        ) from None
