"""Benchmarks: ``make bench`` (or ``python -m benchmarks.run [--sizes 10000,100000]``).

Writes ``benchmarks/results/<date>-<host>.json`` and a Markdown table beside it,
each figure with the machine (CPU, cores, GPU), library versions and date.
Quotes medians of several runs; ratios are measured side by side in one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xgboost as xgb

from benchmarks.synthetic import cpu_model, gpu_description, synthetic_arrays
from explainers import (
    FeatureSpec,
    TrainedModel,
    TrainingOptions,
    compute_interactions,
    compute_shap,
    device_facts,
)

RESULTS = Path(__file__).resolve().parent / "results"


def machine_info() -> dict[str, object]:
    """CPU model, cores, memory, GPU (if any) and library versions."""
    cpu = cpu_model()
    gpu = gpu_description()
    import shap
    import sklearn

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "gpu": gpu,
        "cuda_usable": device_facts().gpu_answers,
        "python": platform.python_version(),
        "xgboost": xgb.__version__,
        "shap": shap.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
    }


def synthetic_table(n_rows: int, n_features: int = 30, seed: int = 0) -> pd.DataFrame:
    """Numeric features with a known logistic target (the first five features drive it)."""
    X, y = synthetic_arrays(n_rows, n_features, seed)
    frame = pd.DataFrame(X, columns=[f"f{i:02d}" for i in range(n_features)])
    frame["target"] = y
    return frame


def fixed_model(frame: pd.DataFrame, *, trees: int = 200, depth: int = 6) -> TrainedModel:
    """A 200-tree, depth-6 booster (no early stopping) wrapped as the engine's model."""
    names = [c for c in frame.columns if c != "target"]
    dtrain = xgb.DMatrix(frame[names], label=frame["target"], nthread=os.cpu_count())
    booster = xgb.train(
        {
            "objective": "binary:logistic",
            "max_depth": depth,
            "tree_method": "hist",
            "nthread": os.cpu_count(),
            "seed": 0,
        },
        dtrain,
        num_boost_round=trees,
    )
    spec = FeatureSpec(tuple(names), {n: n for n in names}, {n: "numeric" for n in names}, {})
    empty = np.empty(0, dtype=int)
    return TrainedModel(
        booster,
        "binary",
        "target",
        "target",
        ("0", "1"),
        spec,
        empty,
        empty,
        trees - 1,
        TrainingOptions(),
    )


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_shap_stage(n_rows: int, repeats: int, device: str) -> dict[str, object]:
    """Engine SHAP (and interactions) vs bare Booster.predict on the same model and rows."""
    frame = synthetic_table(n_rows)
    model = fixed_model(frame)
    X = frame.drop(columns="target")
    booster = model.booster.copy()
    booster.set_param({"device": device, "nthread": os.cpu_count()})

    def bare() -> None:
        dm = xgb.DMatrix(X, nthread=os.cpu_count())
        booster.predict(dm, pred_contribs=True)

    def engine() -> None:
        compute_shap(model, X, device=device)

    bare_s, engine_s = [], []
    for _ in range(repeats):  # interleaved so that noise hits both alike
        bare_s.append(_median_time(bare, 1))
        engine_s.append(_median_time(engine, 1))
    n_inter = min(n_rows, 20_000 if device == "cpu" else n_rows)
    Xi = X.iloc[:n_inter]

    def bare_inter() -> None:
        booster.predict(xgb.DMatrix(Xi, nthread=os.cpu_count()), pred_interactions=True)

    def engine_inter() -> None:
        compute_interactions(model, Xi, device=device)

    bi, ei = [], []
    for _ in range(repeats):
        bi.append(_median_time(bare_inter, 1))
        ei.append(_median_time(engine_inter, 1))
    b, e = statistics.median(bare_s), statistics.median(engine_s)
    return {
        "rows": n_rows,
        "features": X.shape[1],
        "trees": 200,
        "depth": 6,
        "device": device,
        "repeats": repeats,
        "bare_contribs_s": b,
        "engine_shap_s": e,
        "shap_ratio": e / b,
        "engine_rows_per_s": n_rows / e,
        "interaction_rows": n_inter,
        "bare_interactions_s": statistics.median(bi),
        "engine_interactions_s": statistics.median(ei),
        "interaction_ratio": statistics.median(ei) / statistics.median(bi),
    }


def bench_cli(n_rows: int) -> dict[str, object]:
    """``xai-explain`` end to end in a child process: wall time, its own stages, peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        synthetic_table(n_rows).to_csv(path, index=False)
        out = Path(tmp) / "out"
        code = (
            "import resource, sys, time; t=time.perf_counter();"
            "from explainers.cli import main; rc=main(sys.argv[1:]);"
            "print('WALL', time.perf_counter()-t);"
            "print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)"
        )
        start = time.perf_counter()
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [sys.executable, "-c", code, str(path), "--out", str(out), "--device", "cpu"],
            capture_output=True,
            text=True,
            check=True,
        )
        outer = time.perf_counter() - start
        lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
        summary = json.loads((out / "summary.json").read_text())
    seconds = summary["seconds"]
    wall = float(lines["WALL"])
    return {
        "rows": n_rows,
        "features": 30,
        "process_wall_s": outer,
        "main_wall_s": wall,
        "stages_s": seconds,
        "train_plus_shap_s": seconds["train"] + seconds["shap"],
        "wall_over_train_shap": wall / (seconds["train"] + seconds["shap"]),
        "peak_rss_mb": int(lines["RSS"]) / 1024,
    }


def write_results(payload: dict[str, object]) -> Path:
    """Write JSON and a Markdown table; return the JSON path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    base = RESULTS / f"{stamp}-{payload['machine']['host']}"  # type: ignore[index]
    base.with_suffix(".json").write_text(json.dumps(payload, indent=2))
    lines = [
        f"# Benchmarks {stamp}",
        "",
        "```",
        json.dumps(payload["machine"], indent=1),
        "```",
        "",
        "## SHAP stage vs bare pred_contribs",
        "",
        "| rows | device | bare s | engine s | ratio | engine rows/s | inter rows | "
        "bare inter s | engine inter s | inter ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in payload["shap"]:  # type: ignore[union-attr]
        lines.append(
            f"| {r['rows']:,} | {r['device']} | {r['bare_contribs_s']:.3f}"
            f" | {r['engine_shap_s']:.3f}"
            f" | {r['shap_ratio']:.3f} | {r['engine_rows_per_s']:,.0f} | {r['interaction_rows']:,}"
            f" | {r['bare_interactions_s']:.3f} | {r['engine_interactions_s']:.3f}"
            f" | {r['interaction_ratio']:.3f} |"
        )
    lines += [
        "",
        "## xai-explain end to end",
        "",
        "| rows | wall s | train+shap s | ratio | peak RSS MB | stages |",
        "|---|---|---|---|---|---|",
    ]
    for r in payload["cli"]:  # type: ignore[union-attr]
        lines.append(
            f"| {r['rows']:,} | {r['main_wall_s']:.2f} | {r['train_plus_shap_s']:.2f} | "
            f"{r['wall_over_train_shap']:.3f} | {r['peak_rss_mb']:.0f} | "
            f"{json.dumps(r['stages_s'])} |"
        )
    for failure in payload.get("failed", []):  # type: ignore[union-attr]
        lines.append(
            f"\nFAILED: {failure['stage']} at {failure['rows']:,} rows: {failure['error']}"
        )
    base.with_suffix(".md").write_text("\n".join(lines) + "\n")
    return base.with_suffix(".json")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and record them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shap-sizes", default="10000,100000")
    parser.add_argument("--cli-sizes", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    args = parser.parse_args(argv)
    payload: dict[str, object] = {"machine": machine_info(), "shap": [], "cli": [], "failed": []}
    path = None
    stages = [
        ("shap", n, lambda n=n: bench_shap_stage(n, args.repeats, args.device))
        for n in (int(s) for s in args.shap_sizes.split(",") if s)
    ]
    stages += [
        ("cli", n, lambda n=n: bench_cli(n))
        for n in (int(s) for s in args.cli_sizes.split(",") if s)
    ]
    for kind, n, run in stages:
        print(f"{kind}, {n:,} rows ...", flush=True)
        try:
            payload[kind].append(run())  # type: ignore[union-attr]
        except (subprocess.CalledProcessError, MemoryError, OSError) as error:
            detail = getattr(error, "stderr", "") or type(error).__name__
            payload["failed"].append({"stage": kind, "rows": n, "error": str(detail)[-500:]})  # type: ignore[union-attr]
        if path is not None:  # one file per run, rewritten after each stage
            path.unlink(missing_ok=True)
            path.with_suffix(".md").unlink(missing_ok=True)
        path = write_results(payload)  # so a long run that is cut off keeps what it measured
    assert path is not None
    print(path.with_suffix(".md").read_text())
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
