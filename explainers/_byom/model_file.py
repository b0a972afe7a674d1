"""Reading a user's XGBoost model file (JSON or UBJSON), checked before the server trusts it.

The checks run in this order: the size limit; the content's first bytes (a
pickle, an archive, compressed or any other non-JSON content is refused,
whatever the file's name); then a child process (:mod:`explainers._byom.probe`)
with a memory and a CPU-time cap loads the bytes and describes the model, so a
damaged or hostile file can only make the child fail; then the objective and
booster are checked; only then is the model loaded in this process. Pickle,
joblib and dill are never used: they run code when opened.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import xgboost as xgb

from .._errors import ModelError
from .._io.bounded import read_bounded
from .._types import Task

ModelFormat = Literal["json", "ubjson"]

DEFAULT_MAX_MODEL_BYTES = 100 * 1024 * 1024
DEFAULT_TIMEOUT_S = 60.0
# The child's address-space cap: room for Python and XGBoost's library, plus
# XGBoost's parsed form of the file, which takes several times its size.
PROBE_BASE_MEMORY = 1024 * 1024 * 1024
PROBE_MEMORY_PER_BYTE = 24
_PROBE = Path(__file__).with_name("probe.py")
_KILLED_FOR_TIME = {
    -getattr(signal, name) for name in ("SIGXCPU", "SIGKILL") if hasattr(signal, name)
}

EXPORT_HINT = (
    'Save the model from Python with booster.save_model("model.json") (for the '
    'scikit-learn wrapper: model.get_booster().save_model("model.json")) and upload that file.'
)

OBJECTIVE_TASKS: dict[str, Task] = {
    "binary:logistic": "binary",
    "binary:logitraw": "binary",
    "multi:softmax": "multiclass",
    "multi:softprob": "multiclass",
    "reg:absoluteerror": "regression",
    "reg:pseudohubererror": "regression",
    "reg:quantileerror": "regression",
    "reg:squarederror": "regression",
    "reg:squaredlogerror": "regression",
}
_BOOSTERS = ("gbtree", "dart")
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x80", "pickle"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\x1f\x8b", "compressed"),  # gzip
    (b"BZh", "compressed"),  # bzip2
    (b"\xfd7zXZ\x00", "compressed"),  # xz
    (b"\x28\xb5\x2f\xfd", "compressed"),  # zstandard
    (b"\x04\x22\x4d\x18", "compressed"),  # lz4
    (b"\x78\x01", "compressed"),  # zlib, as joblib writes it
    (b"\x78\x9c", "compressed"),
    (b"\x78\xda", "compressed"),
)
_FOUND_TEXT = {
    "empty": "The model file is empty.",
    "pickle": "This file is a Python pickle (as pickle or joblib write), not an XGBoost model "
    "file. Pickles can run code when opened, so the app never opens them.",
    "zip": "This file is a ZIP archive, not an XGBoost model file.",
    "compressed": "This file is compressed (gzip, bzip2, xz, zstd or zlib), not an XGBoost "
    "model file.",
    "json": "This file is JSON, but not an XGBoost model: it has no trees.",
    "unknown": "This file is not an XGBoost model in JSON or UBJSON format, whatever its name.",
}
_UBJSON_MARKERS = (b"i", b"U", b"I", b"l", b"L", b"$", b"#", b"}")
_SAFE_WORD = re.compile(r"[a-z]{1,20}(:[a-z_]{1,30})?")


@dataclass(frozen=True)
class LoadedModel:
    """An XGBoost model read from a user's file and checked, not yet matched to data.

    ``categories`` holds, by feature position, the categories XGBoost stored
    for categorical features (models saved by XGBoost 3.1 or later trained on
    pandas categories); it is empty when the file stores none. ``n_classes``
    is 2 for binary models, the number of classes for multiclass ones and 0 for
    regression.
    """

    booster: xgb.Booster = field(repr=False)
    name: str
    format: ModelFormat
    n_bytes: int
    objective: str
    task: Task
    n_classes: int
    n_features: int
    feature_names: tuple[str, ...] | None
    feature_types: tuple[str, ...] | None
    categories: dict[int, tuple[Any, ...]]
    n_rounds: int
    n_trees: int
    seconds: float


def load_model_file(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_MODEL_BYTES,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> LoadedModel:
    """Read and check an XGBoost model saved as JSON or UBJSON.

    Parameters
    ----------
    source
        A path (its size is checked before it is read), the file's bytes, or a
        binary stream (at most ``max_bytes + 1`` bytes are read from it).
    name
        The file name shown to the user; never used to decide the format.
    max_bytes
        Largest accepted file.
    timeout_s
        Wall-clock limit of the child process that checks the file.

    Returns
    -------
    LoadedModel
        The booster with its objective, task, features and size.

    Raises
    ------
    ModelError
        A :class:`DataError` whose ``code`` is ``model_too_large``,
        ``not_xgboost_model``, ``model_unreadable``, ``model_objective_unsupported``,
        ``model_booster_unsupported``, ``model_multi_output`` or ``model_has_no_trees``.
    """
    start = time.perf_counter()
    data, default_name = _read_bytes(source, max_bytes)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 byte-order mark some editors add to JSON
    model_format = sniff_model_format(data)
    description = _probe(data, timeout_s=timeout_s)
    task, n_classes = _check_description(description)
    booster = xgb.Booster()
    try:
        booster.load_model(bytearray(data))
    except xgb.core.XGBoostError:  # the child read it, so this is not expected
        raise _unreadable("invalid", timeout_s=timeout_s) from None
    names, types = booster.feature_names, booster.feature_types
    return LoadedModel(
        booster=booster,
        name=name if name is not None else default_name,
        format=model_format,
        n_bytes=len(data),
        objective=description["objective"],
        task=task,
        n_classes=n_classes,
        n_features=booster.num_features(),
        feature_names=tuple(names) if names else None,
        feature_types=tuple(types) if types else None,
        categories=_stored_categories(booster),
        n_rounds=booster.num_boosted_rounds(),
        n_trees=int(description.get("n_trees", 0)),
        seconds=time.perf_counter() - start,
    )


def sniff_model_format(data: bytes) -> ModelFormat:
    """Tell XGBoost JSON from UBJSON by content, or refuse anything else.

    Raises
    ------
    ModelError
        ``not_xgboost_model`` with ``found`` one of ``empty``, ``pickle``,
        ``zip``, ``compressed`` or ``unknown``.
    """
    if not data.strip():
        raise _not_a_model("empty")
    for magic, found in _MAGIC:
        if data.startswith(magic):
            raise _not_a_model(found)
    text = data.lstrip(b" \t\r\n")
    if not text.startswith(b"{"):
        raise _not_a_model("unknown")
    if text[1:].lstrip(b" \t\r\n")[:1] in (b'"', b"}"):
        return "json"
    if data[1:2] in _UBJSON_MARKERS:  # a UBJSON object starts "{" then a key's length type
        return "ubjson"
    raise _not_a_model("unknown")


def _read_bytes(source: object, max_bytes: int) -> tuple[bytes, str]:
    def cannot_open(error: OSError, name: str) -> ModelError:
        return ModelError(
            "The model file could not be opened. Check the path and that you may read it.",
            code="model_file_not_readable",
            detail=type(error).__name__,
        )

    return read_bounded(
        source,
        max_bytes,
        default_name="model",
        too_large=lambda size: _too_large(max_bytes, size),
        cannot_open=cannot_open,
    )


def _probe(data: bytes, *, timeout_s: float) -> dict[str, Any]:
    """Run the checking child on ``data``; return its description of the model."""
    memory = PROBE_BASE_MEMORY + PROBE_MEMORY_PER_BYTE * len(data)
    cpu_seconds = max(1, int(timeout_s) + 1)
    command = [sys.executable, "-I", str(_PROBE), str(memory), str(cpu_seconds)]
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    try:
        done = subprocess.run(  # noqa: S603 - our own script, no shell
            command,
            input=data,
            capture_output=True,
            timeout=timeout_s,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise _unreadable("timeout", timeout_s=timeout_s) from None
    except OSError:
        raise _unreadable("crashed", timeout_s=timeout_s) from None
    verdict = _last_json_line(done.stdout)
    if done.returncode != 0 or verdict is None:
        if done.returncode in _KILLED_FOR_TIME:
            raise _unreadable("timeout", timeout_s=timeout_s)
        memory_trouble = b"MemoryError" in done.stderr or b"bad_alloc" in done.stderr
        raise _unreadable("memory" if memory_trouble else "crashed", timeout_s=timeout_s)
    if verdict.get("ok") is True and isinstance(verdict.get("description"), dict):
        return dict(verdict["description"])
    reason = verdict.get("reason")
    if reason == "not_a_model":
        raise _not_a_model("json")
    raise _unreadable("memory" if reason == "memory" else "invalid", timeout_s=timeout_s)


def _last_json_line(output: bytes) -> dict[str, Any] | None:
    lines = output.strip().splitlines()
    if not lines:
        return None
    try:
        verdict = json.loads(lines[-1])
    except ValueError:
        return None
    return verdict if isinstance(verdict, dict) else None


def _check_description(description: dict[str, Any]) -> tuple[Task, int]:
    objective = str(description.get("objective", ""))
    shown = objective if _SAFE_WORD.fullmatch(objective) else "unknown"
    booster = str(description.get("booster", ""))
    if booster not in _BOOSTERS:
        raise ModelError(
            f"The model is a {booster if _SAFE_WORD.fullmatch(booster) else 'non-tree'} "
            "booster; only tree models (gbtree or dart) can be explained with TreeSHAP. "
            'Train with booster="gbtree" and upload that model.',
            code="model_booster_unsupported",
            booster=booster if _SAFE_WORD.fullmatch(booster) else "unknown",
        )
    task = OBJECTIVE_TASKS.get(objective)
    if task is None:
        raise ModelError(
            f"The model's objective {shown} cannot be explained here: the app explains "
            "binary classification (binary:logistic), multiclass classification "
            "(multi:softprob or multi:softmax) and regression with an identity link "
            "(reg:squarederror and similar), not ranking, survival, counts or hinge "
            "models. Upload a model trained with one of those objectives.",
            code="model_objective_unsupported",
            objective=shown,
            supported=", ".join(sorted(OBJECTIVE_TASKS)),
        )
    n_targets = int(description.get("num_target", 1) or 1)
    if n_targets > 1:
        raise ModelError(
            f"The model predicts {n_targets} outputs at once (multi-target or several "
            "quantiles); the app explains models with one output per row. Upload a "
            "single-output model.",
            code="model_multi_output",
            n_targets=n_targets,
        )
    if int(description.get("n_rounds", 0)) < 1:
        raise ModelError(
            "The model has no trees, so there is nothing to explain. Train it for at least "
            "one round and save it again.",
            code="model_has_no_trees",
        )
    if task == "multiclass":
        return task, int(description.get("num_class", 0))
    return task, 2 if task == "binary" else 0


def _stored_categories(booster: xgb.Booster) -> dict[int, tuple[Any, ...]]:
    """Categories XGBoost stored with the model, by feature position (empty if none)."""
    try:
        stored = booster.get_categories(export_to_arrow=True)
        if stored.empty():
            return {}
        arrays = stored.to_arrow()
    except (AttributeError, TypeError, ValueError, xgb.core.XGBoostError):
        return {}  # an XGBoost without the API, or a model without categories
    return {
        position: tuple(array.to_pylist())
        for position, (_, array) in enumerate(arrays)
        if array is not None
    }


def _not_a_model(found: str) -> ModelError:
    return ModelError(
        f"{_FOUND_TEXT[found]} The app reads XGBoost models saved as JSON or UBJSON. {EXPORT_HINT}",
        code="not_xgboost_model",
        found=found,
    )


def _unreadable(reason: str, *, timeout_s: float) -> ModelError:
    texts = {
        "invalid": "The model file looks like XGBoost JSON or UBJSON, but XGBoost cannot "
        "read it: it is probably cut short or damaged.",
        "timeout": f"Checking the model file took longer than {timeout_s:g} seconds, so it "
        "was stopped.",
        "memory": "Checking the model file needed more memory than allowed, so it was "
        "stopped; the file is damaged or the model is too large.",
        "crashed": "XGBoost stopped while reading the model file; the file is probably damaged.",
    }
    return ModelError(
        f"{texts[reason]} Save the model again and upload the new file. {EXPORT_HINT}",
        code="model_unreadable",
        reason=reason,
        timeout_s=timeout_s,
    )


def _too_large(limit: int, size: int | None) -> ModelError:
    return ModelError(
        f"The model file is larger than the limit of {limit / 2**20:.3g} MB. Upload a smaller "
        "model (fewer or shallower trees).",
        code="model_too_large",
        limit_mb=round(limit / 2**20, 3),
        limit_bytes=limit,
        size_bytes=size,
    )
