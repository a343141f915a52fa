"""Step 1: member & eligibility."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from store.forms import DraftForm
from store.texts import ELIGIBILITY_NOTE
from tui.screens.wizard.fields import DATE_HINT, format_date, parsed_value
from tui.screens.wizard.steps.base import WizardStep
from tui.widgets.wizard_fields import FormInput
from tui.widgets.wizard_rows import FieldRow


class MemberStep(WizardStep):
    """Member ID, optional Medicaid ID and the start date of service (eligibility depends on it).

    F4 (while a field of this step has focus) opens the member look-up by
    name and date of birth; the member picked fills ``#member-id``, which
    starts the eligibility check as typing it would.

    Args:
        inpatient: label the date as the admission date.
        member_label: the label of ``#member-id`` (a newborn notification asks for the mother's).
    """

    BINDINGS = [
        Binding("f4", "look_up_member", "Find member", id="wizard-member-lookup",
                tooltip="Find the member by last name and date of birth"),
    ]

    INDEX = 0
    RAW_KEYS = ("start_date",)

    def __init__(self, *, inpatient: bool, member_label: str = "Member ID", id: str | None = None) -> None:
        super().__init__(id=id)
        self.inpatient = inpatient
        self.member_label = member_label

    def compose(self) -> ComposeResult:
        yield Static("[b]Member & eligibility[/b]", classes="step-title")
        yield FieldRow(self.member_label, FormInput(compact=True, id="member-id", placeholder="member ID"), required=True)
        yield FieldRow("Medicaid ID", FormInput(compact=True, id="medicaid-id", placeholder="optional"))
        yield FieldRow("Admission date" if self.inpatient else "Start date of service",
                       FormInput(compact=True, id="start-date", placeholder=DATE_HINT), required=True,
                       hint="Eligibility depends on the date of service.")
        yield Static("", id="eligibility")
        yield Static(ELIGIBILITY_NOTE, classes="hint")

    def action_look_up_member(self) -> None:
        """Open the look-up; the member picked fills ``#member-id`` (Esc leaves it as it is)."""
        from tui.screens.member_lookup import MemberLookupScreen

        def picked(match) -> None:
            if match is not None:
                member = self.query_one("#member-id", Input)
                member.value = match.member_id  # Input.Changed: the screen checks eligibility
                member.focus()

        self.app.push_screen(MemberLookupScreen(), picked)

    def load(self, form: DraftForm) -> None:
        """Show ``form``'s member fields (text kept as typed wins over the parsed date)."""
        self.query_one("#member-id", Input).value = form.member_id
        self.query_one("#medicaid-id", Input).value = form.medicaid_id
        self.query_one("#start-date", Input).value = form.raw.get("start_date", format_date(form.start_date))

    def collect(self, form: DraftForm) -> None:
        """The member fields as shown."""
        self.clear_raw(form)
        form.member_id = self.query_one("#member-id", Input).value.strip()
        form.medicaid_id = self.query_one("#medicaid-id", Input).value.strip()
        form.start_date = parsed_value("start-date", self.query_one("#start-date", Input).value, "start_date", form.raw)

    def validated_inputs(self) -> list[str]:
        """The start date is checked as typed."""
        return ["start-date"]

    def show_eligibility(self, text: str) -> None:
        """The eligibility line under the fields (markup)."""
        self.query_one("#eligibility", Static).update(text)
