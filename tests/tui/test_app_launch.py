"""Launch and sign-in: the first paint before the database, type-ahead, an unreachable database, the lock.

Keys are posted in a burst (``app.post_message(events.Key(...))`` with no
wait between them), the way a fast typist or a password manager sends them:
``pilot.press`` waits for the app to be idle after each key and would hide a
lost key.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from textual import events

from tests.tui.conftest import SIZE, make_app, settle, sign_in, text_of

ROOT = Path(__file__).resolve().parents[2]


def burst(app, *keys: str) -> None:
    """Post key events for ``keys`` (single characters or key names) with no wait between them."""
    for key in keys:
        if len(key) == 1:
            name = {"-": "minus", ".": "full_stop", "@": "at"}.get(key, key)
            app.post_message(events.Key(name, key))
        else:
            app.post_message(events.Key(key, "\r" if key == "enter" else None))


def typed(text: str) -> list[str]:
    return list(text)


# ----- type-ahead -----


async def test_credentials_typed_in_a_burst_sign_in(seeded):
    from tui.screens.dashboard import DashboardScreen

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, *typed("amy"), "enter", *typed("demo-clerk-1"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen), text_of(app, "#sign-in-error")
        assert app.user.username == "amy"


async def test_password_typed_ahead_never_lands_in_the_username_field(seeded):
    from textual.widgets import Input

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, *typed("amy"), "enter", *typed("secret-pw"))
        await settle(pilot)
        assert app.screen.query_one("#sign-in-username", Input).value == "amy"
        assert app.screen.query_one("#sign-in-password", Input).value == "secret-pw"
        assert app.focused.id == "sign-in-password"


async def test_credentials_pressed_at_once_by_pilot_sign_in(seeded):
    from tui.screens.dashboard import DashboardScreen

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"amy", "enter", *"demo-clerk-1", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)


# ----- the database opens after the first paint -----


class Opener:
    """An ``open_store`` that waits for ``release`` and fails ``failures`` times first."""

    def __init__(self, store, failures: int = 0, wait: bool = False) -> None:
        self.store = store
        self.failures = failures
        self.calls = 0
        self.release = threading.Event()
        if not wait:
            self.release.set()

    def __call__(self):
        from store.errors import DatabaseUnavailableError

        self.calls += 1
        assert self.release.wait(10)
        if self.calls <= self.failures:
            raise DatabaseUnavailableError("Cannot open the database db.example:5432: connection refused")
        return self.store


async def test_keys_typed_while_the_database_opens_sign_in_when_it_answers(seeded):
    from tui.app import AuthDeskApp
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.sign_in import SignInScreen

    opener = Opener(seeded, wait=True)
    app = AuthDeskApp(open_store=opener)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.store is None and app.database_state == "connecting"
        burst(app, *typed("amy"), "enter", *typed("demo-clerk-1"), "enter")
        for _ in range(5):
            await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert "Connecting to the database" in text_of(app, "#sign-in-status")
        opener.release.set()
        await settle(pilot)
        assert app.database_state == "ready"
        assert isinstance(app.screen, DashboardScreen)
        assert app.user.username == "amy"


async def test_an_unreachable_database_is_explained_with_a_retry_key(seeded):
    from tui.app import AuthDeskApp
    from tui.screens.dashboard import DashboardScreen

    opener = Opener(seeded, failures=1)
    app = AuthDeskApp(open_store=opener)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.database_state == "failed"
        status = text_of(app, "#sign-in-status")
        assert "connection refused" in status and "F5 tries again" in status
        assert "f5" in app.active_bindings  # Retry is in the footer
        await sign_in(pilot, "amy", "demo-clerk-1")
        assert "not open" in text_of(app, "#sign-in-error")
        await pilot.press("f5")
        await settle(pilot)
        assert opener.calls == 2 and app.database_state == "ready"
        assert "f5" not in app.active_bindings
        await pilot.press("enter")  # the password is still in its field
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)


async def test_a_bad_database_url_shows_one_line_on_sign_in(tmp_path, monkeypatch):
    from tui.app import AuthDeskApp
    from tui.launch import DatabaseOpener

    monkeypatch.setenv("AUTHDESK_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/nothing-listens-here")
    app = AuthDeskApp(open_store=DatabaseOpener())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.database_state == "failed"
        status = text_of(app, "#sign-in-status")
        assert status.startswith("Cannot open the database"), status
        assert "Traceback" not in status


async def test_a_database_without_users_says_how_to_create_one(sqlite_store):
    from tui.app import AuthDeskApp
    from tui.launch import DatabaseOpener

    url = str(sqlite_store.engine.url)
    app = AuthDeskApp(open_store=DatabaseOpener(url=url))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.database_state == "failed"
        assert "authdesk user add" in text_of(app, "#sign-in-status").replace("\n", " ")


def test_nothing_from_the_store_is_imported_before_the_sign_in_screen_paints(tmp_path):
    """The opener runs after the first paint: it records what was imported by then."""
    script = textwrap.dedent(
        """
        import asyncio, sys
        from tui.app import AuthDeskApp

        seen = {}

        def opener():
            seen["heavy"] = sorted(m for m in sys.modules
                                   if m.split(".")[0] in ("sqlalchemy", "sqlmodel", "alembic", "argon2")
                                   or m in ("store.models", "store.store", "store.db"))
            from store.errors import DatabaseUnavailableError
            raise DatabaseUnavailableError("no database in this test")

        async def main():
            app = AuthDeskApp(open_store=opener)
            async with app.run_test(size=(80, 24)) as pilot:
                while app.database_state != "failed":
                    await pilot.pause(0.01)
                painted = app.screen.query_one("#sign-in-username").region.area > 0
            print("painted", painted)
            print("heavy", ",".join(seen["heavy"]))

        asyncio.run(main())
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={"PYTHONPATH": str(ROOT), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "painted True" in result.stdout
    assert "heavy \n" in result.stdout, result.stdout


def test_tui_app_and_the_commands_do_not_import_each_other():
    script = "import tui.commands, sys; print('tui.app' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.stdout.strip() == "False", result.stderr
    source = (ROOT / "tui" / "commands.py").read_text()
    assert "tui.app" not in source


# ----- the lock says why -----


async def test_ctrl_l_says_the_clerk_locked_it(seeded, signed_in_app):
    from tests.tui.conftest import user_record
    from tui.screens.lock import LockScreen

    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        reason = text_of(app, "#lock-reason")
        assert "locked by you" in reason and "idle" not in reason


async def test_the_idle_lock_says_how_many_minutes(seeded, signed_in_app):
    from tests.tui.conftest import user_record
    from tui.screens.lock import LockScreen

    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.idle_lock_minutes = 7
        app.last_activity -= 7 * 60 + 1
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        assert "after 7 idle minutes" in text_of(app, "#lock-reason")


async def test_keys_typed_after_the_password_reach_the_dashboard(seeded):
    from tui.screens.kind_picker import KindPickerScreen

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, *typed("amy"), "enter", *typed("demo-clerk-1"), "enter", "n")
        await settle(pilot)
        assert isinstance(app.screen, KindPickerScreen)  # n on the dashboard: a new request
        assert app.user.username == "amy"


async def test_keys_typed_after_a_wrong_password_are_dropped(seeded):
    from textual.widgets import Input

    from tui.screens.sign_in import SignInScreen

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, *typed("amy"), "enter", *typed("wrong-password"), "enter", "n")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.focused is app.screen.query_one("#sign-in-password", Input)
        assert app.focused.value == ""
        await pilot.press(*"demo-clerk-1", "enter")
        await settle(pilot)
        assert app.user.username == "amy"
