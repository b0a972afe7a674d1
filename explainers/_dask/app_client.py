"""The app's one connection to its Dask cluster, kept for the life of the server process.

The app's background jobs (the exact values of every row, the audit, the learning curve)
share one client per scheduler address instead of connecting for each job: a job then
starts in milliseconds, and ``local:N`` starts its N worker processes once, not once per
job. A client whose scheduler went away is replaced at the next job; every client (and
the local cluster behind a ``local:N``) is closed when the process exits.

In the app, ``local:N`` runs its N workers as threads of the server process, not as
processes: a process started by ``multiprocessing`` imports the parent's main module
again, which in a Streamlit server is the app's script (its pages would run in every
worker, and again at each worker restart). XGBoost and NumPy release the GIL while they
compute, so the threads work in parallel. A real cluster is a scheduler address.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import dask
from distributed import Client, LocalCluster

from .cluster import CONNECT_TIMEOUT_S, check_workers, parse_address, remote_client, start_local

_LOCK = threading.Lock()
_OPEN: dict[str, tuple[Client, LocalCluster | None]] = {}


@contextmanager
def app_client(text: str, *, timeout_s: float = CONNECT_TIMEOUT_S) -> Iterator[Client]:
    """The process's client of the cluster ``text`` names (connected or started now when
    there is none yet, or when the last one lost its scheduler).

    Raises
    ------
    ClusterError
        When the address is not understood, the scheduler does not answer within
        ``timeout_s`` seconds, or it has no worker.
    """
    client = _client(text, timeout_s)
    with client.as_current():  # this thread's default client (the app's jobs run in threads)
        yield client


def _client(text: str, timeout_s: float) -> Client:
    address = parse_address(text)
    with _LOCK:
        found = _OPEN.get(address.address)
        if found is not None:
            if found[0].status == "running":
                return found[0]
            _close(*_OPEN.pop(address.address))
        with dask.config.set({"distributed.comm.timeouts.connect": f"{timeout_s:g}s"}):
            if address.kind == "local":
                cluster: LocalCluster | None = start_local(address, processes=False)
                client = Client(cluster, set_as_default=False)
            else:
                cluster, client = None, remote_client(address, timeout_s)
        try:
            check_workers(client, address)
        except BaseException:
            _close(client, cluster)
            raise
        _OPEN[address.address] = (client, cluster)
        return client


def _close(client: Client, cluster: LocalCluster | None) -> None:
    try:
        client.close()
    finally:
        if cluster is not None:
            cluster.close()


def close_app_clients() -> None:
    """Close every client this process opened (and stop its local clusters)."""
    with _LOCK:
        while _OPEN:
            _close(*_OPEN.popitem()[1])


atexit.register(close_app_clients)
