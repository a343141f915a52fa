"""Step 6: the contact completing the request."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Static

from store.forms import DraftForm
from tui.screens.wizard.fields import parsed_value
from tui.screens.wizard.steps.base import WizardStep
from tui.widgets.wizard_fields import FormInput
from tui.widgets.wizard_rows import FieldRow

CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_phone_ext", "contact_fax", "contact_email")
_CHECKED = ("contact_phone", "contact_fax", "contact_email")  # parsed (a phone is formatted)


class ContactStep(WizardStep):
    """Name, phone, extension, fax and email of the person completing the request."""

    INDEX = 5
    RAW_KEYS = _CHECKED

    def compose(self) -> ComposeResult:
        yield Static("[b]Contact[/b]  the person completing this request", classes="step-title")
        yield FieldRow("Contact name", FormInput(compact=True, id="contact-name"), required=True)
        yield FieldRow("Phone", FormInput(compact=True, id="contact-phone"), required=True)
        yield FieldRow("Extension", FormInput(compact=True, id="contact-phone-ext"))
        yield FieldRow("Fax", FormInput(compact=True, id="contact-fax"), required=True)
        yield FieldRow("Email", FormInput(compact=True, id="contact-email"), required=True)

    def _input(self, key: str) -> Input:
        return self.query_one(f"#{key.replace('_', '-')}", Input)

    def load(self, form: DraftForm) -> None:
        """Show the contact as stored (text kept as typed wins)."""
        for key in CONTACT_FIELDS:
            self._input(key).value = form.raw.get(key, getattr(form, key))

    def collect(self, form: DraftForm) -> None:
        """The contact as shown; a phone or fax that parses is formatted, one that does not is kept in raw."""
        self.clear_raw(form)
        raw = form.raw
        for key in CONTACT_FIELDS:
            text = self._input(key).value.strip()
            if key not in _CHECKED:
                setattr(form, key, text)
                continue
            value = parsed_value(key.replace("_", "-"), self._input(key).value, key, raw)
            setattr(form, key, value if isinstance(value, str) and value else ("" if key in raw else text))

    def validated_inputs(self) -> list[str]:
        """Phone, fax, email and extension are checked as typed."""
        return ["contact-phone", "contact-fax", "contact-email", "contact-phone-ext"]
