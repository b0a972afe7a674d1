"""Save the README's screenshots: ``.venv/bin/python tests/e2e/take_screenshots.py OUTDIR``.

Starts the app the same way as the browser tests (``_app_server.py``), opens it
in Debian's headless Chromium at 1400x900 and writes:

- ``global_heart_disease.png``: Global page of the heart disease sample (English)
- ``local_heart_disease.png``: Local page of the heart disease sample (English)
- ``model_breast_cancer.png``: Model page of the breast cancer sample (English)
- ``global_heart_disease_ko.png``: Global page of the heart disease sample (Korean)
- ``data_findings.png`` / ``data_findings_ko.png``: Data page of a messy clinic CSV
  (a threshold leak, a column recorded after the outcome, ``.`` for missing, money and
  percent typed as text): findings, one-click includes, how the file was read
- ``model_findings.png``: Model page after the leak was included with one click

Exits non-zero if a page shows an exception or an error box.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # tests/: synthetic_tables

from _app_server import (
    AppServer,
    assert_no_exception,
    chromium_path,
    click_nav,
    goto,
    launch_browser,
    new_page,
    screenshot,
    server_problems,
    table_uploader,  # noqa: E402
    wait_for_app,
    wait_for_chart,
)
from _messy_tables import write_messy_clinic_csv  # noqa: E402

# (file name, deep link, page to open from the sidebar after it, or None to stay)
SHOTS: list[tuple[str, str, str | None]] = [
    ("global_heart_disease.png", "/?lang=en&sample=heart_disease", None),
    ("local_heart_disease.png", "/?lang=en&sample=heart_disease", "local"),
    ("model_breast_cancer.png", "/?lang=en&sample=breast_cancer", "model"),
    ("global_heart_disease_ko.png", "/?lang=ko&sample=heart_disease", None),
]


def _hide_chrome(page) -> None:
    """Hide Streamlit's toolbar and status widget, which do not belong in a README picture."""
    page.add_style_tag(
        content=(
            "[data-testid=stToolbar], [data-testid=stStatusWidget], "
            "[data-testid=stDecoration], [data-testid=stSidebarCollapseButton] "
            "{ visibility: hidden !important; }"
        )
    )


def _upload(page, path: Path) -> None:
    table_uploader(page).set_input_files(str(path))
    wait_for_app(page, timeout=120)


def _include_leak(page) -> None:
    """Click the leak's Include button, then open the Model page."""
    row = page.locator("[data-testid=stHorizontalBlock]").filter(has_text="lab_marker:").last
    row.get_by_role("button").click()
    wait_for_app(page, timeout=120)
    click_nav(page, "model")


# (file name, language, what to do after the upload, whether the page has a chart)
UPLOAD_SHOTS: list[tuple[str, str, Callable[..., None] | None, bool]] = [
    ("data_findings.png", "en", None, False),
    ("data_findings_ko.png", "ko", None, False),
    ("model_findings.png", "en", _include_leak, True),
]


def _shoot(page, outdir: Path, name: str, chart: bool, failures: list[str]) -> None:
    assert_no_exception(page, name)
    errors = page.locator("[data-testid=stAlertContentError]").all()
    if errors:
        failures.append(f"{name}: error box(es) on the page: {[e.inner_text() for e in errors]}")
        return
    if chart:
        wait_for_chart(page)
    _hide_chrome(page)
    page.wait_for_timeout(500)
    print(f"wrote {screenshot(page, outdir / name)}")


def main(argv: list[str] | None = None) -> int:
    """Take every screenshot into OUTDIR; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="folder for the PNG files (created if needed)")
    args = parser.parse_args(argv)
    outdir: Path = args.outdir.resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    if chromium_path() is None:
        print(
            "error: chromium is not on PATH; run `bash tests/e2e/install_browser.sh`",
            file=sys.stderr,
        )
        return 2
    from playwright.sync_api import sync_playwright

    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="xai-shots-") as logs, AppServer(Path(logs)) as server:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            try:
                for name, link, nav in SHOTS:
                    page = new_page(browser)
                    try:
                        goto(page, server.url, link)
                        if nav is not None:
                            click_nav(page, nav)
                        assert_no_exception(page, name)
                        errors = page.locator("[data-testid=stAlertContentError]").all()
                        if errors:
                            texts = [e.inner_text() for e in errors]
                            failures.append(f"{name}: error box(es) on the page: {texts}")
                        else:
                            wait_for_chart(page)
                        _hide_chrome(page)
                        page.wait_for_timeout(500)
                        path = screenshot(page, outdir / name)
                        print(f"wrote {path}")
                    except Exception as error:  # noqa: BLE001 - report and go on with the rest
                        failures.append(f"{name}: {type(error).__name__}: {error}")
                    finally:
                        page.context.close()
                csv = write_messy_clinic_csv(Path(logs) / "clinic_visits.csv")
                for name, lang, then, chart in UPLOAD_SHOTS:
                    page = new_page(browser)
                    try:
                        goto(page, server.url, f"/?lang={lang}")
                        _upload(page, csv)
                        if then is not None:
                            then(page)
                        _shoot(page, outdir, name, chart, failures)
                    except Exception as error:  # noqa: BLE001 - report and go on with the rest
                        failures.append(f"{name}: {type(error).__name__}: {error}")
                    finally:
                        page.context.close()
            finally:
                browser.close()
        problems = server_problems(server.stderr())
    failures.extend(f"server stderr:\n{p}" for p in problems)
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
