"""The Audit page under Streamlit's AppTest, checked against the engine computed independently."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.state import ModelSettings
from explainers import TrainingOptions, permutation_importance_ci, read_table, run_pipeline
from sample_data import load_sample_bytes

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
TIMEOUT = 300


def _chart(at: AppTest, key_part: str) -> dict:
    """The plotly spec of the chart whose element id mentions ``key_part``."""
    for element in at.get("plotly_chart"):
        if key_part in element.proto.id:
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart {key_part}")


def test_audit_page_runs_and_ranks_like_the_engine():
    """Check that the audit runs on a sample and its top permutation feature is the engine's."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["sample"] = "heart_disease"
    at.run()
    at.switch_page("views/audit.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.get("plotly_chart")  # nothing computed before the button
    at.button(key="w_audit_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    for key in ("audit_permutation_chart", "audit_shap_chart", "audit_pdp_chart"):
        _chart(at, key)
    shown = _chart(at, "audit_permutation_chart")["data"][0]["customdata"][0][0]

    ms = ModelSettings()
    run = run_pipeline(
        read_table(load_sample_bytes("heart_disease"), name="sample.csv"),
        rows=None,
        seed=0,
        options=TrainingOptions(
            n_estimators=ms.n_estimators,
            learning_rate=ms.learning_rate,
            max_depth=ms.max_depth,
            validation_fraction=ms.validation_fraction,
            seed=ms.seed,
        ),
    )
    reference = permutation_importance_ci(run.model, run.dataset, seed=0)
    top = max(reference, key=lambda i: i.mean).feature
    assert shown == run.model.spec.display_names.get(top, top)
