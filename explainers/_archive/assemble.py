"""The engine's objects rebuilt from checked members, each checked against the others.

The model is parsed in the sandboxed child process used for uploaded models
(:func:`explainers._byom.model_file.load_model_file`) and must agree with the
settings (task, features, classes); arrays must agree with the settings' shapes;
with the table, the dataset is encoded again from it with the saved feature spec.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import xgboost as xgb

from .._byom.model_file import DEFAULT_TIMEOUT_S, load_model_file
from .._dataset import Dataset
from .._errors import DataError, ModelError
from .._evaluation import Evaluation
from .._io.reading import Table
from .._schema import Schema
from .._shap import InteractionResult, ShapResult
from .._survival.outcome import survival_outcome
from .._training import TrainedModel
from .frames import arrow_to_frame
from .refusals import bad_member, bad_model, missing_member, model_mismatch
from .restore_arrays import (
    read_curves,
    read_dataset,
    read_evaluation_arrays,
    read_interactions,
    read_shap,
    read_split,
)
from .restore_docs import EvaluationFacts, Settings
from .restore_survival import SavedSurvival, load_survival_model, survival_evaluation


def check_agreement(settings: Settings, schema: Schema, facts: EvaluationFacts) -> None:
    """Refuse settings, schema and metrics that describe different models."""
    classes = settings.classes
    expected_outputs = len(classes) if settings.task == "multiclass" and classes else 1
    if (
        schema.task != settings.task
        or schema.target != settings.target
        or set(schema.features) != set(settings.spec.names)
    ):
        raise bad_member("schema.json", "features")
    if (settings.task in ("regression", "survival")) != (classes is None) or (
        classes is not None and (len(classes) < 2 or len(set(classes)) < len(classes))
    ):
        raise bad_member("settings.json", "model.classes")
    if settings.n_outputs != expected_outputs:
        raise bad_member("settings.json", "shap.n_outputs")
    if facts.task != settings.task or facts.classes != classes:
        raise bad_member("evaluation.json", "classes")


def load_model(
    raw: bytes,
    name: str,
    settings: Settings,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    survival: SavedSurvival | None = None,
) -> xgb.Booster:
    """The saved booster, checked in the sandboxed child first, then matched to the settings.

    A survival model (``survival`` given) must have the objective of its saved fit.
    """
    try:
        if survival is not None:
            booster, n_features, names, types = load_survival_model(
                raw, survival.fit.model, timeout_s=timeout_s
            )
            task, n_classes = "survival", 0
        else:
            loaded = load_model_file(
                raw, name=name, max_bytes=max(len(raw), 1), timeout_s=timeout_s
            )
            booster, n_features = loaded.booster, loaded.n_features
            names, types = loaded.feature_names, loaded.feature_types
            task, n_classes = loaded.task, loaded.n_classes
    except ModelError as error:
        detail = error.params.get("reason") or error.params.get("found")
        raise bad_model(error.code, None if detail is None else str(detail)) from None
    except (UnicodeDecodeError, xgb.core.XGBoostError) as error:
        # The child read it, but XGBoost's Python side could not (a name that is not UTF-8).
        raise bad_model("model_unreadable", type(error).__name__) from None
    spec = settings.spec
    if task != settings.task:
        raise model_mismatch("task")
    if n_features != len(spec.names) or names not in (None, spec.names):
        raise model_mismatch("features")
    if settings.task == "multiclass" and n_classes != len(settings.classes or ()):
        raise model_mismatch("classes")
    if types is not None and [t == "c" for t in types] != [
        n in spec.categories for n in spec.names
    ]:
        raise model_mismatch("feature_types")
    if names is None:
        booster.feature_names = list(spec.names)
    return booster


def trained_model(
    booster: xgb.Booster,
    settings: Settings,
    split: pa.Table,
    survival: SavedSurvival | None = None,
) -> TrainedModel:
    """The model, with its training and validation positions (and survival fit)."""
    train, valid = read_split(split, n_rows=settings.n_rows)
    return TrainedModel(
        booster=booster,
        task=settings.task,
        target=settings.target,
        target_display=settings.target_display,
        classes=settings.classes,
        spec=settings.spec,
        train_index=train,
        valid_index=valid,
        best_iteration=settings.best_iteration,
        options=settings.options,
        source=settings.source,
        survival=None if survival is None else survival.fit,
    )


def build_evaluation(
    facts: EvaluationFacts,
    arrays: pa.Table,
    curves: pa.Table,
    model: TrainedModel,
    survival: SavedSurvival | None = None,
) -> Evaluation:
    """Metrics and chart arrays on the validation rows (and the survival evaluation)."""
    k = len(model.classes or ())
    if facts.n_valid != len(model.valid_index):
        raise bad_member("evaluation.json", "n_valid")
    y_true, y_pred, y_score, residuals = read_evaluation_arrays(
        arrays, task=model.task, n_classes=k, n_valid=facts.n_valid
    )
    rows = facts.confusion
    if (model.task in ("regression", "survival")) != (rows is None) or (
        rows is not None and (len(rows) != k or any(len(row) != k for row in rows))
    ):
        raise bad_member("evaluation.json", "confusion")
    confusion = None if rows is None else np.asarray(rows, dtype=np.int64)
    keys = facts.curves
    if model.task in ("regression", "survival") and any(keys.values()):
        raise bad_member("evaluation.json", "curves")
    if any(label not in (model.classes or ()) for labels in keys.values() for label in labels):
        raise bad_member("evaluation.json", "curves")
    drawn = read_curves(curves, keys)
    if (model.task == "survival") != (survival is not None) or (
        survival is not None and facts.per_class
    ):
        raise bad_member("evaluation.json", "task")
    result = None
    if survival is not None:
        if not np.array_equal(y_pred, y_score):
            raise bad_member("evaluation.parquet", "y_pred")
        result = survival_evaluation(survival, facts.metrics, arrays, y_true, y_score)
    return Evaluation(
        task=facts.task,
        metrics=facts.metrics,
        per_class=facts.per_class,
        y_true=y_true,
        y_score=y_score,
        y_pred=y_pred,
        classes=facts.classes,
        roc=drawn["roc"],
        pr=drawn["pr"],
        calibration=drawn["calibration"],
        confusion=confusion,
        residuals=residuals,
        n_valid=facts.n_valid,
        survival=result,
    )


def shap_result(arrays: pa.Table, settings: Settings) -> ShapResult:
    """The SHAP values of the explained rows."""
    spec = settings.spec
    values, base, margin, rows, row_ids = read_shap(
        arrays, n_rows=settings.shap_rows, n_outputs=settings.n_outputs, n_features=len(spec.names)
    )
    if len(rows) and (rows.min() < 0 or rows.max() >= settings.n_rows):
        raise bad_member("shap_values.parquet", "row")
    return ShapResult(
        values=values,
        base_values=base,
        margin=margin,
        features=spec.names,
        display_names=dict(spec.display_names),
        rows=rows,
        row_ids=row_ids,
        backend=settings.backend,
        device=settings.device,
        seconds=settings.shap_seconds,
        distinct_rows=settings.shap_distinct_rows,
    )


def interaction_result(arrays: pa.Table | None, settings: Settings) -> InteractionResult | None:
    """The interaction values on their sample, when saved."""
    if arrays is None and settings.interactions is not None:
        raise missing_member("interactions.parquet", "required")
    if arrays is not None and settings.interactions is None:
        raise bad_member("settings.json", "interactions")
    if arrays is None or settings.interactions is None:
        return None
    backend, seconds, n_rows = settings.interactions
    values, rows = read_interactions(
        arrays, n_rows=n_rows, n_outputs=settings.n_outputs, n_features=len(settings.spec.names)
    )
    if len(rows) and (rows.min() < 0 or rows.max() >= settings.n_rows):
        raise bad_member("interactions.parquet", "row")
    return InteractionResult(
        values=values, features=settings.spec.names, rows=rows, backend=backend, seconds=seconds
    )


def table_and_dataset(
    table_arrow: pa.Table, rows_arrow: pa.Table, settings: Settings, schema: Schema
) -> tuple[Table, Dataset]:
    """The saved table, and the dataset encoded from it with the saved feature spec."""
    facts = settings.table
    frame = arrow_to_frame(table_arrow, list(facts.original_names), list(facts.dtypes))
    if frame is None or len(frame) != facts.n_rows or frame.shape[1] != facts.n_columns:
        raise bad_member("table.parquet", "columns")
    spec = settings.spec
    outcome = (settings.target,) if schema.time is None else (settings.target, schema.time)
    if any(n not in frame.columns for n in (*spec.names, *outcome)):
        raise bad_member("table.parquet", "columns")
    row_ids, y = read_dataset(rows_arrow, n_rows=settings.n_rows, table_rows=len(frame))
    if (
        settings.classes is not None
        and len(y)
        and (y.min() < 0 or y.max() >= len(settings.classes))
    ):
        raise bad_member("dataset.parquet", "y")
    kept: pd.DataFrame = frame.iloc[row_ids]
    time, event = _outcome(kept, schema, y)
    dataset = Dataset(
        X=spec.encode(kept).reset_index(drop=True),
        y=y,
        row_ids=row_ids,
        schema=schema,
        spec=spec,
        classes=settings.classes,
        n_dropped_missing_target=settings.n_dropped_missing_target,
        n_inf_replaced=settings.n_inf_replaced,
        time=time,
        event=event,
    )
    return facts.table(frame), dataset


def _outcome(
    kept: pd.DataFrame, schema: Schema, y: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """A survival dataset's follow-up times and events, encoded again from the saved table.

    The events must be the saved target (``y``), so the rows are those the model saw.
    """
    if schema.task != "survival" or schema.time is None:
        return None, None
    try:
        outcome = survival_outcome(
            kept,
            schema.time,
            schema.target,
            event_value=schema.event_value,
            display=schema.display_names,
        )
    except DataError:
        raise bad_member("table.parquet", "time") from None
    if not np.array_equal(outcome.event.astype(y.dtype), y):
        raise bad_member("dataset.parquet", "y")
    return outcome.time, outcome.event


def check_rows(shap: ShapResult, dataset: Dataset) -> None:
    """Refuse SHAP rows whose table positions differ from the dataset's."""
    if not np.array_equal(dataset.row_ids[shap.rows], shap.row_ids):
        raise bad_member("shap_values.parquet", "row_id")
