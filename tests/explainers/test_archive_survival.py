"""Saved survival analyses (.xai): reopened without retraining, tampered ones refused.

References are independent of the archive code: the original run's arrays and
booster, XGBoost's own ``pred_contribs`` on the loaded model, scikit-survival's
concordance index and Kaplan-Meier estimator on the reopened validation rows.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sksurv.metrics import concordance_index_censored
from sksurv.nonparametric import kaplan_meier_estimator
from synthetic_tables import cox_table, to_csv_bytes

from explainers import DataError, TrainingOptions, read_table, run_pipeline
from explainers._archive import OpenedAnalysis, open_analysis, save_analysis
from explainers._export import csv_bytes, shap_frame
from explainers._pipeline import ExplainRun, explain_file
from explainers._survival.explain import survival_curves
from sample_data import load_sample_bytes

SMALL = TrainingOptions(n_estimators=30, max_depth=2, seed=0)


def _survival_run(options: TrainingOptions = SMALL) -> ExplainRun:
    return explain_file(
        to_csv_bytes(cox_table()),
        name="cox.csv",
        task="survival",
        time="follow_up_days",
        event="dead",
        device="cpu",
        rows=60,
        options=options,
    )


@pytest.fixture(scope="module")
def cox_run() -> ExplainRun:
    """A small Cox model of the synthetic table."""
    return _survival_run()


@pytest.fixture(scope="module")
def saved(cox_run) -> bytes:
    """The Cox run saved with its table."""
    buffer = io.BytesIO()
    save_analysis(cox_run, buffer, include_table=True)
    return buffer.getvalue()


def _round_trip(run: ExplainRun, *, include_table: bool) -> OpenedAnalysis:
    buffer = io.BytesIO()
    save_analysis(run, buffer, include_table=include_table)
    return open_analysis(buffer.getvalue())


def _same_arrays(mine: object, theirs: object, names: tuple[str, ...]) -> None:
    for name in names:
        a, b = np.asarray(getattr(mine, name)), np.asarray(getattr(theirs, name))
        assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True), name


@pytest.mark.parametrize("include_table", [False, True])
def test_a_cox_run_reopens_with_identical_results(cox_run, include_table):
    """Check SHAP values, margins, metrics, KM curves and the fit against the original run."""
    opened = _round_trip(cox_run, include_table=include_table)
    assert opened.model.task == "survival" and opened.has_table is include_table
    _same_arrays(opened.shap, cox_run.shap, ("values", "base_values", "margin", "rows"))
    assert csv_bytes(shap_frame(opened.shap, opened.model)) == csv_bytes(
        shap_frame(cox_run.shap, cox_run.model)
    )
    assert opened.schema == cox_run.schema and opened.model.options == cox_run.model.options
    assert (opened.schema.time, opened.schema.event_value) == ("follow_up_days", None)

    fit, want = opened.model.survival, cox_run.model.survival
    assert fit is not None and want is not None
    assert (fit.model, fit.time, fit.event, fit.event_value) == (
        "cox",
        "follow_up_days",
        "dead",
        None,
    )
    assert fit.reference_margin == want.reference_margin
    _same_arrays(fit, want, ("event_times", "baseline_hazard"))

    got, expected = opened.evaluation, cox_run.evaluation
    np.testing.assert_equal(got.metrics, expected.metrics)
    _same_arrays(got, expected, ("y_true", "y_score", "y_pred"))
    mine, theirs = got.survival, expected.survival
    assert mine is not None and theirs is not None
    assert (mine.c_index, mine.c_index_interval, mine.n_bootstrap) == (
        theirs.c_index,
        theirs.c_index_interval,
        theirs.n_bootstrap,
    )
    np.testing.assert_equal(
        (mine.mean_auc, mine.integrated_brier), (theirs.mean_auc, theirs.integrated_brier)
    )
    _same_arrays(mine, theirs, ("auc_times", "auc", "brier_times", "time", "event", "risk"))
    assert [c.group for c in mine.kaplan_meier] == [c.group for c in theirs.kaplan_meier]
    for a, b in zip(mine.kaplan_meier, theirs.kaplan_meier, strict=True):
        assert (a.n_rows, a.n_events, a.risk_range) == (b.n_rows, b.n_events, b.risk_range)
        _same_arrays(a, b, ("time", "survival"))
    assert opened.n_events == int(cox_table()["dead"].sum())


def test_reopened_model_gives_the_same_margins_shap_and_survival_curves(cox_run):
    """Check the loaded booster against the original's margins and XGBoost's pred_contribs."""
    opened = _round_trip(cox_run, include_table=False)
    X = cox_run.dataset.X
    original = cox_run.model.booster.predict(cox_run.model.dmatrix(X), output_margin=True)
    assert np.array_equal(opened.model.predict_margin(X)[:, 0], original)
    explained = X.iloc[opened.shap.rows]
    contribs = opened.model.booster.predict(opened.model.dmatrix(explained), pred_contribs=True)
    np.testing.assert_allclose(opened.shap.values[:, 0, :], contribs[:, :-1], atol=1e-6)
    np.testing.assert_allclose(opened.shap.base_values[:, 0], contribs[:, -1], atol=1e-6)
    for times in (None, np.array([0.0, 1.5, 4.0, 12.0])):
        mine = survival_curves(opened.model, X.iloc[:25], times=times)
        theirs = survival_curves(cox_run.model, X.iloc[:25], times=times)
        assert np.array_equal(mine.time, theirs.time)
        assert np.array_equal(mine.survival, theirs.survival)


def test_reopened_metrics_match_scikit_survival(cox_run):
    """Check the reopened C-index and KM curves against scikit-survival on the saved rows."""
    survival = _round_trip(cox_run, include_table=False).evaluation.survival
    assert survival is not None
    expected = concordance_index_censored(survival.event, survival.time, survival.risk)[0]
    assert survival.c_index == pytest.approx(expected, abs=1e-12)
    cuts = np.quantile(survival.risk, [1 / 3, 2 / 3])
    codes = np.searchsorted(cuts, survival.risk, side="right")
    for code, curve in enumerate(survival.kaplan_meier):
        inside = codes == code
        steps, probability = kaplan_meier_estimator(survival.event[inside], survival.time[inside])
        np.testing.assert_allclose(curve.time[1:], steps)
        np.testing.assert_allclose(curve.survival[1:], probability)


def test_with_the_table_the_dataset_time_and_event_are_rebuilt(cox_run):
    """Check the dataset's time, event, target and features from the saved table."""
    opened = _round_trip(cox_run, include_table=True)
    again = opened.run
    assert again is not None
    frame = cox_table()
    assert again.dataset.time is not None and again.dataset.event is not None
    np.testing.assert_array_equal(again.dataset.time, frame["follow_up_days"].to_numpy())
    np.testing.assert_array_equal(again.dataset.event, frame["dead"].to_numpy() == 1)
    assert again.dataset.event.dtype == cox_run.dataset.event.dtype
    assert np.array_equal(again.dataset.y, cox_run.dataset.y)
    pd.testing.assert_frame_equal(again.dataset.X, cox_run.dataset.X)


def test_an_aft_run_reopens_with_the_same_survival_curves():
    """Check an AFT model (no baseline hazard) round trips its distribution and curves."""
    options = TrainingOptions(
        n_estimators=20, max_depth=2, survival_model="aft", aft_distribution="logistic"
    )
    run = _survival_run(options)
    opened = _round_trip(run, include_table=False)
    fit = opened.model.survival
    assert fit is not None and (fit.model, fit.aft_distribution) == ("aft", "logistic")
    assert fit.event_times.size == 0 and fit.baseline_hazard.size == 0
    times = np.array([1.0, 5.0, 20.0])
    X = run.dataset.X.iloc[:10]
    mine, theirs = (
        survival_curves(opened.model, X, times=times),
        survival_curves(run.model, X, times=times),
    )
    assert np.array_equal(mine.survival, theirs.survival)
    assert opened.evaluation.survival is not None and run.evaluation.survival is not None
    assert np.array_equal(opened.evaluation.survival.risk, run.evaluation.survival.risk)


def test_versions_a_survival_file_is_2_others_stay_1(saved):
    """Check survival files are version 2, others version 1, and 1 cannot hold survival."""
    manifest = json.loads(_members(saved)["manifest.json"])
    assert manifest["schema_version"] == 2
    table = read_table(load_sample_bytes("diabetes"), name="diabetes.csv")
    run = run_pipeline(table, rows=20, options=TrainingOptions(n_estimators=5), device="cpu")
    buffer = io.BytesIO()
    assert save_analysis(run, buffer).schema_version == 1
    assert json.loads(_members(buffer.getvalue())["manifest.json"])["schema_version"] == 1
    assert open_analysis(buffer.getvalue()).model.survival is None
    older = _tampered(saved, manifest=lambda d: {**d, "schema_version": 1})
    _refused(older, "archive_unknown_member", "survival")


# --- tampered survival members -------------------------------------------------------


def _members(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def _tampered(
    archive: bytes,
    *,
    replace: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
    manifest: Callable[[dict[str, object]], dict[str, object]] | None = None,
) -> bytes:
    """``archive`` with members replaced or dropped and the manifest re-hashed to match."""
    members = _members(archive)
    members.update(replace or {})
    document = json.loads(members.pop("manifest.json"))
    entries = []
    for entry in document["members"]:
        if entry["name"] in drop:
            continue
        data = members[entry["name"]]
        entries.append({**entry, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    document["members"] = entries
    document = manifest(document) if manifest is not None else document
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("manifest.json", json.dumps(document))
        for name, data in members.items():
            if name not in drop:
                out.writestr(name, data)
    return buffer.getvalue()


def _refused(data: bytes, code: str, match: str) -> DataError:
    with pytest.raises(DataError, match=match) as caught:
        open_analysis(data)
    assert caught.value.code == code, (caught.value.code, caught.value.params)
    return caught.value


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _edited_arrays(archive: bytes, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> bytes:
    """``survival.parquet`` edited as a frame (array, group, position, value)."""
    frame = pq.read_table(io.BytesIO(_members(archive)["survival.parquet"])).to_pandas()
    edited = edit(frame.copy())
    table = pa.table(
        {
            "array": pa.array(edited["array"].tolist(), type=pa.string()),
            "group": pa.array(edited["group"].tolist(), type=pa.string()),
            "position": edited["position"].to_numpy(),
            "value": edited["value"].to_numpy(),  # NaN stays NaN (not null)
        }
    )
    return _tampered(archive, replace={"survival.parquet": _parquet(table)})


def _set(array: str, position: int, value: float, group: str = "") -> Callable:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        row = (
            (frame["array"] == array) & (frame["group"] == group) & (frame["position"] == position)
        )
        assert row.sum() == 1
        frame.loc[row, "value"] = value
        return frame

    return edit


def _drop_last(array: str) -> Callable:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        rows = frame.index[frame["array"] == array]
        return frame.drop(index=rows[-1])

    return edit


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (_set("event_times", 1, -1.0), "event_times"),  # no longer increasing
        (_set("event_times", 0, np.nan), "event_times"),
        (_set("baseline_hazard", 2, np.nan), "baseline_hazard"),
        (_set("baseline_hazard", 0, 1e9), "baseline_hazard"),  # the hazard falls after it
        (_set("baseline_hazard", 0, -0.5), "baseline_hazard"),
        (_drop_last("baseline_hazard"), "baseline_hazard"),  # one value fewer than times
        (_drop_last("event_times"), "baseline_hazard"),
        (_set("auc", 0, 1.5), "auc"),
        (_drop_last("auc"), "auc"),
        (_set("auc_times", 0, np.inf), "auc_times"),
        (_set("km_survival", 1, 1.2, "low"), "km_survival.low"),
        (_set("km_survival", 0, 0.9, "high"), "km_survival.high"),  # does not start at 1
        (_set("km_time", 0, 3.0, "middle"), "km_time.middle"),  # does not start at 0
        (_drop_last("km_time"), "km_survival.high"),
    ],
)
def test_tampered_survival_arrays_are_refused(saved, edit, field):
    """Check that non-monotone, non-finite, out-of-range or short survival arrays are refused."""
    error = _refused(_edited_arrays(saved, edit), "archive_bad_member", "survival.parquet")
    assert error.params == {"member": "survival.parquet", "field": field}


def _first_curve(document: dict) -> dict:
    curve: dict = document["evaluation"]["kaplan_meier"][0]
    return curve


def _edited_document(archive: bytes, edit: Callable[[dict], None]) -> bytes:
    document = json.loads(_members(archive)["survival.json"])
    edit(document)
    return _tampered(archive, replace={"survival.json": json.dumps(document).encode()})


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d["fit"].update(time="x1"), "fit.time"),
        (lambda d: d["fit"].update(event="x2"), "fit.event"),
        (lambda d: d["fit"].update(event_value="2"), "fit.event_value"),
        (lambda d: d["fit"].update(model="aft"), "fit.model"),
        (lambda d: d["fit"].update(reference_margin=None), "fit.reference_margin"),
        (lambda d: d["fit"].update(aft_scale="1"), "fit.aft_scale"),
        (lambda d: d.update(n_events=10**9), "n_events"),
        (lambda d: d.update(n_events=3), "n_events"),  # not the table's events
        (lambda d: d["evaluation"]["kaplan_meier"].reverse(), "evaluation.kaplan_meier"),
        (
            lambda d: _first_curve(d).update(n_rows=_first_curve(d)["n_rows"] + 1),
            "evaluation.kaplan_meier",
        ),
        (
            lambda d: d["evaluation"]["kaplan_meier"][0].update(risk_range=[2.0, 1.0]),
            "evaluation.kaplan_meier[0].risk_range",
        ),
        (lambda d: d["evaluation"].pop("n_bootstrap"), "evaluation.n_bootstrap"),
    ],
)
def test_tampered_survival_document_is_refused(saved, edit, field):
    """Check that survival.json disagreeing with the schema, table or its arrays is refused."""
    error = _refused(_edited_document(saved, edit), "archive_bad_member", "survival.json")
    assert error.params == {"member": "survival.json", "field": field}


def _edited_evaluation(archive: bytes, column: str, values: np.ndarray) -> bytes:
    table = pq.read_table(io.BytesIO(_members(archive)["evaluation.parquet"]))
    position = table.column_names.index(column)
    table = table.set_column(
        position, column, pa.array(values, type=table.schema.field(column).type)
    )
    return _tampered(archive, replace={"evaluation.parquet": _parquet(table)})


def test_tampered_validation_rows_are_refused(saved, cox_run):
    """Check validation time, event and risk that disagree with the labels or margins."""
    survival = cox_run.evaluation.survival
    assert survival is not None
    cases = {
        "time": np.where(np.arange(len(survival.time)) == 0, -1.0, survival.time),
        "event": ~survival.event,
        "risk": survival.risk + 1e-9,
    }
    for column, values in cases.items():
        error = _refused(
            _edited_evaluation(saved, column, values), "archive_bad_member", "evaluation.parquet"
        )
        assert error.params["field"] == column


def test_missing_or_misplaced_survival_members_are_refused(saved):
    """Check a survival file without its members, and survival members in another task's file."""
    dropped = _tampered(saved, drop=("survival.json", "survival.parquet"))
    error = _refused(dropped, "archive_missing_member", "survival.json")
    assert error.params["reason"] == "required"
    _refused(_tampered(saved, drop=("survival.parquet",)), "archive_missing_member", "survival")
    table = read_table(load_sample_bytes("diabetes"), name="diabetes.csv")
    run = run_pipeline(table, rows=20, options=TrainingOptions(n_estimators=5), device="cpu")
    buffer = io.BytesIO()
    save_analysis(run, buffer)
    members = _members(saved)
    foreign = _tampered(
        buffer.getvalue(),
        replace={name: members[name] for name in ("survival.json", "survival.parquet")},
        manifest=lambda d: {
            **d,
            "schema_version": 2,
            "members": [
                *d["members"],  # type: ignore[misc]
                *(
                    {
                        "name": name,
                        "kind": name.rsplit(".", 1)[1],
                        "sha256": hashlib.sha256(members[name]).hexdigest(),
                        "size": len(members[name]),
                    }
                    for name in ("survival.json", "survival.parquet")
                ),
            ],
        },
    )
    error = _refused(foreign, "archive_bad_member", "settings.json")
    assert error.params["field"] == "model.task"


def test_a_model_with_another_objective_is_refused(saved):
    """Check that a non-survival booster inside a survival file is refused as a mismatch."""
    table = read_table(load_sample_bytes("diabetes"), name="diabetes.csv")
    run = run_pipeline(table, rows=20, options=TrainingOptions(n_estimators=5), device="cpu")
    other = bytes(run.model.booster.save_raw("ubj"))
    changed = _tampered(saved, replace={"model.ubj": other})
    error = _refused(changed, "archive_model_mismatch", "does not match its settings")
    assert error.params["reason"] == "task"


def test_a_table_whose_events_differ_is_refused(saved):
    """Check that a saved target that is not the table's event is refused."""
    table = pq.read_table(io.BytesIO(_members(saved)["dataset.parquet"]))
    y = table.column("y").to_numpy().copy()
    y[0] = 1 - y[0]
    changed = table.set_column(1, "y", pa.array(y, type=table.schema.field("y").type))
    error = _refused(
        _tampered(saved, replace={"dataset.parquet": _parquet(changed)}),
        "archive_bad_member",
        "dataset.parquet",
    )
    assert error.params["field"] == "y"


def test_a_status_column_with_an_event_value_round_trips():
    """Check a 0/1/2 status with event value 2: the fit, schema and rebuilt events agree."""
    frame = cox_table(n=400, seed=7)
    frame["dead"] = np.where(frame["dead"] == 1, 2, np.where(np.arange(400) % 2, 0, 1))
    run = explain_file(
        to_csv_bytes(frame),
        name="status.csv",
        task="survival",
        time="follow_up_days",
        event="dead",
        event_value="2",
        device="cpu",
        rows=30,
        options=SMALL,
    )
    opened = _round_trip(run, include_table=True)
    assert opened.schema.event_value == "2"
    assert opened.model.survival is not None and opened.model.survival.event_value == "2"
    assert opened.dataset is not None and opened.dataset.event is not None
    np.testing.assert_array_equal(opened.dataset.event, frame["dead"].to_numpy() == 2)
    assert opened.n_events == int((frame["dead"] == 2).sum())


def test_a_file_saved_before_survival_still_opens():
    """Check a version-1 file without the survival fields of schema.json and the options (nor
    the later cap on training rows)."""
    table = read_table(load_sample_bytes("diabetes"), name="diabetes.csv")
    run = run_pipeline(table, rows=20, options=TrainingOptions(n_estimators=5), device="cpu")
    buffer = io.BytesIO()
    save_analysis(run, buffer)
    members = _members(buffer.getvalue())
    schema = json.loads(members["schema.json"])
    settings = json.loads(members["settings.json"])
    for key in ("time", "event_value", "survival_suggestion"):
        del schema[key]
    for key in ("survival_model", "aft_distribution", "aft_scale", "max_train_rows"):
        del settings["model"]["options"][key]
    old = _tampered(
        buffer.getvalue(),
        replace={
            "schema.json": json.dumps(schema).encode(),
            "settings.json": json.dumps(settings).encode(),
        },
    )
    opened = open_analysis(old)
    assert opened.schema == run.schema and opened.model.options == run.model.options
    assert (opened.schema.time, opened.model.survival, opened.evaluation.survival) == (
        None,
        None,
        None,
    )
