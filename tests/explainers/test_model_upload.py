"""Bring your own model: XGBoost JSON/UBJSON files checked, matched to data and explained."""

from __future__ import annotations

import gzip
import io
import json
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from synthetic_tables import (
    synthetic_binary,
    synthetic_multiclass,
    synthetic_regression,
    to_csv_bytes,
)

import explainers._byom.model_file as model_file
from explainers import (
    REASON_TEXT,
    DataError,
    LoadedModel,
    attach_model,
    compute_shap,
    evaluate_model,
    explain_file,
    explain_lime,
    load_model_file,
    read_table,
)
from explainers._byom.checks import name_list
from explainers.cli import main

LEVELS = ["high", "low", "medium"]  # sorted, as scikit-learn's LabelEncoder numbers them


def _binary_frame(n: int = 600) -> pd.DataFrame:
    return synthetic_binary(n)


def _train(X: pd.DataFrame, y: np.ndarray, params: dict, rounds: int = 25) -> xgb.Booster:
    dtrain = xgb.DMatrix(X, label=y, enable_categorical=True)
    return xgb.train({"max_depth": 4, "seed": 0, **params}, dtrain, num_boost_round=rounds)


def _binary_booster(frame: pd.DataFrame) -> tuple[xgb.Booster, pd.DataFrame]:
    X = frame[["x_strong", "x_medium", "x_noise", "colour"]].astype({"colour": "category"})
    y = (frame["outcome"] == "yes").to_numpy(dtype=int)
    return _train(X, y, {"objective": "binary:logistic"}), X


def _multiclass_booster(frame: pd.DataFrame) -> tuple[xgb.Booster, pd.DataFrame]:
    X = frame[["s1", "s2", "z", "mode"]].astype({"mode": "category"})
    y = pd.Categorical(frame["level"], categories=LEVELS).codes
    return _train(X, y, {"objective": "multi:softprob", "num_class": 3}), X


def _regression_booster(frame: pd.DataFrame) -> tuple[xgb.Booster, pd.DataFrame]:
    X = frame[["a", "b", "c"]]
    return _train(X, frame["y"].to_numpy(), {"objective": "reg:squarederror"}), X


def _raw(booster: xgb.Booster, fmt: str = "json") -> bytes:
    return bytes(booster.save_raw(fmt))


def _attach(booster: xgb.Booster, frame: pd.DataFrame, fmt: str = "json", **kwargs):
    loaded = load_model_file(_raw(booster, fmt), name=f"model.{fmt}")
    return attach_model(loaded, read_table(to_csv_bytes(frame), name="data.csv"), **kwargs)


def _contribs(booster: xgb.Booster, X: pd.DataFrame) -> np.ndarray:
    return booster.predict(xgb.DMatrix(X, enable_categorical=True), pred_contribs=True)


@pytest.mark.parametrize("fmt", ["json", "ubj"])
def test_binary_shap_and_predictions_equal_the_original_booster(fmt):
    """Check that SHAP values and probabilities equal the original booster's own outputs."""
    frame = _binary_frame()
    booster, X = _binary_booster(frame)
    attached = _attach(booster, frame, fmt)
    model = attached.model
    assert model.source == "uploaded" and model.task == "binary"
    assert model.classes == ("no", "yes") and model.target == "outcome"
    assert attached.warnings == ()
    assert set(attached.schema.features) == {"x_strong", "x_medium", "x_noise", "colour"}
    shap = compute_shap(model, attached.dataset.X, device="cpu")
    reference = _contribs(booster, X)
    np.testing.assert_allclose(shap.values[:, 0, :], reference[:, :-1], atol=1e-5)
    np.testing.assert_allclose(shap.base_values[:, 0], reference[:, -1], atol=1e-5)
    expected = booster.predict(xgb.DMatrix(X, enable_categorical=True))
    np.testing.assert_allclose(model.predict(attached.dataset.X)[:, 1], expected, atol=1e-5)


def test_uploaded_model_shap_on_the_chosen_device_sums_to_the_margin():
    """Check SHAP on the automatic device (GPU where present) against the original booster."""
    frame = _binary_frame()
    booster, X = _binary_booster(frame)
    attached = _attach(booster, frame, "ubj")
    shap = compute_shap(attached.model, attached.dataset.X, device="auto")
    np.testing.assert_allclose(shap.values[:, 0, :], _contribs(booster, X)[:, :-1], atol=1e-4)
    margin = booster.predict(xgb.DMatrix(X, enable_categorical=True), output_margin=True)
    np.testing.assert_allclose(
        shap.values.sum(axis=2)[:, 0] + shap.base_values[:, 0], margin, atol=1e-4
    )


@pytest.mark.parametrize("fmt", ["json", "ubj"])
def test_multiclass_shap_and_probabilities_equal_the_original_booster(fmt):
    """Check a multi:softprob model with a categorical feature against its own outputs."""
    frame = synthetic_multiclass(600)
    booster, X = _multiclass_booster(frame)
    attached = _attach(booster, frame, fmt, target="level")
    assert attached.model.task == "multiclass" and attached.model.classes == tuple(LEVELS)
    shap = compute_shap(attached.model, attached.dataset.X, device="cpu")
    reference = _contribs(booster, X)
    np.testing.assert_allclose(shap.values, reference[:, :, :-1], atol=1e-5)
    np.testing.assert_allclose(shap.base_values, reference[:, :, -1], atol=1e-5)
    expected = booster.predict(xgb.DMatrix(X, enable_categorical=True))
    np.testing.assert_allclose(attached.model.predict(attached.dataset.X), expected, atol=1e-5)
    assert np.array_equal(attached.dataset.y, pd.Categorical(frame["level"], LEVELS).codes)


@pytest.mark.parametrize("fmt", ["json", "ubj"])
def test_regression_shap_and_predictions_equal_the_original_booster(fmt):
    """Check a regression model's SHAP values and predictions against its own outputs."""
    frame = synthetic_regression(400)
    booster, X = _regression_booster(frame)
    attached = _attach(booster, frame, fmt)
    shap = compute_shap(attached.model, attached.dataset.X, device="cpu")
    reference = _contribs(booster, X)
    np.testing.assert_allclose(shap.values[:, 0, :], reference[:, :-1], atol=1e-5)
    expected = booster.predict(xgb.DMatrix(X))
    np.testing.assert_allclose(attached.model.predict(attached.dataset.X), expected, atol=1e-5)
    evaluation = evaluate_model(attached.model, attached.dataset)
    assert evaluation.n_valid == len(frame)
    rmse = float(np.sqrt(np.mean((frame["y"].to_numpy() - expected) ** 2)))
    assert evaluation.metrics["rmse"] == pytest.approx(rmse, rel=1e-5)


def test_uploaded_model_is_evaluated_on_every_labelled_row():
    """Check that train and validation rows are all labelled rows, and metrics match sklearn."""
    from sklearn.metrics import roc_auc_score

    frame = _binary_frame()
    frame.loc[[3, 4], "outcome"] = np.nan
    booster, X = _binary_booster(frame.fillna({"outcome": "no"}))
    attached = _attach(booster, frame)
    n = len(frame) - 2
    assert len(attached.model.valid_index) == len(attached.model.train_index) == n
    assert attached.dataset.n_dropped_missing_target == 2
    evaluation = evaluate_model(attached.model, attached.dataset)
    keep = frame["outcome"].notna().to_numpy()
    scores = booster.predict(xgb.DMatrix(X[keep], enable_categorical=True))
    truth = (frame.loc[keep, "outcome"] == "yes").to_numpy()
    assert evaluation.metrics["auc"] == pytest.approx(roc_auc_score(truth, scores), abs=1e-6)


def test_numeric_categories_are_matched_by_value():
    """Check a category stored as integers, read back from the data as floats with gaps."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"dose": rng.normal(size=500), "grade": rng.choice([1, 2, 3, 4], 500)})
    frame["y"] = frame["dose"] + np.where(frame["grade"] >= 3, 2.0, 0.0) + rng.normal(0, 0.1, 500)
    X = frame[["dose", "grade"]].astype({"grade": "category"})
    booster = _train(X, frame["y"].to_numpy(), {"objective": "reg:squarederror"})
    data = frame.astype({"grade": "float"})
    data.loc[::17, "grade"] = np.nan  # the column is read as floats: "3.0", not "3"
    X.loc[::17, "grade"] = np.nan
    attached = _attach(booster, data, target="y")
    assert attached.model.spec.categories["grade"] == ("1.0", "2.0", "3.0", "4.0")
    shap = compute_shap(attached.model, attached.dataset.X, device="cpu")
    np.testing.assert_allclose(shap.values[:, 0, :], _contribs(booster, X)[:, :-1], atol=1e-5)


def test_model_without_stored_categories_uses_sorted_data_categories():
    """Check a model file without stored categories: sorted categories, a warning, same SHAP."""
    frame = _binary_frame()
    booster, X = _binary_booster(frame)
    document = json.loads(_raw(booster))
    document["learner"]["gradient_booster"]["model"]["cats"] = {
        "enc": [],
        "feature_segments": [],
        "sorted_idx": [],
    }
    loaded = load_model_file(json.dumps(document).encode(), name="old.json")
    assert loaded.categories == {}
    attached = attach_model(loaded, read_table(to_csv_bytes(frame), name="d.csv"))
    assert "model_categories_inferred" in attached.warnings
    shap = compute_shap(attached.model, attached.dataset.X, device="cpu")
    np.testing.assert_allclose(shap.values[:, 0, :], _contribs(booster, X)[:, :-1], atol=1e-5)


def test_unknown_categories_become_missing_with_a_warning():
    """Check that a category the model never saw is treated as missing and reported."""
    frame = _binary_frame()
    booster, X = _binary_booster(frame)
    data = frame.copy()
    data.loc[:9, "colour"] = "purple"
    attached = _attach(booster, data)
    assert "unknown_categories" in attached.warnings
    assert attached.dataset.X["colour"].iloc[:10].isna().all()
    assert attached.model.spec.categories["colour"] == ("blue", "green", "red")


def test_model_without_feature_names_matches_by_position():
    """Check that a numpy-trained model is matched to the data's columns in order.

    It comes with a warning.
    """
    frame = synthetic_regression(300)
    booster = _train(frame[["a", "b", "c"]].to_numpy(), frame["y"].to_numpy(), {})
    assert booster.feature_names is None
    attached = _attach(booster, frame, target="y")
    assert attached.warnings == ("model_without_feature_names",)
    assert attached.model.spec.names == ("a", "b", "c")
    shap = compute_shap(attached.model, attached.dataset.X, device="cpu")
    reference = booster.predict(xgb.DMatrix(frame[["a", "b", "c"]].to_numpy()), pred_contribs=True)
    np.testing.assert_allclose(shap.values[:, 0, :], reference[:, :-1], atol=1e-5)


def test_model_without_feature_names_and_another_count_is_refused():
    """Check that an unnamed model with a different feature count is refused with both counts."""
    frame = synthetic_regression(300)
    booster = _train(frame[["a", "b"]].to_numpy(), frame["y"].to_numpy(), {})
    with pytest.raises(DataError, match=r"no feature names and uses 2 .* 3 column") as caught:
        _attach(booster, frame, target="y")
    assert caught.value.code == "model_feature_count_mismatch"
    assert caught.value.params == {"n_model": 2, "n_data": 3}


def test_feature_mismatch_lists_missing_and_extra_names():
    """Check that missing features (five named, then "and N more") and extra columns are listed."""
    rng = np.random.default_rng(2)
    names = [f"lab_{i}" for i in range(8)]
    X = pd.DataFrame(rng.normal(size=(200, 8)), columns=names)
    booster = _train(X, rng.normal(size=200), {})
    data = X[["lab_0"]].assign(weight=1.0, height=2.0, y=rng.normal(size=200))
    with pytest.raises(DataError, match=r"7 feature\(s\) that the data lacks") as caught:
        _attach(booster, data, target="y")
    error = caught.value
    assert error.code == "model_features_mismatch"
    assert error.params["missing"] == "lab_1, lab_2, lab_3, lab_4, lab_5 and 2 more"
    assert error.params["n_missing"] == 7
    assert error.params["extra"] == "weight, height" and error.params["n_extra"] == 2
    assert "weight, height" in error.message and "y" not in error.params["extra"]


def test_name_list_shows_five_then_a_count():
    """Check the name list used in messages."""
    assert name_list(["a", "b"]) == "a, b"
    assert name_list([str(i) for i in range(12)]) == "0, 1, 2, 3, 4 and 7 more"
    assert name_list(["two\nlines", "x" * 80]) == "two lines, " + "x" * 59 + "…"


def test_names_xgboost_refuses_match_the_safe_names():
    """Check that a header XGBoost cannot use ("dose [mg]") matches the model's "dose (mg)"."""
    frame = synthetic_regression(300)
    X = frame[["a", "b"]].rename(columns={"a": "dose (mg)"})
    booster = _train(X, frame["y"].to_numpy(), {})
    data = frame.rename(columns={"a": "dose [mg]"}).drop(columns="c")
    attached = _attach(booster, data, target="y")
    assert attached.model.spec.display_names["dose (mg)"] == "dose [mg]"
    shap = compute_shap(attached.model, attached.dataset.X, device="cpu")
    np.testing.assert_allclose(shap.values[:, 0, :], _contribs(booster, X)[:, :-1], atol=1e-5)


def test_text_where_the_model_wants_numbers_is_refused():
    """Check that a numeric model feature holding text in the data is refused by name."""
    frame = _binary_frame()
    X = frame[["x_strong"]].assign(colour=frame["colour"].map({"red": 0, "green": 1, "blue": 2}))
    booster = _train(X, (frame["outcome"] == "yes").to_numpy(int), {"objective": "binary:logistic"})
    with pytest.raises(DataError, match="expects numbers in 1 column.*colour") as caught:
        _attach(booster, frame, target="outcome")
    assert caught.value.code == "model_feature_types_mismatch"
    assert caught.value.params == {"n": 1, "columns": "colour"}


@pytest.mark.parametrize(
    ("frame_of", "booster_of", "target", "match"),
    [
        (
            lambda: synthetic_regression(300).assign(y=lambda f: f["y"]),
            "binary",
            "y",
            r"one of two classes .* \d+ distinct value",
        ),
        (
            lambda: synthetic_regression(300).assign(y=lambda f: np.where(f["y"] > 0, "hi", "lo")),
            "regression",
            "y",
            "predicts a number .* holds text",
        ),
        (
            lambda: synthetic_regression(300).assign(y=lambda f: np.where(f["y"] > 0, "hi", "lo")),
            "multiclass",
            "y",
            "one of 3 classes .* 2 distinct value",
        ),
    ],
)
def test_target_that_disagrees_with_the_task_is_refused(frame_of, booster_of, target, match):
    """Check that a target unlike the model's task (classes, numbers) is refused."""
    frame = frame_of()
    X = frame[["a", "b", "c"]]
    rng = np.random.default_rng(0)
    params = {
        "binary": {"objective": "binary:logistic"},
        "regression": {"objective": "reg:squarederror"},
        "multiclass": {"objective": "multi:softprob", "num_class": 3},
    }[booster_of]
    label = rng.integers(0, 3 if booster_of == "multiclass" else 2, len(frame))
    booster = _train(X, label, params, rounds=3)
    with pytest.raises(DataError, match=match) as caught:
        _attach(booster, frame, target=target)
    assert caught.value.code == "model_task_mismatch"
    assert caught.value.params["model_task"] == booster_of


def test_integer_class_codes_are_used_as_they_are():
    """Check that a target holding 0..k-1 keeps its numbers even when a class is absent."""
    frame = synthetic_multiclass(400)
    booster, _ = _multiclass_booster(frame)
    data = frame.assign(level=pd.Categorical(frame["level"], LEVELS).codes)
    data = data[data["level"] != 2]
    attached = _attach(booster, data, target="level")
    assert attached.model.classes == ("0", "1", "2")
    assert set(attached.dataset.y) == {0, 1}


def test_a_feature_cannot_be_the_target():
    """Check that choosing one of the model's features as the target is refused."""
    frame = _binary_frame()
    booster, _ = _binary_booster(frame)
    with pytest.raises(DataError, match="one of the model's features") as caught:
        _attach(booster, frame, target="x_strong")
    assert caught.value.code == "model_target_is_feature"


def test_data_with_only_the_features_has_no_target():
    """Check that data made only of the model's features is refused: nothing to check against."""
    frame = synthetic_regression(200)
    booster, _ = _regression_booster(frame)
    with pytest.raises(DataError, match="no target") as caught:
        _attach(booster, frame.drop(columns="y"))
    assert caught.value.code == "model_no_target"


def _objective_model(params: dict, *, qid: bool = False) -> bytes:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(120, 3))
    classes = 2 if params.get("objective", "").startswith("binary") else 3
    y = rng.integers(0, classes, 120) + (1.0 if params.get("objective") == "survival:cox" else 0.0)
    dtrain = xgb.DMatrix(X, label=y, qid=np.repeat(np.arange(12), 10) if qid else None)
    return _raw(xgb.train(params, dtrain, num_boost_round=2))


@pytest.mark.parametrize(
    ("params", "qid", "code", "match"),
    [
        ({"objective": "rank:pairwise"}, True, "model_objective_unsupported", "rank:pairwise"),
        ({"objective": "survival:cox"}, False, "model_objective_unsupported", "survival:cox"),
        ({"objective": "count:poisson"}, False, "model_objective_unsupported", "count:poisson"),
        ({"objective": "binary:hinge"}, False, "model_objective_unsupported", "binary:hinge"),
        ({"booster": "gblinear"}, False, "model_booster_unsupported", "only tree models"),
        (
            {"objective": "reg:quantileerror", "quantile_alpha": [0.1, 0.9]},
            False,
            "model_multi_output",
            "2 outputs",
        ),
    ],
)
@pytest.mark.filterwarnings("ignore:.*gblinear.*deprecated")
def test_models_the_app_cannot_explain_are_refused(params, qid, code, match):
    """Check that ranking, survival, count, hinge, linear and multi-output models are refused."""
    with pytest.raises(DataError, match=match) as caught:
        load_model_file(_objective_model(params, qid=qid), name="model.json")
    assert caught.value.code == code


def _zip_of(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model.json", data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def model_json() -> bytes:
    """A small valid binary model as XGBoost JSON."""
    return _raw(_binary_booster(_binary_frame(300))[0])


@pytest.mark.parametrize(
    ("make", "code", "found", "match"),
    [
        (
            lambda raw: pickle.dumps({"weights": [1, 2, 3]}),
            "not_xgboost_model",
            "pickle",
            r"pickle.*save_model\(\"model.json\"\)",
        ),
        (lambda raw: _zip_of(raw), "not_xgboost_model", "zip", "ZIP archive"),
        (lambda raw: gzip.compress(raw), "not_xgboost_model", "compressed", "compressed"),
        (
            lambda raw: np.random.default_rng(0).bytes(4096),
            "not_xgboost_model",
            "unknown",
            "not an XGBoost model in JSON or UBJSON",
        ),
        (lambda raw: b"", "not_xgboost_model", "empty", "empty"),
        (lambda raw: b"age,outcome\n1,yes\n", "not_xgboost_model", "unknown", "get_booster"),
        (
            lambda raw: b'{"weights": [1, 2, 3]}',
            "not_xgboost_model",
            "json",
            "JSON, but not an XGBoost model",
        ),
        (lambda raw: raw[: len(raw) // 2], "model_unreadable", None, "cut short or damaged"),
        (
            lambda raw: b"{i" + np.random.default_rng(1).bytes(2000),
            "model_unreadable",
            None,
            "model file",
        ),
    ],
)
def test_files_that_are_not_xgboost_models_are_refused(model_json, make, code, found, match):
    """Check that content decides: pickles, archives, other bytes and broken JSON are refused."""
    with pytest.raises(DataError, match=match) as caught:
        load_model_file(make(model_json), name="model.json")
    assert caught.value.code == code
    if found is not None:
        assert caught.value.params["found"] == found
    assert "save_model" in caught.value.message


def test_the_save_config_json_is_not_a_model(model_json):
    """Check that XGBoost's configuration JSON (not a model) is refused as not a model."""
    booster = xgb.Booster()
    booster.load_model(bytearray(model_json))
    with pytest.raises(DataError, match="not an XGBoost model") as caught:
        load_model_file(booster.save_config().encode(), name="config.json")
    assert caught.value.params == {"found": "json"}


def test_huge_declared_array_hits_the_memory_cap():
    """Check that a UBJSON file declaring an enormous array fails in the child, not here."""
    hostile = b"{L\x00\x00\x00\x00\x00\x00\x00\x07learner[$d#L\x00\x00\x7f\xff\xff\xff\xff\xff"
    with pytest.raises(DataError, match="model file") as caught:
        load_model_file(hostile, name="model.ubj")
    assert caught.value.code == "model_unreadable"
    assert caught.value.params["reason"] in ("memory", "invalid")


def test_model_over_the_size_limit_is_refused(model_json, tmp_path):
    """Check the size limit on bytes and on a path (checked before reading)."""
    with pytest.raises(DataError, match="larger than the limit") as caught:
        load_model_file(model_json, name="m.json", max_bytes=1000)
    assert caught.value.code == "model_too_large"
    assert caught.value.params["size_bytes"] == len(model_json)
    path = tmp_path / "m.json"
    path.write_bytes(model_json)
    with pytest.raises(DataError, match="larger than the limit") as caught:
        load_model_file(path, max_bytes=1000)
    assert caught.value.params["limit_bytes"] == 1000


def test_a_slow_check_is_stopped(model_json):
    """Check that the child's time limit turns into model_unreadable (timeout)."""
    with pytest.raises(DataError, match="longer than") as caught:
        load_model_file(model_json, name="m.json", timeout_s=0.001)
    assert caught.value.code == "model_unreadable"
    assert caught.value.params["reason"] == "timeout"


def test_a_child_out_of_memory_is_a_data_error(model_json, monkeypatch):
    """Check that a child that cannot even start under its memory cap fails cleanly."""
    monkeypatch.setattr(model_file, "PROBE_BASE_MEMORY", 16 * 1024 * 1024)
    monkeypatch.setattr(model_file, "PROBE_MEMORY_PER_BYTE", 0)
    with pytest.raises(DataError, match="model file") as caught:
        load_model_file(model_json, name="m.json")
    assert caught.value.code == "model_unreadable"
    assert caught.value.params["reason"] in ("memory", "crashed")


def test_loaded_model_describes_the_file(model_json, tmp_path):
    """Check what load_model_file reports, from bytes and from a path, JSON and UBJSON."""
    loaded = load_model_file(model_json, name="m.json")
    assert isinstance(loaded, LoadedModel)
    assert (loaded.format, loaded.objective, loaded.task, loaded.n_classes) == (
        "json",
        "binary:logistic",
        "binary",
        2,
    )
    assert loaded.feature_names == ("x_strong", "x_medium", "x_noise", "colour")
    assert loaded.feature_types == ("float", "float", "float", "c")
    assert loaded.categories == {3: ("blue", "green", "red")}
    assert loaded.n_rounds == 25 and loaded.n_trees == 25
    booster = xgb.Booster()
    booster.load_model(bytearray(model_json))
    path = tmp_path / "model.ubj"
    path.write_bytes(bytes(booster.save_raw("ubj")))
    from_path = load_model_file(path)
    assert (from_path.format, from_path.name) == ("ubjson", "model.ubj")


def test_lime_runs_on_an_uploaded_model():
    """Check that LIME explains a row of an uploaded model."""
    frame = _binary_frame(400)
    attached = _attach(_binary_booster(frame)[0], frame)
    X = attached.dataset.X
    result = explain_lime(attached.model, X, X.iloc[[0]], num_samples=300)
    assert result.weights and 0.0 <= result.model_prediction <= 1.0


def test_task_option_must_agree_with_the_model(model_json):
    """Check that asking for another task than the model's is refused."""
    with pytest.raises(DataError, match="binary model") as caught:
        explain_file(
            to_csv_bytes(_binary_frame(300)),
            name="d.csv",
            task="regression",
            model=model_json,
            device="cpu",
        )
    assert caught.value.code == "task_conflicts_with_model"


def test_cli_explains_an_uploaded_model(tmp_path, capsys):
    """Check xai-explain DATA --model FILE: exit 0, model_source uploaded, margins of the model."""
    frame = _binary_frame(400)
    booster, X = _binary_booster(frame)
    data, model_path, out = tmp_path / "data.csv", tmp_path / "mine.ubj", tmp_path / "out"
    frame.to_csv(data, index=False)
    booster.save_model(str(model_path))
    assert main([str(data), "--model", str(model_path), "--out", str(out), "--device", "cpu"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model_source"] == "uploaded" and summary["model_warnings"] == []
    assert summary["task"] == "binary" and summary["target"] == "outcome"
    assert summary["n_rows"] == 400 and summary["n_features"] == 4
    assert {"load", "train", "shap", "write"} <= set(summary["seconds"])
    assert {
        "name": "record_id",
        "reason": REASON_TEXT["not_in_model"],
        "code": "not_in_model",
    } in summary["dropped_columns"]
    values = pd.read_csv(out / "shap_values.csv")
    margin = booster.predict(xgb.DMatrix(X, enable_categorical=True), output_margin=True)
    np.testing.assert_allclose(values["margin"], margin[values["row"]], atol=1e-5)


def test_cli_trained_run_says_trained(tmp_path):
    """Check that a run without --model reports model_source trained."""
    data, out = tmp_path / "data.csv", tmp_path / "out"
    synthetic_regression(200).to_csv(data, index=False)
    assert main([str(data), "--out", str(out), "--device", "cpu"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model_source"] == "trained" and "model_warnings" not in summary


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (pickle.dumps({"model": "not really"}), "pickle"),
        (None, "uses 1 feature"),
    ],
)
def test_cli_bad_model_exits_2_with_one_line(tmp_path, capsys, content, match):
    """Check that a pickle renamed .json, or a mismatched model, exits 2 with one error line."""
    data, model_path = tmp_path / "data.csv", tmp_path / "model.json"
    _binary_frame(200).to_csv(data, index=False)
    if content is None:
        rng = np.random.default_rng(0)
        X = pd.DataFrame({"not_in_data": rng.normal(size=50)})
        content = _raw(_train(X, rng.integers(0, 2, 50), {"objective": "binary:logistic"}, 2))
    model_path.write_bytes(content)
    code = main([str(data), "--model", str(model_path), "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:")
    assert match in err[0]


def test_cli_missing_model_file_exits_2(tmp_path, capsys):
    """Check that --model pointing nowhere exits 2 with one error line."""
    data = tmp_path / "data.csv"
    _binary_frame(100).to_csv(data, index=False)
    assert main([str(data), "--model", str(tmp_path / "none.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: no such model file")
