"""Reading an upload's bytes within a size limit, from a path, bytes or a binary stream."""

from __future__ import annotations

import os
from collections.abc import Callable


def read_bounded(
    source: object,
    max_bytes: int,
    *,
    default_name: str,
    too_large: Callable[[int | None], Exception],
    cannot_open: Callable[[OSError, str], Exception],
) -> tuple[bytes, str]:
    """Return the bytes of ``source`` and its name, never reading more than ``max_bytes + 1``.

    Parameters
    ----------
    source
        A path (its size is checked before it is opened), bytes, or a binary stream.
    max_bytes
        The limit.
    default_name
        The name when the source has none (bytes, a nameless stream).
    too_large
        Builds the error for a source over the limit, from its size (None when unknown).
    cannot_open
        Builds the error for a path that cannot be opened, from the OS error and the name.

    Raises
    ------
    TypeError
        For a text stream or a source of another type (a programming error).
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > max_bytes:
            raise too_large(len(data))
        return data, default_name
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        name = os.path.basename(os.fsdecode(path))
        try:
            size = os.path.getsize(path)
            if size > max_bytes:
                raise too_large(size)
            with open(path, "rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as error:
            raise cannot_open(error, name) from None
    elif callable(getattr(source, "read", None)):
        data = source.read(max_bytes + 1)  # type: ignore[attr-defined]
        if not isinstance(data, bytes | bytearray):
            raise TypeError("a binary stream (opened with 'rb') is needed, not a text one")
        data = bytes(data)
        name = os.path.basename(str(getattr(source, "name", "") or "")) or default_name
    else:
        raise TypeError(f"cannot read a {type(source).__name__}")
    if len(data) > max_bytes:
        raise too_large(None)
    return data, name
