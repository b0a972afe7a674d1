"""The plain-language summary of one prediction, in English or Korean.

:func:`summarize` is a pure function of :class:`Facts` and a language; the
Local page gathers the facts (prediction, average, the strongest SHAP
contributions in probability points or target units, the data dictionary's
units) and shows the text escaped, since it quotes column names and values.
A classifier's points are of one of two kinds (:data:`PointsKind`), and the
summary says which when it is told.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from dashboard.i18n import Lang, catalog, fmt_number, fmt_percent, translate

PointsKind = Literal["path", "shapley"]
"""Where a classifier's probability points come from: ``path``, TreeSHAP's log-odds values
added along the logistic curve from the average, strongest first (the split depends on
that order); ``shapley``, Shapley values of the probability itself over a background of
rows (no order; they add up from the mean prediction over those rows)."""


@dataclass(frozen=True)
class Driver:
    """One feature's part in a prediction.

    ``value`` is the row's value (a number, a category, or None when missing),
    ``effect`` its contribution: a change in probability (0..1 scale) for
    classifiers, in the target's units for regression.
    """

    name: str
    value: float | str | None
    unit: str | None
    effect: float


@dataclass(frozen=True)
class Facts:
    """What the summary says about one row.

    ``prediction`` and ``average`` are probabilities of ``label`` (classifiers),
    values of the target (regression), or log hazards (survival: ``target`` names the
    event, the drivers' effects are SHAP values in log hazard, and ``survival`` and
    ``average_survival`` are the chances of no event by the time ``horizon``, as text).
    ``top_label``/``top_probability`` name the likeliest class when it is not ``label``
    (multiclass). ``points`` names the kind of the drivers' probability points
    (classifiers); the summary ends with a sentence saying what they are, or says nothing
    of it when None.
    """

    task: str
    target: str
    prediction: float
    average: float
    drivers: Sequence[Driver]
    label: str | None = None
    target_unit: str | None = None
    top_label: str | None = None
    top_probability: float | None = None
    points: PointsKind | None = None
    horizon: str | None = None
    survival: float | None = None
    average_survival: float | None = None


def format_value(value: float | str | None, unit: str | None, lang: Lang) -> str:
    """A feature value with its unit, e.g. ``168 mg/dL`` or ``67세``; missing says so."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return translate(lang, "narrative.missing")
    if isinstance(value, str):
        return value
    number = fmt_number(value, lang=lang)
    if not unit:
        return number
    key = f"unit_value.{unit}"
    if key in catalog(lang):
        return translate(lang, key, value=number)
    return translate(lang, "unit_value.default", value=number, unit=unit)


def _effect(effect: float, classifier: bool, lang: Lang) -> str:
    if classifier:
        points = fmt_number(100 * effect, 0 if abs(effect) >= 0.01 else 1, signed=True)
        return translate(lang, "unit.points", value=points)
    return fmt_number(effect, signed=True)


def _driver_text(driver: Driver, classifier: bool, lang: Lang) -> str:
    return translate(
        lang,
        "narrative.driver",
        name=driver.name,
        value=format_value(driver.value, driver.unit, lang),
        effect=_effect(driver.effect, classifier, lang),
    )


def _join(items: list[str], lang: Lang) -> str:
    if len(items) <= 1:
        return "".join(items)
    return translate(lang, "narrative.join", head=", ".join(items[:-1]), last=items[-1])


def summarize(facts: Facts, lang: Lang, *, max_drivers: int = 3) -> str:
    """The summary of one prediction as plain text (escape it before Markdown).

    Parameters
    ----------
    facts
        The prediction, the average, and the drivers (any order).
    lang
        ``en`` or ``ko``.
    max_drivers
        How many features to name on each side (raising and lowering).

    Examples
    --------
    >>> summarize(Facts("binary", "diabetes", 0.72, 0.37,
    ...     [Driver("fasting glucose", 168.0, "mg/dL", 0.21)], label="yes"), "en")
    ... # doctest: +ELLIPSIS
    'The predicted probability of diabetes = yes is 72%, above the average of 37%...'
    """
    if facts.task == "survival":
        return _survival_summary(facts, lang, max_drivers=max_drivers)
    classifier = facts.task != "regression"
    if classifier:
        shown, average = fmt_percent(facts.prediction), fmt_percent(facts.average)
        close = abs(facts.prediction - facts.average) < 0.01
    else:
        unit = f" {facts.target_unit}" if facts.target_unit else ""
        shown = fmt_number(facts.prediction) + unit
        average = fmt_number(facts.average) + unit
        scale = max(abs(facts.average), 1e-12)
        close = abs(facts.prediction - facts.average) / scale < 0.01
    direction = "same" if close else ("above" if facts.prediction > facts.average else "below")
    if classifier:
        head = translate(
            lang,
            f"narrative.head_class_{direction}",
            target=facts.target,
            label=facts.label or "",
            value=shown,
            average=average,
        )
    else:
        head = translate(
            lang,
            f"narrative.head_value_{direction}",
            target=facts.target,
            value=shown,
            average=average,
        )
    parts = [head]
    if facts.top_label is not None and facts.top_probability is not None:
        parts.append(
            translate(
                lang,
                "narrative.top_class",
                label=facts.top_label,
                value=fmt_percent(facts.top_probability),
            )
        )
    ranked = sorted(facts.drivers, key=lambda d: -abs(d.effect))
    tiny = 0.005 if classifier else 1e-9 * max(1.0, abs(facts.average))
    raising = [d for d in ranked if d.effect > tiny][:max_drivers]
    lowering = [d for d in ranked if d.effect < -tiny][:max_drivers]
    main, other = (raising, lowering) if direction != "below" else (lowering, raising)
    main_key, other_key = (
        ("narrative.raised_by", "narrative.lowered_by")
        if direction != "below"
        else ("narrative.lowered_by", "narrative.raised_by")
    )
    if main:
        items = [_driver_text(d, classifier, lang) for d in main]
        parts.append(translate(lang, main_key, drivers=_join(items, lang)))
    if other:
        items = [_driver_text(d, classifier, lang) for d in other]
        parts.append(translate(lang, other_key, drivers=_join(items, lang)))
    if not main and not other:
        parts.append(translate(lang, "narrative.no_drivers"))
    elif classifier and facts.points is not None:
        parts.append(translate(lang, f"narrative.points_{facts.points}"))
    return " ".join(parts)


def _ratio(log_ratio: float, lang: Lang) -> str:
    """A relative hazard as a factor, e.g. ``×2.10``."""
    return translate(lang, "unit.times", value=fmt_number(math.exp(log_ratio), 2, lang=lang))


def _survival_summary(facts: Facts, lang: Lang, *, max_drivers: int) -> str:
    """A Cox model's prediction in words: the hazard against the average patient, the
    chance of no event by the horizon, and the features that multiply the hazard most."""
    log_ratio = facts.prediction - facts.average
    close = abs(log_ratio) < math.log(1.01)
    direction = "same" if close else ("above" if log_ratio > 0 else "below")
    parts = [
        translate(
            lang,
            f"narrative.head_hazard_{direction}",
            target=facts.target,
            value=_ratio(log_ratio, lang),
        )
    ]
    if facts.horizon is not None and facts.survival is not None:
        average = facts.average_survival
        parts.append(
            translate(
                lang,
                "narrative.survival_at",
                target=facts.target,
                time=facts.horizon,
                value=fmt_percent(facts.survival),
                average=fmt_percent(average) if average is not None else "–",
            )
        )
    ranked = sorted(facts.drivers, key=lambda d: -abs(d.effect))
    tiny = math.log(1.005)
    raising = [d for d in ranked if d.effect > tiny][:max_drivers]
    lowering = [d for d in ranked if d.effect < -tiny][:max_drivers]

    def texts(drivers: list[Driver]) -> str:
        items = [
            translate(
                lang,
                "narrative.driver",
                name=d.name,
                value=format_value(d.value, d.unit, lang),
                effect=_ratio(d.effect, lang),
            )
            for d in drivers
        ]
        return _join(items, lang)

    if raising:
        parts.append(translate(lang, "narrative.hazard_raised_by", drivers=texts(raising)))
    if lowering:
        parts.append(translate(lang, "narrative.hazard_lowered_by", drivers=texts(lowering)))
    if not raising and not lowering:
        parts.append(translate(lang, "narrative.no_drivers"))
    else:
        parts.append(translate(lang, "narrative.hazards_multiply"))
    return " ".join(parts)
