"""Choosing and checking the time and event columns of a survival schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from .._errors import DataError
from .._profiling import ColumnProfile
from .detect import SurvivalSuggestion, suggest_survival
from .outcome import EventValue, SurvivalOutcome, normal_value, survival_outcome


@dataclass(frozen=True)
class SurvivalColumns:
    """The checked time and event columns (safe names) and the outcome they encode."""

    time: str
    event: str
    event_value: str | None
    guessed: bool
    outcome: SurvivalOutcome


def _lookup(name: str, profiles: Sequence[ColumnProfile], role: str) -> str:
    for p in profiles:
        if name in (p.name, p.display_name):
            return p.name
    raise DataError(
        f"There is no column named {name!r} to use as the {role} column. Check the spelling "
        "against the file's header.",
        code="unknown_column",
        column=name,
        role=role,
    )


def _no_pair() -> DataError:
    return DataError(
        "The survival task needs a time column (follow-up time) and an event column "
        "(whether the event happened), and no such pair was recognised. Name both columns.",
        code="survival_needs_columns",
    )


def survival_columns(
    frame: pd.DataFrame,
    profiles: Sequence[ColumnProfile],
    *,
    time: str | None,
    event: str | None,
    event_value: EventValue | None,
    suggestion: SurvivalSuggestion | None,
) -> SurvivalColumns:
    """Resolve the time and event columns (given, else suggested) and check their values.

    Raises
    ------
    DataError
        ``unknown_column``, ``survival_needs_columns``, and the outcome's checks
        (see :func:`explainers._survival.outcome.survival_outcome`).
    """
    guessed = time is None or event is None
    event_name = _lookup(event, profiles, "event") if event is not None else None
    if guessed and (suggestion is None or event_name not in (None, suggestion.event)):
        suggestion = suggest_survival(frame, profiles, prefer_event=event_name)
        if suggestion is None:  # a pair named as one whose times are not clean: say why
            suggestion = suggest_survival(frame, profiles, prefer_event=event_name, strict=False)
    if time is not None:
        time_name = _lookup(time, profiles, "time")
    elif suggestion is not None:
        time_name = suggestion.time
    else:
        raise _no_pair()
    if event_name is None:
        if suggestion is None or suggestion.event == time_name:
            raise _no_pair()
        event_name = suggestion.event
        if event_value is None and suggestion.event_value is not None:
            event_value = suggestion.event_value
    display = {p.name: p.display_name for p in profiles}
    outcome = survival_outcome(
        frame, time_name, event_name, event_value=event_value, display=display
    )
    return SurvivalColumns(
        time=time_name,
        event=event_name,
        event_value=None if event_value is None else normal_value(event_value),
        guessed=guessed,
        outcome=outcome,
    )


def mark_outcome(profiles: list[ColumnProfile], columns: SurvivalColumns) -> list[ColumnProfile]:
    """The event column becomes the target; the time column is never a feature."""
    out = []
    for p in profiles:
        if p.name == columns.event:
            p = replace(p, role="target", reason=None)
        elif p.name == columns.time:
            p = replace(p, role="excluded", reason="survival_time")
        out.append(p)
    return out
