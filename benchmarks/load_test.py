"""Load test: one app server, several real headless Chromium sessions at once.

Run with ``make load-test`` or ``python -m benchmarks.load_test [--sessions 6]``.

Starts the app as ``make run`` does (``python -m dashboard.serve``) on a free
port of 127.0.0.1, opens
``--sessions`` browser contexts of Debian's Chromium at the same time (each is
its own Streamlit session), each on ``/?sample=<id>`` (mostly ``breast_cancer``,
some ``heart_disease``), waits until the app has finished running and drawn a
plotly chart, then opens the Local and Model pages from the sidebar. It samples
the server's resident memory (the process and its children) every 0.5 s
before, during and for ``--settle`` seconds after the sessions close, and
writes ``benchmarks/results/load-test-<UTC date>.json`` and ``.md``.

Loopback only: the browser may reach 127.0.0.1 and nothing else (any other
request is aborted and counted). Bounded: every wait has a timeout, and the
whole run stops after about four minutes. Exits 1 when a session failed or
showed an error.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from _app_server import BROWSER_ARGS as _TEST_BROWSER_ARGS  # noqa: E402

# The browser tests' flags, plus: a proxy from the environment must not see loopback traffic.
BROWSER_ARGS = [*_TEST_BROWSER_ARGS, "--no-proxy-server"]
SAMPLES = ["breast_cancer", "heart_disease", "breast_cancer"]  # cycled over the sessions
TITLES = {"global": "Global explanations", "local": "Local explanations", "model": "Model"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
SERVER_ERROR_MARKERS = ("Traceback", "page failed with")
SAMPLE_EVERY_S = 0.5
TOTAL_BUDGET_S = 230.0
SESSION_BUDGET_S = 180.0

# The page is ready when the script is not running, the expected page title is
# drawn and a plotly chart has rendered its SVG.
_READY_JS = """
(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  if (!h1 || !h1.innerText.includes(title)) return false;
  return document.querySelector('[data-testid="stMain"] .js-plotly-plot .main-svg') !== null;
}
"""


# ----------------------------------------------------------------------------- server


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, log_dir: Path, *, timeout: float = 60.0) -> subprocess.Popen[bytes]:
    """The app as ``make run`` starts it, on 127.0.0.1:``port``, healthy, in its own group."""
    command = [
        sys.executable,
        "-m",
        "dashboard.serve",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    with (
        open(log_dir / "server-stderr.log", "wb") as err,
        open(log_dir / "server-stdout.log", "wb") as out,
    ):
        process = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
            command,
            cwd=ROOT,
            stdout=out,
            stderr=err,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}; see {log_dir}")
        try:
            with opener.open(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as reply:
                if reply.read().decode().strip() == "ok":
                    return process
        except OSError:
            pass
        time.sleep(0.25)
    stop_server(process)
    raise RuntimeError(f"streamlit was not healthy within {timeout:.0f} s; see {log_dir}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


# ----------------------------------------------------------------------------- memory


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return found


def tree_rss_mib(pid: int) -> float | None:
    """Resident memory of ``pid`` and all its descendants, MiB (psutil if present, else /proc)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
            return sum(p.memory_info().rss for p in procs) / 2**20
        except psutil.Error:
            return None
    try:
        _rss_kib(pid)
    except (OSError, ValueError):
        return None  # the server is gone
    return _tree_sum(pid, _rss_kib) / 1024


def _rss_kib(pid: int) -> float | None:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return float(line.split()[1])
    return None


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _tree_sum(pid: int, measure: Callable[[int], float | None]) -> float:
    """``measure`` summed over ``pid`` and its descendants (those that vanish count 0)."""
    total, todo, seen = 0.0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            total += measure(current) or 0.0
        except (OSError, ValueError, IndexError):
            continue
        todo += _children(current)
    return total


def tree_cpu_s(pid: int) -> float | None:
    """User plus system CPU seconds used so far by ``pid`` and its descendants (from /proc)."""
    try:
        _cpu_s(pid)
    except (OSError, ValueError, IndexError):
        return None
    return _tree_sum(pid, _cpu_s)


class RssSampler(threading.Thread):
    """Samples :func:`tree_rss_mib` every 0.5 s, tagging each sample with the current phase."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.phase = "idle"
        self.start_time = time.monotonic()
        self.samples: list[dict[str, Any]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            rss, cpu = tree_rss_mib(self.pid), tree_cpu_s(self.pid)
            if rss is not None:
                self.samples.append(
                    {
                        "t_s": round(time.monotonic() - self.start_time, 2),
                        "rss_mib": round(rss, 1),
                        "cpu_s": cpu,
                        "phase": self.phase,
                    }
                )
            self._stop_event.wait(SAMPLE_EVERY_S)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


# ----------------------------------------------------------------------------- browser sessions


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    host = (parts.hostname or "").lower()
    return host in LOOPBACK_HOSTS or host.startswith("127.")


async def _errors_on_page(page: Any) -> list[str]:
    texts = []
    for selector in ("[data-testid=stException]", "[data-testid=stAlertContentError]"):
        for element in await page.locator(selector).all():
            texts.append(f"{selector}: {(await element.inner_text())[:300]}")
    return texts


async def _wait_ready(page: Any, title: str, timeout_s: float) -> None:
    await page.wait_for_function(_READY_JS, arg=title, polling=200, timeout=timeout_s * 1000)


async def run_session(
    browser: Any, base_url: str, index: int, sample: str, start_gate: asyncio.Event
) -> dict[str, Any]:
    """One user: deep link, wait for the first chart, then the Local and Model pages."""
    record: dict[str, Any] = {
        "session": index,
        "sample": sample,
        "errors": [],
        "blocked_requests": [],
        "ok": False,
    }
    context = await browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    blocked: list[str] = record["blocked_requests"]

    async def only_loopback(route: Any) -> None:
        if _is_loopback(route.request.url):
            await route.continue_()
        else:
            blocked.append(route.request.url[:200])
            await route.abort()

    await context.route("**/*", only_loopback)
    page = await context.new_page()
    page.on("websocket", lambda ws: None if _is_loopback(ws.url) else blocked.append(ws.url))
    await start_gate.wait()
    started = time.monotonic()

    async def steps() -> None:
        await page.goto(
            f"{base_url}/?sample={sample}", wait_until="domcontentloaded", timeout=60_000
        )
        await page.wait_for_selector("[data-testid=stApp]", state="attached", timeout=60_000)
        record["app_shell_s"] = round(time.monotonic() - started, 2)
        await _wait_ready(page, TITLES["global"], 150)
        record["first_chart_s"] = round(time.monotonic() - started, 2)
        record["errors"] += await _errors_on_page(page)
        for url_path in ("local", "model"):
            step = time.monotonic()
            link = page.locator(
                f'[data-testid=stSidebarNav] a[data-testid=stSidebarNavLink][href$="/{url_path}"]'
            ).first
            await link.click(timeout=30_000)
            await page.wait_for_url(f"**/{url_path}", timeout=30_000)
            await _wait_ready(page, TITLES[url_path], 90)
            record[f"{url_path}_page_s"] = round(time.monotonic() - step, 2)
            record["errors"] += [f"{url_path}: {e}" for e in await _errors_on_page(page)]
        record["total_s"] = round(time.monotonic() - started, 2)

    try:
        await asyncio.wait_for(steps(), timeout=SESSION_BUDGET_S)
        record["ok"] = not record["errors"] and not blocked
    except TimeoutError:
        record["errors"].append(f"timeout: not done within {SESSION_BUDGET_S:.0f} s")
    except Exception as error:  # noqa: BLE001 - a failed session is a result, not a crash
        record["errors"].append(f"{type(error).__name__}: {str(error).splitlines()[0][:300]}")
    finally:
        await context.close()
    return record


async def run_sessions(base_url: str, n: int, sampler: RssSampler) -> tuple[list[dict], str]:
    """Open ``n`` sessions at once in one Chromium; return their records and the browser version."""
    from playwright.async_api import async_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise RuntimeError("chromium is not on PATH (apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=BROWSER_ARGS
        )
        try:
            gate = asyncio.Event()
            tasks = [
                asyncio.create_task(
                    run_session(browser, base_url, i, SAMPLES[i % len(SAMPLES)], gate)
                )
                for i in range(n)
            ]
            await asyncio.sleep(1.0)  # contexts created; now all go at once
            sampler.phase = "sessions"
            gate.set()
            records = await asyncio.gather(*tasks)  # each session bounds itself
            return list(records), browser.version
        finally:
            await browser.close()


# ----------------------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    """CPU model, cores, memory and versions (no GPU probe: the load test is CPU-side)."""
    from benchmarks.run import cpu_model

    cpu = cpu_model()
    import streamlit
    import xgboost

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": sys.version.split()[0],
        "streamlit": streamlit.__version__,
        "xgboost": xgboost.__version__,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def summarise(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Baseline, peak, at the end of the sessions and after settling (MiB)."""

    def values(phase: str) -> list[float]:
        return [s["rss_mib"] for s in samples if s["phase"] == phase]

    idle, during, after = values("idle"), values("sessions"), values("after")
    busy = [s for s in samples if s["phase"] == "sessions" and s.get("cpu_s") is not None]
    cpu_share = None
    if len(busy) > 1 and busy[-1]["t_s"] > busy[0]["t_s"]:
        cpu_share = round(
            (busy[-1]["cpu_s"] - busy[0]["cpu_s"]) / (busy[-1]["t_s"] - busy[0]["t_s"]), 2
        )
    return {
        "server_cpu_cores_busy_during_sessions": cpu_share,
        "baseline_mib": idle[-1] if idle else None,
        "peak_mib": max((s["rss_mib"] for s in samples), default=None),
        "at_end_of_sessions_mib": during[-1] if during else None,
        "after_settling_mib": after[-1] if after else None,
        "samples": len(samples),
    }


def write_report(payload: dict[str, Any]) -> tuple[Path, Path]:
    """``load-test-<UTC date>.json`` and ``.md`` in ``benchmarks/results``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"load-test-{payload['date'][:10]}"
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    json_path.write_text(json.dumps(payload, indent=2) + "\n", "utf-8")
    m, rss = payload["machine"], payload["rss"]
    lines = [
        f"# Load test, {payload['date']}",
        "",
        f"{payload['sessions']} headless Chromium sessions at once against one `streamlit run` "
        f"server on 127.0.0.1 ({payload['browser']}); each opens `/?sample=<id>`, waits for the "
        "first chart, then opens Local and Model from the sidebar. Server RSS is the process "
        f"and its children, sampled every {SAMPLE_EVERY_S} s.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores ({m['cores_usable']} usable), "
        f"{m['memory_gib']} GiB; Python {m['python']}, Streamlit {m['streamlit']}, "
        f"XGBoost {m['xgboost']}; load average at start {m['load_average_at_start']}.",
        "",
        "| session | sample | app shell (s) | first chart (s) | Local (s) | Model (s) | errors "
        "| off-loopback |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in payload["results"]:
        lines.append(
            f"| {r['session']} | {r['sample']} | {r.get('app_shell_s', '-')} | "
            f"{r.get('first_chart_s', '-')} | "
            f"{r.get('local_page_s', '-')} | {r.get('model_page_s', '-')} | "
            f"{'; '.join(r['errors']) or 'none'} | {len(r['blocked_requests'])} |"
        )
    lines += [
        "",
        f"Server RSS (MiB): before sessions {rss['baseline_mib']}, peak {rss['peak_mib']}, "
        f"at the end of the sessions {rss['at_end_of_sessions_mib']}, "
        f"{payload['settle_s']} s after they closed {rss['after_settling_mib']}. "
        f"While the sessions ran the server used on average "
        f"{rss['server_cpu_cores_busy_during_sessions']} of {m['cores_usable']} cores "
        "(the rest went to Chromium and anything else on the machine).",
        f"Requests to anything but loopback (aborted): {payload['blocked_requests']}"
        + (f" ({', '.join(payload['blocked_urls'])})" if payload["blocked_urls"] else "")
        + ". "
        f"Server stderr problems: {len(payload['server_problems'])}. "
        f"Wall time: {payload['wall_s']} s.",
        "",
        "Streamlit keeps a closed tab's session for `server.disconnectedSessionTTL` (120 s by "
        "default) and the bundled samples' analyses stay in the shared cache, so the settled "
        "figure is not expected to fall back to the baseline.",
        "",
        f"Raw figures and the RSS timeline: `{json_path.name}`.",
    ]
    md_path.write_text("\n".join(lines) + "\n", "utf-8")
    return json_path, md_path


def main(argv: list[str] | None = None) -> int:
    """Run the load test once and write its results; 1 when a session failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=6, help="concurrent browser sessions")
    parser.add_argument(
        "--settle",
        type=float,
        default=30.0,
        help="seconds to keep sampling memory after the sessions close",
    )
    args = parser.parse_args(argv)
    began = time.monotonic()
    info = machine()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="xai-load-") as tmp:
        log_dir = Path(tmp)
        server = start_server(port, log_dir)
        sampler = RssSampler(server.pid)
        try:
            sampler.start()
            time.sleep(2.0)  # a few idle samples: the baseline
            records, browser_version = asyncio.run(
                run_sessions(f"http://127.0.0.1:{port}", args.sessions, sampler)
            )
            sampler.phase = "after"
            settle = max(0.0, min(args.settle, TOTAL_BUDGET_S - (time.monotonic() - began)))
            time.sleep(settle)
        finally:
            sampler.stop()
            stop_server(server)
        stderr = (log_dir / "server-stderr.log").read_text("utf-8", errors="replace")
    problems = [
        line
        for line in stderr.splitlines()
        if any(marker in line for marker in SERVER_ERROR_MARKERS)
    ]
    payload = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sessions": args.sessions,
        "settle_s": round(settle, 1),
        "browser": f"Chromium {browser_version}",
        "machine": info,
        "results": records,
        "first_chart_s": sorted(r["first_chart_s"] for r in records if "first_chart_s" in r),
        "failed_sessions": sum(not r["ok"] for r in records),
        "blocked_requests": sum(len(r["blocked_requests"]) for r in records),
        "blocked_urls": sorted({u for r in records for u in r["blocked_requests"]}),
        "server_problems": problems[:20],
        "rss": summarise(sampler.samples),
        "rss_timeline": sampler.samples,
        "wall_s": round(time.monotonic() - began, 1),
    }
    json_path, md_path = write_report(payload)
    print(md_path.read_text("utf-8"))
    print(f"wrote {json_path.relative_to(ROOT)} and {md_path.relative_to(ROOT)}")
    return 1 if payload["failed_sessions"] or problems else 0


if __name__ == "__main__":
    sys.exit(main())
