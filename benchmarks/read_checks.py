"""Reading and checking a table: this tree against an earlier commit, side by side.

Run with ``make bench-checks`` or ``python -m benchmarks.read_checks [--baseline REF]``.
A benchmark, not a test: it writes ``benchmarks/results/read-checks-<UTC date>.json``
and ``.md``.

Issue 9 added work before the first view: cleaning every text column (missing
markers, typed numbers) while reading, and the leak audit (each feature alone on
held-out rows) while building the schema. This measures ``read_table`` and
``build_schema`` on two 100,000 x 30 CSV tables, in fresh processes that alternate
between the baseline commit (checked out with ``git worktree`` under
``benchmarks/.data/``) and this tree, so both see the same machine load:

- ``numeric``: the table ``make bench-upload`` uploads (30 float features);
- ``messy``: 18 numeric features, 5 categories, 4 numeric columns with ``.`` and
  ``NA`` markers, 3 columns of numbers typed with thousands separators and ``$``.
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

import numpy as np
import pandas as pd

from benchmarks.app_timing import save_json
from benchmarks.run import machine_info, synthetic_table

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / ".data"
BASELINE = "3494ad0"
"""The last commit before issue 9's reading and leak checks."""


def messy_table(n_rows: int, seed: int = 0) -> pd.DataFrame:
    """A 30-column table with categories, missing markers and typed numbers."""
    frame = synthetic_table(n_rows, n_features=18, seed=seed)
    rng = np.random.default_rng(seed + 1)
    for i in range(5):
        frame[f"cat{i}"] = rng.choice(["north", "south", "east", "west", "centre"][: 2 + i], n_rows)
    for i in range(4):
        values = rng.normal(100, 15, n_rows).round(1).astype(str).astype(object)
        values[rng.random(n_rows) < 0.05] = "."
        values[rng.random(n_rows) < 0.02] = "NA"
        frame[f"lab{i}"] = values
    for i in range(3):
        frame[f"amount{i}"] = [f"${v:,.2f}" for v in rng.gamma(2, 800, n_rows)]
    return frame


def _worker(path: str) -> None:
    """Time read_table and build_schema of one CSV in this process; print JSON."""
    from explainers import build_schema, read_table

    data = Path(path).read_bytes()
    start = time.perf_counter()
    table = read_table(data, name=Path(path).name)
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    schema = build_schema(table, target="target")
    schema_s = time.perf_counter() - start
    print(json.dumps({"read_s": read_s, "schema_s": schema_s, "features": len(schema.features)}))


def _baseline_tree(ref: str) -> Path:
    sha = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        ["git", "rev-parse", "--short", ref],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tree = DATA / f"baseline-{sha}"
    if not tree.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 - fixed arguments, no shell
            ["git", "worktree", "add", "--detach", str(tree), sha],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    return tree


def _run(tree: Path, csv: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            sys.executable,
            "-c",
            "from benchmarks.read_checks import _worker; import sys; _worker(sys.argv[1])",
            str(csv),
        ],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    """Alternate baseline and current runs; write medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    baseline = _baseline_tree(args.baseline)
    # The worker module must exist in the baseline tree too: copy this file there.
    (baseline / "benchmarks" / "read_checks.py").write_text(Path(__file__).read_text("utf-8"))
    DATA.mkdir(parents=True, exist_ok=True)
    tables = {"numeric": synthetic_table(args.rows), "messy": messy_table(args.rows)}
    paths = {}
    for name, frame in tables.items():
        paths[name] = DATA / f"read-checks-{name}-{args.rows}.csv"
        frame.to_csv(paths[name], index=False)
    runs: dict[str, dict[str, list[dict[str, float]]]] = {
        name: {"baseline": [], "current": []} for name in tables
    }
    for _ in range(args.repeats):
        for name, path in paths.items():
            runs[name]["baseline"].append(_run(baseline, path))
            runs[name]["current"].append(_run(ROOT, path))
    summary = {}
    for name, by_tree in runs.items():
        row: dict[str, float] = {}
        for tree, results in by_tree.items():
            for stage in ("read_s", "schema_s"):
                row[f"{tree}_{stage}"] = statistics.median(r[stage] for r in results)
            row[f"{tree}_total_s"] = statistics.median(r["read_s"] + r["schema_s"] for r in results)
            row[f"{tree}_features"] = results[0]["features"]
        row["added_s"] = row["current_total_s"] - row["baseline_total_s"]
        summary[name] = row
    payload = {
        "machine": machine_info(),
        "baseline": args.baseline,
        "rows": args.rows,
        "repeats": args.repeats,
        "summary": summary,
        "runs": runs,
    }
    json_path, md_path = save_json("read-checks", payload)
    lines = [
        f"# Reading and checks, {payload['machine']['date']}",
        "",
        f"{args.rows:,} rows x 30 columns; median of {args.repeats} fresh processes per "
        f"tree, alternating; baseline {args.baseline}.",
        "",
        "| table | stage | baseline s | current s |",
        "|---|---|---|---|",
    ]
    for name, row in summary.items():
        for stage in ("read_s", "schema_s", "total_s"):
            lines.append(
                f"| {name} | {stage[:-2]} | {row[f'baseline_{stage}']:.2f} | "
                f"{row[f'current_{stage}']:.2f} |"
            )
        lines.append(
            f"| {name} | features kept | {row['baseline_features']} | {row['current_features']} |"
        )
    md_path.write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines))
    print(f"wrote {json_path} and {md_path}")


if __name__ == "__main__":
    main()
