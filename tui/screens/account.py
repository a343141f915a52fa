"""My account: the signed-in user's profile and password.

The profile (name, email, phone, extension, fax) is what a new request
prefills as its contact. ``F2`` in the profile dialog changes the password
(the current one is asked first; not ctrl+p, which opens the command palette).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from store.records import UserRecord
from tui.screens.decisions import FormModal


class AccountScreen(FormModal[UserRecord]):
    """The signed-in user's own profile; dismisses with the updated :class:`UserRecord`."""

    BINDINGS = [
        Binding("f2", "change_password", "Change password", id="account-password",
                tooltip="Change your password"),
    ]

    def __init__(self, app) -> None:
        user = app.user

        def perform(values: dict) -> UserRecord:
            from store.services.users import update_profile

            with app.store.session() as session:
                return update_profile(session, user, **values)

        super().__init__(perform)
        self.user = user

    def compose_form(self) -> ComposeResult:
        u = self.user
        org = u.organization_name or "the plan"
        yield Static("My account", id="form-title")
        yield Static(f"{u.username} · {u.role.value} · {org}. New requests prefill these as the contact.",
                     classes="form-text")
        yield from self.field("full_name", "Full name *", u.full_name)
        yield from self.field("email", "Email *", u.email)
        yield from self.field("phone", "Phone", u.phone)
        yield from self.field("phone_ext", "Extension", u.phone_ext)
        yield from self.field("fax", "Fax", u.fax)
        yield Static("F2 changes your password.", classes="hint")

    def values(self) -> dict:
        return {name: self.text(name) for name in ("full_name", "email", "phone", "phone_ext", "fax")}

    def action_change_password(self) -> None:
        """Change the password (current, new, new again)."""
        def changed(result: bool | None) -> None:
            if result:
                self.notify("Your password is changed.", timeout=3)

        self.app.push_screen(ChangePasswordScreen(self.app), changed)


class ChangePasswordScreen(FormModal[bool]):
    """Current password, new password twice."""

    def __init__(self, app) -> None:
        user = app.user

        def perform(values: dict) -> bool:
            from store.services.users import change_own_password

            with app.store.session() as session:
                change_own_password(session, user, values["current"], values["new"], values["repeat"])
            return True

        super().__init__(perform)

    def compose_form(self) -> ComposeResult:
        yield Static("Change your password", id="form-title")
        yield from self.field("current-password", "Current password *", password=True)
        yield from self.field("new-password", "New password *", placeholder="8 characters or more", password=True)
        yield from self.field("repeat-password", "New password again *", password=True)

    def values(self) -> dict:
        return {"current": self.text("current-password"), "new": self.text("new-password"),
                "repeat": self.text("repeat-password")}


def open_my_account(app) -> None:
    """Push My account; a saved profile becomes the app's signed-in user (prefills new requests)."""
    if app.user is None:
        return

    def saved(user: UserRecord | None) -> None:
        if user is not None:
            app.user = user
            app.sub_title = f"{user.full_name} · {user.organization_name or user.role}"
            app.notify("Your account is saved.", timeout=3)

    app.push_screen(AccountScreen(app), saved)


def sign_out(app) -> bool:
    """Sign out and show the sign-in screen (switch user without quitting).

    Only from the dashboard: with a request or dialog open, the clerk is told
    to close it first, so nothing typed is dropped. Returns whether signed out.
    """
    if app.user is None:
        return False
    if len(app.screen_stack) > 2:
        app.notify("Close what is open first (Esc; a request in the wizard saves with Ctrl+S), then sign out.",
                   severity="warning", timeout=5)
        return False
    from tui.app import screen_class

    if app.store is not None:
        from store.services.auth import record_sign_out

        with app.store.session() as session:  # one row in the audit log
            record_sign_out(session, app.user)
    app.user = None
    app.sub_title = type(app).SUB_TITLE
    app.switch_screen(screen_class("sign_in")())
    return True
