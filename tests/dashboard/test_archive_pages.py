"""A saved analysis (.xai) in the app: saved from a sample, opened again on the Data page.

With the table every page is as it was; without it the model, metrics and SHAP values
are the same, and pages that need rows say so; a hostile file is refused in words.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import i18n, result_cache, services
from dashboard.state import PENDING_ANALYSIS_KEY, ModelSettings, Settings, Source
from explainers import open_analysis
from sample_data import load_sample_bytes

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
TIMEOUT = 240
HANGUL = re.compile(r"[가-힣]")
ROW_PAGES = ["views/local_explanations.py", "views/what_if.py", "views/audit.py"]
PAGES = ["views/model.py", "views/global_explanations.py", *ROW_PAGES, "views/export.py"]


def _sample_analysis(sample: str) -> services.Analysis:
    data = load_sample_bytes(sample)
    source = Source("sample", sample, hashlib.sha256(data).hexdigest(), data)
    return services.run_analysis(source, Settings(), ModelSettings())


def _opened_app(name: str, data: bytes, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.session_state[PENDING_ANALYSIS_KEY] = (name, data)
    return at.run()


def _sample_app(sample: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["sample"] = sample
    return at.run()


def _clean(at: AppTest, page: str) -> None:
    assert not at.exception, f"{page}: {[e.value for e in at.exception]}"
    assert not at.error, f"{page}: {[e.value for e in at.error]}"


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _importance(at: AppTest) -> tuple[list[str], np.ndarray]:
    """The Global page's importance chart: features in order and their mean |SHAP|."""
    trace = json.loads(at.main.get("plotly_chart")[0].proto.spec)["data"][0]
    x = trace["x"]
    if isinstance(x, dict):  # plotly's typed array
        import base64

        x = np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"])
    return list(trace["customdata"]), np.asarray(x, dtype=float)


def _infos(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in at.info)


@pytest.fixture(scope="module")
def original():
    """The breast-cancer sample as the app shows it: Model page metrics, Global importance,
    and its saved analysis with the table and without, interaction values included."""
    analysis = _sample_analysis("breast_cancer")
    services.interactions(analysis)  # computed, as the Global page does: they go in the file
    at = _sample_app("breast_cancer")
    importance = _importance(at)
    at.switch_page("views/model.py").run()
    metrics = _metrics(at)
    return {
        "metrics": metrics,
        "importance": importance,
        "with_table": services.analysis_file(analysis, include_table=True),
        "without_table": services.analysis_file(analysis, include_table=False),
        "analysis": analysis,
    }


def test_the_saved_file_holds_the_analysis_and_its_interactions(original):
    """Check the saved bytes open with the engine to the same SHAP values and interactions."""
    opened = open_analysis(original["without_table"])
    analysis = original["analysis"]
    assert not opened.has_table and opened.interactions is not None
    np.testing.assert_array_equal(opened.shap.values, services.best_shap(analysis).values)
    assert opened.evaluation.metrics == analysis.evaluation.metrics
    assert open_analysis(original["with_table"]).has_table


def test_with_the_table_every_page_is_as_it_was(original):
    """Check that a file saved with the table opens on the Data page with when and which
    version made it, the Model page metrics and Global importance equal the original's,
    and every page runs."""
    at = _opened_app("breast_cancer_with_table.xai", original["with_table"])
    _clean(at, "data")
    success = " ".join(s.value for s in at.success)
    assert success.startswith("Opened **breast\\_cancer\\_with\\_table")
    assert re.search(r"saved on \d{4}-\d\d-\d\d \d\d:\d\d UTC with xai-dashboard \d", success)
    assert "holds the table" in _infos(at)
    assert at.dataframe, "the table preview is shown"
    at.switch_page("views/model.py").run()
    _clean(at, "model")
    assert _metrics(at) == original["metrics"]
    at.switch_page("views/global_explanations.py").run()
    _clean(at, "global")
    names, values = _importance(at)
    assert names == original["importance"][0]
    np.testing.assert_array_equal(values, original["importance"][1])
    assert len(at.main.get("plotly_chart")) >= 4  # importance, beeswarm, dependence, heatmap
    for page in PAGES[2:]:
        at.switch_page(page).run()
        _clean(at, page)
        assert "saved without" not in _infos(at), page


def test_without_the_table_pages_that_need_rows_say_so(original):
    """Check that a file saved without the table shows the same metrics and importance, the
    saved interactions, and that every page needing rows says so without raising."""
    at = _opened_app("breast_cancer.xai", original["without_table"])
    _clean(at, "data")
    assert "saved without the table" in _infos(at)
    digest = hashlib.sha256(original["without_table"]).hexdigest()
    assert result_cache.peek(f"opened|{digest}", True, services.Analysis) is None  # never shared
    at.switch_page("views/model.py").run()
    assert not at.exception
    assert _metrics(at) == original["metrics"]
    at.switch_page("views/global_explanations.py").run()
    _clean(at, "global")
    names, values = _importance(at)
    assert names == original["importance"][0]
    np.testing.assert_array_equal(values, original["importance"][1])
    assert "Dependence on one feature** needs the table's rows" in _infos(at)
    assert any("grey" in c.value for c in at.caption)
    assert len(at.main.get("plotly_chart")) == 3  # importance, beeswarm, the saved interactions
    for page in ROW_PAGES:
        at.switch_page(page).run()
        _clean(at, page)
        assert "needs the table's rows" in _infos(at), page
    at.switch_page("views/export.py").run()
    _clean(at, "export")
    assert "saved without its table" in _infos(at)
    labels = [b.label for b in at.get("download_button")]
    assert "Download the saved analysis (.xai)" in labels


def test_saving_the_table_warns_about_identifier_columns():
    """Check that ticking "Include the table" on the Export page names the ID column."""
    at = _sample_app("heart_disease")
    at.switch_page("views/export.py").run()
    _clean(at, "export")
    assert not any("identifiers" in w.value for w in at.warning)
    at.checkbox(key="w_save_table").check().run()
    _clean(at, "export")
    warning = " ".join(w.value for w in at.warning)
    assert "every row" in warning and "identifiers" in warning and "patient\\_id" in warning


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_hostile_file_is_refused_in_words(lang):
    """Check that a pickle named .xai shows the translated refusal, and no page raises."""
    at = _opened_app("evil.xai", pickle.dumps({"model": [1, 2, 3]}), lang=lang)
    assert not at.exception
    messages = [e.value for e in at.error]
    assert messages == [i18n.translate(lang, "error.archive_pickle")]
    if lang == "ko":
        assert HANGUL.search(messages[0])
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
