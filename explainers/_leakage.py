"""The leak audit before training: features that give the answer away.

Two checks, both run on the candidate features of a chosen target:

- **Alone, on held-out rows.** Each feature on its own predicts the target with a
  shallow decision tree (categories target-encoded by scikit-learn's
  :class:`~sklearn.preprocessing.TargetEncoder`, missing values kept, so numeric
  thresholds, categories and "present only when the event happened" patterns are
  all caught), scored out of fold by 3-fold cross-validation: ROC AUC for
  classification (one-vs-rest macro for several classes), R² for regression. A
  feature that alone reaches AUC >= 0.99 or R² >= 0.98 leaks. Large tables are
  checked on a seeded sample of :data:`LEAK_SAMPLE_ROWS` labelled rows (fewer for
  tables wider than 200 features, see :data:`LEAK_CELL_BUDGET`). A feature is scored
  fold by fold and left as soon as the held-out rows scored so far rule a leak out (see
  :class:`_Screen`): most features stop after one fold, and the leaks found are the same.
- **By meaning.** A column whose name says it is recorded at or after the outcome
  (follow-up time, time to event, date or cause of death, discharge status, in
  their usual abbreviations and in Korean) is a possible leak.
"""

from __future__ import annotations

import inspect
import os
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn import config_context
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import TargetEncoder
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

LEAK_SAMPLE_ROWS = 10_000
"""Labelled rows (a seeded sample) on which each feature is tried alone."""
LEAK_CELL_BUDGET = 2_000_000
"""Rows x features tried alone at most: wide tables are checked on fewer rows (>= 2,000)."""
_MIN_SAMPLE = 2_000
_THREADED_ROWS = 1_000
"""Fewer rows than this are scored on one thread: a small tree is mostly scikit-learn's
Python checks, which hold the GIL, and two threads took 25% longer than one (300 rows)."""
LEAK_AUC = 0.99
LEAK_R2 = 0.98
_FOLDS = 3
_DEPTH = 6
_MIN_LEAF = 5

LeakMetric = Literal["auc", "r2"]

_AFTER_OUTCOME = re.compile(
    r"follow[_\s.-]?up|^fu[_\s.-]?(time|days|months|years|len|length)?$|futime|fu_?time|"
    r"(time|days?|months?|years?|weeks?)[_\s.-]?(to|until|till)[_\s.-]?(event|recurrence|"
    r"relapse|death|progression|failure|readmission|censor\w*|last[_\s.-]?(contact|follow\w*))|"
    r"surv(ival)?[_\s.-]?(time|days|months|years|weeks|status)|"
    r"^(os|pfs|dfs|efs|rfs|ttp)[_\s.-]?(time|months|days|weeks|years|status)?$|"
    r"(date|time|day|year|age|place)[_\s.-]?(of|at)[_\s.-]?(death|recurrence|relapse|discharge|"
    r"censor\w*|last[_\s.-]?(contact|follow\w*))|"
    r"(death|dod|recurrence|relapse|discharge|censor(ing)?)[_\s.-]?(date|time|day|days|dt|cause|"
    r"status|reason|type|disposition|location)$|"
    r"cause[_\s.-]?of[_\s.-]?death|^dod$|^censor(ed|ing)?$|len[_\s.-]?fol|"
    r"surv(ival)?[_\s.-]?in[_\s.-]?(days|months|weeks|years)|"
    r"추적|사망[_\s]?(일|날짜|일자|원인|시간|장소)|퇴원[_\s]?(상태|형태|결과)|재발[_\s]?(일|날짜|시간)|"
    r"생존[_\s]?(기간|시간|일수)|관찰[_\s]?기간",
    re.IGNORECASE,
)


# Beside an event outcome (death, status, censoring), a bare time column is follow-up time.
_EVENT_TARGET = re.compile(
    r"death|dead|died|deceas|mortality|status|event|cens|fstat|surviv|recur|"
    r"relapse|fail|arrest|churn|readmi|사망|재발|생존|사건",
    re.IGNORECASE,
)
_BARE_TIME = re.compile(
    r"^(t|time|times|stime|survt(ime)?|surv|survival|duration|tte|days?|weeks?|"
    r"months?|years?|time[_\s.-]?([a-z]{1,2}|days|weeks|months|years))$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LeakScore:
    """How well one feature alone predicts the target on held-out rows."""

    column: str
    metric: LeakMetric
    score: float

    @property
    def leaks(self) -> bool:
        """True when the feature alone predicts the target almost perfectly."""
        return self.score >= (LEAK_AUC if self.metric == "auc" else LEAK_R2)


def recorded_after_outcome(name: str, *, target: str | None = None) -> bool:
    """True when a column's name says it is recorded at or after the outcome.

    With ``target`` (the outcome's name), a bare ``time`` or ``survival`` column beside
    an event outcome (death, status, censoring) is follow-up time too.
    """
    name = name.strip()
    if _AFTER_OUTCOME.search(name):
        return True
    return bool(target and _EVENT_TARGET.search(target) and _BARE_TIME.match(name))


def score_single_features(
    frame: pd.DataFrame,
    target: str,
    features: dict[str, bool],
    *,
    classification: bool,
    seed: int = 0,
    max_rows: int = LEAK_SAMPLE_ROWS,
) -> tuple[list[LeakScore], int]:
    """Score every feature alone against ``target`` on held-out rows.

    Parameters
    ----------
    frame
        The table; rows with a missing target are left out here.
    features
        Feature name to True when it is numeric (or boolean), False for a category.
    classification
        AUC for classification, R² for regression.

    Returns
    -------
    list of LeakScore, int
        One score per feature that could be scored, and the rows they were scored on. A
        feature whose first folds already rule a leak out is not scored further and gets
        no score: every feature that leaks has one.
    """
    answer = frame[target]
    keep = answer.notna().to_numpy()
    if classification:  # classes as text, the rare ones left out (counted on distinct values)
        counts = answer[keep].value_counts()
        as_text = counts.groupby(counts.index.astype(str)).sum()
        common = set(as_text.index[as_text >= _FOLDS * 2])
        kept_values = [v for v in counts.index if str(v) in common]
        keep = keep & answer.isin(kept_values).to_numpy()
    positions = pd.Series(np.flatnonzero(keep))
    max_rows = min(max_rows, max(_MIN_SAMPLE, LEAK_CELL_BUDGET // max(len(features), 1)))
    if len(positions) > max_rows:  # the same draw as sampling the labelled rows themselves
        positions = positions.sample(max_rows, random_state=seed)
    labelled = frame.iloc[positions.to_numpy()]  # only the rows scored are copied
    if len(labelled) < 4 * _FOLDS:
        return [], len(labelled)
    if classification:
        y = pd.factorize(labelled[target].astype(str), sort=True)[0]
        if len(np.unique(y)) < 2 or np.bincount(y).min() < _FOLDS:
            return [], len(labelled)
        splitter: StratifiedKFold | KFold = StratifiedKFold(_FOLDS, shuffle=True, random_state=seed)
    else:
        y = pd.to_numeric(labelled[target], errors="coerce").to_numpy(dtype=float)
        splitter = KFold(_FOLDS, shuffle=True, random_state=seed)
    folds = list(splitter.split(np.zeros((len(y), 1)), y))  # the same folds for every feature
    screen = _Screen(y, classification)

    def score(item: tuple[str, bool]) -> float | None:
        # The trees' settings are fixed and valid: checking them again for each of a wide
        # table's trees took a tenth of the audit. The setting is per thread, so set here.
        with config_context(skip_parameter_validation=True):
            return _score_one(labelled[item[0]], y, item[1], classification, folds, seed, screen)

    # scikit-learn grows its trees without the GIL: one feature per core, same scores.
    # Warnings are silenced here, once: the filters are process-wide, not per thread.
    cores = (os.cpu_count() or 1) if len(labelled) >= _THREADED_ROWS else 1
    workers = max(1, min(cores, len(features)))
    with warnings.catch_warnings(), ThreadPoolExecutor(max_workers=workers) as pool:
        warnings.simplefilter("ignore")
        found = list(pool.map(score, features.items()))
    metric: LeakMetric = "auc" if classification else "r2"
    return [
        LeakScore(name, metric, value)
        for name, value in zip(features, found, strict=True)
        if value is not None
    ], len(labelled)


def _score_one(
    column: pd.Series,
    y: np.ndarray,
    numeric: bool,
    classification: bool,
    folds: list[tuple[np.ndarray, np.ndarray]],
    seed: int,
    screen: _Screen | None = None,
) -> float | None:
    """Out-of-fold score of one feature alone (the folds are fitted by hand: a wide table
    pays for the trees, not for cross-validation's bookkeeping); None when it cannot be
    scored, or when ``screen`` rules a leak out before the last fold."""
    n_classes = int(y.max()) + 1 if classification else 0
    if numeric:
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, copy=True)
        values = values.reshape(-1, 1)
        values[~np.isfinite(values)] = np.nan
        if np.isnan(values).all():
            return None
    else:
        text = column.astype(object).where(column.notna(), "\x00missing").astype(str)
        values = text.to_numpy().reshape(-1, 1)
    predicted = np.zeros((len(y), n_classes)) if classification else np.zeros(len(y))
    scored = np.zeros(len(y), dtype=bool)
    try:
        for fold, (train, test) in enumerate(folds):
            if fold and screen is not None and screen.rules_out(predicted, scored):
                return None
            model = _model(numeric, classification, n_classes, seed)
            model.fit(values[train], y[train])
            if classification:
                proba = model.predict_proba(values[test])
                predicted[np.ix_(test, model.classes_)] = proba
            else:
                predicted[test] = model.predict(values[test])
            scored[test] = True
        if not classification:
            return float(r2_score(y, predicted))
        if n_classes == 2:
            return rank_auc(y == 1, predicted[:, 1])
        return float(np.mean([rank_auc(y == k, predicted[:, k]) for k in range(n_classes)]))
    except ValueError:
        return None  # a fold without a class, or a constant column: nothing to learn from


class _Screen:
    """Rules a leak out from the held-out rows scored so far, exactly.

    Each score is a sum of per-row or per-pair losses over all labelled rows, and the
    rows of the folds already scored have their final predictions. Their losses are part
    of the total, so once they exceed what a leak allows, no later fold can bring the
    score back above the threshold:

    - R² >= ``LEAK_R2`` needs the squared error summed over all rows to stay within
      ``(1 - LEAK_R2)`` times their total sum of squares about the mean;
    - ROC AUC >= ``LEAK_AUC`` needs the positive-negative pairs ranked the wrong way (ties
      half) to stay within ``(1 - LEAK_AUC)`` of all such pairs; the pairs among the rows
      scored so far are some of them. For several classes the same holds for the sum over
      classes of ``1 - AUC``, each class's pairs counted against its own total.
    """

    def __init__(self, y: np.ndarray, classification: bool) -> None:
        self._y = y
        self._classification = classification
        if classification:
            n_classes = int(y.max()) + 1
            self._classes = [1] if n_classes == 2 else list(range(n_classes))
            positives = np.array([np.sum(y == k) for k in self._classes], dtype=float)
            self._pairs = positives * (len(y) - positives)
            self._allowed = (1.0 - LEAK_AUC) * len(self._classes)
        else:
            with np.errstate(invalid="ignore", over="ignore"):
                total = float(np.sum((y - y.mean()) ** 2))
            self._total = total if np.isfinite(total) else 0.0  # no screen; no R² either
            self._allowed = (1.0 - LEAK_R2) * self._total

    def rules_out(self, predicted: np.ndarray, scored: np.ndarray) -> bool:
        """True when the ``scored`` rows' losses alone exceed what a leak allows (with a
        relative margin of 1e-9, so rounding never rules a leak out)."""
        y = self._y[scored]
        if not self._classification:
            if self._total <= 0:
                return False
            return float(np.sum((y - predicted[scored]) ** 2)) > self._allowed * (1 + 1e-9)
        lost = 0.0
        for k, pairs in zip(self._classes, self._pairs, strict=True):
            positive = y == k
            n_positive = int(positive.sum())
            if pairs <= 0 or n_positive in (0, len(y)):
                continue
            wrong = (1.0 - rank_auc(positive, predicted[scored, k])) * n_positive
            lost += wrong * (len(y) - n_positive) / pairs
        return lost > self._allowed * (1 + 1e-9)


def rank_auc(positive: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC of ``score`` for the ``positive`` rows: the Mann-Whitney statistic from average
    ranks (ties count half), the value of scikit-learn's ``roc_auc_score`` (one-vs-rest macro
    for several classes is the mean over classes) without its input checks, which cost
    more than the sum here (the leak audit scores every feature alone).

    Raises
    ------
    ValueError
        When the rows are all positive or all negative (no AUC).
    """
    n_positive = int(positive.sum())
    n_negative = len(positive) - n_positive
    if n_positive == 0 or n_negative == 0:
        raise ValueError("ROC AUC needs positive and negative rows")
    ranks = rankdata(score)
    above = ranks[positive].sum() - n_positive * (n_positive + 1) / 2
    return float(above / (n_positive * n_negative))


def _model(numeric: bool, classification: bool, n_classes: int, seed: int) -> Any:
    tree = (DecisionTreeClassifier if classification else DecisionTreeRegressor)(
        max_depth=_DEPTH, min_samples_leaf=_MIN_LEAF, random_state=seed
    )
    if numeric:
        return tree
    kind = "continuous" if not classification else ("binary" if n_classes == 2 else "multiclass")
    return make_pipeline(_target_encoder(kind, seed), tree)


def _target_encoder(kind: str, seed: int) -> TargetEncoder:
    """scikit-learn's target encoder with its internal folds seeded: as a splitter from
    scikit-learn 1.9 (``random_state`` is deprecated there and goes in 1.11), else as
    ``random_state``; both give the 5 shuffled folds (stratified for classes) it would
    build."""
    seeded = inspect.signature(TargetEncoder).parameters.get("random_state")
    if seeded is not None and seeded.default != "deprecated":  # gone from 1.11
        return TargetEncoder(target_type=kind, random_state=seed)
    splitter = KFold if kind == "continuous" else StratifiedKFold
    return TargetEncoder(target_type=kind, cv=splitter(5, shuffle=True, random_state=seed))
