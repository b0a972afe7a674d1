"""The ``summary.json`` of a cluster run: the single-process document's entries, plus
``engine``, ``workers``, the whole table's facts and the profiled sample's size.

``baselines``, ``comparison``, ``tree_curve`` and ``deployment`` are the single-process
entries computed on a seeded sample of the training and validation rows (see
:mod:`.worth`); ``baselines_rows`` says how many of each they used.
"""

from __future__ import annotations

from .._summary import reading_of
from .parts import column_facts
from .run import ClusterRun


def _clean(value: float) -> float | None:
    return None if value != value else value  # NaN is written as null


def cluster_summary(run: ClusterRun, seconds: dict[str, float]) -> dict[str, object]:
    """The ``summary.json`` document of ``run`` (``seconds``: each stage's seconds)."""
    schema, model, evaluation = run.schema, run.model, run.evaluation
    names = schema.display_names
    metrics: dict[str, object] = {k: _clean(v) for k, v in evaluation.metrics.items()}
    if evaluation.per_class and model.task == "multiclass":
        metrics["per_class"] = {
            c: {k: _clean(v) for k, v in m.items()} for c, m in evaluation.per_class.items()
        }
    summary: dict[str, object] = {
        "engine": "dask",
        "workers": run.n_workers,
        "model_source": model.source,
        "task": model.task,
        "target": model.target_display,
        "n_rows": run.n_rows,
        "n_rows_dropped_missing_target": run.n_dropped_missing_target,
        "n_values_out_of_range": None,  # made missing on the workers, not counted there
        "n_explained_rows": run.shap.n_rows,
        "shap_distinct_rows": run.shap.distinct_rows,
        "shap_rows_computed": run.shap.rows_computed,
        "n_features": len(model.spec.names),
        "features": [names[f] for f in model.spec.names],
        "dropped_columns": [
            {"name": c.display_name, "reason": c.reason_text, "code": c.reason}
            for c in schema.excluded
        ],
        "metrics": metrics,
        "n_valid_rows": evaluation.n_valid,
        "split": "hash_of_row",
        "device": run.shap.device,
        "shap_backend": "xgboost-cuda" if run.shap.device == "cuda" else "xgboost-cpu",
        "shap_values": {"path": run.shap.path.name, "parts": run.shap.n_parts},
        "seconds": {k: round(v, 4) for k, v in seconds.items()},
        "global_importance": [
            {"feature": names[f], "mean_abs_shap": score} for f, score in run.shap.ranking()
        ],
        "warnings": [finding.as_dict() for finding in run.findings],
        "reading": reading_of(run.sample),
        "table": {
            "n_rows": run.parted.n_rows,
            "parts": len(run.parted.paths),
            "format": run.parted.format,
            **column_facts(run.parted, run.parted.original_names),
        },
        "profile_sample_rows": run.sample.n_rows,
        "target_guess": {
            "guessed": schema.target_guessed,
            "reason": schema.target_reason,
            "alternatives": [names.get(a, a) for a in schema.target_alternatives],
            "skipped": [
                {"name": names.get(n, n), "code": code} for n, code in schema.skipped_targets
            ],
        },
        "leak_check_rows": schema.leak_check_rows,
        **run.worth.document,
        "baselines_rows": {"train": run.worth.n_train, "validation": run.worth.n_valid},
    }
    if model.classes is not None:
        summary["classes"] = list(model.classes)
    return summary
