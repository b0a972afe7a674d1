"""Two users' sessions never see each other's data; caches are shared only for bundled samples.

Streamlit's AppTest gives every AppTest instance the same session id ("test
session id"), so session-scoped caches would be shared between instances that
stand for different users. The ``separate_sessions`` fixture gives each AppTest
its own session id, as the real server gives each browser tab.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.runtime.caching.cache_resource_api import clear_session_cache
from streamlit.testing.v1 import AppTest, app_test
from streamlit.testing.v1.local_script_runner import LocalScriptRunner
from synthetic_tables import synthetic_binary, to_csv_bytes

from dashboard import result_cache
from dashboard.services import analysis_key, pipeline
from dashboard.state import PENDING_UPLOAD_KEY, ModelSettings

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
TIMEOUT = 240
ALPHA = "alpha_marker_col"
BETA = "beta_marker_col"
DATA, GLOBAL = "views/data.py", "views/global_explanations.py"


@pytest.fixture
def separate_sessions(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[int, str]]:
    """Give every AppTest instance its own Streamlit session id; drop their caches afterwards."""
    ids: dict[int, str] = {}
    numbers = itertools.count(1)

    class PerAppSessionRunner(LocalScriptRunner):
        def __init__(self, script_path: str, session_state: Any, *args: Any, **kwargs: Any):
            super().__init__(script_path, session_state, *args, **kwargs)
            key = id(session_state)  # one SafeSessionState per AppTest, kept across its runs
            if key not in ids:
                ids[key] = f"test-session-{next(numbers)}"
            self._session_id = ids[key]

    monkeypatch.setattr(app_test, "LocalScriptRunner", PerAppSessionRunner)
    yield ids
    for session_id in ids.values():
        clear_session_cache(session_id)


@pytest.fixture
def train_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the app's runs of the engine's pipeline that train a model."""
    calls: list[str] = []
    real = pipeline.run_pipeline

    def counting(table: Any, **kwargs: Any) -> Any:
        if kwargs.get("model") is None:
            calls.append(f"{kwargs['schema'].task}: {table.n_rows} rows")
        return real(table, **kwargs)

    monkeypatch.setattr(pipeline, "run_pipeline", counting)
    return calls


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def _upload(name: str, data: bytes) -> AppTest:
    at = _app()
    at.session_state[PENDING_UPLOAD_KEY] = (name, data)
    return at.run()


def _csv(marker: str, seed: int) -> bytes:
    """A binary table whose strongest feature is named ``marker``."""
    return to_csv_bytes(synthetic_binary(n=300, seed=seed).rename(columns={"x_strong": marker}))


def _assert_clean(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: {[e.value for e in at.exception]}"
    assert not at.error, f"{where}: {[e.value for e in at.error]}"


def _rendered(at: AppTest) -> bytes:
    """Every element the run sent (text, dataframes' Arrow bytes, chart specs, widgets)."""
    parts = []
    for block in (at.main, at.sidebar):
        for node in block:
            proto = getattr(node, "proto", None)
            if proto is not None and hasattr(proto, "SerializeToString"):
                parts.append(proto.SerializeToString())
    return b"\n".join(parts)


def _chart_specs(at: AppTest) -> str:
    return "\n".join(chart.proto.spec for chart in at.main.get("plotly_chart"))


def test_two_sessions_never_see_each_others_upload(separate_sessions):
    """Check that two sessions' Data and Global pages show only their own upload's columns."""
    alpha = _upload("alpha.csv", _csv(ALPHA, seed=1))
    beta = _upload("beta.csv", _csv(BETA, seed=2))
    sessions = [(alpha, ALPHA, BETA), (beta, BETA, ALPHA)]
    for page in (DATA, GLOBAL, DATA):
        for at, own, other in sessions:
            at.switch_page(page).run()
            _assert_clean(at, f"{own} on {page}")
            rendered = _rendered(at)
            assert other.encode() not in rendered, f"{other} leaked into {own}'s {page}"
            assert own.encode() in rendered, f"{own}'s own column is not shown on {page}"
            if page == GLOBAL:
                specs = _chart_specs(at)
                assert own in specs, f"{own} is in no chart of the Global page"
                assert other not in specs
    assert len(set(separate_sessions.values())) == 2
    assert alpha.session_state["xai_source"].name == "alpha.csv"
    assert beta.session_state["xai_source"].name == "beta.csv"


def test_a_bundled_sample_is_trained_once_for_all_sessions(separate_sessions, train_calls):
    """Check that the same sample opened in two sessions is trained once (shared cache)."""
    result_cache._shared_slot.clear()
    first = _app(sample="diabetes").run()
    second = _app(sample="diabetes").run()
    for at in (first, second):
        _assert_clean(at, "global (diabetes)")
        assert at.main.get("plotly_chart")
    assert len(train_calls) == 1, train_calls
    assert len(separate_sessions) == 2


def test_the_same_upload_in_two_sessions_is_trained_in_each(separate_sessions, train_calls):
    """Check that an upload's analysis lives in its session only: another session retrains it."""
    data = _csv(ALPHA, seed=3)
    first = _upload("mine.csv", data)
    _assert_clean(first, "first session")
    first.switch_page(GLOBAL).run()  # a rerun of the same session reuses its cache
    assert len(train_calls) == 1, train_calls
    second = _upload("theirs.csv", data)  # same bytes, so the same content hash
    _assert_clean(second, "second session")
    assert len(train_calls) == 2, "the second session got the first session's cached model"
    source = first.session_state["xai_source"]
    key = analysis_key(source, first.session_state["xai_settings"], ModelSettings())
    assert result_cache._shared_slot(key).value is None, (
        "an upload's analysis is in the shared cache"
    )


def test_an_uploads_cache_ends_with_its_session(separate_sessions, train_calls):
    """Check that when a session ends (its session cache is cleared) its upload's model is gone."""
    at = _upload("mine.csv", _csv(ALPHA, seed=4))
    _assert_clean(at, "upload")
    at.run()
    assert len(train_calls) == 1, train_calls
    for session_id in separate_sessions.values():
        clear_session_cache(session_id)  # what the server does when the browser tab goes away
    at.run()
    _assert_clean(at, "rerun after the session cache was released")
    assert len(train_calls) == 2, "the upload's model outlived its session's cache"
