"""The schema of a table: target, task and the role of each column."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

import pandas as pd

from ._errors import DataError
from ._profiling import ColumnProfile, Role, detect_leakage, override_role, profile_columns
from ._reading import Table

Task = Literal["binary", "multiclass", "regression"]
TaskChoice = Literal["auto", "binary", "multiclass", "regression"]

MIN_ROWS = 20
MIN_CLASS_ROWS = 5
MAX_CLASSES = 50
_TARGET_WORDS = ("target", "label", "outcome", "diagnosis", "class", "y", "진단", "결과", "타겟")


@dataclass(frozen=True)
class Schema:
    """Profile of every column plus the chosen target and task."""

    columns: tuple[ColumnProfile, ...]
    target: str
    task: Task
    target_guessed: bool
    task_guessed: bool
    n_rows: int

    @property
    def features(self) -> tuple[str, ...]:
        """Names of the columns used as features, in table order."""
        return tuple(c.name for c in self.columns if c.role == "feature")

    @property
    def excluded(self) -> tuple[ColumnProfile, ...]:
        """Profiles of the columns left out, each with its reason."""
        return tuple(c for c in self.columns if c.role == "excluded")

    @property
    def display_names(self) -> dict[str, str]:
        """Safe name to the name as written in the file."""
        return {c.name: c.display_name for c in self.columns}

    def column(self, name: str) -> ColumnProfile:
        """Return the profile of the column called ``name`` (safe or display name)."""
        for c in self.columns:
            if name in (c.name, c.display_name):
                return c
        raise DataError(
            f"There is no column named {name!r}. Choose one of the table's columns.",
            code="unknown_column",
            column=name,
        )


def _name_score(name: str) -> int:
    lowered = name.strip().lower()
    if lowered in _TARGET_WORDS:
        return 2
    tokens = re.split(r"[\s_\-.()]+", lowered)
    if any(t in _TARGET_WORDS for t in tokens if t != "y") or any(
        w in lowered for w in _TARGET_WORDS[6:]
    ):
        return 1
    return 0


def guess_target(columns: tuple[ColumnProfile, ...] | list[ColumnProfile]) -> str:
    """Guess the target: a column named like target/label/outcome/..., else the last column.

    Columns that cannot be a target (identifiers, free text, constants, all
    missing) are skipped.
    """
    usable = [
        c
        for c in columns
        if c.reason not in ("identifier", "all_missing", "constant", "personal", "free_text")
    ]
    if not usable:
        raise DataError(
            "No column can serve as the target: every column is an identifier, text, "
            "constant or empty. Add a column with the outcome to explain.",
            code="no_target",
        )
    best = max(usable, key=lambda c: (_name_score(c.display_name), columns.index(c)))
    return best.name if _name_score(best.display_name) > 0 else usable[-1].name


def infer_task(target: pd.Series) -> Task:
    """Infer binary, multiclass or regression from the target's values."""
    values = target.dropna()
    n_unique = int(values.nunique())
    if n_unique <= 2:
        return "binary"
    if pd.api.types.is_bool_dtype(values):
        return "binary"
    if pd.api.types.is_numeric_dtype(values):
        integral = bool((values == values.round()).all())
        return "multiclass" if integral and n_unique <= 10 else "regression"
    return "multiclass"


def _check_target(frame: pd.DataFrame, target: str, task: Task, display: str) -> None:
    values = frame[target].dropna()
    n_unique = int(values.nunique())
    if len(values) < MIN_ROWS:
        raise DataError(
            f"Only {len(values)} rows have a value in the target {display!r}; at least "
            f"{MIN_ROWS} are needed. Add rows or choose another target.",
            code="too_few_rows",
            n=len(values),
            minimum=MIN_ROWS,
        )
    if n_unique < 2:
        raise DataError(
            f"The target {display!r} has a single value, so there is nothing to predict. "
            "Choose a column whose values differ between rows.",
            code="constant_target",
            column=display,
        )
    if task == "regression":
        if not pd.api.types.is_numeric_dtype(values):
            raise DataError(
                f"The target {display!r} is not numeric, so it cannot be a regression target. "
                "Choose the binary or multiclass task, or a numeric target.",
                code="regression_needs_numbers",
                column=display,
            )
        return
    if task == "binary" and n_unique != 2:
        raise DataError(
            f"The target {display!r} has {n_unique} distinct values, not 2. "
            "Choose the multiclass or regression task.",
            code="not_binary",
            n=n_unique,
        )
    if n_unique > MAX_CLASSES:
        raise DataError(
            f"The target {display!r} has {n_unique} distinct values; at most {MAX_CLASSES} "
            "classes are supported. Choose the regression task or another target.",
            code="too_many_classes",
            n=n_unique,
            maximum=MAX_CLASSES,
        )
    smallest = int(values.astype(str).value_counts().min())
    if smallest < MIN_CLASS_ROWS:
        raise DataError(
            f"One class of the target {display!r} has only {smallest} rows; each class needs "
            f"at least {MIN_CLASS_ROWS}. Merge rare classes or add rows.",
            code="rare_class",
            n=smallest,
            minimum=MIN_CLASS_ROWS,
        )


def build_schema(
    table: Table,
    *,
    target: str | None = None,
    task: TaskChoice = "auto",
    roles: Mapping[str, Role] | None = None,
) -> Schema:
    """Profile ``table``, pick the target and task, and assign a role to each column.

    Parameters
    ----------
    table
        The table as read by :func:`read_table`.
    target
        The target column (its name in the file or its safe name); guessed when None.
    task
        ``"auto"`` infers the task from the target's values.
    roles
        User overrides, column name to ``"feature"`` or ``"excluded"``.
    """
    profiles = profile_columns(table.frame, table.original_names)
    by_name = {c.name: c for c in profiles}
    by_display = {c.display_name: c.name for c in profiles}
    if target is None:
        target_name, target_guessed = guess_target(profiles), True
    else:
        target_name = target if target in by_name else by_display.get(target, "")
        target_guessed = False
        if target_name not in by_name:
            raise DataError(
                f"There is no column named {target!r} to use as the target. "
                "Check the spelling against the file's header.",
                code="unknown_target",
                column=target,
            )
    frame = table.frame
    display = by_name[target_name].display_name
    chosen_task = infer_task(frame[target_name]) if task == "auto" else task
    _check_target(frame, target_name, chosen_task, display)

    profiles = [
        replace(c, role="target", reason=None) if c.name == target_name else c for c in profiles
    ]
    candidates = [c.name for c in profiles if c.role == "feature"]
    labelled = frame[frame[target_name].notna()]
    leaking = set(
        detect_leakage(
            labelled, target_name, candidates, classification=chosen_task != "regression"
        )
    )
    profiles = [replace(c, role="excluded", reason="leakage") if c.name in leaking else c
                for c in profiles]
    for name, role in (roles or {}).items():
        key = name if name in by_name else by_display.get(name)
        if key is None or key == target_name:
            continue
        profiles = [override_role(c, role) if c.name == key else c for c in profiles]
    if not any(c.role == "feature" for c in profiles):
        raise DataError(
            "No column is left to use as a feature. Include at least one column on the "
            "Data page (or check the target choice).",
            code="no_features",
        )
    return Schema(
        columns=tuple(profiles),
        target=target_name,
        task=chosen_task,
        target_guessed=target_guessed,
        task_guessed=task == "auto",
        n_rows=len(frame),
    )
