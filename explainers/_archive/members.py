"""What goes into a saved analysis: each member's bytes, made from a run.

JSON members hold settings, the schema with every column's profile, metrics and
findings; Parquet members hold the arrays (validation scores, curves, the split,
SHAP values and interaction values) and, only when asked, the table and its
encoded target. Parquet columns carry positional names (``f0``, ``c0``) so no
column name from the data becomes a Parquet name; the names live in the JSON.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .._evaluation import Curve, Evaluation
from .._findings import Finding
from .._io.reading import Table
from .._pipeline import ExplainRun
from .._schema import Schema
from .._shap import InteractionResult, ShapResult
from .._training import TrainedModel
from .fields import finite_or_none

CURVES = ("roc", "pr", "calibration")
CURVE_ARRAYS = ("x", "y", "thresholds")


def json_bytes(document: object) -> bytes:
    """``document`` as strict UTF-8 JSON (raises ValueError on NaN: clean numbers first)."""
    return json.dumps(document, ensure_ascii=False, allow_nan=False, indent=1).encode("utf-8")


def parquet_bytes(table: pa.Table) -> bytes:
    """``table`` as Parquet bytes, without schema metadata."""
    buffer = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(None), buffer, compression="zstd")
    return buffer.getvalue()


def finite(value: Any) -> Any:
    """``value`` with NaN and infinities as None, through lists and objects."""
    if isinstance(value, float):
        return finite_or_none(value)
    if isinstance(value, np.floating):
        return finite_or_none(float(value))
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, dict):
        return {str(k): finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def finding_document(finding: Finding) -> dict[str, object]:
    """A finding with its params (code, English message, columns, figures)."""
    return {
        "code": finding.code,
        "message": finding.message,
        "columns": list(finding.columns),
        "params": finite(dict(finding.params)),
    }


def settings_document(
    run: ExplainRun, interactions: InteractionResult | None, dtypes: list[str]
) -> dict[str, object]:
    """Settings and facts of the run: model, features, timings, backend, the table's reading."""
    model, table, shap = run.model, run.table, run.shap
    spec = model.spec
    return {
        "model": {
            "source": model.source,
            "task": model.task,
            "target": model.target,
            "target_display": model.target_display,
            "classes": None if model.classes is None else list(model.classes),
            "best_iteration": model.best_iteration,
            "options": finite(asdict(model.options)),
            "features": {
                "names": list(spec.names),
                "display_names": dict(spec.display_names),
                "kinds": dict(spec.kinds),
                "categories": {k: list(v) for k, v in spec.categories.items()},
            },
        },
        "seed": model.options.seed,
        "warnings": list(run.warnings),
        "seconds": finite(dict(run.seconds)),
        "shap": {
            "backend": shap.backend,
            "device": shap.device,
            "seconds": finite(shap.seconds),
            "n_rows": len(shap.rows),
            "distinct_rows": shap.distinct_rows,
            "n_outputs": shap.n_outputs,
        },
        "interactions": None
        if interactions is None
        else {
            "backend": interactions.backend,
            "seconds": finite(interactions.seconds),
            "n_rows": len(interactions.rows),
        },
        "dataset": {
            "n_rows": len(run.dataset.y),
            "n_dropped_missing_target": run.dataset.n_dropped_missing_target,
            "n_inf_replaced": run.dataset.n_inf_replaced,
        },
        "table": table_facts_document(table, dtypes),
    }


def table_facts_document(table: Table, dtypes: list[str]) -> dict[str, object]:
    """How the table was read, and its columns; no cells but the missing-value markers found."""
    reading = table.reading
    return {
        "source_name": table.source_name,
        "format": table.format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "n_rows": table.n_rows,
        "n_columns": table.n_columns,
        "warnings": list(table.warnings),
        "columns": [
            {
                "name": str(name),
                "display_name": table.original_names.get(str(name), str(name)),
                "dtype": dtype,
            }
            for name, dtype in zip(table.frame.columns, dtypes, strict=True)
        ],
        "reading": {
            "sheet": reading.sheet,
            "sheets": list(reading.sheets),
            "header_row": reading.header_row,
            "missing": [
                {"column": m.column, "tokens": list(m.tokens), "count": m.count}
                for m in reading.missing
            ],
            "converted": [
                {"column": c.column, "formats": list(c.formats)} for c in reading.converted
            ],
        },
    }


def schema_document(schema: Schema) -> dict[str, object]:
    """The schema: target, task, how they were chosen, every column's profile, findings."""
    return {
        "target": schema.target,
        "task": schema.task,
        "target_guessed": schema.target_guessed,
        "task_guessed": schema.task_guessed,
        "n_rows": schema.n_rows,
        "target_reason": schema.target_reason,
        "target_alternatives": list(schema.target_alternatives),
        "skipped_targets": [{"column": c, "code": code} for c, code in schema.skipped_targets],
        "leak_check_rows": schema.leak_check_rows,
        "time": schema.time,
        "event_value": schema.event_value,
        "survival_suggestion": None
        if schema.survival_suggestion is None
        else finite(asdict(schema.survival_suggestion)),
        "columns": [finite(asdict(c)) for c in schema.columns],
        "findings": [finding_document(f) for f in schema.findings],
    }


def evaluation_document(evaluation: Evaluation, findings: tuple[Finding, ...]) -> dict[str, object]:
    """Metrics (NaN written as null), the confusion matrix, curve keys, the run's findings."""
    return {
        "task": evaluation.task,
        "metrics": finite(dict(evaluation.metrics)),
        "per_class": finite({k: dict(v) for k, v in evaluation.per_class.items()}),
        "classes": None if evaluation.classes is None else list(evaluation.classes),
        "confusion": None if evaluation.confusion is None else evaluation.confusion.tolist(),
        "n_valid": evaluation.n_valid,
        "curves": {name: list(_curves(evaluation, name)) for name in CURVES},
        "findings": [finding_document(f) for f in findings],
    }


def _curves(evaluation: Evaluation, name: str) -> dict[str, Curve]:
    curves: dict[str, Curve] = getattr(evaluation, name)
    return curves


def evaluation_arrays(evaluation: Evaluation) -> pa.Table:
    """Validation labels, predictions and scores (one ``score_j`` per class), residuals.

    For survival also each validation row's follow-up ``time``, ``event`` and ``risk``.
    """
    columns: dict[str, np.ndarray] = {
        "y_true": np.asarray(evaluation.y_true),
        "y_pred": np.asarray(evaluation.y_pred),
    }
    score = np.asarray(evaluation.y_score)
    if score.ndim == 2:
        columns.update({f"score_{j}": score[:, j] for j in range(score.shape[1])})
    else:
        columns["score"] = score
    if evaluation.residuals is not None:
        columns["residual"] = np.asarray(evaluation.residuals)
    survival = evaluation.survival
    if survival is not None:
        columns["time"] = np.asarray(survival.time, dtype=np.float64)
        columns["event"] = np.asarray(survival.event, dtype=np.bool_)
        columns["risk"] = np.asarray(survival.risk, dtype=np.float64)
    return pa.table(columns)


def curve_arrays(evaluation: Evaluation) -> pa.Table:
    """ROC, PR and calibration curves in long form: curve, class, array, position, value."""
    keys: dict[str, list[str]] = {"curve": [], "class": [], "array": []}
    positions: list[np.ndarray] = [np.empty(0, dtype=np.int64)]
    values: list[np.ndarray] = [np.empty(0, dtype=np.float64)]
    for name in CURVES:
        for label, curve in _curves(evaluation, name).items():
            for array_name in CURVE_ARRAYS:
                array = np.asarray(getattr(curve, array_name), dtype=np.float64)
                keys["curve"] += [name] * len(array)
                keys["class"] += [label] * len(array)
                keys["array"] += [array_name] * len(array)
                positions.append(np.arange(len(array), dtype=np.int64))
                values.append(array)
    return pa.table(
        {
            **{k: pa.array(v, type=pa.string()) for k, v in keys.items()},
            "position": np.concatenate(positions),
            "value": np.concatenate(values),
        }
    )


def split_arrays(model: TrainedModel) -> pa.Table:
    """The training and validation positions in the dataset (both all rows for an upload)."""
    train, valid = np.asarray(model.train_index), np.asarray(model.valid_index)
    return pa.table(
        {
            "split": pa.array(["train"] * len(train) + ["valid"] * len(valid), type=pa.string()),
            "position": np.concatenate([train, valid]).astype(np.int64),
        }
    )


def shap_arrays(shap: ShapResult) -> pa.Table:
    """SHAP values, one line per row and output: row, row_id, output, base_value, margin, f*."""
    n, k, f = shap.values.shape
    flat = shap.values.reshape(n * k, f)
    return pa.table(
        {
            "row": np.repeat(np.asarray(shap.rows, dtype=np.int64), k),
            "row_id": np.repeat(np.asarray(shap.row_ids, dtype=np.int64), k),
            "output": np.tile(np.arange(k, dtype=np.int64), n),
            "base_value": shap.base_values.reshape(n * k),
            "margin": shap.margin.reshape(n * k),
            **{f"f{j}": flat[:, j] for j in range(f)},
        }
    )


def interaction_arrays(interactions: InteractionResult) -> pa.Table:
    """Interaction values, one line per row, output and feature: row, output, feature, f*."""
    n, k, f, _ = interactions.values.shape
    flat = interactions.values.reshape(n * k * f, f)
    return pa.table(
        {
            "row": np.repeat(np.asarray(interactions.rows, dtype=np.int64), k * f),
            "output": np.tile(np.repeat(np.arange(k, dtype=np.int64), f), n),
            "feature": np.tile(np.arange(f, dtype=np.int64), n * k),
            **{f"f{j}": flat[:, j] for j in range(f)},
        }
    )


def dataset_arrays(row_ids: np.ndarray, y: np.ndarray) -> pa.Table:
    """Each dataset row's position in the table and its encoded target."""
    return pa.table({"row_id": np.asarray(row_ids, dtype=np.int64), "y": np.asarray(y)})
