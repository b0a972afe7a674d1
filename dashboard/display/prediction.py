"""One row's prediction beside the average prediction: the one place either is computed.

The **average prediction** is the model's base value (SHAP's expected value:
the point its additive walk starts from), shown in the units of the page: the
probability of the explained class for a classifier (the sigmoid of the base
log-odds for binary, the softmax of every class's base value for multiclass),
the target's value for regression. The row's prediction is its margin mapped
the same way, so the prediction minus the average is exactly what the
features' effects add up to. The Local page's headline, the waterfall's first
and last bars, the plain-language summary and the What-if page all read these
numbers from a :class:`RowPrediction`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from dashboard.display.probability import contribution_path, to_probability
from explainers import ShapResult

Scale = Literal["probability", "log_odds", "value", "log_hazard"]
"""The units of a number shown: a probability (0..1), log-odds (a classifier's margin), or
the target's own units (regression)."""


@dataclass(frozen=True)
class RowPrediction:
    """One row's SHAP explanation for one output, with its average and prediction.

    Parameters
    ----------
    task : str
        ``binary``, ``multiclass`` or ``regression``.
    output : int
        The model output followed: the class for multiclass, else 0.
    base_values : np.ndarray
        The model's base value of every output, shape ``(k,)``.
    margins : np.ndarray
        The row's raw model output of every output, shape ``(k,)``.
    contributions : np.ndarray
        The row's SHAP values, shape ``(k, f)``; ``base_values + contributions.sum(1)``
        equals ``margins``.
    """

    task: str
    output: int
    base_values: np.ndarray
    margins: np.ndarray
    contributions: np.ndarray

    @classmethod
    def from_shap(
        cls, shap: ShapResult, index: int, *, task: str, output: int = 0
    ) -> RowPrediction:
        """Take row ``index`` of an engine :class:`~explainers.ShapResult`.

        Parameters
        ----------
        shap : ShapResult
            SHAP values of some rows (the engine's result).
        index : int
            The row's position in ``shap`` (not in the dataset).
        task : str
            The model's task.
        output : int
            The output followed (the class for multiclass; 0 otherwise).
        """
        return cls(
            task=task,
            output=int(output),
            base_values=np.asarray(shap.base_values[index], dtype=float),
            margins=np.asarray(shap.margin[index], dtype=float),
            contributions=np.asarray(shap.values[index], dtype=float),
        )

    @property
    def is_classifier(self) -> bool:
        """True for binary and multiclass models."""
        return self.task in ("binary", "multiclass")

    @property
    def scale(self) -> Scale:
        """The units of :attr:`average` and :attr:`prediction`."""
        if self.task == "survival":
            return "log_hazard"
        return "probability" if self.is_classifier else "value"

    @property
    def margin_scale(self) -> Scale:
        """The units of :attr:`base_margin`, :attr:`margin` and :attr:`shap`."""
        if self.task == "survival":
            return "log_hazard"
        return "log_odds" if self.is_classifier else "value"

    @property
    def base_margin(self) -> float:
        """The base value of the followed output, in :attr:`margin_scale` units."""
        return float(self.base_values[self.output])

    @property
    def margin(self) -> float:
        """The row's raw output for the followed output, in :attr:`margin_scale` units."""
        return float(self.margins[self.output])

    @property
    def shap(self) -> np.ndarray:
        """The row's SHAP values for the followed output, shape ``(f,)``."""
        return np.asarray(self.contributions[self.output])

    def _shown(self, margins: np.ndarray) -> float:
        if not self.is_classifier:
            return float(margins[self.output])
        probability = to_probability(margins, self.task)
        return float(probability if self.task == "binary" else probability[self.output])

    @property
    def average(self) -> float:
        """The average prediction: the base value in :attr:`scale` units (see the module)."""
        return self._shown(self.base_values)

    @property
    def prediction(self) -> float:
        """The row's prediction in :attr:`scale` units (the model's own probability or value)."""
        return self._shown(self.margins)

    def effects(self) -> np.ndarray:
        """Each feature's effect in :attr:`scale` units, in feature order.

        For a classifier, the change in probability when the feature's
        contributions (to every class, for multiclass) are added along the walk
        from the base value, features taken by decreasing |SHAP|; the effects add
        up to ``prediction - average`` exactly. For regression, the SHAP values.
        """
        order = np.argsort(-np.abs(self.shap), kind="stable")
        _, steps, _ = contribution_path(
            self.base_values,
            self.contributions.T,
            order,
            task=self.task,
            output=self.output,
            probability=self.is_classifier,
        )
        effects = np.empty(len(order))
        effects[order] = steps
        return effects
