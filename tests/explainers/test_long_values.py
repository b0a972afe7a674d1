"""Cells too long to be a category's text: categories under a short stand-in, named."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import xgboost as xgb
from synthetic_tables import to_csv_bytes

from explainers import TrainingOptions, build_dataset, build_schema, read_table, train_model
from explainers._long_values import MAX_CATEGORY_CHARS


def _frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = rng.choice(["ward a", "ward b", "icu"], n).astype(object)
    group[5] = "pasted discharge letter " * 80_000  # about 2 MB in one cell
    group[9] = "x" * (MAX_CATEGORY_CHARS + 1)
    group[11] = "y" * MAX_CATEGORY_CHARS  # just short enough: kept as it is
    age = rng.integers(20, 90, n)
    outcome = ((group == "icu") | (age > 70) ^ (rng.random(n) < 0.1)).astype(int)
    return pd.DataFrame({"age": age, "group": group, "outcome": outcome})


def _fit(frame: pd.DataFrame):
    data = to_csv_bytes(frame)
    schema = build_schema(read_table(data, name="t.csv"), target="outcome")
    dataset = build_dataset(read_table(data, name="t.csv"), schema)
    return schema, dataset, train_model(dataset, options=TrainingOptions(n_estimators=20))


def test_a_pasted_document_is_a_short_stand_in_and_named():
    """Check that values over the limit become categories under a stand-in naming their
    length and SHA-256 (so the model file stays small and holds no such text), that one at
    the limit and the other labels keep their text, that encoding a row again gives the same
    category, and that a finding names the column with its two long cells."""
    frame = _frame()
    schema, dataset, model = _fit(frame)
    found = [f for f in schema.findings if f.code == "long_category_values"]
    assert len(found) == 1 and found[0].columns == ("group",)
    assert found[0].params["cells"] == {"group": 2}
    assert "pasted" not in found[0].message  # no cell value quoted
    letter = str(frame["group"][5]).strip()  # the reader trims cells
    digest = hashlib.sha256(letter.encode()).hexdigest()
    categories = dataset.spec.categories["group"]
    (stood_in,) = [c for c in categories if c.startswith(f"[{len(letter):,} characters")]
    assert digest[:16] in stood_in and len(stood_in) < 60
    assert {"ward a", "ward b", "icu", "y" * MAX_CATEGORY_CHARS} < set(categories)
    assert len(categories) == 6  # the two long texts stay two categories
    assert dataset.X["group"][5] == stood_in and dataset.X["group"][9] != stood_in
    as_read = read_table(to_csv_bytes(frame), name="t.csv").frame
    again = dataset.spec.encode(as_read.iloc[[5, 9, 11]])
    assert again["group"].tolist() == dataset.X["group"][[5, 9, 11]].tolist()
    saved = model.booster.save_raw("json")
    assert len(saved) < 200_000 and b"pasted" not in saved


def test_a_column_of_long_texts_still_trains_and_predicts_as_xgboost_does():
    """Check that a column whose every value is long (a few boilerplate texts) trains, its
    texts standing in, and that the model's predictions equal XGBoost's own on the encoded
    frame."""
    rng = np.random.default_rng(1)
    n = 300
    frame = pd.DataFrame(
        {
            "age": rng.integers(20, 90, n),
            "doc": rng.choice(["a" * 1500, "b" * 1500, "c" * 1500], n),
            "outcome": rng.integers(0, 2, n),
        }
    )
    _, dataset, model = _fit(frame)
    assert len(dataset.spec.categories["doc"]) == 3
    direct = model.booster.predict(xgb.DMatrix(dataset.X, enable_categorical=True))
    np.testing.assert_allclose(model.predict(dataset.X)[:, 1], direct, rtol=1e-6)


def test_a_column_of_short_labels_has_no_finding():
    """Check that ordinary categories give no finding and keep their text."""
    frame = _frame()
    frame["group"] = frame["group"].where(frame["group"].str.len() < 50, "ward a")
    schema, dataset, _ = _fit(frame)
    assert not [f for f in schema.findings if f.code == "long_category_values"]
    assert set(dataset.spec.categories["group"]) == {"ward a", "ward b", "icu"}
