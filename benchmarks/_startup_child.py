"""Child process for benchmarks/startup.py: start, paint, print the time, exit.

    python benchmarks/_startup_child.py app  DB_URL USERNAME
    python benchmarks/_startup_child.py bare
    python benchmarks/_startup_child.py sign-in DB_URL
    python benchmarks/_startup_child.py bare-sign-in

Prints seconds from ``AUTHDESK_BENCH_T0`` (the parent's ``time.time()`` just
before it started this process) to the first paint of the dashboard's first
page ("app") or of the same widgets with no data ("bare"); or, for launch,
to the first paint of the sign-in screen as ``authdesk`` starts it (the
database opened in a worker after that paint: "sign-in") or of a bare
Textual app with the same widgets ("bare-sign-in").
"""

from __future__ import annotations

import os
import sys
import time

SIZE = (120, 36)


def _report() -> None:
    elapsed = time.time() - float(os.environ["AUTHDESK_BENCH_T0"])
    print(f"{elapsed:.4f}", flush=True)


def run_app(url: str, username: str) -> None:
    """The real app, signed in as ``username`` (no password typed), until the first page paints."""
    from sqlalchemy import select

    from store.models import User
    from store.services.auth import to_user_record
    from store.store import open_store
    from tui.app import AuthDeskApp
    from tui.messages import SignedIn

    store = open_store(url)
    with store.session() as session:
        user = to_user_record(session, session.execute(select(User).where(User.username == username)).scalar_one())

    import tui

    class BenchApp(AuthDeskApp):
        CSS_PATH = os.path.join(os.path.dirname(tui.__file__), "app.tcss")

        def on_mount(self, event) -> None:
            event.prevent_default()  # no sign-in screen: signed in already
            self.idle_lock_minutes = 0
            from textual.screen import Screen

            self.push_screen(Screen())  # stands in for the sign-in screen the dashboard replaces
            self.post_message(SignedIn(user))

        def on_dashboard_screen_page_shown(self, _message) -> None:
            self.call_after_refresh(self._painted)

        def _painted(self) -> None:
            _report()
            self.exit()

    BenchApp(store).run(headless=True, size=SIZE)


def run_bare() -> None:
    """A bare Textual app with the dashboard's widgets and no data."""
    from textual.app import App
    from textual.containers import Horizontal, Vertical
    from textual.widgets import DataTable, Footer, Header, Input, Static, TabbedContent, TabPane

    class Bare(App):
        def compose(self):
            yield Header()
            with Horizontal():
                yield Static("Filter")
                yield Input(compact=True)
            with Vertical():
                yield Static("")
                yield DataTable()
            with TabbedContent():
                for title in ("Drafts", "Pending", "Rejected", "Accepted", "Expired & cancelled"):
                    with TabPane(title):
                        table = DataTable()
                        table.add_columns("Number(s)", "Member", "Kind", "Service dates", "Urgency", "Status",
                                          "Updated", "Expires")
                        yield table
            yield Static("")
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(self._painted)

        def _painted(self) -> None:
            _report()
            self.exit()

    Bare().run(headless=True, size=SIZE)


def run_sign_in(url: str) -> None:
    """``authdesk --url URL`` up to the painted sign-in screen (the database opens after it)."""
    from tui.app import AuthDeskApp
    from tui.launch import DatabaseOpener
    from tui.screens.sign_in import SignInScreen

    mounted = SignInScreen.on_mount

    def on_mount(screen) -> None:
        mounted(screen)
        screen.call_after_refresh(painted)

    def painted() -> None:
        _report()
        app.exit()

    SignInScreen.on_mount = on_mount
    app = AuthDeskApp(open_store=DatabaseOpener(url=url))
    app.run(headless=True, size=SIZE)


def run_bare_sign_in() -> None:
    """A bare Textual app with the sign-in screen's widgets."""
    from textual.app import App
    from textual.containers import Center, Vertical
    from textual.widgets import Footer, Header, Input, Label, Static

    class Bare(App):
        def compose(self):
            yield Header()
            with Center(), Vertical():
                yield Label("Username")
                yield Input(placeholder="your username")
                yield Label("Password")
                yield Input(password=True, placeholder="your password")
                yield Static("")
                yield Static("Enter signs in")
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(self._painted)

        def _painted(self) -> None:
            _report()
            self.exit()

    Bare().run(headless=True, size=SIZE)


if __name__ == "__main__":
    if sys.argv[1] == "app":
        run_app(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "sign-in":
        run_sign_in(sys.argv[2])
    elif sys.argv[1] == "bare-sign-in":
        run_bare_sign_in()
    else:
        run_bare()
