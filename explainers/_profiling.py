"""Column profiling: what kind each column is and whether it may be a feature.

The profiler never reads cell values into messages. Each excluded column gets
a reason code (for translation) and an English sentence a user can read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from ._errors import DataError

Kind = Literal["numeric", "categorical", "boolean", "datetime", "text", "identifier"]
Role = Literal["feature", "excluded", "target"]
Reason = Literal[
    "identifier",
    "constant",
    "free_text",
    "datetime",
    "leakage",
    "personal",
    "high_cardinality",
    "all_missing",
    "user",
    "not_in_model",
]

REASON_TEXT: dict[str, str] = {
    "identifier": "excluded: unique per row, looks like an identifier",
    "constant": "excluded: has a single value, so it cannot explain anything",
    "free_text": "excluded: free text, not a category or a number",
    "datetime": "excluded: a date or time; derive features such as month or age from it first",
    "leakage": "excluded: maps almost one-to-one onto the target, so it likely leaks the answer",
    "personal": (
        "excluded: looks like a person identifier (name, e-mail, phone, ID or record number)"
    ),
    "high_cardinality": "excluded: too many distinct text values to use as a category",
    "all_missing": "excluded: every value is missing",
    "user": "excluded by you",
    "not_in_model": "excluded: the uploaded model does not use it",
}

MAX_CATEGORIES = 200
_PERSONAL_NAME = re.compile(
    r"(^|[_\s-])(first|last|full|patient|given|family|sur)?[_\s-]?name($|[_\s-])|e-?mail|phone|"
    r"mobile|telephone|^tel$|ssn|social.?security|rrn|resident.?reg|^mrn$|medical.?record|"
    r"address|이름|성명|환자명|전화|휴대폰|주민|등록번호|이메일|주소|환자번호",
    re.IGNORECASE,
)
_ID_NAME = re.compile(r"(^|[_\s-])(id|identifier|key|uuid|guid|index|no|number)$|^id[_\s-]|번호$",
                      re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[\d\s().-]{9,18}$")
_RRN = re.compile(r"^\d{6}-?[1-8]\d{6}$")
_BOOL_WORDS = {"true", "false", "yes", "no", "y", "n", "t", "f", "예", "아니오"}


@dataclass(frozen=True)
class ColumnProfile:
    """What the profiler found out about one column."""

    name: str
    display_name: str
    kind: Kind
    role: Role
    reason: Reason | None
    n_missing: int
    n_unique: int
    n_rows: int

    @property
    def missing_fraction(self) -> float:
        """Share of missing cells, 0..1."""
        return self.n_missing / self.n_rows if self.n_rows else 0.0

    @property
    def reason_text(self) -> str | None:
        """English sentence for the exclusion reason, or None for features."""
        return REASON_TEXT[self.reason] if self.reason else None


def _non_null_strings(series: pd.Series, limit: int = 2000) -> pd.Series:
    values = series.dropna()
    if len(values) > limit:
        values = values.sample(limit, random_state=0)
    return values.astype(str)


def _looks_boolean(series: pd.Series, n_unique: int) -> bool:
    if pd.api.types.is_bool_dtype(series):
        return True
    if n_unique != 2:
        return False
    if pd.api.types.is_numeric_dtype(series):
        return set(pd.unique(series.dropna())) <= {0, 1}
    return {str(v).strip().lower() for v in pd.unique(series.dropna())} <= _BOOL_WORDS


def _looks_datetime(series: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(series):
        return True
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return False
    sample = _non_null_strings(series, 200)
    if sample.empty or not sample.str.contains(r"\d{1,4}[-/.:]\d{1,2}", regex=True).mean() > 0.9:
        return False
    parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() > 0.9)


def _looks_personal(name: str, series: pd.Series) -> bool:
    if _PERSONAL_NAME.search(name):
        return True
    if pd.api.types.is_numeric_dtype(series):
        return False
    sample = _non_null_strings(series, 300).str.strip()
    if sample.empty:
        return False
    for pattern in (_EMAIL, _RRN):
        if sample.str.match(pattern).mean() > 0.5:
            return True
    phone_like = sample.str.match(_PHONE) & (sample.str.count(r"\d") >= 9)
    return bool(phone_like.mean() > 0.5 and sample.str.contains(r"[-\s()+]").mean() > 0.5)


def _looks_identifier(name: str, series: pd.Series, n_unique: int, n_rows: int) -> bool:
    non_null = int(series.notna().sum())
    if non_null < 10 or n_unique < 0.98 * non_null:
        return False
    if pd.api.types.is_float_dtype(series):
        values = series.dropna().to_numpy()
        return bool(np.all(values == np.round(values)) and _ID_NAME.search(name) is not None)
    if pd.api.types.is_integer_dtype(series):
        if _ID_NAME.search(name):
            return True
        steps = np.diff(np.sort(series.dropna().to_numpy()))
        return bool(steps.size and np.mean(steps == 1) > 0.9)
    return True


def _looks_free_text(series: pd.Series, n_unique: int) -> bool:
    sample = _non_null_strings(series, 500)
    if sample.empty:
        return False
    mean_words = sample.str.split().str.len().mean()
    return bool(n_unique > 20 and mean_words >= 3 and sample.str.len().mean() > 20)


def _classify(name: str, display: str, series: pd.Series, n_rows: int) -> ColumnProfile:
    n_missing = int(series.isna().sum())
    n_unique = int(series.nunique(dropna=True))

    def make(kind: Kind, reason: Reason | None) -> ColumnProfile:
        role: Role = "excluded" if reason else "feature"
        return ColumnProfile(name, display, kind, role, reason, n_missing, n_unique, n_rows)

    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if n_unique == 0:
        return make("numeric" if numeric else "categorical", "all_missing")
    if _looks_personal(display, series):
        kind: Kind = "identifier" if n_unique > 0.9 * (n_rows - n_missing) else "text"
        return make(kind, "personal")
    if n_unique == 1:
        return make("numeric" if numeric else "categorical", "constant")
    if _looks_boolean(series, n_unique):
        return make("boolean", None)
    if _looks_datetime(series):
        return make("datetime", "datetime")
    if _looks_identifier(display, series, n_unique, n_rows):
        if not numeric and _looks_free_text(series, n_unique):
            return make("text", "free_text")
        return make("identifier", "identifier")
    if numeric:
        return make("numeric", None)
    if _looks_free_text(series, n_unique):
        return make("text", "free_text")
    if n_unique > MAX_CATEGORIES:
        return make("categorical", "high_cardinality")
    return make("categorical", None)


def _single_feature_fit(feature: pd.Series, target: pd.Series, classification: bool) -> float:
    """Return how well ``feature`` alone predicts ``target``, 0..1 (purity or eta squared)."""
    if pd.api.types.is_numeric_dtype(feature) and feature.nunique() > 20:
        groups = pd.qcut(feature, 20, labels=False, duplicates="drop")
    else:
        groups = feature.astype("object")
    groups = groups.astype("object").where(groups.notna(), "__missing__")
    if classification:
        table = pd.crosstab(groups, target.astype(str))
        return float(table.max(axis=1).sum() / table.to_numpy().sum())
    y = pd.to_numeric(target, errors="coerce").astype(float)
    total = float(((y - y.mean()) ** 2).sum())
    if total == 0:
        return 0.0
    means = y.groupby(groups).transform("mean")
    return float(1 - ((y - means) ** 2).sum() / total)


def detect_leakage(
    frame: pd.DataFrame, target: str, features: list[str], *, classification: bool
) -> list[str]:
    """Return the features that map almost one-to-one onto the target.

    A column leaks when on its own (binned into at most 20 groups) it predicts
    the target with purity (classification) or eta squared (regression) of at
    least 0.98, and closes at least 90% of the gap left by the majority class.
    """
    y = frame[target]
    baseline = float(y.astype(str).value_counts(normalize=True).iloc[0]) if classification else 0.0
    leaking = []
    for name in features:
        feature = frame[name]
        if feature.nunique() > MAX_CATEGORIES and not pd.api.types.is_numeric_dtype(feature):
            continue
        fit = _single_feature_fit(feature, y, classification)
        if fit >= 0.98 and (fit - baseline) >= 0.9 * (1 - baseline):
            leaking.append(name)
    return leaking


def profile_columns(frame: pd.DataFrame, display_names: dict[str, str]) -> list[ColumnProfile]:
    """Profile every column of ``frame`` without any target in mind."""
    n_rows = len(frame)
    return [
        _classify(str(name), display_names.get(str(name), str(name)), frame[name], n_rows)
        for name in frame.columns
    ]


def override_role(profile: ColumnProfile, role: Role) -> ColumnProfile:
    """Return ``profile`` with a role chosen by the user (reason ``user`` when excluded)."""
    if role == "excluded":
        return replace(profile, role="excluded", reason=profile.reason or "user")
    if role == "feature":
        if profile.kind in ("datetime", "text") or profile.reason in ("all_missing", "constant"):
            raise DataError(
                f"Column {profile.display_name!r} cannot be a feature: it is {profile.kind} "
                f"({REASON_TEXT.get(profile.reason or '', profile.kind)}). Leave it excluded.",
                code="cannot_be_feature",
                column=profile.display_name,
            )
        kind: Kind = "categorical" if profile.kind in ("identifier", "text") else profile.kind
        return replace(profile, role="feature", reason=None, kind=kind)
    return replace(profile, role=role, reason=None)
