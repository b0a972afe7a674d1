"""``xai-explain``: train, explain and write the results of one table, in batch.

Usage::

    xai-explain DATA [--target COL] [--task auto|binary|multiclass|regression]
                [--out DIR] [--device auto|cpu|cuda] [--rows N] [--seed N]
                [--model FILE] [--sheet NAME] [--header-row N] [--audit [--group-by COL]]

Writes ``DIR/model.json``, ``DIR/shap_values.csv`` and ``DIR/summary.json``.
With ``--model`` (an XGBoost model saved as JSON or UBJSON) nothing is trained:
that model is checked against DATA, evaluated on every labelled row and
explained; ``summary.json`` says ``"model_source": "uploaded"`` and
``seconds.train`` is the time taken to load it.
With ``--audit`` (implied by ``--group-by``) it also writes ``DIR/predictions.csv``
(``row``, ``split``, ``label``, ``prediction``, ``proba_<class>``) and ``DIR/audit.json``
(permutation and SHAP importance with intervals, partial dependence of the top
features, error analysis, and per-group metrics of ``--group-by``'s column).
``summary.json`` also holds ``baselines`` (trivial and linear models fitted on the same
split), ``comparison`` (XGBoost against the linear one on the main score, with a paired
bootstrap interval and a verdict), ``tree_curve`` and ``deployment`` (file sizes, trees,
prediction speed measured here, and the compact model's).
Exits 0 on success, 2 on bad input or usage with one ``error:`` line on stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import NoReturn

import pandas as pd

from ._audit.document import audit_document
from ._audit.predictions import predictions_frame
from ._errors import DataError, ExplainerError
from ._export import shap_frame, write_csv
from ._io.reading import Table
from ._model_worth import model_worth
from ._pipeline import ExplainRun, explain_file

# The CLI reads local files, so it allows far larger tables than an upload (the cell
# limit still applies): a 1M x 30 CSV is about 320 MB.
CLI_MAX_BYTES = 4 * 2**30


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message}. Run 'xai-explain --help' for usage.\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="xai-explain",
        description="Train an XGBoost model on a table (or load yours) and write exact TreeSHAP "
        "values.",
    )
    parser.add_argument("data", metavar="DATA", help="CSV, TSV, XLSX or Parquet file")
    parser.add_argument("--target", help="target column (guessed when omitted)")
    parser.add_argument(
        "--task", default="auto", choices=["auto", "binary", "multiclass", "regression"]
    )
    parser.add_argument("--out", default="xai-output", help="output folder (default xai-output)")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--rows", type=int, help="explain a seeded random sample of N rows")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--model",
        metavar="FILE",
        help="explain this XGBoost model (JSON or UBJSON) instead of training one",
    )
    parser.add_argument(
        "--sheet",
        metavar="NAME",
        help="workbook sheet to read (default: the one with the most data)",
    )
    parser.add_argument(
        "--header-row",
        type=int,
        metavar="N",
        help="workbook row (1 = first) holding the column names (default: found)",
    )
    parser.add_argument(
        "--audit",
        action="store_true",
        help="also write predictions.csv and audit.json (importance with intervals, "
        "partial dependence, error analysis)",
    )
    parser.add_argument(
        "--group-by",
        metavar="COL",
        help="per-group metrics of this column in audit.json (implies --audit)",
    )
    return parser


class _TerminalBar:
    """A one-line progress bar on stderr, drawn only on a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, done: int, total: int, message: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        filled = int(30 * done / max(total, 1))
        sys.stderr.write(f"\r{message:<9} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _clean(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def summary_of(run: ExplainRun, seconds: dict[str, float]) -> dict[str, object]:
    """The ``summary.json`` document of a run."""
    names = run.schema.display_names
    metrics: dict[str, object] = {k: _clean(v) for k, v in run.evaluation.metrics.items()}
    if run.evaluation.per_class and run.model.task == "multiclass":
        metrics["per_class"] = {
            c: {k: _clean(v) for k, v in m.items()} for c, m in run.evaluation.per_class.items()
        }
    summary: dict[str, object] = {
        "model_source": run.model.source,
        "task": run.model.task,
        "target": run.model.target_display,
        "n_rows": int(len(run.dataset.y)),
        "n_rows_dropped_missing_target": run.dataset.n_dropped_missing_target,
        "n_explained_rows": int(len(run.shap.rows)),
        "n_features": len(run.model.spec.names),
        "features": [names[f] for f in run.model.spec.names],
        "dropped_columns": _dropped(run),
        "metrics": metrics,
        "device": run.shap.device,
        "shap_backend": run.shap.backend,
        "seconds": {k: round(v, 4) for k, v in seconds.items()},
        "global_importance": [
            {"feature": names[f], "mean_abs_shap": score} for f, score in run.shap.ranking()
        ],
        "warnings": [finding.as_dict() for finding in run.findings],
        "reading": reading_of(run.table),
        "target_guess": {
            "guessed": run.schema.target_guessed,
            "reason": run.schema.target_reason,
            "alternatives": [names.get(a, a) for a in run.schema.target_alternatives],
            "skipped": [
                {"name": names.get(n, n), "code": code} for n, code in run.schema.skipped_targets
            ],
        },
        "leak_check_rows": run.schema.leak_check_rows,
    }
    if run.model.classes is not None:
        summary["classes"] = list(run.model.classes)
    if run.model.source == "uploaded":
        summary["model_warnings"] = list(run.warnings)
    return summary


def reading_of(table: Table) -> dict[str, object]:
    """How the file was read: format, sheet, header row, missing markers, number formats."""
    names = table.original_names
    reading = table.reading
    return {
        "format": table.format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "sheet": reading.sheet,
        "sheets": list(reading.sheets),
        "header_row": reading.header_row + 1,
        "missing_tokens": [
            {"column": names.get(m.column, m.column), "tokens": list(m.tokens), "count": m.count}
            for m in reading.missing
        ],
        "converted_to_numbers": [
            {"column": names.get(c.column, c.column), "formats": list(c.formats)}
            for c in reading.converted
        ],
    }


def _dropped(run: ExplainRun) -> list[dict[str, object]]:
    return [
        {"name": c.display_name, "reason": c.reason_text, "code": c.reason}
        for c in run.schema.excluded
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:  # usage errors (exit 2) and --help (exit 0)
        return int(stop.code or 0)
    path = Path(args.data)
    if not path.is_file():
        print(f"error: no such file: {args.data}. Check the path.", file=sys.stderr)
        return 2
    if args.rows is not None and args.rows < 1:
        print("error: --rows must be at least 1.", file=sys.stderr)
        return 2
    if args.header_row is not None and args.header_row < 1:
        print("error: --header-row must be at least 1.", file=sys.stderr)
        return 2
    if args.model is not None and not Path(args.model).is_file():
        print(f"error: no such model file: {args.model}. Check the path.", file=sys.stderr)
        return 2
    try:
        run = explain_file(
            path,
            target=args.target,
            task=args.task,
            device=args.device,
            rows=args.rows,
            seed=args.seed,
            progress=_TerminalBar(),
            model=None if args.model is None else Path(args.model),
            max_bytes=CLI_MAX_BYTES,
            sheet=args.sheet,
            header_row=None if args.header_row is None else args.header_row - 1,
        )
        seconds = dict(run.seconds)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        run.model.booster.save_model(str(out / "model.json"))
        write_csv(shap_frame(run.shap, run.model), out / "shap_values.csv")
        seconds["write"] = time.perf_counter() - start
        if args.audit or args.group_by is not None:
            seconds["audit"] = _write_audit(run, out, args.group_by, args.seed)
        worth, worth_seconds = model_worth(run, seed=args.seed)
        seconds.update(worth_seconds)
        summary = summary_of(run, seconds) | worth
        (out / "summary.json").write_text(
            json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8"
        )
    except ExplainerError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot write the output ({error.strerror}). Check --out.", file=sys.stderr)
        return 2
    written = ["model.json", "shap_values.csv", "summary.json"]
    if "audit" in seconds:
        written += ["predictions.csv", "audit.json"]
    print(f"wrote {', '.join(str(out / name) for name in written)}")
    return 0


def _write_audit(run: ExplainRun, out: Path, group_by: str | None, seed: int) -> float:
    """Write predictions.csv and audit.json; return the seconds it took."""
    start = time.perf_counter()
    column = None if group_by is None else _table_column(run, group_by)
    document = audit_document(run, group_by=column, seed=seed)
    write_csv(predictions_frame(run.model, run.dataset), out / "predictions.csv")
    (out / "audit.json").write_text(
        json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return time.perf_counter() - start


def _table_column(run: ExplainRun, name: str) -> pd.Series:
    """A column of the table by its name in the file (or its safe name), under that name."""
    names = run.table.original_names
    safe = name if name in names else next((s for s, o in names.items() if o == name), None)
    if safe is None:
        raise DataError(
            f"There is no column named {name!r} to group by. Check the spelling against the "
            "file's header.",
            code="unknown_column",
            column=name,
        )
    return run.table.frame[safe].rename(names[safe])


if __name__ == "__main__":
    sys.exit(main())
