"""The Local page computes LIME only once the user turns it on, and keeps that choice."""

from __future__ import annotations

from pathlib import Path

import page_charts
from streamlit.testing.v1 import AppTest

from dashboard import services

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
LOCAL = "views/local_explanations.py"


def _lime_shown(at: AppTest) -> bool:
    charts = [e for e in at.main.get("bidi_component") if "lime_chart" in e.proto.id]
    labels = [m.label for m in at.metric]
    return bool(charts) and "Rank agreement (Spearman)" in labels


def test_lime_is_off_until_turned_on_then_kept_across_pages(monkeypatch):
    """Check that a row on the Local page is explained without LIME at first (not computed),
    that turning LIME on draws its metrics and chart for the row, and that it is still on
    after a visit to another page and for the next row."""
    calls: list[int] = []
    real = services.lime_for_row

    def counting(analysis, position, output):
        calls.append(position)
        return real(analysis, position, output)

    monkeypatch.setattr(services, "lime_for_row", counting)
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = "breast_cancer"
    at.run()
    at.switch_page(LOCAL).run()
    assert not at.exception
    toggle = at.toggle(key="w_local_lime")
    assert toggle.value is False and toggle.label == "Compare with LIME"
    assert not calls and not _lime_shown(at)
    assert any("waterfall_chart" in e.proto.id for e in at.main.get("bidi_component"))
    assert page_charts.waterfall(at)["data"][0]["type"] == "waterfall"

    at.toggle(key="w_local_lime").set_value(True).run()
    assert not at.exception
    assert len(calls) == 1 and _lime_shown(at)

    at.switch_page("views/global_explanations.py").run()
    at.switch_page(LOCAL).run()
    assert at.toggle(key="w_local_lime").value is True and _lime_shown(at)
    first = calls[-1]
    number = at.number_input(key="w_row_number")
    number.set_value(number.value + 1).run()
    assert not at.exception
    assert calls[-1] != first and _lime_shown(at)
