"""``xai-explain --save`` and ``--open``: a saved analysis (``.xai``) from and to the CLI's outputs.

``--open FILE.xai`` writes what a run writes, from the file and without retraining:
``model.json``, ``shap_values.csv`` (the same bytes), ``summary.json`` (the same facts),
``audit.json`` when the audit was saved, and ``predictions.csv`` when the table was;
for a survival analysis ``summary.json`` has the survival entries a run writes
(``time``, ``event``, ``event_value``, ``n_events``, the time-dependent AUC).

``summary.json``'s ``baselines``, ``comparison``, ``tree_curve`` and ``deployment``
(:func:`explainers.model_worth`) are not stored in the file: they are computed again
when the table was saved (the same split and seed give the same baselines; speeds are
measured on this machine, as always), and without the table they are empty, each with a
``*_skipped`` reason of ``saved_without_table`` (baselines and the tree curve need the
rows; deployment speeds are measured on rows).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ._archive.opening import OpenedAnalysis, open_analysis
from ._archive.writing import SavedFacts
from ._audit.predictions import predictions_frame
from ._cli_survival import with_survival_facts
from ._export import shap_frame, write_csv
from ._model_worth import model_worth
from ._summary import summary_of

NO_ROWS = "saved_without_table"
"""The ``*_skipped`` reason of what needs the rows, opened from a file saved without them."""


def table_warning(facts: SavedFacts) -> str | None:
    """A plain warning naming the saved table's personal-data and identifier columns."""
    if not facts.has_table or not (facts.personal_columns or facts.identifier_columns):
        return None
    parts = []
    if facts.personal_columns:
        parts.append(f"personal data: {_names(facts.personal_columns)}")
    if facts.identifier_columns:
        parts.append(f"identifiers: {_names(facts.identifier_columns)}")
    return (
        f"warning: the saved analysis holds the whole table, with columns that look like "
        f"{'; '.join(parts)}. Share it only with people allowed to see these data, or save "
        "it again without --save-table."
    )


def _names(names: tuple[str, ...], most: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def open_to_outputs(source: Path, out: Path, *, max_bytes: int) -> list[str]:
    """Open ``source`` and write the usual outputs to ``out``; return the names written.

    The file is opened and checked in memory first, so a refusal (a
    :class:`~explainers.DataError`) leaves nothing behind, not even ``out``.
    """
    start = time.perf_counter()
    opened = open_analysis(source, max_bytes=max_bytes)
    seconds = dict(opened.seconds)
    seconds["open"] = time.perf_counter() - start
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    opened.model.booster.save_model(str(out / "model.json"))
    write_csv(shap_frame(opened.shap, opened.model), out / "shap_values.csv")
    written = ["model.json", "shap_values.csv"]
    if opened.dataset is not None:
        write_csv(predictions_frame(opened.model, opened.dataset), out / "predictions.csv")
        written.append("predictions.csv")
    if opened.audit is not None:
        _write_json(opened.audit, out / "audit.json")
        written.append("audit.json")
    seconds["write"] = time.perf_counter() - start
    worth, worth_seconds = worth_of(opened)
    seconds.update(worth_seconds)
    summary = {"engine": "local"} | summary_of(opened, seconds) | worth
    if opened.model.task == "survival":
        summary = with_survival_facts(summary, opened)
    _write_json(summary, out / "summary.json")
    return [*written[:2], "summary.json", *written[2:]]


def worth_of(opened: OpenedAnalysis) -> tuple[dict[str, object], dict[str, float]]:
    """``model_worth``'s entries of ``summary.json``: computed again with the table, else
    empty with the reason."""
    run = opened.run
    if run is not None:
        return model_worth(run, seed=opened.seed)
    return {
        "baselines": [],
        "comparison": None,
        "baselines_skipped": NO_ROWS,
        "tree_curve": None,
        "tree_curve_skipped": NO_ROWS,
        "deployment": None,
        "deployment_skipped": NO_ROWS,
    }, {}


def _write_json(document: dict[str, object], path: Path) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
