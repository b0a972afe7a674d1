"""Tests of the bundled samples: files, data dictionaries, generator, and ground truth."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency, spearmanr
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

import sample_data
from sample_data import (
    SAMPLE_IDS,
    ColumnInfo,
    SampleInfo,
    list_samples,
    load_sample_bytes,
    load_sample_frame,
    sample_info,
)
from sample_data import _generate as generate

SYNTHETIC = ("heart_disease", "triage", "heart_failure_survival")
CLASSIFICATION_SYNTHETIC = ("heart_disease", "triage")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
PACKAGE_DIR = Path(str(files("sample_data")))


def test_public_api_is_pinned() -> None:
    """Check that the package exports exactly the documented names, isort-style sorted."""
    assert sample_data.__all__ == [
        "SAMPLE_IDS",
        "ColumnInfo",
        "SampleInfo",
        "list_samples",
        "load_sample_bytes",
        "load_sample_frame",
        "sample_info",
    ]


def test_list_samples_follows_sample_ids() -> None:
    """Check that list_samples returns one SampleInfo per id, in SAMPLE_IDS order."""
    infos = list_samples()
    assert tuple(info.id for info in infos) == SAMPLE_IDS
    assert all(isinstance(info, SampleInfo) for info in infos)


@pytest.mark.parametrize("loader", [sample_info, load_sample_bytes, load_sample_frame])
def test_unknown_sample_id_is_rejected(loader: Callable[[str], object]) -> None:
    """Check that an unknown id raises ValueError naming the valid ids."""
    with pytest.raises(ValueError, match=r"Unknown sample 'nope'.*breast_cancer, diabetes"):
        loader("nope")


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_json_matches_sample_info_fields(sample_id: str) -> None:
    """Check that each metadata JSON holds exactly the SampleInfo fields and its own id."""
    raw = json.loads((PACKAGE_DIR / f"{sample_id}.json").read_text(encoding="utf-8"))
    assert set(raw) == {field.name for field in dataclasses.fields(SampleInfo)}
    assert raw["id"] == sample_id


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_sample_loads_with_declared_shape_task_and_target(sample_id: str) -> None:
    """Check that each sample loads with its declared shape, target and task."""
    info = sample_info(sample_id)
    frame = load_sample_frame(sample_id)
    assert frame.shape == (info.n_rows, info.n_columns)
    assert frame.columns[-1] == info.target
    target = frame[info.target]
    assert target.notna().all()
    assert (info.time is not None) is (info.task == "survival")
    if info.task == "regression":
        assert pd.api.types.is_numeric_dtype(target)
        assert info.classes == ()
    elif info.task == "survival":  # event 0/1 last, its follow-up time just before it
        assert frame.columns[-2] == info.time
        assert sorted(target.astype(str).unique()) == list(info.classes) == ["0", "1"]
    else:
        assert sorted(target.unique()) == sorted(info.classes)
        assert len(info.classes) == (2 if info.task == "binary" else 3)


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_csv_is_plain_utf8_with_empty_missing_cells(sample_id: str) -> None:
    """Check that each CSV is UTF-8, comma separated, LF-terminated, with no NA words."""
    text = load_sample_bytes(sample_id).decode("utf-8")
    assert "\r" not in text and ";" not in text and "\t" not in text
    assert text.endswith("\n")
    assert not re.search(r"(^|,)(nan|NaN|NA|None|null)(,|$)", text, flags=re.MULTILINE)


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_dictionary_covers_every_column_in_both_languages(sample_id: str) -> None:
    """Check that the data dictionary lists every column, in order, in English and Korean."""
    info = sample_info(sample_id)
    frame = load_sample_frame(sample_id)
    assert list(info.columns) == list(frame.columns)
    for name, column in info.columns.items():
        assert isinstance(column, ColumnInfo)
        assert set(column.description) == {"en", "ko"}, name
        assert column.description["en"].strip(), name
        assert HANGUL.search(column.description["ko"]), name
        assert column.unit is None or column.unit.strip(), name
    for text in (info.title, info.description):
        assert set(text) == {"en", "ko"}
        assert HANGUL.search(text["ko"])


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_role_columns_exist_and_do_not_overlap(sample_id: str) -> None:
    """Check that role columns exist, exclude the target and follow-up time, and are disjoint."""
    info = sample_info(sample_id)
    groups = [
        info.true_drivers,
        info.weak_drivers,
        info.noise_columns,
        info.id_columns,
        info.leak_columns,
    ]
    listed = [name for group in groups for name in group]
    assert len(listed) == len(set(listed))
    assert set(listed) <= set(info.columns) - {info.target, info.time}


@pytest.mark.parametrize("sample_id", SAMPLE_IDS)
def test_synthetic_samples_are_flagged(sample_id: str) -> None:
    """Check that synthetic samples say so in metadata and titles, and real ones do not."""
    info = sample_info(sample_id)
    raw = json.loads((PACKAGE_DIR / f"{sample_id}.json").read_text(encoding="utf-8"))
    assert raw["synthetic"] is (sample_id in SYNTHETIC)
    if info.synthetic:
        assert info.title["en"].endswith("(synthetic)")
        assert info.title["ko"].endswith("(합성)")
        assert info.true_drivers and info.noise_columns and info.formula
    else:
        assert "synthetic" not in info.title["en"].lower()
        assert info.true_drivers == info.weak_drivers == info.noise_columns == ()
        assert info.formula is None


def test_readme_has_a_datasheet_per_sample() -> None:
    """Check that the README has a section per sample naming its licence and row count."""
    readme = (PACKAGE_DIR / "README.md").read_text(encoding="utf-8")
    for info in list_samples():
        assert f"`{info.id}`" in readme
        assert info.title["en"] in readme
        assert f"{info.n_rows:,}" in readme
        assert info.licence in readme


def test_generator_reproduces_committed_csvs(tmp_path: Path) -> None:
    """Check that running the generator script again reproduces every CSV byte for byte."""
    script = PACKAGE_DIR / "_generate.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True)  # noqa: S603 - fixed arguments, no shell
    for sample_id in SAMPLE_IDS:
        assert (tmp_path / f"{sample_id}.csv").read_bytes() == load_sample_bytes(sample_id)


def test_breast_cancer_matches_scikit_learn() -> None:
    """Check that breast_cancer holds scikit-learn's exact values and class names."""
    bunch = load_breast_cancer(as_frame=True)
    frame = load_sample_frame("breast_cancer")
    np.testing.assert_array_equal(frame[bunch.feature_names].to_numpy(), bunch.data.to_numpy())
    expected = np.where(bunch.target.to_numpy() == 0, "malignant", "benign")
    np.testing.assert_array_equal(frame["diagnosis"].to_numpy(dtype=object), expected)


def test_diabetes_matches_scikit_learn_in_raw_units() -> None:
    """Check that diabetes holds scikit-learn's unscaled values under the readable names."""
    source = load_diabetes(scaled=False, as_frame=True).frame
    frame = load_sample_frame("diabetes")
    names = ["age", "sex", "bmi", "bp", "tc", "ldl", "hdl", "tch", "ltg", "glu", "progression"]
    assert list(frame.columns) == names
    np.testing.assert_array_equal(frame.to_numpy(dtype=float), source.to_numpy(dtype=float))
    assert set(frame["sex"]) == {1, 2}


def test_heart_disease_leak_column_almost_equals_target() -> None:
    """Check that the leak column agrees with the target in at least 99% but not all rows."""
    frame = load_sample_frame("heart_disease")
    agreement = (frame["followup_cardiology_referral"] == frame["heart_disease"]).mean()
    assert 0.99 <= agreement < 1.0


def test_heart_disease_ids_prevalence_and_missingness() -> None:
    """Check that patient_id is unique, prevalence is 30-40% and missing cells are as documented."""
    frame = load_sample_frame("heart_disease")
    assert frame["patient_id"].is_unique
    assert frame["patient_id"].str.fullmatch(r"P\d{6}").all()
    assert 0.30 <= (frame["heart_disease"] == "yes").mean() <= 0.40
    missing = frame.isna().mean()
    assert missing["cholesterol"] == pytest.approx(0.05)
    assert missing["bmi"] == pytest.approx(0.03)
    assert set(missing[missing > 0].index) == {"cholesterol", "bmi"}
    assert frame["age"].between(30, 85).all()


def test_triage_levels_and_missingness() -> None:
    """Check that triage has all three levels in plausible shares and the documented gaps."""
    frame = load_sample_frame("triage")
    shares = frame["triage_level"].value_counts(normalize=True)
    assert set(shares.index) == {"low", "medium", "high"}
    assert shares.min() > 0.1
    missing = frame.isna().mean()
    assert set(missing[missing > 0].index) == {"pain_score", "temperature", "systolic_bp"}


@pytest.mark.parametrize("sample_id", SYNTHETIC)
def test_noise_columns_are_unrelated_to_target(sample_id: str) -> None:
    """Check that every noise column shows no association with the target."""
    info = sample_info(sample_id)
    frame = load_sample_frame(sample_id)
    target = frame[info.target]
    for name in info.noise_columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column):
            codes = target.astype(str).map({label: i for i, label in enumerate(info.classes)})
            rho, p_value = spearmanr(column, codes)
            assert abs(rho) < 0.05 and p_value > 0.01, name
        else:
            table = pd.crosstab(column, target)
            chi2, p_value, _, _ = chi2_contingency(table)
            cramers_v = np.sqrt(chi2 / (table.to_numpy().sum() * (min(table.shape) - 1)))
            assert cramers_v < 0.05 and p_value > 0.01, name


def _formula_numbers(formula: str) -> set[float]:
    return {float(number) for number in re.findall(r"\d+(?:\.\d+)?", formula)}


def test_documented_formulas_match_generator_constants() -> None:
    """Check that the one-line formulas in the metadata use the generator's constants."""
    heart = _formula_numbers(sample_info("heart_disease").formula or "")
    expected = {abs(generate.HEART_INTERCEPT)}
    expected |= {abs(value) for value in generate.HEART_COEFFICIENTS.values()}
    assert expected | set(generate.HEART_CENTRES.values()) <= heart
    triage = _formula_numbers(sample_info("triage").formula or "")
    expected = {abs(value) for value in generate.TRIAGE_COEFFICIENTS.values()}
    expected |= {generate.TRIAGE_NOISE_SD, *generate.TRIAGE_THRESHOLDS}
    assert expected | set(generate.TRIAGE_CENTRES.values()) - {0.0} <= triage


def test_heart_disease_logistic_fit_recovers_documented_coefficients() -> None:
    """Check that a logistic regression on complete rows recovers the documented coefficients."""
    frame = load_sample_frame("heart_disease").dropna()
    design = pd.DataFrame(
        {
            "age": frame["age"] - 55,
            "st_depression": frame["st_depression"],
            "exercise_angina=yes": frame["exercise_angina"] == "yes",
            "chest_pain_type=asymptomatic": frame["chest_pain_type"] == "asymptomatic",
            "max_heart_rate": frame["max_heart_rate"] - 150,
            "fasting_glucose": frame["fasting_glucose"] - 100,
            "cholesterol": frame["cholesterol"] - 200,
            "smoker=current": frame["smoker"] == "current",
            "smoker=former": frame["smoker"] == "former",
        }
    ).astype(float)
    model = LogisticRegression(C=1e6, max_iter=5000).fit(design, frame["heart_disease"] == "yes")
    fitted = dict(zip(design.columns, model.coef_[0], strict=True))
    for name, true_value in generate.HEART_COEFFICIENTS.items():
        assert fitted[name] == pytest.approx(true_value, rel=0.6), name
    for name in ("age", "st_depression", "exercise_angina=yes", "chest_pain_type=asymptomatic"):
        assert fitted[name] == pytest.approx(generate.HEART_COEFFICIENTS[name], rel=0.2), name
    assert model.intercept_[0] == pytest.approx(generate.HEART_INTERCEPT, abs=0.4)


@pytest.mark.parametrize("sample_id", CLASSIFICATION_SYNTHETIC)  # survival: its own file
def test_documented_drivers_outrank_noise_in_an_independent_model(sample_id: str) -> None:
    """Check that sklearn permutation importance ranks the documented drivers on top."""
    info = sample_info(sample_id)
    frame = load_sample_frame(sample_id)
    X = frame.drop(columns=[info.target, *info.id_columns, *info.leak_columns])
    y = frame[info.target]
    categorical = list(X.select_dtypes(exclude="number").columns)
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    model = make_pipeline(
        ColumnTransformer([("cat", encoder, categorical)], remainder="passthrough"),
        HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.05, max_depth=3, random_state=0
        ),
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    model.fit(X_train, y_train)
    result = permutation_importance(
        model, X_test, y_test, scoring="neg_log_loss", n_repeats=5, random_state=0
    )
    importance = pd.Series(result.importances_mean, index=X.columns).sort_values(ascending=False)
    top = tuple(importance.index[: len(info.true_drivers)])
    assert set(top) == set(info.true_drivers)
    assert top[0] == info.true_drivers[0]
    weakest_driver = importance[list(info.true_drivers)].min()
    assert weakest_driver > 5 * max(importance[list(info.noise_columns)].max(), 0.001)
