"""Small numeric helpers the pages share: probability paths, agreement, row lists.

Pure functions of NumPy arrays (no Streamlit, no engine calls), so they are
easy to test against hand-computed answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def to_probability(margin: np.ndarray, task: str) -> np.ndarray:
    """Map margins to probabilities: sigmoid for binary (one output), softmax for multiclass.

    Parameters
    ----------
    margin
        Shape ``(..., k)``: the model's raw outputs.
    task
        ``binary`` or ``multiclass``.

    Returns
    -------
    np.ndarray
        For binary, the positive class's probability ``(...,)``; for multiclass
        the probabilities ``(..., k)``.
    """
    margin = np.asarray(margin, dtype=float)
    if task == "binary":
        return 1.0 / (1.0 + np.exp(-margin[..., 0]))
    shifted = np.exp(margin - margin.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def contribution_path(
    base: np.ndarray, contributions: np.ndarray, order: np.ndarray, *, task: str, output: int,
    probability: bool,
) -> tuple[float, np.ndarray, float]:
    """Walk from the base value to the prediction adding one feature at a time.

    In margin space each step is the feature's SHAP value. In probability space
    (classifiers) each step is the change in the probability of ``output`` when
    the feature's contributions (to every output, for multiclass) are added in
    ``order``; the steps then add up exactly to the final probability minus the
    starting one.

    Parameters
    ----------
    base
        Base values, shape ``(k,)``.
    contributions
        SHAP values of one row, shape ``(f, k)``.
    order
        Feature indices in the order they are added (e.g. by decreasing |SHAP|).
    task
        ``binary``, ``multiclass`` or ``regression``.
    output
        The output (class) whose value is followed.
    probability
        Follow the probability (classifiers only) rather than the margin.

    Returns
    -------
    tuple
        ``(start, steps, end)`` where ``steps[i]`` belongs to feature ``order[i]``.
    """
    base = np.asarray(base, dtype=float)
    contributions = np.asarray(contributions, dtype=float)
    if not probability or task == "regression":
        steps = contributions[order, output]
        start = float(base[output])
        return start, steps, start + float(steps.sum())
    cumulative = base + np.vstack([np.zeros(base.shape), np.cumsum(contributions[order], axis=0)])
    probs = to_probability(cumulative, task)
    path = probs if task == "binary" else probs[:, output]
    return float(path[0]), np.diff(path), float(path[-1])


@dataclass(frozen=True)
class Agreement:
    """How far LIME and SHAP agree on one row.

    ``spearman`` is the rank correlation of the signed SHAP values and LIME
    weights over the compared features (NaN when fewer than three);
    ``sign_agreement`` the share of compared features whose signs agree.
    """

    spearman: float
    sign_agreement: float
    n_features: int


def agreement(shap_values: pd.Series, lime_weights: pd.Series, *, top: int = 10) -> Agreement:
    """Compare SHAP and LIME on the union of each method's ``top`` features.

    A feature LIME did not select counts as weight 0.
    """
    shap_values = shap_values.astype(float)
    lime_weights = lime_weights.astype(float)
    top_shap = shap_values.abs().sort_values(ascending=False).index[:top]
    top_lime = lime_weights.abs().sort_values(ascending=False).index[:top]
    features = list(dict.fromkeys([*top_shap, *top_lime]))
    s = shap_values.reindex(features).fillna(0.0).to_numpy()
    w = lime_weights.reindex(features).fillna(0.0).to_numpy()
    both = (s != 0) & (w != 0)
    signs = float(np.mean(np.sign(s[both]) == np.sign(w[both]))) if both.any() else float("nan")
    if len(features) < 3 or np.all(s == s[0]) or np.all(w == w[0]):
        rho = float("nan")
    else:
        rho = float(pd.Series(s).rank().corr(pd.Series(w).rank()))
    return Agreement(rho, signs, len(features))


def threshold_stats(
    y_true: np.ndarray, p_positive: np.ndarray, threshold: float
) -> dict[str, float]:
    """Binary metrics when rows with ``p_positive >= threshold`` are called positive."""
    y = np.asarray(y_true).astype(int)
    predicted = (np.asarray(p_positive) >= threshold).astype(int)
    tp = int(np.sum((predicted == 1) & (y == 1)))
    fp = int(np.sum((predicted == 1) & (y == 0)))
    fn = int(np.sum((predicted == 0) & (y == 1)))
    tn = int(np.sum((predicted == 0) & (y == 0)))

    def ratio(a: int, b: int) -> float:
        return a / b if b else float("nan")

    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {
        "accuracy": ratio(tp + tn, len(y)),
        "precision": precision,
        "recall": recall,
        "specificity": ratio(tn, tn + fp),
        "f1": f1,
    }


def row_list(
    kind: str, *, task: str, y: np.ndarray, prediction: np.ndarray, rows: np.ndarray,
    threshold: float = 0.5, n: int = 10,
) -> np.ndarray:
    """Dataset positions of the ``n`` rows (among ``rows``) of a named list.

    Parameters
    ----------
    kind
        ``confident`` (highest top probability), ``wrong`` (lowest probability
        of the true class; largest absolute error for regression), ``threshold``
        (closest to the threshold; for multiclass, smallest gap between the two
        likeliest classes), ``best`` (smallest absolute error), ``highest`` and
        ``lowest`` (prediction).
    task
        ``binary``, ``multiclass`` or ``regression``.
    y, prediction
        Targets and predictions of every dataset row (probabilities ``(n, k)``
        for classifiers).
    rows
        The candidate positions (e.g. the validation rows).
    """
    rows = np.asarray(rows)
    if task == "regression":
        error = np.abs(np.asarray(y, dtype=float)[rows] - prediction[rows])
        scores = {"wrong": -error, "best": error, "highest": -prediction[rows],
                  "lowest": prediction[rows]}
    else:
        proba = prediction[rows]
        truth = np.asarray(y, dtype=int)[rows]
        top2 = np.sort(proba, axis=1)[:, -2:]
        near = (np.abs(proba[:, 1] - threshold) if task == "binary" else top2[:, 1] - top2[:, 0])
        scores = {"confident": -proba.max(axis=1), "wrong": proba[np.arange(len(rows)), truth],
                  "threshold": near}
    if kind not in scores:
        raise ValueError(f"Unknown list {kind!r}; expected one of {sorted(scores)}.")
    order = np.argsort(scores[kind], kind="stable")[:n]
    return rows[order]
