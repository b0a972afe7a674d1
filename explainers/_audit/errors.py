"""Where the model fails: a shallow tree fitted to the validation errors, in readable rules.

An *error* on a validation row is, for a classifier, a misclassification (the most probable
class is not the true one) and, for a regression model, an absolute error in the worst
``worst_fraction`` of the validation rows (strictly above that quantile of the absolute errors;
20 % by default). A survival model's rows are neither right nor wrong: it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

from .._dataset import Dataset
from .._errors import DataError
from .._float32 import out_of_range
from .._training import TrainedModel

Operator = Literal["<=", ">", "=", "!="]
"""How a condition compares a column with its value."""

_MAX_LEVELS = 50


@dataclass(frozen=True)
class RuleCondition:
    """One condition of a rule, on a column as written in the file.

    ``value`` is a number in the column's units for ``<=`` and ``>``, and the
    category's text for ``=`` and ``!=``. ``or_missing`` is True when rows with
    a missing value in that column also follow this branch.
    """

    column: str
    operator: Operator
    value: float | str
    or_missing: bool = False

    def __str__(self) -> str:
        value = _format_number(self.value) if isinstance(self.value, float) else self.value
        text = f"{self.column} {self.operator} {value}"
        return f"({text} or missing)" if self.or_missing else text


@dataclass(frozen=True)
class ErrorRule:
    """One leaf of the error tree: its rule, its validation rows and their error rate.

    ``rule`` joins ``conditions`` with ``and`` (``"all rows"`` for a tree without splits).
    """

    rule: str
    n: int
    error_rate: float
    conditions: tuple[RuleCondition, ...] = ()


@dataclass(frozen=True)
class ErrorAnalysis:
    """Error tree of a model on its validation rows.

    ``rules`` holds one rule per leaf, sorted by error rate (highest first);
    their ``n`` add up to ``n_validation``. ``worst_rows`` are file row numbers
    (0-based) of the most wrong validation rows, worst first: lowest predicted
    probability of the true class, or largest absolute error. ``error_threshold``
    is the absolute error above which a regression row counts as an error
    (None for classifiers).
    """

    overall_error_rate: float
    n_validation: int
    n_errors: int
    rules: tuple[ErrorRule, ...]
    worst_rows: tuple[int, ...]
    error_definition: Literal["misclassified", "worst_absolute_error"]
    error_threshold: float | None


class ErrorBin(NamedTuple):
    """Validation rows in one bin of a feature, and their error rate."""

    label: str
    n: int
    error_rate: float


def _format_number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return np.format_float_positional(value, precision=6, fractional=False, trim="-")


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise DataError(
            f"Invalid error-analysis option: {message}.", code="bad_option", detail=message
        )


def _validation_errors(
    model: TrainedModel, dataset: Dataset, worst_fraction: float
) -> tuple[np.ndarray, np.ndarray, float | None]:
    """Error indicator, wrongness score (higher is worse) and regression threshold."""
    if model.task == "survival":
        raise DataError(
            "Error analysis needs each row to be right or wrong; a survival model's risk is "
            "neither (a censored patient's outcome is unknown). Use permutation importance, "
            "partial dependence, cohorts or groups (C-index per group) instead.",
            code="audit_not_for_survival",
        )
    index = model.valid_index
    predicted = model.predict(dataset.X.iloc[index])
    truth = dataset.y[index]
    if model.task == "regression":
        absolute = np.abs(truth.astype(np.float64) - predicted)
        threshold = float(np.quantile(absolute, 1.0 - worst_fraction)) if len(absolute) else 0.0
        return absolute > threshold, absolute, threshold
    wrong = predicted.argmax(axis=1) != truth
    p_true = predicted[np.arange(len(truth)), truth.astype(np.intp)]
    return wrong, 1.0 - p_true, None


def _is_categorical(model: TrainedModel, name: str, column: pd.Series) -> bool:
    if name in model.spec.categories or model.spec.kinds.get(name) == "boolean":
        return True
    return not pd.api.types.is_numeric_dtype(column)


def _as_text(column: pd.Series) -> pd.Series:
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    return column.astype("object").map(
        lambda v: None if pd.isna(v) else (_format_number(float(v)) if numeric else str(v))
    )


@dataclass(frozen=True)
class _Design:
    """The tree's input matrix and, per matrix column, what it means."""

    matrix: np.ndarray
    column: tuple[str, ...]
    level: tuple[str | None, ...]
    text: dict[str, np.ndarray]


def _design(
    model: TrainedModel, raw: pd.DataFrame, display_names: dict[str, str], min_leaf: int
) -> _Design:
    """Numbers in their units; each frequent category as a 0/1 indicator."""
    blocks: list[np.ndarray] = []
    columns: list[str] = []
    levels: list[str | None] = []
    texts: dict[str, np.ndarray] = {}
    for name in model.spec.names:
        shown = display_names.get(name, model.spec.display_names.get(name, name))
        series = raw[name]
        if _is_categorical(model, name, series):
            text = _as_text(series)
            texts[shown] = text.to_numpy(dtype=object)
            counts = text.value_counts()
            kept = counts[(counts >= min_leaf) & (counts <= len(text) - min_leaf)]
            for level in sorted(kept.index[:_MAX_LEVELS].tolist(), key=str):
                blocks.append((text == level).to_numpy(dtype=np.float64))
                columns.append(shown)
                levels.append(str(level))
        else:
            values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64)
            blocks.append(np.where(out_of_range(values), np.nan, values))  # as XGBoost does
            columns.append(shown)
            levels.append(None)
    matrix = np.column_stack(blocks) if blocks else np.empty((len(raw), 0))
    return _Design(matrix, tuple(columns), tuple(levels), texts)


def _condition(
    design: _Design, j: int, threshold: float, left: bool, any_missing: bool
) -> RuleCondition:
    level = design.level[j]
    if level is not None:
        return RuleCondition(design.column[j], "!=" if left else "=", level)
    operator: Operator = "<=" if left else ">"
    return RuleCondition(design.column[j], operator, float(threshold), any_missing)


def _simplify(
    conditions: list[RuleCondition], design: _Design, mask: np.ndarray
) -> tuple[RuleCondition, ...]:
    """Keep the tightest bound per column and operator; ``=`` makes ``!=`` redundant.

    Conditions on the same column sit together, in the order the tree first used them.
    ``!=`` conditions that leave a single category (and no missing value) among
    the leaf's rows become ``=`` that category.
    """
    equal = {c.column for c in conditions if c.operator == "="}
    for column in {c.column for c in conditions if c.operator == "!="} - equal:
        present = set(design.text[column][mask].tolist())
        if len(present) == 1 and None not in present:
            only = RuleCondition(column, "=", str(present.pop()))
            conditions = [
                only if c.column == column and c.operator == "!=" else c for c in conditions
            ]
            equal.add(column)
    kept: dict[tuple[str, str, str], RuleCondition] = {}
    for c in conditions:
        if c.operator == "!=" and c.column in equal:
            continue
        key = (c.column, c.operator, str(c.value) if c.operator in ("=", "!=") else "")
        previous = kept.get(key)
        if previous is not None and c.operator in ("<=", ">"):
            new, old = float(c.value), float(previous.value)
            value = min(new, old) if c.operator == "<=" else max(new, old)
            c = RuleCondition(c.column, c.operator, value, c.or_missing and previous.or_missing)
        kept[key] = c
    first = {c.column: i for i, c in reversed(list(enumerate(kept.values())))}
    return tuple(sorted(kept.values(), key=lambda c: first[c.column]))


def _leaf_rules(
    tree: DecisionTreeClassifier, design: _Design, errors: np.ndarray
) -> list[ErrorRule]:
    structure = tree.tree_
    rules: list[ErrorRule] = []
    stack: list[tuple[int, np.ndarray, list[RuleCondition]]] = [
        (0, np.ones(len(errors), dtype=bool), [])
    ]
    while stack:
        node, mask, path = stack.pop()
        left, right = int(structure.children_left[node]), int(structure.children_right[node])
        if left == -1:
            conditions = _simplify(path, design, mask)
            text = " and ".join(str(c) for c in conditions) or "all rows"
            n = int(mask.sum())
            rate = float(errors[mask].mean()) if n else 0.0
            rules.append(ErrorRule(text, n, rate, conditions))
            continue
        j, threshold = int(structure.feature[node]), float(structure.threshold[node])
        values = design.matrix[:, j]
        missing = np.isnan(values)
        missing_left = bool(structure.missing_go_to_left[node])
        goes_left = np.where(missing, missing_left, values <= threshold)
        any_missing = bool((missing & mask).any())
        left_missing, right_missing = any_missing and missing_left, any_missing and not missing_left
        stack.append(
            (
                right,
                mask & ~goes_left,
                [*path, _condition(design, j, threshold, False, right_missing)],
            )
        )
        stack.append(
            (left, mask & goes_left, [*path, _condition(design, j, threshold, True, left_missing)])
        )
    return sorted(rules, key=lambda r: (-r.error_rate, -r.n, r.rule))


def error_analysis(
    model: TrainedModel,
    dataset: Dataset,
    table_frame: pd.DataFrame,
    display_names: dict[str, str],
    *,
    max_depth: int = 3,
    min_leaf: int = 20,
    worst_fraction: float = 0.2,
    n_worst: int = 20,
    seed: int = 0,
) -> ErrorAnalysis:
    """Fit a shallow decision tree to the model's validation errors and read its leaves as rules.

    Parameters
    ----------
    model
        The trained (or uploaded) model; it is judged on its ``valid_index`` rows.
    dataset
        The encoded rows; ``row_ids`` locate them in ``table_frame``.
    table_frame
        The file's table (``Table.frame``, safe column names). The tree splits on
        these original values, so rules read in the column's units and categories.
    display_names
        Safe column name to the name as written in the file (``Schema.display_names``).
    max_depth, min_leaf
        Depth of the error tree and the fewest validation rows in a leaf.
    worst_fraction
        Regression only: the share of validation rows, by absolute error, that
        count as errors.
    n_worst
        How many of the most wrong validation rows to return.
    seed
        Seed of the tree (ties between equally good splits).

    Returns
    -------
    ErrorAnalysis
        Overall error rate, one rule per leaf (highest error rate first) and
        the file rows of the most wrong validation rows.
    """
    _check(max_depth >= 1, "max_depth must be at least 1")
    _check(min_leaf >= 1, "min_leaf must be at least 1")
    _check(0 < worst_fraction < 1, "worst_fraction must be between 0 and 1")
    _check(n_worst >= 0, "n_worst must be at least 0")
    errors, wrongness, threshold = _validation_errors(model, dataset, worst_fraction)
    file_rows = dataset.row_ids[model.valid_index]
    raw = table_frame.iloc[file_rows]
    design = _design(model, raw, display_names, min_leaf)
    n = len(errors)
    if n == 0:
        rules: list[ErrorRule] = []
    elif design.matrix.shape[1] == 0 or errors.all() or not errors.any():
        rules = [ErrorRule("all rows", n, float(errors.mean()))]
    else:
        tree = DecisionTreeClassifier(
            max_depth=max_depth, min_samples_leaf=min_leaf, random_state=seed
        )
        tree.fit(design.matrix, errors.astype(np.int8))
        rules = _leaf_rules(tree, design, errors)
    order = np.argsort(-wrongness, kind="stable")[:n_worst]
    return ErrorAnalysis(
        overall_error_rate=float(errors.mean()) if n else 0.0,
        n_validation=n,
        n_errors=int(errors.sum()),
        rules=tuple(rules),
        worst_rows=tuple(int(r) for r in file_rows[order]),
        error_definition="worst_absolute_error" if threshold is not None else "misclassified",
        error_threshold=threshold,
    )


def error_rate_along(
    model: TrainedModel,
    dataset: Dataset,
    feature: str,
    *,
    bins: int = 10,
    worst_fraction: float = 0.2,
) -> list[ErrorBin]:
    """Validation error rate in bins of one feature.

    Parameters
    ----------
    model, dataset
        As for :func:`error_analysis`; errors are defined the same way.
    feature
        The feature's safe name (one of ``model.spec.names``).
    bins
        Numeric features: at most this many quantile bins (each distinct value
        is its own bin when there are no more than ``bins`` of them).
        Categorical features get one bin per category.
    worst_fraction
        Regression only, as for :func:`error_analysis`.

    Returns
    -------
    list of ErrorBin
        ``(label, n, error_rate)`` per non-empty bin, in value order, then
        ``"missing"`` when the feature has missing values.
    """
    if feature not in model.spec.names:
        raise DataError(
            "The feature for the error rate is not one of the model's features. "
            "Choose a feature the model uses.",
            code="unknown_feature",
        )
    _check(bins >= 2, "bins must be at least 2")
    _check(0 < worst_fraction < 1, "worst_fraction must be between 0 and 1")
    errors, _, _ = _validation_errors(model, dataset, worst_fraction)
    column = dataset.X[feature].iloc[model.valid_index]
    missing = column.isna().to_numpy()
    result: list[ErrorBin] = []
    if feature in model.spec.categories:
        text = column.astype("object").to_numpy()
        for level in model.spec.categories[feature]:
            inside = ~missing & (text == level)
            if inside.any():
                result.append(ErrorBin(level, int(inside.sum()), float(errors[inside].mean())))
    else:
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        present = values[~missing]
        distinct = np.unique(present)
        if len(distinct) <= bins:
            for value in distinct:
                inside = ~missing & (values == value)
                result.append(
                    ErrorBin(_format_number(value), int(inside.sum()), float(errors[inside].mean()))
                )
        else:
            edges = np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)))
            codes = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
            for b in range(len(edges) - 1):
                inside = ~missing & (codes == b)
                if inside.any():
                    closing = "]" if b == len(edges) - 2 else ")"
                    label = f"[{_format_number(edges[b])}, {_format_number(edges[b + 1])}{closing}"
                    result.append(ErrorBin(label, int(inside.sum()), float(errors[inside].mean())))
    if missing.any():
        result.append(ErrorBin("missing", int(missing.sum()), float(errors[missing].mean())))
    return result
