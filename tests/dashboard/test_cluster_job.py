"""XAI_DASK_SCHEDULER: the sidebar says so, and the background job runs on the cluster."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import services
from dashboard.services import background, pipeline
from dashboard.state import ModelSettings, Settings, Source
from sample_data import load_sample_bytes

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
pytestmark = pytest.mark.timeout(300)


def test_sidebar_names_the_cluster_only_when_set(monkeypatch):
    """Check the sidebar line, in English and Korean, with and without the variable."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not any("Dask" in c.value for c in at.sidebar.caption)
    monkeypatch.setenv("XAI_DASK_SCHEDULER", "tcp://10.0.0.5:8786")
    at.run()
    assert not at.exception
    assert any("Dask cluster `tcp://10.0.0.5:8786`" in c.value for c in at.sidebar.caption)
    at.query_params["lang"] = "ko"
    at.run()
    assert any("Dask 클러스터" in c.value for c in at.sidebar.caption)


def test_every_row_job_runs_on_the_cluster(monkeypatch):
    """Check that with the variable set the background job goes to the cluster and its
    values equal XGBoost's own pred_contribs of every row."""
    monkeypatch.setattr(pipeline, "FIRST_VIEW_ROWS", 1004)  # a cache key no other test uses
    monkeypatch.setenv("XAI_DASK_SCHEDULER", "local:2")
    calls: list[str] = []
    real = background.cluster_shap

    def spy(*args, **kwargs):
        calls.append(kwargs["scheduler"])
        return real(*args, **kwargs)

    monkeypatch.setattr(background, "cluster_shap", spy)
    data = load_sample_bytes("triage")
    source = Source("sample", "triage", hashlib.sha256(data).hexdigest(), data)
    analysis = services.run_analysis(source, Settings(), ModelSettings())
    full = services.full_shap(analysis)
    assert calls == ["local:2"]
    X = analysis.dataset.X
    reference = analysis.model.booster.predict(analysis.model.dmatrix(X), pred_contribs=True)
    assert len(full.rows) == len(X)
    np.testing.assert_allclose(full.values, reference[:, :, :-1], atol=1e-5)
