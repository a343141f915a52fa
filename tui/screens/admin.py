"""Administration (role ``admin``): users, and the plan's contacts.

A table of users (username, name, role, organization, state, last sign-in);
on the highlighted user ``a`` adds a user, ``d`` disables or enables, ``u``
unlocks, ``p`` sets a new password, ``r`` changes role and organization;
``c`` edits the plan's contacts. Every change runs in a worker through
:mod:`store.services.users`, and refusals are shown at the dialog's field.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from store.enums import Role
from store.services.users import UserRow
from tui.widgets.fitting_table import FittingTable
from tui.narrow import CompactFooterMixin
from tui.format import fmt_datetime
from tui.screens.decisions import ConfirmScreen, FormModal

STATE_STYLES = {"Active": "green", "Locked": "bold yellow", "Disabled": "dim"}


def _perform(app, call):
    """A FormModal ``perform``: ``call(session, values)`` in a store session."""
    def perform(values: dict):
        with app.store.session() as session:
            return call(session, values)
    return perform


class AddUserScreen(FormModal):
    """A new user: username, name, email, role, organization, first password."""

    def compose_form(self) -> ComposeResult:
        yield Static("Add a user", id="form-title")
        yield Static("Roles: clerk (needs an organization code), reviewer, admin. The user changes the "
                     "password in My account.", classes="form-text")
        yield from self.field("username", "Username *")
        yield from self.field("full_name", "Full name")
        yield from self.field("email", "Email")
        yield from self.field("role", "Role *", "clerk")
        yield from self.field("organization", "Organization code", placeholder="NORTH")
        yield from self.field("password", "First password *", password=True)

    def values(self) -> dict:
        return {name: self.text(name) for name in ("username", "full_name", "email", "role", "organization",
                                                   "password")}


class SetPasswordScreen(FormModal):
    """A new password for the highlighted user (lifts any lock)."""

    def __init__(self, perform, username: str) -> None:
        super().__init__(perform)
        self.username = username

    def compose_form(self) -> ComposeResult:
        yield Static(Text(f"New password for {self.username}"), id="form-title")
        yield Static("Tell it to the user in person; they change it in My account.", classes="form-text")
        yield from self.field("password", "New password *", password=True)

    def values(self) -> dict:
        return {"password": self.text("password")}


class ChangeRoleScreen(FormModal):
    """Role and organization of the highlighted user."""

    def __init__(self, perform, row: UserRow) -> None:
        super().__init__(perform)
        self.row = row

    def compose_form(self) -> ComposeResult:
        yield Static(Text(f"Role and organization of {self.row.username}"), id="form-title")
        yield from self.field("role", "Role *", Role(self.row.role).value)
        yield from self.field("organization", "Organization code", self.row.organization_code)

    def values(self) -> dict:
        return {"role": self.text("role").strip().lower(), "organization": self.text("organization")}


class AdminScreen(CompactFooterMixin, Screen[None]):
    """Users of this database, and what an administrator does to them."""

    DEFAULT_CSS = """
    AdminScreen #admin-title { padding: 1 1 0 1; text-style: bold; height: auto; }
    AdminScreen #admin-users { height: 1fr; margin: 1 1 0 1; }
    AdminScreen #admin-message { padding: 0 1; height: auto; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="admin-back", tooltip="Back to the dashboard"),
        Binding("a", "add_user", "Add user", id="admin-add", tooltip="Create a user"),
        Binding("d", "toggle_active", "Disable/enable", id="admin-disable", tooltip="Disable or enable the user"),
        Binding("u", "unlock", "Unlock", id="admin-unlock", tooltip="Lift a lock from failed sign-ins"),
        Binding("p", "set_password", "New password", id="admin-password", tooltip="Give the user a new password"),
        Binding("r", "change_role", "Role/org", id="admin-role", tooltip="Change role and organization"),
        Binding("c", "plan_contacts", "Plan contacts", id="admin-contacts", tooltip="The plan's phones and fax"),
    ]
    NARROW_HIDDEN = frozenset({"admin-contacts"})  # the line above the footer names it
    NARROW_LABELS = {"admin-disable": "Disable", "admin-password": "Password", "admin-role": "Role"}

    @dataclass
    class UsersLoaded(Message):
        """The user list arrived."""

        rows: list[UserRow]

    @dataclass
    class Failed(Message):
        """Something could not be done."""

        message: str

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[UserRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Administration · users", id="admin-title")
        # at 80 columns the last sign-in goes first; the organization is cut
        yield FittingTable(id="admin-users", cursor_type="row", zebra_stripes=True, drop=("last",), squeeze="org")
        yield Static("", id="admin-message")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#admin-users", DataTable)
        for label, key in (("Username", "username"), ("Name", "name"), ("Role", "role"),
                           ("Organization", "org"), ("State", "state"), ("Last sign-in", "last")):
            table.add_column(label, key=key)
        table.focus()
        if not self._is_admin():
            self.query_one("#admin-message", Static).update("Only an administrator can manage users.")
            return
        self.reload()

    def _is_admin(self) -> bool:
        user = getattr(self.app, "user", None)
        return user is not None and Role(user.role) is Role.ADMIN

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_user", "toggle_active", "unlock", "set_password", "change_role", "plan_contacts"):
            return self._is_admin()
        return True

    # ----- loading -----

    def reload(self) -> None:
        """Read the users again."""
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="admin-users")
    def _load(self) -> None:
        from store.services.users import list_users
        from tui.errors import describe

        try:
            with self.app.store.session() as session:
                rows = list_users(session, self.app.user)
        except Exception as exc:
            self.post_message(self.Failed(describe(exc)))
            return
        self.post_message(self.UsersLoaded(rows))

    @on(UsersLoaded)
    def _loaded(self, message: UsersLoaded) -> None:
        from store.types import utcnow

        now = utcnow()
        table = self.query_one("#admin-users", DataTable)
        keep = table.cursor_row
        table.clear()
        self.rows = message.rows
        for row in message.rows:
            state = row.state(now)
            org = f"{row.organization_code} {row.organization_name}".strip() if row.organization_code else "(the plan)"
            table.add_row(row.username, row.full_name, Role(row.role).value, org,
                          Text(state, style=STATE_STYLES[state]), fmt_datetime(row.last_login_at) or "never",
                          key=str(row.id))
        if message.rows:
            table.move_cursor(row=min(keep, len(message.rows) - 1))
        self.query_one("#admin-message", Static).update(
            f"{len(message.rows)} user{'s' if len(message.rows) != 1 else ''} · a add · d disable/enable · "
            "u unlock · p new password · r role/org · c plan contacts")

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.query_one("#admin-message", Static).update(Text(message.message, style="bold red"))

    # ----- actions -----

    def highlighted(self) -> UserRow | None:
        """The user under the cursor."""
        table = self.query_one("#admin-users", DataTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def _after(self, what: str):
        def done(result) -> None:
            if result:
                self.notify(what, timeout=3)
                self.reload()
        return done

    def action_add_user(self) -> None:
        """Create a user."""
        from store.services.users import add_user

        admin = self.app.user
        perform = _perform(self.app, lambda s, v: add_user(
            s, admin, username=v["username"], password=v["password"], role=v["role"].strip().lower(),
            organization_code=v["organization"], full_name=v["full_name"], email=v["email"]))
        self.app.push_screen(AddUserScreen(perform), self._after("User added."))

    def action_toggle_active(self) -> None:
        """Disable an active user, enable a disabled one (after y)."""
        row = self.highlighted()
        if row is None:
            return
        enable = not row.is_active
        verb = "Enable" if enable else "Disable"
        text = ("They can sign in again." if enable else
                "They cannot sign in until enabled again; their requests stay as they are.")

        from store.services.users import set_user_active

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(lambda s: set_user_active(s, self.app.user, row.id, enable),
                          f"{row.username} {verb.lower()}d.")

        self.app.push_screen(ConfirmScreen(f"{verb} {row.username}?", text, verb), answered)

    def action_unlock(self) -> None:
        """Lift the lock of the highlighted user."""
        row = self.highlighted()
        if row is None:
            return
        from store.services.users import unlock_user

        self._run(lambda s: unlock_user(s, self.app.user, row.id), f"{row.username} unlocked.")

    def action_set_password(self) -> None:
        """Give the highlighted user a new password."""
        row = self.highlighted()
        if row is None:
            return
        from store.services.users import reset_user_password

        admin = self.app.user
        perform = _perform(self.app, lambda s, v: reset_user_password(s, admin, row.id, v["password"]))
        self.app.push_screen(SetPasswordScreen(perform, row.username), self._after(f"New password set for {row.username}."))

    def action_change_role(self) -> None:
        """Change the highlighted user's role and organization."""
        row = self.highlighted()
        if row is None:
            return
        from store.services.users import change_user_role

        admin = self.app.user
        perform = _perform(self.app, lambda s, v: change_user_role(s, admin, row.id, v["role"], v["organization"]))
        self.app.push_screen(ChangeRoleScreen(perform, row), self._after(f"{row.username} changed."))

    def action_plan_contacts(self) -> None:
        """Show (and edit) the plan's contacts."""
        from tui.screens.plan_contacts import PlanContactsScreen

        self.app.push_screen(PlanContactsScreen())

    @work(thread=True, exclusive=False, exit_on_error=False, group="admin-change")
    def _run(self, call, done: str) -> None:
        from tui.errors import describe

        try:
            with self.app.store.session() as session:
                call(session)
        except Exception as exc:
            self.post_message(self.Failed(describe(exc)))
            return
        self.post_message(self.Changed(done))

    @dataclass
    class Changed(Message):
        """A change was saved."""

        what: str

    @on(Changed)
    def _changed(self, message: Changed) -> None:
        self.notify(message.what, timeout=3)
        self.reload()

    def action_back(self) -> None:
        """Back to the dashboard."""
        self.app.pop_screen()
