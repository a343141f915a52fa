"""Sign in: username and password; in demo mode, the demo accounts beside the form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from store.records import UserRecord
from tui.messages import SignedIn
from tui.widgets.text_input import TextInput


READY_HINT = "Enter signs in · F2 register · F3 forgot password"
CONNECTING = "Connecting to the database…"


class SignInScreen(Screen[None]):
    """The first screen: Enter moves from username to password, then signs in.

    Checking the password (argon2) takes a moment, so it runs in a thread
    worker; the result comes back as :class:`Accepted` or :class:`Refused`.

    The screen paints before the database is open (the app opens it in a
    worker): the clerk types meanwhile, and an Enter on the password waits
    for the database. When it cannot be opened, the reason shows here with
    F5 to try again.

    Type-ahead: the username's Enter is a priority binding, so the focus
    moves to the password while the app is still routing keys — a password
    typed right after it (a fast typist, a password manager) lands in the
    password field, never in the username field in clear text.
    """

    DEFAULT_CSS = """
    SignInScreen { align: center middle; }
    SignInScreen #sign-in-column { height: auto; max-height: 100%; }
    SignInScreen #sign-in-box {
        width: 72; height: auto; border: thick $primary; background: $surface;
        padding: 1 2; border-title-align: center;
    }
    SignInScreen #sign-in-box Input { margin-bottom: 1; }
    SignInScreen #sign-in-error { color: $error; height: auto; min-height: 1; text-style: bold; }
    SignInScreen #sign-in-status { color: $text-muted; height: auto; }
    SignInScreen #sign-in-status.-failed { color: $error; }
    SignInScreen #demo-accounts {
        width: 72; height: auto; margin-top: 1; border: round $secondary; padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("enter", "username_entered", show=False, priority=True, id="sign-in-next",
                tooltip="From the username to the password"),
        Binding("f5", "retry_database", "Retry", id="sign-in-retry",
                tooltip="Try to open the database again"),
        Binding("f2", "register", "Register", id="sign-in-register", tooltip="Create a clerk account"),
        Binding("f3", "forgot_password", "Forgot password", id="sign-in-forgot",
                tooltip="Get a reset code by email"),
        Binding("ctrl+q", "app.quit", "Quit", id="sign-in-quit", tooltip="Close AuthDesk"),
        # Search needs a signed-in user: keep the app's ctrl+f out of this footer.
        Binding("ctrl+f", "nothing", show=False, id="sign-in-no-search", tooltip="Sign in first"),
    ]

    @dataclass
    class Accepted(Message):
        """The credentials were right."""

        user: UserRecord

    @dataclass
    class Refused(Message):
        """Wrong credentials, a locked account or an unreachable database."""

        message: str
        locked_until: datetime | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="sign-in-column", can_focus=False):
            with Center():
                with Vertical(id="sign-in-box"):
                    yield Label("Username")
                    yield TextInput(id="sign-in-username", placeholder="your username")
                    yield Label("Password")
                    yield TextInput(id="sign-in-password", password=True, placeholder="your password")
                    yield Static("", id="sign-in-error")
                    yield Static(READY_HINT, id="sign-in-status")
            if getattr(self.app, "demo", False):
                with Center():
                    yield Static("", id="demo-accounts")
        yield Footer()

    _pending_sign_in = False  # Enter pressed on the password before the database answered

    def on_mount(self) -> None:
        self.query_one("#sign-in-box").border_title = "Sign in to AuthDesk"
        self.query_one("#sign-in-username", Input).focus()
        self.watch(self.app, "database_state", self._database_state_changed)
        if getattr(self.app, "demo", False):  # store.demo imports the models: after the first paint
            self.call_after_refresh(lambda: self.query_one("#demo-accounts", Static).update(self._demo_table()))

    # ----- the database -----

    def _database_state_changed(self, state: str) -> None:
        status = self.query_one("#sign-in-status", Static)
        status.set_class(state == "failed", "-failed")
        if state == "connecting":
            status.update(CONNECTING)
        elif state == "failed":
            if self._pending_sign_in:
                self._pending_sign_in = False
                self._stop_typing_ahead()
            status.update(f"{self.app.database_error}\nF5 tries again.")
        else:
            status.update(READY_HINT)
            if self._pending_sign_in:
                self._pending_sign_in = False
                self._submit()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F5 (retry) only while the database cannot be opened."""
        if action == "retry_database":
            return getattr(self.app, "database_state", "ready") == "failed"
        return True

    def action_retry_database(self) -> None:
        """Try to open the database again."""
        self.app.connect_database()

    _typed_ahead: list[tuple[str, str | None]] | None = None  # keys typed while signing in

    def action_username_entered(self) -> None:
        """Enter: from the username to the password, or sign in (runs before later keys are routed).

        On the password, the focus leaves the fields at once, so the keys typed
        after this Enter (``n`` for a new request …) are kept for the dashboard;
        the sign-in itself runs after the keys already in the password field.
        """
        username = self.query_one("#sign-in-username", Input)
        password = self.query_one("#sign-in-password", Input)
        if self.focused is username:
            self.set_focus(password)
        elif self.focused is password and self._typed_ahead is None:
            self._typed_ahead = []
            self.set_focus(None)
            password.call_later(self._submit)  # after the password's own queued keys
        else:
            raise SkipAction()

    def on_key(self, event) -> None:
        """Keep the keys typed while the password is checked (replayed on the dashboard)."""
        if self._typed_ahead is not None and self.focused is None:
            self._typed_ahead.append((event.key, event.character))
            event.stop()
            event.prevent_default()

    def _stop_typing_ahead(self) -> None:
        """Signing in did not go through: the keys typed ahead are dropped, the password has the focus."""
        self._typed_ahead = None
        self.query_one("#sign-in-password", Input).focus()

    @staticmethod
    def _demo_table():
        from rich.table import Table

        from store.demo import DEMO_ACCOUNTS, ORGANIZATIONS

        table = Table(title="Demo accounts (demo database only)", expand=True, box=None, padding=(0, 1))
        for column in ("Username", "Password", "Role", "Organization"):
            table.add_column(column, style="bold" if column == "Username" else None)
        for username, password, role, org in DEMO_ACCOUNTS:
            table.add_row(username, password, role, ORGANIZATIONS.get(org, "all (the plan)"))
        return table

    # ----- signing in -----

    def _submit(self) -> None:
        username = self.query_one("#sign-in-username", Input).value
        password = self.query_one("#sign-in-password", Input).value
        if not username.strip():
            self._show_error("Enter your username.")
            self._typed_ahead = None
            self.query_one("#sign-in-username", Input).focus()
            return
        if not password:
            self._show_error("Enter your password.")
            self._stop_typing_ahead()
            return
        self.query_one("#sign-in-error", Static).update("")
        state = getattr(self.app, "database_state", "ready")
        if state == "connecting":
            self._pending_sign_in = True  # signs in as soon as the database answers
            self.query_one("#sign-in-status", Static).update(f"{CONNECTING} You are signed in when it answers.")
            return
        if state == "failed":
            self._show_error("The database is not open: F5 tries again.")
            self._stop_typing_ahead()
            return
        self.query_one("#sign-in-status", Static).update("Checking…")
        self._check(username, password)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sign-in")
    def _check(self, username: str, password: str) -> None:
        from store.errors import AccountLockedError, AuthenticationError, StoreError
        from store.services.auth import sign_in

        try:
            with self.app.store.session() as session:
                user = sign_in(session, username, password)
        except AccountLockedError as exc:
            self.post_message(self.Refused(str(exc), exc.until))
        except AuthenticationError as exc:
            self.post_message(self.Refused(_same_for_unknown_and_wrong(str(exc))))
        except StoreError as exc:
            self.post_message(self.Refused(str(exc)))
        except Exception as exc:  # an unreachable server, a broken file: one line
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
            self.post_message(self.Refused(f"Cannot reach the database: {reason}"))
        else:
            self.post_message(self.Accepted(user))

    @on(Accepted)
    def _accepted(self, message: Accepted) -> None:
        self.query_one("#sign-in-status", Static).update("Signed in.")
        typed_ahead, self._typed_ahead = tuple(self._typed_ahead or ()), None
        self.app.post_message(SignedIn(message.user, typed_ahead))

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        text = message.message
        if message.locked_until is not None:
            text = f"{text} It unlocks at {message.locked_until.astimezone():%H:%M}."
        self._show_error(text)
        self.query_one("#sign-in-password", Input).value = ""
        self._stop_typing_ahead()

    def _show_error(self, text: str) -> None:
        self.query_one("#sign-in-error", Static).update(text)
        if getattr(self.app, "database_state", "ready") == "ready":
            self.query_one("#sign-in-status", Static).update(READY_HINT)

    # ----- links -----

    def action_register(self) -> None:
        """Open the registration form; a new account's name is filled in here."""
        from tui.screens.register import RegisterScreen

        if not self._database_open():
            return
        self.app.push_screen(RegisterScreen(), self._registered)

    def _registered(self, username: str | None) -> None:
        if username:
            self._prefill(username, f"Account {username} created: sign in with your new password.")

    def action_forgot_password(self) -> None:
        """Ask for a reset code and set a new password."""
        from tui.screens.forgot_password import ForgotPasswordScreen

        if not self._database_open():
            return
        self.app.push_screen(ForgotPasswordScreen(), self._reset)

    def _reset(self, username: str | None) -> None:
        if username:
            self._prefill(username, "Password changed: sign in with the new one.")

    def _database_open(self) -> bool:
        """True when the database is open; else say so (registering needs it)."""
        state = getattr(self.app, "database_state", "ready")
        if state == "ready":
            return True
        self.notify(CONNECTING if state == "connecting" else "The database is not open: F5 tries again.",
                    severity="warning")
        return False

    def _prefill(self, username: str, note: str) -> None:
        self.query_one("#sign-in-username", Input).value = username
        self.query_one("#sign-in-error", Static).update("")
        self.query_one("#sign-in-status", Static).update(note)
        self.query_one("#sign-in-password", Input).focus()

    def action_nothing(self) -> None:
        """Search waits until a user has signed in."""
        self.notify("Sign in first.", severity="warning")


def _same_for_unknown_and_wrong(message: str) -> str:
    """One message for an unknown username, a wrong password and a locked account.

    The store already answers all three alike (and states the lockout rule).
    """
    return message
