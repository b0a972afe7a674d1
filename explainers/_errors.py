"""The engine's exception tree.

Every error the engine raises on purpose derives from :class:`ExplainerError`.
Problems with what a user supplied (a table, a model file, an option) are
:class:`DataError`, which is also a :class:`ValueError`. Messages say what was
expected, what was found and what to do; they never quote cell values.
Each error carries a stable ``code`` and ``params`` so that a user interface can
show the message in the user's language.
"""

from __future__ import annotations

from typing import Any


class ExplainerError(Exception):
    """Base class of every error the engine raises on purpose."""

    def __init__(self, message: str, *, code: str = "error", **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.params = params


class DataError(ExplainerError, ValueError):
    """A table, model file or option supplied by the user cannot be used."""


class ModelError(DataError):
    """An uploaded model file is not a usable XGBoost model for this data."""


class DeviceError(ExplainerError, RuntimeError):
    """The requested compute device is not available."""


class ClusterError(DataError):
    """A Dask cluster cannot be reached, or it failed during a job.

    A bad scheduler address is a user's input, hence a :class:`DataError`; the
    message says what was tried and what to do (start the scheduler, fix the
    address, rerun after a worker died).
    """
