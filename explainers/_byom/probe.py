"""Child process that checks an uploaded model file before the server loads it.

Run as ``python -I _model_probe.py MEMORY_LIMIT CPU_SECONDS`` with the model's
bytes on stdin. It caps its own address space and CPU time first, then loads
the bytes with XGBoost's C library (through ``ctypes``, so that neither the
``xgboost`` Python package nor pandas is imported and the check starts fast)
and prints one JSON line on stdout::

    {"ok": true, "description": {...}}          a loadable model, described
    {"ok": false, "reason": "not_a_model"}      JSON, but not an XGBoost model
    {"ok": false, "reason": "invalid"}          XGBoost refused the content
    {"ok": false, "reason": "memory"}           it ran out of its memory cap

A crash, a kill for CPU time or memory, or any other output is judged by the
parent (:mod:`explainers._byom.model_file`). This module imports only the standard
library; it is never imported by the engine.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import sys
from typing import Any

_LIBRARY_NAMES = ("libxgboost.so", "libxgboost.dylib", "xgboost.dll")


def _cap_resources(memory_bytes: int, cpu_seconds: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: the parent's timeout still applies
        return
    limits = (
        (resource.RLIMIT_AS, memory_bytes),
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_CORE, 0),
    )
    for kind, value in limits:
        try:
            resource.setrlimit(kind, (value, value))
        except (ValueError, OSError):  # some systems refuse a limit; the others still hold
            pass


def _library_path() -> str:
    spec = importlib.util.find_spec("xgboost")
    folders = list(spec.submodule_search_locations or []) if spec else []
    candidates = [os.path.join(f, "lib", name) for f in folders for name in _LIBRARY_NAMES]
    candidates += [os.path.join(sys.prefix, "lib", name) for name in _LIBRARY_NAMES]
    for path in candidates:
        if os.path.isfile(path):
            return path
    from xgboost.libpath import find_lib_path  # slow fallback: imports the package

    return str(find_lib_path()[0])


def _is_json_but_not_a_model(data: bytes) -> bool:
    text = data.lstrip()
    if not text.startswith(b"{") or not text[1:].lstrip().startswith((b'"', b"}")):
        return False  # UBJSON, or not an object at all
    try:
        document = json.loads(data)
    except (ValueError, RecursionError, MemoryError):
        return False
    if not isinstance(document, dict):
        return True
    learner = document.get("learner")
    booster = learner.get("gradient_booster") if isinstance(learner, dict) else None
    return not isinstance(booster, dict) or "model" not in booster


class _Library:
    def __init__(self) -> None:
        self.lib = ctypes.CDLL(_library_path())
        self.lib.XGBGetLastError.restype = ctypes.c_char_p

    def check(self, status: int) -> None:
        if status != 0:
            raise RuntimeError(self.lib.XGBGetLastError() or b"")

    def strings(self, handle: ctypes.c_void_p, field: str) -> list[str] | None:
        length = ctypes.c_uint64()
        array = ctypes.POINTER(ctypes.c_char_p)()
        self.check(
            self.lib.XGBoosterGetStrFeatureInfo(
                handle, field.encode(), ctypes.byref(length), ctypes.byref(array)
            )
        )
        values = [array[i].decode("utf-8", "replace") for i in range(length.value)]
        return values or None


def _number(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return None


def describe(data: bytes) -> dict[str, Any]:
    """Load ``data`` with XGBoost's C library and describe the model.

    Raises
    ------
    RuntimeError
        With XGBoost's error message when the library refuses the content.
    """
    library = _Library()
    lib = library.lib
    handle = ctypes.c_void_p()
    library.check(lib.XGBoosterCreate(None, ctypes.c_uint64(0), ctypes.byref(handle)))
    library.check(
        lib.XGBoosterLoadModelFromBuffer(handle, ctypes.c_char_p(data), ctypes.c_uint64(len(data)))
    )
    length = ctypes.c_uint64()
    text = ctypes.c_char_p()
    library.check(lib.XGBoosterSaveJsonConfig(handle, ctypes.byref(length), ctypes.byref(text)))
    learner = json.loads(ctypes.string_at(text, length.value))["learner"]
    rounds = ctypes.c_int()
    library.check(lib.XGBoosterBoostedRounds(handle, ctypes.byref(rounds)))
    model = learner.get("learner_model_param", {})
    booster = learner.get("gradient_booster", {})
    trees = booster.get("gbtree_model_param") or booster.get("gbtree", {}).get(
        "gbtree_model_param", {}
    )
    description = {
        "objective": str(learner.get("objective", {}).get("name", "")),
        "booster": str(booster.get("name", "")),
        "num_class": int(_number(model.get("num_class", "0")) or 0),
        "num_target": int(_number(model.get("num_target", "1")) or 1),
        "num_feature": int(_number(model.get("num_feature", "0")) or 0),
        "base_score": _number(model.get("base_score")),
        "n_rounds": int(rounds.value),
        "n_trees": int(_number(trees.get("num_trees", "0")) or 0),
        "feature_names": library.strings(handle, "feature_name"),
        "feature_types": library.strings(handle, "feature_type"),
    }
    lib.XGBoosterFree(handle)
    return description


def main(argv: list[str]) -> int:
    """Check the model on stdin and print the verdict as one JSON line."""
    _cap_resources(int(argv[1]), int(argv[2]))
    data = sys.stdin.buffer.read()
    try:
        verdict: dict[str, Any] = {"ok": True, "description": describe(data)}
    except MemoryError:
        verdict = {"ok": False, "reason": "memory"}
    except RuntimeError as error:
        message = str(error.args[0] if error.args else b"")
        if "bad_alloc" in message:
            verdict = {"ok": False, "reason": "memory"}
        elif _is_json_but_not_a_model(data):
            verdict = {"ok": False, "reason": "not_a_model"}
        else:
            verdict = {"ok": False, "reason": "invalid"}
    sys.stdout.write(json.dumps(verdict) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
