"""The engine's exported types: the modes and kinds a caller names, and the progress callback.

Each is a :data:`typing.Literal`, so a typo is a type error, not a silent default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

Task = Literal["binary", "multiclass", "regression", "survival"]
"""What a model predicts (``survival``: time to an event, with censoring)."""
TaskChoice = Literal["auto", "binary", "multiclass", "regression", "survival"]
"""A task, or ``auto`` to infer it from the target's values."""
Kind = Literal["numeric", "categorical", "boolean", "datetime", "text", "identifier"]
"""What a column holds, as the profiler sees it."""
Role = Literal["feature", "excluded", "target"]
"""What a column is used for."""
Reason = Literal[
    "identifier",
    "constant",
    "free_text",
    "datetime",
    "leakage",
    "possible_leak",
    "personal",
    "high_cardinality",
    "all_missing",
    "user",
    "not_in_model",
    "survival_time",
]
"""Why a column is left out (a stable code; the app translates it)."""
TargetReason = Literal["given", "named", "shape", "last_column", "model"]
"""How the target was chosen."""
Device = Literal["cpu", "cuda"]
"""Where TreeSHAP runs."""
DeviceChoice = Literal["auto", "cpu", "cuda"]
"""A device, or ``auto``: the GPU when one is usable, else the CPU."""
Backend = Literal["xgboost-cuda", "xgboost-cpu"]
"""The SHAP backend used, reported with every result."""
ClassWeight = Literal["auto", "balanced", "none"]
"""Class weights for training a classifier."""
Format = Literal["csv", "tsv", "xlsx", "parquet"]
"""The format a table was read from."""
SurvivalModel = Literal["cox", "aft"]
"""The survival objective: Cox proportional hazards (default), or accelerated failure time."""
AftDistribution = Literal["normal", "logistic", "extreme"]
"""The error distribution of an AFT model (XGBoost's ``aft_loss_distribution``)."""
Progress = Callable[[int, int, str], None]
"""A progress callback: ``(done, total, stage)``."""
