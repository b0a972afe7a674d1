"""Guessing the target the way a person reading the table would.

Names first, in English and Korean (a column called ``outcome``, ``churn`` or
``사망여부``), unless the values contradict the name (``death`` or ``class`` holding
many numbers), then shape: the last column when it has two values or a few
classes, else the last such column. Columns that cannot be a target
(identifiers, personal data, free text, dates, calendar columns such as the year,
constants, empty columns, and columns recorded after the outcome such as a date of
death) are never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import pandas as pd

from ._leakage import recorded_after_outcome
from ._profiling import ColumnProfile
from ._survival.detect import suggest_survival

GuessReason = Literal["named", "shape", "last_column"]

EXACT_TIER = 3
"""A name tier at or above this is a whole name that says "this is the outcome"."""
# Generic words that are the outcome only as a whole name, and weaker than the others.
_EXACT_WEAK = {"status", "event", "result", "response", "default"}
# A whole name that says "this is the outcome".
_EXACT = {
    "target",
    "label",
    "labels",
    "outcome",
    "outcomes",
    "class",
    "species",
    "y",
    "diagnosis",
    "dx",
    "result",
    "response",
    "churn",
    "churned",
    "death",
    "dead",
    "died",
    "mortality",
    "status",
    "event",
    "survived",
    "readmitted",
    "readmission",
    "recurrence",
    "relapse",
    "default",
    "fraud",
    "progression",
    "remission",
    "complication",
    "complications",
    "cured",
    "failure",
    "결과",
    "진단",
    "사망",
    "타겟",
    "타깃",
    "레이블",
    "라벨",
    "재발",
    "발병",
    "사망여부",
    "생존",
}
# Words that make a longer name an outcome ("in_hospital_death", "churn_flag").
_STRONG = {
    "target",
    "label",
    "outcome",
    "diagnosis",
    "death",
    "dead",
    "died",
    "mortality",
    "churn",
    "churned",
    "survived",
    "readmitted",
    "readmission",
    "recurrence",
    "relapse",
    "progression",
    "remission",
    "complication",
    "complications",
}
# Weaker words: an outcome only in some names ("test_result", "vital_status", "event_flag").
_MEDIUM = {"result", "response", "event"}
_STATUS_OUTCOME = re.compile(
    r"(vital|death|survival|outcome|final|disease)[_\s.-]?status", re.IGNORECASE
)
_KOREAN_STRONG = ("결과", "진단", "사망", "타겟", "타깃", "레이블", "재발", "발병", "생존")
_KOREAN_WEAK = ("여부",)
_TOKENS = re.compile(r"[\s_\-.()/]+")
_NOT_A_TARGET = {
    "identifier",
    "all_missing",
    "constant",
    "personal",
    "free_text",
    "datetime",
    "high_cardinality",
}
_FEW_CLASSES = 10
# Calendar columns (the year or month a row was recorded) have few values but are when, not
# what happened: never a target by shape alone.
_CALENDAR = frozenset(
    {
        "year",
        "yr",
        "years",
        "month",
        "months",
        "mon",
        "date",
        "week",
        "weekday",
        "quarter",
        "season",
    }
)
_CALENDAR_POINTS = _CALENDAR - {"yr", "years", "months"}
_KOREAN_CALENDAR = ("연도", "년도", "날짜", "요일", "분기")


# Outcome words that name an event or a class (not a rate or an amount): a numeric column of
# many values with such a name is a day number, a count or an ID ("death" as the day of death,
# "class" as a school class, "event" as an earthquake's number), not that outcome.
_GENERIC_OUTCOME = {
    *("target", "label", "labels", "outcome", "outcomes", "y", "result", "response"),
    *("결과", "타겟", "타깃", "레이블", "라벨"),
}
_RATE_LIKE = {"mortality", "failure", "progression"}
_EVENT_OR_CLASS = (set(_EXACT) | _STRONG | _MEDIUM) - _GENERIC_OUTCOME - _RATE_LIKE
_MANY_VALUES = 20


@dataclass(frozen=True)
class Candidate:
    """A column that could be the target, with how strongly its name and shape say so."""

    profile: ColumnProfile
    name_tier: int
    shape: int
    last_classlike: bool
    position: int

    @property
    def reason(self) -> GuessReason:
        """Why it ranks where it does."""
        if self.name_tier:
            return "named"
        return "shape" if self.shape else "last_column"


def name_tier(name: str) -> int:
    """How clearly a column's name says it is the outcome: 4 and 3 (the whole name: a
    specific word such as ``churn``, or a generic one such as ``status``) to 0."""
    lowered = name.strip().lower()
    if lowered in _EXACT:
        return EXACT_TIER if lowered in _EXACT_WEAK else EXACT_TIER + 1
    if recorded_after_outcome(name):
        return 0  # "cause_of_death", "death_date": about the outcome, not the outcome
    tokens = [t for t in _TOKENS.split(lowered) if t]
    if any(t in _STRONG for t in tokens) or any(w in lowered for w in _KOREAN_STRONG):
        return 2
    if any(t in _MEDIUM for t in tokens) or _STATUS_OUTCOME.search(lowered):
        return 1
    if any(lowered.endswith(w) for w in _KOREAN_WEAK):
        return 1
    return 0


def _contradicted(profile: ColumnProfile) -> bool:
    """A whole name that says "an event or a class" on a numeric column of many values
    (a longer name, ``death_rate`` or ``사망률``, may well hold many numbers)."""
    if profile.kind != "numeric" or profile.n_unique <= _MANY_VALUES:
        return False
    return profile.display_name.strip().lower() in _EVENT_OR_CLASS


def _tier(profile: ColumnProfile) -> int:
    """:func:`name_tier`, or 0 where the column's values contradict its name."""
    return 0 if _contradicted(profile) else name_tier(profile.display_name)


def _is_calendar(name: str, words: frozenset[str] = _CALENDAR) -> bool:
    """A calendar column by its name: one of ``words`` or a Korean calendar word in it."""
    lowered = name.lower()
    tokens = {t for t in _TOKENS.split(lowered) if t}
    return bool(tokens & words) or any(w in lowered for w in _KOREAN_CALENDAR)


def _shape(profile: ColumnProfile) -> int:
    if _is_calendar(profile.display_name):
        return 0
    if profile.kind == "boolean" or profile.n_unique == 2:
        return 2
    if profile.n_unique <= _FEW_CLASSES and profile.kind in ("categorical", "numeric"):
        return 1
    return 0


def rank_candidates(columns: Sequence[ColumnProfile]) -> list[Candidate]:
    """Every column that could be the target, most likely first."""
    usable = [
        (i, c)
        for i, c in enumerate(columns)
        if c.reason not in _NOT_A_TARGET
        and not (recorded_after_outcome(c.display_name) and name_tier(c.display_name) < EXACT_TIER)
        # a calendar point (year, month, date; not a duration such as years) is when, not what
        and not (_is_calendar(c.display_name, _CALENDAR_POINTS) and _tier(c) == 0)
    ]
    last = usable[-1][0] if usable else -1
    ranked = [Candidate(c, _tier(c), _shape(c), i == last and _shape(c) > 0, i) for i, c in usable]
    return sorted(
        ranked, key=lambda k: (k.name_tier, k.last_classlike, k.shape, k.position), reverse=True
    )


def event_beside_time_first(
    frame: pd.DataFrame, profiles: Sequence[ColumnProfile], ranked: list[Candidate]
) -> list[Candidate]:
    """Where no column is named as the outcome, the event of a time/event pair (``arrest``
    beside ``week``, ``fstat`` beside ``lenfol``, a 0/1 column beside ``futime``) is the
    outcome a reader sees, ahead of the last yes/no column. An event named as one counts as
    named (the weakest tier); one found by its values keeps its shape as the reason."""
    if not ranked or ranked[0].name_tier > 0:
        return ranked
    suggestion = suggest_survival(frame, profiles)
    if suggestion is None:
        return ranked
    named = suggestion.event_reason == "named"
    # an event found by its values (0/1 beside the time) counts only beside a time whose
    # own name says follow-up (``futime``, ``os_months``), not a bare ``time`` or ``days``
    if not named and not recorded_after_outcome(suggestion.time_display):
        return ranked
    event = [
        replace(c, name_tier=1) if named else c
        for c in ranked
        if c.profile.name == suggestion.event
    ]
    return event + [c for c in ranked if c.profile.name != suggestion.event]
