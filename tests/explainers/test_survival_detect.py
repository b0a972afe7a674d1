"""Recognising time/event pairs, and the finding for a yes/no target beside follow-up time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic_tables import synthetic_binary, to_csv_bytes

from explainers._io.reading import read_table
from explainers._profiling import profile_columns
from explainers._schema import build_schema
from explainers._survival.detect import suggest_survival


def _frame(time_name: str, event_name: str, event: np.ndarray | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 120
    return pd.DataFrame(
        {
            "age": rng.integers(30, 90, n),
            "sex": rng.choice(["F", "M"], n),
            time_name: rng.exponential(300, n).round(1),
            event_name: rng.integers(0, 2, n) if event is None else event,
        }
    )


def _suggest(frame: pd.DataFrame):
    return suggest_survival(frame, profile_columns(frame, {c: c for c in frame.columns}))


@pytest.mark.parametrize(
    ("time_name", "event_name"),
    [
        ("futime", "death"),
        ("follow-up time", "status"),
        ("time_to_event", "event"),
        ("survival_time", "dead"),
        ("os_months", "os_status"),
        ("time", "status"),
        ("days", "died"),
        ("추적기간", "사망"),
        ("생존기간", "사건"),
        ("week", "arrest"),
        ("time_months", "deceased"),
        ("tte", "event"),
    ],
)
def test_named_pairs_are_recognised(time_name, event_name):
    """Check that English and Korean time/event names are recognised as a pair."""
    suggestion = _suggest(_frame(time_name, event_name))
    assert suggestion is not None
    assert (suggestion.time, suggestion.event) == (time_name, event_name)
    assert suggestion.event_reason == "named" and not suggestion.inverted


def test_censor_flag_is_flagged_and_read_as_one_is_the_event():
    """Check that a 0/1 column named censor is flagged for the user to check and read as
    1 = event (what GBSG2, ACTG320 and the Stanford heart data document), not inverted."""
    suggestion = _suggest(_frame("futime", "censored"))
    assert suggestion is not None and suggestion.inverted and suggestion.event_value is None


def test_multi_valued_status_needs_an_event_value():
    """Check that a status with three codes asks for the event value and lists the codes."""
    status = np.random.default_rng(0).integers(0, 3, 120)
    suggestion = _suggest(_frame("futime", "status", status))
    assert suggestion is not None and suggestion.needs_event_value
    assert suggestion.event_values == ("0", "1", "2")


def test_shape_finds_the_flag_beside_a_named_time():
    """Check that an unnamed 0/1 column beside a named time is found by shape."""
    suggestion = _suggest(_frame("futime", "flag"))
    assert suggestion is not None and suggestion.event == "flag"
    assert suggestion.event_reason == "shape"


def test_tables_without_follow_up_time_get_no_suggestion():
    """Check that an ordinary binary table (numbers and a 0/1 outcome) is not called survival."""
    assert _suggest(synthetic_binary(200)) is None
    assert _suggest(_frame("weight", "smoker")) is None


def test_binary_target_beside_follow_up_time_gets_a_finding():
    """Check that choosing the event as a binary target names the leaking time column."""
    frame = _frame("futime", "death")
    table = read_table(to_csv_bytes(frame), name="t.csv")
    schema = build_schema(table, target="death")
    assert schema.task == "binary"
    finding = next(f for f in schema.findings if f.code == "survival_time_leak")
    assert finding.columns == ("futime", "death") and "survival task" in finding.message
    assert schema.survival_suggestion is not None


def test_ordinary_target_guess_is_unchanged():
    """Check that a table without follow-up time keeps its guessed target and gets no finding."""
    table = read_table(to_csv_bytes(synthetic_binary(300)), name="b.csv")
    schema = build_schema(table)
    assert schema.target == "outcome" and schema.survival_suggestion is None
    assert all(f.code != "survival_time_leak" for f in schema.findings)


@pytest.mark.parametrize("event_name", ["os_status", "censored"])
def test_a_target_guessed_on_the_time_itself_still_gets_the_pair(event_name):
    """Check that when the event column's name marks it as recorded after the outcome (so
    the target guess falls on the time, a regression), survival is still suggested with
    that time and that event (a censor flag flagged, read as 1 = event)."""
    frame = _frame("time", event_name)
    schema = build_schema(read_table(to_csv_bytes(frame), name="t.csv"))
    suggestion = schema.survival_suggestion
    assert suggestion is not None
    assert (suggestion.time, suggestion.event) == ("time", event_name)
    assert suggestion.inverted == (event_name == "censored") and suggestion.event_value is None


@pytest.mark.parametrize(
    ("bad", "code", "match"),
    [
        (["inf", "", "1e400"], "missing_time", "missing, infinite or too large .* in 3 row"),
        (["-1"], "negative_time", "negative in 1 row"),
    ],
)
def test_a_named_pair_with_unclean_times_says_what_is_wrong(bad, code, match):
    """Check that a survival run on a table whose follow-up time and death columns are named
    as such, but whose times hold missing, infinite or negative values, says so about that
    column rather than that no pair was recognised."""
    from explainers import DataError

    rng = np.random.default_rng(6)
    n = 200
    frame = pd.DataFrame({"age": rng.normal(50, 10, n).round(1)})
    frame["follow_up_days"] = rng.exponential(300, n).round(3).astype(object)
    frame["death"] = rng.integers(0, 2, n)
    frame.loc[: len(bad) - 1, "follow_up_days"] = bad
    with pytest.raises(DataError, match=match) as info:
        build_schema(read_table(to_csv_bytes(frame), name="t.csv"), task="survival")
    assert info.value.code == code
    assert info.value.params["column"] == "follow_up_days"
