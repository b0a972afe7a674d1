"""Cohorts on synthetic tables whose cohorts differ by construction, checked against pandas,
scikit-learn and XGBoost's own ``pred_contribs``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    log_loss,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    roc_auc_score,
)
from synthetic_tables import synthetic_multiclass, to_csv_bytes

from explainers import DataError, TrainingOptions, explain_file, read_table, run_pipeline
from explainers._audit.cohorts import (
    Cohort,
    CohortFilter,
    cohort_mask,
    cohort_metric_names,
    cohort_values,
    compare_cohorts,
    split_cohorts,
)
from explainers._audit.groups import MISSING_GROUP

FAST = TrainingOptions(n_estimators=120)


def _binary_frame(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Logit 3a + 3b, but a varies only among women and b only among men (whose labels are
    a quarter flipped): a drives women's outcome, b men's."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["female", "male"], n)
    female = sex == "female"
    a = np.where(female, rng.normal(0, 1, n), rng.normal(0, 0.05, n))
    b = np.where(female, rng.normal(0, 0.05, n), rng.normal(0, 1, n))
    positive = rng.random(n) < 1 / (1 + np.exp(-(3 * a + 3 * b)))
    positive = np.where((sex == "male") & (rng.random(n) < 0.25), ~positive, positive)
    age = rng.integers(18, 91, n).astype(float)
    age[rng.random(n) < 0.05] = np.nan
    outcome = np.where(positive, "yes", "no").astype(object)
    outcome[rng.random(n) < 0.03] = None  # dropped from the dataset, still rows of the table
    sites = rng.choice(
        ["north", "south", "east", "west", "harbour", "hill"],
        n,
        p=[0.4, 0.25, 0.15, 0.1, 0.06, 0.04],
    )
    return pd.DataFrame({"a": a, "b": b, "sex": sex, "age": age, "site": sites, "outcome": outcome})


@pytest.fixture(scope="module")
def binary():
    """A binary run that explains a 600-row sample; ``site`` is left out of the model."""
    frame = _binary_frame()
    table = read_table(to_csv_bytes(frame), name="cohorts.csv")
    run = run_pipeline(
        table, target="outcome", roles={"site": "excluded"}, rows=600, task="binary", options=FAST
    )
    return run, frame


def _valid(run):
    """File rows, truth and predicted probabilities of the validation rows."""
    valid = run.model.valid_index
    return (
        run.dataset.row_ids[valid],
        run.dataset.y[valid],
        run.model.predict(run.dataset.X.iloc[valid]),
    )


def _contribs(run, file_rows: np.ndarray) -> np.ndarray:
    """XGBoost's own pred_contribs (n, k, f) for the dataset rows at these file rows."""
    positions = np.searchsorted(run.dataset.row_ids, file_rows)
    dm = xgb.DMatrix(run.dataset.X.iloc[positions], enable_categorical=True)
    raw = run.model.booster.predict(dm, pred_contribs=True)
    f = len(run.model.spec.names)
    return np.asarray(raw).reshape(len(file_rows), -1, f + 1)[:, :, :f]


def test_binary_cohort_sizes_and_metrics_match_pandas_and_scikit_learn(binary):
    """Check that each sex's sizes match pandas and its metrics match scikit-learn."""
    run, frame = binary
    result = compare_cohorts(
        run.model, run.dataset, run.shap, run.table.frame, split_cohorts(run.table.frame, "sex")
    )
    rows, y, proba = _valid(run)
    sex = frame["sex"].to_numpy()
    shap_sex = sex[run.shap.row_ids]
    auc = {}
    assert [c.name for c in result.cohorts] == [
        "sex = " + v for v in frame["sex"].value_counts().index
    ]
    for cohort in result.cohorts:
        value = cohort.name.removeprefix("sex = ")
        assert cohort.n_rows == int((frame["sex"] == value).sum())
        assert cohort.n_labelled == int(((frame["sex"] == value) & frame["outcome"].notna()).sum())
        inside = sex[rows] == value
        assert cohort.n_validation == int(inside.sum()) and not cohort.too_small
        assert cohort.n_shap_rows == int((shap_sex == value).sum())
        p = proba[inside, 1]
        assert cohort.metrics["auc"] == pytest.approx(roc_auc_score(y[inside], p))
        assert cohort.metrics["accuracy"] == pytest.approx(accuracy_score(y[inside], p > 0.5))
        assert cohort.metrics["brier"] == pytest.approx(brier_score_loss(y[inside], p))
        assert cohort.metrics["log_loss"] == pytest.approx(log_loss(y[inside], proba[inside]))
        assert cohort.metrics["prevalence"] == pytest.approx(np.mean(y[inside]))
        assert tuple(cohort.metrics) == cohort_metric_names("binary")
        auc[value] = cohort.metrics["auc"]
    assert auc["male"] < auc["female"] - 0.1  # the planted label noise
    assert result.overlap_rows == 0 and result.uncovered_rows == 0
    assert result.n_table_rows == len(frame)


def test_shap_ranking_flips_between_the_sexes(binary):
    """Check that a leads for women and b for men, with mean |SHAP| from pred_contribs."""
    run, frame = binary
    cohorts = [
        Cohort("women", (CohortFilter("sex", values=("female",)),)),
        Cohort("men", (CohortFilter("sex", values=("male",)),)),
    ]
    result = compare_cohorts(run.model, run.dataset, run.shap, run.table.frame, cohorts)
    women, men = result.cohorts
    assert women.ranking[0][0] == "a" and men.ranking[0][0] == "b"
    assert women.mean_abs("b") < women.mean_abs("a") / 3
    for summary, value in ((women, "female"), (men, "male")):
        file_rows = run.shap.row_ids[frame["sex"].to_numpy()[run.shap.row_ids] == value]
        expected = np.abs(_contribs(run, file_rows)[:, 0]).mean(axis=0)
        for j, name in enumerate(run.model.spec.names):
            assert summary.mean_abs(name) == pytest.approx(expected[j], rel=1e-5, abs=1e-6)
        scores = [score for _, score in summary.ranking]
        assert scores == sorted(scores, reverse=True)


def test_dependence_points_are_the_cohorts_rows_sampled_with_the_seed(binary):
    """Check that dependence pairs match the table and pred_contribs, sampled by seed."""
    run, frame = binary
    cohorts = split_cohorts(run.table.frame, "sex")
    result = compare_cohorts(
        run.model,
        run.dataset,
        run.shap,
        run.table.frame,
        cohorts,
        feature="a",
        max_points=100,
        seed=3,
    )
    again = compare_cohorts(
        run.model,
        run.dataset,
        run.shap,
        run.table.frame,
        cohorts,
        feature="a",
        max_points=100,
        seed=3,
    )
    other = compare_cohorts(
        run.model,
        run.dataset,
        run.shap,
        run.table.frame,
        cohorts,
        feature="a",
        max_points=100,
        seed=4,
    )
    j = run.model.spec.names.index("a")
    slopes = {}
    for summary, repeat, reseeded in zip(result.cohorts, again.cohorts, other.cohorts, strict=True):
        points = summary.dependence
        assert points is not None and len(points.row_ids) == 100 < summary.n_shap_rows
        assert set(points.row_ids) <= set(run.shap.row_ids)
        value = summary.name.removeprefix("sex = ")
        assert (frame["sex"].to_numpy()[points.row_ids] == value).all()
        np.testing.assert_allclose(points.values, frame["a"].to_numpy()[points.row_ids])
        np.testing.assert_allclose(
            points.shap, _contribs(run, points.row_ids)[:, 0, j], rtol=1e-5, atol=1e-6
        )
        np.testing.assert_array_equal(points.row_ids, repeat.dependence.row_ids)
        assert not np.array_equal(points.row_ids, reseeded.dependence.row_ids)
        slopes[value] = np.polyfit(points.values, points.shap, 1)[0]
    assert slopes["female"] > 0.5  # a's effect shows among women only
    spread = {c.name: np.abs(c.dependence.shap).mean() for c in result.cohorts}
    assert spread["sex = male"] < 0.2 * spread["sex = female"]
    assert result.feature == "a" and result.feature_categories is None


def test_categorical_feature_dependence_gives_category_codes(binary):
    """Check that a categorical feature's points are codes into its categories."""
    run, frame = binary
    result = compare_cohorts(
        run.model, run.dataset, run.shap, run.table.frame, [Cohort("all")], feature="sex"
    )
    points = result.cohorts[0].dependence
    assert result.feature_categories == ("female", "male")
    labels = np.asarray(result.feature_categories)[points.values.astype(int)]
    np.testing.assert_array_equal(labels, frame["sex"].to_numpy()[points.row_ids])


def test_filters_on_a_column_the_model_does_not_use(binary):
    """Check that filters on the excluded site column, AND-ed with ranges, match pandas."""
    run, frame = binary
    assert "site" not in run.model.spec.names
    cohorts = [
        Cohort("north", (CohortFilter("site", values=("north",)),)),
        Cohort(
            "north 40-60",
            (CohortFilter("site", values=("north",)), CohortFilter("age", low=40, high=60)),
        ),
        Cohort(
            "south below 60",
            (
                CohortFilter("site", values=("south",)),
                CohortFilter("age", high=60, high_inclusive=False),
            ),
        ),
        Cohort("everyone"),
    ]
    result = compare_cohorts(run.model, run.dataset, run.shap, run.table.frame, cohorts)
    north = frame["site"] == "north"
    expected = [
        north,
        north & (frame["age"] >= 40) & (frame["age"] <= 60),
        (frame["site"] == "south") & (frame["age"] < 60),
        pd.Series(True, index=frame.index),
    ]
    for summary, cohort, mask in zip(result.cohorts, cohorts, expected, strict=True):
        assert summary.n_rows == int(mask.sum())
        np.testing.assert_array_equal(cohort_mask(run.table.frame, cohort), mask.to_numpy())
    rows, _, _ = _valid(run)
    assert result.cohorts[3].n_validation == len(rows)
    in_another = north | expected[2]  # every row is in "everyone"
    assert result.overlap_rows == int(in_another.sum())
    assert result.uncovered_rows == 0


def test_overlap_and_uncovered_rows_are_counted(binary):
    """Check that overlap and uncovered counts match pandas for overlapping age ranges."""
    run, frame = binary
    cohorts = [
        Cohort("young", (CohortFilter("age", high=50),)),
        Cohort("middle", (CohortFilter("age", low=40, high=70),)),
    ]
    result = compare_cohorts(run.model, run.dataset, run.shap, run.table.frame, cohorts)
    age = frame["age"]
    assert result.overlap_rows == int(((age >= 40) & (age <= 50)).sum())
    assert result.uncovered_rows == int(((age > 70) | age.isna()).sum())


def test_small_and_empty_cohorts_are_flagged(binary):
    """Check that a tiny cohort is flagged too small and an empty one has NaN metrics."""
    run, frame = binary
    cohorts = [
        Cohort(
            "hill, age 50",
            (CohortFilter("site", values=("hill",)), CohortFilter("age", low=50, high=50)),
        ),
        Cohort("nobody", (CohortFilter("age", low=200),)),
    ]
    tiny, empty = compare_cohorts(
        run.model, run.dataset, run.shap, run.table.frame, cohorts
    ).cohorts
    assert tiny.n_rows == int(((frame["site"] == "hill") & (frame["age"] == 50)).sum()) > 0
    assert tiny.too_small and tiny.n_validation < 30
    assert empty.n_rows == 0 and empty.too_small and empty.n_shap_rows == 0
    assert empty.ranking == () and np.isnan(empty.mean_abs("a"))
    assert all(np.isnan(v) for v in empty.metrics.values())


def test_values_filter_matches_numbers_and_the_missing_token(binary):
    """Check that values filter numbers by their text and that the missing token picks NaN."""
    run, frame = binary
    table = run.table.frame
    mask = cohort_mask(
        table, Cohort("x", (CohortFilter("age", values=("30", "31", MISSING_GROUP)),))
    )
    np.testing.assert_array_equal(
        mask, (frame["age"].isin([30, 31]) | frame["age"].isna()).to_numpy()
    )
    counts = dict(cohort_values(table, "site"))
    assert counts == frame["site"].value_counts().to_dict()
    ages = cohort_values(table, "age")
    assert dict(ages)[MISSING_GROUP] == int(frame["age"].isna().sum())
    assert dict(ages)["30"] == int((frame["age"] == 30).sum())
    assert [n for _, n in ages] == sorted((n for _, n in ages), reverse=True)


def test_split_pools_rare_text_values_and_keeps_missing_apart():
    """Check that frequent values get a cohort each, the rarest pooled, missing last."""
    frame = _binary_frame(n=1000)
    frame.loc[frame.index[:37], "site"] = None
    table = read_table(to_csv_bytes(frame), name="t.csv").frame
    cohorts = split_cohorts(table, "site", max_cohorts=5, label="Site")
    counts = frame["site"].value_counts()
    assert [c.name for c in cohorts] == [
        f"Site = {counts.index[0]}",
        f"Site = {counts.index[1]}",
        f"Site = {counts.index[2]}",
        "Site = other (3 values)",
        f"Site = {MISSING_GROUP}",
    ]
    masks = np.vstack([cohort_mask(table, c) for c in cohorts])
    np.testing.assert_array_equal(masks.sum(axis=0), np.ones(len(frame)))
    assert masks[3].sum() == counts.iloc[3:].sum() and masks[4].sum() == 37


def test_split_by_a_numeric_column_with_few_values_keeps_value_order():
    """Check that a column with a few numbers gets one cohort per number, in value order."""
    grades = pd.DataFrame({"grade": [3, 1, 2, 2, 3, 3, 10, 1, 3, 2]})
    cohorts = split_cohorts(grades, "grade")
    assert [c.name for c in cohorts] == ["grade = 1", "grade = 2", "grade = 3", "grade = 10"]
    sizes = [int(cohort_mask(grades, c).sum()) for c in cohorts]
    assert sizes == [2, 3, 4, 1]


def test_integer_age_bands_cover_every_row_once_and_follow_qcut():
    """Check that whole-number age bands partition the rows, sit at qcut's edges and read well."""
    frame = _binary_frame(n=2000)
    table = read_table(to_csv_bytes(frame), name="t.csv").frame
    cohorts = split_cohorts(table, "age", label="Age")
    assert len(cohorts) == 5 and cohorts[-1].name == f"Age = {MISSING_GROUP}"
    masks = np.vstack([cohort_mask(table, c) for c in cohorts])
    np.testing.assert_array_equal(masks.sum(axis=0), np.ones(len(frame)))
    _, qedges = pd.qcut(frame["age"].dropna(), 4, retbins=True)
    lows = [c.filters[0].low for c in cohorts[1:4]]
    assert all(float(low).is_integer() for low in lows)
    np.testing.assert_allclose(lows, qedges[1:4], atol=1.0)
    age = frame["age"]
    qcut_band = pd.qcut(age, 4, labels=False).to_numpy()
    off_edge = age.notna().to_numpy() & ~age.isin(qedges).to_numpy()  # qcut closes on the right
    np.testing.assert_array_equal(masks[:4].argmax(axis=0)[off_edge], qcut_band[off_edge])
    first, last = int(age.min()), int(lows[0]) - 1
    assert cohorts[0].name == f"Age {first}–{last}"
    assert masks[0].sum() == int((age <= last).sum())
    assert cohorts[3].name == f"Age {int(lows[2])}–{int(age.max())}"


def test_whole_numbers_are_cut_where_qcut_cuts_them():
    """Check that 0..99 falls in four bands of 25 named like the numbers they hold."""
    frame = pd.DataFrame({"n": np.arange(100)[::-1]})
    cohorts = split_cohorts(frame, "n")
    assert [c.name for c in cohorts] == ["n 0–24", "n 25–49", "n 50–74", "n 75–99"]
    qcut_band = pd.qcut(frame["n"], 4, labels=False).to_numpy()
    for band, cohort in enumerate(cohorts):
        np.testing.assert_array_equal(cohort_mask(frame, cohort), qcut_band == band)


def test_continuous_bands_cover_every_row_once_at_rounded_qcut_edges():
    """Check that bands of a continuous column partition the rows at rounded qcut edges."""
    rng = np.random.default_rng(1)
    values = pd.Series(rng.normal(5, 2, 1500), name="dose")
    frame = pd.DataFrame({"dose": values})
    cohorts = split_cohorts(frame, "dose", bands=5)
    masks = np.vstack([cohort_mask(frame, c) for c in cohorts])
    np.testing.assert_array_equal(masks.sum(axis=0), np.ones(len(frame)))
    assert len(cohorts) == 5
    edges = [c.filters[0].high for c in cohorts[:4]]
    _, qedges = pd.qcut(values, 5, retbins=True)
    np.testing.assert_allclose(edges, qedges[1:5], atol=0.01 * (values.max() - values.min()))
    assert all(round(e, 1) == e for e in edges)  # rounded to tenths for a span of about 14
    assert cohorts[1].name == f"dose [{edges[0]:g}, {edges[1]:g})"
    for mask, low, high in zip(masks[1:4], edges[:3], edges[1:4], strict=True):
        assert mask.sum() == int(((values >= low) & (values < high)).sum())


def test_regression_cohorts_report_errors_like_scikit_learn():
    """Check that RMSE, MAE and R² match scikit-learn and the noisier cohort errs more."""
    rng = np.random.default_rng(2)
    n = 1500
    x = rng.normal(size=n)
    group = rng.choice(["calm", "noisy"], n)
    y = 3 * x + np.where(group == "noisy", rng.normal(0, 2.0, n), rng.normal(0, 0.3, n))
    frame = pd.DataFrame({"x": x, "z": rng.normal(size=n), "group": group, "y": y})
    run = explain_file(
        to_csv_bytes(frame), name="r.csv", target="y", task="regression", rows=300, options=FAST
    )
    result = compare_cohorts(
        run.model, run.dataset, run.shap, run.table.frame, split_cohorts(run.table.frame, "group")
    )
    rows, truth, predicted = _valid(run)
    rmse = {}
    for summary in result.cohorts:
        value = summary.name.removeprefix("group = ")
        inside = group[rows] == value
        rmse[value] = np.sqrt(mean_squared_error(truth[inside], predicted[inside]))
        assert summary.metrics["rmse"] == pytest.approx(rmse[value])
        assert summary.metrics["mae"] == pytest.approx(
            mean_absolute_error(truth[inside], predicted[inside])
        )
        assert summary.metrics["r2"] == pytest.approx(r2_score(truth[inside], predicted[inside]))
        assert summary.metrics["mean_actual"] == pytest.approx(truth[inside].mean())
        assert summary.ranking[0][0] == "x"
    assert rmse["noisy"] > 3 * rmse["calm"]
    assert result.task == "regression"


def test_multiclass_cohorts_give_accuracy_macro_auc_and_per_class_shap():
    """Check that multiclass metrics and class SHAP match; AUC is NaN with one class."""
    frame = synthetic_multiclass()
    run = explain_file(to_csv_bytes(frame), name="m.csv", target="level", rows=300, options=FAST)
    high = run.model.classes.index("high")
    cohorts = [
        *split_cohorts(run.table.frame, "mode"),
        Cohort("only high", (CohortFilter("level", values=("high",)),)),
    ]
    result = compare_cohorts(
        run.model, run.dataset, run.shap, run.table.frame, cohorts, output=high
    )
    rows, truth, proba = _valid(run)
    labels = list(range(len(run.model.classes)))
    for summary in result.cohorts[:2]:
        inside = frame["mode"].to_numpy()[rows] == summary.name.removeprefix("mode = ")
        expected_auc = roc_auc_score(truth[inside], proba[inside], multi_class="ovr", labels=labels)
        assert summary.metrics["auc"] == pytest.approx(expected_auc)
        assert summary.metrics["accuracy"] == pytest.approx(
            accuracy_score(truth[inside], proba[inside].argmax(axis=1))
        )
        assert summary.metrics["log_loss"] == pytest.approx(
            log_loss(truth[inside], proba[inside], labels=labels)
        )
        file_rows = run.shap.row_ids[
            frame["mode"].to_numpy()[run.shap.row_ids] == summary.name.removeprefix("mode = ")
        ]
        expected = np.abs(_contribs(run, file_rows)[:, high]).mean(axis=0)
        for j, name in enumerate(run.model.spec.names):
            assert summary.mean_abs(name) == pytest.approx(expected[j], rel=1e-5, abs=1e-6)
    only_high = result.cohorts[2]
    assert np.isnan(only_high.metrics["auc"])
    inside = frame["level"].to_numpy()[rows] == "high"
    assert only_high.metrics["accuracy"] == pytest.approx(
        np.mean(proba[inside].argmax(axis=1) == high)
    )
    assert tuple(only_high.metrics) == cohort_metric_names("multiclass") and result.output == high


@pytest.mark.parametrize(
    ("options", "code", "match"),
    [
        ({"values": ()}, "cohort_empty_values", "'sex'.*no values"),
        ({"values": "female"}, "cohort_bad_values", "'sex'.*tuple of texts"),
        ({"values": (1, 2)}, "cohort_bad_values", "'sex'.*tuple of texts"),
        ({}, "cohort_values_or_range", "'sex'.*values or a range"),
        ({"values": ("female",), "low": 1.0}, "cohort_values_or_range", "'sex'.*not both"),
        ({"low": 5.0, "high": 1.0}, "cohort_bad_range", "'sex'.*range is empty"),
        ({"low": 5.0, "high": 5.0, "high_inclusive": False}, "cohort_bad_range", "range is empty"),
        ({"low": float("nan")}, "cohort_bad_range", "'sex'.*not a number"),
    ],
)
def test_invalid_filters_are_refused(options, code, match):
    """Check that each malformed filter is refused with its code, naming the column."""
    with pytest.raises(DataError, match=match) as info:
        CohortFilter("sex", **options)
    assert info.value.code == code and info.value.params == {"column": "sex"}


def test_filters_that_do_not_fit_the_table_are_refused(binary):
    """Check that an unknown column or a range on text is refused without quoting cells."""
    run, _ = binary
    table = run.table.frame
    with pytest.raises(DataError, match="no column named 'ward'") as info:
        cohort_mask(table, Cohort("x", (CohortFilter("ward", values=("female",)),)))
    assert info.value.code == "unknown_column"
    with pytest.raises(DataError, match="'sex'.*range needs a numeric column") as info:
        cohort_mask(table, Cohort("x", (CohortFilter("sex", low=1.0),)))
    assert info.value.code == "cohort_range_not_numeric" and "female" not in str(info.value)
    with pytest.raises(DataError, match="no column named 'ward'"):
        split_cohorts(table, "ward")
    with pytest.raises(DataError, match="max_cohorts must be at least 3") as info:
        split_cohorts(table, "sex", max_cohorts=2)
    assert info.value.code == "bad_option"
    with pytest.raises(DataError, match="bands must be at least 2"):
        split_cohorts(table, "age", bands=1)


def test_comparisons_that_cannot_be_made_are_refused(binary):
    """Check that impossible comparisons are refused, each with its code."""
    run, _ = binary
    table = run.table.frame
    args = (run.model, run.dataset, run.shap)
    women = Cohort("women", (CohortFilter("sex", values=("female",)),))
    cases = [
        ((table, []), {}, "no_cohorts", "No cohort to compare"),
        ((table, [women, women]), {}, "cohort_duplicate_names", "same name"),
        ((table.iloc[:100], [women]), {}, "cohort_table_mismatch", "fewer than the data"),
        (
            (table, [women]),
            {"feature": "site"},
            "unknown_feature",
            "not one of the model's features",
        ),
        ((table, [women]), {"output": 1}, "bad_option", "output must be from 0 to 0"),
        ((table, [women]), {"max_points": 0}, "bad_option", "max_points must be at least 1"),
        (
            (table, [women]),
            {"min_validation": 0},
            "bad_option",
            "min_validation must be at least 1",
        ),
    ]
    for positional, options, code, match in cases:
        with pytest.raises(DataError, match=match) as info:
            compare_cohorts(*args, *positional, **options)
        assert info.value.code == code
