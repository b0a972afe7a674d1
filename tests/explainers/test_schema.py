"""Profiling, column roles, target and task."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic_tables import FIRST_NAMES, to_csv_bytes

from explainers import (
    DataError,
    TrainingOptions,
    build_dataset,
    build_schema,
    guess_target,
    infer_task,
    read_table,
    train_model,
)


def _schema(frame: pd.DataFrame, **kwargs):
    return build_schema(read_table(to_csv_bytes(frame), name="t.csv"), **kwargs)


_LAST = [
    "Smith",
    "Kim",
    "Lee",
    "Garcia",
    "Novak",
    "Okafor",
    "Tanaka",
    "Silva",
    "Park",
    "O'Brien",
    "Dubois",
    "Khan",
    "Rossi",
    "Choi",
    "Nguyen",
    "Jones",
    "Moreau",
]


def _mixed(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return pd.DataFrame(
        {
            "patient_id": [f"P{i:05d}" for i in range(n)],
            "row_no": np.arange(n),
            "age": rng.integers(20, 90, n),
            "glucose": rng.normal(100, 20, n).round(1),
            "constant": 1,
            "notes": [f"patient reported mild pain on day {i} after the visit" for i in range(n)],
            "visit_date": pd.date_range("2024-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "full_name": [
                f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {_LAST[i * 7 % len(_LAST)]}" for i in range(n)
            ],
            "email": [f"user{i}@example.org" for i in range(n)],
            "phone": [f"010-{1000 + i:04d}-{2000 + i:04d}" for i in range(n)],
            "rrn_field": [f"{900101 + i % 28:06d}-{1000000 + i:07d}" for i in range(n)],
            "MRN": rng.permutation(n) + 10_000,
            "smoker": rng.choice(["yes", "no"], n),
            "region": rng.choice(["north", "south", "east"], n),
            "discharge_code": np.where(y == 1, "D1", "D0"),
            "outcome": np.where(y == 1, "sick", "well"),
        }
    )


def test_times_with_summer_and_winter_offsets_are_one_datetime_column():
    """Check that time stamps whose UTC offsets differ (+01:00 in winter, +02:00 in summer,
    as a European log writes them) are a date column, excluded as such, as pandas reads them
    when told to bring them to UTC, and that the table is not refused."""
    rng = np.random.default_rng(4)
    n = 120
    stamps = pd.date_range("2020-01-01", periods=n, freq="3D", tz="Europe/Berlin")
    frame = pd.DataFrame(
        {
            "measured_at": [s.isoformat() for s in stamps],
            "dose": rng.normal(0, 1, n),
            "outcome": rng.integers(0, 2, n),
        }
    )
    assert {s[-6:] for s in frame["measured_at"]} == {"+01:00", "+02:00"}
    assert pd.to_datetime(frame["measured_at"], utc=True).notna().all()
    reasons = {c.display_name: c.reason for c in _schema(frame).columns}
    assert reasons["measured_at"] == "datetime"


def test_roles_and_reasons():
    """Check that each kind of column that must not be a feature is excluded with its reason."""
    schema = _schema(_mixed())
    reasons = {c.display_name: c.reason for c in schema.columns}
    assert reasons["patient_id"] == "identifier"
    assert reasons["row_no"] == "identifier"
    assert reasons["constant"] == "constant"
    assert reasons["notes"] == "free_text"
    assert reasons["visit_date"] == "datetime"
    for personal in ("full_name", "email", "phone", "rrn_field"):
        assert reasons[personal] == "personal", personal
    assert reasons["MRN"] == "identifier"  # a medical record number names the row, not a person
    assert reasons["discharge_code"] == "leakage"
    assert set(schema.features) == {"age", "glucose", "smoker", "region"}
    assert schema.target == "outcome" and schema.task == "binary"
    for column in schema.excluded:
        assert column.reason_text and column.reason_text.startswith("excluded:")


def test_kinds():
    """Check the detected kind of numeric, boolean and categorical columns."""
    schema = _schema(_mixed())
    kinds = {c.display_name: c.kind for c in schema.columns}
    assert kinds["age"] == "numeric"
    assert kinds["smoker"] == "boolean"
    assert kinds["region"] == "categorical"


def test_strong_real_feature_is_not_called_a_leak():
    """Check that a strong but noisy predictor stays a feature."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=2000)
    y = (x + rng.normal(0, 0.5, 2000) > 0).astype(int)
    schema = _schema(pd.DataFrame({"x": x, "other": rng.normal(size=2000), "label": y}))
    assert "x" in schema.features


def test_user_roles_override():
    """Check that a user can include an excluded column and exclude a feature."""
    schema = _schema(_mixed(), roles={"discharge_code": "feature", "age": "excluded"})
    assert "discharge_code" in schema.features and "age" not in schema.features
    assert schema.column("age").reason == "user"


def test_text_column_cannot_be_forced_into_features():
    """Check that free text cannot be made a feature."""
    with pytest.raises(DataError, match="cannot be a feature"):
        _schema(_mixed(), roles={"notes": "feature"})


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["a", "b", "target"], "target"),
        (["Outcome", "a", "b"], "Outcome"),
        (["a", "diagnosis", "b"], "diagnosis"),
        (["진단", "a", "b"], "진단"),
        (["a", "결과", "b"], "결과"),
        (["a", "b", "c"], "c"),
        (["label", "y"], "y"),
    ],
)
def test_guess_target(names, expected):
    """Check that the target is guessed by name, else the last column."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({n: rng.integers(0, 2, 50) for n in names})
    schema = _schema(frame)
    assert schema.display_names[schema.target] == expected
    assert schema.target_guessed


def test_guess_target_skips_identifier_last_column():
    """Check that an identifier in the last column is not guessed as target."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"a": rng.normal(size=60), "b": rng.integers(0, 2, 60), "uid": [f"u{i}" for i in range(60)]}
    )
    assert _schema(frame).target == "b"
    assert callable(guess_target)


@pytest.mark.parametrize(
    ("values", "task"),
    [
        ([0, 1] * 20, "binary"),
        (["a", "b", "c"] * 20, "multiclass"),
        ([0, 1, 2] * 20, "multiclass"),
        (list(np.linspace(0, 1, 60)), "regression"),
        (list(range(60)), "regression"),
    ],
)
def test_infer_task(values, task):
    """Check task inference from the target's values."""
    assert infer_task(pd.Series(values)) == task


def test_missing_target_rows_are_dropped_and_counted():
    """Check that rows without a target are dropped and counted."""
    frame = _mixed()
    frame.loc[:9, "outcome"] = np.nan
    table = read_table(to_csv_bytes(frame), name="t.csv")
    dataset = build_dataset(table, build_schema(table, target="outcome"))
    assert dataset.n_dropped_missing_target == 10
    assert len(dataset.y) == len(frame) - 10
    assert dataset.row_ids[0] == 10


def test_inf_becomes_missing_and_is_counted():
    """Check that infinite values become missing, counted."""
    frame = _mixed()
    frame["glucose"] = frame["glucose"].astype(float)
    frame.loc[:4, "glucose"] = np.inf
    table = read_table(to_csv_bytes(frame), name="t.csv")
    dataset = build_dataset(table, build_schema(table, target="outcome"))
    assert dataset.n_inf_replaced == 5
    assert dataset.X["glucose"].isna().sum() >= 5
    assert np.isfinite(dataset.X["glucose"].dropna()).all()


def test_numbers_beyond_float32_become_missing_and_train():
    """Check that finite numbers too large for XGBoost's 32-bit floats (they become inf
    there, numpy's float32 cast as the reference) are missing and counted like inf, and
    that the model trains (XGBoost refused them before)."""
    frame = _mixed()
    frame["glucose"] = frame["glucose"].astype(float)
    frame.loc[:2, "glucose"] = [1e39, -1e308, 3e38]  # the last one fits in a float32
    frame.loc[3, "glucose"] = np.inf
    table = read_table(to_csv_bytes(frame), name="t.csv")
    dataset = build_dataset(table, build_schema(table, target="outcome"))
    with np.errstate(over="ignore"):
        overflow = np.isinf(frame["glucose"].to_numpy().astype(np.float32))
    assert dataset.n_inf_replaced == int(overflow.sum()) == 3
    assert dataset.X["glucose"].iloc[:4].isna().tolist() == [True, True, False, True]
    assert dataset.X["glucose"].iloc[2] == 3e38
    model = train_model(dataset, options=TrainingOptions(n_estimators=5))
    assert np.isfinite(model.predict(dataset.X)).all()


def test_regression_target_beyond_float32_drops_the_row():
    """Check that a regression target XGBoost cannot hold (1e300, -inf) drops its row,
    counted with the rows that have no target, instead of failing in XGBoost."""
    frame = _mixed()
    frame["glucose"] = frame["glucose"].astype(float)
    frame.loc[[5, 7], "glucose"] = [1e300, -np.inf]
    table = read_table(to_csv_bytes(frame), name="t.csv")
    dataset = build_dataset(table, build_schema(table, target="glucose", task="regression"))
    assert dataset.n_dropped_missing_target == 2
    assert 5 not in dataset.row_ids and 7 not in dataset.row_ids
    model = train_model(dataset, options=TrainingOptions(n_estimators=5))
    assert np.isfinite(model.predict(dataset.X)).all()


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"a": range(30), "target": [1] * 30}), "single value"),
        (pd.DataFrame({"a": range(30), "target": [np.nan] * 30}), "target"),
        (pd.DataFrame({"a": range(10), "target": [0, 1] * 5}), "at least 20"),
        (pd.DataFrame({"a": range(40), "target": [0] * 38 + [1, 1]}), "at least 5"),
    ],
)
def test_unusable_targets(frame, message):
    """Check that constant, empty, tiny or rare-class targets give a DataError."""
    with pytest.raises(DataError, match=message):
        _schema(frame, target="target")


def test_unknown_target_name():
    """Check that a misspelt target is a DataError naming it."""
    with pytest.raises(DataError, match="no column named 'nope'"):
        _schema(_mixed(), target="nope")


def test_binary_task_on_three_classes_is_refused():
    """Check that forcing binary on three classes says to choose multiclass."""
    frame = pd.DataFrame({"a": range(60), "target": ["x", "y", "z"] * 20})
    with pytest.raises(DataError, match="multiclass"):
        _schema(frame, target="target", task="binary")


def _follow_up(n: int = 400, seed: int = 5) -> pd.DataFrame:
    """A recidivism study laid out as such files are: the weeks followed, the event flag
    beside them (named as an event, not as the outcome), then yes/no covariates."""
    rng = np.random.default_rng(seed)
    arrested = rng.random(n) < 0.3
    weeks = np.where(arrested, rng.integers(1, 52, n), 52)
    return pd.DataFrame(
        {
            "week": weeks,
            "arrest": arrested.astype(int),
            "fin": rng.integers(0, 2, n),
            "age": rng.integers(17, 45, n),
            "mar": rng.integers(0, 2, n),
            "paro": rng.integers(0, 2, n),
            "prio": rng.integers(0, 20, n),
        }
    )


def test_an_event_beside_its_follow_up_time_is_the_guessed_target():
    """Check that the event column of a time/event pair is guessed ahead of the last yes/no
    column (a parole flag), as an analyst reads such a table, and that the time beside it
    is left out as follow-up time with survival suggested."""
    schema = _schema(_follow_up())
    assert schema.target == "arrest" and schema.target_reason == "named"
    assert schema.column("week").reason in ("leakage", "possible_leak")
    assert schema.survival_suggestion is not None
    assert schema.survival_suggestion.time == "week"


def test_without_a_follow_up_time_the_last_yes_no_column_stays_the_guess():
    """Check that an event-like name alone does not outrank the table's shape: without the
    follow-up time beside it, the last yes/no column is guessed, as before."""
    frame = _follow_up().drop(columns="week")
    schema = _schema(frame)
    assert schema.target == "paro" and schema.target_reason == "shape"
    named = _follow_up().rename(columns={"paro": "outcome"})
    assert _schema(named).target == "outcome"  # a column named as the outcome still wins


def test_a_coded_event_beside_a_named_follow_up_time_is_the_guessed_target():
    """Check that an unnamed 0/1 column standing beside a column named as follow-up time
    (``futime``) is guessed as the outcome, ahead of the last two-valued covariate, and
    said to be found by its values; beside a bare ``days`` it is not (a bare time needs an
    event named as one)."""
    rng = np.random.default_rng(6)
    n = 300
    died = rng.random(n) < 0.4
    frame = pd.DataFrame(
        {
            "futime": np.where(died, rng.integers(30, 1200, n), 1200),
            "d": died.astype(int),
            "age": rng.integers(38, 75, n),
            "rx": rng.integers(1, 3, n),
            "ecog": rng.integers(1, 3, n),
        }
    )
    schema = _schema(frame)
    assert schema.target == "d" and schema.target_reason == "shape"
    assert _schema(frame.rename(columns={"futime": "days"})).target == "ecog"
