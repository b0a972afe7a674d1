"""Partial dependence with ICE curves, on a stated, seeded sample of rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .._dataset import Dataset
from .._errors import DataError
from .._training import TrainedModel

FeatureKind = Literal["numeric", "categorical", "boolean"]
Unit = Literal["probability", "prediction", "log_hazard", "log_time"]
"""What a curve's values are: a class probability, a regression prediction, or a survival
model's margin: the log relative hazard (Cox) or the log survival time (AFT)."""


@dataclass(frozen=True)
class PartialDependence:
    """The average prediction as one feature is set to each grid value, and the ICE curves.

    ``grid`` holds the values the feature was set to: numbers for numeric and
    boolean features, category labels for categorical ones (one point per
    category). ``average`` (g,) is the mean over the sampled rows of ``output``:
    the probability of class ``output_label`` for classifiers (the positive class
    for binary tasks by default), the prediction for regression, or the margin for
    survival (``unit`` ``log_hazard`` for Cox, ``log_time`` for AFT; ``output_label``
    the event column's name).
    ``average_per_class`` (g, k) holds every class's probability for multiclass
    models (None otherwise). ``ice`` (n_rows, g) holds one curve per sampled row
    (None when not asked). With ``centred`` every ICE curve, and the average,
    has its value at the first grid point subtracted, so it starts at 0.
    ``rows`` are the sampled rows' positions in ``dataset.X``. ``correlated_with``
    names the numeric and boolean features whose |Spearman correlation| with this
    one, over the sampled rows, is at least the threshold: there the curve rests on
    combinations of values the data may never show (partial dependence
    extrapolates). It is empty for a categorical feature.
    """

    feature: str
    kind: FeatureKind
    grid: tuple[float | str, ...]
    average: np.ndarray
    average_per_class: np.ndarray | None
    ice: np.ndarray | None
    centred: bool
    output: int
    output_label: str
    unit: Unit
    rows: np.ndarray
    n_rows: int
    seed: int
    correlated_with: tuple[str, ...]


def _kind(model: TrainedModel, feature: str) -> FeatureKind:
    if feature in model.spec.categories:
        return "categorical"
    return "boolean" if model.spec.kinds.get(feature) == "boolean" else "numeric"


def numeric_grid(
    values: np.ndarray, *, grid_points: int, percentiles: tuple[float, float]
) -> np.ndarray:
    """Quantile grid over the observed (non-missing) values of a numeric feature.

    Parameters
    ----------
    values : numpy.ndarray
        The feature's values; missing values are ignored.
    grid_points : int
        Number of quantiles, evenly spaced between the two ``percentiles``.
    percentiles : tuple of (float, float)
        Lower and upper quantile, as fractions in [0, 1].

    Returns
    -------
    numpy.ndarray
        Sorted distinct grid values; the distinct observed values themselves
        when there are no more than ``grid_points`` of them.
    """
    observed = values[np.isfinite(values)]
    distinct = np.unique(observed)
    if len(distinct) <= grid_points:
        return distinct
    quantiles = np.linspace(percentiles[0], percentiles[1], grid_points)
    return np.unique(np.quantile(observed, quantiles))


def _grid(
    model: TrainedModel,
    column: pd.Series,
    kind: FeatureKind,
    grid_points: int,
    percentiles: tuple[float, float],
) -> tuple[float | str, ...]:
    if kind == "categorical":
        return tuple(model.spec.categories[str(column.name)])
    values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    return tuple(
        float(v) for v in numeric_grid(values, grid_points=grid_points, percentiles=percentiles)
    )


def _output(model: TrainedModel, output: int | None) -> tuple[int, str, Unit]:
    if model.task in ("regression", "survival"):
        if output not in (None, 0):
            raise DataError(
                f"A {model.task} model has one output (0); got output={output}.",
                code="bad_option",
                detail="output",
            )
        if model.survival is None:
            return 0, model.target_display, "prediction"
        return (
            0,
            model.target_display,
            "log_hazard" if model.survival.model == "cox" else "log_time",
        )
    classes = model.classes or ()
    chosen = (1 if model.task == "binary" else 0) if output is None else output
    if not 0 <= chosen < len(classes):
        raise DataError(
            f"output must be a class index from 0 to {len(classes) - 1}; got {output}.",
            code="bad_option",
            detail="output",
        )
    return chosen, classes[chosen], "probability"


def _predictions_on_grid(
    model: TrainedModel, X: pd.DataFrame, feature: str, grid: tuple[float | str, ...]
) -> np.ndarray:
    """Predictions (n, g, k) with the feature set to each grid value, in one call."""
    n, g = len(X), len(grid)
    stacked = X.iloc[np.tile(np.arange(n), g)].reset_index(drop=True)
    if feature in model.spec.categories:
        categories = list(model.spec.categories[feature])
        codes = np.repeat([categories.index(str(v)) for v in grid], n)
        stacked[feature] = pd.Categorical.from_codes(codes, categories=categories)
    else:
        stacked[feature] = np.repeat(np.asarray(grid, dtype=np.float64), n)
    prediction = model.predict(stacked)
    k = 1 if prediction.ndim == 1 else prediction.shape[1]
    # rows of `stacked` run grid-major: reshape to (g, n, k), then put rows first
    return np.asarray(prediction, dtype=np.float64).reshape(g, n, k).transpose(1, 0, 2)


def _correlated(
    X: pd.DataFrame, model: TrainedModel, feature: str, threshold: float
) -> tuple[str, ...]:
    numeric = [n for n in model.spec.names if n not in model.spec.categories]
    if feature not in numeric or len(numeric) < 2:
        return ()
    ranks = X[numeric].astype("float64").corr(method="spearman", min_periods=10)[feature]
    return tuple(
        name
        for name in numeric
        if name != feature and np.isfinite(ranks[name]) and abs(ranks[name]) >= threshold
    )


def partial_dependence(
    model: TrainedModel,
    dataset: Dataset,
    feature: str,
    *,
    grid_points: int = 20,
    sample_rows: int = 500,
    seed: int = 0,
    ice: bool = True,
    centred: bool = False,
    output: int | None = None,
    rows: np.ndarray | None = None,
    percentiles: tuple[float, float] = (0.05, 0.95),
    correlation_threshold: float = 0.7,
) -> PartialDependence:
    """Partial dependence and ICE curves of one feature, by brute force.

    Each sampled row is copied once per grid value with ``feature`` set to that
    value, the model predicts every copy, and the curves are the predictions;
    the partial dependence is their mean over rows.

    Parameters
    ----------
    model : TrainedModel
        The model to explain.
    dataset : Dataset
        The encoded data (``dataset.X``) the rows are drawn from.
    feature : str
        A model feature name (see ``model.spec.names``).
    grid_points : int, default 20
        Grid size for numeric features (quantiles between ``percentiles``);
        categorical features get one point per category, boolean ones 0 and 1.
    sample_rows : int, default 500
        Rows drawn (without replacement, with ``seed``) from ``rows``; all when fewer.
    seed : int, default 0
        Seed of the row sample.
    ice : bool, default True
        Keep the per-row curves.
    centred : bool, default False
        Subtract each curve's value at the first grid point (centred ICE); the
        average is centred the same way.
    output : int, optional
        Class index whose probability to show; the positive class (1) for binary
        and the first class (0) for multiclass models by default. Regression and
        survival: 0 (survival curves are of the margin, see :class:`PartialDependence`).
    rows : numpy.ndarray, optional
        Row positions in ``dataset.X`` to draw from; all rows by default.
    percentiles : tuple of (float, float), default (0.05, 0.95)
        Range of a numeric feature's grid, as quantiles of its observed values.
    correlation_threshold : float, default 0.7
        |Spearman| from which another numeric feature is listed in ``correlated_with``.

    Returns
    -------
    PartialDependence

    Raises
    ------
    DataError
        If ``feature`` is not a model feature, it has no observed values, or an
        option is out of range.
    """
    if feature not in model.spec.names:
        shown = ", ".join(model.spec.names[:5])
        raise DataError(
            f"'{feature}' is not a feature of the model. Choose one of: {shown}.",
            code="unknown_feature",
            feature=feature,
        )
    if grid_points < 2 or sample_rows < 1 or not 0 <= percentiles[0] < percentiles[1] <= 1:
        raise DataError(
            "grid_points must be at least 2, sample_rows at least 1 and percentiles "
            f"increasing in [0, 1]; got {grid_points}, {sample_rows} and {percentiles}.",
            code="bad_option",
            detail="partial_dependence",
        )
    index, label, unit = _output(model, output)
    pool = np.arange(len(dataset.X)) if rows is None else np.asarray(rows, dtype=np.int64)
    if len(pool) > sample_rows:
        pool = np.sort(np.random.default_rng(seed).choice(pool, size=sample_rows, replace=False))
    X = dataset.X.iloc[pool][list(model.spec.names)]
    kind = _kind(model, feature)
    grid = _grid(model, X[feature], kind, grid_points, percentiles)
    if not grid:
        raise DataError(
            f"'{feature}' has no observed values in the sampled rows; choose another feature.",
            code="empty_feature",
            feature=feature,
        )
    curves = _predictions_on_grid(model, X, feature, grid)  # (n, g, k)
    if centred:
        curves = curves - curves[:, :1, :]
    chosen = curves[:, :, index]
    return PartialDependence(
        feature=feature,
        kind=kind,
        grid=grid,
        average=chosen.mean(axis=0),
        average_per_class=curves.mean(axis=0) if model.task == "multiclass" else None,
        ice=chosen if ice else None,
        centred=centred,
        output=index,
        output_label=label,
        unit=unit,
        rows=pool,
        n_rows=len(pool),
        seed=seed,
        correlated_with=_correlated(X, model, feature, correlation_threshold),
    )
