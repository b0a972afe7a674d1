"""How far LIME and SHAP agree on one row: rank correlation and sign agreement."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


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
