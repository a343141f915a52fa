"""Forgot password: a reset code is mailed, then a new password is set."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from store.errors import ValidationError
from tui.widgets.text_input import TextInput


class ForgotPasswordScreen(ModalScreen[str | None]):
    """Two steps: ask for a code by username, then enter it with a new password.

    Dismisses with the username whose password was reset, or None.
    """

    DEFAULT_CSS = """
    ForgotPasswordScreen { align: center middle; }
    ForgotPasswordScreen > VerticalScroll {
        width: 70; height: auto; max-height: 95%;
        border: thick $primary; background: $surface; padding: 0 2;
    }
    ForgotPasswordScreen #fp-message { height: auto; margin: 1 0; }
    ForgotPasswordScreen .field-error { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Back to sign in", id="forgot-cancel", tooltip="Leave without resetting"),
    ]

    @dataclass
    class CodeSent(Message):
        """A code was queued (or the name is unknown: the screen says the same)."""

        demo_code: str = ""  # demo mode only: the code of a demo account, shown on screen

    @dataclass
    class ResetDone(Message):
        """The password was changed."""

        username: str

    @dataclass
    class ResetRefused(Message):
        """Wrong/expired code or weak password."""

        message: str

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("[b]Forgot password[/b]")
            yield Label("Username *")
            yield TextInput(id="fp-username")
            yield Static(
                "Press Enter: a reset code is sent to the email address on your account.",
                id="fp-message",
            )
            yield Label("Reset code *")
            yield TextInput(id="fp-code", disabled=True, max_length=6)
            yield Label("New password * (8 characters or more)")
            yield TextInput(id="fp-password", password=True, disabled=True)
            yield Static("", id="fp-error", classes="field-error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#fp-username", Input).focus()

    @on(Input.Changed)
    def _retyped(self) -> None:
        """The message was about what was typed before: it goes once the clerk types again."""
        self.query_one("#fp-error", Static).update("")

    @on(Input.Submitted, "#fp-username")
    def _ask_code(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#fp-error", Static).update("Enter your username.")
            return
        self._request(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="forgot")
    def _request(self, username: str) -> None:
        from store.services.auth import request_password_reset
        from tui.errors import describe

        try:
            with self.app.store.session() as session:
                request_password_reset(session, username)
            demo_code = ""
            if getattr(self.app, "demo", False) and getattr(self.app.store, "demo", False):
                from store.services.users import demo_reset_code

                with self.app.store.session() as session:  # the demo has no mail server: show the code
                    demo_code = demo_reset_code(session, username) or ""
        except Exception as exc:  # the database is down, …: one line, the details in the log
            self.post_message(self.ResetRefused(f"No code could be sent: {describe(exc)}"))
            return
        self.post_message(self.CodeSent(demo_code))

    @on(CodeSent)
    def _code_sent(self, message: CodeSent) -> None:
        text = ("If that username has an email address, a 6-digit code is on its way "
                "(valid 30 minutes and for 5 tries; at most 3 codes an hour; without a mail "
                "server it waits in the outbox).")
        if message.demo_code:
            text += f"\nDemo: the code mailed to this demo user is {message.demo_code}."
        self.query_one("#fp-message", Static).update(text)
        for field_id in ("fp-code", "fp-password"):
            self.query_one(f"#{field_id}", Input).disabled = False
        self.query_one("#fp-code", Input).focus()

    @on(Input.Submitted, "#fp-code")
    def _to_password(self) -> None:
        self.query_one("#fp-password", Input).focus()

    @on(Input.Submitted, "#fp-password")
    def _reset(self) -> None:
        self._do_reset(
            self.query_one("#fp-username", Input).value,
            self.query_one("#fp-code", Input).value,
            self.query_one("#fp-password", Input).value,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="forgot")
    def _do_reset(self, username: str, code: str, password: str) -> None:
        from store.services.auth import reset_password

        try:
            with self.app.store.session() as session:
                reset_password(session, username, code, password)
        except ValidationError as exc:
            self.post_message(self.ResetRefused(str(exc)))
            return
        except Exception as exc:  # the database is down, …: one line, the details in the log
            from tui.errors import describe

            self.post_message(self.ResetRefused(f"The password could not be changed: {describe(exc)}"))
            return
        self.post_message(self.ResetDone(username.strip().lower()))

    @on(ResetRefused)
    def _refused(self, message: ResetRefused) -> None:
        self.query_one("#fp-error", Static).update(message.message)

    @on(ResetDone)
    def _done(self, message: ResetDone) -> None:
        self.dismiss(message.username)

    def action_cancel(self) -> None:
        """Back to the sign-in screen."""
        self.dismiss(None)
