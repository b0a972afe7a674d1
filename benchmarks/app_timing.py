"""App timings of issue 4: cold open, Local-page row switch, upload to the first global view.

Run with ``make bench-app`` or ``python -m benchmarks.app_timing``. A benchmark, not a
test: it records medians of several runs with the machine they ran on and writes
``benchmarks/results/app-timing-<UTC date>.json`` and ``.md``.

1. Cold open: a fresh server started as ``make run`` does (``python -m dashboard.serve``)
   per run (nothing cached), headless Chromium on ``/?sample=breast_cancer``; time from
   ``page.goto`` to the app shell and to the first drawn plotly chart.
2. Local page row switch: server side with Streamlit's ``AppTest`` (first visit of
   a row, which computes that row's LIME, and revisits), and in the browser (type a
   row number, press Enter, wait until the waterfall chart shows the new row).
3. Upload of a synthetic 10,000- and 100,000-row CSV (30 features) on the Data
   page, then the Global page from the sidebar; time until its first chart.

Before measuring it waits (up to ``--load-wait`` s) for the 1-minute load average
to fall below ``--max-load``. Loopback only: the browser may reach 127.0.0.1 and
nothing else (any other request is aborted and counted).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.load_test import BROWSER_ARGS, _is_loopback, free_port, start_server, stop_server
from benchmarks.run import machine_info, synthetic_table

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from _app_server import (  # noqa: E402
    VIEWPORT,
    chromium_path,
    click_nav,
    nav_link,
    server_problems,
    wait_for_app,
)

SAMPLE = "breast_cancer"
GOALS = {"cold_open_s": 5.0, "row_switch_ms": 300.0, "upload_100k_s": 15.0}

# The first plotly chart in the main area is drawn: the expected page title is
# shown, and a .js-plotly-plot has its .main-svg and at least one trace
# (SVG bars/lines, a heatmap image or a WebGL canvas for Scattergl).
_FIRST_CHART_JS = """
(title) => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return false;
  const h1 = main.querySelector('h1');
  if (!h1 || !h1.innerText.includes(title)) return false;
  for (const gd of main.querySelectorAll('.js-plotly-plot')) {
    if (!gd._fullLayout || !gd.querySelector('.main-svg')) continue;
    if (gd.querySelector('g.trace, .hm, canvas')) return true;
  }
  return false;
}
"""
_SCRIPT_DONE_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning';
}
"""
# Data page after an upload: the script finished and either the model line
# (a success box) or an error is shown.
_UPLOAD_DONE_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const main = document.querySelector('[data-testid="stMain"]');
  if (main.querySelector('[data-testid="stAlertContentError"], [data-testid="stException"]'))
    return 'error';
  return main.querySelector('[data-testid="stAlertContentSuccess"]') ? 'done' : false;
}
"""
# A signature of the waterfall chart's data (what plotly draws) and the row title.
_WATERFALL_SIG_JS = """
() => {
  const gd = document.querySelector('.st-key-waterfall_chart .js-plotly-plot')
          || document.querySelector('[data-testid="stMain"] .js-plotly-plot');
  if (!gd || !gd.data || !gd._fullLayout || !gd.querySelector('.main-svg g.trace')) return null;
  return JSON.stringify(gd.data.map(t => [t.x, t.y, t.text]));
}
"""
_WATERFALL_CHANGED_JS = """
(old) => {
  const gd = document.querySelector('.st-key-waterfall_chart .js-plotly-plot')
          || document.querySelector('[data-testid="stMain"] .js-plotly-plot');
  if (!gd || !gd.data || !gd._fullLayout || !gd.querySelector('.main-svg g.trace')) return false;
  return JSON.stringify(gd.data.map(t => [t.x, t.y, t.text])) !== old;
}
"""
_TWO_FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def wait_for_quiet(max_load: float, max_wait_s: float) -> dict[str, Any]:
    """Poll the 1-minute load average until it is below ``max_load`` (or give up)."""
    began = time.monotonic()
    first = _load()
    while os.getloadavg()[0] >= max_load and time.monotonic() - began < max_wait_s:
        print(f"  load average {_load()}, waiting for < {max_load} ...", flush=True)
        time.sleep(10)
    reached = os.getloadavg()[0] < max_load
    return {
        "threshold": max_load,
        "at_first_look": first,
        "waited_s": round(time.monotonic() - began, 1),
        "below_threshold": reached,
        "at_start": _load(),
    }


def table_uploader(page: Any) -> Any:
    """The Data page's table uploader (not the saved-analysis or model uploaders)."""
    return (
        page.locator("[data-testid=stFileUploader]")
        .filter(has_text="CSV, TSV")
        .locator("input[type=file]")
        .first
    )


# ----------------------------------------------------------------------------- browser helpers


class Browser:
    """One headless Debian Chromium; each ``page()`` is a fresh context (a fresh session)."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        path = chromium_path()
        if path is None:
            raise RuntimeError("chromium is not on PATH (bash tests/e2e/install_browser.sh)")
        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(
            executable_path=path, args=BROWSER_ARGS, headless=True
        )
        self.version = self.browser.version
        self.blocked: list[str] = []

    def page(self) -> Any:
        context = self.browser.new_context(viewport=VIEWPORT, locale="en-US")
        context.set_default_timeout(60_000)

        def only_loopback(route: Any) -> None:
            if _is_loopback(route.request.url):
                route.continue_()
            else:
                self.blocked.append(route.request.url[:200])
                route.abort()

        context.route("**/*", only_loopback)
        return context.new_page()

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()


def _error_texts(page: Any) -> list[str]:
    found = []
    for selector in ("[data-testid=stException]", "[data-testid=stAlertContentError]"):
        found += [f"{selector}: {e.inner_text()[:200]}" for e in page.locator(selector).all()]
    return found


# ----------------------------------------------------------------------------- 1. cold open


def cold_open(browser: Browser, log_root: Path, run: int) -> dict[str, Any]:
    """A fresh server; time ``page.goto`` to the app shell and to the first drawn chart."""
    log_dir = log_root / f"cold-{run}"
    log_dir.mkdir()
    port = free_port()
    started = time.perf_counter()
    server = start_server(port, log_dir)
    record: dict[str, Any] = {
        "run": run,
        "server_healthy_s": round(time.perf_counter() - started, 2),
    }
    url = f"http://127.0.0.1:{port}"
    page = browser.page()
    try:
        t0 = time.perf_counter()
        page.goto(f"{url}/?sample={SAMPLE}", wait_until="commit", timeout=60_000)
        page.wait_for_selector("[data-testid=stApp]", state="attached", timeout=60_000)
        record["app_shell_s"] = round(time.perf_counter() - t0, 3)
        page.wait_for_function(
            _FIRST_CHART_JS, arg="Global explanations", polling=50, timeout=120_000
        )
        record["first_chart_s"] = round(time.perf_counter() - t0, 3)
        page.wait_for_function(_SCRIPT_DONE_JS, polling=50, timeout=120_000)
        record["script_done_s"] = round(time.perf_counter() - t0, 3)
        record["errors"] = _error_texts(page)
    finally:
        page.context.close()
        stop_server(server)
    record["server_problems"] = server_problems(
        (log_dir / "server-stderr.log").read_text("utf-8", errors="replace")
    )
    return record


# ----------------------------------------------------------------------------- 2. row switch


def _bare_mode_noise(record: logging.LogRecord) -> bool:
    text = str(record.msg)
    return "missing ScriptRunContext" not in text and "without `streamlit run`" not in text


def row_switch_apptest(n_rows: int) -> dict[str, Any]:
    """Local page in ``AppTest``: time setting the row number (first visits and revisits)."""
    from streamlit.testing.v1 import AppTest

    # AppTest reads session state from the main thread, where Streamlit warns about a
    # missing ScriptRunContext on every access ("can be ignored in bare mode").
    for name in (
        "streamlit.runtime.scriptrunner_utils.script_run_context",
        "streamlit.runtime.state.session_state_proxy",
    ):
        logging.getLogger(name).addFilter(_bare_mode_noise)
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=240)
    at.query_params["sample"] = SAMPLE
    t0 = time.perf_counter()
    at.run()
    deep_link_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    at.switch_page("views/local_explanations.py").run()
    open_local_s = time.perf_counter() - t0
    box = at.number_input(key="w_row_number")
    low, high, start = int(box.min), int(box.max), int(box.value)
    step = max(1, (high - low) // (n_rows + 1))
    rows = [k for k in range(low + step, high, step) if k != start][:n_rows]

    def switch(k: int) -> float:
        began = time.perf_counter()
        at.number_input(key="w_row_number").set_value(k).run()
        took = time.perf_counter() - began
        if at.exception or at.error:
            raise RuntimeError(f"row {k}: {[e.value for e in at.exception or at.error]}")
        shown = [s.value for s in at.subheader]
        if not any(f"Row {k:,}:" in s for s in shown):
            raise RuntimeError(f"row {k} not shown; subheaders {shown}")
        return took * 1000

    first = [switch(k) for k in rows]
    revisit_order = rows[1::2] + rows[0::2]
    again = [switch(k) for k in revisit_order]
    return {
        "rows": rows,
        "deep_link_run_s": round(deep_link_s, 2),
        "open_local_page_s": round(open_local_s, 2),
        "first_visit_ms": [round(x, 1) for x in first],
        "revisit_ms": [round(x, 1) for x in again],
        "first_visit_median_ms": _median(first),
        "revisit_median_ms": _median(again),
    }


def _row_input(page: Any) -> Any:
    keyed = page.locator(".st-key-w_row_number input")
    return keyed.first if keyed.count() else page.locator("[data-testid=stNumberInput] input").first


def spread_rows(page: Any, n_rows: int, offset: int = 0) -> list[int]:
    """``n_rows`` row numbers spread over the Local page's row input's range (not the
    current one); ``offset`` shifts them, for a second set of first visits."""
    box = _row_input(page)
    low = int(float(box.get_attribute("min") or 0))
    high = int(float(box.get_attribute("max") or 100))
    start = int(float(box.input_value()))
    step = max(1, (high - low) // (n_rows + 2))
    first = low + 2 * step // 3 + 1 + offset
    return [k for k in range(first, high, step) if k != start][:n_rows]


def switch_rows(page: Any, visits: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """On the Local page: for each (row, kind), type the row number and press Enter; time
    until the waterfall shows the new row (and until the script is done)."""
    records = []
    for k, kind in visits:
        before = page.evaluate(_WATERFALL_SIG_JS)
        box = _row_input(page)
        box.fill(str(k))
        t0 = time.perf_counter()
        box.press("Enter")
        page.wait_for_function(_WATERFALL_CHANGED_JS, arg=before, polling="raf", timeout=120_000)
        page.evaluate(_TWO_FRAMES_JS)
        waterfall_ms = (time.perf_counter() - t0) * 1000
        page.wait_for_function(_SCRIPT_DONE_JS, polling=20, timeout=120_000)
        done_ms = (time.perf_counter() - t0) * 1000
        title = (
            page.locator("[data-testid=stMain] h3")
            .filter(has_text="prediction and contributions")
            .first.inner_text()
        )
        records.append(
            {
                "row": k,
                "kind": kind,
                "waterfall_ms": round(waterfall_ms, 1),
                "script_done_ms": round(done_ms, 1),
                "row_title": title,
            }
        )
        wait_for_app(page, settle=0.3)  # let the run settle before the next switch
    return records


def row_switch_browser(browser: Browser, url: str, n_rows: int, n_revisits: int) -> dict[str, Any]:
    """Local page in Chromium: type a row number, Enter; time until the waterfall shows it."""
    page = browser.page()
    try:
        page.goto(f"{url}/?sample={SAMPLE}", wait_until="domcontentloaded")
        page.wait_for_function(
            _FIRST_CHART_JS, arg="Global explanations", polling=100, timeout=180_000
        )
        wait_for_app(page, timeout=180)
        click_nav(page, "local")
        rows = spread_rows(page, n_rows)
        visits = [(k, "first") for k in rows] + [(k, "revisit") for k in rows[:n_revisits]]
        records = switch_rows(page, visits)
        errors = _error_texts(page)
    finally:
        page.context.close()
    first = [r for r in records if r["kind"] == "first"]
    again = [r for r in records if r["kind"] == "revisit"]
    return {
        "switches": records,
        "errors": errors,
        "first_visit_waterfall_median_ms": _median([r["waterfall_ms"] for r in first]),
        "first_visit_script_done_median_ms": _median([r["script_done_ms"] for r in first]),
        "revisit_waterfall_median_ms": _median([r["waterfall_ms"] for r in again]),
        "revisit_script_done_median_ms": _median([r["script_done_ms"] for r in again]),
    }


# ----------------------------------------------------------------------------- 3. upload


def upload_to_global(browser: Browser, url: str, csv: Path, n_rows: int) -> dict[str, Any]:
    """Upload ``csv`` on the Data page, then Global from the sidebar; time to its first chart."""
    page = browser.page()
    record: dict[str, Any] = {
        "rows": n_rows,
        "features": 30,
        "csv_mb": round(csv.stat().st_size / 2**20, 1),
    }
    try:
        page.goto(f"{url}/", wait_until="domcontentloaded")
        wait_for_app(page)
        uploader = table_uploader(page)
        t0 = time.perf_counter()
        uploader.set_input_files(str(csv))
        record["set_input_files_s"] = round(time.perf_counter() - t0, 3)
        outcome = page.wait_for_function(_UPLOAD_DONE_JS, polling=50, timeout=420_000).json_value()
        record["data_page_done_s"] = round(time.perf_counter() - t0, 3)
        if outcome != "done":
            record["errors"] = _error_texts(page)
            return record
        nav_link(page, "global").click()
        page.wait_for_function(
            _FIRST_CHART_JS, arg="Global explanations", polling=50, timeout=300_000
        )
        record["first_global_chart_s"] = round(time.perf_counter() - t0, 3)
        record["global_after_click_s"] = round(
            record["first_global_chart_s"] - record["data_page_done_s"], 3
        )
        notices = page.locator(
            "[data-testid=stMain] [data-testid=stAlertContentInfo] "
            "[data-testid=stMarkdownContainer]"
        ).all()
        record["sample_notice"] = next(
            (n.inner_text() for n in notices if "sample" in n.inner_text()), None
        )
        page.wait_for_function(_SCRIPT_DONE_JS, polling=50, timeout=300_000)
        record["global_script_done_s"] = round(time.perf_counter() - t0, 3)
        record["errors"] = _error_texts(page)
    finally:
        page.context.close()
    return record


# ----------------------------------------------------------------------------- report


def _verdict(value: float | None, goal: float) -> str:
    if value is None:
        return "not measured"
    return "met" if value <= goal else "NOT met"


def save_json(prefix: str, payload: dict[str, Any]) -> tuple[Path, Path]:
    """Write ``payload`` to ``benchmarks/results/<prefix>-<UTC date>.json``; return that
    path and the ``.md`` path beside it (for the caller's table)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"{prefix}-{payload['machine']['date'][:10]}"
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    json_path.write_text(json.dumps(payload, indent=2) + "\n", "utf-8")
    return json_path, md_path


def save_results(prefix: str, payload: dict[str, Any], lines: list[str]) -> None:
    """Write ``payload`` (:func:`save_json`) and its Markdown ``lines`` beside it; print both
    the page and where they went."""
    json_path, md_path = save_json(prefix, payload)
    md_path.write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines))
    print(f"wrote {json_path} and {md_path}")


def write_report(payload: dict[str, Any]) -> tuple[Path, Path]:
    """``app-timing-<UTC date>.json`` and ``.md`` in ``benchmarks/results``."""
    json_path, md_path = save_json("app-timing", payload)
    m, load, s = payload["machine"], payload["load_average"], payload["summary"]
    lines = [
        f"# App timings, {m['date']}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores ({m['cores_usable']} usable), "
        f"{m['memory_gib']} GiB, GPU {m['gpu'] or 'none'}; "
        f"Python {m['python']}, Streamlit {m['streamlit']}, XGBoost {m['xgboost']}, "
        f"SHAP {m['shap']}, LIME {m['lime']}, plotly {m['plotly']}, {payload['browser']}. "
        f"Load average (1, 5, 15 min) at start {load['at_start']} "
        f"(waited {load['waited_s']} s for the 1-minute figure to fall below {load['threshold']}), "
        f"at the end {load['at_end']}.",
        "",
        "| figure | median | runs | goal | verdict |",
        "|---|---|---|---|---|",
    ]
    for row in payload["table"]:
        lines.append(
            f"| {row['figure']} | {row['value']} | {row['runs']} | {row['goal']} "
            f"| {row['verdict']} |"
        )
    lines += [
        "",
        "Goals met: " + ("; ".join(s["met"]) or "none") + ".",
        "Goals NOT met: " + ("; ".join(s["not_met"]) or "none") + ".",
        "",
    ]
    cold = payload.get("cold_open") or {}
    if cold.get("runs"):
        lines += [
            "Cold open, each run (s): app shell "
            f"{[r['app_shell_s'] for r in cold['runs']]}, first chart "
            f"{[r['first_chart_s'] for r in cold['runs']]}, script done "
            f"{[r['script_done_s'] for r in cold['runs']]}.",
            "",
        ]
    lines += [
        "1-minute load average before each part: "
        + ", ".join(f"{k} {v}" for k, v in payload["load_by_part"].items())
        + ".",
        "",
    ]
    for key in ("upload_10000", "upload_100000"):
        u = payload.get(key) or {}
        if u.get("sample_notice"):
            lines.append(
                f'Sample notice on the Global page ({u["rows"]:,} rows): "{u["sample_notice"]}"'
            )
            lines.append("")
    lines += [
        "How: cold open = a fresh server per run, started as `make run` does "
        "(`python -m dashboard.serve`: the engine imported before the first visit), "
        "headless Chromium "
        f"on `/?sample={SAMPLE}`, from `page.goto` to the first plotly chart with a drawn trace. "
        "Row switch (server) = `AppTest` setting `w_row_number` on the Local page and rerunning; "
        "a first visit computes that row's LIME. Row switch (browser) = type the row number, "
        "press Enter, until the waterfall chart's data changed and two frames were painted. "
        "Upload = `set_input_files` on the Data page, wait for the trained-model line, click "
        "Global in the sidebar, until its first chart is drawn.",
        f"Requests to anything but loopback (aborted): {payload['blocked_requests']}. "
        f"Server stderr problems: {payload['server_problem_count']}. "
        f"Wall time {payload['wall_s']} s.",
        "",
        f"Raw figures: `{json_path.name}`.",
    ]
    md_path.write_text("\n".join(lines) + "\n", "utf-8")
    return json_path, md_path


def _table(payload: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    rows: list[dict[str, Any]] = []
    met: list[str] = []
    not_met: list[str] = []

    def add(figure: str, value: float | None, unit: str, runs: int, goal: float | None) -> None:
        verdict = "-" if goal is None else _verdict(value, goal)
        if value is None:
            shown = "-"
        else:
            shown = f"{value:,.2f} s" if unit == "s" else f"{value:,.0f} ms"
        rows.append(
            {
                "figure": figure,
                "value": shown,
                "runs": runs,
                "goal": "-" if goal is None else f"<= {goal:g} {unit}",
                "verdict": verdict,
            }
        )
        if verdict == "met":
            met.append(figure)
        elif verdict == "NOT met":
            not_met.append(figure)

    cold = payload.get("cold_open") or {}
    runs = cold.get("runs", [])
    add("Cold open: app shell", cold.get("app_shell_median_s"), "s", len(runs), None)
    add(
        "Cold open: first chart",
        cold.get("first_chart_median_s"),
        "s",
        len(runs),
        GOALS["cold_open_s"],
    )
    server = payload.get("row_switch_server") or {}
    add(
        "Row switch, server (AppTest), first visit incl. LIME",
        server.get("first_visit_median_ms"),
        "ms",
        len(server.get("first_visit_ms", [])),
        GOALS["row_switch_ms"],
    )
    add(
        "Row switch, server (AppTest), revisit",
        server.get("revisit_median_ms"),
        "ms",
        len(server.get("revisit_ms", [])),
        GOALS["row_switch_ms"],
    )
    web = payload.get("row_switch_browser") or {}
    n_first = sum(r["kind"] == "first" for r in web.get("switches", []))
    n_again = sum(r["kind"] == "revisit" for r in web.get("switches", []))
    add(
        "Row switch, browser, first visit: waterfall updated",
        web.get("first_visit_waterfall_median_ms"),
        "ms",
        n_first,
        GOALS["row_switch_ms"],
    )
    add(
        "Row switch, browser, first visit: script done (LIME drawn)",
        web.get("first_visit_script_done_median_ms"),
        "ms",
        n_first,
        None,
    )
    add(
        "Row switch, browser, revisit: waterfall updated",
        web.get("revisit_waterfall_median_ms"),
        "ms",
        n_again,
        GOALS["row_switch_ms"],
    )
    for n in (10_000, 100_000):
        u = payload.get(f"upload_{n}") or {}
        goal = GOALS["upload_100k_s"] if n == 100_000 else None
        add(
            f"Upload {n:,} x 30 CSV to first Global chart",
            u.get("first_global_chart_s"),
            "s",
            1 if u else 0,
            goal,
        )
        add(
            "  of which Data page (parse, train, SHAP) done",
            u.get("data_page_done_s"),
            "s",
            1 if u else 0,
            None,
        )
    return rows, {"met": met, "not_met": not_met}


LOAD_BY_PART: dict[str, float] = {}


def _guarded(name: str, fn: Callable[[], Any], failures: list[str]) -> Any:
    LOAD_BY_PART[name] = round(os.getloadavg()[0], 2)
    print(f"{name} (load average {LOAD_BY_PART[name]}) ...", flush=True)
    began = time.monotonic()
    try:
        result = fn()
    except Exception as error:  # noqa: BLE001 - a failed part is recorded, the rest still runs
        failures.append(f"{name}: {type(error).__name__}: {str(error).splitlines()[0][:300]}")
        print(f"  FAILED: {failures[-1]}", flush=True)
        return None
    print(f"  done in {time.monotonic() - began:.1f} s", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    """Wait for a quiet machine, measure, write the results; 1 when a part failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--server-rows", type=int, default=15)
    parser.add_argument("--browser-rows", type=int, default=8)
    parser.add_argument("--browser-revisits", type=int, default=4)
    parser.add_argument("--upload-sizes", default="10000,100000")
    parser.add_argument("--max-load", type=float, default=2.5)
    parser.add_argument("--load-wait", type=float, default=300.0)
    args = parser.parse_args(argv)
    began = time.monotonic()

    from importlib.metadata import version

    import plotly
    import streamlit

    info: dict[str, Any] = {
        **machine_info(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "streamlit": streamlit.__version__,
        "plotly": plotly.__version__,
        "lime": version("lime"),
        "playwright": version("playwright"),
    }
    print("waiting for a quiet machine ...", flush=True)
    load = wait_for_quiet(args.max_load, args.load_wait)
    print(f"  load average {load['at_start']} after {load['waited_s']} s", flush=True)
    failures: list[str] = []
    payload: dict[str, Any] = {"machine": info, "load_average": load, "goals": GOALS}
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="xai-app-timing-") as tmp:
        tmp_path = Path(tmp)
        browser = Browser()
        payload["browser"] = f"Chromium {browser.version}"
        try:
            runs = []
            for i in range(args.cold_runs):
                record = _guarded(
                    f"cold open {i + 1}/{args.cold_runs}",
                    lambda i=i: cold_open(browser, tmp_path, i),
                    failures,
                )
                if record:
                    print(
                        f"  shell {record['app_shell_s']} s, first chart "
                        f"{record['first_chart_s']} s",
                        flush=True,
                    )
                    runs.append(record)
                    problems += record["server_problems"]
            payload["cold_open"] = {
                "runs": runs,
                "app_shell_median_s": _median([r["app_shell_s"] for r in runs]),
                "first_chart_median_s": _median([r["first_chart_s"] for r in runs]),
                "script_done_median_s": _median([r["script_done_s"] for r in runs]),
                "server_healthy_median_s": _median([r["server_healthy_s"] for r in runs]),
            }
            payload["row_switch_server"] = _guarded(
                "row switch, AppTest", lambda: row_switch_apptest(args.server_rows), failures
            )
            log_dir = tmp_path / "warm"
            log_dir.mkdir()
            port = free_port()
            server = start_server(port, log_dir)
            url = f"http://127.0.0.1:{port}"
            try:
                payload["row_switch_browser"] = _guarded(
                    "row switch, browser",
                    lambda: row_switch_browser(
                        browser, url, args.browser_rows, args.browser_revisits
                    ),
                    failures,
                )
                for n in (int(s) for s in args.upload_sizes.split(",") if s):
                    csv = tmp_path / f"synthetic_{n}.csv"
                    synthetic_table(n).to_csv(csv, index=False)
                    payload[f"upload_{n}"] = _guarded(
                        f"upload {n:,} rows",
                        lambda csv=csv, n=n: upload_to_global(browser, url, csv, n),
                        failures,
                    )
            finally:
                stop_server(server)
            problems += server_problems(
                (log_dir / "server-stderr.log").read_text("utf-8", errors="replace")
            )
        finally:
            browser.close()
    payload["load_average"]["at_end"] = _load()
    payload["load_by_part"] = LOAD_BY_PART
    payload["blocked_requests"] = len(browser.blocked)
    payload["blocked_urls"] = sorted(set(browser.blocked))
    payload["server_problem_count"] = len(problems)
    payload["server_problems"] = problems[:10]
    payload["failures"] = failures
    payload["wall_s"] = round(time.monotonic() - began, 1)
    payload["table"], payload["summary"] = _table(payload)
    json_path, md_path = write_report(payload)
    print(md_path.read_text("utf-8"))
    print(f"wrote {json_path.relative_to(ROOT)} and {md_path.relative_to(ROOT)}")
    return 1 if failures or problems else 0


if __name__ == "__main__":
    sys.exit(main())
