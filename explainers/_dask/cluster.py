"""Connecting to a Dask cluster: a scheduler's address, or ``local:N`` for a local one.

``local:N`` starts a :class:`distributed.LocalCluster` of ``N`` worker processes (one
thread each) on the loopback interface, with no web dashboard, and stops it when the
``with`` block ends. Any other address is a running scheduler (``tcp://host:8786``,
``tls://...``); it is connected to with a short timeout so that a wrong address fails in
seconds with a :class:`~explainers.ClusterError` saying what to do.

Dask sends work and results between the client and the workers as pickles: connect only
to a scheduler you (or your organisation) run.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import dask
from distributed import Client, LocalCluster

from .._device import resolve_device
from .._errors import ClusterError
from .._types import Device, DeviceChoice

CONNECT_TIMEOUT_S = 5.0
"""How long connecting to a scheduler may take before the run gives up."""
MAX_LOCAL_WORKERS = 256
_LOCAL = re.compile(r"local:(\d+)")
_ADDRESS = re.compile(r"(?:(tcp|tls|inproc|ucx|ws|wss)://)?([^\s/:]+|\[[0-9a-fA-F:]+\])(?::(\d+))?")


@dataclass(frozen=True)
class SchedulerAddress:
    """A parsed ``--scheduler`` value: ``local`` with its worker count, or a remote address."""

    kind: Literal["local", "remote"]
    address: str
    n_workers: int = 0


@dataclass(frozen=True)
class Connection:
    """A connected client, how many workers answered, and where it is."""

    client: Client
    address: SchedulerAddress
    n_workers: int


def parse_address(text: str) -> SchedulerAddress:
    """Parse ``local:N`` or a scheduler address (``tcp://host:port``, ``host:port``).

    Raises
    ------
    ClusterError
        For anything else, with the accepted forms in the message.
    """
    value = text.strip()
    local = _LOCAL.fullmatch(value)
    if local:
        n = int(local.group(1))
        if not 1 <= n <= MAX_LOCAL_WORKERS:
            raise ClusterError(
                f"local:{n} asks for {n} workers; give between 1 and {MAX_LOCAL_WORKERS}, "
                "for example local:2.",
                code="bad_scheduler",
                n=n,
            )
        return SchedulerAddress("local", value, n)
    remote = _ADDRESS.fullmatch(value)
    if not value or remote is None or value.startswith("local"):
        raise ClusterError(
            "The scheduler address is not understood. Give a Dask scheduler address such "
            "as tcp://host:8786, or local:N to start N local worker processes.",
            code="bad_scheduler",
        )
    scheme, host, port = remote.groups()
    return SchedulerAddress("remote", f"{scheme or 'tcp'}://{host}:{port or '8786'}")


@contextmanager
def connect(text: str, *, timeout_s: float = CONNECT_TIMEOUT_S) -> Iterator[Connection]:
    """Connect to the cluster ``text`` names (see :func:`parse_address`); close on exit.

    A ``local:N`` cluster is started here and stopped on exit. A remote scheduler that
    does not answer within ``timeout_s`` seconds, or has no worker, raises
    :class:`ClusterError`.
    """
    address = parse_address(text)
    seconds = f"{timeout_s:g}s"
    with dask.config.set({"distributed.comm.timeouts.connect": seconds}):
        if address.kind == "local":
            cluster = start_local(address)
            try:
                with Client(cluster) as client:
                    yield Connection(client, address, address.n_workers)
            finally:
                cluster.close()
            return
        client = remote_client(address, timeout_s)
    try:
        yield Connection(client, address, check_workers(client, address))
    finally:
        client.close()


def start_local(address: SchedulerAddress, *, processes: bool = True) -> LocalCluster:
    """A :class:`LocalCluster` of ``address.n_workers`` one-thread workers with no web
    dashboard: worker processes on the loopback interface, or threads of this process
    (``processes=False``: what the app uses, see :mod:`explainers._dask.app_client`)."""
    # In-process workers talk "inproc"; their HTTP servers (health, metrics) would listen on
    # every interface unless given the loopback one.
    placement: dict[str, Any] = (
        {"host": "127.0.0.1"}
        if processes
        else {
            "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"},
            "worker_dashboard_address": "127.0.0.1:0",
        }
    )
    return LocalCluster(
        n_workers=address.n_workers,
        threads_per_worker=1,
        processes=processes,
        dashboard_address=None,
        silence_logs=logging.ERROR,
        **placement,
    )


def check_workers(client: Client, address: SchedulerAddress) -> int:
    """How many workers the scheduler has; a :class:`ClusterError` when it has none."""
    n_workers = len(client.scheduler_info().get("workers", {}))
    if n_workers == 0:
        raise ClusterError(
            f"The scheduler at {address.address} has no workers. Start at least one "
            f"with 'dask worker {address.address}', then run again.",
            code="no_workers",
            address=address.address,
        )
    return n_workers


def remote_client(address: SchedulerAddress, timeout_s: float) -> Client:
    """A client of the scheduler at ``address``; a ClusterError when it does not answer."""
    try:
        return Client(address.address, timeout=timeout_s, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise ClusterError(
            f"No Dask scheduler answered at {address.address} within {timeout_s:g} s. Check "
            "the address and port, that 'dask scheduler' is running there, and that this "
            "machine can reach it; or use --scheduler local:2 to run on this machine.",
            code="scheduler_unreachable",
            address=address.address,
            detail=type(error).__name__,
        ) from None


def cluster_device(client: Client, requested: DeviceChoice) -> Device:
    """The device the workers train and explain on: CUDA only when every worker has it.

    ``requested="cuda"`` with a worker lacking a usable GPU raises
    :class:`~explainers.DeviceError`.
    """
    if requested == "cpu":
        return "cpu"
    found = client.run(resolve_device, requested)
    return "cuda" if found and all(d == "cuda" for d in found.values()) else "cpu"
