"""The leak audit on synthetic tables whose leaks are known by construction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from synthetic_tables import to_csv_bytes

from explainers import build_schema, explain_file, read_table


def _schema(frame: pd.DataFrame, **kwargs):
    return build_schema(read_table(to_csv_bytes(frame), name="t.csv"), **kwargs)


def _birth(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Birth records: ``low`` is defined as a birth weight under 2500 g."""
    rng = np.random.default_rng(seed)
    age = rng.integers(16, 45, n)
    smoke = rng.choice(["yes", "no"], n)
    grams = rng.normal(3000, 600, n) - 250 * (smoke == "yes")
    return pd.DataFrame(
        {
            "age": age,
            "smoke": smoke,
            "mother_weight": rng.normal(60, 10, n).round(1),
            "BirthWeightGm": grams.round(),
            "BirthWeightOz": (grams / 28.35).round(1),
            "low": (grams < 2500).astype(int),
        }
    )


def test_a_threshold_on_a_numeric_column_is_a_leak():
    """Check that birth weight in grams and ounces leak 'low' (< 2500 g), with the figure."""
    frame = _birth()
    assert roc_auc_score(frame["low"], -frame["BirthWeightGm"]) == 1.0  # the known truth
    schema = _schema(frame, target="low")
    for column in ("BirthWeightGm", "BirthWeightOz"):
        profile = schema.column(column)
        assert profile.reason == "leakage", column
        assert profile.leak_metric == "auc" and profile.leak_score >= 0.99
        assert "AUC" in profile.reason_text and f"{profile.leak_score:.3f}" in profile.reason_text
    assert {"age", "smoke", "mother_weight"} <= set(schema.features)
    leak = next(f for f in schema.findings if f.code == "leakage")
    assert set(leak.columns) == {"BirthWeightGm", "BirthWeightOz"}


def test_a_strong_but_noisy_predictor_is_not_a_leak():
    """Check that a real predictor (alone AUC about 0.9 by construction) stays a feature."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=3000)
    y = (x + rng.normal(0, 0.6, 3000) > 0).astype(int)
    assert 0.85 < roc_auc_score(y, x) < 0.95
    schema = _schema(pd.DataFrame({"x": x, "other": rng.normal(size=3000), "label": y}))
    assert "x" in schema.features


def test_present_only_when_the_event_happened_is_a_leak():
    """Check that a column filled only for patients with the event leaks through missingness."""
    rng = np.random.default_rng(1)
    n = 800
    y = rng.integers(0, 2, n)
    icu_hours = np.where(y == 1, rng.gamma(2, 20, n).round(1), np.nan)
    frame = pd.DataFrame(
        {
            "age": rng.integers(20, 90, n),
            "icu_hours": icu_hours,
            "bp": rng.normal(120, 15, n).round(),
            "died": y,
        }
    )
    schema = _schema(frame)
    assert schema.target == "died"
    assert schema.column("icu_hours").reason == "leakage"


def test_a_category_that_copies_the_target_is_a_leak():
    """Check that a discharge code that copies a 3-class target leaks (macro AUC)."""
    rng = np.random.default_rng(2)
    n = 900
    y = rng.choice(["home", "ward", "icu"], n)
    code = pd.Series(y).map({"home": "D1", "ward": "D2", "icu": "D3"})
    frame = pd.DataFrame({"x": rng.normal(size=n), "code": code, "outcome": y})
    assert _schema(frame).column("code").reason == "leakage"


def test_a_regression_leak_is_found_by_r2():
    """Check that height in inches leaks height in centimetres (R² about 1 by construction)."""
    rng = np.random.default_rng(4)
    cm = rng.normal(170, 10, 700)
    frame = pd.DataFrame(
        {
            "weight": rng.normal(70, 10, 700),
            "inches": cm / 2.54 + rng.normal(0, 0.01, 700),
            "height_cm": cm,
        }
    )
    profile = _schema(frame, target="height_cm").column("inches")
    assert profile.reason == "leakage" and profile.leak_metric == "r2"
    assert profile.leak_score >= 0.98


@pytest.mark.parametrize(
    ("column", "target"),
    [
        ("futime", "death"),
        ("follow_up_days", "outcome"),
        ("cause_of_death", "death"),
        ("time_to_recurrence", "recurrence"),
        ("discharge_status", "readmitted"),
        ("time", "status"),
        ("Survival_in_days", "Status"),
        ("추적기간", "사망"),
        ("사망원인", "사망여부"),
    ],
)
def test_names_recorded_after_the_outcome_are_possible_leaks(column, target):
    """Check that follow-up time, cause of death and the like are left out by their names."""
    rng = np.random.default_rng(5)
    n = 300
    frame = pd.DataFrame(
        {
            "age": rng.integers(30, 90, n),
            column: rng.choice(["a", "b", "c"], n)
            if "원인" in column or "cause" in column or "status" in column
            else rng.integers(1, 4000, n),
            target: rng.integers(0, 2, n),
        }
    )
    schema = _schema(frame)
    assert schema.target == target
    assert schema.column(column).reason == "possible_leak"
    finding = next(f for f in schema.findings if f.code == "possible_leak")
    assert column in finding.columns


def test_a_bare_time_column_beside_a_measured_target_stays():
    """Check that 'time' is only follow-up time beside an event outcome, not beside a price."""
    rng = np.random.default_rng(6)
    frame = pd.DataFrame(
        {
            "time": rng.integers(0, 24, 400),
            "size": rng.normal(size=400),
            "price": rng.normal(100, 10, 400),
        }
    )
    assert "time" in _schema(frame, target="price").features


def test_two_columns_that_decide_the_label_are_questioned():
    """Check that a near-perfect model from a two-column rule gets a near_perfect_score warning.

    Neither column alone predicts the label (each alone has AUC about 0.5 by construction),
    so the leak audit cannot catch it; the held-out score must be questioned instead.
    """
    rng = np.random.default_rng(7)
    n = 2000
    a, b = rng.normal(size=n), rng.normal(size=n)
    y = ((a > 0) ^ (b > 0)).astype(int)
    assert abs(roc_auc_score(y, a) - 0.5) < 0.05 and abs(roc_auc_score(y, b) - 0.5) < 0.05
    frame = pd.DataFrame({"a": a, "b": b, "noise": rng.normal(size=n), "label": y})
    run = explain_file(to_csv_bytes(frame), name="xor.csv", rows=200)
    assert set(run.schema.features) == {"a", "b", "noise"}
    assert run.evaluation.metrics["auc"] >= 0.99
    warning = next(f for f in run.findings if f.code == "near_perfect_score")
    assert set(warning.columns[:2]) == {"a", "b"}


def test_an_honest_model_gets_no_score_warning():
    """Check that a model with a realistic score (AUC well below 0.99) is not questioned."""
    rng = np.random.default_rng(8)
    x = rng.normal(size=(1500, 3))
    y = (x[:, 0] + 0.5 * x[:, 1] + rng.normal(0, 1, 1500) > 0).astype(int)
    frame = pd.DataFrame({"x0": x[:, 0], "x1": x[:, 1], "x2": x[:, 2], "label": y})
    run = explain_file(to_csv_bytes(frame), name="honest.csv", rows=200)
    assert run.evaluation.metrics["auc"] < 0.95
    assert "near_perfect_score" not in {f.code for f in run.findings}


def test_a_dominant_feature_is_named():
    """Check that a feature carrying most of the total mean |SHAP| is a finding."""
    rng = np.random.default_rng(9)
    n = 1500
    x = rng.normal(size=n)
    y = 5 * x + rng.normal(0, 1.5, n) + 0.1 * rng.normal(size=n)
    frame = pd.DataFrame(
        {"main": x, "minor1": rng.normal(size=n), "minor2": rng.normal(size=n), "target": y}
    )
    run = explain_file(to_csv_bytes(frame), name="dominant.csv", rows=300)
    share = run.shap.ranking()[0][1] / sum(s for _, s in run.shap.ranking())
    assert share > 0.6
    finding = next(f for f in run.findings if f.code == "dominant_feature")
    assert finding.columns == ("main",)


def test_large_tables_are_checked_on_a_stated_sample():
    """Check that the single-feature audit runs on at most 10,000 labelled rows, and says so."""
    rng = np.random.default_rng(10)
    n = 25_000
    frame = pd.DataFrame({"x": rng.normal(size=n), "label": rng.integers(0, 2, n)})
    assert _schema(frame).leak_check_rows == 10_000
    assert _schema(frame.head(500)).leak_check_rows == 500


@pytest.mark.parametrize("seed", range(5))
def test_rank_auc_equals_scikit_learns_roc_auc(seed):
    """Check the leak audit's AUC against scikit-learn's roc_auc_score: binary scores with
    many ties, and the one-vs-rest macro average over three classes' probabilities."""
    from explainers._leakage import rank_auc

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 500)
    tied = np.round(rng.random(500) + 0.3 * y, 1)  # about 14 distinct values
    assert rank_auc(y == 1, tied) == pytest.approx(roc_auc_score(y, tied), abs=1e-12)
    classes = rng.integers(0, 3, 600)
    raw = rng.random((600, 3)) + 0.5 * np.eye(3)[classes]
    proba = raw / raw.sum(axis=1, keepdims=True)
    mine = np.mean([rank_auc(classes == k, proba[:, k]) for k in range(3)])
    theirs = roc_auc_score(classes, proba, multi_class="ovr", average="macro")
    assert mine == pytest.approx(theirs, abs=1e-12)
    with pytest.raises(ValueError, match="positive and negative"):
        rank_auc(np.ones(10, dtype=bool), rng.random(10))


def _near_threshold(task: str, n: int = 900, seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """Features from clean copies of the target to noisy ones: some leak, some just miss."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3 if task == "multiclass" else 2, n)
    if task == "regression":
        y = rng.normal(size=n)
    columns = {}
    for i, share in enumerate(np.linspace(0.0, 0.06, 25)):  # a share of rows scrambled
        values = (y if task == "regression" else y * 1.0) + rng.normal(0, 0.01, n)
        scrambled = rng.random(n) < share
        values[scrambled] = rng.permutation(values[scrambled])
        columns[f"f{i}"] = values
    columns["weak"] = rng.normal(size=n) + 0.3 * y
    columns["code"] = np.where(rng.random(n) < 0.02, "z", np.asarray(y).round(0).astype(str))
    frame = pd.DataFrame({**columns, "target": y})
    return frame, {c: c != "code" for c in columns}


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_stopping_early_finds_the_same_leaks_with_the_same_scores(task):
    """Check the fold-by-fold screen against scikit-learn scoring every feature on every
    fold (``cross_val_predict`` on the same folds, then ``roc_auc_score`` or ``r2_score``):
    each feature at or above the threshold gets the same score, each one left unscored is
    below it, and the screen does leave features unscored."""
    from sklearn.metrics import r2_score
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict

    from explainers._leakage import LEAK_AUC, LEAK_R2, _model, score_single_features

    frame, features = _near_threshold(task)
    classification = task != "regression"
    scores, rows = score_single_features(frame, "target", features, classification=classification)
    assert rows == len(frame)
    found = {s.column: s.score for s in scores}
    y = frame["target"].to_numpy()
    splitter = (StratifiedKFold if classification else KFold)(3, shuffle=True, random_state=0)
    folds = list(splitter.split(np.zeros((len(y), 1)), y))
    threshold = LEAK_AUC if classification else LEAK_R2
    full = {}
    for name, numeric in features.items():
        x = frame[[name]].to_numpy() if numeric else frame[[name]].astype(str).to_numpy()
        model = _model(numeric, classification, int(y.max()) + 1 if classification else 0, 0)
        method = "predict_proba" if classification else "predict"
        predicted = cross_val_predict(model, x, y, cv=folds, method=method)
        if task == "binary":
            full[name] = roc_auc_score(y, predicted[:, 1])
        elif task == "multiclass":
            full[name] = roc_auc_score(y, predicted, multi_class="ovr", average="macro")
        else:
            full[name] = r2_score(y, predicted)
    leaks = {name for name, score in full.items() if score >= threshold}
    misses = {name for name, score in full.items() if score < threshold}
    assert leaks and misses  # the table has both
    assert any(threshold - 0.01 < full[name] < threshold for name in misses)  # a near miss
    for name in leaks:
        assert found[name] == pytest.approx(full[name], abs=1e-12), name
    for name in set(features) - set(found):
        assert full[name] < threshold, name
    assert len(found) < len(features)  # the screen left features unscored


@pytest.mark.parametrize("kind", ["binary", "multiclass", "continuous"])
def test_the_category_encoder_is_seeded_without_deprecated_arguments(kind):
    """Check that the audit's target encoder raises no FutureWarning (scikit-learn 1.9
    deprecates ``random_state`` and removes it in 1.11) and, where scikit-learn still takes
    ``random_state``, encodes exactly as the encoder seeded that way."""
    import inspect
    import warnings

    from sklearn.preprocessing import TargetEncoder

    from explainers._leakage import _target_encoder

    rng = np.random.default_rng(4)
    y = (
        rng.normal(size=400)
        if kind == "continuous"
        else rng.integers(0, 3 - (kind == "binary"), 400)
    )
    x = rng.choice(list("abcdefgh"), size=(400, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mine = _target_encoder(kind, 7).fit_transform(x, y)
    if "random_state" in inspect.signature(TargetEncoder).parameters:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            seeded = TargetEncoder(target_type=kind, random_state=7).fit_transform(x, y)
        np.testing.assert_array_equal(mine, seeded)
