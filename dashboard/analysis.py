"""What the pages show for one table, settings and model: an :class:`Analysis`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.state import Source
from explainers import (
    Dataset,
    Evaluation,
    ExplainRun,
    Finding,
    Schema,
    ShapResult,
    Table,
    Task,
    TrainedModel,
)
from sample_data import SampleInfo


@dataclass(frozen=True)
class Analysis:
    """The engine's run of one table, settings and model, with what only the app needs.

    ``run`` is the engine's :class:`explainers.ExplainRun`; the app adds the cache key
    its results live under, the source the table came from, the sample's data dictionary
    and the model's predictions of every dataset row.
    """

    key: str
    source: Source
    run: ExplainRun
    prediction: np.ndarray
    """The model's prediction of every dataset row: probabilities ``(n, k)`` or values ``(n,)``."""
    sample: SampleInfo | None
    _words: dict[str, tuple[str, str] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def table(self) -> Table:
        """The table as read from the file."""
        return self.run.table

    @property
    def schema(self) -> Schema:
        """Target, task and the role of every column."""
        return self.run.schema

    @property
    def dataset(self) -> Dataset:
        """The encoded features and target of every usable row."""
        return self.run.dataset

    @property
    def model(self) -> TrainedModel:
        """The model trained here, or the user's uploaded one."""
        return self.run.model

    @property
    def evaluation(self) -> Evaluation:
        """The model's metrics and curves on its validation rows."""
        return self.run.evaluation

    @property
    def shap(self) -> ShapResult:
        """SHAP values of the first view's rows (a seeded sample of a large table)."""
        return self.run.shap

    @property
    def warnings(self) -> tuple[str, ...]:
        """Codes of what the app assumed about an uploaded model (see ``model_warning.*``)."""
        return self.run.warnings

    @property
    def findings(self) -> tuple[Finding, ...]:
        """What to check before trusting the model: the schema's findings, then the model's."""
        return self.run.findings

    def boolean_labels(self, feature: str) -> tuple[str, str] | None:
        """How a yes/no feature is written in the file: (text for 0, text for 1), or None
        when the feature is not boolean text (plain 0/1 numbers need no words).
        Found once per feature (a scan of the column), then remembered."""
        if feature not in self._words:
            self._words[feature] = self._find_boolean_labels(feature)
        return self._words[feature]

    def _find_boolean_labels(self, feature: str) -> tuple[str, str] | None:
        if self.model.spec.kinds.get(feature) != "boolean":
            return None
        raw = self.table.frame[feature].iloc[self.dataset.row_ids]
        if pd.api.types.is_numeric_dtype(raw):
            return None
        encoded = pd.Series(self.dataset.X[feature].to_numpy(), index=raw.index)
        words = {}
        for code in (0.0, 1.0):
            found = raw[encoded == code].dropna()
            words[code] = str(found.mode().iloc[0]) if len(found) else str(int(code))
        return words[0.0], words[1.0]

    @property
    def shared(self) -> bool:
        """True when its results may sit in the cache all sessions share (a bundled sample
        with a model trained here); uploads and uploaded models stay in their session."""
        return self.source.is_sample and self.model.source == "trained"

    @property
    def task(self) -> Task:
        """``binary``, ``multiclass`` or ``regression``."""
        return self.model.task

    @property
    def is_classifier(self) -> bool:
        """True for binary and multiclass models."""
        return self.model.task != "regression"

    @property
    def class_labels(self) -> list[str]:
        """Class labels (empty for regression)."""
        return list(self.model.classes or ())

    @property
    def features(self) -> list[str]:
        """Feature (safe) names in model order."""
        return list(self.model.spec.names)

    def display(self, feature: str) -> str:
        """The feature's name as written in the file."""
        return self.model.spec.display_names.get(feature, feature)

    @property
    def display_names(self) -> list[str]:
        """Feature names as written in the file, in model order."""
        return [self.display(f) for f in self.features]

    def unit(self, feature: str) -> str | None:
        """The feature's unit from the sample's data dictionary, if any."""
        if self.sample is None:
            return None
        info = self.sample.columns.get(self.display(feature))
        return info.unit if info else None

    @property
    def target_unit(self) -> str | None:
        """The target's unit from the data dictionary, if any."""
        if self.sample is None:
            return None
        info = self.sample.columns.get(self.model.target_display)
        return info.unit if info else None

    @property
    def shap_is_sample(self) -> bool:
        """True when :attr:`shap` covers a seeded sample rather than every row."""
        return len(self.shap.rows) < len(self.dataset.y)

    @property
    def backend(self) -> str:
        """The SHAP backend that ran (``xgboost-cuda`` or ``xgboost-cpu``)."""
        return self.shap.backend
