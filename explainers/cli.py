"""``xai-explain``: train, explain and write the results of one table, in batch.

Usage::

    xai-explain DATA [--target COL] [--task auto|binary|multiclass|regression|survival]
                [--time COL --event COL [--event-value V]]
                [--out DIR] [--device auto|cpu|cuda] [--rows N] [--seed N]
                [--model FILE] [--sheet NAME] [--header-row N] [--audit [--group-by COL]]
                [--save FILE.xai [--save-table]]
    xai-explain DATA --scheduler ADDRESS [--target COL] [--task ...] [--out DIR] [--seed N]
    xai-explain --open FILE.xai [--out DIR]

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
With ``--save`` it also saves the analysis to one file (model, settings, metrics, SHAP
values and, with ``--audit``, the audit document; the table only with ``--save-table``,
with a warning on stderr naming columns that look like personal data or identifiers).
``--open`` writes the outputs from such a file without retraining (see
:mod:`explainers._cli_archive`).
With ``--task survival`` (implied by ``--time``, ``--event`` or ``--event-value``; without
them the time/event pair the engine recognises is used) it trains an XGBoost Cox model:
``summary.json`` adds ``time``, ``event``, ``event_value``, ``n_events`` and metrics
``c_index`` (with ``c_index_low``/``c_index_high``), ``mean_auc``, ``integrated_brier`` and
``time_dependent_auc``; ``shap_values.csv``'s ``margin`` is the log relative hazard; and
``predictions.csv`` (``row``, ``split``, ``time``, ``event``, ``risk``) is always written.
``--audit`` writes ``audit.json`` for survival too (permutation importance by C-index, effects
on the log hazard, groups with C-index and event rate; ``error_analysis`` is null: a censored
outcome has no per-row error); ``--model`` is refused (see :mod:`explainers._cli_survival`).
``summary.json`` says ``"engine": "local"``. With ``--scheduler`` (a Dask scheduler's
address, or ``local:N``) the run goes to a Dask cluster and DATA may be a folder or glob
of Parquet or CSV parts; it writes ``shap_values.parquet/`` instead of the CSV (see
:mod:`explainers._cli_dask`).
Each of ``summary.json``'s ``warnings`` (what was guessed, skipped or excluded, and why) is
also said on stderr as a ``note:`` line (by a local run; not by ``--scheduler`` or ``--open``).
Exits 0 on success, 2 on bad input or usage with one ``error:`` line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import NoReturn

import pandas as pd

from ._archive.writing import save_analysis
from ._audit.document import audit_document
from ._audit.predictions import predictions_frame
from ._cli_archive import open_to_outputs, table_warning
from ._cli_dask import add_cluster_options, cluster_usage_problem, run_on_cluster
from ._cli_survival import (
    add_survival_options,
    survival_task,
    survival_usage_problem,
    with_survival_facts,
)
from ._errors import DataError, ExplainerError
from ._export import shap_frame, write_csv
from ._io.notes import reading_note
from ._model_worth import model_worth
from ._pipeline import ExplainRun, explain_file
from ._summary import reading_of, summary_of

__all__ = ["main", "reading_of", "summary_of"]

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
    parser.add_argument("data", metavar="DATA", nargs="?", help="CSV, TSV, XLSX or Parquet file")
    parser.add_argument("--target", help="target column (guessed when omitted)")
    parser.add_argument(
        "--task",
        default="auto",
        choices=["auto", "binary", "multiclass", "regression", "survival"],
    )
    add_survival_options(parser)
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
    parser.add_argument(
        "--save",
        metavar="FILE",
        help="also save the analysis to one .xai file (no table unless --save-table)",
    )
    parser.add_argument(
        "--save-table",
        action="store_true",
        help="put the table itself in the --save file (every row: share it with care)",
    )
    parser.add_argument(
        "--open",
        metavar="FILE",
        help="write the outputs from a saved .xai analysis instead of training (no DATA)",
    )
    add_cluster_options(parser)
    return parser


_TRAINING_OPTIONS = {
    "target": None,
    "task": "auto",
    "time": None,
    "event": None,
    "event_value": None,
    "device": "auto",
    "rows": None,
    "seed": 0,
    "model": None,
    "sheet": None,
    "header_row": None,
    "audit": False,
    "group_by": None,
    "save": None,
    "save_table": False,
}
"""Options of a run, with their defaults; ``--open`` takes none of them."""


def _usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the combination of arguments, if anything."""
    if args.scheduler is not None:
        return cluster_usage_problem(args)
    if args.open is not None:
        if args.data is not None:
            return "give either DATA or --open FILE, not both"
        used = [k for k, default in _TRAINING_OPTIONS.items() if getattr(args, k) != default]
        if used:
            flag = "--" + used[0].replace("_", "-")
            return f"{flag} cannot be used with --open (the saved analysis already holds its run)"
        return None
    if args.data is None:
        return "give a DATA file to explain, or --open FILE.xai to open a saved analysis"
    if args.save_table and args.save is None:
        return "--save-table needs --save FILE.xai"
    if args.save is not None and not Path(args.save).resolve().parent.is_dir():
        return f"the folder of --save {args.save} does not exist"
    return survival_usage_problem(args)


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


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:  # usage errors (exit 2) and --help (exit 0)
        return int(stop.code or 0)
    if args.open is None:
        args.task = survival_task(args)
    problem = _usage_problem(args)
    if problem is not None:
        print(f"error: {problem}. Run 'xai-explain --help' for usage.", file=sys.stderr)
        return 2
    if args.open is not None:
        return _open(Path(args.open), Path(args.out))
    if args.scheduler is not None:
        return run_on_cluster(args, _TerminalBar())
    path = Path(args.data)
    if not path.is_file():
        print(f"error: no such file: {args.data}. Check the path.", file=sys.stderr)
        return 2
    if args.rows is not None and args.rows < 1:
        print("error: --rows must be at least 1.", file=sys.stderr)
        return 2
    if args.rows is not None and args.rows < 2 and (args.audit or args.group_by is not None):
        print(  # the audit's intervals resample the explained rows
            "error: --audit needs at least 2 explained rows; give --rows 2 or more, or leave "
            "it out to explain every row.",
            file=sys.stderr,
        )
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
            time=args.time,
            event=args.event,
            event_value=args.event_value,
        )
        seconds = dict(run.seconds)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        run.model.booster.save_model(str(out / "model.json"))
        write_csv(shap_frame(run.shap, run.model), out / "shap_values.csv")
        seconds["write"] = time.perf_counter() - start
        audit = None
        written = ["model.json", "shap_values.csv", "summary.json"]
        survival = run.model.task == "survival"
        if args.audit or args.group_by is not None:
            audit, seconds["audit"] = _write_audit(run, out, args.group_by, args.seed)
            written += ["predictions.csv", "audit.json"]
        elif survival:  # a survival run always writes its predictions
            write_csv(predictions_frame(run.model, run.dataset), out / "predictions.csv")
            written.append("predictions.csv")
        worth, worth_seconds = model_worth(run, seed=args.seed)
        seconds.update(worth_seconds)
        summary = {"engine": "local"} | summary_of(run, seconds) | worth
        if survival:
            summary = with_survival_facts(summary, run)
        (out / "summary.json").write_text(
            json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        for code in run.table.warnings:  # how the file was read
            print(f"note: {reading_note(code)}", file=sys.stderr)
        for finding in run.findings:  # what was guessed, skipped or excluded, and why
            print(f"note: {finding.message}", file=sys.stderr)
        if args.save is not None:
            facts = save_analysis(run, Path(args.save), include_table=args.save_table, audit=audit)
            warning = table_warning(facts)
            if warning is not None:
                print(warning, file=sys.stderr)
    except ExplainerError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot write the output ({error.strerror}). Check --out.", file=sys.stderr)
        return 2
    paths = [str(out / name) for name in written]
    print(f"wrote {', '.join(paths + ([args.save] if args.save else []))}")
    return 0


def _open(source: Path, out: Path) -> int:
    """``--open``: write the outputs of a saved analysis; nothing is written on a refusal."""
    try:
        written = open_to_outputs(source, out, max_bytes=CLI_MAX_BYTES)
    except ExplainerError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot write the output ({error.strerror}). Check --out.", file=sys.stderr)
        return 2
    print(f"wrote {', '.join(str(out / name) for name in written)}")
    return 0


def _write_audit(
    run: ExplainRun, out: Path, group_by: str | None, seed: int
) -> tuple[dict[str, object], float]:
    """Write predictions.csv and audit.json; return the document and the seconds it took."""
    start = time.perf_counter()
    column = None if group_by is None else _table_column(run, group_by)
    document = audit_document(run, group_by=column, seed=seed)
    write_csv(predictions_frame(run.model, run.dataset), out / "predictions.csv")
    (out / "audit.json").write_text(
        json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return document, time.perf_counter() - start


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
    return run.table.frame[safe].rename(names[safe] if names[safe].strip() else safe)


if __name__ == "__main__":
    sys.exit(main())
