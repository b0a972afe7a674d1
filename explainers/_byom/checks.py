"""Checks that an uploaded model fits a table: its features, their types, the target.

Each check raises a :class:`ModelError` (a :class:`DataError`) with a stable
``code`` and params; messages name at most five columns and never quote cells.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .._dataset import _class_labels
from .._errors import DataError, ModelError
from .._profiling import ColumnProfile
from .._schema import MIN_ROWS, guess_target, unknown_target
from .model_file import LoadedModel

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def name_list(names: list[str], *, limit: int = 5) -> str:
    """At most ``limit`` names joined by commas, then "and N more".

    Control characters become spaces and long names are cut, so that a name
    from a model file cannot break a one-line message.
    """
    cleaned = [_CONTROL.sub(" ", name) for name in names[:limit]]
    shown = [name if len(name) <= 60 else name[:59] + "…" for name in cleaned]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(shown) + more


def resolve_target(target: str | None, profiles: list[ColumnProfile]) -> str | None:
    """The safe name of the column ``target`` names (safe name or as written), or None."""
    if target is None:
        return None
    for profile in profiles:
        if target == profile.name:
            return profile.name
    for profile in profiles:
        if target == profile.display_name:
            return profile.name
    raise unknown_target(target)


def features_by_name(
    names: tuple[str, ...], profiles: list[ColumnProfile], target: str | None
) -> list[str]:
    """The data columns of the model's features, in the model's order.

    A model's name matches a column's safe name first, else its name as
    written in the file. Raises ``model_features_mismatch`` listing what the
    data lacks and the data's columns the model does not use.
    """
    lookup: dict[str, str] = {}
    for profile in profiles:
        lookup.setdefault(profile.display_name, profile.name)
    lookup.update({p.name: p.name for p in profiles})
    found: list[str] = []
    missing: list[str] = []
    for name in names:
        column = lookup.get(name)
        if column is None or column in found:
            missing.append(name)
        else:
            found.append(column)
    if missing:
        extra = [p.display_name for p in profiles if p.name not in found and p.name != target]
        also = (
            f" The data has {len(extra)} column(s) the model does not use: {name_list(extra)}."
            if extra
            else ""
        )
        raise ModelError(
            f"The model uses {len(missing)} feature(s) that the data lacks: "
            f"{name_list(missing)}.{also} Upload the data the model was trained on, with the "
            "same column names, or the model trained on this data.",
            code="model_features_mismatch",
            n_missing=len(missing),
            missing=name_list(missing),
            n_extra=len(extra),
            extra=name_list(extra),
        )
    return found


def features_by_position(
    loaded: LoadedModel, profiles: list[ColumnProfile], target: str | None
) -> list[str]:
    (
        """For a model without feature names: every column but the target, in file order.

    Raises ``model_feature_count_mismatch`` unless the counts agree.
    """
        ""
    )
    if target is None:
        target = guess_target(profiles)
    columns = [p.name for p in profiles if p.name != target]
    if len(columns) != loaded.n_features:
        raise ModelError(
            f"The model has no feature names and uses {loaded.n_features} feature(s), but the "
            f"data has {len(columns)} column(s) besides the target, so they cannot be matched. "
            "Save the model with feature names (train it on a pandas DataFrame, or set "
            "booster.feature_names before saving), or upload data with exactly the model's "
            "features, in training order, and the target.",
            code="model_feature_count_mismatch",
            n_model=loaded.n_features,
            n_data=len(columns),
        )
    return columns


def _is_numeric(column: pd.Series, profile: ColumnProfile) -> bool:
    if profile.kind == "boolean" or pd.api.types.is_bool_dtype(column):
        return True
    return bool(pd.api.types.is_numeric_dtype(column))


def check_types(
    features: list[str],
    types: tuple[str, ...],
    frame: pd.DataFrame,
    by_name: dict[str, ColumnProfile],
) -> None:
    """Refuse (``model_feature_types_mismatch``) text or dates where the model wants numbers."""
    wrong = [
        by_name[name].display_name
        for name, kind in zip(features, types, strict=True)
        if kind != "c" and not _is_numeric(frame[name], by_name[name])
    ]
    if wrong:
        raise ModelError(
            f"The model expects numbers in {len(wrong)} column(s) that hold text or dates in "
            f"the data: {name_list(wrong)}. Encode them as they were when the model was "
            "trained, or upload the model trained on this data.",
            code="model_feature_types_mismatch",
            n=len(wrong),
            columns=name_list(wrong),
        )


def target_labels(
    loaded: LoadedModel, target: pd.Series, display: str
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...] | None]:
    """Rows with a usable target, the encoded target and the class labels.

    Regression needs a numeric target. A classifier's target either holds the
    class numbers 0 to k-1 the model was trained on (used as they are), or
    exactly k distinct values, mapped to class numbers in sorted order (as
    scikit-learn's ``LabelEncoder`` does). Anything else is
    ``model_task_mismatch``.
    """
    numeric = pd.api.types.is_numeric_dtype(target) and not pd.api.types.is_bool_dtype(target)
    if loaded.task == "regression":
        if not (numeric or pd.api.types.is_bool_dtype(target)):
            raise _task_mismatch(loaded, display, None, numeric=False)
        values = pd.to_numeric(target, errors="coerce").astype("float64").to_numpy()
        keep = np.isfinite(values)
        return _enough(keep), values[keep], None
    keep = target.notna().to_numpy()
    values = target[keep]
    k = loaded.n_classes
    if (
        numeric
        and len(values)
        and bool((values == values.round()).all())
        and values.min() >= 0
        and values.max() < k
    ):
        return _enough(keep), values.to_numpy().astype(np.int32), tuple(str(i) for i in range(k))
    n_values = int(values.nunique())
    if n_values != k:
        raise _task_mismatch(loaded, display, n_values, numeric=numeric)
    y, classes = _class_labels(values)
    return _enough(keep), y, classes


def _enough(keep: np.ndarray) -> np.ndarray:
    if int(keep.sum()) < MIN_ROWS:
        raise DataError(
            f"Only {int(keep.sum())} rows have a usable target value; at least {MIN_ROWS} are "
            "needed to check the model. Add rows or choose another target.",
            code="too_few_rows",
            n=int(keep.sum()),
            minimum=MIN_ROWS,
        )
    return keep


def _task_mismatch(
    loaded: LoadedModel, display: str, n_values: int | None, *, numeric: bool
) -> ModelError:
    wanted = {
        "binary": "one of two classes",
        "multiclass": f"one of {loaded.n_classes} classes",
        "regression": "a number",
    }[loaded.task]
    if n_values is None:
        found = "holds text, not numbers"
    else:
        found = f"has {n_values} distinct value(s)"
        if numeric:
            found += f" that are not the class numbers 0 to {loaded.n_classes - 1}"
    return ModelError(
        f"The model predicts {wanted} (objective {loaded.objective}), but the target "
        f"{display!r} {found}. Choose the column the model was trained to predict, or "
        "upload the model trained for this target.",
        code="model_task_mismatch",
        model_task=loaded.task,
        objective=loaded.objective,
        column=display,
        n_classes=loaded.n_classes,
        n_values=n_values,
    )
