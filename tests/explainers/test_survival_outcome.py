"""The survival outcome: event encodings, the time column's role, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic_tables import to_csv_bytes

from explainers._dataset import build_dataset
from explainers._errors import DataError
from explainers._io.reading import read_table
from explainers._schema import build_schema
from explainers._survival.fitting import aft_bounds, cox_labels
from explainers._training import TrainingOptions, train_model


def cox_frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """Exponential times with hazard exp(1.2 x1 - 0.6 x2), random censoring."""
    rng = np.random.default_rng(seed)
    x1, x2, x3 = rng.normal(size=(3, n))
    event_time = rng.exponential(10 * np.exp(-(1.2 * x1 - 0.6 * x2)))
    censor_time = rng.exponential(15, n)
    return pd.DataFrame(
        {
            "x1": x1.round(4),
            "x2": x2.round(4),
            "x3": x3.round(4),
            "futime": np.minimum(event_time, censor_time).round(3),
            "death": (event_time <= censor_time).astype(int),
        }
    )


def _schema(frame: pd.DataFrame, **kwargs: object):
    table = read_table(to_csv_bytes(frame), name="s.csv")
    return table, build_schema(table, task="survival", **kwargs)  # type: ignore[arg-type]


def _margin(frame: pd.DataFrame, **kwargs: object) -> np.ndarray:
    table, schema = _schema(frame, time="futime", **kwargs)
    dataset = build_dataset(table, schema)
    model = train_model(dataset, options=TrainingOptions(n_estimators=10, seed=1))
    return model.predict_margin(dataset.X)[:, 0]


def test_time_and_event_are_never_features():
    """Check that the time column is excluded as the survival time and the event is the target."""
    _, schema = _schema(cox_frame(), time="futime", event="death")
    assert schema.task == "survival" and schema.event == "death" and schema.time == "futime"
    assert "futime" not in schema.features and "death" not in schema.features
    assert schema.column("futime").reason == "survival_time"
    assert schema.column("death").role == "target"


def test_time_cannot_be_made_a_feature_by_a_role_override():
    """Check that a user override cannot put the time column back among the features."""
    _, schema = _schema(cox_frame(), time="futime", event="death", roles={"futime": "feature"})
    assert "futime" not in schema.features


def test_pair_is_recognised_when_not_named():
    """Check that task survival alone finds futime and death by their names."""
    _, schema = _schema(cox_frame())
    assert (schema.time, schema.target, schema.target_guessed) == ("futime", "death", True)


def test_event_encodings_give_identical_models():
    """Check that 0/1, boolean, yes/no, dead/alive and a 3-valued status give the same model."""
    frame = cox_frame()
    dead = frame["death"].to_numpy() == 1
    reference = _margin(frame, event="death")
    rng = np.random.default_rng(5)
    other = np.where(rng.random(len(frame)) < 0.5, 0, 1)  # censored 0 or transplant 1
    encodings = [
        ({"death": dead}, {}),
        ({"death": np.where(dead, "yes", "no")}, {}),
        ({"death": np.where(dead, "dead", "alive")}, {}),
        ({"death": np.where(dead, 2, other)}, {"event_value": 2}),
        ({"death": np.where(dead, 2, other)}, {"event_value": "2"}),
        ({"death": np.where(dead, 2, 1)}, {}),  # R's 1 = censored, 2 = dead
    ]
    for column, kwargs in encodings:
        np.testing.assert_array_equal(
            _margin(frame.assign(**column), event="death", **kwargs), reference
        )


def test_inverted_event_value_selects_the_other_rows():
    """Check that event value 0 on a censoring flag marks the 0 rows as events."""
    frame = cox_frame()
    flipped = frame.assign(death=1 - frame["death"])
    np.testing.assert_array_equal(
        _margin(flipped, event="death", event_value=0), _margin(frame, event="death")
    )


@pytest.mark.parametrize(
    ("change", "kwargs", "code", "match"),
    [
        ({"futime": -1.0}, {}, "negative_time", "negative in 1 row"),
        ({"futime": np.nan}, {}, "missing_time", "missing, infinite or too large .* in 1 row"),
        ({"futime": 1e300}, {}, "missing_time", "missing, infinite or too large .* in 1 row"),
        ({"death": np.nan}, {}, "missing_event", "empty in 1 row"),
        ({"death": 7}, {}, "event_value_needed", "3 distinct values"),
        ({}, {"event_value": 9}, "event_value_absent", "does not occur"),
    ],
)
def test_bad_outcome_values_are_refused(change, kwargs, code, match):
    """Check that bad times and events raise a DataError with a stable code and a clear message."""
    frame = cox_frame().astype({"futime": object, "death": object})
    for column, value in change.items():
        frame.loc[3, column] = value
    with pytest.raises(DataError, match=match) as caught:
        _schema(frame, time="futime", event="death", **kwargs)
    assert caught.value.code == code


def test_text_times_are_refused():
    """Check that a time column of words is refused as not numeric."""
    frame = cox_frame().assign(futime=lambda f: np.where(f["futime"] > 5, "long", "short"))
    with pytest.raises(DataError, match="is not numeric") as caught:
        _schema(frame, time="futime", event="death")
    assert caught.value.code == "time_not_numeric"


def test_no_events_is_refused():
    """Check that a table where everyone is censored is refused."""
    frame = cox_frame().assign(death=0)
    with pytest.raises(DataError, match="every patient is censored") as caught:
        _schema(frame, time="futime", event="death")
    assert caught.value.code == "no_events"


def test_two_unreadable_values_need_an_event_value():
    """Check that two values neither of which reads as an event need the event value named."""
    frame = cox_frame().assign(death=lambda f: np.where(f["death"] == 1, "A", "B"))
    with pytest.raises(DataError, match="neither reads as") as caught:
        _schema(frame, time="futime", event="death")
    assert caught.value.code == "event_value_needed"


def test_same_column_and_unknown_column_are_refused():
    """Check that one column as both time and event, or an unknown name, is refused."""
    with pytest.raises(DataError, match="both the time and the event"):
        _schema(cox_frame(), time="futime", event="futime")
    with pytest.raises(DataError, match="no column named 'nope' to use as the time"):
        _schema(cox_frame(), time="nope", event="death")


def test_labels_follow_xgboost_documentation():
    """Check that Cox labels are negative for censored rows and AFT upper bounds are +inf."""
    time = np.array([0.0, 2.0, 3.0, 4.0])
    event = np.array([False, True, False, True])
    labels = cox_labels(time, event)
    assert labels[1] == 2.0 and labels[3] == 4.0 and labels[2] == -3.0
    assert labels[0] < 0 and np.float32(labels[0]) < 0  # a censored zero stays censored
    lower, upper = aft_bounds(time, event)
    np.testing.assert_array_equal(upper, [np.inf, 2.0, np.inf, 4.0])
    assert lower[0] == 1.0 and lower[2] == 3.0
