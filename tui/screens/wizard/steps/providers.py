"""Step 2: the requesting, servicing and (inpatient) facility providers."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.widgets import Static

from store.forms import DraftForm
from store.records import ProviderRecord
from tui.screens.wizard.steps.base import WizardStep
from tui.widgets.provider_picker import ProviderPicker
from tui.widgets.wizard_rows import FieldRow

# (DraftForm field, picker input id, label)
PROVIDER_FIELDS = (
    ("requesting_provider_id", "requesting-provider", "Requesting"),
    ("servicing_provider_id", "servicing-provider", "Servicing"),
    ("facility_provider_id", "facility-provider", "Facility"),
)


class ProvidersStep(WizardStep):
    """Three directory searches (NPI, provider number or name); the facility only for an inpatient stay.

    Args:
        inpatient: ask for the facility too.
        providers: the screen's providers by id (those of the draft, the default, those picked here).
    """

    INDEX = 1
    RAW_KEYS = tuple(key for key, _, _ in PROVIDER_FIELDS)

    def __init__(self, *, inpatient: bool, providers: dict[int, ProviderRecord]) -> None:
        super().__init__()
        self.inpatient = inpatient
        self.providers = providers

    def compose(self) -> ComposeResult:
        yield Static("[b]Providers[/b]  search by NPI, provider number or name; Enter picks", classes="step-title")
        yield FieldRow("Requesting provider", ProviderPicker("requesting-provider"), required=True, error_id="")
        yield FieldRow("Servicing provider", ProviderPicker("servicing-provider"), required=True, error_id="")
        if self.inpatient:
            yield FieldRow("Facility", ProviderPicker("facility-provider", facility=True), required=True, error_id="")

    def picker(self, input_id: str) -> ProviderPicker | None:
        """The picker of ``input_id`` (None: not asked for this kind)."""
        try:
            return self.query_one(f"#{input_id}-picker", ProviderPicker)
        except NoMatches:
            return None

    def load(self, form: DraftForm) -> None:
        """Show the providers chosen, or the text typed when none was."""
        for key, input_id, _ in PROVIDER_FIELDS:
            picker = self.picker(input_id)
            if picker is None:
                continue
            pid = getattr(form, key)
            if pid is not None and pid in self.providers:
                picker.set_provider(self.providers[pid])
            else:
                picker.set_provider(None)
                picker.set_text(form.raw.get(key, ""))

    def collect(self, form: DraftForm) -> None:
        """The providers chosen (ids); text typed without a choice is kept in raw."""
        self.clear_raw(form)
        for key, input_id, _ in PROVIDER_FIELDS:
            picker = self.picker(input_id)
            if picker is None:
                continue
            setattr(form, key, picker.provider.id if picker.provider is not None else None)
            if picker.provider is not None:
                self.providers[picker.provider.id] = picker.provider
            elif picker.text:
                form.raw[key] = picker.input.value

    def needs_value(self, input_id: str) -> bool:
        """Whether no provider is chosen in ``input_id``."""
        picker = self.picker(input_id)
        return picker is not None and picker.provider is None
