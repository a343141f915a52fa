"""``authdesk serve`` in a real headless Chromium: sign in, see the dashboard, save a draft.

The browser is the system's Chromium (Debian's ``chromium`` package) driven
by Playwright's Python API; nothing is downloaded. Without a browser the test
is skipped, unless ``AUTHDESK_REQUIRE_BROWSER`` is set (``.ci/run`` sets it):
then a missing browser is a failure.

What the browser shows is read from what it receives: the terminal is painted
on a canvas, so the test collects the websocket's frames and reads their text
with the escape sequences taken out.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REQUIRE_ENV = "AUTHDESK_REQUIRE_BROWSER"
BROWSER_ENV = "AUTHDESK_TEST_BROWSER"
ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>NOM78]")
WAIT_SECONDS = 60


def _no_browser(reason: str):
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{reason}, and {REQUIRE_ENV} is set: the browser test must run here")
    pytest.skip(reason)


def browser_executable() -> str:
    """Path of a Chromium to drive (``AUTHDESK_TEST_BROWSER`` or the system's), or skip/fail."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _no_browser("Playwright is not installed (pip install '.[test]')")
    for candidate in (os.environ.get(BROWSER_ENV, ""), "chromium", "chromium-browser", "google-chrome"):
        found = candidate and shutil.which(candidate)
        if found:
            return found
    _no_browser("no Chromium on this machine (apt-get install chromium)")
    raise AssertionError("unreachable")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Screen:
    """What one browser page received from its app process, as text."""

    def __init__(self, page) -> None:
        self.page = page
        self.frames: list[bytes] = []
        page.on("websocket", self._socket)

    def _socket(self, websocket) -> None:
        websocket.on("framereceived", lambda payload: self.frames.append(
            payload if isinstance(payload, bytes) else payload.encode()))

    def mark(self) -> int:
        """A position: :meth:`wait_for` can look only at what came after it."""
        return len(self.frames)

    def text(self, since: int = 0) -> str:
        return ESCAPES.sub(b"", b"".join(self.frames[since:])).decode("utf-8", "replace")

    def wait_for(self, *words: str, since: int = 0) -> str:
        """Wait until every word has been painted after ``since``; the text seen."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            seen = self.text(since)
            if all(word in seen for word in words):
                return seen
            self.page.wait_for_timeout(100)
        raise AssertionError(f"{words} never shown; the last text:\n{self.text(since)[-3000:]}")


@pytest.fixture
def demo_server(tmp_path):
    """``authdesk --db FILE serve --demo`` on a free port, with a small seeded demo database."""
    from store.demo import seed_demo
    from store.store import open_store

    path = tmp_path / "served-demo.sqlite"
    store = open_store(f"sqlite:///{path}", demo=True)
    seed_demo(store, cases=20)
    store.dispose()
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AUTHDESK_HOUSEKEEPING_MINUTES": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "tui", "--db", str(path), "serve", "--demo", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        assert server.poll() is None, (tmp_path / "serve.log").read_text()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "authdesk serve never listened"
            time.sleep(0.1)  # polling the port: there is no event to wait on
    yield f"http://127.0.0.1:{port}/", path
    os.killpg(server.pid, 15)
    server.wait(timeout=30)
    log.close()


def session_processes(database: Path) -> int:
    """How many app processes serve ``database`` (one per browser session)."""
    count = 0
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            words = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"tui" in words and f"sqlite:///{database}".encode() in words and words[0] != b"/bin/sh":
            count += 1
    return count


def test_a_clerk_signs_in_and_saves_a_draft_in_a_browser(demo_server):
    executable = browser_executable()
    from playwright.sync_api import sync_playwright
    from sqlalchemy import create_engine, text

    url, database = demo_server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            first = Screen(browser.new_page(viewport={"width": 1400, "height": 900}))
            first.page.goto(url)
            first.wait_for("Sign in", "demo-clerk-1")  # the sign-in screen lists the demo accounts

            first.page.click("#terminal")
            since = first.mark()
            first.page.keyboard.type("amy")  # typed ahead, as a clerk does: nothing waits between keys
            first.page.keyboard.press("Enter")
            first.page.keyboard.type("demo-clerk-1")
            first.page.keyboard.press("Enter")
            first.wait_for("Drafts", "Pending", "Accepted", since=since)  # the dashboard's tabs

            # A second browser session is an app of its own, at its own sign-in.
            second = Screen(browser.new_context(viewport={"width": 1200, "height": 800}).new_page())
            second.page.goto(url)
            second.wait_for("Sign in", "demo-clerk-1")
            if Path("/proc/self/cmdline").exists():
                assert session_processes(database) == 2

            since = first.mark()
            first.page.keyboard.press("n")  # new request
            first.wait_for("Service", since=since)
            since = first.mark()
            first.page.keyboard.press("s")  # service / procedure
            first.wait_for("New draft", since=since)
            first.page.keyboard.type("ZZBROWSER1")  # the member ID field has the focus
            since = first.mark()
            first.page.keyboard.press("Control+s")
            seen = first.wait_for("saved. It is not an approval.", since=since)
            draft_number = re.search(r"Draft (D-\d+) saved", seen).group(1)
        finally:
            browser.close()

    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT a.status, a.member_id_entered, u.username FROM auth_request a "
                 "JOIN app_user u ON u.id = a.created_by_id WHERE a.draft_number = :n"),
            {"n": draft_number},
        ).one()
    engine.dispose()
    assert tuple(row) == ("draft", "ZZBROWSER1", "amy")
