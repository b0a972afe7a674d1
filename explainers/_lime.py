"""LIME for one row, through the ``lime`` package behind a small adapter."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._errors import DataError
from ._training import TrainedModel


@dataclass(frozen=True)
class LimeWeight:
    """One feature's LIME weight with the condition LIME used ("age > 61.00")."""

    feature: str
    condition: str
    weight: float


@dataclass(frozen=True)
class LimeResult:
    """A local linear explanation of one row.

    ``weights`` are sorted by absolute size. ``output`` is the explained class
    index (0 for regression), ``score`` the local fit's R² on LIME's samples.
    """

    weights: tuple[LimeWeight, ...]
    intercept: float
    score: float
    local_prediction: float
    model_prediction: float
    output: int
    seed: int

    def as_series(self) -> pd.Series:
        """Weight per feature name (features LIME did not select are absent)."""
        return pd.Series({w.feature: w.weight for w in self.weights}, dtype="float64")


def _to_numeric(model: TrainedModel, X: pd.DataFrame) -> np.ndarray:
    """Encode features as numbers: categories as codes, missing numbers as the median."""
    columns = []
    for name in model.spec.names:
        column = X[name]
        if name in model.spec.categories:
            codes = column.cat.codes.to_numpy().astype(float)
            codes[codes < 0] = len(model.spec.categories[name])
            columns.append(codes)
        else:
            values = column.to_numpy(dtype="float64")
            median = np.nanmedian(values) if np.isfinite(values).any() else 0.0
            columns.append(np.where(np.isnan(values), median, values))
    return np.column_stack(columns)


def _from_numeric(model: TrainedModel, data: np.ndarray) -> pd.DataFrame:
    out = {}
    for j, name in enumerate(model.spec.names):
        if name in model.spec.categories:
            cats = list(model.spec.categories[name])
            codes = np.clip(np.round(data[:, j]).astype(int), -1, len(cats))
            codes[codes >= len(cats)] = -1
            out[name] = pd.Categorical.from_codes(codes, categories=cats)
        else:
            out[name] = data[:, j]
    return pd.DataFrame(out)


def explain_lime(
    model: TrainedModel,
    background: pd.DataFrame,
    row: pd.DataFrame,
    *,
    output: int | None = None,
    num_features: int = 10,
    num_samples: int = 2000,
    seed: int = 0,
) -> LimeResult:
    """Explain one encoded row with LIME's tabular explainer.

    Parameters
    ----------
    model
        The trained model.
    background
        Encoded training features; LIME draws its perturbations from their statistics.
    row
        One encoded row (a one-row frame).
    output
        Class index to explain; defaults to the predicted class (0 for regression).
    """
    from lime.lime_tabular import LimeTabularExplainer

    if len(row) != 1:
        raise DataError("LIME explains exactly one row; pass a one-row frame.", code="one_row")
    names = list(model.spec.names)
    categorical = [j for j, n in enumerate(names) if n in model.spec.categories]
    cat_names = {j: list(model.spec.categories[names[j]]) + ["(missing)"] for j in categorical}
    classification = model.task in ("binary", "multiclass")  # survival: the log-hazard margin
    explainer = LimeTabularExplainer(
        _to_numeric(model, background),
        mode="classification" if classification else "regression",
        feature_names=[model.spec.display_names.get(n, n) for n in names],
        categorical_features=categorical,
        categorical_names=cat_names,
        discretize_continuous=True,
        random_state=seed,
    )

    def predict_fn(data: np.ndarray) -> np.ndarray:
        result = model.predict(_from_numeric(model, data))
        return result if classification else np.asarray(result)

    instance = _to_numeric(model, row)[0]
    prediction = model.predict(row)
    label = int(np.argmax(prediction[0])) if classification and output is None else (output or 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        explanation = explainer.explain_instance(
            instance,
            predict_fn,
            labels=(label,) if classification else (0,),
            num_features=min(num_features, len(names)),
            num_samples=num_samples,
        )
    key = label if classification else 1
    pairs = explanation.as_map()[key]
    conditions = [text for text, _ in explanation.as_list(label=key)]
    weights = [
        LimeWeight(names[index], condition, float(weight))
        for (index, weight), condition in zip(pairs, conditions, strict=True)
    ]
    weights.sort(key=lambda w: -abs(w.weight))
    intercept = explanation.intercept[key]
    local = explanation.local_pred
    model_value = float(prediction[0][label]) if classification else float(prediction[0])
    return LimeResult(
        weights=tuple(weights),
        intercept=float(intercept),
        score=float(explanation.score),
        local_prediction=float(np.ravel(local)[0]) if local is not None else float("nan"),
        model_prediction=model_value,
        output=label,
        seed=seed,
    )
