"""What the app's cap on training rows costs and saves: ``make bench-cap``.

A benchmark, not a test: it writes ``benchmarks/results/training-cap-<UTC date>.json`` and
``.md``. The app fits its model on a seeded, stratified sample of at most 250,000 training
rows (``ModelSettings.max_train_rows``); this measures, side by side in one run, what that
changes on two synthetic million-row tables, each read and encoded the way an upload is:

- *logistic*: the ``bench-upload`` table (30 numeric features, a logistic target driven by
  five of them): an easy signal that more rows barely sharpen;
- *many levels*: ten numeric features and a 2,000-level category whose every level has its
  own effect, plus an interaction: a harder case where rows per level matter.

For each cap (every row, 500k, 250k, 100k): training seconds (median of the repeats, the
caps interleaved), boosting rounds kept, and the validation rows' ROC AUC and log loss from
scikit-learn (the same 200,000 validation rows for every cap).
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import log_loss, roc_auc_score

from benchmarks.app_timing import save_results
from benchmarks.run import machine_info, synthetic_table
from explainers import Dataset, TrainingOptions, build_dataset, build_schema, read_table
from explainers._training import train_model

CAPS: list[int | None] = [None, 500_000, 250_000, 100_000]


def many_levels_table(n_rows: int, seed: int = 0) -> pd.DataFrame:
    """Ten numeric features and a 2,000-level category with an effect per level."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, 10)).astype(np.float32)
    levels = rng.integers(0, 2000, size=n_rows)
    effect = rng.normal(0, 1.0, size=2000)
    logit = 1.2 * X[:, 0] - X[:, 1] + 0.8 * X[:, 2] * X[:, 3] + effect[levels]
    frame = pd.DataFrame(X, columns=[f"f{i:02d}" for i in range(10)])
    frame["code"] = pd.Series([f"L{v:04d}" for v in range(2000)])[levels].to_numpy()
    frame["target"] = (rng.random(n_rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


def as_upload(frame: pd.DataFrame) -> Dataset:
    """The frame written as Parquet and read, profiled and encoded as the app does."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    table = read_table(buffer.getvalue(), name="table.parquet")
    return build_dataset(table, build_schema(table, target="target"))


def measure(dataset: Dataset, repeats: int) -> list[dict[str, Any]]:
    """Train once per cap and repeat (interleaved); score each on the validation rows."""
    seconds: dict[int | None, list[float]] = {cap: [] for cap in CAPS}
    scored: dict[int | None, dict[str, Any]] = {}
    for _ in range(repeats):
        for cap in CAPS:
            began = time.perf_counter()
            model = train_model(dataset, options=TrainingOptions(max_train_rows=cap))
            seconds[cap].append(time.perf_counter() - began)
            valid = model.valid_index
            score = model.predict(dataset.X.iloc[valid])[:, 1]
            scored[cap] = {
                "cap": cap,
                "train_rows": len(model.train_index),
                "valid_rows": len(valid),
                "rounds": model.best_iteration + 1,
                "auc": float(roc_auc_score(dataset.y[valid], score)),
                "log_loss": float(log_loss(dataset.y[valid], score)),
            }
    return [{**scored[cap], "train_s": round(statistics.median(seconds[cap]), 2)} for cap in CAPS]


def report(payload: dict[str, Any]) -> list[str]:
    """The Markdown page of the results."""
    m = payload["machine"]
    lines = [
        f"# Training-rows cap, {m['date']}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python "
        f"{m['python']}, XGBoost {m['xgboost']}. {payload['rows']:,} rows per table, 20% "
        f"validation; training seconds are medians of {payload['repeats']} interleaved runs.",
        "",
    ]
    for name, rows in payload["tables"].items():
        full = rows[0]
        lines += [
            f"## {name}",
            "",
            "| training rows | seconds | vs every row | rounds | validation AUC | AUC change "
            "| log loss |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            label = "every row" if r["cap"] is None else f"at most {r['cap']:,}"
            lines.append(
                f"| {label} ({r['train_rows']:,}) | {r['train_s']} | "
                f"{r['train_s'] / full['train_s']:.2f}x | {r['rounds']} | {r['auc']:.5f} | "
                f"{r['auc'] - full['auc']:+.5f} | {r['log_loss']:.5f} |"
            )
        lines.append("")
    return lines


def main(argv: list[str] | None = None) -> None:
    """Train with each cap on both tables, write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    machine = machine_info()
    tables = {
        "logistic (bench-upload's table)": synthetic_table(args.rows),
        "many levels (2,000-level category)": many_levels_table(args.rows),
    }
    results = {name: measure(as_upload(frame), args.repeats) for name, frame in tables.items()}
    payload = {"machine": machine, "rows": args.rows, "repeats": args.repeats, "tables": results}
    save_results("training-cap", payload, report(payload))


if __name__ == "__main__":
    main()
