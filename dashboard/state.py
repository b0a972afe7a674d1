"""The only module that reads or writes ``st.session_state``.

Each user's choices (language, data source, target/task/roles, training
settings, the row being explained) and their private results live here, in
that user's session, and nowhere else.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import streamlit as st

from dashboard.i18n import DEFAULT_LANG, Lang, normalise_lang
from explainers import ClassWeight, Role, TaskChoice

SourceKind = Literal["sample", "upload", "analysis"]
"""A bundled sample, an uploaded table, or a saved analysis (``.xai``) opened again."""

#: Session-state key a test (or another entry point) may set to ``(file name, bytes)``
#: before a run; the app then loads it as if it had been uploaded.
PENDING_UPLOAD_KEY = "xai_pending_upload"
#: The same for a saved analysis (``.xai``), opened as if from the Data page.
PENDING_ANALYSIS_KEY = "xai_pending_analysis"

_LANG = "xai_lang"
_SOURCE = "xai_source"
_SETTINGS = "xai_settings"
_MODEL_SETTINGS = "xai_model_settings"
_PREFS = "xai_preferences"
_ROW = "xai_row"
_THRESHOLD = "xai_threshold"
_MODEL_FILE = "xai_model_file"
_MODEL_SEEN = "xai_model_seen"
_AUDIT_GROUP = "xai_audit_group_column"
_NOTICES = "xai_notices"
_PRIVATE = "xai_private_results"
_BACKGROUND = "xai_background_slot"
_UPLOAD_SEEN = "xai_upload_seen"
_MAX_PRIVATE = 32


@dataclass(frozen=True)
class Source:
    """The table the user is working on: a bundled sample or an uploaded file.

    ``digest`` is the SHA-256 of the bytes. ``sheet`` and ``header_row`` are the user's
    choices for a workbook (None: the reader decides); they change which table is read,
    so :attr:`key`, with the settings, keys every cache.
    """

    kind: SourceKind
    name: str
    digest: str
    data: bytes = field(repr=False, compare=False)
    sheet: str | None = None
    header_row: int | None = None

    @property
    def key(self) -> str:
        """A stable text key for caches: the content hash and the reading choices."""
        if self.sheet is None and self.header_row is None:
            return self.digest
        return f"{self.digest}|{self.sheet!r}|{self.header_row!r}"

    @property
    def is_sample(self) -> bool:
        """True for a bundled sample (public data, shareable caches)."""
        return self.kind == "sample"


@dataclass(frozen=True)
class Settings:
    """The user's choices about the table: target, task and column roles."""

    target: str | None = None
    task: TaskChoice = "auto"
    roles: tuple[tuple[str, Role], ...] = ()
    time: str | None = None
    """The follow-up time column of the survival task (``target`` is its event column)."""
    event_value: str | None = None
    """The value of a multi-valued status column that means the event happened."""

    def key(self) -> str:
        """A stable text key for caches."""
        outcome = (self.time, self.event_value) if self.task == "survival" else ()
        return repr((self.target, self.task, tuple(sorted(self.roles)), *outcome))


@dataclass(frozen=True)
class ModelSettings:
    """The few training hyperparameters the Model page offers."""

    n_estimators: int = 400
    learning_rate: float = 0.1
    max_depth: int = 6
    class_weight: ClassWeight = "auto"
    validation_fraction: float = 0.2
    seed: int = 0
    max_train_rows: int | None = 250_000
    """Fit on a seeded sample of at most this many training rows (None: every row): only
    tables over ~310,000 rows, where the Model page states it (cost: see the README)."""

    def key(self) -> str:
        """A stable text key for caches."""
        return repr(tuple(self.__dict__.values()))


def _get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def _set(key: str, value: Any) -> None:
    st.session_state[key] = value


# ----------------------------------------------------------------------------- language


def language() -> Lang:
    """The session's language (English until something sets it, and outside a session)."""
    if not st.runtime.exists():
        return DEFAULT_LANG
    return normalise_lang(_get(_LANG)) or DEFAULT_LANG


def has_language() -> bool:
    """True once the session's language has been chosen."""
    return normalise_lang(_get(_LANG)) is not None


def set_language(lang: Lang) -> None:
    """Set the session's language."""
    _set(_LANG, lang)


# ----------------------------------------------------------------------------- data source


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source() -> Source | None:
    """The current data source, or None before one is chosen."""
    value = _get(_SOURCE)
    return value if isinstance(value, Source) else None


def set_sample(sample_id: str, data: bytes, *, settings: Settings | None = None) -> None:
    """Make the bundled sample ``sample_id`` (with its bytes) the current source, with
    ``settings`` as the first choices (a survival sample names its time and event)."""
    current = source()
    if current is not None and current.kind == "sample" and current.name == sample_id:
        return
    _set(_SOURCE, Source("sample", sample_id, _digest(data), data))
    _reset_choices()
    if settings is not None:
        _set(_SETTINGS, settings)


def set_upload(
    name: str, data: bytes, *, token: str | None = None, kind: SourceKind = "upload"
) -> None:
    """Make an uploaded file the current source (also the test seam for uploads).

    Parameters
    ----------
    name
        The file's name as the user's browser sent it (shown as text only).
    data
        The file's bytes; they stay in this session's memory only.
    token
        The upload widget's file id, remembered so that later reruns do not
        load the same upload again (see :func:`upload_seen`).
    kind
        ``analysis`` for a saved analysis (it brings its own model, so an uploaded
        model is dropped).
    """
    _set(f"{_UPLOAD_SEEN}_{kind}", token)
    digest = _digest(data)
    current = source()
    if current is not None and current.kind == kind and current.digest == digest:
        return
    _set(_SOURCE, Source(kind, name, digest, data))
    if kind == "analysis":
        st.session_state.pop(_MODEL_FILE, None)
    _reset_choices()


def set_reading(sheet: str | None, header_row: int | None) -> None:
    """Read the current workbook from ``sheet`` with its column names in ``header_row``
    (0-based; None lets the reader find it). Another table means new choices about it."""
    current = source()
    if current is None or (current.sheet, current.header_row) == (sheet, header_row):
        return
    _set(_SOURCE, replace(current, sheet=sheet, header_row=header_row))
    _reset_choices()


@dataclass(frozen=True)
class ModelFile:
    """An XGBoost model (JSON or UBJSON) the user uploaded to explain instead of training."""

    name: str
    digest: str
    data: bytes = field(repr=False, compare=False)


def model_file() -> ModelFile | None:
    """The uploaded model, or None when the app trains its own."""
    value = _get(_MODEL_FILE)
    return value if isinstance(value, ModelFile) else None


def set_model_file(name: str, data: bytes, *, token: str | None = None) -> None:
    """Explain the uploaded model ``data`` (kept in this session's memory only)."""
    _set(_MODEL_SEEN, token)
    _set(_MODEL_FILE, ModelFile(name, _digest(data), data))
    set_selected_row(None)


def model_file_seen(token: str) -> bool:
    """True when the model upload widget's file ``token`` was already taken."""
    return bool(_get(_MODEL_SEEN) == token)


def clear_model_file() -> None:
    """Go back to training a model on the data."""
    st.session_state.pop(_MODEL_FILE, None)
    set_selected_row(None)


def take_pending_upload(key: str = PENDING_UPLOAD_KEY) -> tuple[str, bytes] | None:
    """Return and clear an upload placed in the session by a test or another entry point
    (under ``key``: :data:`PENDING_UPLOAD_KEY` or :data:`PENDING_ANALYSIS_KEY`)."""
    pending = st.session_state.pop(key, None)
    if isinstance(pending, tuple) and len(pending) == 2 and isinstance(pending[1], bytes):
        return str(pending[0]), pending[1]
    return None


def upload_seen(token: str, kind: SourceKind = "upload") -> bool:
    """True when the upload widget's file ``token`` was already taken (so reruns skip it)."""
    return bool(_get(f"{_UPLOAD_SEEN}_{kind}") == token)


def _reset_choices() -> None:
    _set(_SETTINGS, Settings())
    _set(_ROW, None)
    st.session_state.pop(_PRIVATE, None)
    for key in [k for k in st.session_state if str(k).startswith("w_")]:
        del st.session_state[key]


# ----------------------------------------------------------------------------- settings


def settings() -> Settings:
    """The user's target, task and role choices."""
    value = _get(_SETTINGS)
    return value if isinstance(value, Settings) else Settings()


def set_settings(value: Settings) -> None:
    """Replace the target, task and role choices (the next run retrains)."""
    _set(_SETTINGS, value)
    _set(_ROW, None)


def model_settings() -> ModelSettings:
    """The user's training hyperparameters."""
    value = _get(_MODEL_SETTINGS)
    return value if isinstance(value, ModelSettings) else ModelSettings()


def set_model_settings(value: ModelSettings) -> None:
    """Replace the training hyperparameters (the next run retrains)."""
    _set(_MODEL_SETTINGS, value)


# ----------------------------------------------------------------------------- navigation


def preference(name: str, default: Any = None) -> Any:
    """A choice kept for the session beyond one page's widgets, or ``default``."""
    return (_get(_PREFS) or {}).get(name, default)


def set_preference(name: str, value: Any) -> None:
    """Keep the choice ``name`` for the rest of the session."""
    _set(_PREFS, {**(_get(_PREFS) or {}), name: value})


def first_time(what: str) -> bool:
    """True the first time ``what`` is asked in this session (then remembered)."""
    seen = preference(f"done:{what}", False)
    set_preference(f"done:{what}", True)
    return not seen


def selected_row() -> int | None:
    """The dataset position of the row chosen on the Local page, if any."""
    value = _get(_ROW)
    return int(value) if isinstance(value, int) else None


def set_selected_row(position: int | None) -> None:
    """Choose the row (dataset position) the Local and What-if pages explain."""
    _set(_ROW, position)


def threshold() -> float:
    """The decision threshold of a binary model chosen on the Model page (0.5 by default)."""
    value = _get(_THRESHOLD)
    return float(value) if isinstance(value, float) else 0.5


def set_threshold(value: float) -> None:
    """Keep the decision threshold for the other pages (Local page's 'closest calls')."""
    _set(_THRESHOLD, float(value))


def widget_value(key: str, default: Any = None) -> Any:
    """The current value of the widget with ``key`` (widget keys start with ``w_``)."""
    return _get(key, default)


def set_widget_value(key: str, value: Any) -> None:
    """Set the widget with ``key`` before it is drawn (e.g. to follow a list pick)."""
    _set(key, value)


def forget_widget(key: str) -> None:
    """Drop a widget's stored value so it starts again from its default."""
    st.session_state.pop(key, None)


def audit_group_column() -> str | None:
    """The column whose groups the Audit page showed last (for the report), or None."""
    value = _get(_AUDIT_GROUP)
    return value if isinstance(value, str) else None


def set_audit_group_column(column: str) -> None:
    """Remember the column whose groups the Audit page shows."""
    _set(_AUDIT_GROUP, column)


# ----------------------------------------------------------------------------- messages


def push_notice(kind: str, text: str) -> None:
    """Queue a message (``kind``: info, success, warning) for the next page drawn."""
    notices = list(_get(_NOTICES) or [])
    if (kind, text) not in notices:
        notices.append((kind, text))
    _set(_NOTICES, notices[-5:])


def pop_notices() -> list[tuple[str, str]]:
    """Return and clear the queued messages."""
    return list(st.session_state.pop(_NOTICES, None) or [])


# ----------------------------------------------------------------------------- private results


def background_slot() -> object:
    """The cache slot of this session's background job (see ``services.full_shap_job``)."""
    return _get(_BACKGROUND)


def set_background_slot(slot: object) -> None:
    """Remember the cache slot of this session's newest background job."""
    _set(_BACKGROUND, slot)


def private_result(key: str) -> object:
    """A result computed for this session only (LIME, what-if), or None."""
    store = _get(_PRIVATE)
    if not isinstance(store, OrderedDict) or key not in store:
        return None
    store.move_to_end(key)
    return store[key]


def keep_private_result(key: str, value: object) -> None:
    """Keep a result for this session, dropping the oldest beyond a small bound."""
    store = _get(_PRIVATE)
    if not isinstance(store, OrderedDict):
        store = OrderedDict()
        _set(_PRIVATE, store)
    store[key] = value
    store.move_to_end(key)
    while len(store) > _MAX_PRIVATE:
        store.popitem(last=False)
