"""Computing once per distinct row against bare XGBoost: ``make bench-distinct``.

A benchmark, not a test: it writes ``benchmarks/results/distinct-rows-<UTC date>.json``
and ``.md``. The table is shaped like the real personnel table of issue 15 (five
categorical features and three integer ones); the model is XGBoost with 200 trees of
depth 6. Two tables of that shape are explained, side by side in one run:

- *distinct*: every feature row different;
- *repetitive*: rows drawn from ``--distinct`` distinct feature rows;
- *repetitive, large*: the same at ``--large-rows`` rows, :func:`explainers.compute_shap`
  only (bare XGBoost would take about half an hour per repeat on 2 cores).

On each, with the repeats interleaved (this machine is shared and noisy), the median
seconds of: bare XGBoost ``pred_contribs`` on every row; :func:`explainers.compute_shap`
as every caller runs it (a sample decides whether to compute distinct rows only; it also
computes the margin); the same with ``distinct=False``. The same for predictions
(``output_margin``). The values of the three are checked equal before timing.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from benchmarks.app_timing import save_results
from benchmarks.run import machine_info
from explainers import TrainedModel, compute_shap, explain_file
from explainers._distinct import PREDICT_POLICY, SHAP_POLICY, plan_distinct
from explainers._training import TrainingOptions

TREES, DEPTH = 200, 6
CATEGORIES = {
    "department": 12,
    "grade": 8,
    "contract": 3,
    "site": 6,
    "shift": 4,
}
INTEGERS = {"age": (18, 70), "years_of_service": (0, 45), "overtime_hours": (0, 200)}


def personnel_rows(n: int, seed: int) -> pd.DataFrame:
    """``n`` feature rows shaped like the personnel table (raw text and integers)."""
    rng = np.random.default_rng(seed)
    data: dict[str, Any] = {
        name: rng.choice([f"{name}_{i}" for i in range(size)], size=n)
        for name, size in CATEGORIES.items()
    }
    for name, (low, high) in INTEGERS.items():
        data[name] = rng.integers(low, high + 1, size=n)
    return pd.DataFrame(data)


def distinct_table(n: int, seed: int) -> pd.DataFrame:
    """``n`` feature rows, all different."""
    rows = personnel_rows(int(n * 1.2) + 100, seed).drop_duplicates()
    return rows.iloc[:n].reset_index(drop=True)


def repetitive_table(n: int, distinct: int, seed: int) -> pd.DataFrame:
    """``n`` feature rows drawn from ``distinct`` different ones."""
    base = distinct_table(distinct, seed)
    picked = np.random.default_rng(seed + 1).integers(0, distinct, size=n)
    return base.iloc[picked].reset_index(drop=True)


def bench_model(seed: int) -> TrainedModel:
    """The project's model of a personnel-like table, grown to 200 trees of depth 6."""
    frame = distinct_table(20_000, seed)
    rng = np.random.default_rng(seed)
    score = (frame["age"] - 44) / 15 + (frame["grade"].isin(["grade_1", "grade_2"])) * 1.0
    frame["left"] = np.where(score + rng.normal(size=len(frame)) > 0.5, "yes", "no")
    buffer = io.BytesIO()
    frame.to_csv(buffer, index=False)
    options = TrainingOptions(n_estimators=20, max_depth=DEPTH, seed=seed)
    run = explain_file(
        buffer.getvalue(), name="personnel.csv", target="left", rows=100, options=options
    )
    params = {"objective": "binary:logistic", "max_depth": DEPTH, "nthread": os.cpu_count() or 1}
    train = run.model.dmatrix(run.dataset.X)
    train.set_label(run.dataset.y)
    booster = xgb.train(params, train, num_boost_round=TREES)
    return replace(run.model, booster=booster)


def median_seconds(work: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median seconds of each piece of ``work``, the repeats interleaved."""
    seconds: dict[str, list[float]] = {name: [] for name in work}
    names = list(work)
    for repeat in range(repeats):  # each piece goes first in turn: no seat is favoured
        for name in names[repeat % len(names) :] + names[: repeat % len(names)]:
            job = work[name]
            start = time.perf_counter()
            job()
            seconds[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in seconds.items()}


def measure(
    model: TrainedModel,
    raw: pd.DataFrame,
    repeats: int,
    *,
    slow: bool = True,
    every_row: bool = True,
) -> dict[str, Any]:
    """Check, then time, SHAP values and predictions of ``raw`` three ways (without
    ``slow``, only :func:`compute_shap` and ``predict_margin``; without ``every_row``, not
    ``compute_shap(distinct=False)``)."""
    X = model.spec.encode(raw)
    booster = model.booster.copy()
    booster.set_param({"nthread": os.cpu_count() or 1})

    def matrix() -> xgb.DMatrix:
        return xgb.DMatrix(X, enable_categorical=True, nthread=os.cpu_count() or 1)

    ours = compute_shap(model, X, device="cpu")
    if slow:
        bare = np.asarray(booster.predict(matrix(), pred_contribs=True), dtype=np.float64)
        if not np.array_equal(ours.values[:, 0, :], bare[:, :-1]):
            raise AssertionError("SHAP values of distinct rows differ from XGBoost's")
    margin = np.asarray(booster.predict(matrix(), output_margin=True), dtype=np.float64)
    if not np.array_equal(model.predict_margin(X)[:, 0], margin):
        raise AssertionError("margins of distinct rows differ from XGBoost's")
    shap_work: dict[str, Callable[[], object]] = {
        "compute_shap": lambda: compute_shap(model, X, device="cpu")
    }
    if slow:
        shap_work["bare_pred_contribs"] = lambda: booster.predict(matrix(), pred_contribs=True)
    if slow and every_row:
        shap_work["compute_shap_every_row"] = lambda: compute_shap(
            model, X, device="cpu", distinct=False
        )
    shap_s = median_seconds(shap_work, repeats)
    predict_s = median_seconds(
        {
            "bare_output_margin": lambda: booster.predict(matrix(), output_margin=True),
            "predict_margin": lambda: model.predict_margin(X),
            "predict_margin_every_row": lambda: model.predict_margin(X, distinct=False),
        },
        repeats,
    )
    decide_s = median_seconds(
        {
            "shap_decision": lambda: plan_distinct(X, policy=SHAP_POLICY),
            "predict_decision": lambda: plan_distinct(X, policy=PREDICT_POLICY),
        },
        repeats,
    )
    return {
        "rows": len(X),
        "distinct_rows": ours.distinct_rows,
        "shap_seconds": shap_s,
        "predict_seconds": predict_s,
        "decision_seconds": decide_s,
        "shap_ratio_to_bare": shap_s["compute_shap"] / shap_s["bare_pred_contribs"]
        if slow
        else None,
        "shap_ratio_to_every_row": shap_s["compute_shap"] / shap_s["compute_shap_every_row"]
        if slow and every_row
        else None,
        "predict_ratio_to_bare": predict_s["predict_margin"] / predict_s["bare_output_margin"],
    }


def _cell(value: float | None) -> str:
    return "not run" if value is None else f"{value:.3f}"


def report(payload: dict[str, Any]) -> list[str]:
    """The markdown page of ``payload``."""
    m = payload["machine"]
    lines = [
        f"# Compute once per distinct row, {m['date']}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores; xgboost {m.get('xgboost')}, "
        f"numpy {m.get('numpy')}, pandas {m.get('pandas')}. Model: {TREES} trees of depth "
        f"{DEPTH}, 5 categorical + 3 integer features. Medians of {payload['repeats']} "
        "interleaved repeats; values checked equal to XGBoost's on every row first.",
        "",
        "| table | rows | distinct rows computed | bare pred_contribs s | compute_shap s "
        "| every row s | ratio to every row | ratio to bare | bare margin s "
        "| predict_margin s | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in payload["tables"].items():
        s, p = r["shap_seconds"], r["predict_seconds"]
        computed = r["distinct_rows"] if r["distinct_rows"] is not None else "all (skipped)"
        lines.append(
            f"| {name} | {r['rows']:,} | {computed} | {_cell(s.get('bare_pred_contribs'))} "
            f"| {s['compute_shap']:.3f} | {_cell(s.get('compute_shap_every_row'))} "
            f"| {_cell(r['shap_ratio_to_every_row'])} | {_cell(r['shap_ratio_to_bare'])} "
            f"| {p['bare_output_margin']:.3f} "
            f"| {p['predict_margin']:.3f} | {r['predict_ratio_to_bare']:.3f} |"
        )
    lines += ["", "Decision cost (sample, and the scan when it is done), seconds:", ""]
    for name, r in payload["tables"].items():
        d = r["decision_seconds"]
        lines.append(
            f"- {name}: SHAP policy {d['shap_decision']:.4f}, "
            f"prediction policy {d['predict_decision']:.4f}"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    """Time both tables, write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distinct-table-rows", type=int, default=5_000)
    parser.add_argument("--repetitive-rows", type=int, default=20_000)
    parser.add_argument(
        "--large-rows", type=int, default=1_000_000, help="repetitive, compute_shap only"
    )
    parser.add_argument("--distinct", type=int, default=1_000, help="distinct rows it repeats")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    model = bench_model(args.seed)
    tables = {
        "distinct": distinct_table(args.distinct_table_rows, args.seed + 7),
        "repetitive": repetitive_table(args.repetitive_rows, args.distinct, args.seed + 9),
    }
    large = repetitive_table(args.large_rows, args.distinct, args.seed + 9)
    machine = machine_info()
    results = {
        "distinct": measure(model, tables["distinct"], args.repeats),
        "repetitive": measure(model, tables["repetitive"], args.repeats, every_row=False),
    }
    results["repetitive, large"] = measure(model, large, args.repeats, slow=False)
    payload: dict[str, Any] = {
        "machine": machine,
        "trees": TREES,
        "depth": DEPTH,
        "repeats": args.repeats,
        "tables": results,
    }
    save_results("distinct-rows", payload, report(payload))


if __name__ == "__main__":
    main()
