"""The ``summary.json`` document: what the CLI writes and the app's metrics export holds.

It is made from a full run or from a saved analysis opened without its table: both
carry the schema, model, metrics, SHAP values and findings, and a saved analysis keeps
how many rows there were and how the table was read (:class:`~explainers.TableFacts`).
"""

from __future__ import annotations

import math

from ._archive.opening import OpenedAnalysis
from ._archive.restore_docs import TableFacts
from ._io.notes import reading_note
from ._io.reading import Table
from ._pipeline import ExplainRun
from ._schema import Schema


def _clean(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def summary_of(run: ExplainRun | OpenedAnalysis, seconds: dict[str, float]) -> dict[str, object]:
    """The ``summary.json`` document of a run, or of a saved analysis (table or not).

    Parameters
    ----------
    run
        The run, or the saved analysis :func:`explainers.open_analysis` returned (its
        row counts and reading facts were saved, so the table is not needed).
    seconds
        The seconds each stage took, written as ``seconds``.
    """
    if isinstance(run, ExplainRun):
        n_rows, dropped = len(run.dataset.y), run.dataset.n_dropped_missing_target
        n_inf, reading = run.dataset.n_inf_replaced, reading_of(run.table)
    else:
        n_rows, dropped = run.n_rows, run.n_dropped_missing_target
        n_inf, reading = run.n_inf_replaced, reading_of(run.table_facts)
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
        "n_rows": int(n_rows),
        "n_rows_dropped_missing_target": dropped,
        "n_values_out_of_range": int(n_inf),
        "n_explained_rows": int(len(run.shap.rows)),
        "shap_distinct_rows": run.shap.distinct_rows,
        "shap_rows_computed": _rows_computed(run),
        "n_features": len(run.model.spec.names),
        "features": [names[f] for f in run.model.spec.names],
        "dropped_columns": _dropped(run.schema),
        "metrics": metrics,
        "device": run.shap.device,
        "shap_backend": run.shap.backend,
        "seconds": {k: round(v, 4) for k, v in seconds.items()},
        "global_importance": [
            {"feature": names[f], "mean_abs_shap": score} for f, score in run.shap.ranking()
        ],
        "warnings": [finding.as_dict() for finding in run.findings],
        "reading": reading,
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


def _rows_computed(run: ExplainRun | OpenedAnalysis) -> int:
    """Rows TreeSHAP computed: the distinct rows when repeats were computed once, else
    every explained row (as in analyses saved before distinct rows were kept)."""
    if run.shap.distinct_rows is not None:
        return run.shap.distinct_rows
    return int(len(run.shap.rows))


def reading_of(table: Table | TableFacts) -> dict[str, object]:
    """How the file was read: format, sheet, header row, missing markers, number formats.
    Columns go by their names in the file, or the reader's where the file's is blank."""
    names = {safe: o if o.strip() else safe for safe, o in table.original_names.items()}
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
        "notes": [{"code": code, "message": reading_note(code)} for code in table.warnings],
    }


def _dropped(schema: Schema) -> list[dict[str, object]]:
    return [
        {"name": c.display_name, "reason": c.reason_text, "code": c.reason} for c in schema.excluded
    ]
