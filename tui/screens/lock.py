"""The idle lock: after minutes without a key, the session hides itself."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from store.errors import AuthenticationError
from tui.widgets.text_input import TextInput


class LockScreen(ModalScreen[None]):
    """Covers the screen until the signed-in user types their password again.

    Nothing typed on the screens underneath is lost: they stay as they were.
    """

    DEFAULT_CSS = """
    LockScreen {
        align: center middle;
        background: $background 95%;
    }
    LockScreen > Vertical {
        width: 60;
        height: auto;
        border: thick $primary;
        padding: 1 2;
        background: $surface;
    }
    LockScreen #lock-error {
        color: $error;
        height: auto;
    }
    """
    BINDINGS = [
        Binding("ctrl+q", "app.quit", "Sign out and quit", id="lock-quit", tooltip="Close AuthDesk"),
    ]

    @dataclass
    class Unlocked(Message):
        """The password was right."""

    @dataclass
    class UnlockFailed(Message):
        """The password was wrong (or the account is locked)."""

        message: str

    def __init__(self, username: str, idle_minutes: int | None = None) -> None:
        """``idle_minutes``: locked after that many minutes without a key; None: locked by hand (ctrl+l)."""
        super().__init__()
        self.username = username
        self.idle_minutes = idle_minutes

    @property
    def reason(self) -> str:
        """Why the session is locked, as the clerk reads it."""
        return lock_reason(self.idle_minutes)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]Session locked[/b] {self.reason}.", id="lock-reason")
            yield Label(f"Password for {self.username}:")
            yield TextInput(password=True, id="lock-password")
            yield Static("", id="lock-error")

    def on_mount(self) -> None:
        self.query_one("#lock-password", Input).focus()

    @on(Input.Submitted, "#lock-password")
    def _submitted(self, event: Input.Submitted) -> None:
        self.query_one("#lock-error", Static).update("Checking…")
        self._check(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def _check(self, password: str) -> None:
        from store.services.auth import sign_in

        try:
            with self.app.store.session() as session:
                sign_in(session, self.username, password)
        except AuthenticationError as exc:
            self.post_message(self.UnlockFailed(str(exc)))
            return
        self.post_message(self.Unlocked())

    @on(Unlocked)
    def _unlocked(self) -> None:
        self.dismiss(None)

    @on(UnlockFailed)
    def _failed(self, message: UnlockFailed) -> None:
        self.query_one("#lock-error", Static).update(message.message)
        field = self.query_one("#lock-password", Input)
        field.value = ""
        field.focus()


def lock_reason(idle_minutes: int | None) -> str:
    """``you locked it (ctrl+l)`` or ``after 15 idle minutes`` (``1 idle minute``)."""
    if idle_minutes is None:
        return "by you (ctrl+l)"
    unit = "minute" if idle_minutes == 1 else "minutes"
    return f"after {idle_minutes} idle {unit}"
