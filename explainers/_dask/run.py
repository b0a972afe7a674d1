"""The whole path on a Dask cluster: parts, sample schema, encoding, training, model
worth, SHAP.

The stages are the single-process ones (:mod:`explainers._pipeline`) wherever a sample
is enough (profiling, the schema and its findings) and their cluster forms where every
row counts (encoding, training, metrics, SHAP). What runs where:

- client: lists the part files, profiles a seeded sample of rows, holds the whole
  table's small facts, the booster, the validation labels and predictions, a seeded
  sample of encoded training and validation rows for the baselines, tree curve and
  deployment facts (:mod:`.worth`), and one partition of SHAP values at a time
  (written to disk as it arrives);
- workers: read and encode the parts (kept in the cluster's memory), train with
  ``xgboost.dask``, predict, and compute SHAP values.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

from .._evaluation import Evaluation
from .._findings import Finding, model_findings
from .._io.reading import Table
from .._pipeline import sample_rows
from .._schema import Schema, build_schema
from .._training import TrainedModel, TrainingOptions
from .._types import DeviceChoice, Progress, TaskChoice
from .cluster import Connection, cluster_device
from .dataset import build_cluster_dataset, build_encoding
from .failures import cluster_stage
from .parts import PartedTable, sample_table, scan_parts
from .shap_parts import ShapParts, write_shap_parts
from .training import train_on_cluster
from .worth import WORTH_ROWS, ClusterWorth, cluster_worth

PROFILE_ROWS = 100_000
"""Rows of the seeded sample that profiling and the schema read."""


@dataclass(frozen=True)
class ClusterRun:
    """Everything a cluster run produced, with the seconds each stage took.

    ``sample`` is the profiled sample (``sample.n_rows`` rows); ``n_rows`` and
    ``n_dropped_missing_target`` count the whole table's usable and dropped rows;
    ``worth`` holds the baselines, tree curve and deployment facts (on a sample of rows).
    """

    schema: Schema
    sample: Table
    parted: PartedTable
    model: TrainedModel
    evaluation: Evaluation
    shap: ShapParts
    findings: tuple[Finding, ...]
    worth: ClusterWorth
    n_rows: int
    n_dropped_missing_target: int
    n_workers: int
    seconds: dict[str, float]


def explain_on_cluster(
    connection: Connection,
    data: str | os.PathLike[str],
    out: Path,
    *,
    target: str | None = None,
    task: TaskChoice = "auto",
    device: DeviceChoice = "auto",
    seed: int = 0,
    profile_rows: int = PROFILE_ROWS,
    worth_rows: int = WORTH_ROWS,
    options: TrainingOptions | None = None,
    progress: Progress | None = None,
) -> ClusterRun:
    """Explain the table of parts ``data`` on the cluster; write ``out/shap_values.parquet``.

    Parameters
    ----------
    connection
        A connected cluster (:func:`explainers._dask.cluster.connect`).
    data
        A Parquet or CSV file, a folder of parts, or a glob (see
        :func:`explainers._dask.parts.list_parts`).
    out
        The output folder (made if missing); only ``shap_values.parquet`` is written here.
    target, task, seed
        As for :func:`explainers.explain_file`; ``seed`` also draws the profiled sample
        and the validation split.
    profile_rows
        Rows of the seeded sample that profiling and the schema read.
    worth_rows
        Most training rows, and most validation rows, of the seeded sample the baselines,
        the tree curve and the deployment facts use (see
        :func:`explainers._dask.worth.cluster_worth`); all rows when fewer.
    device
        ``auto`` uses the workers' GPUs when every worker has a usable one.
    progress
        Called with ``(done, total, stage)``; SHAP reports each written part.
    """
    report = progress or (lambda done, total, message: None)
    options = options or TrainingOptions(seed=seed)
    client, seconds = connection.client, {}
    start = perf_counter()
    report(0, 1, "load")
    with cluster_stage("reading the parts"):
        parted = scan_parts(client, data)
        positions = sample_rows(parted.n_rows, profile_rows, seed=seed)
        sample = sample_table(client, parted, positions, name=Path(data).name)
    seconds["load"] = perf_counter() - start
    start = perf_counter()
    schema = build_schema(sample, target=target, task=task)
    seconds["profile"] = perf_counter() - start
    start = perf_counter()
    encoding = build_encoding(
        schema, parted, validation_fraction=options.validation_fraction, seed=options.seed
    )
    with cluster_stage("encoding"):
        dataset = build_cluster_dataset(client, parted, encoding, sample.frame)
    seconds["encode"] = perf_counter() - start
    start = perf_counter()
    report(0, 1, "training")
    with cluster_stage("training"):
        chosen = cluster_device(client, device)
        trained = train_on_cluster(client, dataset, schema, options=options, device=chosen)
    report(1, 1, "training")
    seconds["train"] = perf_counter() - start
    report(0, 1, "baselines")
    worth = cluster_worth(client, dataset, schema, trained.model, max_rows=worth_rows, seed=seed)
    seconds.update(worth.seconds)
    report(1, 1, "baselines")
    start = perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    with cluster_stage("computing SHAP values"):
        shap = write_shap_parts(
            client, trained.model, dataset.frame, out, device=chosen, progress=report
        )
    seconds["shap"] = perf_counter() - start
    names = schema.display_names
    findings = schema.findings + model_findings(
        trained.evaluation.metrics,
        classifier=trained.model.task != "regression",
        mean_abs_shap={names.get(f, f): s for f, s in shap.ranking()},
    )
    return ClusterRun(
        schema=schema,
        sample=sample,
        parted=parted,
        model=trained.model,
        evaluation=trained.evaluation,
        shap=shap,
        findings=findings,
        worth=worth,
        n_rows=dataset.n_rows,
        n_dropped_missing_target=dataset.n_dropped_missing_target,
        n_workers=connection.n_workers,
        seconds=seconds,
    )
