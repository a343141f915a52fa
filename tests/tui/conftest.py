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


async def workers_done(app) -> None:
    """Wait for the app's workers to end. A worker cancelled meanwhile has ended too: an exclusive
    worker (the wizard's check, a search) is cancelled when a newer one of its group starts, and
    Textual's ``wait_for_complete`` raises ``WorkerCancelled`` for it (seen under ``pytest -n 4``)."""
    import asyncio

    from textual.worker import WorkerCancelled

    for _ in range(1000):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            await asyncio.sleep(0)  # its done-callback takes it off the list; then wait for the rest
    pytest.fail("workers kept being cancelled")


async def settle(pilot, rounds: int = 6) -> None:
    """Let workers finish and their messages be handled."""
    for _ in range(rounds):
        await pilot.pause()
        await workers_done(pilot.app)
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
        await workers_done(pilot.app)


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


def stored_columns(store, request_id: int) -> dict:
    """Every column of the request, its service lines and diagnoses, as plain values (to compare a
    draft before and after something that must not change it)."""
    from sqlalchemy import select

    from store.models import AuthRequest, DiagnosisLine, ServiceLine

    def columns(row) -> dict:
        return {c.name: getattr(row, c.name) for c in type(row).__table__.columns}

    with store.session() as session:
        values = columns(session.get(AuthRequest, request_id))
        for name, table in (("lines", ServiceLine), ("diagnoses", DiagnosisLine)):
            rows = session.execute(select(table).where(table.request_id == request_id).order_by(table.id))
            values[name] = [columns(row) for row in rows.scalars()]
    return values


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


# ----- 80×24: what is cut -----


async def snapshot_ready(pilot) -> None:
    """Before a snapshot: animations over, tables fitted, no toast, steady cursors."""
    from textual.widgets import Input

    from tui.widgets.fitting_table import FittingTable
    from tui.widgets.steady_footer import SteadyFooter

    await settle(pilot)
    await pilot.wait_for_scheduled_animations()  # the tab underline slides to the tab chosen
    for _ in range(500):  # the tables have fitted their columns to the width (a wait, bounded)
        if not any(t.refit_pending for t in pilot.app.screen.query(FittingTable)):
            break
        await pilot.pause()
    for _ in range(500):  # the footers show the keys of the screen as it is now (a wait, bounded)
        if all(footer_steady(f) for f in pilot.app.screen.query(SteadyFooter)):
            break
        await pilot.pause()
    pilot.app.clear_notifications()
    for screen in pilot.app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False
    await settle(pilot)


def footer_steady(footer) -> bool:
    """A footer that has drawn the keys its screen has now, with no rebuild pending."""
    from textual.dom import NoScreen

    try:
        return not footer._rebuild_pending and footer._shown == footer._keys()
    except NoScreen:
        return True


def footer_cut(app) -> list[str]:
    """Labels of the footer keys that do not show whole (past the edge or under "^p palette")."""
    from textual.widgets._footer import FooterKey

    keys = list(app.screen.query(FooterKey))
    edge = min([k.region.x for k in keys if k.has_class("-command-palette")] or [app.size.width])
    return [k.description for k in keys if not k.has_class("-command-palette") and
            (k.region.right > edge or k.region.width == 0)]


def first_draft(store, kind):
    """The id of the seeded demo's first draft of ``kind`` (a RequestKind)."""
    from sqlalchemy import select

    from store.enums import RequestStatus
    from store.models import AuthRequest

    with store.session() as session:
        return session.execute(
            select(AuthRequest.id).where(AuthRequest.status == RequestStatus.DRAFT, AuthRequest.kind == kind)
            .order_by(AuthRequest.id)).scalars().first()


async def open_draft_at(pilot, request_id: int, step_key: str) -> None:
    """Resume draft ``request_id`` in the wizard and jump to a step (``"f3"`` = Services); no toast left."""
    pilot.app.resume_draft(request_id)
    await settle(pilot)
    await pilot.press(step_key)
    await settle(pilot)
    pilot.app.clear_notifications()
    await settle(pilot)
