"""The AuthDesk application: sign in, then the dashboard and its screens."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from importlib import import_module

from textual import events, on, work
from textual.app import App
from textual.binding import Binding

from store.enums import RequestKind
from store.records import UserRecord
from store.store import Store
from tui.commands import AuthDeskCommands, CaseSearchCommands
from tui.messages import CasesChanged, SignedIn

# Screen name -> "module:Class"; modules are imported when first needed so
# that start-up only pays for the sign-in screen.
SCREEN_PATHS = {
    "sign_in": "tui.screens.sign_in:SignInScreen",
    "dashboard": "tui.screens.dashboard:DashboardScreen",
    "case_detail": "tui.screens.case_detail:CaseDetailScreen",
    "kind_picker": "tui.screens.kind_picker:KindPickerScreen",
    "wizard": "tui.screens.wizard:WizardScreen",
    "search": "tui.screens.search:SearchScreen",
    "review_queue": "tui.screens.review_queue:ReviewQueueScreen",
    "outbox": "tui.screens.outbox:OutboxScreen",
    "report": "tui.screens.report:ReportScreen",
    "renewals": "tui.screens.renewals:RenewalsScreen",
}

log = logging.getLogger(__name__)

DEFAULT_IDLE_LOCK_MINUTES = 15
DEFAULT_HOUSEKEEPING_MINUTES = 5.0


def idle_lock_minutes() -> int:
    """Minutes without a key before the session locks (``AUTHDESK_IDLE_LOCK_MINUTES``; 0 = never)."""
    try:
        return max(0, int(os.environ.get("AUTHDESK_IDLE_LOCK_MINUTES", DEFAULT_IDLE_LOCK_MINUTES)))
    except ValueError:
        return DEFAULT_IDLE_LOCK_MINUTES


def housekeeping_minutes() -> float:
    """Minutes between background housekeeping runs (``AUTHDESK_HOUSEKEEPING_MINUTES``; 0 = off)."""
    try:
        return max(0.0, float(os.environ.get("AUTHDESK_HOUSEKEEPING_MINUTES", DEFAULT_HOUSEKEEPING_MINUTES)))
    except ValueError:
        return DEFAULT_HOUSEKEEPING_MINUTES


def screen_class(name: str):
    """Import and return the screen class registered as ``name``."""
    module_name, class_name = SCREEN_PATHS[name].split(":")
    return getattr(import_module(module_name), class_name)


class AuthDeskApp(App[None]):
    """Keyboard-driven prior authorization desk.

    Args:
        store: the open database (SQLite file or PostgreSQL).
        demo: show the demo sign-ins on the sign-in screen.
    """

    TITLE = "AuthDesk"
    SUB_TITLE = "Prior authorization requests"
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute: subclasses live elsewhere
    COMMANDS = App.COMMANDS | {AuthDeskCommands, CaseSearchCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Quit AuthDesk", show=False),
        Binding("ctrl+f", "open_search", "Search", id="search", tooltip="Find a case by number, member ID or name"),
        Binding("ctrl+l", "lock", "Lock", id="lock", tooltip="Lock the session now", show=False),
    ]

    def __init__(self, store: Store, *, demo: bool = False) -> None:
        super().__init__()
        self.store = store
        self.demo = demo
        self.user: UserRecord | None = None
        self.idle_lock_minutes = idle_lock_minutes()
        self._last_activity = time.monotonic()
        self._locked = False

    def on_mount(self) -> None:
        self.push_screen(screen_class("sign_in")())
        if self.idle_lock_minutes:
            self.set_interval(15, self._check_idle, name="idle-lock")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._last_activity = time.monotonic()
        if isinstance(event, events.Key) and self._held_keys is not None:
            self._held_keys.append(event)  # typed while a screen opens: released in order
            return
        if isinstance(event, events.Key) and event.is_forwarded:
            # A key typed ahead that reached a screen before it went away bubbles up unhandled:
            # a field that takes such keys (tui.widgets.wizard_fields.FormInput) gets it.
            take = getattr(self.focused, "take_stray_key", None)
            if take is not None and take(event):
                return
        await super().on_event(event)

    # ----- keys typed while a screen opens (see KindPickerScreen, WizardScreen) -----

    _held_keys: list | None = None
    HOLD_KEYS_SECONDS = 3.0  # never hold longer, whatever happens to the screen

    def hold_keys(self) -> None:
        """Keep the keys typed from now on until :meth:`release_keys` (a screen is opening)."""
        if self._held_keys is None:
            self._held_keys = []
            self.set_timer(self.HOLD_KEYS_SECONDS, self.release_keys, name="release-keys")

    def release_keys(self) -> None:
        """Deliver the held keys, in the order they were typed, to what has focus now."""
        if self._held_keys is not None:
            self.call_next(self._replay_held_keys)

    async def _replay_held_keys(self) -> None:
        held, self._held_keys = self._held_keys or [], None
        for key in sorted(held, key=lambda e: e.time):
            await self.on_event(events.Key(key.key, key.character))

    def _check_idle(self) -> None:
        idle = time.monotonic() - self._last_activity
        if idle >= self.idle_lock_minutes * 60:
            self.action_lock()

    def action_lock(self) -> None:
        """Hide everything behind the password prompt (nothing is lost)."""
        if self.user is None or self._locked:
            return
        from tui.screens.lock import LockScreen

        self._locked = True

        def unlocked(_: None) -> None:
            self._locked = False
            self._last_activity = time.monotonic()

        self.push_screen(LockScreen(self.user.username, self.idle_lock_minutes), unlocked)

    def action_open_search(self) -> None:
        """Open case search (WebCert, authorization, draft number, member)."""
        self.open_screen("search")

    @on(SignedIn)
    def _signed_in(self, message: SignedIn) -> None:
        self.user = message.user
        self.sub_title = f"{message.user.full_name} · {message.user.organization_name or message.user.role}"
        dashboard = screen_class("dashboard")()
        if len(self.screen_stack) > 1:
            self.switch_screen(dashboard)  # replaces the sign-in screen
        else:
            self.push_screen(dashboard)

    # ----- navigation used by screens and the command palette -----

    def open_case(self, request_id: int) -> None:
        """Show the case detail screen for ``request_id``."""
        self.push_screen(screen_class("case_detail")(request_id))

    def new_request(self, kind: RequestKind | None = None) -> None:
        """Start a new request: pick the kind, then open the wizard."""
        if self.user is None:
            return
        if kind is not None:
            self.push_screen(screen_class("wizard")(kind=kind))
            return

        def picked(chosen: RequestKind | None) -> None:
            if chosen is not None:
                self.push_screen(screen_class("wizard")(kind=chosen))

        self.push_screen(screen_class("kind_picker")(), picked)

    def resume_draft(self, request_id: int) -> None:
        """Open a saved draft in the wizard at the step where it was left."""
        self.push_screen(screen_class("wizard")(request_id=request_id))

    def open_screen(self, name: str) -> None:
        """Push one of the registered screens by name (search, outbox …)."""
        if self.user is None:
            self.notify("Sign in first.", severity="warning")
            return
        self.push_screen(screen_class(name)())

    # ----- background housekeeping (draft expiry, reminders, sending mail) -----

    _housekeeping_timer = None
    _housekeeping_error = ""

    @on(SignedIn)
    def _start_housekeeping(self, message: SignedIn) -> None:
        """Run housekeeping every few minutes while someone is signed in (like the cron command)."""
        minutes = housekeeping_minutes()
        if minutes and self._housekeeping_timer is None:
            self._housekeeping_timer = self.set_interval(minutes * 60, self.run_housekeeping, name="housekeeping")

    @work(thread=True, exclusive=True, exit_on_error=False, group="housekeeping")
    def run_housekeeping(self) -> None:
        """Expire drafts, queue reminders and send due mail, in a thread."""
        from store.services.housekeeping import run_housekeeping

        try:
            report = run_housekeeping(self.store)
        except Exception as exc:  # the next run tries again; the clerk's work goes on
            log.warning("housekeeping failed: %s", type(exc).__name__)
            return
        if report.expired or report.reminders or report.expired_notices:
            self.post_message(CasesChanged())
        if report.mail_error and report.mail_error != self._housekeeping_error:
            self.call_from_thread(self.notify, report.mail_error, title="Mail not sent", severity="warning")
        self._housekeeping_error = report.mail_error
