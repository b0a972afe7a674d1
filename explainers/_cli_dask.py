"""``xai-explain DATA --scheduler ADDRESS``: the run on a Dask cluster.

``ADDRESS`` is a Dask scheduler (``tcp://host:8786``) or ``local:N`` (N local worker
processes, started and stopped by the command). ``DATA`` may be a file, a folder of
Parquet or CSV parts, or a glob; the parts are read on the workers. The run writes
``model.json``, ``shap_values.parquet/`` (one part per partition, the columns of
``shap_values.csv``) and ``summary.json`` (``"engine": "dask"``, ``workers``, per-stage
``seconds``, the whole table's dtypes and counts, the profiled sample's size, and the
single process's ``baselines``, ``comparison``, ``tree_curve`` and ``deployment``
computed on a seeded sample of at most 100,000 training and 100,000 validation rows,
counted in ``baselines_rows``). Options
that need the whole table in one process (``--audit``, ``--group-by``, ``--save``,
``--model``, ``--rows``, ``--task survival``, workbook options) are refused (exit 2).

Dask is optional: without it installed, ``--scheduler`` exits 2 saying how to install it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ._errors import ExplainerError
from ._types import Progress

_REFUSED = (
    ("audit", "--audit", False),
    ("group_by", "--group-by", None),
    ("save", "--save", None),
    ("save_table", "--save-table", False),
    ("model", "--model", None),
    ("rows", "--rows", None),
    ("sheet", "--sheet", None),
    ("header_row", "--header-row", None),
    ("open", "--open", None),
    ("time", "--time", None),
    ("event", "--event", None),
    ("event_value", "--event-value", None),
)
"""Options a cluster run does not take: (attribute, flag, default)."""


def add_cluster_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--scheduler`` to the CLI's parser."""
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster: a scheduler address (tcp://host:8786) or local:N "
        "(N local worker processes); DATA may then be a folder or glob of Parquet/CSV parts",
    )


def cluster_usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the options of a ``--scheduler`` run, if anything."""
    for attribute, flag, default in _REFUSED:
        if getattr(args, attribute) != default:
            return (
                f"{flag} cannot be used with --scheduler (it needs the whole table in one process)"
            )
    if args.task == "survival":
        return "--task survival cannot be used with --scheduler yet"
    if args.data is None:
        return "give DATA (a file, a folder of parts or a glob) to run on the cluster"
    return None


def run_on_cluster(args: argparse.Namespace, progress: Progress) -> int:
    """Run the pipeline on the cluster ``args.scheduler`` names and write the outputs."""
    try:
        from ._dask import connect, explain_on_cluster, list_parts
        from ._dask.summary import cluster_summary
    except ImportError:
        print(
            'error: --scheduler needs Dask. Install it with: pip install "xai-dashboard[dask]"',
            file=sys.stderr,
        )
        return 2
    out = Path(args.out)
    try:
        list_parts(args.data)  # no part: refused before a cluster is started
        start = time.perf_counter()
        with connect(args.scheduler) as connection:
            connect_seconds = time.perf_counter() - start
            run = explain_on_cluster(
                connection,
                args.data,
                out,
                target=args.target,
                task=args.task,
                device=args.device,
                seed=args.seed,
                progress=progress,
            )
            seconds = {"connect": connect_seconds, **run.seconds}
            start = time.perf_counter()
            run.model.booster.save_model(str(out / "model.json"))
            seconds["write"] = time.perf_counter() - start
            summary = cluster_summary(run, seconds)
            (out / "summary.json").write_text(
                json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8"
            )
    except ExplainerError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot write the output ({error.strerror}). Check --out.", file=sys.stderr)
        return 2
    names = ("model.json", "shap_values.parquet", "summary.json")
    print(f"wrote {', '.join(str(out / name) for name in names)}")
    return 0
