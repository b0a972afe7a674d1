"""``xai-explain --task survival``: the CLI's options and extra facts for time-to-event data.

``--time COL`` and ``--event COL`` (names as in the file's header, or their safe names)
name the follow-up time and the event; ``--event-value V`` the value of a status column
that means the event happened. Any of them without ``--task`` implies ``--task
survival``; ``--task survival`` without them uses the time/event pair the engine
recognises (:func:`explainers.suggest_survival`), and exits 2 when there is none.

A survival run always writes ``predictions.csv`` (``row``, ``split``, ``time``,
``event``, ``risk``); ``--audit`` adds ``audit.json`` (no error analysis for survival).
``--model`` is refused for survival (exit 2): an uploaded model cannot be survival yet.
``--save`` saves the survival model's baseline, metrics and curves too, and ``--open``
writes the same ``summary.json`` survival entries (``predictions.csv`` only when the
table was saved, as for every task).
"""

from __future__ import annotations

import argparse

import numpy as np

from ._archive.opening import OpenedAnalysis
from ._pipeline import ExplainRun
from ._types import TaskChoice


def add_survival_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--time``, ``--event`` and ``--event-value`` to the CLI's parser."""
    parser.add_argument(
        "--time", metavar="COL", help="follow-up time column (implies --task survival)"
    )
    parser.add_argument(
        "--event",
        metavar="COL",
        help="event column: 0/1, yes/no, or a status with --event-value (implies survival)",
    )
    parser.add_argument(
        "--event-value",
        metavar="V",
        help="the value of the event column that means the event happened (e.g. 2 = dead)",
    )


def survival_task(args: argparse.Namespace) -> TaskChoice:
    """The task to run: ``survival`` when a survival option is given on ``auto``."""
    named = any(v is not None for v in (args.time, args.event, args.event_value))
    task: TaskChoice = args.task
    return "survival" if named and task == "auto" else task


def survival_usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the survival options, if anything (``args.task`` resolved)."""
    given = (("--time", args.time), ("--event", args.event), ("--event-value", args.event_value))
    flags = [flag for flag, value in given if value is not None]
    if flags and args.task != "survival":
        return f"{flags[0]} needs --task survival (or no --task), not --task {args.task}"
    if args.task == "survival" and args.model is not None:
        return (
            "--model cannot be used with --task survival (uploaded survival models are not "
            "supported yet)"
        )
    return None


def with_survival_facts(
    summary: dict[str, object], run: ExplainRun | OpenedAnalysis
) -> dict[str, object]:
    """``summary`` with the survival entries of ``run`` (or of an opened analysis) added.

    ``time`` and ``event`` are the columns' names in the file, ``event_value`` the event
    value used (as text; null for a 0/1 or yes/no event) and ``n_events`` the events
    among the rows; ``metrics["time_dependent_auc"]`` lists the validation rows'
    cumulative/dynamic AUC at each stated time (``time``, ``auc``).
    """
    schema, evaluation = run.schema, run.evaluation.survival
    if isinstance(run, OpenedAnalysis):
        n_events = run.n_events
    else:
        n_events = None if run.dataset.event is None else int(run.dataset.event.sum())
    names = schema.display_names
    metrics = dict(summary["metrics"]) if isinstance(summary["metrics"], dict) else {}
    if evaluation is not None:
        metrics["time_dependent_auc"] = [
            {"time": float(t), "auc": float(a) if np.isfinite(a) else None}
            for t, a in zip(evaluation.auc_times, evaluation.auc, strict=True)
        ]
    return summary | {
        "time": names.get(schema.time or "", schema.time),
        "event": names.get(schema.target, schema.target),
        "event_value": schema.event_value,
        "n_events": n_events,
        "metrics": metrics,
    }
