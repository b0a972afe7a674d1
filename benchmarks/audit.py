"""The audit's cost at 100,000 x 30: ``make bench-audit`` or ``python -m benchmarks.audit``.

A benchmark, not a test: it writes ``benchmarks/results/audit-<UTC date>.json`` and
``.md``. The table is ``make bench``'s synthetic one (five drivers, 25 null features)
with a ``site`` column to group by; the model is trained as the CLI trains it, and
the audit (:func:`explainers._audit.document.audit_document`) runs on its validation
rows, each part timed.
"""

from __future__ import annotations

import argparse
import io
import time

import numpy as np

from benchmarks.app_timing import save_json
from benchmarks.run import machine_info, synthetic_table
from explainers import explain_file
from explainers._audit.document import audit_document


def main(argv: list[str] | None = None) -> None:
    """Train on the synthetic table, run the audit, write the seconds per part."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    frame = synthetic_table(args.rows)
    frame["site"] = np.random.default_rng(1).choice(["a", "b", "c", "d"], len(frame))
    buffer = io.BytesIO()
    frame.to_csv(buffer, index=False)
    start = time.perf_counter()
    run = explain_file(buffer.getvalue(), name="bench.csv", target="target", rows=20_000)
    pipeline_s = time.perf_counter() - start
    site = run.table.frame["site"].rename("site")
    start = time.perf_counter()
    document = audit_document(run, group_by=site)
    audit_s = time.perf_counter() - start
    payload = {
        "machine": machine_info(),
        "rows": args.rows,
        "validation_rows": document["validation_rows"],
        "trees": int(run.model.best_iteration + 1),
        "pipeline_seconds": pipeline_s,
        "audit_seconds": audit_s,
        "parts": document["seconds"],
    }
    json_path, md_path = save_json("audit", payload)
    lines = [
        f"# The audit at {args.rows:,} x 30, {payload['machine']['date']}",
        "",
        f"Model: {payload['trees']} trees; validation rows: {payload['validation_rows']:,}; "
        f"train + first SHAP sample: {pipeline_s:.1f} s.",
        "",
        "| part | seconds |",
        "|---|---|",
        *[f"| {k} | {v:.2f} |" for k, v in payload["parts"].items()],
        f"| **whole audit** | **{audit_s:.2f}** |",
    ]
    md_path.write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines))
    print(f"wrote {json_path} and {md_path}")


if __name__ == "__main__":
    main()
