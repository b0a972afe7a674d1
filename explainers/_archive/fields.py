"""Typed reading of a member's JSON document: each field checked, or the member refused.

A :class:`Fields` wraps one JSON object of one member; every accessor checks the
field's type (and, for modes, that the value is one of the ``Literal``'s) and raises
``archive_bad_member`` naming the member and the field's path when it is not.
Non-finite numbers are written as ``null`` (JSON has no NaN) and read back as NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypeVar

from .._errors import DataError
from .refusals import bad_member

T = TypeVar("T", bound=str)


def finite_or_none(value: float) -> float | None:
    """``value``, or None when it is NaN or infinite (how numbers are written)."""
    return value if math.isfinite(value) else None


class Fields:
    """The fields of one JSON object of member ``member``, found at ``path``."""

    def __init__(self, member: str, document: object, path: str = "") -> None:
        if not isinstance(document, Mapping):
            raise bad_member(member, path or "(document)")
        self.member = member
        self.document: Mapping[str, Any] = document
        self.path = path

    def fail(self, key: str) -> DataError:
        """The refusal naming field ``key``."""
        return bad_member(self.member, f"{self.path}.{key}" if self.path else key)

    def raw(self, key: str) -> Any:
        """The field's value, which must be present."""
        if key not in self.document:
            raise self.fail(key)
        return self.document[key]

    def text(self, key: str) -> str:
        """A string field."""
        value = self.raw(key)
        if not isinstance(value, str):
            raise self.fail(key)
        return value

    def optional_text(self, key: str) -> str | None:
        """A string field that may be null."""
        value = self.raw(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(key)
        return value

    def integer(self, key: str, *, minimum: int = 0) -> int:
        """An integer field, at least ``minimum``."""
        value = self.raw(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.fail(key)
        return value

    def optional_integer(self, key: str, *, minimum: int = 0) -> int | None:
        """An integer field that may be null."""
        return None if self.raw(key) is None else self.integer(key, minimum=minimum)

    def number(self, key: str) -> float:
        """A number field; null reads as NaN."""
        value = self.raw(key)
        if value is None:
            return math.nan
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise self.fail(key)
        return float(value)

    def optional_number(self, key: str) -> float | None:
        """A number field that may be null (None)."""
        return None if self.raw(key) is None else self.number(key)

    def flag(self, key: str) -> bool:
        """A true/false field."""
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.fail(key)
        return value

    def choice(self, key: str, allowed: tuple[T, ...]) -> T:
        """A string field that must be one of ``allowed`` (a ``Literal``'s values)."""
        value = self.raw(key)
        for option in allowed:
            if value == option and isinstance(value, str):
                return option
        raise self.fail(key)

    def optional_choice(self, key: str, allowed: tuple[T, ...]) -> T | None:
        """As :meth:`choice`, or None."""
        return None if self.raw(key) is None else self.choice(key, allowed)

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings."""
        value = self.raw(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key)
        return tuple(value)

    def optional_texts(self, key: str) -> tuple[str, ...] | None:
        """A list of strings, or None."""
        return None if self.raw(key) is None else self.texts(key)

    def text_map(self, key: str) -> dict[str, str]:
        """An object of strings."""
        value = self.raw(key)
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            raise self.fail(key)
        return dict(value)

    def number_map(self, key: str) -> dict[str, float]:
        """An object of numbers (null reads as NaN)."""
        section = self.section(key)
        return {k: section.number(k) for k in section.document}

    def section(self, key: str) -> Fields:
        """A nested object."""
        path = f"{self.path}.{key}" if self.path else key
        value = self.raw(key)
        if not isinstance(value, Mapping):
            raise self.fail(key)
        return Fields(self.member, value, path)

    def optional_section(self, key: str) -> Fields | None:
        """A nested object, or None."""
        return None if self.raw(key) is None else self.section(key)

    def sections(self, key: str) -> list[Fields]:
        """A list of objects."""
        value = self.raw(key)
        if not isinstance(value, list):
            raise self.fail(key)
        path = f"{self.path}.{key}" if self.path else key
        return [Fields(self.member, item, f"{path}[{i}]") for i, item in enumerate(value)]

    def text_lists(self, key: str) -> dict[str, tuple[str, ...]]:
        """An object whose values are lists of strings."""
        section = self.section(key)
        return {k: section.texts(k) for k in section.document}

    def integer_rows(self, key: str) -> list[list[int]]:
        """A list of lists of integers (a matrix), or refuse."""
        value = self.raw(key)
        if not isinstance(value, list) or not all(
            isinstance(row, list)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in row)
            for row in value
        ):
            raise self.fail(key)
        return value
