"""The app's cap on training rows: stated on the Data and Model pages, chosen in the Model
page's settings, and a row left out of fitting is named so on the Local page."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from dashboard import services
from dashboard.state import ModelSettings, Settings, Source
from sample_data import load_sample_bytes

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
CAPPED = ModelSettings(max_train_rows=1000)


def _triage() -> Source:
    data = load_sample_bytes("triage")
    return Source("sample", "triage", hashlib.sha256(data).hexdigest(), data)


def test_the_default_cap_leaves_tables_under_it_alone():
    """Check that the default settings fit a sample's model on its whole training split."""
    analysis = services.run_analysis(_triage(), Settings(), ModelSettings())
    assert ModelSettings().max_train_rows == 250_000
    assert not analysis.fitted_on_sample
    assert len(analysis.model.train_index) == analysis.training_split_rows == 2400


def test_a_capped_model_is_stated_and_its_left_out_rows_are_named():
    """Check the Data and Model pages' statement of the sample (1,000 of 2,400 training rows,
    all 600 validation rows), the settings' choice, and the Local page's label of a row that
    is in neither the fitted sample nor the validation rows."""
    analysis = services.run_analysis(_triage(), Settings(), CAPPED)
    assert analysis.fitted_on_sample and len(analysis.model.train_index) == 1000
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["sample"] = "triage"
    at.session_state["xai_model_settings"] = CAPPED
    at.run()
    at.switch_page("views/data.py").run()
    assert not at.exception
    stated = "Fitted on a seeded sample of 1,000 of the 2,400 training rows"
    assert any(stated in c.value for c in at.caption), [c.value for c in at.caption]
    at.switch_page("views/model.py").run()
    assert not at.exception
    assert any(stated in i.value and "600 validation rows" in i.value for i in at.info)
    box = next(s for s in at.selectbox if s.label == "Training rows")
    assert box.value == 1000 and "Every training row" in box.options
    used = np.union1d(analysis.model.train_index, analysis.model.valid_index)
    left_out = int(np.setdiff1d(np.arange(analysis.n_rows), used)[0])
    fitted = int(analysis.model.train_index[0])
    at.switch_page("views/export.py").run()  # its report's note states the sample too
    assert not at.exception
    at.switch_page("views/local_explanations.py").run()
    for position, label in ((left_out, "Not used in fitting"), (fitted, "Training")):
        row_id = int(analysis.dataset.row_ids[position])
        at.number_input(key="w_row_number").set_value(row_id).run()
        assert not at.exception
        shown = [m.value for m in at.metric if m.label == "Split"]
        assert shown == [label], shown
