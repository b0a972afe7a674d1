"""A few rows handed to XGBoost as one array: the values of XGBoost's own pandas route."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from explainers import compute_shap
from explainers._small_frames import SMALL_FRAME_ROWS, small_frame_matrix


def _with_missing(X: pd.DataFrame) -> pd.DataFrame:
    """``X``'s first rows with a missing value in each column, in turn."""
    rows = X.iloc[: min(len(X), 12)].copy()
    for i, name in enumerate(rows.columns):
        rows.iloc[i % len(rows), rows.columns.get_loc(name)] = np.nan
    return rows


def _pandas_route(booster: xgb.Booster, X: pd.DataFrame, **kind: bool) -> np.ndarray:
    return booster.predict(xgb.DMatrix(X, enable_categorical=True), **kind)


@pytest.mark.parametrize("fixture", ["binary_run", "regression_run", "multiclass_run"])
def test_one_row_at_a_time_gives_xgboosts_values(fixture, request):
    """Check that SHAP values and margins of single rows (categorical and missing values
    included) equal pred_contribs of XGBoost's own pandas DMatrix of all the rows."""
    run = request.getfixturevalue(fixture)
    model = run.model
    X = _with_missing(run.dataset.X[list(model.spec.names)])
    reference = _pandas_route(model.booster, X, pred_contribs=True)
    margin = _pandas_route(model.booster, X, output_margin=True)
    k, f = model.n_outputs, len(model.spec.names)
    reference = np.asarray(reference).reshape(len(X), k, f + 1)
    for i in range(len(X)):
        one = compute_shap(model, X.iloc[[i]], device="cpu")
        np.testing.assert_allclose(one.values[0], reference[i, :, :f], rtol=0, atol=1e-6)
        np.testing.assert_allclose(one.base_values[0], reference[i, :, f], rtol=0, atol=1e-6)
        np.testing.assert_allclose(
            one.margin[0], np.asarray(margin).reshape(len(X), k)[i], rtol=0, atol=1e-6
        )
    np.testing.assert_allclose(
        model.predict_margin(X).reshape(-1), np.asarray(margin).reshape(-1), rtol=0, atol=1e-6
    )


def test_categorical_rows_go_in_as_codes_and_match(multiclass_run):
    """Check that a small frame with a categorical column is built from codes (not pandas)
    and that its predictions equal the pandas route's."""
    model = multiclass_run.model
    X = _with_missing(multiclass_run.dataset.X[list(model.spec.names)])
    assert any(isinstance(t, pd.CategoricalDtype) for t in X.dtypes)
    matrix = small_frame_matrix(model.booster, X)
    assert matrix is not None
    assert matrix.feature_types == xgb.DMatrix(X, enable_categorical=True).feature_types
    np.testing.assert_array_equal(
        model.booster.predict(matrix, output_margin=True),
        _pandas_route(model.booster, X, output_margin=True),
    )


def _category_model() -> tuple[xgb.Booster, pd.DataFrame]:
    rng = np.random.default_rng(3)
    n = 600
    frame = pd.DataFrame(
        {
            "size": rng.normal(size=n),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
        }
    )
    y = (frame["size"] + (frame["colour"] == "green") * 2.0 > 0.5).astype(float)
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 3},
        xgb.DMatrix(frame, y, enable_categorical=True),
        num_boost_round=15,
    )
    return booster, frame


def test_categories_in_another_order_take_the_pandas_route():
    """Check that a frame whose categories the booster stores in another order is not read
    by its codes (they would mean other colours): XGBoost re-codes it by name."""
    booster, frame = _category_model()
    rows = frame.iloc[:20].copy()
    rows["colour"] = rows["colour"].cat.reorder_categories(["red", "green", "blue"])
    assert list(booster.get_categories(export_to_arrow=True).to_arrow()[1][1].to_pylist()) != [
        "red",
        "green",
        "blue",
    ]
    assert small_frame_matrix(booster, rows) is None
    same_order = frame.iloc[:20]
    matrix = small_frame_matrix(booster, same_order)
    assert matrix is not None
    np.testing.assert_array_equal(
        booster.predict(matrix), _pandas_route(booster, same_order, output_margin=False)
    )


def test_other_columns_and_large_frames_take_the_pandas_route():
    """Check that an object column, a repeated name or more than the small-frame rows give
    None (the caller builds the DMatrix from pandas)."""
    booster, frame = _category_model()
    as_text = frame.iloc[:5].astype({"colour": "object"})
    assert small_frame_matrix(booster, as_text) is None
    twice = pd.concat([frame.iloc[:5, :1], frame.iloc[:5, :1]], axis=1)
    assert small_frame_matrix(booster, twice) is None
    big = pd.concat([frame] * 2).iloc[: SMALL_FRAME_ROWS + 1]
    assert small_frame_matrix(booster, big) is None
    assert small_frame_matrix(booster, big.iloc[:SMALL_FRAME_ROWS]) is not None


def test_single_rows_from_many_threads_at_once(binary_run):
    """Check that single rows explained from eight threads at once (sessions sharing a
    model) each get their own row's values."""
    model = binary_run.model
    X = binary_run.dataset.X[list(model.spec.names)].iloc[:64]
    f = len(model.spec.names)
    reference = np.asarray(_pandas_route(model.booster, X, pred_contribs=True))[:, :f]
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []

    def explain(start: int) -> None:
        try:
            for i in range(start, len(X), 8):
                results[i] = compute_shap(model, X.iloc[[i]], device="cpu").values[0, 0]
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=explain, args=(s,)) for s in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    np.testing.assert_allclose(
        np.stack([results[i] for i in range(len(X))]), reference, rtol=0, atol=1e-6
    )


def test_categories_stored_as_numbers_take_the_pandas_route():
    """Check that a booster storing number categories (1, 2, 3) does not read the codes of
    a frame whose categories are other values that compare equal (1.0, 2.0, 3.0)."""
    rng = np.random.default_rng(5)
    n = 300
    ward = pd.Categorical(rng.choice([1, 2, 3], n))
    frame = pd.DataFrame({"ward": ward, "x": rng.normal(size=n)})
    booster = xgb.train(
        {"max_depth": 2},
        xgb.DMatrix(frame, rng.normal(size=n), enable_categorical=True),
        num_boost_round=3,
    )
    as_floats = frame.assign(ward=frame["ward"].cat.rename_categories([1.0, 2.0, 3.0]))
    assert small_frame_matrix(booster, as_floats.iloc[:5]) is None
    assert small_frame_matrix(booster, frame.iloc[:5]) is None  # not text: pandas route
