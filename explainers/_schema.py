"""The schema of a table: target, task and the role of each column."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from ._errors import DataError
from ._findings import Finding, leak_findings, target_findings
from ._io.reading import Table
from ._leakage import recorded_after_outcome, score_single_features
from ._long_values import long_value_findings
from ._number_text import number_text_findings
from ._profiling import ColumnProfile, override_role, profile_columns, visible_names
from ._survival.columns import SurvivalColumns, mark_outcome, survival_columns
from ._survival.detect import SurvivalSuggestion, suggest_survival, survival_leak_finding
from ._survival.outcome import EventValue
from ._target_guess import (
    EXACT_TIER,
    Candidate,
    event_beside_time_first,
    name_tier,
    rank_candidates,
)
from ._types import Role, TargetReason, Task, TaskChoice

MIN_ROWS = 20
MIN_CLASS_ROWS = 5
MAX_CLASSES = 50
_MAX_ALTERNATIVES = 5


@dataclass(frozen=True)
class Schema:
    """Profile of every column plus the chosen target and task."""

    columns: tuple[ColumnProfile, ...]
    target: str
    task: Task
    target_guessed: bool
    task_guessed: bool
    n_rows: int
    target_reason: TargetReason = "given"
    target_alternatives: tuple[str, ...] = ()
    skipped_targets: tuple[tuple[str, str], ...] = ()
    findings: tuple[Finding, ...] = ()
    leak_check_rows: int = 0
    time: str | None = None
    event_value: str | None = None
    survival_suggestion: SurvivalSuggestion | None = None

    @property
    def event(self) -> str | None:
        """The event column of a survival task (its target), else None."""
        return self.target if self.task == "survival" else None

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


def guess_target(columns: tuple[ColumnProfile, ...] | list[ColumnProfile]) -> str:
    """Guess the target from names, then shape (see :mod:`explainers._target_guess`).

    Columns that cannot be a target (identifiers, free text, constants, all
    missing, dates, personal data) are skipped.
    """
    ranked = rank_candidates(list(columns))
    if not ranked:
        raise _no_target()
    return ranked[0].profile.name


def unknown_target(target: str) -> DataError:
    """The error for a target name that is not a column of the table."""
    return DataError(
        f"There is no column named {target!r} to use as the target. "
        "Check the spelling against the file's header.",
        code="unknown_target",
        column=target,
    )


def _no_target() -> DataError:
    return DataError(
        "No column can serve as the target: every column is an identifier, text, a date, "
        "constant or empty. Add a column with the outcome to explain.",
        code="no_target",
    )


def infer_task(target: pd.Series) -> Task:
    """Infer binary, multiclass or regression from the target's values.

    Text is classes; numbers are classes when they are at most ten whole numbers
    counting up by one (class codes), else a regression target.
    """
    values = target.dropna()
    n_unique = int(values.nunique())
    if n_unique <= 2:
        return "binary"
    if pd.api.types.is_bool_dtype(values):
        return "binary"
    if pd.api.types.is_numeric_dtype(values):
        integral = bool((values == values.round()).all())
        # Class codes count up by one (0..k, 1..k); counts with gaps (0, 1, 2, 7, 12) are numbers.
        codes = integral and n_unique <= 10 and values.max() - values.min() + 1 == n_unique
        return "multiclass" if codes else "regression"
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
            f"One class of the target {display!r} has only {smallest} "
            f"{'row' if smallest == 1 else 'rows'}; each class needs "
            f"at least {MIN_CLASS_ROWS}. Merge rare classes or add rows.",
            code="rare_class",
            column=display,
            n=smallest,
            minimum=MIN_CLASS_ROWS,
        )


def build_schema(
    table: Table,
    *,
    target: str | None = None,
    task: TaskChoice = "auto",
    roles: Mapping[str, Role] | None = None,
    time: str | None = None,
    event: str | None = None,
    event_value: EventValue | None = None,
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
    time, event, event_value
        For ``task="survival"``: the follow-up time column, the event column (``target``
        also names it) and the value of a status column that means the event happened;
        a time/event pair is recognised when they are not given. The time column is
        never a feature; the event column is the schema's target.
    """
    profiles = visible_names(profile_columns(table.frame, _distinct_names(table.original_names)))
    by_name = {c.name: c for c in profiles}
    by_display = {c.display_name: c.name for c in profiles}
    frame = table.frame
    findings: list[Finding] = []
    reason: TargetReason = "given"
    alternatives: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    survival: SurvivalColumns | None = None
    if task == "survival":
        survival = survival_columns(
            frame,
            profiles,
            time=time,
            event=event or target,
            event_value=event_value,
            suggestion=None,
        )
        target_name, target_guessed = survival.event, survival.guessed
        reason = "named" if survival.guessed else "given"
    elif target is None:
        target_name, reason, alternatives, skipped = _choose_target(frame, profiles, task)
        target_guessed = True
    else:
        target_name = target if target in by_name else by_display.get(target, "")
        target_guessed = False
        if target_name not in by_name:
            raise unknown_target(target)
    display = by_name[target_name].display_name
    chosen_task = infer_task(frame[target_name]) if task == "auto" else task
    if survival is None:
        _check_target(frame, target_name, chosen_task, display)
        profiles = [
            replace(c, role="target", reason=None) if c.name == target_name else c for c in profiles
        ]
        profiles, leak_rows = _audit_leaks(frame, target_name, profiles, chosen_task)
    else:
        profiles = mark_outcome(profiles, survival)
        flagged = frame.assign(**{target_name: survival.outcome.event.astype(int)})
        profiles, leak_rows = _audit_leaks(flagged, target_name, profiles, chosen_task)
    outcome_columns = {target_name, survival.time if survival else target_name}
    for name, role in (roles or {}).items():
        key = name if name in by_name else by_display.get(name)
        if key is None or key in outcome_columns:
            continue
        profiles = [override_role(c, role) if c.name == key else c for c in profiles]
    if not any(c.role == "feature" for c in profiles):
        raise DataError(
            "No column is left to use as a feature: every column but the target is excluded "
            "(an identifier, text, a date, constant, empty or a leak) or there is none. Choose "
            "another target, include a column yourself, or add columns to the table.",
            code="no_features",
        )
    names = {c.name: c.display_name for c in profiles}
    findings = target_findings(display, reason, alternatives, skipped, names)
    findings += leak_findings(profiles)
    findings += number_text_findings(frame, profiles)
    findings += long_value_findings(frame, profiles, labelled=frame[target_name].notna())
    suggestion = suggest_survival(frame, profiles, prefer_event=target_name)
    if chosen_task == "binary" and suggestion is not None:
        findings.append(survival_leak_finding(display, suggestion))
    return Schema(
        columns=tuple(profiles),
        target=target_name,
        task=chosen_task,
        target_guessed=target_guessed,
        task_guessed=task == "auto",
        n_rows=len(frame),
        target_reason=reason,
        target_alternatives=alternatives,
        skipped_targets=skipped,
        findings=tuple(findings),
        leak_check_rows=leak_rows,
        time=survival.time if survival else None,
        event_value=survival.event_value if survival else None,
        survival_suggestion=suggestion,
    )


def _distinct_names(originals: Mapping[str, str]) -> dict[str, str]:
    """Each column's name as the file gives it, or, where the file repeats that name (also
    with other spaces: ``age`` and `` age`` look the same on screen), the numbered name the
    reader gave it (``age (2)``): every name shown stands for one column."""
    counts = Counter(" ".join(o.split()) for o in originals.values())
    return {name: o if counts[" ".join(o.split())] == 1 else name for name, o in originals.items()}


def _choose_target(
    frame: pd.DataFrame, profiles: list[ColumnProfile], task: TaskChoice
) -> tuple[str, TargetReason, tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The first ranked candidate that can be trained on, the others, and those skipped.

    A column named as the outcome (``outcome``, ``status``) that cannot be trained on gives
    way only to another named column: rather than explain some column by its shape, its
    reason stops the guess (the user fixes the file or chooses the target)."""
    skipped = _refuse_unusable_named(profiles)
    ranked = event_beside_time_first(frame, profiles, rank_candidates(profiles))
    if not ranked:
        raise _no_target()
    named_refusal: DataError | None = None
    for i, candidate in enumerate(ranked):
        name = candidate.profile.name
        if named_refusal is not None and candidate.name_tier == 0:
            raise named_refusal
        chosen_task = infer_task(frame[name]) if task == "auto" else task
        try:
            _check_target(frame, name, chosen_task, candidate.profile.display_name)
        except DataError as error:
            skipped.append((name, error.code))
            if candidate.name_tier >= EXACT_TIER and named_refusal is None:
                named_refusal = error
            continue
        rest = tuple(c.profile.name for c in ranked[i + 1 :] if _plausible(c))
        return name, candidate.reason, rest[:_MAX_ALTERNATIVES], tuple(skipped)
    first = ranked[0].profile
    chosen_task = infer_task(frame[first.name]) if task == "auto" else task
    _check_target(frame, first.name, chosen_task, first.display_name)  # raises its reason
    raise _no_target()


def _plausible(candidate: Candidate) -> bool:
    return candidate.name_tier > 0 or candidate.shape > 0


def _refuse_unusable_named(profiles: list[ColumnProfile]) -> list[tuple[str, str]]:
    """A column named exactly as the outcome that is empty or constant stops the guess,
    unless another column is so named; then it is skipped, and returned with its reason.
    One of free text (a note on each row) is skipped and returned, so the guess says why."""
    named = [c for c in profiles if name_tier(c.display_name) >= EXACT_TIER]
    unusable = [c for c in named if c.reason in ("all_missing", "constant")]
    texts = [(c.name, "text_target") for c in named if c.reason == "free_text"]
    if not named or len(unusable) + len(texts) < len(named) or texts:
        return texts + [
            (c.name, "constant_target" if c.reason == "constant" else "empty_target")
            for c in unusable
        ]
    column = named[0]
    what = "is empty" if column.reason == "all_missing" else "has a single value"
    raise DataError(
        f"The column {column.display_name!r} is named as the outcome but {what}, so there is "
        f"nothing to predict. Check the file, or choose the target yourself.",
        code="unusable_named_target",
        column=column.display_name,
        why=column.reason,
    )


def _audit_leaks(
    frame: pd.DataFrame, target: str, profiles: list[ColumnProfile], task: Task
) -> tuple[list[ColumnProfile], int]:
    """Exclude features that alone predict the target, and those recorded after the outcome."""
    outcome = next(c.display_name for c in profiles if c.role == "target")
    after = {
        c.name
        for c in profiles
        if c.role != "target"
        and c.reason in (None, "datetime")
        and recorded_after_outcome(c.display_name, target=outcome)
    }
    features = {
        c.name: bool(pd.api.types.is_numeric_dtype(frame[c.name]))
        for c in profiles
        if c.role == "feature"
    }
    scores, rows = score_single_features(
        frame, target, features, classification=task != "regression"
    )
    leaks = {s.column: s for s in scores if s.leaks}
    out = []
    for c in profiles:
        if c.name in leaks:  # the figure is the stronger evidence, also for a telling name
            leak = leaks[c.name]
            c = replace(
                c, role="excluded", reason="leakage", leak_metric=leak.metric, leak_score=leak.score
            )
        elif c.name in after:
            c = replace(c, role="excluded", reason="possible_leak")
        out.append(c)
    return out, rows
