"""XAI_DASK_SCHEDULER: the sidebar says so, and the background job runs on the cluster."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import services
from dashboard.services import audit, background, pipeline, worth
from dashboard.state import ModelSettings, Settings, Source
from explainers import learning_curve
from explainers._dask.app_client import close_app_clients
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


@pytest.fixture
def clustered_analysis(monkeypatch):
    """The triage sample analysed with XAI_DASK_SCHEDULER=local:2 (its own cache key)."""
    monkeypatch.setattr(pipeline, "FIRST_VIEW_ROWS", 1006)
    monkeypatch.setenv("XAI_DASK_SCHEDULER", "local:2")
    data = load_sample_bytes("triage")
    source = Source("sample", "triage", hashlib.sha256(data).hexdigest(), data)
    yield services.run_analysis(source, Settings(), ModelSettings())
    close_app_clients()


def test_the_audit_runs_on_the_cluster_with_the_local_result(clustered_analysis, monkeypatch):
    """Check that the background audit goes to the cluster (its parts side by side) and
    gives what the same engine calls give in this process: permutation importance, the
    error analysis and the partial dependence of each top feature."""
    analysis = clustered_analysis
    stages: list[str] = []
    real = audit.cluster_calls

    def spy(scheduler, shared, calls, **kwargs):
        stages.extend(call[0] for call in calls)
        return real(scheduler, shared, calls, **kwargs)

    monkeypatch.setattr(audit, "cluster_calls", spy)
    job = audit.audit_job(analysis)
    assert job is not None and job.wait(240)
    assert job.error is None, job.error
    core = audit.audit_core(analysis)
    assert core is not None
    assert stages == ["permutation", "errors", *["effects"] * len(core.effects)]
    here = audit._compute_core(analysis, lambda done, total, stage: None)
    got = {i.feature: i.mean for i in core.importance.permutation}
    expected = {i.feature: i.mean for i in here.importance.permutation}
    assert got.keys() == expected.keys()
    np.testing.assert_allclose(list(got.values()), [expected[f] for f in got], atol=1e-12)
    assert core.errors is not None and here.errors is not None
    assert core.errors.n_errors == here.errors.n_errors
    assert core.errors.worst_rows == here.errors.worst_rows
    assert [(r.rule, r.n) for r in core.errors.rules] == [(r.rule, r.n) for r in here.errors.rules]
    assert [e.feature for e in core.effects] == [e.feature for e in here.effects]
    for mine, local in zip(core.effects, here.effects, strict=True):
        np.testing.assert_allclose(mine.average, local.average, atol=1e-9)


def test_the_learning_curve_runs_on_the_cluster_with_the_local_curve(clustered_analysis):
    """Check that the learning curve's retrainings run on the cluster, one per fraction, and
    the merged curve equals the engine's learning_curve in this process."""
    analysis = clustered_analysis
    job = worth.learning_curve_job(analysis)
    assert job is not None and job.wait(240)
    assert job.error is None, job.error
    curve = worth.worth_learning_curve(analysis)
    here = learning_curve(
        analysis.model, analysis.dataset, fractions=worth.LEARNING_FRACTIONS, seed=pipeline.SEED
    )
    assert curve is not None
    assert curve.fractions == here.fractions and curve.rows == here.rows
    assert curve.rounds == here.rounds
    np.testing.assert_allclose(curve.scores, here.scores, atol=1e-9)
