"""Write the five bundled sample CSVs; running it again reproduces them byte for byte.

Usage: ``python sample_data/_generate.py [--out DIR]`` (default: this folder).

``breast_cancer`` and ``diabetes`` are exported from scikit-learn's bundled copies with
their exact values. ``heart_disease``, ``triage`` and ``heart_failure_survival`` are
synthetic, drawn with NumPy's
``default_rng`` (PCG64) from fixed seeds. Every quantity below is computed from the values
*as written to the CSV* (after rounding), before missing cells are blanked out, so the
formulas hold exactly for the complete rows of the file.

heart_disease (seed 20240917, 5,000 rows, binary)
-------------------------------------------------
::

    z = -2.65
        + 0.105 * (age - 55)
        + 1.000 * st_depression
        + 1.400 * [exercise_angina = "yes"]
        + 1.200 * [chest_pain_type = "asymptomatic"]
        - 0.030 * (max_heart_rate - 150)
        + 0.020 * (fasting_glucose - 100)
        + 0.005 * (cholesterol - 200)
        + 0.400 * [smoker = "current"] + 0.200 * [smoker = "former"]
    P(heart_disease = "yes") = 1 / (1 + exp(-z))

Strong drivers, strongest first: age, st_depression, exercise_angina,
chest_pain_type (asymptomatic), max_heart_rate (negative), fasting_glucose. Weak:
cholesterol, smoker. No effect at all: sex, resting_bp (correlated with age), bmi
(correlated with fasting_glucose), and the pure-noise columns zip_region and
visit_weekday, drawn independently of everything. ``followup_cardiology_referral``
copies the target and is flipped in exactly 25 rows (0.5%): it is recorded after the
diagnosis and leaks it. ``patient_id`` is "P000001".."P005000". Missing completely at
random: cholesterol in 5% of rows, bmi in 3%.

triage (seed 20240918, 3,000 rows, multiclass with ordered levels)
------------------------------------------------------------------
::

    severity = 0.60 * (98 - spo2)
             + 0.27 * (resp_rate - 16)
             + 1.50 * [arrival_mode = "ambulance"]
             + 0.035 * (heart_rate - 80)
             + 0.16 * pain_score
             + 0.35 * (temperature - 37)
             + 0.012 * (age - 50)
             + 0.06 * max(0, 100 - systolic_bp)
             + e,   e ~ Normal(0, 0.5)
    triage_level = "low" if severity < 1.5, "medium" if severity < 3.5, else "high"

Strong drivers, strongest first: spo2 (negative), resp_rate, arrival_mode (ambulance),
heart_rate, pain_score. Weak: temperature, age, systolic_bp (only below 100 mmHg).
chief_complaint has no direct effect but shifts the vital signs it would shift in life.
``registration_minute`` is pure noise. Missing completely at random: pain_score 6%,
temperature 4%, systolic_bp 3%.

heart_failure_survival (seed 20240919, 3,000 rows, survival)
------------------------------------------------------------
A Cox proportional-hazards model with a Weibull baseline (``[x]`` is 1 when x holds)::

    eta = - 0.050 * (ejection_fraction - 40)
          + 1.000 * ln(serum_creatinine)
          + 0.030 * (age - 65)
          + 0.300 * [nyha_class = "II"] + 0.700 * [nyha_class = "III"]
          + 1.200 * [nyha_class = "IV"]
          - 0.500 * [treatment = "active"]
          - 0.008 * (systolic_bp - 130)
          + 0.250 * [diabetes = "yes"]
          + 0.300 * [smoking = "current"] + 0.100 * [smoking = "former"]
          + 0.150 * [sex = "male"]
    hazard(t | x) = h0(t) * exp(eta),  h0(t) = (k / s) * (t / s) ** (k - 1),
    k = 0.9 (shape), s = 7000 days (scale)

so the event time is ``s * (E * exp(-eta)) ** (1 / k)`` with ``E ~ Exponential(1)``.
Censoring: enrolment uniform over the first 1,096 days of a study that ends on day 1,826
(administrative censoring after 731 to 1,826 days), and drop-out at an
Exponential(mean 6,000 days) time. ``follow_up_days`` is the earliest of the three,
rounded up to whole days (at least 1); ``death`` is 1 when the death came first.

Strong and medium drivers, strongest first: ejection_fraction (negative), nyha_class,
serum_creatinine, age, treatment (protective). Weak: systolic_bp (negative),
diabetes, smoking, sex. ``platelets`` and ``blood_type`` are pure noise.
``patient_id`` is "HF00001".."HF03000". Missing completely at random:
ejection_fraction in 3% of rows, systolic_bp in 4%.
"""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sample_data._draw import _blank, _decimals, _ints
from sample_data._generate_survival import make_heart_failure_survival

HEART_SEED = 20240917
TRIAGE_SEED = 20240918
HEART_ROWS = 5000
TRIAGE_ROWS = 3000

HEART_INTERCEPT = -2.65
HEART_COEFFICIENTS: dict[str, float] = {
    "age": 0.105,
    "st_depression": 1.000,
    "exercise_angina=yes": 1.400,
    "chest_pain_type=asymptomatic": 1.200,
    "max_heart_rate": -0.030,
    "fasting_glucose": 0.020,
    "cholesterol": 0.005,
    "smoker=current": 0.400,
    "smoker=former": 0.200,
}
HEART_CENTRES: dict[str, float] = {
    "age": 55.0,
    "max_heart_rate": 150.0,
    "fasting_glucose": 100.0,
    "cholesterol": 200.0,
}
HEART_LEAK_FLIPS = 25

TRIAGE_COEFFICIENTS: dict[str, float] = {
    "spo2": -0.60,
    "resp_rate": 0.27,
    "arrival_mode=ambulance": 1.50,
    "heart_rate": 0.035,
    "pain_score": 0.16,
    "temperature": 0.35,
    "age": 0.012,
    "systolic_bp<100": 0.06,
}
TRIAGE_CENTRES: dict[str, float] = {
    "spo2": 98.0,
    "resp_rate": 16.0,
    "heart_rate": 80.0,
    "pain_score": 0.0,
    "temperature": 37.0,
    "age": 50.0,
}
TRIAGE_NOISE_SD = 0.5
TRIAGE_THRESHOLDS = (1.5, 3.5)
TRIAGE_LEVELS = ("low", "medium", "high")

DIABETES_NAMES = {
    "s1": "tc",
    "s2": "ldl",
    "s3": "hdl",
    "s4": "tch",
    "s5": "ltg",
    "s6": "glu",
    "target": "progression",
}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def heart_disease_logit(frame: pd.DataFrame) -> np.ndarray:
    """Return the documented logit ``z`` of ``heart_disease`` for complete rows of ``frame``."""
    c, m = HEART_COEFFICIENTS, HEART_CENTRES
    logit = (
        HEART_INTERCEPT
        + c["age"] * (frame["age"] - m["age"])
        + c["st_depression"] * frame["st_depression"]
        + c["exercise_angina=yes"] * (frame["exercise_angina"] == "yes")
        + c["chest_pain_type=asymptomatic"] * (frame["chest_pain_type"] == "asymptomatic")
        + c["max_heart_rate"] * (frame["max_heart_rate"] - m["max_heart_rate"])
        + c["fasting_glucose"] * (frame["fasting_glucose"] - m["fasting_glucose"])
        + c["cholesterol"] * (frame["cholesterol"] - m["cholesterol"])
        + c["smoker=current"] * (frame["smoker"] == "current")
        + c["smoker=former"] * (frame["smoker"] == "former")
    )
    return np.asarray(logit, dtype=np.float64)


def triage_severity(frame: pd.DataFrame) -> np.ndarray:
    """Return the documented severity score of complete rows of ``frame``, without noise."""
    c, m = TRIAGE_COEFFICIENTS, TRIAGE_CENTRES
    score = c["arrival_mode=ambulance"] * (frame["arrival_mode"] == "ambulance")
    for name in ("spo2", "resp_rate", "heart_rate", "pain_score", "temperature", "age"):
        score = score + c[name] * (frame[name] - m[name])
    score = score + c["systolic_bp<100"] * np.maximum(0.0, 100.0 - frame["systolic_bp"])
    return np.asarray(score, dtype=np.float64)


def make_heart_disease() -> pd.DataFrame:
    """Return the synthetic heart-disease table (see the module docstring)."""
    rng = np.random.default_rng(HEART_SEED)
    n = HEART_ROWS
    age = _ints(rng.normal(56.0, 11.0, n), 30, 85)
    sex = rng.choice(["female", "male"], size=n, p=[0.48, 0.52])
    chest_pain = rng.choice(
        ["typical", "atypical", "non-anginal", "asymptomatic"], size=n, p=[0.2, 0.25, 0.25, 0.3]
    )
    resting_bp = _ints(100.0 + 0.45 * age + rng.normal(0.0, 14.0, n), 85, 210)
    cholesterol = _ints(rng.normal(205.0, 40.0, n), 110, 420)
    bmi = _decimals(rng.normal(27.0, 4.5, n), 16.0, 50.0, 1)
    glucose = _ints(62.0 + 1.4 * bmi + rng.normal(0.0, 20.0, n), 60, 300)
    max_hr = _ints(208.0 - 0.75 * age + rng.normal(0.0, 15.0, n), 70, 205)
    angina = rng.choice(["no", "yes"], size=n, p=[0.7, 0.3])
    st_depression = _decimals(rng.gamma(1.2, 0.9, n), 0.0, 6.2, 1)
    smoker = rng.choice(["never", "former", "current"], size=n, p=[0.5, 0.3, 0.2])
    zip_region = rng.choice(["north", "south", "east", "west", "central"], size=n)
    weekday = rng.choice(
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        size=n,
        p=[0.18, 0.17, 0.17, 0.17, 0.16, 0.09, 0.06],
    )
    frame = pd.DataFrame(
        {
            "patient_id": [f"P{i:06d}" for i in range(1, n + 1)],
            "age": age,
            "sex": sex,
            "chest_pain_type": chest_pain,
            "resting_bp": resting_bp,
            "cholesterol": cholesterol,
            "fasting_glucose": glucose,
            "max_heart_rate": max_hr,
            "exercise_angina": angina,
            "st_depression": st_depression,
            "smoker": smoker,
            "bmi": bmi,
            "zip_region": zip_region,
            "visit_weekday": weekday,
        }
    )
    disease = rng.random(n) < _sigmoid(heart_disease_logit(frame))
    referral = disease.copy()
    flipped = rng.choice(n, size=HEART_LEAK_FLIPS, replace=False)
    referral[flipped] = ~referral[flipped]
    frame["cholesterol"] = _blank(rng, cholesterol, 0.05)
    frame["bmi"] = _blank(rng, bmi, 0.03)
    frame["followup_cardiology_referral"] = np.where(referral, "yes", "no")
    frame["heart_disease"] = np.where(disease, "yes", "no")
    return frame


def make_triage() -> pd.DataFrame:
    """Return the synthetic emergency-triage table (see the module docstring)."""
    rng = np.random.default_rng(TRIAGE_SEED)
    n = TRIAGE_ROWS
    complaints = ["chest pain", "shortness of breath", "abdominal pain", "injury", "fever"]
    complaint = rng.choice(complaints, size=n, p=[0.18, 0.17, 0.22, 0.25, 0.18])
    is_ = {name: (complaint == name).astype(np.float64) for name in complaints}
    age = _ints(18.0 + 77.0 * rng.beta(2.0, 2.2, n), 18, 95)
    arrival = rng.choice(["walk-in", "ambulance", "referral"], size=n, p=[0.6, 0.25, 0.15])
    ambulance = (arrival == "ambulance").astype(np.float64)
    heart_rate_mean = 78.0 + 10.0 * is_["chest pain"] + 9.0 * is_["fever"] + 6.0 * ambulance
    heart_rate = _ints(heart_rate_mean + rng.normal(0.0, 15.0, n), 40, 180)
    resp_rate = _ints(
        15.0 + 5.0 * is_["shortness of breath"] + 1.5 * ambulance + rng.gamma(2.0, 1.5, n) - 2.0,
        8,
        44,
    )
    spo2 = _ints(100.0 - 3.0 * is_["shortness of breath"] - rng.gamma(1.5, 1.4, n), 70, 100)
    temperature = _decimals(36.8 + 1.3 * is_["fever"] + rng.normal(0.0, 0.45, n), 34.5, 41.5, 1)
    systolic_bp = _ints(128.0 + 0.2 * (age - 50) + rng.normal(0.0, 20.0, n), 60, 230)
    pain_mean = 3.0 + 2.5 * is_["chest pain"] + 3.0 * is_["injury"] + 2.5 * is_["abdominal pain"]
    pain_score = _ints(pain_mean + rng.normal(0.0, 2.0, n), 0, 10)
    registration_minute = rng.integers(0, 60, size=n)
    frame = pd.DataFrame(
        {
            "age": age,
            "arrival_mode": arrival,
            "chief_complaint": complaint,
            "heart_rate": heart_rate,
            "resp_rate": resp_rate,
            "spo2": spo2,
            "temperature": temperature,
            "systolic_bp": systolic_bp,
            "pain_score": pain_score,
            "registration_minute": registration_minute,
        }
    )
    severity = triage_severity(frame) + rng.normal(0.0, TRIAGE_NOISE_SD, n)
    level = np.searchsorted(np.asarray(TRIAGE_THRESHOLDS), severity, side="right")
    frame["pain_score"] = _blank(rng, pain_score, 0.06)
    frame["temperature"] = _blank(rng, temperature, 0.04)
    frame["systolic_bp"] = _blank(rng, systolic_bp, 0.03)
    frame["triage_level"] = np.asarray(TRIAGE_LEVELS)[level]
    return frame


def make_breast_cancer() -> pd.DataFrame:
    """Return scikit-learn's Wisconsin diagnostic data with a string ``diagnosis`` target."""
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    frame = bunch.data.copy()
    frame["diagnosis"] = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
    return frame


def make_diabetes() -> pd.DataFrame:
    """Return scikit-learn's raw-unit diabetes data with readable column names."""
    from sklearn.datasets import load_diabetes

    return load_diabetes(scaled=False, as_frame=True).frame.rename(columns=DIABETES_NAMES)


def _shortest(value: float) -> str:
    """Format a float with the fewest digits that read back exactly; drop a trailing ``.0``."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _column_formatter(series: pd.Series, digits: int | None) -> Callable[[Any], str]:
    if not pd.api.types.is_numeric_dtype(series):
        return str
    if pd.api.types.is_integer_dtype(series):
        return lambda v: str(int(v))
    if digits is None:
        return _shortest
    return lambda v: f"{v:.{digits}f}"


def to_csv_bytes(frame: pd.DataFrame, digits: dict[str, int] | None = None) -> bytes:
    """Return ``frame`` as UTF-8 CSV: commas, ``.`` decimals, ``\\n`` line ends, blank = missing.

    Float columns named in ``digits`` get that many decimals; others the shortest exact form.
    """
    digits = digits or {}
    formatters = [_column_formatter(frame[c], digits.get(c)) for c in frame.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow("" if pd.isna(v) else f(v) for f, v in zip(formatters, row, strict=True))
    return buffer.getvalue().encode("utf-8")


def build_csvs() -> dict[str, bytes]:
    """Return the CSV bytes of every bundled sample, keyed by sample id."""
    return {
        "breast_cancer": to_csv_bytes(make_breast_cancer()),
        "diabetes": to_csv_bytes(make_diabetes()),
        "heart_disease": to_csv_bytes(
            make_heart_disease(), {"cholesterol": 0, "bmi": 1, "st_depression": 1}
        ),
        "triage": to_csv_bytes(
            make_triage(), {"pain_score": 0, "temperature": 1, "systolic_bp": 0}
        ),
        "heart_failure_survival": to_csv_bytes(
            make_heart_failure_survival(),
            {"ejection_fraction": 0, "serum_creatinine": 2, "systolic_bp": 0},
        ),
    }


def write_csvs(out_dir: Path) -> list[Path]:
    """Write ``<id>.csv`` for every bundled sample into ``out_dir``; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for sample_id, payload in build_csvs().items():
        path = out_dir / f"{sample_id}.csv"
        path.write_bytes(payload)
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: write the CSVs and print where they went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    for path in write_csvs(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
