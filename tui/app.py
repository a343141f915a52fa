"""The AuthDesk application: sign in, then the dashboard and its screens."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive

from store.config import Settings, save_theme, saved_theme, start_theme
from store.config import settings as current_settings
from store.enums import RequestKind
from store.records import UserRecord
from tui.commands import AuthDeskCommands, CaseSearchCommands
from tui.messages import CasesChanged, DatabaseFailed, DatabaseOpened, SignedIn
from tui.screens.registry import screen_class

if TYPE_CHECKING:  # the store (SQLAlchemy, SQLModel) is imported after the first paint
    from store.store import Store

log = logging.getLogger(__name__)

DEFAULT_HOUSEKEEPING_MINUTES = Settings().housekeeping_interval_minutes


def housekeeping_minutes() -> float:
    """Minutes between background housekeeping runs (``[housekeeping] interval_minutes``; 0 = off)."""
    from store.config import settings

    return settings().housekeeping_interval_minutes


class AuthDeskApp(App[None]):
    """Keyboard-driven prior authorization desk.

    Args:
        store: the open database (SQLite file or PostgreSQL), or None with ``open_store``.
        demo: show the demo sign-ins on the sign-in screen.
        settings: the settings in force (default: :func:`store.config.settings`);
            their ``[keys]`` table remaps bindings by id, ``[ui] theme`` is the start theme.
        open_store: opens the database; called in a thread worker after the
            sign-in screen has painted (and again on retry). See ``tui.launch``.

    Attributes:
        database_state: ``connecting``, ``ready`` or ``failed`` (the sign-in
            screen watches it); ``database_error`` says why it failed.
    """

    database_state: reactive[str] = reactive("connecting", init=False)

    TITLE = "AuthDesk"
    SUB_TITLE = "Prior authorization requests"
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute: subclasses live elsewhere
    # AuthDeskCommands also lists the system commands kept in get_system_commands.
    COMMANDS = {AuthDeskCommands, CaseSearchCommands}
    # Screens get -narrow under 100 columns and -short under 30 rows (an
    # 80×24 terminal): app.tcss compacts footers, fields and dialogs for them.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Quit AuthDesk", show=False),
        Binding("ctrl+f", "open_search", "Search", id="search", tooltip="Find a case by number, member ID or name"),
        Binding("ctrl+l", "lock", "Lock", id="lock", tooltip="Lock the session now", show=False),
        # Help, My account, Administration, sign out (tui/screens/{plan_contacts,account,admin}.py).
        Binding("f1", "plan_contacts", "Help", id="help", tooltip="Whom to contact at the plan", show=False),
        Binding("f8", "my_account", "My account", id="my-account", tooltip="Your profile and password", show=False),
        Binding("f9", "administration", "Admin", id="administration", tooltip="Users (administrators)", show=False),
        Binding("f12", "sign_out", "Sign out", id="sign-out", tooltip="Sign out / switch user", show=False),
    ]

    def __init__(self, store: Store | None = None, *, demo: bool = False,
                 open_store: Callable[[], Store] | None = None, settings: Settings | None = None) -> None:
        super().__init__()
        if store is None and open_store is None:
            raise TypeError("AuthDeskApp needs a store or an open_store callable")
        self.store = store
        self._open_store = open_store
        self.database_error = ""
        if store is not None:
            self.set_reactive(AuthDeskApp.database_state, "ready")
        self.demo = demo
        self.settings = settings if settings is not None else current_settings()
        self.set_keymap(dict(self.settings.keys))
        theme = start_theme(self.settings, lambda name: name in self.available_themes)
        self._start_theme, self._theme_picked = theme or self.theme, False
        if theme:
            self.theme = theme
        self.user: UserRecord | None = None
        self.idle_lock_minutes = self.settings.session_idle_lock_minutes
        self.last_activity = time.monotonic()
        self._locked = False

    KEPT_SYSTEM_COMMANDS = ("Theme", "Keys", "Quit")

    def get_system_commands(self, screen):
        """Textual's palette commands the app keeps: theme (the choice persists), keys, quit.

        Screenshot is left out (it writes the screen, member data included, to
        the working folder), and so are maximize and minimize.
        """
        for command in super().get_system_commands(screen):
            if command.title in self.KEPT_SYSTEM_COMMANDS:
                yield command

    def on_mount(self) -> None:
        self.push_screen(screen_class("sign_in")())
        if self.store is None:
            self.call_after_refresh(self.connect_database)  # after the first paint
        if self.idle_lock_minutes:
            self.set_interval(15, self.lock_if_idle, name="idle-lock")

    def _handle_exception(self, error: Exception) -> None:
        """An exception no screen or worker handled: the app still ends, but with one line.

        Textual's own report prints the traceback with every frame's local variables —
        member names, IDs, dates of birth — to the clerk's terminal. The scrubbed frames go
        to the log under a reference instead (store.logs) and the terminal shows that
        reference. Tests still get the exception re-raised (Textual keeps the first one).
        """
        from store.logs import unexpected_line

        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        saved = self._save_open_work()
        self.bell()
        # one renderable: Textual prints only the first of several outside its dev mode
        self.panic("\n".join([f"authdesk: {unexpected_line(error, 'the app')}", *saved]))

    def _save_open_work(self) -> list[str]:
        """Before the app ends on an unexpected error, every open screen holding unsaved typing
        (``save_before_exit``) writes it; returns their lines for the clerk. A save that fails
        too is logged (scrubbed) and the others still run."""
        from store.logs import report_unexpected

        lines = []
        for screen in reversed(self.screen_stack):
            save = getattr(screen, "save_before_exit", None)
            if save is None:
                continue
            try:
                line = save()
            except Exception as exc:  # noqa: BLE001 - the app is ending; log and go on
                report_unexpected(exc, "saving before the app ended")
                continue
            if line:
                lines.append(line)
        return lines

    # ----- the database, opened in a worker -----

    def connect_database(self) -> None:
        """Open the database in a thread (again, after a failure); no-op once open."""
        if self.store is not None or self._open_store is None:
            return
        self.database_error = ""
        self.database_state = "connecting"
        self._connect()

    @work(thread=True, exclusive=True, exit_on_error=False, group="database")
    def _connect(self) -> None:
        from tui.errors import describe

        try:
            store = self._open_store()
        except Exception as exc:  # one line on the sign-in screen, never a traceback
            log.warning("database not opened: %s", type(exc).__name__)
            self.post_message(DatabaseFailed(describe(exc)))
            return
        self.post_message(DatabaseOpened(store))

    @on(DatabaseOpened)
    def _database_opened(self, message: DatabaseOpened) -> None:
        self.store = message.store
        self.database_state = "ready"

    @on(DatabaseFailed)
    def _database_failed(self, message: DatabaseFailed) -> None:
        self.database_error = message.message
        self.database_state = "failed"

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self.last_activity = time.monotonic()
        if isinstance(event, events.Key) and event.key.startswith("alt+") and event.character is not None:
            # A terminal sends alt+d as ESC d, which Textual hands on with the character "d":
            # a field would type it (or a list take it for type-ahead) instead of the alt+d binding.
            event = events.Key(event.key, None)
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

    def watch_theme(self, theme: str) -> None:
        """Keep the theme picked in the palette for the next start."""
        if theme == self._start_theme and not self._theme_picked:
            return  # the start theme itself, not a pick
        self._theme_picked = True
        if theme != saved_theme():
            save_theme(theme)

    def lock_if_idle(self) -> None:
        """Lock the session when no key has been pressed for ``idle_lock_minutes``."""
        idle = time.monotonic() - self.last_activity
        if idle >= self.idle_lock_minutes * 60:
            self.lock(idle_minutes=self.idle_lock_minutes)

    def action_lock(self) -> None:
        """Hide everything behind the password prompt now (nothing is lost)."""
        self.lock()

    def lock(self, idle_minutes: int | None = None) -> None:
        """Lock the session; ``idle_minutes`` says it happened after that long without a key."""
        if self.user is None or self._locked:
            return
        from tui.screens.lock import LockScreen

        self._locked = True

        def unlocked(_: None) -> None:
            self._locked = False
            self.last_activity = time.monotonic()

        self.push_screen(LockScreen(self.user.username, idle_minutes), unlocked)

    def action_open_search(self) -> None:
        """Open case search (WebCert, authorization, draft number, member)."""
        self.open_screen("search")

    @on(SignedIn)
    async def _signed_in(self, message: SignedIn) -> None:
        self.user = message.user
        self.sub_title = f"{message.user.full_name} · {message.user.organization_name or message.user.role}"
        dashboard = screen_class("dashboard")()
        if len(self.screen_stack) > 1:
            await self.switch_screen(dashboard)  # replaces the sign-in screen
        else:
            await self.push_screen(dashboard)
        for key, character in message.typed_ahead:  # keys typed while the password was checked
            self.post_message(events.Key(key, character))

    # ----- help, account, administration, sign out -----

    def action_plan_contacts(self) -> None:
        """Show whom to contact at the plan (phones, hours, clinicals fax)."""
        from tui.screens.plan_contacts import PlanContactsScreen

        self.push_screen(PlanContactsScreen())

    def action_my_account(self) -> None:
        """Your profile (the contact new requests prefill) and password."""
        from tui.screens.account import open_my_account

        open_my_account(self)

    def action_administration(self) -> None:
        """The admin screen (administrators only)."""
        from store.enums import Role

        if self.user is None or Role(self.user.role) is not Role.ADMIN:
            self.notify("Administration is for administrators.", severity="warning")
            return
        self.open_screen("admin")

    def action_sign_out(self) -> None:
        """Sign out and show the sign-in screen (switch user)."""
        from tui.screens.account import sign_out

        sign_out(self)

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

    def open_screen(self, name: str, *args: object) -> None:
        """Push one of the registered screens by name (search, outbox …), with its arguments."""
        if self.user is None:
            self.notify("Sign in first.", severity="warning")
            return
        self.push_screen(screen_class(name)(*args))

    def action_import_decisions(self) -> None:
        """Reviewers: apply payers' PAS responses (a dialog asks for the file or folder)."""
        self.import_decisions()

    def import_decisions(self, path: str = "") -> None:
        """Reviewers: apply payers' PAS responses from a file or folder (as ``authdesk import decisions``)."""
        if self.user is None or not self.user.is_reviewer:
            self.notify("Importing payer decisions is the plan reviewer's work.", severity="warning")
            return
        from tui.screens.pas import ImportDecisionsScreen, import_summary

        store, user = self.store, self.user

        def perform(values: dict):
            from store.services.fhir_import import import_decisions

            return import_decisions(store, user, values["path"])

        def imported(report) -> None:
            if report is None:
                return
            self.notify(import_summary(report), title="Payer decisions",
                        severity="information" if report.ok else "warning", timeout=8, markup=False)
            self.post_message(CasesChanged())

        self.push_screen(ImportDecisionsScreen(perform, path), imported)

    # ----- background housekeeping (draft expiry, reminders, sending mail) -----

    _housekeeping_timer = None
    _housekeeping_error = ""

    @on(SignedIn)
    def _start_housekeeping(self, message: SignedIn) -> None:
        """Run housekeeping every few minutes while someone is signed in (like the cron command)."""
        minutes = self.settings.housekeeping_interval_minutes
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
