"""What every keyboard (Pilot) and snapshot test of the app shares.

* ``ui_env`` (autouse): times shown in UTC, HOME in the test's own folder, no
  idle lock and no housekeeping timer unless a test asks for them.
* ``SignedInApp`` / ``signed_in_app``: the real app, signed in as a user
  without the sign-in screen (the test starts on the dashboard).
* ``settle``: let workers finish and their messages be handled.
* ``text_of``: the text a widget paints, as the clerk reads it.

Test modules never import fixtures from each other; what two of them need lives here.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import FROZEN_NOW

from tui.app import AuthDeskApp

APP_CSS = str(Path(__file__).resolve().parents[2] / "tui" / "app.tcss")
SIZE = (120, 36)
SMALL = (80, 24)
CASES = 130  # the seeded demo every dashboard test starts from


@pytest.fixture(autouse=True)
def ui_env(monkeypatch, tmp_path):
    """UTC clock display, an isolated HOME, no idle lock or housekeeping timer."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setenv("AUTHDESK_IDLE_LOCK_MINUTES", "0")
    monkeypatch.setenv("AUTHDESK_HOUSEKEEPING_MINUTES", "0")
    yield home
    monkeypatch.undo()
    time.tzset()


class SignedInApp(AuthDeskApp):
    """The real app, signed in as ``user`` without the sign-in screen."""

    CSS_PATH = APP_CSS

    def __init__(self, store, user, **kwargs) -> None:
        super().__init__(store, **kwargs)
        self._test_user = user

    def on_mount(self, event) -> None:
        event.prevent_default()  # no sign-in screen: the test signs in
        self.idle_lock_minutes = 0
        from tui.messages import SignedIn

        self.post_message(SignedIn(self._test_user))


@pytest.fixture
def signed_in_app():
    """Factory: ``signed_in_app(store, user)`` → the app signed in as ``user``."""
    return SignedInApp


async def settle(pilot, rounds: int = 6) -> None:
    """Let workers finish and their messages be handled."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot, condition, what: str, timeout: float = 30.0) -> None:
    """Let the app run until ``condition()`` holds (a wait for a condition, not a sleep);
    fail with ``what`` if it does not within ``timeout`` seconds (a generous bound for a loaded machine)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()


def text_of(app, selector: str) -> str:
    """The text a widget on the current screen paints (its lines joined by newlines)."""
    from textual.geometry import Region

    widget = app.screen.query_one(selector)
    width, height = widget.outer_size
    lines = widget.render_lines(Region(0, 0, width, height))
    return "\n".join(strip.text.rstrip() for strip in lines).strip()


def user_record(store, username: str):
    """The UserRecord of ``username`` (as sign-in would return it)."""
    from sqlalchemy import select

    from store.models import User
    from store.services.auth import to_user_record

    with store.session() as session:
        return to_user_record(session, session.execute(select(User).where(User.username == username)).scalar_one())


# ----- the seeded demo (dashboard, sign-in, case detail) -----


@pytest.fixture(scope="session")
def _seeded_template(_sqlite_template, tmp_path_factory):
    """The demo (130 cases) seeded once at FROZEN_NOW into an SQLite file."""
    import time_machine

    from store.demo import seed_demo
    from store.store import open_store

    path = tmp_path_factory.mktemp("dash") / "seeded.sqlite"
    shutil.copy(_sqlite_template, path)
    store = open_store(f"sqlite:///{path}")
    with time_machine.travel(FROZEN_NOW, tick=False):
        seed_demo(store, cases=CASES)
    with store.engine.connect() as conn:  # fold the WAL into the file before copying it
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()
    return path


@pytest.fixture
def seeded(_seeded_template, tmp_path, frozen_now):
    """A fresh copy of the seeded demo and the clock frozen."""
    from store.store import open_store

    path = tmp_path / "demo.sqlite"
    shutil.copy(_seeded_template, path)
    store = open_store(f"sqlite:///{path}", attachments_dir=tmp_path / "attachments")
    yield store
    store.dispose()


def make_app(store, demo=False):
    """The real app on ``store``."""
    from tui.app import AuthDeskApp

    return AuthDeskApp(store, demo=demo)


async def sign_in(pilot, username="rita", password="demo-review") -> None:
    """Type the credentials the way a clerk does."""
    await settle(pilot)
    await pilot.press(*username, "enter")
    await pilot.press(*password, "enter")
    await settle(pilot)


# ----- an empty office for review and tracking tests -----


@pytest.fixture
def office(sqlite_store, frozen_now):
    """An empty store and the clock frozen. Returns (store, clerk, other_clerk, reviewer)."""
    from tests.store.review_cases import people

    clerk, other, reviewer = people(sqlite_store)
    return sqlite_store, clerk, other, reviewer
