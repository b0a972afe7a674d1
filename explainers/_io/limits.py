"""Size limits of an upload, and the one-line hint every refusal ends with."""

from __future__ import annotations

from .._errors import DataError

UPLOAD_HINT = "Upload a CSV, TSV, Excel (.xlsx) or Parquet file."
_UNPACKED_LIMIT = 1 << 30
_MAX_ZIP_ENTRIES = 10_000


def check_unpacked(unpacked: int, entries: int, max_bytes: int) -> None:
    limit = min(20 * max_bytes, _UNPACKED_LIMIT)
    if unpacked > limit or entries > _MAX_ZIP_ENTRIES:
        raise DataError(
            f"The file would unpack to {human_size(unpacked)}, more than the "
            f"{human_size(limit)} allowed, so it was not opened. Upload a smaller file.",
            code="compressed_bomb",
            unpacked_bytes=unpacked,
            limit_bytes=limit,
        )


def check_cells(rows: int, columns: int, max_cells: int, *, estimated: bool = False) -> None:
    if rows * columns > max_cells:
        about = "about " if estimated else ""
        raise DataError(
            f"The table has {about}{rows:,} rows and {columns:,} columns, more than the limit "
            f"of {max_cells:,} cells. Upload fewer rows or columns, for example a sample.",
            code="too_many_cells",
            rows=rows,
            columns=columns,
            limit=max_cells,
        )


def human_size(n: int) -> str:
    if n >= 2**20:
        return f"{n / 2**20:.3g} MB"
    if n >= 1024:
        return f"{n / 1024:.3g} KB"
    return f"{n} bytes"


def too_large(limit: int, size: int | None) -> DataError:
    return DataError(
        f"The file is larger than the limit of {human_size(limit)}. Upload a smaller file, "
        f"for example a sample of the rows.",
        code="too_large",
        limit_mb=round(limit / 2**20, 3),
        limit_bytes=limit,
        size_bytes=size,
    )


def empty_file() -> DataError:
    return DataError(
        f"The file is empty: it has no column names and no rows. {UPLOAD_HINT}",
        code="empty_file",
    )


def header_only() -> DataError:
    return DataError(
        "The file has column names but no data rows. Upload a file with at least one row "
        "of data under the header.",
        code="header_only",
    )
