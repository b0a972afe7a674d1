"""Large tables: the first view explains a stated sample; exact values follow on request."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import services
from dashboard.state import ModelSettings, Settings, Source
from sample_data import load_sample_bytes

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def small_first_view(monkeypatch):
    """Treat tables over 1,000 rows as large."""
    monkeypatch.setattr(services, "FIRST_VIEW_ROWS", 1000)


def _contribs(analysis, positions):
    """XGBoost's own pred_contribs of dataset rows (the reference)."""
    X = analysis.dataset.X.iloc[positions]
    return analysis.model.booster.predict(analysis.model.dmatrix(X), pred_contribs=True)


def test_sampled_first_view_and_exact_rows(small_first_view):
    """Check the sample's size, and that any row's values equal XGBoost's pred_contribs."""
    data = load_sample_bytes("heart_disease")
    source = Source("sample", "heart_disease", services.state._digest(data), data)
    analysis = services.run_analysis(source, Settings(), ModelSettings())
    n = len(analysis.dataset.y)
    assert analysis.shap_is_sample and len(analysis.shap.rows) == 1000 < n
    outside = int(np.setdiff1d(np.arange(n), analysis.shap.rows)[0])
    inside = int(analysis.shap.rows[10])
    for position in (outside, inside):
        row = services.row_shap(analysis, position)
        expected = _contribs(analysis, [position])[0]
        np.testing.assert_allclose(row.values[0, 0], expected[:-1], atol=1e-5)
        assert row.base_values[0, 0] == pytest.approx(expected[-1], abs=1e-5)
    assert len(services.global_shap(analysis)[0].rows) == 1000
    full = services.full_shap(analysis)
    assert len(full.rows) == n
    np.testing.assert_allclose(full.values[:, 0, :], _contribs(analysis, np.arange(n))[:, :-1],
                               atol=1e-5)
    shap, X = services.global_shap(analysis)
    assert shap is full and len(X) == n


def test_global_page_states_the_sample_and_computes_all_rows(small_first_view):
    """Check that the Global page says it shows a sample, and the button explains every row."""
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = "triage"
    at.run()
    assert not at.exception
    notice = " ".join(i.value for i in at.info)
    assert "1,000" in notice and "3,000" in notice, notice
    at.button(key="w_full_shap").click().run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "3,000" in captions
    assert not any("1,000" in i.value for i in at.info)


def test_export_computes_every_row_before_offering_shap_files(monkeypatch):
    """Check that, after a sampled first view, SHAP files are offered only for all rows."""
    monkeypatch.setattr(services, "FIRST_VIEW_ROWS", 300)  # a cache key no other test uses
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = "triage"
    at.run()
    at.switch_page("views/export.py").run()
    assert not at.exception
    keys = {b.key for b in at.get("download_button")}
    assert "dl_shap_csv" not in keys and "dl_model" in keys
    at.button(key="w_full_shap_export").click().run()
    assert not at.exception
    keys = {b.key for b in at.get("download_button")}
    assert {"dl_shap_csv", "dl_shap_parquet"} <= keys
