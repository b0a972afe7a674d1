"""Error analysis: an error tree on a table with a planted failure region."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sklearn.metrics import accuracy_score
from synthetic_tables import to_csv_bytes

from explainers import DataError, ExplainRun, TrainingOptions, explain_file
from explainers._audit.errors import ErrorAnalysis, ErrorRule, error_analysis, error_rate_along

DOSE = "dose (mg)"


def _planted(task: str, n: int = 4000, seed: int = 3) -> pd.DataFrame:
    """``dose (mg)`` in [-2, 2], ``x2`` drives the outcome; where dose > 1 and group == b the
    labels are coin flips (classification) or drowned in noise (regression)."""
    rng = np.random.default_rng(seed)
    dose = rng.uniform(-2, 2, n)
    x2 = rng.normal(0, 1, n)
    group = rng.choice(["a", "b"], n)
    region = (dose > 1) & (group == "b")
    if task == "binary":
        outcome: np.ndarray = np.where(np.where(region, rng.random(n) < 0.5, x2 > 0), "yes", "no")
    else:
        outcome = 3 * x2 + rng.normal(0, 0.2, n) + np.where(region, rng.normal(0, 4, n), 0.0)
    x3 = rng.normal(0, 1, n)
    x3[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({DOSE: dose, "x2": x2, "group": group, "x3": x3, "outcome": outcome})


def _run(frame: pd.DataFrame) -> ExplainRun:
    options = TrainingOptions(n_estimators=100)
    return explain_file(
        to_csv_bytes(frame), name="planted.csv", target="outcome", rows=20, seed=0, options=options
    )


@pytest.fixture(scope="module")
def binary() -> tuple[pd.DataFrame, ExplainRun]:
    frame = _planted("binary")
    return frame, _run(frame)


@pytest.fixture(scope="module")
def regression() -> tuple[pd.DataFrame, ExplainRun]:
    frame = _planted("regression")
    return frame, _run(frame)


def _analyse(run: ExplainRun, **options: int) -> ErrorAnalysis:
    return error_analysis(
        run.model, run.dataset, run.table.frame, run.schema.display_names, **options
    )


def _booster_output(run: ExplainRun) -> np.ndarray:
    """The booster's own prediction on the validation rows (independent of the engine)."""
    X = run.dataset.X.iloc[run.model.valid_index]
    return np.asarray(run.model.booster.predict(xgb.DMatrix(X, enable_categorical=True)))


def _rule_mask(rule: ErrorRule, rows: pd.DataFrame) -> np.ndarray:
    """Evaluate a rule's conditions on the file's own values."""
    mask = np.ones(len(rows), dtype=bool)
    for c in rule.conditions:
        column = rows[c.column]
        if c.operator in ("<=", ">"):
            values = column.to_numpy(dtype=float)
            hit = values <= float(c.value) if c.operator == "<=" else values > float(c.value)
            hit = hit | (np.isnan(values) & c.or_missing)
        else:
            equal = (column.astype(str) == c.value).to_numpy() & column.notna().to_numpy()
            hit = equal if c.operator == "=" else ~equal
        mask &= hit
    return mask


def _check_rules(analysis: ErrorAnalysis, rows: pd.DataFrame, errors: np.ndarray) -> None:
    assert sum(r.n for r in analysis.rules) == len(rows) == analysis.n_validation
    rates = [r.error_rate for r in analysis.rules]
    assert rates == sorted(rates, reverse=True)
    covered = np.zeros(len(rows), dtype=int)
    for rule in analysis.rules:
        assert rule.rule == " and ".join(str(c) for c in rule.conditions)
        mask = _rule_mask(rule, rows)
        covered += mask
        assert mask.sum() == rule.n
        assert errors[mask].mean() == pytest.approx(rule.error_rate)
    assert (covered == 1).all()


def test_binary_error_tree_finds_the_planted_region(
    binary: tuple[pd.DataFrame, ExplainRun],
) -> None:
    """Check that the top rule names dose and group and has the region's error rate."""
    frame, run = binary
    valid_rows = run.dataset.row_ids[run.model.valid_index]
    rows = frame.iloc[valid_rows].reset_index(drop=True)
    truth = (rows["outcome"] == "yes").to_numpy().astype(int)
    predicted = (_booster_output(run) > 0.5).astype(int)
    errors = predicted != truth
    region = ((rows[DOSE] > 1) & (rows["group"] == "b")).to_numpy()
    planted_rate = 1 - accuracy_score(truth[region], predicted[region])
    assert planted_rate > 0.3

    analysis = _analyse(run, max_depth=2)
    assert analysis.overall_error_rate == pytest.approx(1 - accuracy_score(truth, predicted))
    assert analysis.n_errors == errors.sum()
    assert analysis.error_definition == "misclassified" and analysis.error_threshold is None
    top = analysis.rules[0]
    assert {c.column for c in top.conditions} == {DOSE, "group"}
    assert "group = b" in top.rule and f"{DOSE} > " in top.rule
    dose = next(c for c in top.conditions if c.column == DOSE)
    assert float(dose.value) == pytest.approx(1.0, abs=0.1)
    assert top.error_rate == pytest.approx(planted_rate, abs=0.08)
    _check_rules(analysis, rows, errors)

    deeper = _analyse(run)
    assert {DOSE, "group"} <= {c.column for c in deeper.rules[0].conditions}
    _check_rules(deeper, rows, errors)


def test_worst_rows_have_the_lowest_probability_of_the_true_class(
    binary: tuple[pd.DataFrame, ExplainRun],
) -> None:
    """Check that worst_rows are file rows ordered by the probability of the true class."""
    frame, run = binary
    valid_rows = run.dataset.row_ids[run.model.valid_index]
    p_yes = _booster_output(run)
    truth = (frame["outcome"].iloc[valid_rows] == "yes").to_numpy()
    p_true = np.where(truth, p_yes, 1 - p_yes)
    by_row = dict(zip(valid_rows.tolist(), p_true.tolist(), strict=True))
    analysis = _analyse(run, n_worst=15)
    assert len(analysis.worst_rows) == 15
    worst = [by_row[r] for r in analysis.worst_rows]
    assert worst == sorted(worst)
    assert max(worst) <= np.sort(p_true)[15] + 1e-9
    assert by_row[analysis.worst_rows[0]] == pytest.approx(p_true.min())


def test_regression_error_tree_uses_the_worst_fifth(
    regression: tuple[pd.DataFrame, ExplainRun],
) -> None:
    """Check the regression rule (|error| above the 80th percentile) and the planted region."""
    frame, run = regression
    valid_rows = run.dataset.row_ids[run.model.valid_index]
    rows = frame.iloc[valid_rows].reset_index(drop=True)
    absolute = np.abs(rows["outcome"].to_numpy() - _booster_output(run))
    threshold = np.percentile(absolute, 80)
    errors = absolute > threshold

    analysis = _analyse(run, max_depth=2)
    assert analysis.error_definition == "worst_absolute_error"
    assert analysis.error_threshold == pytest.approx(threshold, rel=1e-5)
    assert analysis.overall_error_rate == pytest.approx(errors.mean())
    top = analysis.rules[0]
    assert {c.column for c in top.conditions} == {DOSE, "group"}
    region = ((rows[DOSE] > 1) & (rows["group"] == "b")).to_numpy()
    assert top.error_rate == pytest.approx(errors[region].mean(), abs=0.1)
    _check_rules(analysis, rows, errors)
    _check_rules(_analyse(run), rows, errors)
    largest = valid_rows[np.argsort(-absolute)[:5]]
    assert list(analysis.worst_rows[:5]) == largest.tolist()


def test_error_rate_along_a_feature(binary: tuple[pd.DataFrame, ExplainRun]) -> None:
    """Check per-bin counts and error rates against pandas on the file's values."""
    frame, run = binary
    valid_rows = run.dataset.row_ids[run.model.valid_index]
    rows = frame.iloc[valid_rows].reset_index(drop=True)
    errors = (_booster_output(run) > 0.5) != (rows["outcome"] == "yes").to_numpy()

    by_group = error_rate_along(run.model, run.dataset, "group")
    expected = pd.Series(errors).groupby(rows["group"].to_numpy()).agg(["size", "mean"])
    assert [b.label for b in by_group] == ["a", "b"]
    for label, n, rate in by_group:
        assert n == expected.loc[label, "size"]
        assert rate == pytest.approx(expected.loc[label, "mean"])

    safe = next(s for s, shown in run.schema.display_names.items() if shown == DOSE)
    by_dose = error_rate_along(run.model, run.dataset, safe, bins=4)
    assert len(by_dose) == 4 and sum(b.n for b in by_dose) == len(rows)
    edges = np.quantile(rows[DOSE], [0, 0.25, 0.5, 0.75, 1])
    assert by_dose[-1].n == ((rows[DOSE] >= edges[3]).sum())
    assert by_dose[-1].error_rate == pytest.approx(errors[rows[DOSE] >= edges[3]].mean())
    assert by_dose[0].error_rate < by_dose[-1].error_rate

    x3 = error_rate_along(run.model, run.dataset, "x3", bins=3)
    assert x3[-1].label == "missing" and x3[-1].n == rows["x3"].isna().sum()


def test_options_are_checked(binary: tuple[pd.DataFrame, ExplainRun]) -> None:
    """Check that bad options and unknown features raise DataError."""
    _, run = binary
    with pytest.raises(DataError, match="max_depth must be at least 1"):
        _analyse(run, max_depth=0)
    with pytest.raises(DataError, match="min_leaf must be at least 1"):
        _analyse(run, min_leaf=0)
    with pytest.raises(DataError, match="not one of the model's features"):
        error_rate_along(run.model, run.dataset, "outcome")
    with pytest.raises(DataError, match="bins must be at least 2"):
        error_rate_along(run.model, run.dataset, "group", bins=1)


def test_numbers_beyond_float32_are_missing_for_the_error_tree() -> None:
    """Check that a feature holding numbers too large for a 32-bit float (1e39, 1e308, which
    XGBoost reads as missing) does not stop the error tree (scikit-learn refused them)."""
    rng = np.random.default_rng(17)
    n = 400
    frame = pd.DataFrame({"x": rng.normal(size=n), "size": rng.normal(size=n)})
    frame["outcome"] = (frame["x"] + rng.normal(scale=0.7, size=n) > 0).astype(int)
    frame.loc[::25, "size"] = 1e39
    frame.loc[1::25, "size"] = -1e308
    run = explain_file(to_csv_bytes(frame), name="huge.csv", target="outcome", seed=3)
    report = error_analysis(run.model, run.dataset, run.table.frame, run.schema.display_names)
    assert report.rules and all(0 <= r.error_rate <= 1 for r in report.rules)
