"""What a row switch's chart costs in the browser: ``python -m benchmarks.plotly_remount``.

A benchmark, not a test: it writes ``benchmarks/results/plotly-remount-large-page-<UTC
date>.json`` and ``.md`` (``plotly-remount-<date>`` with ``--page-elements 0``). Streamlit
(1.67) derives a plotly chart's element id from its figure, even when the chart has a
``key``, so each new figure is mounted afresh in the browser
(``Plotly.newPlot`` on a new ``div``) rather than updated in place (``Plotly.react``). This
times both, side by side, on the Local page's waterfall of a bundled sample's rows (built
by the app's own figure code) in headless Chromium with plotly.js from the ``plotly``
package: a new plot, a new plot without plotly's toolbar (``displayModeBar``), a new plot
with Plotly's default ``ticklabeloverflow`` (each tick label measured, as the app's charts
did before 2026-12-02), and an update in place, interleaved and repeated. The chart is drawn
beside ``--page-elements`` blocks of text (3,000 by default): in the app each layout that
Plotly forces to measure text lays out a large page.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import statistics
from pathlib import Path
from typing import Any

import plotly

from benchmarks.app_timing import Browser, save_results
from benchmarks.run import machine_info

_PLOT_JS = """async ([specs, mode, config]) => {
  const host = document.getElementById('host');
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  let gd = document.createElement('div');
  host.appendChild(gd);
  await Plotly.newPlot(gd, specs[0].data, specs[0].layout, config);
  await frame();
  const took = [];
  for (let i = 1; i < specs.length; i++) {
    const s = specs[i];
    const start = performance.now();
    if (mode === 'react') {
      await Plotly.react(gd, s.data, s.layout, config);
    } else {
      Plotly.purge(gd);
      host.removeChild(gd);
      gd = document.createElement('div');
      host.appendChild(gd);
      await Plotly.newPlot(gd, s.data, s.layout, config);
    }
    document.body.getBoundingClientRect();  // the layout the drawing needs, done now
    took.push(performance.now() - start);
    await frame();
  }
  Plotly.purge(gd);
  host.removeChild(gd);
  return took;
}"""


def waterfall_specs(sample: str, rows: int) -> list[dict[str, Any]]:
    """The Local page's waterfall (probability units) of ``rows`` rows of ``sample``, as the
    JSON the browser receives."""
    from dashboard import services
    from dashboard.display.prediction import RowPrediction
    from dashboard.state import ModelSettings, Settings, Source
    from dashboard.views import _figures, _rows
    from sample_data import load_sample_bytes

    data = load_sample_bytes(sample)
    source = Source("sample", sample, hashlib.sha256(data).hexdigest(), data)
    analysis = services.run_analysis(source, Settings(), ModelSettings())
    if not 3 <= rows <= len(analysis.dataset.y):  # 2 or more timings per way and repeat
        raise SystemExit(f"--rows must be between 3 and {len(analysis.dataset.y)} for {sample}")
    step = len(analysis.dataset.y) // rows
    specs = []
    for position in range(0, step * rows, step):
        row = RowPrediction.from_shap(
            services.row_shap(analysis, position), 0, task=analysis.task, output=0
        )
        values = _rows.value_texts(analysis, position)
        fig = _figures.waterfall(analysis, row, values, raw=False, title="Waterfall")
        fig.update_layout(width=700)
        specs.append(json.loads(fig.to_json()))
    return specs


def _hiding_labels(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same figures with Plotly's default ``ticklabeloverflow`` (the app's charts allow
    overflow since 2026-12-02): a numeric axis then measures each tick label to hide any
    past the chart's edge."""
    out = copy.deepcopy(specs)
    for spec in out:
        for axis in ("xaxis", "yaxis"):
            spec["layout"].get(axis, {}).pop("ticklabeloverflow", None)
    return out


def _filler(elements: int) -> str:
    """``elements`` styled blocks of text below the chart: the app's page is large, and each
    layout Plotly forces (to measure text) lays out the whole page."""
    block = "<div style='padding:4px;margin:2px;border:1px solid #ccc;font:14px sans-serif'>"
    return "".join(f"{block}item {i} <span>text</span></div>" for i in range(elements))


def run(sample: str, rows: int, repeats: int, page_elements: int = 3000) -> dict[str, Any]:
    """Time each way of drawing the next row's waterfall, interleaved ``repeats`` times."""
    from dashboard.views._common import PLOT_CONFIG

    specs = waterfall_specs(sample, rows)
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    ways = {
        "new plot (what Streamlit does)": ("new", PLOT_CONFIG, specs),
        "new plot without plotly's toolbar": (
            "new",
            {**PLOT_CONFIG, "displayModeBar": False},
            specs,
        ),
        "new plot hiding tick labels past the edge (before 2026-12-02)": (
            "new",
            PLOT_CONFIG,
            _hiding_labels(specs),
        ),
        "update in place (Plotly.react)": ("react", PLOT_CONFIG, specs),
    }
    took: dict[str, list[float]] = {name: [] for name in ways}
    browser = Browser()
    try:
        page = browser.page()
        page.set_content(
            f"<html><body><div id='host'></div><div>{_filler(page_elements)}</div></body></html>"
        )
        page.add_script_tag(path=str(plotly_js))
        page.evaluate(_PLOT_JS, [specs, "new", PLOT_CONFIG])  # warm the code up
        for _ in range(repeats):
            for name, (mode, config, drawn) in ways.items():
                took[name] += page.evaluate(_PLOT_JS, [drawn, mode, config])
        version = browser.version
        plotly_js_version = str(page.evaluate("() => Plotly.version"))
    finally:
        browser.close()
    return {
        "machine": machine_info(),
        "browser": f"Chromium {version}",
        "plotly_js": plotly_js_version,
        "plotly_python": plotly.__version__,
        "sample": sample,
        "rows": len(specs),
        "bars": len(specs[0]["data"][0]["y"]),
        "repeats": repeats,
        "page_elements": page_elements,
        "ms": {
            name: {
                "median": round(statistics.median(v), 1),
                "p10": round(statistics.quantiles(v, n=10)[0], 1),
                "p90": round(statistics.quantiles(v, n=10)[-1], 1),
                "n": len(v),
            }
            for name, v in took.items()
        },
    }


def _lines(payload: dict[str, Any]) -> list[str]:
    m = payload["machine"]
    base = payload["ms"]["new plot (what Streamlit does)"]["median"]
    lines = [
        f"# A changed plotly chart: mounted afresh or updated in place ({m['date'][:10]})",
        "",
        f"Machine: {m.get('cpu')}, {m.get('cores')} cores; {payload['browser']}, plotly.js "
        f"{payload['plotly_js']} (from plotly {payload['plotly_python']}). The Local page's "
        f"waterfall ({payload['bars']} bars) of "
        f"{payload['rows']} rows of the `{payload['sample']}` sample, each drawn after the "
        f"one before; {payload['repeats']} interleaved repeats. Beside the chart: "
        f"{payload['page_elements']:,} styled blocks of text (the app's page is large).",
        "",
        "| how the next row's waterfall is drawn | median (ms) | p10 | p90 | x new plot |",
        "|---|---|---|---|---|",
    ]
    for name, s in payload["ms"].items():
        lines.append(
            f"| {name} | {s['median']} | {s['p10']} | {s['p90']} | {s['median'] / base:.2f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", default="breast_cancer")
    parser.add_argument("--rows", type=int, default=13, help="rows drawn in turn (at least 3)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--page-elements",
        type=int,
        default=3000,
        help="styled blocks of text beside the chart, as a large page (0: a bare page)",
    )
    args = parser.parse_args(argv)
    if args.page_elements < 0:
        raise SystemExit("--page-elements must be 0 (a bare page) or more")
    payload = run(args.sample, args.rows, args.repeats, args.page_elements)
    prefix = "plotly-remount-large-page" if args.page_elements else "plotly-remount"
    save_results(prefix, payload, _lines(payload))


if __name__ == "__main__":
    main()
