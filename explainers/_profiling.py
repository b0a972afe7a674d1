"""Column profiling: what kind each column is and whether it may be a feature.

The profiler never reads cell values into messages. Each excluded column gets
a reason code (for translation) and an English sentence a user can read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ._errors import DataError
from ._float32 import out_of_range
from ._types import Kind, Reason, Role

REASON_TEXT: dict[str, str] = {
    "identifier": "excluded: an identifier (unique per row, a row number, or named as an ID)",
    "constant": "excluded: has a single value, so it cannot explain anything",
    "free_text": "excluded: free text, not a category or a number",
    "datetime": "excluded: a date or time; derive features such as month or age from it first",
    "leakage": "excluded: alone it predicts the target almost perfectly, so it likely leaks "
    "the answer",
    "possible_leak": "excluded: its name says it is recorded at or after the outcome (such as "
    "follow-up time or cause of death); include it only if it is known before the outcome",
    "personal": "excluded: personal data (a person's name, phone number, e-mail or postal "
    "address, or national ID number)",
    "high_cardinality": "excluded: too many distinct text values to use as a category",
    "all_missing": "excluded: every value is missing",
    "user": "excluded by you",
    "not_in_model": "excluded: the uploaded model does not use it",
    "survival_time": "excluded: the follow-up time of the survival outcome, part of the answer",
}

MAX_CATEGORIES = 200
# Names that say what a column holds; the content decides whether it is personal.
_PERSON_NAME_COLUMN = re.compile(
    r"(^|[_\s.-])(first|last|full|patient|given|family|sur|middle|maiden|person|customer|"
    r"client|member|owner)?[_\s.-]?name$|^name$|이름|성명|환자명|고객명",
    re.IGNORECASE,
)
_PHONE_COLUMN = re.compile(r"phone|mobile|telephone|^tel$|^fax$|전화|휴대폰|연락처", re.IGNORECASE)
_ADDRESS_COLUMN = re.compile(
    r"(^|[_\s.-])(street|home|postal|mailing)?[_\s.-]?address$|주소", re.IGNORECASE
)
_NATIONAL_ID_COLUMN = re.compile(
    r"(^|[_\s.-])(ssn|rrn)($|[_\s.-])|social.?security|"
    r"resident.?reg|주민",
    re.IGNORECASE,
)
# Named as an identifier: an identifier even when values repeat (repeat visits).
_NAMED_ID = re.compile(
    r"(^|[_\s.-])(id|ids|identifier|uuid|guid|mrn|recordno|record_?no)$|^id([_\s.-]|$)|"
    r"(patient|subject|person|participant|visit|record|case|sample|member|customer|client|"
    r"user|account|encounter|admission|hadm|stay|study|individual|household|family|episode|"
    r"specimen|order|accession|chart|medical[_\s.-]?record)[_\s.-]?(id|no|num|nr|number|code|"
    r"key)$|^(subject|patient|individual|person|participant|household|respondent)s?$|"
    r"환자번호|등록번호|차트번호|아이디|식별",
    re.IGNORECASE,
)
_NAMED_ID_CAMEL = re.compile(r"[a-z](ID|Id)$")
# Generic names of row numbers written by R, pandas and spreadsheets; an empty name is what
# R's write.csv gives its row names.
_ROW_NUMBER_NAME = re.compile(
    r"^(unnamed: ?\d+|rownames|row\.?names|x|\.\.\.1|index|row|"
    r"rowid|row_?id|obs|seq|#|no\.?|순번|번호|)$",
    re.IGNORECASE,
)
_ID_NAME = re.compile(
    r"(^|[_\s-])(id|identifier|key|uuid|guid|index|no|number)$|^id[_\s-]|번호$", re.IGNORECASE
)
_PERSON_WORDS = re.compile(r"^[A-Z][A-Za-z'\-]+\.?(,?\s+[A-Z][A-Za-z'\-]*\.?){0,3}$|^[가-힣]{2,4}$")
_NAMED_ID_MIN_DISTINCT = 20
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
    leak_metric: str | None = None
    leak_score: float | None = None

    @property
    def missing_fraction(self) -> float:
        """Share of missing cells, 0..1."""
        return self.n_missing / self.n_rows if self.n_rows else 0.0

    @property
    def reason_text(self) -> str | None:
        """English sentence for the exclusion reason, or None for features."""
        if self.reason == "leakage" and self.leak_score is not None:
            metric = "AUC" if self.leak_metric == "auc" else "R²"
            return (
                f"excluded: alone it predicts the target with {metric} "
                f"{self.leak_score:.3f} on held-out rows, so it likely leaks the answer"
            )
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
    # utc: times with different offsets (summer and winter time) are one column of dates
    parsed = pd.to_datetime(sample, errors="coerce", format="mixed", utc=True)
    return bool(parsed.notna().mean() > 0.9)


def _looks_personal(name: str, series: pd.Series, n_unique: int) -> bool:
    """A person's name, phone, e-mail, address or national ID number, judged by content.

    A column's name only says where to look: ``clinic_name`` with a handful of
    clinics and ``phone_service`` with yes/no are categories.
    """
    non_null = int(series.notna().sum())
    many = n_unique >= 5 and n_unique >= 0.3 * non_null
    if _NATIONAL_ID_COLUMN.search(name) and n_unique >= 0.5 * non_null and non_null:
        return True
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        if _PHONE_COLUMN.search(name) and many and series.dropna().abs().min() >= 1e6:
            return True  # phone numbers stored as numbers
        return False
    sample = _non_null_strings(series, 300).str.strip()
    if sample.empty:
        return False
    for pattern in (_EMAIL, _RRN):
        if sample.str.match(pattern).mean() > 0.5:
            return True
    phone_like = sample.str.match(_PHONE) & (sample.str.count(r"\d") >= 9)
    if phone_like.mean() > 0.5 and (
        _PHONE_COLUMN.search(name) or sample.str.contains(r"[-\s()+]").mean() > 0.5
    ):
        return True
    if _PERSON_NAME_COLUMN.search(name) and many:
        return bool(sample.str.match(_PERSON_WORDS).mean() > 0.8)
    if _ADDRESS_COLUMN.search(name) and many:
        return bool(sample.str.contains(r"\d").mean() > 0.5 or n_unique >= 0.8 * non_null)
    return False


def _named_identifier(name: str, n_unique: int) -> bool:
    """Named as an identifier (``patient_id``, ``visit.id``, ``mrn``, ``환자번호``), many values."""
    named = bool(_NAMED_ID.search(name) or _NAMED_ID_CAMEL.search(name))
    return named and n_unique > _NAMED_ID_MIN_DISTINCT


def _looks_identifier(name: str, series: pd.Series, n_unique: int, n_rows: int) -> bool:
    non_null = int(series.notna().sum())
    if non_null < 10 or n_unique < 0.98 * non_null:
        return False
    if pd.api.types.is_numeric_dtype(series):
        values = series.dropna().to_numpy(dtype=float)
        if not np.all(values == np.round(values)):
            return False
        if _ID_NAME.search(name) or _ROW_NUMBER_NAME.match(name.strip()):
            return True
        # A row number counts up (or down) by one in the file's order; a shuffled 1..n is
        # more likely a rank, which is a feature.
        steps = np.abs(np.diff(values))
        return bool(steps.size and np.mean(steps == 1) > 0.9)
    return not _mostly_fractions(series)


def _mostly_fractions(series: pd.Series) -> bool:
    """Text cells of which most read as numbers, most of these with a fraction: a
    measurement with some marks (``<0.01``), not an identifier (as for a numeric column)."""
    numbers = pd.to_numeric(_non_null_strings(series).str.strip(), errors="coerce")
    read = numbers.dropna().to_numpy(dtype=float)
    if read.size * 2 < len(numbers):
        return False
    return bool(np.mean(read != np.round(read)) >= 0.5)


def _row_numbers(series: pd.Series, n_unique: int) -> bool:
    """Distinct whole numbers counting up by one (at least three of them)."""
    values = series.dropna().to_numpy(dtype=float)
    if len(values) < 3 or n_unique != len(values) or not np.all(values == np.round(values)):
        return False
    return bool(np.mean(np.diff(np.sort(values)) == 1) > 0.9)


def _looks_free_text(series: pd.Series, n_unique: int) -> bool:
    sample = _non_null_strings(series, 500)
    if sample.empty:
        return False
    mean_words = sample.str.split().str.len().mean()
    return bool(n_unique > 20 and mean_words >= 3 and sample.str.len().mean() > 20)


def _count_unique(series: pd.Series) -> int:
    """Distinct non-missing values; numbers by sorting (a hash table of a million distinct
    floats is five times slower), ``0.0`` and ``-0.0`` counted once as pandas does."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "fiu":
        values = series.to_numpy()
        if series.dtype.kind == "f":
            values = values[~np.isnan(values)]
        if values.size == 0:
            return 0
        ordered = np.sort(values)
        return 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1]))
    return int(series.nunique(dropna=True))


def _no_usable_number(series: pd.Series) -> bool:
    """Every value infinite or past a 32-bit float's range: the model reads each as missing."""
    if series.dtype.kind != "f":
        return False
    values = series.to_numpy()
    values = values[~np.isnan(values)]
    return bool(values.size) and bool(out_of_range(values).all())


def _classify(name: str, display: str, series: pd.Series, n_rows: int) -> ColumnProfile:
    n_missing = int(series.isna().sum())
    n_unique = _count_unique(series)

    def make(kind: Kind, reason: Reason | None) -> ColumnProfile:
        role: Role = "excluded" if reason else "feature"
        return ColumnProfile(name, display, kind, role, reason, n_missing, n_unique, n_rows)

    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if n_unique == 0 or (numeric and _no_usable_number(series)):
        return make("numeric" if numeric else "categorical", "all_missing")
    if numeric and _ROW_NUMBER_NAME.match(display.strip()) and _row_numbers(series, n_unique):
        return make("identifier", "identifier")  # "Unnamed: 0", "rownames": a row number
    if _looks_personal(display, series, n_unique):
        kind: Kind = "identifier" if n_unique > 0.9 * (n_rows - n_missing) else "text"
        return make(kind, "personal")
    if n_unique == 1:
        return make("numeric" if numeric else "categorical", "constant")
    if _named_identifier(display, n_unique) and not _looks_datetime(series):
        return make("identifier", "identifier")
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


def profile_columns(frame: pd.DataFrame, display_names: dict[str, str]) -> list[ColumnProfile]:
    """Profile every column of ``frame`` without any target in mind."""
    n_rows = len(frame)
    return [
        _classify(str(name), display_names.get(str(name), str(name)), frame[name], n_rows)
        for name in frame.columns
    ]


def visible_names(profiles: list[ColumnProfile]) -> list[ColumnProfile]:
    """The profiles, a blank header (R's row names; profiling reads it as a row-number
    name) shown by the name the reader gave it (``column_1``): no label is empty."""
    return [c if c.display_name.strip() else replace(c, display_name=c.name) for c in profiles]


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
