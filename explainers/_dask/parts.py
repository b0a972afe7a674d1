"""A table stored as parts (a file, a folder or a glob of Parquet or CSV files), read lazily.

Parts are taken in sorted file-name order; a row's ``row`` is its 0-based position in the
whole table, counted across the parts in that order. Each part is read on a worker with
the engine's own reader (:func:`explainers.read_table`: safe column names, missing
markers, numbers written as text). The reader decides from a file's own cells whether a
column is numbers, booleans or text; for CSV parts the scan gathers each part's
decisions, the table's reading of every column is decided once from them
(:mod:`explainers._dask.readings`) and every later read of a part is brought to it, so
the parts read as one CSV file of the same rows would. The client lists the files and
holds only small facts: each part's row count, dtypes, missing counts and, for columns
with few distinct values, those values.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from dask.delayed import delayed
from distributed import Client

from .._errors import DataError
from .._io.reading import Reading, Table, read_table
from .readings import ColumnReading, Target, conform, decide_targets, needs_conform, part_readings

PART_MAX_BYTES = 4 * 2**30
"""Largest part file read (a whole table of many parts has no limit)."""
PART_MAX_CELLS = 2**40
DISTINCT_LIMIT = 1000
"""Distinct values kept per column and part; a column with more has no category list."""
_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv", ".txt": "csv"}

PartFormat = Literal["parquet", "csv"]


@dataclass(frozen=True)
class PartFacts:
    """What one pass over a part found: rows, column names, dtypes, missing cells, values."""

    n_rows: int
    names: dict[str, str]
    dtypes: dict[str, str]
    missing: dict[str, int]
    distinct: dict[str, tuple[object, ...] | None]
    readings: dict[str, ColumnReading]


@dataclass(frozen=True)
class PartedTable:
    """A table of parts: their paths in order, where each starts, and whole-table facts.

    ``offsets[i]`` is the ``row`` of part ``i``'s first row; ``dtypes`` lists each
    column's dtypes over the parts (one entry when they agree); ``distinct`` each
    column's distinct values over the whole table, or None past :data:`DISTINCT_LIMIT`.
    Column names are the engine's safe names; ``original_names`` maps them back.
    ``targets`` is the table's reading of each column of CSV parts (empty for Parquet),
    which every read of a part is brought to.
    """

    paths: tuple[str, ...]
    format: PartFormat
    lengths: tuple[int, ...]
    original_names: dict[str, str]
    dtypes: dict[str, tuple[str, ...]]
    missing: dict[str, int]
    distinct: dict[str, tuple[object, ...] | None]
    targets: dict[str, Target]

    @property
    def n_rows(self) -> int:
        """Rows of the whole table."""
        return int(sum(self.lengths))

    @property
    def offsets(self) -> tuple[int, ...]:
        """The ``row`` of each part's first row."""
        return tuple(int(v) for v in np.concatenate([[0], np.cumsum(self.lengths)[:-1]]))


def list_parts(data: str | os.PathLike[str]) -> tuple[tuple[str, ...], PartFormat]:
    """The part files ``data`` names, sorted by file name, and their common format.

    ``data`` is a file, a folder (its Parquet or CSV files; names starting with ``.``
    or ``_``, such as ``_SUCCESS``, are skipped) or a glob pattern (``parts/*.parquet``).
    """
    text = os.fspath(data)
    path = Path(text)
    if path.is_dir():
        found = [p for p in path.iterdir() if p.is_file() and not p.name.startswith((".", "_"))]
        found = [p for p in found if p.suffix.lower() in _SUFFIXES]
    elif path.is_file():
        found = [path]
    elif glob.has_magic(text):
        found = [Path(p) for p in glob.glob(text) if Path(p).is_file()]
    else:
        found = []
    if not found:
        raise DataError(
            "No Parquet or CSV file was found at DATA. Give a file, a folder of .parquet or "
            ".csv parts, or a glob such as 'parts/*.parquet'.",
            code="no_parts",
        )
    found.sort(key=lambda p: (p.name, str(p)))
    formats = {_SUFFIXES.get(p.suffix.lower(), "csv") for p in found}
    if len(formats) > 1:
        raise DataError(
            "DATA mixes Parquet and CSV parts. Keep one format in the folder or glob.",
            code="mixed_parts",
        )
    fmt: PartFormat = "parquet" if formats == {"parquet"} else "csv"
    return tuple(str(p) for p in found), fmt


def read_part(path: str) -> Table:
    """One part, read and cleaned by :func:`explainers.read_table` (runs on a worker)."""
    return read_table(path, max_bytes=PART_MAX_BYTES, max_cells=PART_MAX_CELLS)


def read_part_frame(path: str, targets: dict[str, Target]) -> pd.DataFrame:
    """One part's rows, its columns brought to the table's reading ``targets`` (on a worker)."""
    table = read_part(path)
    return conform(path, table, targets) if targets else table.frame


def part_facts(path: str, targets: dict[str, Target] | None = None) -> PartFacts:
    """Read a part and return its facts, not its rows (runs on a worker).

    Without ``targets`` the facts are of the part as its own reader read it, with each
    CSV column's reading; with them, of the part brought to the table's reading.
    """
    table = read_part(path)
    frame = conform(path, table, targets) if targets else table.frame
    csv = targets is None and table.format in ("csv", "tsv")
    distinct: dict[str, tuple[object, ...] | None] = {}
    for name in frame.columns:
        values = frame[name].dropna().unique()
        distinct[str(name)] = None if len(values) > DISTINCT_LIMIT else tuple(values.tolist())
    return PartFacts(
        n_rows=len(frame),
        names=dict(table.original_names),
        dtypes={str(c): str(t) for c, t in frame.dtypes.items()},
        missing={str(c): int(n) for c, n in frame.isna().sum().items()},
        distinct=distinct,
        readings=part_readings(path, table) if csv else {},
    )


def scan_parts(client: Client, data: str | os.PathLike[str]) -> PartedTable:
    """List the parts of ``data`` and read each once on the workers for its facts.

    Raises
    ------
    DataError
        When no part is found, the formats mix, a part cannot be read, a part's
        columns differ from the first part's (the message names the part file), or
        CSV parts write a column in ways one file would read differently
        (``parts_disagree``, naming the column and a part).
    """
    paths, fmt = list_parts(data)
    facts: list[PartFacts] = client.gather(client.map(part_facts, paths, pure=False))
    first = facts[0]
    for path, fact in zip(paths, facts, strict=True):
        if fact.names != first.names:
            raise DataError(
                f"The part {Path(path).name} has other columns than {Path(paths[0]).name}. "
                "Every part must have the same columns in the same order.",
                code="parts_differ",
                part=Path(path).name,
            )
    targets: dict[str, Target] = {}
    if fmt == "csv":
        display = {c: str(o) for c, o in first.names.items()}
        targets = decide_targets(paths, [f.readings for f in facts], display)
        redo = [i for i, f in enumerate(facts) if needs_conform(f.dtypes, targets)]
        if redo:
            again = client.map(part_facts, [paths[i] for i in redo], targets=targets, pure=False)
            for i, fact in zip(redo, client.gather(again), strict=True):
                facts[i] = fact
    columns = list(first.names)
    return PartedTable(
        paths=paths,
        format=fmt,
        lengths=tuple(f.n_rows for f in facts),
        original_names=dict(first.names),
        dtypes={c: tuple(sorted({f.dtypes[c] for f in facts})) for c in columns},
        missing={c: sum(f.missing[c] for f in facts) for c in columns},
        distinct={c: _merge_distinct([f.distinct[c] for f in facts]) for c in columns},
        targets=targets,
    )


def _merge_distinct(values: list[tuple[object, ...] | None]) -> tuple[object, ...] | None:
    merged: set[object] = set()
    for part in values:
        if part is None:
            return None
        merged.update(part)
        if len(merged) > DISTINCT_LIMIT:
            return None
    return tuple(merged)


def rows_of_part(
    path: str, positions: np.ndarray, offset: int, targets: dict[str, Target]
) -> pd.DataFrame:
    """The rows of a part at ``positions`` (0-based in the part), indexed by ``row``."""
    frame = read_part_frame(path, targets).iloc[positions]
    frame.index = pd.RangeIndex(0, 0) if len(positions) == 0 else positions + offset
    frame.index.name = "row"
    return frame


def sample_table(client: Client, parted: PartedTable, positions: np.ndarray, *, name: str) -> Table:
    """The rows at ``positions`` (sorted ``row`` values) as one :class:`~explainers.Table`.

    Only the parts holding a sampled row are read. The frame has a fresh 0-based index
    (as every table the engine profiles has); the table's ``n_rows`` is the sample's.
    """
    offsets = np.asarray(parted.offsets + (parted.n_rows,))
    tasks = []
    for i, path in enumerate(parted.paths):
        lo, hi = np.searchsorted(positions, [offsets[i], offsets[i + 1]])
        if hi > lo:
            local = positions[lo:hi] - offsets[i]
            tasks.append(delayed(rows_of_part)(path, local, int(offsets[i]), parted.targets))
    frames: list[pd.DataFrame] = list(client.compute(tasks, sync=True))
    frame = (pd.concat(frames) if len(frames) > 1 else frames[0]).reset_index(drop=True)
    return Table(
        frame=frame,
        original_names=dict(parted.original_names),
        source_name=name,
        format=parted.format,
        encoding="utf-8" if parted.format == "csv" else None,
        delimiter=None,
        n_rows=len(frame),
        n_columns=frame.shape[1],
        warnings=(),
        reading=Reading(),
    )


def column_facts(parted: PartedTable, names: Mapping[str, str]) -> dict[str, object]:
    """The whole table's dtypes and missing counts, keyed by the columns' names in the file."""
    return {
        "dtypes": {names.get(c, c): "|".join(t) for c, t in parted.dtypes.items()},
        "missing": {names.get(c, c): n for c, n in parted.missing.items()},
    }
