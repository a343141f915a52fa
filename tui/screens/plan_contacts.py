"""Help: whom to contact at the plan (phones and hours, clinicals fax, address) and the edit form.

:class:`PlanContactsScreen` shows the block configured for this database
(:mod:`store.services.plan_contacts`); an administrator presses ``e`` to edit
it in :class:`EditPlanContactsScreen`.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from store.services.plan_contacts import PlanContacts
from tui.screens.decisions import FORM_CSS, FormModal, framed_css

NOT_CONFIGURED = ("The plan's contacts are not configured for this database. An administrator sets them "
                  "in Administration (p) or with `authdesk plan-contacts`.")


class PlanContactsScreen(ModalScreen[None]):
    """The plan's contact block (help); ``e`` edits it for an administrator."""

    DEFAULT_CSS = FORM_CSS + framed_css("PlanContactsScreen")
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="contacts-close", tooltip="Close"),
        Binding("e", "edit", "Edit", id="contacts-edit", tooltip="Change the plan's contacts (administrators)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.contacts = PlanContacts()

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static("Contact the plan", id="form-title")
            yield Static("Loading…", id="contacts-text", classes="form-text")
            yield Static("Esc closes", id="contacts-hint", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="plan-contacts")
    def _load(self) -> None:
        from store.services.plan_contacts import load_plan_contacts
        from tui.errors import describe

        if getattr(self.app, "store", None) is None:
            self.app.call_from_thread(self._say, "The database is not open yet; try again in a moment.")
            return
        try:
            with self.app.store.session() as session:
                contacts = load_plan_contacts(session)
        except Exception as exc:  # one line, never a traceback
            self.app.call_from_thread(self._say, f"Cannot read the plan's contacts: {describe(exc)}")
            return
        self.app.call_from_thread(self._show, contacts)

    def _say(self, message: str) -> None:
        self.query_one("#contacts-text", Static).update(Text(message))

    def _show(self, contacts: PlanContacts) -> None:
        self.contacts = contacts
        lines = contacts.lines()
        self.query_one("#contacts-text", Static).update(Text("\n".join(lines) if lines else NOT_CONFIGURED))
        if self._is_admin():
            self.query_one("#contacts-hint", Static).update("e edits · Esc closes")

    def _is_admin(self) -> bool:
        from store.enums import Role

        user = getattr(self.app, "user", None)
        return user is not None and Role(user.role) is Role.ADMIN

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return self._is_admin()
        return True

    def action_edit(self) -> None:
        """Edit the contacts (administrators)."""
        def saved(result: PlanContacts | None) -> None:
            if result is not None:
                self._show(result)
                self.notify("The plan's contacts are saved.", timeout=3)

        self.app.push_screen(EditPlanContactsScreen(self.contacts, self.app), saved)

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)


class EditPlanContactsScreen(FormModal[PlanContacts]):
    """Change the plan's contact block (administrators)."""

    def __init__(self, contacts: PlanContacts, app) -> None:
        def perform(values: dict) -> PlanContacts:
            from store.services.plan_contacts import clean_plan_contacts, save_plan_contacts

            contacts = clean_plan_contacts(**values)
            with app.store.session() as session:
                return save_plan_contacts(session, app.user, contacts)

        super().__init__(perform)
        self.contacts = contacts

    def compose_form(self) -> ComposeResult:
        c = self.contacts
        yield Static("The plan's contacts", id="form-title")
        yield Static("Shown on the result screen, case detail, help and letters. Phone lists are separated by "
                     "commas.", classes="form-text")
        yield from self.field("team", "Team", c.team, "CMSI intake team")
        yield from self.field("intake-phones", "Intake phones", ", ".join(c.intake_phones), "262-369-8750, 800-861-8744")
        yield from self.field("intake-hours", "Hours", c.intake_hours, "Monday to Friday, 8:00 AM to 4:30 PM CST")
        yield from self.field("portal-phones", "Submission questions", ", ".join(c.portal_phones), "800-662-6865")
        yield from self.field("clinical-fax", "Fax for clinicals", c.clinical_fax)
        yield from self.field("mailing-address", "Mailing address", c.mailing_address)

    def values(self) -> dict:
        return {
            "team": self.text("team"), "intake_phones": self.text("intake-phones"),
            "intake_hours": self.text("intake-hours"), "portal_phones": self.text("portal-phones"),
            "clinical_fax": self.text("clinical-fax"), "mailing_address": self.text("mailing-address"),
        }
