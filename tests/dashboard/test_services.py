"""The app's services: caching rules, the engine's pipeline behind the analysis, exports."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from dashboard import result_cache, services
from dashboard.charts.local import _percent_ticks
from dashboard.services import pipeline
from dashboard.state import ModelSettings, Settings, Source
from explainers import ModelError, TrainingOptions, read_table, run_pipeline
from explainers.cli import summary_of
from sample_data import load_sample_bytes


@pytest.mark.parametrize(("reason", "calls"), [("timeout", 2), ("memory", 2), ("invalid", 1)])
def test_only_lasting_errors_are_cached(reason, calls):
    """Check that a model check that ran out of time may be retried, a damaged file not."""
    seen = []

    def compute():
        seen.append(1)
        raise ModelError("no", code="model_unreadable", reason=reason, timeout_s=1.0)

    key = f"test-transient-{reason}"
    for _ in range(2):
        with pytest.raises(ModelError):
            result_cache.memo(key, True, compute, str)
    assert len(seen) == calls


def test_memo_computes_once_and_checks_the_type():
    """Check that a value is computed once per key, and that a slot holding another type is
    computed afresh rather than handed out as the wrong thing."""
    seen = []

    def compute():
        seen.append(1)
        return "text"

    assert result_cache.memo("test-memo-once", True, compute, str) == "text"
    assert result_cache.memo("test-memo-once", True, compute, str) == "text"
    assert seen == [1]
    assert result_cache.peek("test-memo-once", True, str) == "text"
    assert result_cache.peek("test-memo-once", True, int) is None
    assert result_cache.memo("test-memo-once", True, lambda: 7, int) == 7


def test_private_work_outside_a_session_is_never_cached():
    """Check that without a Streamlit session a private entry is a fresh slot every time."""
    first = result_cache.entry("test-private", False)
    first.value = "kept?"
    assert result_cache.entry("test-private", False) is not first
    assert result_cache.peek("test-private", False, str) is None


def _source(sample_id):
    data = load_sample_bytes(sample_id)
    return Source("sample", sample_id, hashlib.sha256(data).hexdigest(), data)


def test_the_analysis_is_the_engines_pipeline(monkeypatch):
    """Check that the app's analysis of a sample is what the engine's run_pipeline gives on
    the same table and settings: same sampled rows, SHAP values, metrics and findings."""
    monkeypatch.setattr(pipeline, "FIRST_VIEW_ROWS", 257)  # a cache key no other test uses
    source = _source("heart_disease")
    analysis = services.run_analysis(source, Settings(), ModelSettings())
    ms = ModelSettings()
    reference = run_pipeline(
        read_table(load_sample_bytes("heart_disease"), name="sample.csv"),
        rows=257,
        seed=0,
        options=TrainingOptions(
            n_estimators=ms.n_estimators,
            learning_rate=ms.learning_rate,
            max_depth=ms.max_depth,
            validation_fraction=ms.validation_fraction,
            seed=ms.seed,
        ),
    )
    assert analysis.shap_is_sample and len(analysis.shap.rows) == 257
    np.testing.assert_array_equal(analysis.shap.rows, reference.shap.rows)
    np.testing.assert_allclose(analysis.shap.values, reference.shap.values, atol=1e-6)
    assert analysis.evaluation.metrics == pytest.approx(reference.evaluation.metrics)
    assert [f.code for f in analysis.findings] == [f.code for f in reference.findings]
    np.testing.assert_allclose(analysis.prediction, reference.model.predict(reference.dataset.X))


def test_metrics_document_is_the_clis_summary_with_training_facts():
    """Check that the metrics export holds the CLI's summary.json document, plus the rows
    and trees the model was trained with."""
    analysis = services.run_analysis(_source("diabetes"), Settings(), ModelSettings())
    document = json.loads(services.metrics_json(analysis))
    summary = json.loads(json.dumps(summary_of(analysis.run, analysis.run.seconds)))
    assert {k: document[k] for k in summary} == summary
    n_valid, n_train = document["n_validation_rows"], document["n_training_rows"]
    assert n_valid == len(analysis.model.valid_index) and n_train == len(analysis.model.train_index)
    assert n_valid + n_train == len(analysis.dataset.y)
    assert 1 <= document["trees"] <= ModelSettings().n_estimators
    assert document["options"]["seed"] == ModelSettings().seed


@pytest.mark.parametrize(
    ("low", "high"), [(50.04, 50.72), (0.0, 100.0), (3.2, 41.0), (99.1, 100.4)]
)
def test_percent_ticks_label_every_window(low, high):
    """Check that a probability axis always gets at least two ticks inside it and 0..100%."""
    ticks = _percent_ticks(low, high)
    assert len(ticks) >= 2, ticks
    assert all(max(low, 0) <= v <= min(high, 100) for v in ticks)
