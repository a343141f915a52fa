"""Step 1: member & eligibility."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from store.forms import DraftForm
from store.texts import ELIGIBILITY_NOTE
from tui.screens.wizard.fields import DATE_HINT, format_date, parsed_value
from tui.widgets.wizard_fields import FormInput
from tui.widgets.wizard_rows import FieldRow


class MemberStep(VerticalScroll):
    """Member ID, optional Medicaid ID and the start date of service (eligibility depends on it).

    Args:
        inpatient: label the date as the admission date.
    """

    def __init__(self, *, inpatient: bool, id: str = "step-0") -> None:
        super().__init__(id=id, classes="wizard-step")
        self.inpatient = inpatient

    def compose(self) -> ComposeResult:
        yield Static("[b]Member & eligibility[/b]", classes="step-title")
        yield FieldRow("Member ID", FormInput(compact=True, id="member-id", placeholder="member ID"), required=True)
        yield FieldRow("Medicaid ID", FormInput(compact=True, id="medicaid-id", placeholder="optional"))
        yield FieldRow("Admission date" if self.inpatient else "Start date of service",
                       FormInput(compact=True, id="start-date", placeholder=DATE_HINT), required=True,
                       hint="Eligibility depends on the date of service.")
        yield Static("", id="eligibility")
        yield Static(ELIGIBILITY_NOTE, classes="hint")

    def load(self, form: DraftForm) -> None:
        """Show ``form``'s member fields (text kept as typed wins over the parsed date)."""
        self.query_one("#member-id", Input).value = form.member_id
        self.query_one("#medicaid-id", Input).value = form.medicaid_id
        self.query_one("#start-date", Input).value = form.raw.get("start_date", format_date(form.start_date))

    def collect(self) -> dict:
        """The member fields as shown."""
        raw: dict[str, str] = {}
        return {
            "member_id": self.query_one("#member-id", Input).value.strip(),
            "medicaid_id": self.query_one("#medicaid-id", Input).value.strip(),
            "start_date": parsed_value("start-date", self.query_one("#start-date", Input).value, "start_date", raw),
            "raw": raw,
        }
