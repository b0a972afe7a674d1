"""Findings: things a user must look at before trusting a model, with the columns to check.

Codes are stable (the app translates them from ``code`` and ``params``):
``target_guess``, ``target_skipped``, ``possible_leak``, ``leakage``,
``near_perfect_score``, ``dominant_feature``, ``small_target_scale`` and
``numbers_with_text`` (:mod:`explainers._number_text`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ._profiling import ColumnProfile
from ._types import TargetReason

NEAR_PERFECT_AUC = 0.99
NEAR_PERFECT_R2 = 0.98
DOMINANT_SHARE = 0.6
"""A feature carrying more than this share of the total mean |SHAP| dominates the model."""
SMALL_TARGET_SPREAD = 1e-3
"""A regression target whose standard deviation is below this is too small for XGBoost,
which leaves out any split whose gain is below 1e-6 (its ``kRtEps``)."""


@dataclass(frozen=True)
class Finding:
    """One warning: a stable code, an English sentence, the columns it names, its figures."""

    code: str
    message: str
    columns: tuple[str, ...] = ()
    params: Mapping[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """The ``summary.json`` form: code, message and columns."""
        return {"code": self.code, "message": self.message, "columns": list(self.columns)}


def _names(columns: tuple[str, ...]) -> str:
    shown = ", ".join(repr(c) for c in columns[:5])
    return shown + (f" and {len(columns) - 5} more" if len(columns) > 5 else "")


def names_with(figures: Mapping[str, str]) -> str:
    """The first five columns, each with its figure in brackets, then "and N more"."""
    shown = ", ".join(f"{name!r} ({figure})" for name, figure in list(figures.items())[:5])
    return shown + (f" and {len(figures) - 5} more" if len(figures) > 5 else "")


def score_findings(
    metrics: Mapping[str, float],
    *,
    classifier: bool,
    ranking: list[tuple[str, float]],
) -> tuple[Finding, ...]:
    """Warnings about a model that looks too good, from its held-out metrics and mean |SHAP|.

    Parameters
    ----------
    metrics
        Validation metrics (``auc``, ``accuracy`` or ``r2``).
    ranking
        Features (display names) with their mean |SHAP|, largest first.
    """
    findings = []
    top = tuple(name for name, _ in ranking[:3])
    total = float(sum(score for _, score in ranking))
    auc, accuracy, r2 = metrics.get("auc"), metrics.get("accuracy"), metrics.get("r2")
    figure: tuple[str, float] | None = None
    if classifier:
        if auc is not None and np.isfinite(auc) and auc >= NEAR_PERFECT_AUC:
            figure = ("AUC", float(auc))
        elif accuracy is not None and accuracy >= 1.0:
            figure = ("accuracy", float(accuracy))
    elif r2 is not None and np.isfinite(r2) and r2 >= NEAR_PERFECT_R2:
        figure = ("R²", float(r2))
    if figure is not None:
        findings.append(
            Finding(
                "near_perfect_score",
                f"The model scores {figure[0]} {figure[1]:.3f} on held-out rows, which real data "
                f"rarely allows: it may be too good to be true. Check that none of the most "
                f"important columns records the answer or is recorded after it: {_names(top)}.",
                top,
                {"metric": figure[0], "score": figure[1]},
            )
        )
    if ranking and total > 0 and ranking[0][1] / total > DOMINANT_SHARE:
        share = ranking[0][1] / total
        findings.append(
            Finding(
                "dominant_feature",
                f"One column, {ranking[0][0]!r}, carries {share:.0%} of the model's total "
                f"importance (mean |SHAP|). Check that it is known before the outcome and does "
                f"not stand in for the answer.",
                (ranking[0][0],),
                {"share": share},
            )
        )
    return tuple(findings)


def target_scale_finding(y: np.ndarray, display: str) -> Finding | None:
    """A regression target whose values vary too little for XGBoost to split on, or None."""
    values = np.asarray(y, dtype="float64")
    spread = float(np.std(values)) if values.size else 0.0
    if not 0.0 < spread < SMALL_TARGET_SPREAD:
        return None
    return Finding(
        "small_target_scale",
        f"The target {display!r} varies by only about {spread:.2g} (its standard deviation). "
        f"XGBoost leaves out any split that improves the fit by less than 1e-6, so on values "
        f"this small the model may learn little: rescale the target (for example, give it "
        f"in thousandths or millionths of its unit) and train again.",
        (display,),
        {"spread": spread},
    )


def model_findings(
    metrics: Mapping[str, float],
    *,
    classifier: bool,
    mean_abs_shap: Mapping[str, float],
) -> tuple[Finding, ...]:
    """:func:`score_findings` from a model's metrics and its features' mean |SHAP|."""
    ranking = sorted(mean_abs_shap.items(), key=lambda item: -item[1])
    return score_findings(metrics, classifier=classifier, ranking=ranking)


def target_findings(
    display: str,
    reason: TargetReason,
    alternatives: tuple[str, ...],
    skipped: tuple[tuple[str, str], ...],
    names: dict[str, str],
) -> list[Finding]:
    """What the target guess did: skipped guesses with why, and how the target was chosen."""
    findings = []
    for name, code in skipped:
        why = _SKIP_TEXT.get(code, "it cannot be trained on")
        findings.append(
            Finding(
                "target_skipped",
                f"{names[name]!r} was not used as the target: {why}.",
                (names[name],),
                {"why": code},
            )
        )
    if reason != "given":
        how = {
            "named": "from its name",
            "shape": "from its values (it has few classes and comes last among such columns)",
            "last_column": "as the last usable column",
            "model": "as the column the model does not use",
        }[reason]
        others = [names[a] for a in alternatives]
        tail = f" Other candidates: {', '.join(repr(o) for o in others)}." if others else ""
        findings.append(
            Finding(
                "target_guess",
                f"The target {display!r} was guessed {how}; check that it is the "
                f"outcome you want to explain.{tail}",
                (display, *others),
                {"reason": reason},
            )
        )
    return findings


_SKIP_TEXT = {
    "constant_target": "it has a single value",
    "empty_target": "every value in it is missing",
    "too_few_rows": "too few rows have a value in it",
    "rare_class": "one of its classes has too few rows",
    "too_many_classes": "it has too many distinct values to be classes",
    "not_binary": "it does not have exactly two values",
    "regression_needs_numbers": "it is not numeric",
    "text_target": "it holds free text, a different note in almost every row",
}


def leak_findings(profiles: list[ColumnProfile]) -> list[Finding]:
    """The columns left out as leaks: by name (possible), and by figure."""
    findings = []
    after = tuple(c.display_name for c in profiles if c.reason == "possible_leak")
    if after:
        findings.append(
            Finding(
                "possible_leak",
                f"Left out because their names say they are recorded at or after the outcome "
                f"(follow-up time, time to event, date or cause of death, discharge status): "
                f"{', '.join(repr(a) for a in after[:5])}. Include one only if it is known before "
                f"the outcome.",
                after,
            )
        )
    leaks = [c for c in profiles if c.reason == "leakage"]
    if leaks:
        parts = [
            f"{c.display_name!r} ({c.leak_metric.upper() if c.leak_metric == 'auc' else 'R²'}"
            f" {c.leak_score:.3f})"
            for c in leaks[:5]
            if c.leak_score is not None
        ]
        findings.append(
            Finding(
                "leakage",
                f"Left out because each alone predicts the target almost perfectly on held-out "
                f"rows: {', '.join(parts)}. Such a column usually records the answer.",
                tuple(c.display_name for c in leaks),
            )
        )
    return findings
