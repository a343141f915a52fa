"""Step 4: urgency, the expedited criteria and the benefits reference."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, RadioButton, RadioSet, Static

from store.enums import ExpeditedCriterion, Urgency
from store.forms import DraftForm
from store.texts import EXPEDITED_NOTE
from tui.screens.wizard.steps.base import WizardStep
from tui.widgets.wizard_fields import CriteriaList, FormInput, RadioChoice
from tui.widgets.wizard_rows import FieldRow


class UrgencyStep(WizardStep):
    """Standard or expedited, the plan's criteria for expedited status (``[x]``), the benefits reference.

    What the app can derive is proposed by the screen (``#urgency-proposal``), never ticked over what is stored.
    """

    INDEX = 3

    def compose(self) -> ComposeResult:
        yield Static("[b]Urgency[/b]  s = standard, e = expedited", classes="step-title")
        yield FieldRow("Urgency", UrgencySet(
            RadioChoice("Standard", value=True, id="urgency-standard"),
            RadioChoice("Expedited", id="urgency-expedited"), id="urgency"), required=True)
        yield Static(EXPEDITED_NOTE, classes="hint")
        yield Static("Criteria for expedited status (space ticks; the app proposes what it can tell):")
        yield CriteriaList(*((c.label, c.value) for c in ExpeditedCriterion), id="expedited-reasons")
        yield Static("", id="urgency-proposal", classes="hint")
        yield FieldRow("Benefits reference #", FormInput(compact=True, id="benefits-reference",
                                                         placeholder="from the benefits & eligibility call"))

    def load(self, form: DraftForm) -> None:
        """Show the urgency, criteria and benefits reference as stored."""
        self.query_one("#urgency", UrgencySet).set_urgency(form.urgency)
        reasons = self.query_one("#expedited-reasons", CriteriaList)
        reasons.deselect_all()
        for reason in form.expedited_reasons:
            reasons.select(reason)
        self.query_one("#benefits-reference", Input).value = form.benefits_reference

    def collect(self, form: DraftForm) -> None:
        """The urgency, the ticked criteria (in the plan's order) and the benefits reference."""
        form.urgency = self.query_one("#urgency", UrgencySet).urgency
        form.expedited_reasons = list(self.query_one("#expedited-reasons", CriteriaList).selected)
        form.benefits_reference = self.query_one("#benefits-reference", Input).value.strip()


class UrgencySet(RadioSet):
    """Standard / expedited: ``s`` or ``e`` choose, Enter moves on."""

    BINDINGS = [
        Binding("s", "choose(0)", "Standard", id="urgency-standard", tooltip="Standard urgency"),
        Binding("e", "choose(1)", "Expedited", id="urgency-expedited", tooltip="Ask for expedited review"),
        Binding("enter", "next_field", "Next", show=False, id="urgency-next", tooltip="Go on to the next field"),
    ]

    @dataclass
    class EnterPressed(Message):
        """Enter on the radio set."""

    def action_choose(self, index: int) -> None:
        """Press button ``index`` (the other is released at once, not a message later)."""
        for number, button in enumerate(self.query(RadioButton)):
            button.value = number == index

    def set_urgency(self, urgency: Urgency) -> None:
        """Show ``urgency``."""
        self.action_choose(1 if urgency is Urgency.EXPEDITED else 0)

    @property
    def urgency(self) -> Urgency:
        """The urgency shown (read from the buttons, which change at once)."""
        buttons = list(self.query(RadioButton))
        return Urgency.EXPEDITED if buttons[1].value else Urgency.STANDARD

    def action_next_field(self) -> None:
        """Tell the form to move on."""
        self.post_message(self.EnterPressed())


