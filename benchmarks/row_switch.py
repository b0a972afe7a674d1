"""The Local page's row switch, kept chart against ``st.plotly_chart``: ``make bench-switch``.

A benchmark, not a test: it writes ``benchmarks/results/row-switch-<UTC date>.json`` and
``.md``. Each run is ``make bench-upload``'s measurement (:func:`large_upload.measure`: a
synthetic table uploaded in headless Chromium, row switches on the Local page while the
exact all-rows job runs and after it) on a fresh server, the waterfall drawn either as the
app draws it (a kept chart, updated in place with ``Plotly.react``) or as a plain
``st.plotly_chart`` (``XAI_PLAIN_CHARTS=1``, mounted afresh with every switch). The two
alternate, so both see the same machine; medians and their ratio are reported side by side.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import plotly
import streamlit

from benchmarks.app_timing import save_json, save_results, wait_for_quiet
from benchmarks.large_upload import measure
from benchmarks.run import machine_info
from dashboard.views._kept_chart import PLAIN_CHARTS_ENV

VARIANTS = {"kept": "kept chart (as shipped)", "plain": "st.plotly_chart (XAI_PLAIN_CHARTS=1)"}


def _run(variant: str, rows: int, switches: int, job_wait: float) -> dict[str, Any]:
    """One measurement on a fresh server with the given chart variant."""
    saved = os.environ.get(PLAIN_CHARTS_ENV)
    if variant == "plain":
        os.environ[PLAIN_CHARTS_ENV] = "1"
    else:
        os.environ.pop(PLAIN_CHARTS_ENV, None)
    try:
        with tempfile.TemporaryDirectory(prefix="xai-row-switch-") as tmp:
            return measure(rows, switches, Path(tmp), job_wait=job_wait)
    finally:
        if saved is None:
            os.environ.pop(PLAIN_CHARTS_ENV, None)
        else:
            os.environ[PLAIN_CHARTS_ENV] = saved


def _times(runs: list[dict[str, Any]], kind: str) -> list[float]:
    return [s["waterfall_ms"] for r in runs for s in r.get("switches", []) if s["kind"] == kind]


def summarise(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Medians of every switch of each variant, during and after the job, and their ratio."""
    out: dict[str, Any] = {}
    for kind in ("during job", "after job"):
        medians = {v: _times(r, kind) for v, r in runs.items()}
        row = {v: round(statistics.median(t), 1) if t else None for v, t in medians.items()}
        row["switches"] = {v: len(t) for v, t in medians.items()}
        kept, plain = row.get("kept"), row.get("plain")
        row["kept_over_plain"] = round(kept / plain, 2) if kept and plain else None
        out[kind] = row
    return out


def _lines(payload: dict[str, Any]) -> list[str]:
    m, s, a = payload["machine"], payload["summary"], payload["arguments"]
    lines = [
        f"# Local row switch: kept chart against st.plotly_chart ({m['date'][:10]})",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}, "
        f"Streamlit {m['streamlit']}, plotly {m['plotly']}, {payload['browser']}. "
        f"Load average at start {payload['load_average']['at_start']}, at the end "
        f"{payload['load_average']['at_end']}.",
        "",
        f"{a['rows']:,} x 30 CSV uploaded; {a['switches']} switches during the all-rows job and "
        f"{a['switches']} after it per run; {a['repeats']} runs of each variant, alternating "
        "(time from Enter in the row box to the new waterfall drawn, two frames after).",
        "",
        "| row switch | kept chart (ms) | st.plotly_chart (ms) | kept / plain | switches |",
        "|---|---|---|---|---|",
    ]
    for kind, row in s.items():
        n = row["switches"]
        lines.append(
            f"| {kind} | {row['kept']} | {row['plain']} | {row['kept_over_plain']} | "
            f"{n['kept']} + {n['plain']} |"
        )
    lines += ["", "Per run (medians, ms, in the order run):", ""]
    for entry in payload["order"]:
        lines.append(
            f"- {VARIANTS[entry['variant']]}: during {entry['during']}, after {entry['after']}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Alternate the two variants, write the results; 1 when a page showed errors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--switches", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--job-wait", type=float, default=900.0)
    parser.add_argument("--max-load", type=float, default=2.5)
    parser.add_argument("--load-wait", type=float, default=300.0)
    args = parser.parse_args(argv)
    began = time.monotonic()
    load = wait_for_quiet(args.max_load, args.load_wait)
    runs: dict[str, list[dict[str, Any]]] = {"kept": [], "plain": []}
    order = []
    for i in range(args.repeats):
        for variant in ("kept", "plain") if i % 2 == 0 else ("plain", "kept"):
            run = _run(variant, args.rows, args.switches, args.job_wait)
            runs[variant].append(run)
            order.append(
                {
                    "variant": variant,
                    "during": run.get("during_job_waterfall_median_ms"),
                    "after": run.get("after_job_waterfall_median_ms"),
                }
            )
    load["at_end"] = [round(x, 2) for x in os.getloadavg()]
    payload = {
        "machine": {
            **machine_info(),
            "streamlit": streamlit.__version__,
            "plotly": plotly.__version__,
        },
        "browser": runs["kept"][0].get("browser", "Chromium"),
        "load_average": load,
        "arguments": vars(args),
        "summary": summarise(runs),
        "order": order,
        "runs": runs,
        "wall_s": round(time.monotonic() - began, 1),
    }
    save_json("row-switch", payload)  # the figures are kept even if the page fails
    save_results("row-switch", payload, _lines(payload))
    failed = any(r.get("errors") or r.get("server_problems") for rs in runs.values() for r in rs)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
