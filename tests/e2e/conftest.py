"""Fixtures for the browser tests: one app server and one Chromium per session.

Chromium comes from Debian (``bash tests/e2e/install_browser.sh``); Playwright
drives it through ``executable_path``. Without it the tests skip, or fail when
the ``CI`` environment variable is set (a CI run must not pass silently).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _app_server import (  # noqa: E402
    SCREENSHOT_DIR,
    AppServer,
    chromium_path,
    launch_browser,
    new_page,
    server_problems,
)


def _missing(reason: str) -> None:
    """Fail under CI, skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """``tests/e2e/screenshots`` (git-ignored), created if needed."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@pytest.fixture(scope="session")
def app_server(screenshot_dir: Path) -> Iterator[AppServer]:
    """The real app on a free port; at the end, its stderr must hold no Traceback."""
    server = AppServer(screenshot_dir)
    try:
        server.start(timeout=60)
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield server
    finally:
        server.stop()
    log = server.stderr()
    assert "Traceback" not in log, f"the app's stderr ({server.stderr_path}) has a Traceback:\n" + (
        "\n---\n".join(server_problems(log))
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium, driven by Playwright's sync API."""
    if chromium_path() is None:
        _missing(
            "chromium is not on PATH: run `bash tests/e2e/install_browser.sh` "
            "(apt-get install chromium fonts-noto-cjk)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = launch_browser(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, app_server: AppServer) -> Iterator[object]:
    """A fresh page (its own Streamlit session) at 1400x900.

    After the test, the server's stderr written during it must hold no error:
    the app turns page exceptions into a friendly message and logs only
    ``page failed with <type>``, so this is where hidden crashes show up.
    """
    start = len(app_server.stderr())
    tab = new_page(browser)
    off_loopback: list[str] = []

    def refuse(route) -> None:
        off_loopback.append(route.request.url)
        route.abort()

    # The app must not make the browser fetch anything from elsewhere (fonts, icons, CDNs).
    tab.context.route(
        lambda url: (
            urlsplit(url).hostname not in _LOOPBACK and not url.startswith(("data:", "blob:"))
        ),
        refuse,
    )
    try:
        yield tab
    finally:
        tab.context.close()
    problems = server_problems(app_server.stderr()[start:])
    assert not problems, "the app logged errors during this test:\n" + "\n---\n".join(problems)
    assert not off_loopback, f"the page requested non-local addresses: {off_loopback[:5]}"
