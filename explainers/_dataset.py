"""Turn a table and its schema into model-ready features and an encoded target."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._errors import DataError
from ._float32 import out_of_range
from ._io.reading import Table
from ._long_values import as_category_texts, category_text
from ._schema import Schema
from ._survival.outcome import survival_outcome
from ._types import Task

_TRUE_WORDS = {"true", "yes", "y", "t", "1", "예"}


@dataclass(frozen=True)
class FeatureSpec:
    """How raw columns become model features; travels with the model.

    ``categories`` holds, for each categorical feature, its categories in code
    order; numeric and boolean features are float columns.
    """

    names: tuple[str, ...]
    display_names: dict[str, str]
    kinds: dict[str, str]
    categories: dict[str, tuple[str, ...]]

    @property
    def feature_types(self) -> list[str]:
        """XGBoost feature types: ``c`` for categorical, ``float`` otherwise."""
        return ["c" if n in self.categories else "float" for n in self.names]

    def encode(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return the features of ``frame`` encoded the way the model expects.

        Unknown categories become missing values; so do numbers XGBoost cannot hold
        (infinite, or beyond a 32-bit float's range).
        """
        missing = [n for n in self.names if n not in frame.columns]
        if missing:
            shown = ", ".join(self.display_names.get(n, n) for n in missing[:5])
            raise DataError(
                f"The data lacks {len(missing)} feature column(s) the model needs: {shown}. "
                "Upload data with the same columns as the model was trained on.",
                code="missing_features",
                n=len(missing),
                columns=shown,
            )
        out = {}
        for name in self.names:
            column = frame[name]
            if name in self.categories:
                as_text = column.astype("object").where(column.notna(), None)
                as_text = as_text.map(lambda v: None if v is None else category_text(v))
                known = list(self.categories[name])
                # unknown values become missing here: pandas 4 refuses them in Categorical
                as_text = as_text.where(as_text.isin(known), None)
                out[name] = pd.Categorical(as_text, categories=known)
            elif self.kinds.get(name) == "boolean" and not pd.api.types.is_numeric_dtype(column):
                lowered = column.astype("object").map(
                    lambda v: np.nan if pd.isna(v) else float(str(v).strip().lower() in _TRUE_WORDS)
                )
                out[name] = lowered.astype("float64").to_numpy()
            else:
                numbers = pd.to_numeric(column, errors="coerce")
                values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
                infinite = out_of_range(values)
                out[name] = np.where(infinite, np.nan, values) if infinite.any() else values
        return pd.DataFrame(out, index=frame.index, copy=False)  # no 2-D copy of the columns


@dataclass(frozen=True)
class Dataset:
    """Features and target ready for training and explaining.

    ``row_ids`` are the 0-based positions of the kept rows in the input file.
    For classification ``y`` holds class indices into ``classes``. For survival
    ``y`` is the event as 0/1 (``classes`` is None), ``time`` the follow-up time
    and ``event`` the event as booleans; both are None for the other tasks.
    """

    X: pd.DataFrame
    y: np.ndarray
    row_ids: np.ndarray
    schema: Schema
    spec: FeatureSpec
    classes: tuple[str, ...] | None
    n_dropped_missing_target: int
    n_inf_replaced: int
    time: np.ndarray | None = None
    event: np.ndarray | None = None

    @property
    def task(self) -> Task:
        """The schema's task."""
        return self.schema.task


def _categories(column: pd.Series) -> tuple[str, ...]:
    """The column's distinct values as text, sorted; a text too long to be kept stands in
    by its length and fingerprint (see :mod:`explainers._long_values`)."""
    values = as_category_texts(column.dropna().astype(str))
    counts = values.value_counts()
    return tuple(sorted(counts.index.tolist()))


def _class_labels(target: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    if pd.api.types.is_numeric_dtype(target) and not pd.api.types.is_bool_dtype(target):
        uniques = np.sort(target.unique())
        labels = [str(int(v)) if float(v).is_integer() else str(v) for v in uniques]
        codes = np.searchsorted(uniques, target.to_numpy())
        return codes.astype(np.int32), tuple(labels)
    as_text = target.astype(str)
    labels = sorted(as_text.unique().tolist())
    codes = pd.Categorical(as_text, categories=labels).codes
    return np.asarray(codes, dtype=np.int32), tuple(labels)


def build_dataset(table: Table, schema: Schema) -> Dataset:
    """Encode ``table``'s features and target according to ``schema``.

    Rows with a missing target (or a regression target XGBoost cannot hold: infinite or
    beyond a 32-bit float's range) are dropped and counted; such values in numeric features
    become missing and are counted.
    """
    frame = table.frame
    target = frame[schema.target]
    keep = target.notna().to_numpy().copy()
    if schema.task == "regression":
        numeric_target = pd.to_numeric(target, errors="coerce").astype("float64")
        values = numeric_target.to_numpy(dtype="float64", na_value=np.nan)
        keep = keep & np.isfinite(values) & ~out_of_range(values)
    kept = frame.loc[keep]
    features = list(schema.features)
    kinds = {c.name: c.kind for c in schema.columns if c.role == "feature"}
    categories = {n: _categories(kept[n]) for n in features if kinds[n] == "categorical"}
    spec = FeatureSpec(
        names=tuple(features),
        display_names={n: schema.display_names[n] for n in features},
        kinds=dict[str, str](kinds),
        categories=categories,
    )
    n_inf = count_infinite(kept, spec)
    X = spec.encode(kept).reset_index(drop=True)
    time = event = None
    if schema.task == "survival" and schema.time is not None:
        outcome = survival_outcome(
            kept,
            schema.time,
            schema.target,
            event_value=schema.event_value,
            display=schema.display_names,
        )
        time, event = outcome.time, outcome.event
        y, classes = event.astype(np.int32), None
    elif schema.task == "regression":
        y = pd.to_numeric(kept[schema.target]).to_numpy(dtype="float64")
        classes = None
    else:
        y, classes = _class_labels(kept[schema.target])
    if len(y) < 20:
        n_out = int(target.notna().sum()) - int(keep.sum())
        why = (
            f" {n_out} row(s) have a target that is infinite or beyond about 3.4e38, which "
            f"the model cannot hold: check the target's unit."
            if n_out
            else ""
        )
        raise DataError(
            f"Only {len(y)} usable rows remain; at least 20 are needed.{why} Add rows.",
            code="too_few_rows",
            n=len(y),
            minimum=20,
            out_of_range=n_out,
        )
    return Dataset(
        X=X,
        y=y,
        row_ids=np.flatnonzero(keep),
        schema=schema,
        spec=spec,
        classes=classes,
        n_dropped_missing_target=int((~keep).sum()),
        n_inf_replaced=n_inf,
        time=time,
        event=event,
    )


def count_infinite(frame: pd.DataFrame, spec: FeatureSpec) -> int:
    """Cells among ``spec``'s numeric features that are infinite or beyond a 32-bit float's
    range (the encoder makes them missing)."""
    n_inf = 0
    for name in spec.names:
        column = frame[name]
        if name in spec.categories or not pd.api.types.is_numeric_dtype(column):
            continue
        if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iub":
            continue  # integers hold no infinity
        if isinstance(column.dtype, np.dtype):  # float32 is checked as it is, without a copy
            n_inf += int(out_of_range(column.to_numpy()).sum())
        else:
            n_inf += int(out_of_range(column.to_numpy(dtype="float64", na_value=np.nan)).sum())
    return n_inf
