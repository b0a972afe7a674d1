"""The cluster engine against the single process: ``make bench-dask`` or
``python -m benchmarks.dask_bench --rows 1000000``.

A benchmark, not a test: it writes ``benchmarks/results/dask-<UTC date>.json`` and ``.md``.
The table is ``make bench``'s synthetic one (30 float features, five drive a logistic
target) written as a folder of Parquet parts. Each engine runs in a child process of its
own, end to end from the files: the single process as ``xai-explain whole.parquet``, the
cluster as ``xai-explain parts/ --scheduler local:N`` (the same stages in-process, so
that each worker's peak memory can be read before the cluster stops). On one machine the
cores are the same, so the ratio is the overhead of the cluster path, not a speed-up.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.app_timing import save_json
from benchmarks.run import machine_info, synthetic_table

# Peak memory is the process's own high-water mark (VmHWM): ru_maxrss is not, since a
# child started by fork + exec keeps the parent's peak (this script's, holding the table).
_PEAK = """
def peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

_LOCAL = (
    _PEAK
    + """
import json, sys, time
t = time.perf_counter()
from explainers.cli import main
rc = main(sys.argv[1:])
print(json.dumps({"rc": rc, "wall_s": time.perf_counter() - t, "client_peak_mib": peak()}))
"""
)

_CLUSTER = (
    _PEAK
    + """
import json, sys, time
from pathlib import Path

if __name__ == "__main__":
    data, out, scheduler = sys.argv[1:4]
    t = time.perf_counter()
    from explainers._dask import connect, explain_on_cluster
    from explainers._dask.summary import cluster_summary
    with connect(scheduler) as connection:
        connected = time.perf_counter() - t
        run = explain_on_cluster(connection, data, Path(out), target="target", device="cpu")
        workers = connection.client.run(peak)
        seconds = {"connect": connected, **run.seconds}
        summary = cluster_summary(run, seconds)
        Path(out, "summary.json").write_text(json.dumps(summary, indent=2))
        run.model.booster.save_model(str(Path(out, "model.json")))
    print(json.dumps({"rc": 0, "wall_s": time.perf_counter() - t, "client_peak_mib": peak(),
                      "worker_peak_mib": sorted(workers.values())}))
"""
)


def _child(code: str, args: list[str], timeout_s: float) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; its last stdout line is a JSON record."""
    start = time.perf_counter()
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        return {"rc": None, "error": f"stopped after {timeout_s:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or [""])[-1][:300]
        return {"rc": done.returncode, "error": last}
    record: dict[str, Any] = json.loads(lines[-1])
    record["process_wall_s"] = time.perf_counter() - start
    return record


def bench_size(n_rows: int, parts: int, workers: int, timeout_s: float) -> dict[str, Any]:
    """Both engines on one table size; each record holds its wall time, stages and memory."""
    with tempfile.TemporaryDirectory() as tmp:
        frame = synthetic_table(n_rows)
        folder = Path(tmp) / "parts"
        folder.mkdir()
        for i, rows in enumerate(np.array_split(np.arange(n_rows), parts)):
            frame.iloc[rows].to_parquet(folder / f"part.{i:04d}.parquet", index=False)
        frame.to_parquet(Path(tmp) / "whole.parquet", index=False)
        table_mib = float(frame.memory_usage(deep=True).sum() / 2**20)
        del frame
        local_out, cluster_out = Path(tmp) / "local", Path(tmp) / "cluster"
        local = _child(
            _LOCAL,
            [str(Path(tmp) / "whole.parquet"), "--out", str(local_out), "--device", "cpu"],
            timeout_s,
        )
        if local.get("rc") == 0:
            summary = json.loads((local_out / "summary.json").read_text())
            local |= {"seconds": summary["seconds"], "trees": _trees(local_out)}
            local["metrics"] = {k: summary["metrics"].get(k) for k in ("auc", "log_loss")}
        cluster = _child(_CLUSTER, [str(folder), str(cluster_out), f"local:{workers}"], timeout_s)
        if cluster.get("rc") == 0:
            summary = json.loads((cluster_out / "summary.json").read_text())
            cluster |= {"seconds": summary["seconds"], "trees": _trees(cluster_out)}
            cluster["metrics"] = {k: summary["metrics"].get(k) for k in ("auc", "log_loss")}
            cluster["shap_mib"] = (
                sum(p.stat().st_size for p in (cluster_out / "shap_values.parquet").iterdir())
                / 2**20
            )
    return {
        "rows": n_rows,
        "features": 30,
        "parts": parts,
        "table_mib_in_memory": round(table_mib, 1),
        "single_process": local,
        "cluster": cluster | {"workers": workers},
    }


def _trees(out: Path) -> int:
    """Trees in the written model (boosting rounds kept after early stopping)."""
    model = json.loads((out / "model.json").read_text())
    return int(model["learner"]["gradient_booster"]["model"]["gbtree_model_param"]["num_trees"])


def _row(record: dict[str, Any]) -> list[str]:
    local, cluster = record["single_process"], record["cluster"]

    def wall(r: dict[str, Any]) -> str:
        return f"{r['wall_s']:.1f}" if r.get("rc") == 0 else f"failed: {r.get('error', '')}"

    ratio = (
        f"{cluster['wall_s'] / local['wall_s']:.2f}"
        if local.get("rc") == 0 and cluster.get("rc") == 0
        else "-"
    )
    workers = ", ".join(f"{m:.0f}" for m in cluster.get("worker_peak_mib", []))
    return [
        f"| {record['rows']:,} | {record['parts']} | {wall(local)} | {wall(cluster)} | {ratio} | "
        f"{local.get('client_peak_mib', 0):.0f} | {cluster.get('client_peak_mib', 0):.0f} | "
        f"{workers} | {local.get('trees', '-')} / {cluster.get('trees', '-')} |"
    ]


def main(argv: list[str] | None = None) -> None:
    """Run both engines at each ``--rows`` size and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--rows-per-part", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per engine run")
    args = parser.parse_args(argv)
    load_before = list(__import__("os").getloadavg())
    records = [
        bench_size(n, max(1, n // args.rows_per_part), args.workers, args.timeout)
        for n in args.rows
    ]
    payload = {
        "machine": machine_info(),
        "load_average_before": load_before,
        "load_average_after": list(__import__("os").getloadavg()),
        "results": records,
    }
    sizes = "" if args.rows == [1_000_000] else "-" + "_".join(str(n) for n in args.rows)
    json_path, md_path = save_json(f"dask{sizes}", payload)
    lines = [
        f"# Cluster engine (local:{args.workers}) against the single process, "
        f"{payload['machine']['date']}",
        "",
        f"Machine: {payload['machine']['cpu']}, {payload['machine']['cores']} cores; "
        f"load average before {load_before[0]:.1f}, after {payload['load_average_after'][0]:.1f}"
        " (the machine is shared, so wall times carry that noise).",
        "",
        "| rows x 30 | parts | single process s | cluster s | ratio | single peak MiB | "
        "client peak MiB | worker peaks MiB | trees (single / cluster) |",
        "|---|---|---|---|---|---|---|---|---|",
        *[line for record in records for line in _row(record)],
        "",
        "Stages (seconds):",
        "",
        *[
            f"- {r['rows']:,} rows: single {r['single_process'].get('seconds')}; "
            f"cluster {r['cluster'].get('seconds')}"
            for r in records
        ],
    ]
    md_path.write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines))
    print(f"wrote {json_path} and {md_path}")


if __name__ == "__main__":
    main()
