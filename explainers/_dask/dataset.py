"""The model-ready table on the cluster: encoded features, target and a shuffle-free split.

The encoding is the single-process one (:class:`~explainers.FeatureSpec`), built from the
schema of a sample and the whole table's facts: a categorical feature's categories are
its distinct values over every part (sorted as text, as :func:`explainers.build_dataset`
sorts them), so every partition encodes a category to the same code. Class labels come
from the whole table the same way. Rows with a missing target (or, for regression, one
infinite or beyond a 32-bit float's range) are dropped, as in the single-process path.

The validation split cannot be drawn by shuffling rows across machines; a row is in the
validation part when a seeded hash of its ``row`` falls under the validation fraction,
so the split needs no shuffle, repeats with the seed, and is not stratified.
"""

from __future__ import annotations

from dataclasses import dataclass

import dask.dataframe as dd
import numpy as np
import pandas as pd
from distributed import Client

from .._dataset import FeatureSpec
from .._errors import DataError
from .._float32 import out_of_range
from .._schema import MAX_CLASSES, Schema
from .._types import ClassWeight, Task
from .parts import DISTINCT_LIMIT, PartedTable, read_part_frame
from .readings import Target

TARGET = "__target__"
VALID = "__valid__"
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class Encoding:
    """How a part becomes model rows: the features' spec, the target's coding, the split."""

    spec: FeatureSpec
    target: str
    task: Task
    numeric_classes: tuple[float, ...] | None
    classes: tuple[str, ...] | None
    validation_fraction: float
    seed: int


@dataclass(frozen=True)
class ClusterDataset:
    """The encoded rows, persisted on the workers, indexed by ``row``.

    ``frame`` holds the features (``encoding.spec.names``), the target column
    :data:`TARGET` (class index, 0/1 or value) and :data:`VALID` (the split).
    """

    frame: dd.DataFrame
    encoding: Encoding
    n_rows: int
    n_valid: int
    n_dropped_missing_target: int
    class_counts: tuple[int, ...] | None

    @property
    def features(self) -> list[str]:
        """The feature columns, in model order."""
        return list(self.encoding.spec.names)


def validation_mask(rows: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """True for the rows whose seeded hash of ``row`` falls under ``fraction`` (splitmix64)."""
    with np.errstate(over="ignore"):
        z = rows.astype(np.uint64) + _GOLDEN * np.uint64(seed + 1)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    uniform = (z >> np.uint64(11)).astype(np.float64) / float(2**53)
    return np.asarray(uniform < fraction)


def build_encoding(
    schema: Schema, parted: PartedTable, *, validation_fraction: float, seed: int
) -> Encoding:
    """The encoding of ``schema``'s features and target, with whole-table categories.

    Raises
    ------
    DataError
        When the target has more than :data:`MAX_CLASSES` classes over the whole table.
    """
    kinds = {c.name: c.kind for c in schema.columns if c.role == "feature"}
    categories: dict[str, tuple[str, ...]] = {}
    for name in schema.features:
        if kinds[name] == "categorical":
            values = parted.distinct.get(name)
            # Past the distinct limit the categories are too many to list: none is kept,
            # and the column is read as missing (the profile on the sample allowed it).
            categories[name] = tuple(sorted({str(v) for v in values or ()}))
    spec = FeatureSpec(
        names=schema.features,
        display_names={n: schema.display_names[n] for n in schema.features},
        kinds=dict[str, str](kinds),
        categories=categories,
    )
    numeric: tuple[float, ...] | None = None
    classes: tuple[str, ...] | None = None
    if schema.task in ("binary", "multiclass"):
        values = parted.distinct.get(schema.target)
        display = schema.display_names[schema.target]
        if values is None or len(values) > MAX_CLASSES:
            raise DataError(
                f"The target {display!r} has more than {MAX_CLASSES} distinct values over "
                "the whole table; at most that many classes are supported. Choose the "
                "regression task or another target.",
                code="too_many_classes",
                n=len(values) if values is not None else DISTINCT_LIMIT + 1,
                maximum=MAX_CLASSES,
            )
        numeric, classes = _class_labels(values, parted.dtypes[schema.target])
    return Encoding(spec, schema.target, schema.task, numeric, classes, validation_fraction, seed)


def _class_labels(
    values: tuple[object, ...], dtypes: tuple[str, ...]
) -> tuple[tuple[float, ...] | None, tuple[str, ...]]:
    """Class labels as :func:`explainers.build_dataset` makes them (sorted numbers or text)."""
    is_number = all(t.startswith(("int", "uint", "float", "Int", "Float")) for t in dtypes)
    if is_number:
        uniques = np.sort(np.asarray(values, dtype=np.float64))
        labels = tuple(str(int(v)) if float(v).is_integer() else str(v) for v in uniques)
        return tuple(float(v) for v in uniques), labels
    return None, tuple(sorted({str(v) for v in values}))


def encode_frame(frame: pd.DataFrame, encoding: Encoding) -> pd.DataFrame:
    """Encode one partition (indexed by ``row``): features, target, split; rows with a
    missing target (or a regression target XGBoost cannot hold) are dropped."""
    target = frame[encoding.target]
    keep = target.notna().to_numpy().copy()
    if encoding.task == "regression":
        numeric = pd.to_numeric(target, errors="coerce").to_numpy("float64", na_value=np.nan)
        keep &= np.isfinite(numeric) & ~out_of_range(numeric)  # as build_dataset keeps
    kept = frame.loc[keep]
    out = encoding.spec.encode(kept)
    values = kept[encoding.target]
    if encoding.task == "regression":
        out[TARGET] = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    elif encoding.numeric_classes is not None:
        codes = np.searchsorted(np.asarray(encoding.numeric_classes), values.to_numpy(float))
        out[TARGET] = codes.astype(np.int32)
    else:
        labels = list(encoding.classes or ())
        codes = pd.Categorical(values.astype(str), categories=labels).codes
        out[TARGET] = np.asarray(codes, dtype=np.int32)
    rows = out.index.to_numpy(dtype=np.int64)
    out[VALID] = validation_mask(rows, encoding.validation_fraction, encoding.seed)
    return out


def encode_part(
    path: str, offset: int, encoding: Encoding, targets: dict[str, Target]
) -> pd.DataFrame:
    """Read part ``path`` (first ``row`` at ``offset``), bring its columns to the table's
    reading ``targets`` and encode it (runs on a worker)."""
    frame = read_part_frame(path, targets)
    frame.index = pd.RangeIndex(offset, offset + len(frame), name="row")
    return encode_frame(frame, encoding)


def build_cluster_dataset(
    client: Client, parted: PartedTable, encoding: Encoding, meta_frame: pd.DataFrame
) -> ClusterDataset:
    """Encode every part on the workers and keep the result in the cluster's memory.

    ``meta_frame`` is any frame with the table's columns (an empty sample will do); it
    gives the result's columns and dtypes.
    """
    empty = meta_frame.iloc[:0].copy()
    empty.index = pd.RangeIndex(0, 0, name="row")
    meta = encode_frame(empty, encoding)
    frame = dd.from_map(
        encode_part,
        list(parted.paths),
        list(parted.offsets),
        encoding=encoding,
        targets=parted.targets,
        meta=meta,
        enforce_metadata=False,
    )
    frame = client.persist(frame)
    counts = client.compute(
        [frame.map_partitions(len), frame[VALID].sum(), frame[TARGET].value_counts(split_out=1)],
        sync=True,
    )
    lengths, n_valid, by_class = counts
    n_rows = int(np.sum(lengths))
    class_counts = None
    if encoding.classes is not None:
        class_counts = tuple(int(by_class.get(i, 0)) for i in range(len(encoding.classes)))
    if n_rows < 20:
        raise DataError(
            f"Only {n_rows} usable rows remain; at least 20 are needed. Add rows.",
            code="too_few_rows",
            n=n_rows,
            minimum=20,
        )
    return ClusterDataset(
        frame=frame,
        encoding=encoding,
        n_rows=n_rows,
        n_valid=int(n_valid),
        n_dropped_missing_target=parted.n_rows - n_rows,
        class_counts=class_counts,
    )


def class_weights(
    counts: tuple[int, ...] | None, task: Task, mode: ClassWeight
) -> np.ndarray | None:
    """Weight of each class, by the single-process rule: balanced when asked, or under
    ``auto`` when the rarest class has under a third of the commonest's rows."""
    if counts is None or task in ("regression", "survival") or mode == "none":
        return None
    present = np.asarray([c for c in counts if c > 0])
    if mode == "auto" and present.min() >= present.max() / 3:
        return None
    n = float(sum(counts))
    return np.asarray(n / (len(counts) * np.maximum(np.asarray(counts), 1)), dtype=float)
