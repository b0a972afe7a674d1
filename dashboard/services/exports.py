"""Exports of an analysis: SHAP values, the model, the validation metrics."""

from __future__ import annotations

import json

import pandas as pd

from dashboard.analysis import Analysis
from explainers import ShapResult, csv_bytes, parquet_bytes, shap_frame
from explainers.cli import summary_of


def shap_csv(analysis: Analysis, shap: ShapResult) -> bytes:
    """SHAP values of ``shap``'s rows as CSV (formula-like text neutralised)."""
    return csv_bytes(shap_frame(shap, analysis.model))


def shap_parquet(analysis: Analysis, shap: ShapResult) -> bytes:
    """SHAP values of ``shap``'s rows as Parquet."""
    return parquet_bytes(shap_frame(shap, analysis.model))


def model_json(analysis: Analysis) -> bytes:
    """The trained booster in XGBoost's JSON format (load it with ``Booster.load_model``)."""
    return bytes(analysis.model.booster.save_raw("json"))


def metrics_document(analysis: Analysis) -> dict[str, object]:
    """The CLI's ``summary.json`` document of the analysis (:func:`explainers.cli.summary_of`),
    with what the model was trained on: validation and training rows, trees and options
    (training rows and options are None for an uploaded model: unknown here); an analysis
    opened without its table gives the same document from what was saved."""
    model = analysis.model
    trained = model.source == "trained"
    return {
        **summary_of(analysis.facts, analysis.seconds),
        "n_validation_rows": analysis.evaluation.n_valid,
        "n_training_rows": int(len(model.train_index)) if trained else None,
        "trees": model.best_iteration + 1,
        "options": dict(model.options.__dict__) if trained else None,
    }


def metrics_json(analysis: Analysis) -> bytes:
    """:func:`metrics_document` as UTF-8 JSON."""
    return json.dumps(metrics_document(analysis), ensure_ascii=False, indent=2).encode("utf-8")


def metrics_csv(analysis: Analysis) -> bytes:
    """Validation metrics as a long CSV table (``class`` empty for overall metrics)."""
    ev = analysis.evaluation
    rows = [("", name, value) for name, value in ev.metrics.items()]
    rows += [
        (label, name, value)
        for label, values in ev.per_class.items()
        for name, value in values.items()
    ]
    return csv_bytes(pd.DataFrame(rows, columns=["class", "metric", "value"]))
