"""What a background job costs the pages: ``python -m benchmarks.job_priority``.

A benchmark, not a test: it writes ``benchmarks/results/job-priority-<UTC date>.json``
and ``.md``. In one process, as in the app's server, a "page" thread repeats what a row
switch on the Local page computes (one row's exact SHAP values and prediction, and its
waterfall figure serialised as Streamlit sends it) while the app's background job
(:func:`dashboard.jobs.start` running :func:`explainers.compute_shap` over every row in
10,000-row steps) runs with 1 or every thread, at lowered CPU priority (the app's
behaviour on Linux) or at the usual one. Reported: the page work's median and 90th
percentile latency, and the job's rows per second, each configuration side by side in
one run (interleaved repeats), with no job as the reference.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

import numpy as np

from benchmarks.app_timing import save_json
from benchmarks.run import machine_info, synthetic_table


def _page_work(model: Any, X: Any, rng: np.random.Generator) -> float:
    """One row switch's computation; its seconds."""
    from dashboard import charts
    from explainers import compute_shap

    start = time.perf_counter()
    row = int(rng.integers(len(X)))
    shap = compute_shap(model, X.iloc[[row]], rows=np.array([row]))
    model.predict(X.iloc[[row]])
    values = shap.values[0, 0]
    order = np.argsort(-np.abs(values))[:12]
    fig = charts.importance_figure(
        [shap.features[i] for i in order], np.abs(values[order]), top=12, title="row"
    )
    fig.to_json()
    return time.perf_counter() - start


def _configuration(
    model: Any, X: Any, *, threads: int | None, niced: bool, samples: int, seed: int
) -> dict[str, Any]:
    """Page latencies while a job with ``threads`` runs (no job when None)."""
    from dashboard import jobs
    from explainers import compute_shap

    rng = np.random.default_rng(seed)
    job = None
    real = jobs.lower_priority
    if threads is not None:
        if not niced:
            jobs.lower_priority = lambda steps=0: False  # type: ignore[assignment]

        def work(progress: Any) -> object:
            return compute_shap(model, X, chunk_rows=10_000, threads=threads, progress=progress)

        job = jobs.start("bench", work)
        time.sleep(1.0)  # the job is under way
    latencies = []
    job_start = time.perf_counter()
    rows_before = job.done if job is not None else 0
    for _ in range(samples):
        latencies.append(_page_work(model, X, rng))
        time.sleep(0.1)
    elapsed = time.perf_counter() - job_start
    rows_per_s = None
    if job is not None:
        rows_per_s = (job.done - rows_before) / elapsed
        job.cancel()
        job.wait(120)
        jobs.lower_priority = real  # type: ignore[assignment]
    latencies.sort()
    return {
        "threads": threads,
        "niced": niced if threads is not None else None,
        "median_ms": round(1000 * statistics.median(latencies), 1),
        "p90_ms": round(1000 * latencies[int(0.9 * (len(latencies) - 1))], 1),
        "job_rows_per_s": None if rows_per_s is None else round(rows_per_s),
    }


def main(argv: list[str] | None = None) -> None:
    """Measure each configuration ``--repeats`` times, interleaved; write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    from explainers import read_table, run_pipeline

    frame = synthetic_table(args.rows)
    table = read_table(frame.to_csv(index=False).encode(), name="bench.csv")
    run = run_pipeline(table, target="target", rows=100, seed=0)
    model, X = run.model, run.dataset.X
    cores = os.cpu_count() or 1
    configs = [(None, False), (1, False), (1, True), (cores, False), (cores, True)]
    records: list[dict[str, Any]] = []
    for repeat in range(args.repeats):
        for threads, niced in configs:
            record = _configuration(
                model, X, threads=threads, niced=niced, samples=args.samples, seed=repeat
            )
            records.append(record | {"repeat": repeat})
            print(record, flush=True)
    summary = []
    for threads, niced in configs:
        mine = [
            r
            for r in records
            if r["threads"] == threads and r["niced"] == (niced if threads else None)
        ]
        summary.append(
            {
                "job": "none"
                if threads is None
                else f"{threads} thread(s), {'niced +10' if niced else 'usual priority'}",
                "median_ms": statistics.median(r["median_ms"] for r in mine),
                "p90_ms": statistics.median(r["p90_ms"] for r in mine),
                "job_rows_per_s": None
                if threads is None
                else statistics.median(r["job_rows_per_s"] for r in mine),
            }
        )
    payload = {
        "machine": machine_info(),
        "rows": args.rows,
        "trees": model.booster.num_boosted_rounds(),
        "load_average": list(os.getloadavg()),
        "records": records,
        "summary": summary,
    }
    json_path, md_path = save_json("job-priority", payload)
    lines = [
        f"# Page work while a background job runs, {payload['machine']['date']}",
        "",
        f"Machine: {payload['machine']['cpu']}, {cores} cores; load average at the end "
        f"{payload['load_average'][0]:.1f}. Table {args.rows:,} x 30, model of "
        f"{payload['trees']} trees. Page work = one row's SHAP values, prediction and a "
        f"figure serialised; {args.samples} samples per configuration, medians of "
        f"{args.repeats} interleaved repeats.",
        "",
        "| background job | page median ms | page p90 ms | job rows/s |",
        "|---|---|---|---|",
        *[
            f"| {s['job']} | {s['median_ms']} | {s['p90_ms']} | {s['job_rows_per_s'] or '-'} |"
            for s in summary
        ],
    ]
    md_path.write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
