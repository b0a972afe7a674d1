"""Cells too long to be categories: missing to the model, named in a finding."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from synthetic_tables import to_csv_bytes

from explainers import TrainingOptions, build_dataset, build_schema, read_table, train_model
from explainers._long_values import MAX_CATEGORY_CHARS


def _frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = rng.choice(["ward a", "ward b", "icu"], n).astype(object)
    group[5] = "pasted discharge letter " * 80_000  # about 2 MB in one cell
    group[9] = "x" * (MAX_CATEGORY_CHARS + 1)
    group[11] = "y" * MAX_CATEGORY_CHARS  # just short enough: a category
    age = rng.integers(20, 90, n)
    outcome = ((group == "icu") | (age > 70) ^ (rng.random(n) < 0.1)).astype(int)
    return pd.DataFrame({"age": age, "group": group, "outcome": outcome})


def test_a_pasted_document_is_missing_to_the_model_and_named():
    """Check that values over the limit are not categories (so not in the model file: it
    stays small) but missing, that one at the limit stays a category, that the other
    labels are kept, and that a finding names the column with its two long cells."""
    frame = _frame()
    schema = build_schema(read_table(to_csv_bytes(frame), name="t.csv"), target="outcome")
    found = [f for f in schema.findings if f.code == "long_category_values"]
    assert len(found) == 1 and found[0].columns == ("group",)
    assert found[0].params["cells"] == {"group": 2}
    assert "pasted" not in found[0].message  # no cell value quoted
    dataset = build_dataset(read_table(to_csv_bytes(frame), name="t.csv"), schema)
    categories = dataset.spec.categories["group"]
    assert set(categories) == {"ward a", "ward b", "icu", "y" * MAX_CATEGORY_CHARS}
    encoded = dataset.X["group"]
    assert encoded.isna().tolist() == [i in (5, 9) for i in range(len(frame))]
    model = train_model(dataset, options=TrainingOptions(n_estimators=20))
    saved = model.booster.save_raw("json")
    assert len(saved) < 200_000 and b"pasted" not in saved
    stored = json.loads(saved)["learner"]["feature_names"]
    assert "group" in stored


def test_a_column_of_short_labels_has_no_finding():
    """Check that ordinary categories give no finding and are all kept."""
    frame = _frame()
    frame["group"] = frame["group"].where(frame["group"].str.len() < 50, "ward a")
    schema = build_schema(read_table(to_csv_bytes(frame), name="t.csv"), target="outcome")
    assert not [f for f in schema.findings if f.code == "long_category_values"]
