"""The real app in headless Chromium: deep links, every page, an upload, Korean, all tasks.

One app server and one browser serve the whole session (``conftest.py``); each
test gets a fresh browser context, so a fresh Streamlit session. Screenshots go
to ``tests/e2e/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import plotly
import pytest
from _app_server import (
    HANGUL,
    assert_no_exception,
    click_nav,
    goto,
    screenshot,
    table_uploader,
    url_path_of,
    wait_for_app,
    wait_for_chart,
)
from _messy_tables import write_messy_clinic_csv

from dashboard.i18n import translate

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

PAGES = ["data", "model", "global", "local", "what-if", "export"]
PAGES_WITHOUT_CHARTS = {"export"}


def _error_alerts(page) -> list[str]:
    """Text of every ``st.error`` box (the app shows crashes of a page as one)."""
    return [e.inner_text() for e in page.locator("[data-testid=stAlertContentError]").all()]


def _assert_healthy(page, where: str) -> None:
    """No stException and no error box on the page."""
    assert_no_exception(page, where)
    errors = _error_alerts(page)
    assert not errors, f"{where}: error message on the page: {errors}"


def _nav_text(page) -> str:
    return page.locator("[data-testid=stSidebarNav]").inner_text()


def _write_upload_csv(path: Path, n: int = 400, seed: int = 11) -> Path:
    """Numeric features, one categorical, an id column and a binary target ``outcome``."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "patient_id": np.arange(1001, 1001 + n),
            "age": rng.integers(25, 90, n),
            "bmi": rng.normal(27, 4, n).round(1),
            "systolic_bp": rng.normal(128, 16, n).round(0),
            "ward": rng.choice(["north", "south", "east"], n),
        }
    )
    east = (frame["ward"] == "east").astype(float)
    logit = 0.06 * (frame["age"] - 55) + 0.15 * (frame["bmi"] - 27) + 0.8 * east
    frame["outcome"] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    frame.to_csv(path, index=False)
    return path


def test_deep_link_opens_global_with_a_chart(page, app_server, screenshot_dir) -> None:
    """Check that ?sample=breast_cancer opens the Global page with a chart, without a click."""
    goto(page, app_server.url, "/?sample=breast_cancer")
    _assert_healthy(page, "global (deep link)")
    assert url_path_of(page) == "global", f"deep link landed on {page.url}"
    assert wait_for_chart(page) >= 1
    screenshot(page, screenshot_dir / "deep_link_global_breast_cancer.png")


def test_the_landing_page_loads_the_chart_code_before_any_chart(page, app_server) -> None:
    """Check that the Data page, before any table is chosen, has the browser load plotly's
    code (so the first real chart does not wait for it) and shows no chart for it."""
    goto(page, app_server.url, "/")
    _assert_healthy(page, "data (landing)")
    page.wait_for_function(
        "() => performance.getEntriesByType('resource')"
        ".some(e => e.name.includes('/PlotlyChart.'))",
        timeout=30_000,
    )
    # and the plotly.js of the kept charts, from the app's own server (the plotly package)
    # (its own copy: Streamlit's chart bundle sets window.Plotly to another plotly.js)
    page.wait_for_function("() => !!(window.__xaiPlotly && window.__xaiPlotly.react)")
    version = page.evaluate("() => window.__xaiPlotly.version")
    assert version == plotly.offline.get_plotlyjs_version(), version
    sources = page.evaluate(
        "() => performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => n.endsWith('/plotly.min.js'))"
    )
    assert sources and all(s.startswith(app_server.url) for s in sources), sources
    visible = [gd.is_visible() for gd in page.locator(".js-plotly-plot").all()]
    assert not any(visible), visible
    assert page.locator("[data-testid=stMain] .js-plotly-plot").count() == 0


_WATERFALL_JS = """() => {
  const gd = document.querySelector('.st-key-waterfall_chart .js-plotly-plot');
  if (!gd || !gd._fullLayout || !gd.querySelector('.main-svg g.trace')) return null;
  return {bars: JSON.stringify(gd.data[0].text), kept: gd.__probe === true,
          buttons: [...gd.querySelectorAll('.modebar-btn')].map(b => b.getAttribute('data-title')),
          font: gd._fullLayout.font.color};
}"""


def test_a_kept_chart_says_why_when_plotly_js_cannot_be_fetched(page, app_server) -> None:
    """Check that where the browser cannot fetch plotly.js (a reverse proxy that does not
    forward the component path), the Local page's waterfall shows the translated message
    in its place instead of an empty space; and that the app's server does serve that
    file, byte for byte the ``plotly`` package's own."""
    asked: list[str] = []

    def refuse(route) -> None:
        asked.append(route.request.url)
        route.abort()

    page.route("**/plotly.min.js", refuse)
    goto(page, app_server.url, "/?lang=en&sample=heart_disease")
    click_nav(page, "local")
    message = page.locator(".st-key-waterfall_chart .xai-kept-chart-failed")
    message.wait_for(timeout=60_000)
    assert message.inner_text() == translate("en", "common.chart_load_failed")
    assert page.locator(".st-key-waterfall_chart .js-plotly-plot").count() == 0
    assert asked and all(u.startswith(app_server.url) and "/component/" in u for u in asked)
    with urllib.request.urlopen(asked[0], timeout=30) as response:  # noqa: S310 (localhost)
        assert response.status == 200
        served = response.read()
    assert served == (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()


def test_local_waterfall_is_updated_in_place(page, app_server, screenshot_dir) -> None:
    """Check that a row switch on the Local page redraws the waterfall in the same plot
    (Plotly.react on the kept element, not a new chart), that its toolbar offers full screen
    and never plotly's cloud upload, and that it takes Streamlit's chart text colour."""
    goto(page, app_server.url, "/?lang=en&sample=heart_disease")
    _assert_healthy(page, "global (deep link)")
    click_nav(page, "local")
    _assert_healthy(page, "local")
    first = page.wait_for_function(_WATERFALL_JS, timeout=60_000).json_value()
    assert "Full screen" in first["buttons"], first["buttons"]
    assert not any("Share" in b for b in first["buttons"]), first["buttons"]
    assert first["font"].lower() == "#808495", first  # Streamlit's theme: gray70 text
    page.evaluate(
        "() => { document.querySelector('.st-key-waterfall_chart .js-plotly-plot')"
        ".__probe = true; }"
    )
    box = page.locator("[data-testid=stNumberInput] input").first
    box.fill(str(int(box.input_value()) + 7))
    box.press("Enter")
    page.wait_for_function(
        f"(old) => {{ const w = ({_WATERFALL_JS})(); return w && w.bars !== old; }}",
        arg=first["bars"],
        timeout=60_000,
    )
    wait_for_app(page, timeout=60)
    after = page.evaluate(_WATERFALL_JS)
    assert after["kept"], "the waterfall was mounted afresh, not updated in place"
    assert page.locator("[data-testid=stMain] .js-plotly-plot").count() == 1
    _assert_waterfall_fits(page, "local (after a switch)")
    screenshot(page, screenshot_dir / "local_switched.png")


def test_every_page_through_the_sidebar(page, app_server, screenshot_dir) -> None:
    """Check that every page opens from the sidebar with a sample loaded, without an error,
    and that picking the first of the Audit page's most wrong rows and clicking its button
    opens the Local page on that row of the file."""
    goto(page, app_server.url, "/?lang=en&sample=heart_disease")
    _assert_healthy(page, "global (deep link)")
    for url_path in PAGES:
        click_nav(page, url_path)
        _assert_healthy(page, url_path)
        assert page.locator("[data-testid=stMain] h1").count() >= 1, f"{url_path}: no page title"
        if url_path in PAGES_WITHOUT_CHARTS:
            assert page.locator("[data-testid=stDownloadButton]").count() >= 1, (
                f"{url_path}: no download button"
            )
        else:
            assert wait_for_chart(page) >= 1, f"{url_path}: no chart"
        screenshot(page, screenshot_dir / f"page_{url_path}.png")
    click_nav(page, "audit")
    page.wait_for_selector("text=The most wrong rows", timeout=120_000)
    wait_for_app(page, timeout=60)
    _assert_healthy(page, "audit")
    grid = page.locator("[data-testid=stDataFrame]").filter(has_text="Row in file")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 16, box["y"] + 55)  # the first row's selection box
    wait_for_app(page, timeout=60)
    button = page.get_by_role("button", name=re.compile(r"Explain row [\d,]+"))
    row = re.search(r"Explain row ([\d,]+)", button.inner_text()).group(1).replace(",", "")
    button.click()
    wait_for_app(page, timeout=60)
    _assert_healthy(page, "local from audit")
    assert url_path_of(page) == "local"
    assert page.locator("[data-testid=stNumberInput] input").first.input_value() == row
    screenshot(page, screenshot_dir / "local_from_audit.png")


def test_upload_csv_trains_a_model(page, app_server, screenshot_dir, tmp_path) -> None:
    """Check that a CSV uploaded on the Data page is profiled, its target guessed and explained."""
    csv = _write_upload_csv(tmp_path / "ward_outcomes.csv")
    goto(page, app_server.url, "/")
    _assert_healthy(page, "data (empty)")
    uploader = table_uploader(page)
    uploader.set_input_files(str(csv))
    wait_for_app(page, timeout=120)
    _assert_healthy(page, "data (after upload)")
    screenshot(page, screenshot_dir / "upload_data.png")

    # The guessed target is shown: the target box of the settings form holds it.
    target_box = page.locator("[data-testid=stForm] [data-testid=stSelectbox] input").first
    assert target_box.input_value() == "outcome"
    main_text = page.locator("[data-testid=stMain]").inner_text()
    assert "outcome" in main_text
    assert page.locator("[data-testid=stMetric]").count() >= 4, "no overview metrics"
    # The model was trained: the sidebar names the target in its model line.
    sidebar = page.locator("[data-testid=stSidebarUserContent]").inner_text()
    assert "ward_outcomes.csv" in sidebar, f"upload name not in the sidebar: {sidebar!r}"
    assert "outcome" in sidebar.replace("ward_outcomes.csv", ""), (
        f"trained target not in the sidebar: {sidebar!r}"
    )

    click_nav(page, "global")
    _assert_healthy(page, "global (after upload)")
    assert wait_for_chart(page) >= 1
    screenshot(page, screenshot_dir / "upload_global.png")


def test_korean_from_the_query_string(page, app_server, screenshot_dir) -> None:
    """Check that ?lang=ko shows the navigation in Korean, and that the Local page's waterfall
    holds its Korean labels (see :func:`_assert_waterfall_fits`)."""
    goto(page, app_server.url, "/?lang=ko&sample=triage")
    _assert_healthy(page, "global (ko)")
    nav = _nav_text(page)
    assert HANGUL.search(nav), f"no Hangul in the navigation: {nav!r}"
    assert HANGUL.search(page.locator("[data-testid=stMain] h1").first.inner_text())
    wait_for_chart(page)
    screenshot(page, screenshot_dir / "korean_query_global.png")
    click_nav(page, "local")
    _assert_healthy(page, "local (ko)")
    _assert_waterfall_fits(page, "local (ko)")


def test_korean_from_the_sidebar_select(page, app_server, screenshot_dir) -> None:
    """Check that the sidebar language select switches to Korean and back."""
    goto(page, app_server.url, "/")
    _assert_healthy(page, "data (en)")
    assert not HANGUL.search(_nav_text(page)), "navigation is not English at the start"

    def choose(language: str) -> None:
        box = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first
        box.click()
        page.locator("[role=option]").filter(has_text=language).first.click()
        wait_for_app(page)

    choose("한국어")
    _assert_healthy(page, "data (ko)")
    nav = _nav_text(page)
    assert HANGUL.search(nav), f"no Hangul in the navigation: {nav!r}"
    assert re.search(r"[?&]lang=ko\b", page.url), f"lang=ko not in the URL: {page.url}"
    screenshot(page, screenshot_dir / "korean_select_data.png")

    choose("English")
    _assert_healthy(page, "data (back to en)")
    assert not HANGUL.search(_nav_text(page)), "navigation still Korean after English was chosen"


@pytest.mark.parametrize("sample", ["triage", "diabetes"])
def test_multiclass_and_regression_samples(page, app_server, screenshot_dir, sample) -> None:
    """Check that a multiclass and a regression sample open on every explaining page (the
    survival sample: :func:`test_survival_sample_reads_hazards_and_curves`), and that the
    Local page's waterfall holds its labels."""
    goto(page, app_server.url, f"/?lang=en&sample={sample}")
    _assert_healthy(page, f"global ({sample})")
    assert url_path_of(page) == "global", f"deep link landed on {page.url}"
    assert wait_for_chart(page) >= 1
    screenshot(page, screenshot_dir / f"{sample}_global.png")
    for url_path in ["local", "model", "what-if", "export"]:
        click_nav(page, url_path)
        _assert_healthy(page, f"{url_path} ({sample})")
        if url_path not in PAGES_WITHOUT_CHARTS:
            assert wait_for_chart(page) >= 1, f"{url_path} ({sample}): no chart"
        if url_path == "local":
            _assert_waterfall_fits(page, f"local ({sample})")
        if url_path in {"local", "model"}:
            screenshot(page, screenshot_dir / f"{sample}_{url_path}.png")


def test_survival_sample_reads_hazards_and_curves(page, app_server, screenshot_dir) -> None:
    """Check that the survival sample opens on every explaining page: the Model page shows
    the C-index and its two charts, the Local page a relative hazard with the waterfall, the
    survival curve and LIME."""
    goto(page, app_server.url, "/?sample=heart_failure_survival")
    _assert_healthy(page, "global (survival)")
    assert url_path_of(page) == "global", f"deep link landed on {page.url}"
    assert wait_for_chart(page) >= 1
    screenshot(page, screenshot_dir / "heart_failure_survival_global.png")
    click_nav(page, "model")
    _assert_healthy(page, "model (survival)")
    assert wait_for_chart(page) >= 2
    text = page.locator("[data-testid=stMain]").inner_text()
    assert "C-index" in text and "Time-dependent AUC" in text
    click_nav(page, "local")
    _assert_healthy(page, "local (survival)")
    assert wait_for_chart(page) >= 2  # waterfall, survival curve
    assert page.locator(".st-key-lime_chart").count() == 0  # LIME waits to be turned on
    page.locator(".st-key-w_local_lime").get_by_text("Compare with LIME").click()
    page.locator(".st-key-lime_chart .js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
    _assert_healthy(page, "local (survival, LIME)")
    assert wait_for_chart(page) >= 3  # and SHAP beside LIME
    text = page.locator("[data-testid=stMain]").inner_text()
    assert "Hazard vs the average patient" in text
    assert re.search(r"×\d+\.\d\d", text), "no relative hazard on the Local page"
    screenshot(page, screenshot_dir / "survival_local.png")
    click_nav(page, "what-if")
    _assert_healthy(page, "what-if (survival)")
    assert wait_for_chart(page) >= 1, "what-if (survival): no chart"
    click_nav(page, "export")
    _assert_healthy(page, "export (survival)")


HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_CELL = "<script>alert(2)</script>"


def test_hostile_names_and_cells_stay_text(page, app_server, screenshot_dir, tmp_path) -> None:
    """Check that HTML in a column name and in cells is shown as text and runs nothing."""
    rng = np.random.default_rng(5)
    n = 300
    frame = pd.DataFrame(
        {
            HOSTILE_NAME: rng.normal(size=n),
            "ward": rng.choice([HOSTILE_CELL, "east", "west"], n),
            "x": rng.normal(size=n),
        }
    )
    frame["outcome"] = np.where(frame[HOSTILE_NAME] + rng.normal(0, 0.5, n) > 0, "yes", "no")
    path = tmp_path / "hostile.csv"
    frame.to_csv(path, index=False)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    goto(page, app_server.url, "/")
    table_uploader(page).set_input_files(str(path))
    wait_for_app(page, timeout=120)
    _assert_healthy(page, "data (hostile upload)")
    assert HOSTILE_NAME in page.locator("[data-testid=stMain]").inner_text()  # shown, as text
    for name in ("global", "local", "what-if"):
        click_nav(page, name)
        _assert_healthy(page, f"{name} (hostile upload)")
        assert page.locator("img[src='x'], [data-testid=stMain] script").count() == 0, name
    screenshot(page, screenshot_dir / "hostile_local.png")
    assert not dialogs, f"script from the data ran: {dialogs}"


def test_messy_upload_shows_findings_and_includes_a_leak(
    page, app_server, screenshot_dir, tmp_path
) -> None:
    """Check that a messy CSV shows how it was read and its leak with the figure, and that the
    leak's Include button retrains into a near-perfect model that the Model page flags."""
    csv = write_messy_clinic_csv(tmp_path / "clinic_visits.csv")
    goto(page, app_server.url, "/")
    table_uploader(page).set_input_files(str(csv))
    wait_for_app(page, timeout=120)
    _assert_healthy(page, "data (messy upload)")
    main = page.locator("[data-testid=stMain]")
    warnings = " ".join(main.locator("[data-testid=stAlertContentWarning]").all_inner_texts())
    assert "lab_marker (AUC 1.000)" in warnings, warnings
    assert "followup_days" in warnings and "Too good to be true" not in warnings, warnings
    text = main.inner_text()  # the tables themselves are drawn on a canvas
    assert "How the file was read" in text and "read as missing values" in text
    assert "These text columns were read as numbers" in text
    screenshot(page, screenshot_dir / "messy_data.png")
    row = main.locator("[data-testid=stHorizontalBlock]").filter(has_text="lab_marker:").last
    row.get_by_role("button", name="Include").click()
    wait_for_app(page, timeout=120)
    _assert_healthy(page, "data (leak included)")
    click_nav(page, "model")
    _assert_healthy(page, "model (leak included)")
    first = page.locator("[data-testid=stAlertContentWarning]").first.inner_text()
    assert "Too good to be true?" in first, first  # the first warning of the page
    screenshot(page, screenshot_dir / "messy_model.png")


_WATERFALL_FIT_JS = """() => {
  const gd = document.querySelector('.st-key-waterfall_chart .js-plotly-plot');
  if (!gd || !gd._fullLayout || !gd.querySelector('.ytick text')) return null;
  const svg = gd.querySelector('svg.main-svg').getBoundingClientRect();
  const boxes = [...gd.querySelectorAll('.ytick text, .waterfalllayer text')]
    .map(t => t.getBoundingClientRect());
  return {set: gd._fullLayout.margin.l, used: gd._fullLayout._size.l,
          left: Math.min(...boxes.map(b => b.left)) - svg.left,
          right: svg.right - Math.max(...boxes.map(b => b.right))};
}"""


def _assert_waterfall_fits(page, where: str) -> None:
    """The Local page's waterfall sets a left margin that holds its feature labels, so
    Plotly's automargin has nothing to add (no second layout pass in the browser), and every
    label, the bars' values included, lies inside the chart."""
    fit = page.wait_for_function(_WATERFALL_FIT_JS, timeout=60_000).json_value()
    assert fit["used"] == fit["set"], (where, fit)
    assert fit["left"] >= 0 and fit["right"] >= 0, (where, fit)
