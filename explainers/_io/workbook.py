"""Reading an Excel workbook (.xlsx): every sheet looked at, the table found on it.

The sheet with the most filled cells is read unless the user names one, and a
title or note above the header row is skipped when the header row is obvious
(the first row filled across the table's width), or the user names the header
row. The choice is returned so that it can be said.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pandas as pd

from .._errors import DataError
from .column_names import safe_column_names
from .limits import UPLOAD_HINT, check_unpacked

_HEADER_SEARCH_ROWS = 30
_HEADER_FILL = 0.8


@dataclass(frozen=True)
class SheetChoice:
    """Which sheet was read, the sheets there were, and the header row (0-based)."""

    sheet: str
    sheets: tuple[str, ...]
    header_row: int


def read_workbook(
    data: bytes, *, max_bytes: int, sheet: str | None = None, header_row: int | None = None
) -> tuple[pd.DataFrame, dict[str, str], SheetChoice]:
    """Read one sheet of an .xlsx workbook as a table.

    Parameters
    ----------
    sheet
        The sheet to read; the one with the most filled cells when None.
    header_row
        The 0-based row of the sheet that holds the column names; found when None.

    Raises
    ------
    DataError
        ``zip_archive``, ``compressed_bomb``, ``bad_excel``, ``empty_file``,
        ``unknown_sheet`` or ``bad_header_row``.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except Exception:  # noqa: BLE001 - a damaged workbook: a DataError, never a traceback
        raise _bad_excel() from None
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        raise DataError(
            f"This is a zip archive (or another packaged file), not a spreadsheet; zip "
            f"archives are not supported. Unzip it first and upload the table inside. "
            f"{UPLOAD_HINT}",
            code="zip_archive",
        )
    check_unpacked(sum(entry.file_size for entry in entries), len(entries), max_bytes)
    try:
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, engine="openpyxl")
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - a damaged workbook: a DataError, never a traceback
        raise _bad_excel() from None
    names = tuple(str(name) for name in sheets)
    trimmed = {str(k): v.dropna(how="all").dropna(axis=1, how="all") for k, v in sheets.items()}
    if sheet is None:
        filled = {k: int(v.notna().to_numpy().sum()) for k, v in trimmed.items()}
        chosen = max(names, key=lambda k: filled[k]) if names else ""
    elif sheet in trimmed:
        chosen = sheet
    else:
        raise DataError(
            f"The workbook has no sheet named {sheet!r}; it has {len(names)} sheet(s). "
            f"Choose one of: {', '.join(repr(n) for n in names[:5])}.",
            code="unknown_sheet",
            sheet=sheet,
            sheets=list(names),
        )
    raw = trimmed.get(chosen, pd.DataFrame())
    if raw.empty:
        raise DataError(
            "Every sheet of the workbook is empty. Put the table on a sheet, with column "
            "names in its first row, and upload it again.",
            code="empty_file",
        )
    row = _header_position(raw) if header_row is None else _given_header(raw, header_row)
    header_label = int(raw.index[row])
    raw = raw.iloc[row:].dropna(axis=1, how="all")
    columns = safe_column_names(raw.iloc[0].tolist())
    body = raw.iloc[1:].reset_index(drop=True).infer_objects()
    body.columns = list(columns)
    for column in body.columns:
        values = body[column]
        if values.dtype != object:
            continue
        present = values.dropna()
        if present.empty:
            body[column] = values.astype("float64")
        elif not present.map(type).eq(bool).all():
            body[column] = values.astype("str")  # mixed text and numbers: text, as CSV gives
            body.loc[values.isna(), column] = None
    return body, columns, SheetChoice(chosen, names, header_label)


def _header_position(raw: pd.DataFrame) -> int:
    """The first row (position) filled across the table's width: title rows above it skipped."""
    filled = raw.notna().sum(axis=1).to_numpy()
    width = int(filled.max())
    for position in range(min(len(filled), _HEADER_SEARCH_ROWS)):
        if filled[position] >= max(2, _HEADER_FILL * width) or width == 1:
            return position
    return 0


def _given_header(raw: pd.DataFrame, header_row: int) -> int:
    positions = [i for i, label in enumerate(raw.index) if int(label) >= header_row]
    if header_row < 0 or not positions or positions[0] >= len(raw) - 1:
        raise DataError(
            f"Row {header_row + 1} cannot be the header row: there must be a filled row there "
            f"with data rows below it. Choose a row between 1 and "
            f"{int(raw.index[-1])} of the sheet.",
            code="bad_header_row",
            row=header_row + 1,
        )
    return positions[0]


def _bad_excel() -> DataError:
    return DataError(
        "The file looks like an Excel workbook but could not be opened; it may be damaged. "
        "Open it in Excel, save it again as .xlsx or CSV, and upload it again.",
        code="bad_excel",
    )
