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
    OpenedAnalysis,
    Schema,
    ShapResult,
    Table,
    Task,
    TrainedModel,
)
from sample_data import SampleInfo


class RowsUnavailable(LookupError):
    """A view asked for the rows of an analysis opened from a file saved without its table.

    Pages check :attr:`Analysis.has_rows` first and say so; a page that did not is
    stopped by this, and :func:`dashboard.views._common.run_page` says so instead.
    """


@dataclass(frozen=True)
class Rows:
    """The rows behind an analysis: the table, its encoded dataset, the model's predictions
    of every dataset row (probabilities ``(n, k)`` or values ``(n,)``)."""

    table: Table
    dataset: Dataset
    prediction: np.ndarray


@dataclass(frozen=True)
class Analysis:
    """The engine's run of one table, settings and model, with what only the app needs.

    It is made from the engine's :class:`explainers.ExplainRun` (:meth:`of_run`), or
    from a saved analysis opened again (:meth:`of_opened`, with ``opened`` set). Saved
    without its table, it has no :attr:`rows`: the model, metrics, curves and SHAP values
    are all there, and :attr:`table`, :attr:`dataset` and :attr:`prediction` raise
    :class:`RowsUnavailable` (check :attr:`has_rows`). ``key`` is the cache key its
    results live under; ``sample`` the bundled sample's data dictionary.
    """

    key: str
    source: Source
    schema: Schema
    """Target, task and the role of every column."""
    model: TrainedModel
    """The model trained here, or the user's uploaded one."""
    evaluation: Evaluation
    """The model's metrics and curves on its validation rows."""
    shap: ShapResult
    """SHAP values of the first view's rows (a seeded sample of a large table)."""
    seconds: dict[str, float] = field(compare=False)
    warnings: tuple[str, ...]
    """Codes of what the app assumed about an uploaded model (see ``model_warning.*``)."""
    findings: tuple[Finding, ...]
    """What to check before trusting the model: the schema's findings, then the model's."""
    rows: Rows | None
    sample: SampleInfo | None
    opened: OpenedAnalysis | None = field(default=None, repr=False, compare=False)
    _words: dict[str, tuple[str, str] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def of_run(
        cls,
        key: str,
        source: Source,
        run: ExplainRun,
        prediction: np.ndarray,
        sample: SampleInfo | None,
    ) -> Analysis:
        """The analysis of a run computed here."""
        return cls(
            key=key,
            source=source,
            schema=run.schema,
            model=run.model,
            evaluation=run.evaluation,
            shap=run.shap,
            seconds=dict(run.seconds),
            warnings=run.warnings,
            findings=run.findings,
            rows=Rows(run.table, run.dataset, prediction),
            sample=sample,
        )

    @classmethod
    def of_opened(cls, key: str, source: Source, opened: OpenedAnalysis) -> Analysis:
        """The analysis of a saved file, as it was saved (nothing is trained again)."""
        run = opened.run
        rows = None
        if run is not None:
            rows = Rows(run.table, run.dataset, run.model.predict(run.dataset.X))
        return cls(
            key=key,
            source=source,
            schema=opened.schema,
            model=opened.model,
            evaluation=opened.evaluation,
            shap=opened.shap,
            seconds=dict(opened.seconds),
            warnings=opened.warnings,
            findings=opened.findings,
            rows=rows,
            sample=None,
            opened=opened,
        )

    @property
    def has_rows(self) -> bool:
        """False for an analysis opened from a file saved without its table."""
        return self.rows is not None

    def _rows(self) -> Rows:
        if self.rows is None:
            raise RowsUnavailable(self.key)
        return self.rows

    @property
    def table(self) -> Table:
        """The table as read from the file (:class:`RowsUnavailable` without it)."""
        return self._rows().table

    @property
    def dataset(self) -> Dataset:
        """The encoded features and target of every usable row (needs the rows)."""
        return self._rows().dataset

    @property
    def prediction(self) -> np.ndarray:
        """The model's prediction of every dataset row (needs the rows)."""
        return self._rows().prediction

    @property
    def run(self) -> ExplainRun:
        """The engine's run (needs the rows): what saving and the CLI's writers take."""
        rows = self._rows()
        return ExplainRun(
            table=rows.table,
            schema=self.schema,
            dataset=rows.dataset,
            model=self.model,
            evaluation=self.evaluation,
            shap=self.shap,
            seconds=dict(self.seconds),
            warnings=self.warnings,
            findings=self.findings,
        )

    @property
    def facts(self) -> ExplainRun | OpenedAnalysis:
        """What :func:`explainers.cli.summary_of` reads: the run, or the saved analysis."""
        return self.opened if self.rows is None and self.opened is not None else self.run

    @property
    def n_rows(self) -> int:
        """Usable rows of the table (known without them when opened from a file)."""
        if self.rows is not None:
            return int(len(self.rows.dataset.y))
        return self.opened.n_rows if self.opened is not None else 0

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
        """``binary``, ``multiclass``, ``regression`` or ``survival``."""
        return self.model.task

    @property
    def is_classifier(self) -> bool:
        """True for binary and multiclass models (their prediction is a probability)."""
        return self.model.task in ("binary", "multiclass")

    @property
    def is_survival(self) -> bool:
        """True for a time-to-event model: its output is the log relative hazard."""
        return self.model.task == "survival"

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
        return len(self.shap.rows) < self.n_rows

    @property
    def backend(self) -> str:
        """The SHAP backend that ran (``xgboost-cuda`` or ``xgboost-cpu``)."""
        return self.shap.backend

    @property
    def training_split_rows(self) -> int:
        """Rows of the training split: every usable row outside the validation rows."""
        return self.n_rows - len(self.model.valid_index)

    @property
    def fitted_on_sample(self) -> bool:
        """True when a model trained here was fitted on a sample of its training split
        (the ``max_train_rows`` cap); an uploaded model's training rows are not known."""
        model = self.model
        return model.source == "trained" and len(model.train_index) < self.training_split_rows
