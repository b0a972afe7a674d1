"""The survival charts checked on their figure data against scikit-survival and numpy."""

from __future__ import annotations

import numpy as np
import pytest
from sksurv.metrics import cumulative_dynamic_auc
from sksurv.nonparametric import kaplan_meier_estimator
from sksurv.util import Surv

from dashboard.charts import survival
from dashboard.charts.kit import NEUTRAL


@pytest.fixture(scope="module")
def follow_up():
    """Times, events and a risk score of 600 patients whose hazard rises with the score."""
    rng = np.random.default_rng(12)
    risk = rng.normal(size=600)
    event_time = rng.exponential(1_000 * np.exp(-0.9 * risk))
    censor_time = rng.uniform(100, 3_000, 600)
    return np.minimum(event_time, censor_time), event_time <= censor_time, risk


@pytest.fixture(scope="module")
def groups(follow_up):
    """Kaplan-Meier inputs of the risk tertiles, from scikit-survival, with (0, 1) prepended."""
    time, event, risk = follow_up
    tertile = np.searchsorted(np.quantile(risk, [1 / 3, 2 / 3]), risk, side="right")
    out = []
    for code, group in enumerate(("low", "middle", "high")):
        inside = tertile == code
        steps, surv = kaplan_meier_estimator(event[inside], time[inside])
        curve = (np.r_[0.0, steps], np.r_[1.0, surv])
        out.append((group, *curve, int(inside.sum()), int(event[inside].sum())))
    return out


def test_kaplan_meier_lines_are_scikit_survivals_steps(groups):
    """Check that each group's line is kaplan_meier_estimator's step function, drawn as steps."""
    fig = survival.kaplan_meier_figure(groups, unit="days")
    assert len(fig.data) == 3
    for trace, (_, time, surv, n_rows, n_events) in zip(fig.data, groups, strict=True):
        np.testing.assert_allclose(trace.x, time)
        np.testing.assert_allclose(trace.y, surv)
        assert trace.line.shape == "hv"
        assert trace.x[0] == 0 and trace.y[0] == 1
        assert np.all(np.diff(trace.y) <= 0)  # survival never rises
        assert f"(n={n_rows:,}, events={n_events:,})" in trace.name
    names = [trace.name for trace in fig.data]
    assert [name.split(" (")[0] for name in names] == ["Low risk", "Middle risk", "High risk"]


def test_kaplan_meier_separates_the_tertiles_and_colours_them_by_risk(groups):
    """Check that high risk falls below low risk (the data) and is coloured warm, low calm."""
    fig = survival.kaplan_meier_figure(groups)
    low, middle, high = fig.data
    horizon = 1_000.0
    at = [trace.y[np.searchsorted(trace.x, horizon, side="right") - 1] for trace in fig.data]
    assert at[0] > at[1] > at[2]
    assert low.line.color == survival.GROUP_COLOURS["low"] == "#0072B2"
    assert high.line.color == survival.GROUP_COLOURS["high"] == "#D55E00"
    assert len({low.line.color, middle.line.color, high.line.color}) == 3


def test_kaplan_meier_axis_is_survival_in_percent_with_time_and_survival_on_hover(groups):
    """Check the 0-100% survival axis, the time title with its unit and the hover text."""
    fig = survival.kaplan_meier_figure(groups, unit="days")
    assert fig.layout.yaxis.tickformat == ".0%"
    assert fig.layout.yaxis.range[0] <= 0 and fig.layout.yaxis.range[1] >= 1
    assert fig.layout.xaxis.title.text == "Time (days)"
    hover = fig.data[0].hovertemplate
    assert "Time: %{x" in hover and " days<br>" in hover
    assert "Survival: %{y:.1%}" in hover and "<extra>Low risk</extra>" in hover


def test_kaplan_meier_uses_the_callers_words(groups):
    """Check that Korean words passed in replace every English default."""
    fig = survival.kaplan_meier_figure(
        groups,
        unit="일",
        title="예측 위험군별 관측 생존",
        x_title="시간",
        y_title="생존 확률",
        low_name="저위험",
        middle_name="중간 위험",
        high_name="고위험",
        counts_label="{n_rows}명, 사건 {n_events}건",
    )
    _, _, _, n_rows, n_events = groups[2]
    assert fig.data[2].name == f"고위험 ({n_rows}명, 사건 {n_events}건)"
    assert fig.layout.title.text == "예측 위험군별 관측 생존"
    assert fig.layout.xaxis.title.text == "시간 (일)"
    assert fig.layout.yaxis.title.text == "생존 확률"
    assert "시간: %{x" in fig.data[0].hovertemplate and "생존 확률:" in fig.data[0].hovertemplate
    text = fig.to_json()
    assert "Low risk" not in text and "events=" not in text and "Survival" not in text


def test_kaplan_meier_escapes_a_group_named_like_markup():
    """Check that a group label with markup shows literally in the legend and the hover."""
    fig = survival.kaplan_meier_figure([("<script>alert(1)</script>", [0, 5], [1, 0.5], 4, 2)])
    trace = fig.data[0]
    assert trace.name.startswith("&lt;script&gt;alert(1)&lt;/script&gt; (n=4")
    assert "<script>" not in trace.name and "<script>" not in trace.hovertemplate
    assert "&lt;script&gt;" in trace.hovertemplate
    assert trace.line.color == survival.SERIES[0]  # an unknown group: coloured by position


def test_kaplan_meier_legend_sits_under_the_plot(groups):
    """Check that the long group names go under the plot, where they cover no curve."""
    legend = survival.kaplan_meier_figure(groups).layout.legend
    assert legend.orientation == "h" and legend.yref == "container"
    assert (legend.y, legend.yanchor) == (0, "bottom")


def test_survival_curve_legend_stays_off_the_curves():
    """Check the legend: bottom-left if curves stay high, top-right if they fall, else below."""
    time = np.linspace(0, 1_000, 11)
    slow = {"a": np.linspace(1, 0.6, 11), "b": np.linspace(1, 0.5, 11)}
    legend = survival.survival_curve_figure(time, slow).layout.legend
    assert (legend.xanchor, legend.yanchor) == ("left", "bottom") and legend.yref is None
    fast = {"a": np.exp(-time / 300), "b": np.exp(-time / 200)}
    legend = survival.survival_curve_figure(time, fast).layout.legend
    assert (legend.xanchor, legend.yanchor) == ("right", "top")
    apart = {"a": np.linspace(1, 0.95, 11), "b": np.exp(-time / 100)}
    legend = survival.survival_curve_figure(time, apart).layout.legend
    assert legend.orientation == "h" and legend.yref == "container" and legend.y == 0


def test_kaplan_meier_without_groups_says_so():
    """Check that no groups give no lines and the caller's message."""
    fig = survival.kaplan_meier_figure([], empty_message="검증 행이 없습니다")
    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text == "검증 행이 없습니다"


def test_kaplan_meier_rejects_mismatched_arrays():
    """Check that a group whose time and survival differ in length or shape is refused."""
    with pytest.raises(ValueError, match="equal length"):
        survival.kaplan_meier_figure([("low", [0, 1, 2], [1, 0.5], 3, 1)])
    with pytest.raises(ValueError, match="survival of group 'low' must be one-dimensional"):
        survival.kaplan_meier_figure([("low", [0, 1], [[1, 0.5]], 3, 1)])


def test_time_auc_points_are_scikit_survivals_with_chance_at_half(follow_up):
    """Check the AUC line against cumulative_dynamic_auc, its labels and the chance line."""
    time, event, risk = follow_up
    train, test = Surv.from_arrays(event[:300], time[:300]), Surv.from_arrays(event, time)
    times = np.percentile(time[event], [25, 50, 75])
    auc, mean_auc = cumulative_dynamic_auc(train, test, risk, times)
    fig = survival.time_auc_figure(times, auc, mean_auc, unit="days")
    line, chance = fig.data
    np.testing.assert_allclose(line.x, times)
    np.testing.assert_allclose(line.y, auc)
    assert list(line.text) == [f"{v:.3f}" for v in auc]
    assert list(chance.y) == [0.5, 0.5] and chance.name == "Chance"
    assert chance.x[0] == 0 and chance.x[1] == pytest.approx(times.max())
    assert chance.line.dash == "dash"
    assert fig.layout.title.subtitle.text == f"Mean over these times: {mean_auc:.3f}"
    assert fig.layout.yaxis.range[0] <= 0 and fig.layout.yaxis.range[1] >= 1
    assert "days" in fig.layout.xaxis.title.text and "AUC: %{y:.3f}" in line.hovertemplate


def test_time_auc_uses_the_callers_words_and_handles_missing_values():
    """Check Korean words, no mean line when the mean is NaN, and a message without any AUC."""
    fig = survival.time_auc_figure(
        [1.0, 2.0],
        [0.7, np.nan],
        0.7,
        title="시간별 AUC",
        mean_label="평균 {mean}",
        x_title="시간",
        chance_name="무작위",
    )
    assert fig.layout.title.text == "시간별 AUC" and fig.layout.title.subtitle.text == "평균 0.700"
    assert fig.data[1].name == "무작위" and list(fig.data[0].text) == ["0.700", ""]
    assert fig.layout.xaxis.title.text == "시간"
    no_mean = survival.time_auc_figure([1.0], [0.6], float("nan"))
    assert no_mean.layout.title.subtitle.text is None
    empty = survival.time_auc_figure([1.0], [np.nan], np.nan, empty_message="사건이 너무 적음")
    assert len(empty.data) == 0 and empty.layout.annotations[0].text == "사건이 너무 적음"
    with pytest.raises(ValueError, match="equal length"):
        survival.time_auc_figure([1.0, 2.0], [0.7], 0.7)


@pytest.fixture(scope="module")
def breslow():
    """A baseline survival on a grid and the curves of two relative hazards (S0 ** hr)."""
    time = np.linspace(0, 3_000, 60)
    base = np.exp(-((time / 2_000) ** 1.3))
    return time, {"Average patient": base, "This patient": base**2.1, "After your edit": base**1.2}


def test_survival_curves_are_the_inputs_styled_by_role(breslow):
    """Check the lines: the reference dashed grey, the patient solid, the edit another colour."""
    time, curves = breslow
    fig = survival.survival_curve_figure(time, curves, unit="days")
    assert [trace.name for trace in fig.data] == list(curves)
    for trace, values in zip(fig.data, curves.values(), strict=True):
        np.testing.assert_allclose(trace.x, time)
        np.testing.assert_allclose(trace.y, values)
    reference, patient, edited = fig.data
    assert reference.line.dash == "dash" and reference.line.color == NEUTRAL
    assert patient.line.dash is None and edited.line.dash is None
    assert len({reference.line.color, patient.line.color, edited.line.color}) == 3
    assert fig.layout.yaxis.tickformat == ".0%" and fig.layout.yaxis.range[1] >= 1
    assert "Survival: %{y:.1%}" in patient.hovertemplate and " days" in patient.hovertemplate
    # twice the hazard: S = S0 ** 2.1 lies below the reference at every time after 0
    assert np.all(np.asarray(patient.y)[1:] < np.asarray(reference.y)[1:])


def test_survival_curves_without_reference_start_with_the_patient(breslow):
    """Check that reference=False draws the first curve as the patient (solid, blue)."""
    time, curves = breslow
    fig = survival.survival_curve_figure(time, {"환자": curves["This patient"]}, reference=False)
    assert fig.data[0].line.color == survival.PATIENT and fig.data[0].line.dash is None
    with pytest.raises(ValueError, match="Expected 1 to 2 survival curves"):
        survival.survival_curve_figure(time, curves, reference=False)
    with pytest.raises(ValueError, match="Expected 1 to 3 survival curves"):
        survival.survival_curve_figure(time, {})
    with pytest.raises(ValueError, match="equal length"):
        survival.survival_curve_figure(time, {"a": curves["This patient"][:-1]})


def test_survival_curve_marker_and_words(breslow):
    """Check the marker line at the given time with the caller's Korean words, escaped labels."""
    time, curves = breslow
    fig = survival.survival_curve_figure(
        time,
        {"평균 환자": curves["Average patient"], "<b>환자</b>": curves["This patient"]},
        unit="일",
        marker_time=1_400,
        marker_name="추적 관찰 중앙값",
        title="예측 생존",
        x_title="시간",
        y_title="생존 확률",
    )
    assert fig.layout.shapes[0].x0 == pytest.approx(1_400)
    assert fig.layout.shapes[0].line.dash == "dot"
    assert fig.layout.annotations[0].text == "추적 관찰 중앙값: 1400 일"
    assert fig.layout.title.text == "예측 생존" and fig.layout.xaxis.title.text == "시간 (일)"
    patient = fig.data[1]
    assert patient.name == "&lt;b&gt;환자&lt;/b&gt;"
    assert "<extra>&lt;b&gt;환자&lt;/b&gt;</extra>" in patient.hovertemplate
    assert "생존 확률: %{y:.1%}" in patient.hovertemplate
    assert "Survival" not in fig.to_json() and "Time" not in fig.to_json()
    assert not survival.survival_curve_figure(time, curves).layout.shapes  # no marker by default
