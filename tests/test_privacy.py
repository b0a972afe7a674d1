"""Privacy: no network access at run time, a hardened server config, no cell values in logs.

The network guard replaces ``socket.socket.connect`` / ``connect_ex`` / ``sendto``,
``socket.create_connection`` and ``socket.getaddrinfo`` for the length of a test:
a loopback address (127.0.0.0/8, ::1, ``localhost``) or an AF_UNIX path passes
through, anything else is refused *before* any packet is sent and recorded.
"""

from __future__ import annotations

import io
import ipaddress
import logging
import socket
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import page_charts
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import result_cache
from dashboard.state import PENDING_UPLOAD_KEY
from explainers import ExplainerError, explain_file, explain_lime, sample_rows
from sample_data import load_sample_bytes

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
CONFIG = ROOT / ".streamlit" / "config.toml"
TIMEOUT = 240
MARKER = "ZZSECRET4711"
TEST_NET = ("203.0.113.1", 80)  # RFC 5737 TEST-NET-3: never routed, and never reached here
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


# ----------------------------------------------------------------------------- the guard


class NetworkBlocked(OSError):
    """Raised instead of opening a connection to a non-loopback address."""


def _is_loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False  # any other host name would need DNS
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


@dataclass
class NetworkGuard:
    """Records refused attempts; ``passthrough`` holds the real functions allowed calls reach."""

    passthrough: dict[str, Callable[..., Any]]
    attempts: list[str] = field(default_factory=list)

    def check(self, kind: str, family: int | None, address: Any) -> None:
        """Raise :class:`NetworkBlocked` (and record it) unless ``address`` is local."""
        if family == getattr(socket, "AF_UNIX", object()) or isinstance(address, str | bytes):
            return  # a Unix socket path (self-pipes, local IPC)
        host = address[0] if isinstance(address, tuple) and address else address
        if family in (socket.AF_INET, socket.AF_INET6, None) and _is_loopback(host):
            return
        self.attempts.append(f"{kind} family={family} address={address!r}")
        raise NetworkBlocked(f"network access blocked in tests: {kind} to {address!r}")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkGuard]:
    """Refuse and record every non-loopback connect, send or name lookup while the test runs."""
    guard = NetworkGuard(
        passthrough={
            "connect": socket.socket.connect,
            "connect_ex": socket.socket.connect_ex,
            "sendto": socket.socket.sendto,
            "create_connection": socket.create_connection,
            "getaddrinfo": socket.getaddrinfo,
        }
    )

    def connect(sock: socket.socket, address: Any) -> None:
        guard.check("connect", sock.family, address)
        return guard.passthrough["connect"](sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        guard.check("connect_ex", sock.family, address)
        return guard.passthrough["connect_ex"](sock, address)

    def sendto(sock: socket.socket, data: bytes, *args: Any) -> int:
        guard.check("sendto", sock.family, args[-1])
        return guard.passthrough["sendto"](sock, data, *args)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        guard.check("create_connection", None, address)
        return guard.passthrough["create_connection"](address, *args, **kwargs)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (None, "", b""):  # None/"" is a passive (bind) lookup, no DNS
            guard.check("getaddrinfo", None, (host,))
        return guard.passthrough["getaddrinfo"](host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", sendto)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield guard


def _stub_passthrough(guard: NetworkGuard) -> list[str]:
    """Replace the real socket calls behind the guard with recorders (so nothing is ever sent)."""
    reached: list[str] = []

    def stub(name: str) -> Callable[..., Any]:
        def fake(*args: Any, **kwargs: Any) -> Any:
            reached.append(name)
            raise ConnectionRefusedError(f"stub {name}: the guard let this through")

        return fake

    for name in list(guard.passthrough):
        guard.passthrough[name] = stub(name)
    return reached


# ----------------------------------------------------------------------------- helpers


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def _assert_clean(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: {[e.value for e in at.exception]}"
    assert not at.error, f"{where}: {[e.value for e in at.error]}"


def _marker_csv(n: int = 240, seed: int = 11) -> bytes:
    """A trainable binary table whose cells (a category and free text) carry :data:`MARKER`."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    ward = rng.choice(["north", "south", MARKER], n)
    frame = pd.DataFrame(
        {
            "x_signal": x,
            "x_other": rng.normal(size=n),
            "ward": ward,
            "note": [f"seen by {MARKER} at visit {i}" for i in range(n)],
            "outcome": np.where(x + (ward == MARKER) + rng.normal(0, 0.5, n) > 0.3, "yes", "no"),
        }
    )
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def _ragged_csv() -> bytes:
    """A CSV whose line 12 has too many fields; the marker is in the cells around it."""
    good = "".join(f"{i},{MARKER} {i},{i % 3}\n" for i in range(10))
    return f"age,comment,label\n{good}1,{MARKER},2,{MARKER},4\n{good}".encode()


@pytest.fixture
def every_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog at DEBUG on the root logger, also fed by loggers that do not propagate."""
    caplog.set_level(logging.DEBUG)
    patched: list[tuple[logging.Logger, int]] = []
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger) and not logger.propagate:
            patched.append((logger, logger.level))
            logger.addHandler(caplog.handler)
            logger.setLevel(logging.DEBUG)
    try:
        yield caplog
    finally:
        for logger, level in patched:
            logger.removeHandler(caplog.handler)
            logger.setLevel(level)


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    lines = []
    for record in caplog.records:
        lines.append(f"{record.name}: {record.getMessage()}")
        if record.exc_info and record.exc_info[1] is not None:
            lines.append(repr(record.exc_info[1]))
    return "\n".join(lines)


def _assert_marker_absent(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    logs = _log_text(caplog)
    out, err = capfd.readouterr()
    assert MARKER not in logs, f"a cell value reached the logs:\n{logs[-3000:]}"
    assert MARKER not in err, f"a cell value reached stderr:\n{err[-3000:]}"
    assert MARKER not in out, f"a cell value reached stdout:\n{out[-3000:]}"


# ----------------------------------------------------------------------------- no network


def test_guard_blocks_a_non_loopback_connect_before_anything_is_sent(no_network):
    """Check that the guard refuses and records connects and lookups to a TEST-NET address."""
    reached = _stub_passthrough(no_network)  # even a broken guard sends nothing
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkBlocked, match="203.0.113.1"):
            sock.connect(TEST_NET)
        with pytest.raises(NetworkBlocked, match="203.0.113.1"):
            sock.connect_ex(TEST_NET)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        with pytest.raises(NetworkBlocked, match="203.0.113.1"):
            udp.sendto(b"x", TEST_NET)
    with pytest.raises(NetworkBlocked, match="203.0.113.1"):
        socket.create_connection(TEST_NET, timeout=1)
    with pytest.raises(NetworkBlocked, match="example.org"):
        socket.getaddrinfo("example.org", 443)
    assert reached == []
    assert len(no_network.attempts) == 5, no_network.attempts


def test_guard_lets_loopback_through(no_network):
    """Check that connects to 127.0.0.1 and lookups of localhost pass the guard."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
    assert socket.getaddrinfo("localhost", 80)
    assert no_network.attempts == []


def test_engine_pipeline_and_lime_need_no_network(no_network):
    """Check that reading, training, SHAP and LIME on a bundled sample make no network attempt."""
    run = explain_file(load_sample_bytes("heart_disease"), name="heart_disease.csv", rows=1000)
    assert run.shap.values.shape[0] == 1000
    X, train = run.dataset.X, run.model.train_index
    background = X.iloc[train[sample_rows(len(train), 2000, seed=0)]]
    lime = explain_lime(run.model, background, X.iloc[[0]], seed=0)
    assert lime.weights
    assert no_network.attempts == []


def test_app_deep_link_and_local_page_need_no_network(no_network):
    """Check that the app (deep link, training, Global and Local pages) makes no network attempt."""
    result_cache._shared_slot.clear()  # train here, under the guard, not in an earlier test
    at = _app(sample="breast_cancer").run()
    _assert_clean(at, "global")
    at.switch_page("views/local_explanations.py").run()
    _assert_clean(at, "local")
    assert page_charts.chart_specs(at), "the Local page drew no chart"
    assert no_network.attempts == []


def test_page_icon_is_not_fetched_from_the_internet(monkeypatch):
    """Check that the favicon needs no internet: Streamlit's frontend loads ':material/...' icons
    from fonts.gstatic.com, while an emoji becomes an inline data: URL and an image is served
    by the app itself."""
    import streamlit as st

    icons: list[Any] = []
    real = st.set_page_config

    def recording(*args: Any, **kwargs: Any) -> Any:
        icons.append(kwargs.get("page_icon"))
        return real(*args, **kwargs)

    monkeypatch.setattr(st, "set_page_config", recording)
    at = _app().run()
    assert not at.exception
    assert icons, "the app never called st.set_page_config"
    remote = [i for i in icons if isinstance(i, str) and i.startswith(":material")]
    assert not remote, f"page_icon {remote[0]!r} makes every browser fetch it from Google"


# ----------------------------------------------------------------------------- server config


def test_server_config_is_hardened():
    """Check that .streamlit/config.toml keeps the app local, silent and strict."""
    config = tomllib.loads(CONFIG.read_text("utf-8"))
    server, browser, client = config["server"], config["browser"], config["client"]
    assert browser["gatherUsageStats"] is False
    assert server["address"] in {"localhost", "127.0.0.1"}
    assert browser.get("serverAddress", "localhost") in {"localhost", "127.0.0.1"}
    assert client["showErrorDetails"] in (False, "none")
    assert server["enableXsrfProtection"] is True
    assert isinstance(server["maxUploadSize"], int) and 0 < server["maxUploadSize"] <= 1024


# ------------------------------------------------------------------------ no cell values in logs


def test_engine_logs_no_cell_values(every_log, capfd):
    """Check that the pipeline, LIME and a rejected file log no cell value, even at DEBUG."""
    run = explain_file(_marker_csv(), name="ward.csv", target="outcome")
    X, train = run.dataset.X, run.model.train_index
    explain_lime(run.model, X.iloc[train], X.iloc[[0]], seed=0)
    with pytest.raises(ExplainerError, match="fields"):
        explain_file(_ragged_csv(), name="ragged.csv")
    _assert_marker_absent(every_log, capfd)


def test_app_logs_no_cell_values(every_log, capfd):
    """Check that the app, on an upload and on a broken file, logs no cell value, even at DEBUG."""
    at = _app()
    at.session_state[PENDING_UPLOAD_KEY] = ("ward.csv", _marker_csv())
    at.run()
    _assert_clean(at, "data")
    for page in ("views/global_explanations.py", "views/local_explanations.py"):
        at.switch_page(page).run()
        _assert_clean(at, page)
        assert page_charts.chart_specs(at), f"{page}: no chart drawn"
    bad = _app()
    bad.session_state[PENDING_UPLOAD_KEY] = ("ragged.csv", _ragged_csv())
    bad.run()
    assert not bad.exception
    assert bad.error, "no message for a ragged file"
    bad.switch_page("views/global_explanations.py").run()
    assert not bad.exception
    _assert_marker_absent(every_log, capfd)
