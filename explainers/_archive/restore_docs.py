"""The JSON members read back into the engine's types: settings, schema, metrics, findings.

Every field is checked through :class:`~explainers._archive.fields.Fields`; modes
must be one of their ``Literal``'s values. A problem is ``archive_bad_member``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

import pandas as pd

from .._dataset import FeatureSpec
from .._errors import DataError
from .._findings import Finding
from .._io.cleaning import MissingTokens, NumberConversion
from .._io.reading import Reading, Table
from .._profiling import ColumnProfile
from .._schema import Schema
from .._survival.detect import SurvivalSuggestion
from .._training import TrainingOptions
from .._types import (
    AftDistribution,
    Backend,
    ClassWeight,
    Device,
    Format,
    Kind,
    Reason,
    Role,
    SurvivalModel,
    TargetReason,
    Task,
)
from .fields import Fields
from .members import CURVES

_TASKS: tuple[Task, ...] = get_args(Task)
_KINDS: tuple[Kind, ...] = get_args(Kind)
_ROLES: tuple[Role, ...] = get_args(Role)
_REASONS: tuple[Reason, ...] = get_args(Reason)
_TARGET_REASONS: tuple[TargetReason, ...] = get_args(TargetReason)
_BACKENDS: tuple[Backend, ...] = get_args(Backend)
_DEVICES: tuple[Device, ...] = get_args(Device)
_FORMATS: tuple[Format, ...] = get_args(Format)
_CLASS_WEIGHTS: tuple[ClassWeight, ...] = get_args(ClassWeight)
_SURVIVAL_MODELS: tuple[SurvivalModel, ...] = get_args(SurvivalModel)
_AFT_DISTRIBUTIONS: tuple[AftDistribution, ...] = get_args(AftDistribution)
_EVENT_REASONS: tuple[Literal["named", "shape"], ...] = ("named", "shape")
_SOURCES: tuple[Literal["trained", "uploaded"], ...] = ("trained", "uploaded")
_FEATURE_KINDS = ("numeric", "categorical", "boolean")


@dataclass(frozen=True)
class TableFacts:
    """How the table was read, without its rows: what ``summary.json``'s ``reading`` needs.

    ``original_names`` maps each column's safe name to its name in the file, in
    table order; ``dtypes`` are the columns' pandas dtype tags.
    """

    source_name: str
    format: Format
    encoding: str | None
    delimiter: str | None
    n_rows: int
    n_columns: int
    warnings: tuple[str, ...]
    reading: Reading
    original_names: dict[str, str]
    dtypes: tuple[str, ...]

    def table(self, frame: pd.DataFrame) -> Table:
        """The :class:`Table` of ``frame`` (the saved table) with these facts."""
        return Table(
            frame=frame,
            original_names=dict(self.original_names),
            source_name=self.source_name,
            format=self.format,
            encoding=self.encoding,
            delimiter=self.delimiter,
            n_rows=self.n_rows,
            n_columns=self.n_columns,
            warnings=self.warnings,
            reading=self.reading,
        )


@dataclass(frozen=True)
class Settings:
    """``settings.json``, checked."""

    source: Literal["trained", "uploaded"]
    task: Task
    target: str
    target_display: str
    classes: tuple[str, ...] | None
    best_iteration: int
    options: TrainingOptions
    spec: FeatureSpec
    seed: int
    warnings: tuple[str, ...]
    seconds: dict[str, float]
    backend: Backend
    device: Device
    shap_seconds: float
    shap_rows: int
    shap_distinct_rows: int | None
    n_outputs: int
    interactions: tuple[Backend, float, int] | None
    n_rows: int
    n_dropped_missing_target: int
    n_inf_replaced: int
    table: TableFacts


@dataclass(frozen=True)
class EvaluationFacts:
    """``evaluation.json``, checked: the scalars of an :class:`Evaluation` and the findings."""

    task: Task
    metrics: dict[str, float]
    per_class: dict[str, dict[str, float]]
    classes: tuple[str, ...] | None
    confusion: list[list[int]] | None
    n_valid: int
    curves: dict[str, tuple[str, ...]]
    findings: tuple[Finding, ...]


def read_settings(document: dict[str, Any]) -> Settings:
    """Check ``settings.json`` and return its facts."""
    top = Fields("settings.json", document)
    model = top.section("model")
    shap = top.section("shap")
    inter = top.optional_section("interactions")
    dataset = top.section("dataset")
    return Settings(
        source=model.choice("source", _SOURCES),
        task=model.choice("task", _TASKS),
        target=model.text("target"),
        target_display=model.text("target_display"),
        classes=model.optional_texts("classes"),
        best_iteration=model.integer("best_iteration", minimum=-1),
        options=_options(model.section("options")),
        spec=_spec(model.section("features")),
        seed=top.integer("seed", minimum=-(2**63)),
        warnings=top.texts("warnings"),
        seconds=top.number_map("seconds"),
        backend=shap.choice("backend", _BACKENDS),
        device=shap.choice("device", _DEVICES),
        shap_seconds=shap.number("seconds"),
        shap_rows=shap.integer("n_rows"),
        shap_distinct_rows=shap.optional_integer("distinct_rows")
        if "distinct_rows" in shap.document  # absent from files saved before it was kept
        else None,
        n_outputs=shap.integer("n_outputs", minimum=1),
        interactions=None
        if inter is None
        else (inter.choice("backend", _BACKENDS), inter.number("seconds"), inter.integer("n_rows")),
        n_rows=dataset.integer("n_rows"),
        n_dropped_missing_target=dataset.integer("n_dropped_missing_target"),
        n_inf_replaced=dataset.integer("n_inf_replaced"),
        table=_table_facts(top.section("table")),
    )


def _options(fields: Fields) -> TrainingOptions:
    """The training options; the survival ones and the training-rows cap default when absent
    (files saved before them)."""
    default = TrainingOptions()
    known = fields.document
    try:
        return TrainingOptions(
            n_estimators=fields.integer("n_estimators", minimum=1),
            learning_rate=fields.number("learning_rate"),
            max_depth=fields.integer("max_depth", minimum=1),
            min_child_weight=fields.number("min_child_weight"),
            subsample=fields.number("subsample"),
            colsample_bytree=fields.number("colsample_bytree"),
            reg_lambda=fields.number("reg_lambda"),
            early_stopping_rounds=fields.integer("early_stopping_rounds"),
            validation_fraction=fields.number("validation_fraction"),
            class_weight=fields.choice("class_weight", _CLASS_WEIGHTS),
            seed=fields.integer("seed", minimum=-(2**63)),
            survival_model=fields.choice("survival_model", _SURVIVAL_MODELS)
            if "survival_model" in known
            else default.survival_model,
            aft_distribution=fields.choice("aft_distribution", _AFT_DISTRIBUTIONS)
            if "aft_distribution" in known
            else default.aft_distribution,
            aft_scale=fields.number("aft_scale") if "aft_scale" in known else default.aft_scale,
            max_train_rows=fields.optional_integer("max_train_rows", minimum=1)
            if "max_train_rows" in known
            else default.max_train_rows,
        )
    except DataError as error:
        if error.code == "bad_option":
            raise fields.fail("options") from None
        raise


def _spec(fields: Fields) -> FeatureSpec:
    names = fields.texts("names")
    display = fields.text_map("display_names")
    kinds = fields.text_map("kinds")
    categories = fields.text_lists("categories")
    if (
        not names
        or len(set(names)) < len(names)
        or list(display) != list(names)
        or list(kinds) != list(names)
        or any(k not in _FEATURE_KINDS for k in kinds.values())
        or any(n not in names or kinds[n] != "categorical" for n in categories)
        or any(kinds[n] == "categorical" and n not in categories for n in names)
    ):
        raise fields.fail("features")
    return FeatureSpec(names=names, display_names=display, kinds=kinds, categories=categories)


def _table_facts(fields: Fields) -> TableFacts:
    columns = fields.sections("columns")
    names = [c.text("name") for c in columns]
    if len(set(names)) < len(names) or len(names) != fields.integer("n_columns"):
        raise fields.fail("columns")
    reading = fields.section("reading")
    return TableFacts(
        source_name=fields.text("source_name"),
        format=fields.choice("format", _FORMATS),
        encoding=fields.optional_text("encoding"),
        delimiter=fields.optional_text("delimiter"),
        n_rows=fields.integer("n_rows"),
        n_columns=fields.integer("n_columns"),
        warnings=fields.texts("warnings"),
        reading=Reading(
            sheet=reading.optional_text("sheet"),
            sheets=reading.texts("sheets"),
            header_row=reading.integer("header_row"),
            missing=tuple(
                MissingTokens(m.text("column"), m.texts("tokens"), m.integer("count"))
                for m in reading.sections("missing")
            ),
            converted=tuple(
                NumberConversion(c.text("column"), c.texts("formats"))
                for c in reading.sections("converted")
            ),
        ),
        original_names={n: c.text("display_name") for n, c in zip(names, columns, strict=True)},
        dtypes=tuple(c.text("dtype") for c in columns),
    )


def read_findings(fields: Fields, key: str) -> tuple[Finding, ...]:
    """The findings listed under ``key``."""
    findings = []
    for item in fields.sections(key):
        params = item.section("params")
        findings.append(
            Finding(
                code=item.text("code"),
                message=item.text("message"),
                columns=item.texts("columns"),
                params=dict(params.document),
            )
        )
    return tuple(findings)


def read_schema(document: dict[str, Any]) -> Schema:
    """Check ``schema.json`` and return the :class:`Schema`."""
    top = Fields("schema.json", document)
    columns = tuple(_profile(c) for c in top.sections("columns"))
    names = [c.name for c in columns]
    target = top.text("target")
    if len(set(names)) < len(names) or target not in names:
        raise top.fail("columns")
    time = top.optional_text("time") if "time" in top.document else None
    event_value = top.optional_text("event_value") if "event_value" in top.document else None
    survival = top.raw("task") == "survival"
    if (time is not None) != survival or time == target or (time or target) not in names:
        raise top.fail("time")
    if event_value is not None and not survival:
        raise top.fail("event_value")
    return Schema(
        columns=columns,
        target=target,
        task=top.choice("task", _TASKS),
        target_guessed=top.flag("target_guessed"),
        task_guessed=top.flag("task_guessed"),
        n_rows=top.integer("n_rows"),
        target_reason=top.choice("target_reason", _TARGET_REASONS),
        target_alternatives=top.texts("target_alternatives"),
        skipped_targets=tuple(
            (s.text("column"), s.text("code")) for s in top.sections("skipped_targets")
        ),
        findings=read_findings(top, "findings"),
        leak_check_rows=top.integer("leak_check_rows"),
        time=time,
        event_value=event_value,
        survival_suggestion=_suggestion(top),
    )


def _suggestion(top: Fields) -> SurvivalSuggestion | None:
    """The time/event pair the profiler offered (absent in files saved before it)."""
    fields = (
        top.optional_section("survival_suggestion")
        if "survival_suggestion" in top.document
        else None
    )
    if fields is None:
        return None
    return SurvivalSuggestion(
        time=fields.text("time"),
        event=fields.text("event"),
        time_display=fields.text("time_display"),
        event_display=fields.text("event_display"),
        event_value=fields.optional_text("event_value"),
        inverted=fields.flag("inverted"),
        needs_event_value=fields.flag("needs_event_value"),
        event_values=fields.texts("event_values"),
        event_reason=fields.choice("event_reason", _EVENT_REASONS),
    )


def _profile(fields: Fields) -> ColumnProfile:
    return ColumnProfile(
        name=fields.text("name"),
        display_name=fields.text("display_name"),
        kind=fields.choice("kind", _KINDS),
        role=fields.choice("role", _ROLES),
        reason=fields.optional_choice("reason", _REASONS),
        n_missing=fields.integer("n_missing"),
        n_unique=fields.integer("n_unique"),
        n_rows=fields.integer("n_rows"),
        leak_metric=fields.optional_text("leak_metric"),
        leak_score=fields.optional_number("leak_score"),
    )


def read_evaluation(document: dict[str, Any]) -> EvaluationFacts:
    """Check ``evaluation.json`` and return its facts."""
    top = Fields("evaluation.json", document)
    per_class = top.section("per_class")
    curves = top.section("curves")
    confusion = None if top.raw("confusion") is None else top.integer_rows("confusion")
    if set(curves.document) != set(CURVES):
        raise top.fail("curves")
    return EvaluationFacts(
        task=top.choice("task", _TASKS),
        metrics=top.number_map("metrics"),
        per_class={k: per_class.number_map(k) for k in per_class.document},
        classes=top.optional_texts("classes"),
        confusion=confusion,
        n_valid=top.integer("n_valid"),
        curves={name: curves.texts(name) for name in CURVES},
        findings=read_findings(top, "findings"),
    )


def read_audit(document: dict[str, Any]) -> dict[str, object]:
    """``audit.json`` as written: any JSON object (strict JSON was checked when parsed)."""
    return dict(document)
