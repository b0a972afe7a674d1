"""Does a niced thread yield to another session's work? ``python -m benchmarks.session_share``.

A benchmark, not a test: it writes ``benchmarks/results/session-share-<UTC date>.json``
and ``.md``. Linux only. A "probe" process repeats 40 times: sleep 50 ms, then a fixed
amount of pure-Python work (about 20 ms alone), and records how long each took. A "hog"
process keeps one thread busy beside it, at the usual priority, niced +10 (what the app's
background job does) or under ``SCHED_IDLE``. Both are pinned to one CPU, and the hog
runs either in the probe's session or in a session of its own (``setsid``), as the app's
server and the browser do. Where the kernel groups processes by session (autogroup), the
hog's priority only ranks it among its own session's threads: against another session it
takes a full share whatever its priority. That is why the app's background job also waits
while pages run (:func:`dashboard.jobs.page_run`). Configurations interleave, repeated.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.app_timing import save_results
from benchmarks.run import machine_info

_HOG = """
import os, sys, threading, time
mode, seconds = sys.argv[1], float(sys.argv[2])
os.sched_setaffinity(0, {int(sys.argv[3])})
def spin():
    tid = threading.get_native_id()
    if mode == "nice10":
        os.setpriority(os.PRIO_PROCESS, tid, 10)
    elif mode == "idle":
        os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
    end, x = time.time() + seconds, 0
    while time.time() < end:
        for _ in range(100_000):
            x += 1
t = threading.Thread(target=spin)
t.start()
t.join()
"""

_PROBE = """
import json, os, sys, time
n, cpu = int(sys.argv[1]), int(sys.argv[2])
os.sched_setaffinity(0, {cpu})
def work():
    x = 0
    for _ in range(n):
        x += 1
took = []
for _ in range(40):
    time.sleep(0.05)
    start = time.perf_counter()
    work()
    took.append((time.perf_counter() - start) * 1000)
print(json.dumps(took))
"""


def _calibrate(cpu: int) -> int:
    """Loop steps that take about 20 ms on ``cpu`` with nothing beside them (best of 5)."""
    code = (
        "import os, time\n"
        f"os.sched_setaffinity(0, {{{cpu}}})\n"
        "best = 1e9\n"
        "for _ in range(5):\n"
        "    t = time.perf_counter(); x = 0\n"
        "    for _ in range(1_000_000): x += 1\n"
        "    best = min(best, time.perf_counter() - t)\n"
        "print(int(1_000_000 * 0.02 / best))\n"
    )
    out = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return int(out.stdout)


def _probe(mode: str, own_session: bool, steps: int, cpu: int) -> list[float]:
    hog = None
    if mode != "none":
        hog = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
            [sys.executable, "-c", _HOG, mode, "6", str(cpu)], start_new_session=own_session
        )
        time.sleep(0.5)
    try:
        out = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
            [sys.executable, "-c", _PROBE, str(steps), str(cpu)],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        if hog is not None:
            hog.kill()
            hog.wait()
    return [float(x) for x in json.loads(out.stdout)]


def run(repeats: int) -> dict[str, Any]:
    cpu = min(os.sched_getaffinity(0))
    steps = _calibrate(cpu)
    configs = [("none", False), ("usual", True), ("nice10", True), ("idle", True)]
    configs += [("usual", False), ("nice10", False), ("idle", False)]
    took: dict[str, list[float]] = {}
    for _ in range(repeats):
        for mode, own in configs:
            name = f"{mode}|{'other session' if own else 'same session'}"
            took.setdefault(name, []).extend(_probe(mode, own, steps, cpu))
    autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled")
    return {
        "machine": machine_info(),
        "autogroup_enabled": autogroup.read_text().strip() if autogroup.exists() else None,
        "cpu": cpu,
        "probe_steps": steps,
        "repeats": repeats,
        "probe_ms": {
            name: {
                "median": round(statistics.median(v), 1),
                "p90": round(sorted(v)[int(0.9 * len(v))], 1),
                "n": len(v),
            }
            for name, v in took.items()
        },
    }


def _lines(payload: dict[str, Any]) -> list[str]:
    m = payload["machine"]
    base = payload["probe_ms"]["none|same session"]["median"]
    lines = [
        f"# A niced thread against another session's work ({m['date'][:10]})",
        "",
        f"Machine: {m.get('cpu')}, {m.get('cores')} cores; kernel autogroup enabled: "
        f"{payload['autogroup_enabled']}. One CPU; {payload['repeats']} interleaved repeats "
        "of 40 probes (sleep 50 ms, then ~20 ms of work alone).",
        "",
        "| hog beside the probe | hog's session | probe median (ms) | p90 (ms) | x alone |",
        "|---|---|---|---|---|",
    ]
    for name, r in payload["probe_ms"].items():
        mode, session = name.split("|")
        shown = {"none": "none", "usual": "usual priority", "nice10": "nice +10"}.get(
            mode, "SCHED_IDLE"
        )
        lines.append(
            f"| {shown} | {session if mode != 'none' else '-'} | {r['median']} | {r['p90']} "
            f"| {r['median'] / base:.2f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        raise SystemExit("this benchmark needs Linux (per-thread priority, sessions)")
    payload = run(args.repeats)
    save_results("session-share", payload, _lines(payload))


if __name__ == "__main__":
    main()
