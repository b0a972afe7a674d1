"""What a wide table costs before its first view: ``make bench-wide``.

A benchmark, not a test: it writes ``benchmarks/results/wide-table-<UTC date>.json`` and
``.md``. A synthetic table of ``--rows`` rows and ``--columns`` numeric features (a
gene-expression shape: few rows, thousands of columns), a yes/no outcome driven by five of
them, one column that leaks the outcome and 20 categorical columns, is written as CSV and
read, profiled and encoded as an upload is. Side by side, interleaved, ``--repeats`` times:

- **the leak audit** (every feature alone, 3-fold): as shipped, where a feature is left as
  soon as the folds scored so far rule a leak out, against scoring every feature on every
  fold (the screen switched off). Both must find the same leaks with the same scores;
- **the deployment facts** (size and speed of the model): as shipped, where each figure
  stops adding timed predictions after ``TIMING_BUDGET_S``, against every repeat timed.

Then, once, the seconds of each stage of ``xai-explain`` on the same file.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd

from benchmarks.app_timing import save_results
from benchmarks.run import machine_info
from explainers import (
    TrainingOptions,
    _deployment,
    _leakage,
    build_dataset,
    build_schema,
    read_table,
)
from explainers._training import train_model


def wide_table(n_rows: int, n_columns: int, seed: int = 0) -> pd.DataFrame:
    """Numeric features, 20 five-level categories, a leak and a yes/no outcome."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, n_columns)).astype(np.float32)
    frame = pd.DataFrame(X, columns=[f"g{i:05d}" for i in range(n_columns)])
    for j in range(20):
        frame[f"site{j:02d}"] = rng.choice(list("ABCDE"), n_rows)
    logit = X[:, :5] @ np.array([1.2, -1.0, 0.8, 0.6, -0.5])
    outcome = (rng.random(n_rows) < 1 / (1 + np.exp(-logit))).astype(int)
    frame["recorded_after"] = outcome + rng.normal(0, 0.05, n_rows)  # leaks the outcome
    frame["outcome"] = outcome
    return frame


def _interleaved(ways: dict[str, Any], repeats: int) -> dict[str, list[float]]:
    took: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(repeats):
        for name, run in ways.items():
            start = time.perf_counter()
            run()
            took[name].append(time.perf_counter() - start)
    return took


def leak_audit(frame: pd.DataFrame, repeats: int) -> dict[str, Any]:
    """The single-feature audit with and without the early stop; same leaks required."""
    features = {c: c.startswith(("g", "recorded")) for c in frame.columns if c != "outcome"}
    found: dict[str, dict[str, float]] = {}

    def shipped() -> None:
        scores, _ = _leakage.score_single_features(frame, "outcome", features, classification=True)
        found["shipped"] = {s.column: s.score for s in scores if s.leaks}

    def every_fold() -> None:
        with mock.patch.object(_leakage._Screen, "rules_out", lambda *_: False):
            scores, _ = _leakage.score_single_features(
                frame, "outcome", features, classification=True
            )
        found["every fold"] = {s.column: s.score for s in scores if s.leaks}

    took = _interleaved({"shipped": shipped, "every fold": every_fold}, repeats)
    same = found["shipped"].keys() == found["every fold"].keys() and all(
        found["shipped"][k] == found["every fold"][k] for k in found["shipped"]
    )
    return {
        "seconds": {k: round(statistics.median(v), 2) for k, v in took.items()},
        "leaks": sorted(found["shipped"]),
        "same_leaks_and_scores": same,
    }


def deployment(frame: pd.DataFrame, repeats: int) -> dict[str, Any]:
    """Deployment facts with the timing budget and with every repeat timed."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    table = read_table(buffer.getvalue(), name="wide.parquet")
    dataset = build_dataset(table, build_schema(table, target="outcome"))
    model = train_model(dataset, options=TrainingOptions(n_estimators=60))
    facts: dict[str, Any] = {}

    def measure(name: str, budget: float) -> None:
        with mock.patch.object(_deployment, "TIMING_BUDGET_S", budget):
            full = _deployment.deployment_facts(model, dataset).full
        facts[name] = {
            "one_row_ms": round(full.one_row_ms, 1),
            "rows_per_s": round(full.rows_per_s),
        }

    ways = {
        "shipped": lambda: measure("shipped", _deployment.TIMING_BUDGET_S),
        "every repeat": lambda: measure("every repeat", float("inf")),
    }
    took = _interleaved(ways, repeats)
    return {"seconds": {k: round(statistics.median(v), 2) for k, v in took.items()}, "facts": facts}


def cli_stages(frame: pd.DataFrame) -> dict[str, Any]:
    """``xai-explain`` on the table as CSV: its own stage seconds and the wall time."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wide.csv"
        frame.to_csv(path, index=False)
        start = time.perf_counter()
        command = [sys.executable, "-m", "explainers.cli", str(path), "--out", f"{folder}/out"]
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603 - our own CLI, no shell
        wall = time.perf_counter() - start
        summary = json.loads((Path(folder) / "out" / "summary.json").read_text("utf-8"))
    return {"wall_seconds": round(wall, 1), "stages": summary.get("seconds", {})}


def report(payload: dict[str, Any]) -> list[str]:
    m, leak, dep = payload["machine"], payload["leak_audit"], payload["deployment"]
    ls, ds = leak["seconds"], dep["seconds"]
    lines = [
        f"# A wide table before its first view ({m['date'][:10]})",
        "",
        f"Machine: {m.get('cpu')}, {m.get('cores')} cores. Table: {payload['rows']:,} rows x "
        f"{payload['columns']:,} numeric features + 20 categories + 1 leak; "
        f"{payload['repeats']} interleaved repeats, medians.",
        "",
        "| step | as shipped (s) | without the early stop (s) | ratio |",
        "|---|---|---|---|",
        f"| leak audit (stop once a leak is ruled out / every fold) | {ls['shipped']} | "
        f"{ls['every fold']} | {ls['every fold'] / max(ls['shipped'], 1e-9):.1f}x |",
        f"| deployment facts (1 s timing budget / every repeat) | {ds['shipped']} | "
        f"{ds['every repeat']} | {ds['every repeat'] / max(ds['shipped'], 1e-9):.1f}x |",
        "",
        f"Leaks found: {', '.join(leak['leaks']) or 'none'}; the same leaks with the same "
        f"scores both ways: **{leak['same_leaks_and_scores']}**.",
        "",
        "Deployment figures each way (one row in ms, rows/s in a batch): "
        + "; ".join(
            f"{k}: {v['one_row_ms']} ms, {v['rows_per_s']:,}/s" for k, v in dep["facts"].items()
        )
        + ".",
        "",
        f"`xai-explain` on the table as CSV: {payload['cli']['wall_seconds']} s in all; stages "
        + ", ".join(f"{k} {v:.1f} s" for k, v in payload["cli"]["stages"].items())
        + ".",
    ]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--columns", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    frame = wide_table(args.rows, args.columns)
    payload = {
        "machine": machine_info(),
        "rows": args.rows,
        "columns": args.columns,
        "repeats": args.repeats,
        "leak_audit": leak_audit(frame, args.repeats),
        "deployment": deployment(frame, args.repeats),
        "cli": cli_stages(frame),
    }
    save_results("wide-table", payload, report(payload))


if __name__ == "__main__":
    main()
