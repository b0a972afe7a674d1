"""Recognising a time/event pair in a table, to suggest the survival task.

A time column is named as follow-up time (``futime``, ``time_to_event``,
``os_months``, ``추적기간``, ``생존기간``; a bare ``time`` or ``days`` beside an event
column) and holds non-negative numbers with many values. An event column is named as
one (``event``, ``status``, ``death``, ``사망``, ``사건``; a ``censor`` flag is read as
1 = event, as the real files we know document, and flagged to check) or, failing that,
is a 0/1 column. The suggestion is only a suggestion:
the app shows it, and the user confirms the event value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .._findings import Finding
from .._leakage import recorded_after_outcome
from .._profiling import ColumnProfile
from .outcome import CENSORED_WORDS, EVENT_WORDS, normal_value

_EVENT_NAME = re.compile(
    r"(^|[_\s.-])(event|events|status|death|dead|died|deceased|mortality|fstat|fustat|vital|"
    r"relapse|recurrence|progression|failure|os|pfs|dfs|arrest|churn|churned|readmitted)"
    r"([_\s.-]|$)|사망|사건|재발|발생",
    re.IGNORECASE,
)
_CENSOR_NAME = re.compile(r"(^|[_\s.-])(censor|censored|censoring|cens)([_\s.-]|$)|중도절단", re.I)
_KOREAN_TIME = re.compile(r"기간|일수|개월|시간")
_MIN_TIME_VALUES = 6
_MAX_STATUS_VALUES = 5
_NOT_USABLE = {"identifier", "personal", "free_text", "all_missing", "constant", "datetime"}


@dataclass(frozen=True)
class SurvivalSuggestion:
    """A time/event pair that the survival task could use (safe column names).

    ``event_value`` is the value meaning "event happened" when it is not the usual one.
    ``inverted`` is True for a 0/1 column named as a censoring flag (``cens``, ``censor``):
    files disagree on whether its 1 is the event or "still event-free", so the app asks the
    user to check; it is read as 1 = event (R's ``survival`` convention, and what GBSG2,
    ACTG320 and the Stanford heart data document). When
    ``needs_event_value`` is True the status has several values (``event_values``) and
    the user must name the event one. ``event_reason`` says how the event column was found.
    """

    time: str
    event: str
    time_display: str
    event_display: str
    event_value: str | None
    inverted: bool
    needs_event_value: bool
    event_values: tuple[str, ...]
    event_reason: Literal["named", "shape"]


def _time_like(
    profile: ColumnProfile, series: pd.Series, event_names: Sequence[str], *, strict: bool = True
) -> bool:
    if profile.reason in _NOT_USABLE or profile.kind != "numeric":
        return False
    if profile.n_unique < _MIN_TIME_VALUES or (strict and profile.n_missing):
        return False
    named = recorded_after_outcome(profile.display_name) or any(
        recorded_after_outcome(profile.display_name, target=e) for e in event_names
    )
    named = named or bool(_KOREAN_TIME.search(profile.display_name) and event_names)
    values = series.to_numpy(dtype="float64", na_value=np.nan)
    return named and (not strict or bool(np.nanmin(values) >= 0))


def _status_like(profile: ColumnProfile) -> bool:
    if profile.reason in _NOT_USABLE or profile.n_missing:
        return False
    return profile.kind == "boolean" or 2 <= profile.n_unique <= _MAX_STATUS_VALUES


def _reads_as_event(series: pd.Series) -> bool:
    """Values that code an event: 0/1 (or few whole numbers), true/false, yes/no, dead/alive."""
    values = {normal_value(v) for v in series.dropna().unique().tolist()}
    return values <= EVENT_WORDS | CENSORED_WORDS or all(v.isdigit() for v in values)


def _event_named(profile: ColumnProfile) -> bool:
    name = profile.display_name
    return bool(_EVENT_NAME.search(name) or _CENSOR_NAME.search(name))


def suggest_survival(
    frame: pd.DataFrame,
    profiles: Sequence[ColumnProfile],
    *,
    prefer_event: str | None = None,
    strict: bool = True,
) -> SurvivalSuggestion | None:
    """The most likely time/event pair of ``frame``, or None when there is none.

    ``prefer_event`` (a safe column name, such as a chosen binary target) is the event
    column when it looks like one; a target that is the follow-up time itself (a
    regression on time) is offered as the time instead. ``strict=False`` also takes a time
    column with missing or negative values (to say what is wrong with them).
    """
    statuses = [p for p in profiles if _status_like(p)]
    named = [p for p in statuses if _event_named(p)]
    coded = [p for p in statuses if _reads_as_event(frame[p.name])]
    # the chosen target is the event when it reads as one (not, say, sex = F/M); a target
    # guessed on the follow-up time itself (a regression on time) is still the time
    preferred = [p for p in named + coded if p.name == prefer_event]
    times = [
        p
        for p in profiles
        if _time_like(p, frame[p.name], [e.display_name for e in named + preferred], strict=strict)
        and not (preferred and p.name == prefer_event)
    ]
    if not times or not statuses:
        return None
    time = times[0]
    if not (preferred or named or coded):
        return None
    event = (preferred or named or [_nearest(coded, profiles, time)])[0]
    values = tuple(sorted({normal_value(v) for v in frame[event.name].dropna().tolist()}))
    inverted = bool(_CENSOR_NAME.search(event.display_name)) and set(values) <= {"0", "1"}
    return SurvivalSuggestion(
        time=time.name,
        event=event.name,
        time_display=time.display_name,
        event_display=event.display_name,
        event_value=None,  # a censoring flag too: 1 = event unless the user says otherwise
        inverted=inverted,
        needs_event_value=len(values) > 2,
        event_values=values,
        event_reason="named" if event in named or event in preferred else "shape",
    )


def _nearest(
    statuses: list[ColumnProfile], profiles: Sequence[ColumnProfile], time: ColumnProfile
) -> ColumnProfile:
    """The status column nearest to the time column (they usually stand side by side)."""
    position = {p.name: i for i, p in enumerate(profiles)}
    return min(statuses, key=lambda p: abs(position[p.name] - position[time.name]))


def survival_leak_finding(target_display: str, suggestion: SurvivalSuggestion) -> Finding:
    """The finding for a yes/no target beside a follow-up time: the time leaks; try survival."""
    time, event = suggestion.time_display, suggestion.event_display
    return Finding(
        "survival_time_leak",
        f"The column {time!r} looks like follow-up time for the outcome {target_display!r}. "
        "A patient who had the event early has a short follow-up, so as a feature it leaks "
        "the answer, and a yes/no target ignores who was still followed up. Consider the "
        f"survival task with time {time!r} and event {event!r}.",
        (time, event),
        {"time": time, "event": event, "target": target_display},
    )
