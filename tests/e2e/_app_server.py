"""Start the real app and a real browser; wait for Streamlit to settle.

Shared by the browser tests (``tests/e2e/conftest.py``) and the README
screenshot script (``tests/e2e/take_screenshots.py``). Nothing here imports
pytest, so the script runs without it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, Playwright, ViewportSize

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = Path(__file__).resolve().parent / "screenshots"
VIEWPORT: ViewportSize = {"width": 1400, "height": 900}
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# What the Streamlit 1.67 frontend puts on the app root (see static/js/index.*.js):
# data-test-script-state is initial | running | notRunning | rerunRequested |
# stopRequested | compilationError; data-test-connection-state is CONNECTED | ...
BUSY_SELECTOR = (
    "[data-testid=stAppSkeleton], [data-testid=stSkeleton], [data-testid=stSpinner], "
    "[data-testid=stStatusWidgetRunningIcon], [data-testid=stStatusWidgetRunningManIcon]"
)
HANGUL = re.compile(r"[가-힣]")
# Lines in the server's stderr that mean something went wrong in a page. The app
# catches page errors itself (dashboard/views/_common.run_page) and logs only
# "page failed with <ExceptionType>", so a Traceback alone would miss them.
SERVER_ERROR_MARKERS = ("Traceback", "page failed with")


def chromium_path() -> str | None:
    """Debian's chromium on PATH (Playwright cannot download its own browser here)."""
    return shutil.which("chromium")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppServer:
    """``streamlit run dashboard/app.py`` in its own process group, stderr to a file."""

    def __init__(self, log_dir: Path, *, name: str = "server") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.stderr_path = log_dir / f"{name}-stderr.log"
        self.stdout_path = log_dir / f"{name}-stdout.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 60.0) -> AppServer:
        """Start the app and wait until ``/_stcore/health`` answers ``ok``."""
        command = [
            sys.executable,
            "-m",
            "dashboard.serve",  # as `make run` starts it
            "--server.headless",
            "true",
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with open(self.stderr_path, "wb") as err, open(self.stdout_path, "wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
                command,
                cwd=REPO_ROOT,
                stdout=out,
                stderr=err,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        health = f"{self.url}/_stcore/health"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with {self.process.returncode} before it was healthy; "
                    f"stderr:\n{self.stderr()[-4000:]}"
                )
            try:
                with urllib.request.urlopen(health, timeout=2) as reply:  # noqa: S310
                    if reply.read().decode().strip() == "ok":
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(
            f"streamlit did not answer 'ok' on {health} within {timeout:.0f} s; "
            f"stderr:\n{self.stderr()[-4000:]}"
        )

    def stop(self) -> None:
        """Terminate the app's whole process group (SIGTERM, then SIGKILL)."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)

    def stderr(self) -> str:
        """Everything the app wrote to stderr so far."""
        try:
            return self.stderr_path.read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d")


def server_problems(text: str) -> list[str]:
    """The parts of server stderr ``text`` that mark an error (a traceback in one piece)."""
    lines = text.splitlines()
    found: list[str] = []
    end = 0
    for i, line in enumerate(lines):
        if i < end or not any(marker in line for marker in SERVER_ERROR_MARKERS):
            continue
        end = i + 1
        # A traceback runs until the next log line or error marker (60 lines at most).
        while end < len(lines) and end - i < 60 and not _LOG_LINE.match(lines[end]):
            if "page failed with" in lines[end]:
                break
            end += 1
        found.append("\n".join(lines[i:end]))
    return found


def launch_browser(playwright: Playwright) -> Browser:
    """Debian's headless chromium, with the flags this sandbox needs."""
    path = chromium_path()
    if path is None:
        raise RuntimeError("chromium is not on PATH; run `bash tests/e2e/install_browser.sh`")
    return playwright.chromium.launch(executable_path=path, args=BROWSER_ARGS, headless=True)


def new_page(browser: Browser, **context_options: Any) -> Page:
    """A fresh browser context (so a fresh Streamlit session) at 1400x900, English locale."""
    options: dict[str, Any] = {"viewport": VIEWPORT, "locale": "en-US", **context_options}
    context = browser.new_context(**options)
    context.set_default_timeout(30_000)
    return context.new_page()


_IDLE_JS = """
(busySelector) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return 'no-app';
  const script = app.getAttribute('data-test-script-state');
  const conn = app.getAttribute('data-test-connection-state');
  if (conn !== 'CONNECTED') return 'connection:' + conn;
  if (script !== 'notRunning') return 'script:' + script;
  if (document.querySelector(busySelector)) return 'busy';
  return 'idle';
}
"""


def wait_for_app(page: Page, *, timeout: float = 90.0, settle: float = 0.75) -> None:
    """Wait until the Streamlit script has finished and the page stopped changing.

    Finished means: ``[data-testid=stApp]`` exists, its ``data-test-script-state``
    is ``notRunning`` (not ``initial``, ``running`` or ``rerunRequested``), the
    connection is ``CONNECTED``, and no skeleton, spinner or running-man icon is
    shown, continuously for ``settle`` seconds (a click's rerun can start a moment
    after the click, and ``st.switch_page`` runs the script twice). Raises
    ``TimeoutError`` with the last state seen.
    """
    deadline = time.monotonic() + timeout
    idle_since: float | None = None
    last = "?"
    while True:
        now = time.monotonic()
        try:
            last = page.evaluate(_IDLE_JS, BUSY_SELECTOR)
        except Exception as error:  # noqa: BLE001 - navigation in progress destroys the context
            last = f"evaluate failed: {type(error).__name__}"
        if last == "idle":
            idle_since = idle_since if idle_since is not None else now
            if now - idle_since >= settle:
                return
        else:
            idle_since = None
        if now > deadline:
            raise TimeoutError(f"app not idle after {timeout:.0f} s (last state: {last})")
        page.wait_for_timeout(100)


def exception_texts(page: Page) -> list[str]:
    """The text of every ``[data-testid=stException]`` on the page."""
    return [e.inner_text() for e in page.locator("[data-testid=stException]").all()]


def wait_for_chart(page: Page, *, timeout: float = 30.0) -> int:
    """Wait until at least one plotly chart has been drawn on the page (the main area, not
    the sidebar's hidden preloading chart); return how many there are."""
    selector = "[data-testid=stMain] .js-plotly-plot"
    page.locator(selector).first.wait_for(state="visible", timeout=timeout * 1000)
    # Plotly draws into .main-svg once the lazy-loaded bundle ran.
    page.locator(f"{selector} .main-svg").first.wait_for(state="attached", timeout=timeout * 1000)
    return page.locator(selector).count()


DEFAULT_PAGE = "data"  # st.navigation's default page is served at "/", not "/data"


def nav_link(page: Page, url_path: str) -> Locator:
    """The sidebar navigation link to the page at ``url_path`` (e.g. ``what-if``)."""
    wanted = "" if url_path == DEFAULT_PAGE else url_path
    links = page.locator("[data-testid=stSidebarNav] a[data-testid=stSidebarNavLink]")
    for link in links.all():
        href = link.get_attribute("href") or ""
        if urlsplit(href).path.strip("/") == wanted:
            return link
    raise AssertionError(f"no sidebar link to /{wanted} among {links.count()} links")


def url_path_of(page: Page) -> str:
    """The page's url path without slashes ('' for the default page)."""
    return urlsplit(page.url).path.strip("/")


def goto(page: Page, base_url: str, path_and_query: str = "/") -> None:
    """Open ``base_url + path_and_query`` and wait for the app to settle."""
    page.goto(base_url + path_and_query, wait_until="domcontentloaded")
    wait_for_app(page)


def click_nav(page: Page, url_path: str) -> None:
    """Open a page through the sidebar navigation and wait for it."""
    nav_link(page, url_path).click()
    wanted = {"", DEFAULT_PAGE} if url_path == DEFAULT_PAGE else {url_path}
    page.wait_for_function(
        "(wanted) => wanted.includes(window.location.pathname.replace(/^\\/+|\\/+$/g, ''))",
        arg=sorted(wanted),
        timeout=30_000,
    )
    wait_for_app(page)


def screenshot(page: Page, path: Path) -> Path:
    """A full-page screenshot of the main area plus sidebar, after charts are drawn.

    Streamlit scrolls inside ``stMain``, not the document, so a plain full-page
    shot would cut off everything below the fold; the viewport is grown to the
    content's height for the shot and put back afterwards.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        """() => {
          const main = document.querySelector('[data-testid="stMain"]');
          const side = document.querySelector('[data-testid="stSidebarContent"]');
          return Math.max(main ? main.scrollHeight : 0, side ? side.scrollHeight : 0,
                          document.documentElement.scrollHeight);
        }"""
    )
    original = page.viewport_size or VIEWPORT
    tall: ViewportSize = {
        "width": original["width"],
        "height": max(original["height"], min(int(height), 12000)),
    }
    try:
        if tall != original:
            page.set_viewport_size(tall)
            page.wait_for_timeout(600)  # let plotly relayout to the new size
        page.screenshot(path=str(path), full_page=True)
    finally:
        if tall != original:
            page.set_viewport_size(original)
    return path


def table_uploader(page: Page) -> Locator:
    """The Data page's table uploader (not the saved-analysis or model uploaders)."""
    return (
        page.locator("[data-testid=stFileUploader]")
        .filter(has_text="CSV, TSV")
        .locator("input[type=file]")
        .first
    )


def assert_no_exception(page: Page, where: str) -> None:
    """Fail when ``[data-testid=stException]`` is on ``page``."""
    texts = exception_texts(page)
    assert not texts, f"{where}: stException on the page: {texts}"
