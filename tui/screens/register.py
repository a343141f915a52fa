"""Register: a clerk creates an account in their organization (seed 000)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from store.errors import ValidationError
from tui.widgets.text_input import TextInput

# Store error key -> input id.
FIELDS = {
    "username": "reg-username",
    "full_name": "reg-name",
    "email": "reg-email",
    "organization": "reg-org",
    "password": "reg-password",
}


class RegisterScreen(ModalScreen[str | None]):
    """Registration form; dismisses with the new username, or None."""

    DEFAULT_CSS = """
    RegisterScreen { align: center middle; }
    RegisterScreen > VerticalScroll {
        width: 70; height: auto; max-height: 95%;
        border: thick $primary; background: $surface; padding: 0 2;
    }
    RegisterScreen .form-row { height: auto; }
    RegisterScreen .field-error { color: $error; height: auto; display: none; }
    RegisterScreen .field-error.-shown { display: block; }
    RegisterScreen Input { margin: 0; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Back to sign in", id="register-cancel", tooltip="Leave without registering"),
        # priority: the focus moves before the keys typed after Enter are routed (type-ahead)
        Binding("enter", "next_field", show=False, priority=True, id="register-next",
                tooltip="To the next field"),
    ]

    @dataclass
    class Registered(Message):
        """The account was created."""

        username: str

    @dataclass
    class Refused(Message):
        """The store refused the form; ``errors`` maps field to message."""

        errors: dict[str, str]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("[b]Register[/b]  Fields marked with * are required.")
            for label, field_id, password in (
                ("Username *", "reg-username", False),
                ("Full name *", "reg-name", False),
                ("Email *", "reg-email", False),
                ("Phone", "reg-phone", False),
                ("Organization code * (from your administrator)", "reg-org", False),
                ("Password * (8 characters or more)", "reg-password", True),
                ("Repeat password *", "reg-password2", True),
            ):
                with Vertical(classes="form-row"):
                    yield Label(label)
                    yield TextInput(id=field_id, password=password)
                    yield Static("", id=f"{field_id}-error", classes="field-error")
            yield Button("Register", id="reg-submit", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reg-username", Input).focus()

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value

    def _show_errors(self, errors: dict[str, str]) -> None:
        for field_id in (*FIELDS.values(), "reg-password2"):
            self.query_one(f"#{field_id}-error", Static).update("")
            self.query_one(f"#{field_id}-error", Static).remove_class("-shown")
            self.query_one(f"#{field_id}", Input).remove_class("-invalid")
        first = None
        for key, message in errors.items():
            field_id = FIELDS.get(key, key)
            try:
                self.query_one(f"#{field_id}-error", Static).update(message)
                self.query_one(f"#{field_id}-error", Static).add_class("-shown")
                self.query_one(f"#{field_id}", Input).add_class("-invalid")
            except Exception:  # an error for a field this form does not show
                self.notify(message, severity="error")
                continue
            first = first or field_id
        if first:
            field = self.query_one(f"#{first}", Input)
            field.focus(scroll_visible=False)
            # the whole row (label, field and its message) in view once the message is laid out
            row = field.parent
            self.call_after_refresh(self.query_one(VerticalScroll).scroll_to_widget, row, animate=False)

    def action_next_field(self) -> None:
        """Enter in a field moves to the next one at once; in the last one it registers."""
        focused = self.focused
        if not isinstance(focused, Input) or focused.id == "reg-password2":
            raise SkipAction()  # the last field's own Enter (after its keys) submits
        self.focus_next()

    @on(Input.Submitted, "#reg-password2")
    def _last_field(self) -> None:
        self._submit()

    @on(Button.Pressed, "#reg-submit")
    def _submit(self) -> None:
        if self._value("reg-password") != self._value("reg-password2"):
            self._show_errors({"reg-password2": "The two passwords differ."})
            return
        self._register(
            username=self._value("reg-username"),
            password=self._value("reg-password"),
            full_name=self._value("reg-name"),
            email=self._value("reg-email"),
            organization_code=self._value("reg-org"),
            phone=self._value("reg-phone"),
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="register")
    def _register(self, **form: str) -> None:
        from store.services.auth import register_user

        try:
            with self.app.store.session() as session:
                user = register_user(session, **form)
        except ValidationError as exc:
            self.post_message(self.Refused(exc.errors))
            return
        except Exception as exc:  # the database went away: one line at the form, never a traceback
            from tui.errors import describe

            self.post_message(self.Refused({"reg-username": f"Not registered: {describe(exc)}"}))
            return
        self.post_message(self.Registered(user.username))

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self._show_errors(message.errors)

    @on(Registered)
    def _registered(self, message: Registered) -> None:
        self.dismiss(message.username)

    def action_cancel(self) -> None:
        """Back to the sign-in screen."""
        self.dismiss(None)
