"""The survival outcome of a table: a follow-up time and whether the event happened.

Validated once, here: times are numbers, present and not negative; the event column
is 0/1, boolean, yes/no (or dead/alive, censored), R's 1/2 coding (2 = event), or a
status with several values of which ``event_value`` names the event. Messages never
quote cell values other than the event value the user named.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import DataError
from .._float32 import out_of_range

MIN_EVENTS = 5
"""Events needed at least: the validation split is stratified by event."""
EventValue = str | int | float | bool
"""The value of a status column that means the event happened."""

EVENT_WORDS = {
    "1", "true", "t", "yes", "y", "event", "dead", "death", "died", "deceased",
    "relapse", "recurrence", "progression", "failure", "예", "사망", "사건", "있음", "발생",
}  # fmt: skip
CENSORED_WORDS = {
    "0", "false", "f", "no", "n", "censored", "censor", "alive", "living", "survived",
    "none", "아니오", "생존", "없음", "중도절단", "미발생",
}  # fmt: skip


@dataclass(frozen=True)
class SurvivalOutcome:
    """Follow-up times and event flags of every row (True: the event happened at ``time``)."""

    time: np.ndarray
    event: np.ndarray

    @property
    def n_events(self) -> int:
        """Rows whose event happened."""
        return int(self.event.sum())


def normal_value(value: object) -> str:
    """A status value as comparable text: ``2``, ``2.0`` and ``"2"`` agree, case is ignored."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value).strip().lower()


def _two_value_event(values: list[str], display: str) -> str:
    """The event value of a two-valued status: 1, True, yes, dead, 2 of R's 1/2 coding."""
    if set(values) == {"1", "2"}:
        return "2"
    events = [v for v in values if v in EVENT_WORDS]
    censored = [v for v in values if v in CENSORED_WORDS]
    if len(events) == 1 and len(censored) == 1:
        return events[0]
    raise DataError(
        f"The event column {display!r} has two values, but neither reads as 'event happened' "
        "(1, true, yes, dead). Name the value that means the event (event value).",
        code="event_value_needed",
        column=display,
        n=2,
    )


def event_flags(series: pd.Series, display: str, event_value: EventValue | None) -> np.ndarray:
    """True where the event happened, from a 0/1, boolean, yes/no or multi-valued status.

    Raises
    ------
    DataError
        ``missing_event`` for empty cells, ``event_value_absent`` when ``event_value``
        never occurs, ``event_value_needed`` when the event value cannot be told.
    """
    n_missing = int(series.isna().sum())
    if n_missing:
        raise DataError(
            f"The event column {display!r} is empty in {n_missing} row(s). Fill in whether "
            "the event happened (or remove those rows) and try again.",
            code="missing_event",
            column=display,
            n=n_missing,
        )
    text = series.map(normal_value)
    values = sorted(set(text.tolist()))
    if event_value is not None:
        wanted = normal_value(event_value)
        if wanted not in values:
            raise DataError(
                f"The event value {wanted!r} does not occur in the event column {display!r}. "
                "Choose one of the column's values as the event value.",
                code="event_value_absent",
                column=display,
                value=wanted,
            )
    elif len(values) == 1:
        wanted = values[0] if values[0] in EVENT_WORDS else ""
    elif len(values) == 2:
        wanted = _two_value_event(values, display)
    else:
        raise DataError(
            f"The event column {display!r} has {len(values)} distinct values, not two. Name "
            "the value that means the event happened (event value), for example the code "
            "for death in a status column.",
            code="event_value_needed",
            column=display,
            n=len(values),
        )
    return np.asarray(text.to_numpy() == wanted, dtype=bool)


def follow_up_times(series: pd.Series, display: str) -> np.ndarray:
    """Follow-up times as floats, checked: numeric, never missing, never negative."""
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        raise DataError(
            f"The time column {display!r} is not numeric. Choose a column of follow-up times "
            "in days, months or years (derive it from dates first).",
            code="time_not_numeric",
            column=display,
        )
    time = np.asarray(series.to_numpy(dtype="float64", na_value=np.nan), dtype=np.float64)
    n_missing = int((np.isnan(time) | out_of_range(time)).sum())
    if n_missing:
        raise DataError(
            f"The time column {display!r} is missing, infinite or too large (beyond about "
            f"3.4e38) in {n_missing} row(s). Fill "
            "in the follow-up time (or remove those rows) and try again.",
            code="missing_time",
            column=display,
            n=n_missing,
        )
    n_negative = int((time < 0).sum())
    if n_negative:
        raise DataError(
            f"The time column {display!r} is negative in {n_negative} row(s); follow-up "
            "times start at zero. Check how the time was computed.",
            code="negative_time",
            column=display,
            n=n_negative,
        )
    return time


def survival_outcome(
    frame: pd.DataFrame,
    time: str,
    event: str,
    *,
    event_value: EventValue | None = None,
    display: dict[str, str] | None = None,
) -> SurvivalOutcome:
    """Check and encode the time and event columns of ``frame`` (safe column names).

    Raises
    ------
    DataError
        See :func:`follow_up_times` and :func:`event_flags`; also ``same_time_event``
        and ``no_events`` / ``too_few_events`` (fewer than :data:`MIN_EVENTS` events).
    """
    names = display or {}
    time_display, event_display = names.get(time, time), names.get(event, event)
    if time == event:
        raise DataError(
            f"The column {time_display!r} cannot be both the time and the event. Choose a "
            "time column and a separate event column.",
            code="same_time_event",
            column=time_display,
        )
    times = follow_up_times(frame[time], time_display)
    flags = event_flags(frame[event], event_display, event_value)
    n_events = int(flags.sum())
    if n_events == 0:
        raise DataError(
            f"No row of {event_display!r} records the event: every patient is censored, so "
            "there is nothing to model. Check the event column and the event value.",
            code="no_events",
            column=event_display,
        )
    if n_events < MIN_EVENTS:
        raise DataError(
            f"Only {n_events} row(s) record the event in {event_display!r}; at least "
            f"{MIN_EVENTS} are needed. Add rows or check the event value.",
            code="too_few_events",
            column=event_display,
            n=n_events,
            minimum=MIN_EVENTS,
        )
    return SurvivalOutcome(time=times, event=flags)
