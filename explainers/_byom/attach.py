"""Attaching an uploaded model to a table: features, target and task come from the model.

The model decides which columns are features (its feature names, in its
order) and the task (its objective); the table must supply those columns and
a target that fits the task (the checks are in :mod:`explainers._byom.checks`).
The result behaves like a trained model, so evaluation, SHAP and LIME work on
it unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from .._dataset import Dataset, FeatureSpec, count_infinite
from .._errors import ModelError
from .._io.reading import Table
from .._profiling import ColumnProfile, profile_columns, visible_names
from .._schema import Schema, guess_target
from .._training import TrainedModel, TrainingOptions
from .._types import Kind
from .checks import (
    check_types,
    features_by_name,
    features_by_position,
    resolve_target,
    target_labels,
)
from .model_file import LoadedModel


@dataclass(frozen=True)
class AttachedModel:
    """An uploaded model matched to a table, ready to evaluate and explain.

    ``model.source`` is ``"uploaded"``. The rows the model was trained on are
    unknown, so ``model.train_index`` and ``model.valid_index`` both hold every
    labelled row: metrics are computed on all of them, and are optimistic when
    the table includes the model's own training rows. ``warnings`` holds codes:
    ``model_without_feature_names`` (features matched by position),
    ``model_categories_inferred`` (categories not stored in the file, taken
    from the data in sorted order) and ``unknown_categories`` (values the
    model never saw, treated as missing).
    """

    schema: Schema
    dataset: Dataset
    model: TrainedModel
    warnings: tuple[str, ...]


def attach_model(loaded: LoadedModel, table: Table, *, target: str | None = None) -> AttachedModel:
    """Match ``loaded`` to ``table`` and return a model the pipeline can explain.

    Parameters
    ----------
    loaded
        The model, from :func:`load_model_file`.
    table
        The data, from :func:`read_table`; it holds the model's features and the target.
    target
        The target column (name in the file or safe name); when None it is
        guessed among the columns the model does not use.

    Raises
    ------
    DataError
        ``model_features_mismatch``, ``model_feature_count_mismatch``,
        ``model_feature_types_mismatch``, ``model_target_is_feature``,
        ``model_task_mismatch``, ``model_no_target``, ``unknown_target``, ``no_target``
        or ``too_few_rows``.
    """
    frame = table.frame
    profiles = visible_names(profile_columns(frame, table.original_names))
    by_name = {c.name: c for c in profiles}
    chosen = resolve_target(target, profiles)
    warnings: list[str] = []
    if loaded.feature_names is None:
        features = features_by_position(loaded, profiles, chosen)
        warnings.append("model_without_feature_names")
    else:
        features = features_by_name(loaded.feature_names, profiles, chosen)
    if chosen is None:
        chosen = guess_target(_target_candidates(profiles, features))
    if chosen in features:
        raise ModelError(
            f"The column {by_name[chosen].display_name!r} is one of the model's features, so it "
            "cannot be the target. Choose the column the model was trained to predict.",
            code="model_target_is_feature",
            column=by_name[chosen].display_name,
        )
    types = loaded.feature_types or ("float",) * len(features)
    check_types(features, types, frame, by_name)
    keep, y, classes = target_labels(loaded, frame[chosen], by_name[chosen].display_name)
    spec, inferred = _spec(loaded, features, types, frame.loc[keep], by_name)
    if inferred:
        warnings.append("model_categories_inferred")
    schema = _schema(profiles, chosen, spec, guessed=target is None, loaded=loaded)
    dataset = _dataset(frame, keep, y, classes, spec, schema)
    if _unknown_categories(frame.loc[keep], spec):
        warnings.append("unknown_categories")
    index = np.arange(len(y))
    model = TrainedModel(
        booster=_booster_for(loaded, spec),
        task=loaded.task,
        target=chosen,
        target_display=by_name[chosen].display_name,
        classes=classes,
        spec=spec,
        train_index=index,
        valid_index=index,
        best_iteration=loaded.n_rounds - 1,
        options=TrainingOptions(),
        source="uploaded",
    )
    return AttachedModel(dataset.schema, dataset, model, tuple(warnings))


def _target_candidates(profiles: list[ColumnProfile], features: list[str]) -> list[ColumnProfile]:
    candidates = [c for c in profiles if c.name not in features]
    if not candidates:
        raise ModelError(
            "Every column of the data is one of the model's features, so there is no target "
            "to check the model against. Add the column the model predicts and upload again.",
            code="model_no_target",
        )
    return candidates


def _key(value: Any) -> tuple[str, Any]:
    """A value's identity across types: numbers (also numeric text) by value, else by text."""
    if isinstance(value, bool | np.bool_):
        return ("number", float(value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ("text", str(value))
    return ("number", number) if np.isfinite(number) else ("text", str(value))


def _category_texts(stored: tuple[Any, ...] | None, column: pd.Series) -> tuple[str, ...]:
    """Categories as the data writes them (``str`` of each value), in the model's code order."""
    as_text: dict[tuple[str, Any], str] = {}
    for value in column.dropna().astype("object").unique():
        as_text.setdefault(_key(value), str(value))
    if stored is None:  # not in the file: the data's values, sorted as pandas would
        keys = sorted(
            as_text, key=lambda k: (k[0] == "text", k[1] if k[0] == "number" else 0, str(k[1]))
        )
        return tuple(as_text[k] for k in keys)
    texts = tuple(as_text.get(_key(value), str(value)) for value in stored)
    if len(set(texts)) < len(texts):  # two stored categories read as one value: keep them apart
        return tuple(str(value) for value in stored)
    return texts


def _spec(
    loaded: LoadedModel,
    features: list[str],
    types: tuple[str, ...],
    kept: pd.DataFrame,
    by_name: dict[str, ColumnProfile],
) -> tuple[FeatureSpec, bool]:
    categories: dict[str, tuple[str, ...]] = {}
    kinds: dict[str, str] = {}
    inferred = False
    for position, (name, kind) in enumerate(zip(features, types, strict=True)):
        if kind == "c":
            stored = loaded.categories.get(position)
            inferred = inferred or stored is None
            categories[name] = _category_texts(stored, kept[name])
            kinds[name] = "categorical"
        else:
            kinds[name] = "boolean" if by_name[name].kind == "boolean" else "numeric"
    spec = FeatureSpec(
        names=tuple(features),
        display_names={n: by_name[n].display_name for n in features},
        kinds=kinds,
        categories=categories,
    )
    return spec, inferred


def _schema(
    profiles: list[ColumnProfile],
    target: str,
    spec: FeatureSpec,
    *,
    guessed: bool,
    loaded: LoadedModel,
) -> Schema:
    columns = []
    for profile in profiles:
        if profile.name == target:
            columns.append(replace(profile, role="target", reason=None))
        elif profile.name in spec.kinds:
            kind: Kind = "categorical" if profile.name in spec.categories else "numeric"
            if spec.kinds[profile.name] == "boolean":
                kind = "boolean"
            columns.append(replace(profile, role="feature", reason=None, kind=kind))
        else:
            columns.append(replace(profile, role="excluded", reason="not_in_model"))
    return Schema(
        columns=tuple(columns),
        target=target,
        task=loaded.task,
        target_guessed=guessed,
        task_guessed=False,
        n_rows=profiles[0].n_rows,
    )


def _dataset(
    frame: pd.DataFrame,
    keep: np.ndarray,
    y: np.ndarray,
    classes: tuple[str, ...] | None,
    spec: FeatureSpec,
    schema: Schema,
) -> Dataset:
    kept = _without_unknown_categories(frame.loc[keep], spec)
    n_inf = count_infinite(kept, spec)
    return Dataset(
        X=spec.encode(kept).reset_index(drop=True),
        y=y,
        row_ids=np.flatnonzero(keep),
        schema=schema,
        spec=spec,
        classes=classes,
        n_dropped_missing_target=int((~keep).sum()),
        n_inf_replaced=n_inf,
    )


def _unknown_categories(frame: pd.DataFrame, spec: FeatureSpec) -> dict[str, np.ndarray]:
    """Per categorical feature, the rows whose value is not one of the model's categories."""
    unknown = {}
    for name, categories in spec.categories.items():
        column = frame[name]
        text = column.astype("object").map(str)
        mask = (column.notna() & ~text.isin(categories)).to_numpy()
        if mask.any():
            unknown[name] = mask
    return unknown


def _without_unknown_categories(frame: pd.DataFrame, spec: FeatureSpec) -> pd.DataFrame:
    """``frame`` with categories the model never saw made missing (as the model treats them)."""
    unknown = _unknown_categories(frame, spec)
    if not unknown:
        return frame
    frame = frame.copy()
    for name, mask in unknown.items():
        frame[name] = frame[name].astype("object").where(~mask, None)
    return frame


def _booster_for(loaded: LoadedModel, spec: FeatureSpec) -> xgb.Booster:
    """The booster named like the data's columns.

    Stored categories that differ from the spec's texts (numbers, or text the
    data writes differently) are dropped: the spec keeps the model's code
    order, so the codes XGBoost then reads agree with those it was trained on.
    """
    booster = loaded.booster
    names = list(spec.names)
    stale = any(
        loaded.categories[p] != spec.categories.get(name)
        for p, name in enumerate(names)
        if p in loaded.categories
    )
    if stale:
        document = json.loads(bytes(booster.save_raw("json")))
        model = document["learner"]["gradient_booster"]
        model = model.get("gbtree", model)["model"]
        model["cats"] = {"enc": [], "feature_segments": [], "sorted_idx": []}
        booster = xgb.Booster()
        booster.load_model(bytearray(json.dumps(document).encode("utf-8")))
    elif booster.feature_names == names:
        return booster
    else:
        booster = booster.copy()
    booster.feature_names = names
    return booster
