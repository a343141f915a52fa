"""The request wizard: one screen, seven steps, keyboard only, saved as you go.

Enter moves to the next field that still needs a value and, from the last
one, to the next step; Tab visits every field. ctrl+s saves; leaving a step,
leaving the form (escape) and ~2 s without a key save too. Text that is not
valid yet stays in its field, is marked with its message, and is saved in
``DraftForm.raw`` so that nothing typed is lost.
"""

from __future__ import annotations

import copy
import time
from datetime import date

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    Input,
    OptionList,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)

from store.enums import ExpeditedCriterion, RequestKind, Urgency
from store.errors import (
    ConflictError,
    IncompleteError,
    InvalidFormError,
    InvalidTransitionError,
    NotEligibleError,
    NotFoundError,
    StoreError,
    ValidationError,
)
from store.forms import (
    STEP_CLINICAL,
    STEP_CONTACT,
    STEP_MEMBER,
    STEP_PROVIDERS,
    STEP_REVIEW,
    STEP_SERVICES,
    STEP_URGENCY,
    STEPS,
    DiagnosisInput,
    DraftForm,
    LineInput,
    MissingItem,
    SavedDraft,
)
from store.records import AttachmentRecord, ProviderRecord
from tui.messages import CasesChanged
from tui.screens.wizard import messages
from tui.screens.wizard.fields import LINE_FIELD as _LINE_FIELD
from tui.screens.wizard.fields import format_date, parse_field
from tui.screens.wizard.saver import DraftBaseline
from tui.screens.wizard.steps import (
    PROVIDER_FIELDS,
    ClinicalStep,
    ContactStep,
    MemberStep,
    PlaceOfServicePicker,
    ProvidersStep,
    ReviewStep,
    ServicesStep,
    UrgencySet,
    UrgencyStep,
    WizardStep,
)
from tui.screens.wizard.steps.clinical import clinical_ids
from tui.screens.wizard.steps.review import summary
from tui.narrow import WizardFooterMixin
from tui.widgets.code_picker import CodeChoice
from tui.widgets.steady_footer import SteadyFooter
from tui.widgets.step_header import StepHeader, StepState, WizardTitle
from tui.widgets.wizard_dialogs import SaveConflictScreen
from tui.widgets.wizard_fields import ChoiceSelect, YesNoField
from tui.widgets.wizard_rows import AttachmentRow, DiagnosisRow, LineRow
from tui.widgets.wizard_search import SearchPicker

# What the widgets post when a value changes: prevented while a draft is loaded into them.
EDIT_MESSAGES = (Input.Changed, Select.Changed, Checkbox.Changed, RadioSet.Changed,
                 SelectionList.SelectedChanged, SelectionList.SelectionToggled, RadioButton.Changed)


class WizardScreen(WizardFooterMixin, Screen[None]):
    """A prior authorization request, new (``kind``) or a draft resumed (``request_id``).

    Args:
        kind: the kind of a new request.
        request_id: a saved draft to resume, at the step where it was left.
    """

    AUTOSAVE_SECONDS = 2.0  # a pause this long saves what was typed
    AUTOSAVE_MAX_SECONDS = 20.0  # typing without such a pause still saves this often
    AUTOFOCUS = "#member-id"  # keys typed right after the kind is picked land here

    DEFAULT_CSS = """
    WizardScreen #wizard-title { height: 1; padding: 0 1; background: $panel; }
    WizardScreen #wizard-steps { height: 1fr; }
    WizardScreen #member-banner { height: 1; padding: 0 1; background: $boost; display: none; }
    WizardScreen #member-banner.-shown { display: block; }
    WizardScreen .wizard-step { padding: 0 1; }
    WizardScreen .step-title { padding: 1 0 0 0; }
    WizardScreen .section-title { padding: 1 0 0 0; }
    WizardScreen FieldRow { margin: 0 0 1 0; }
    WizardScreen FieldRow Input, WizardScreen FieldRow Select { width: 60; }
    WizardScreen #eligibility { padding: 0 0 0 26; height: auto; }
    WizardScreen .hint { color: $text-muted; }
    WizardScreen #diagnosis-rows, WizardScreen #line-rows, WizardScreen #attachment-rows,
    WizardScreen #clinical-lines { height: auto; padding: 0 0 0 2; }
    WizardScreen .question { padding: 1 0 0 2; }
    WizardScreen .clinical-outcome { padding: 0 0 0 2; }
    WizardScreen #expedited-reasons { height: auto; max-height: 12; margin: 0 0 1 0; }
    WizardScreen #urgency { width: auto; }
    WizardScreen #missing-list { height: auto; max-height: 10; }
    WizardScreen #review-duplicates { height: auto; }
    WizardScreen #submit-row { height: auto; padding: 1 0 0 0; }
    WizardScreen #attachment-browse { margin: 0 0 0 26; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="wizard-save", tooltip="Save the draft now"),
        # Step keys are priority bindings: they act as the key arrives (not after the focused field
        # had it), so the keys typed after them are held until the step's field has focus (_go).
        Binding("ctrl+pagedown,alt+n", "next_step", "Next step", id="wizard-next", key_display="^PgDn",
                tooltip="Go to the next step (also alt+n)", priority=True),
        Binding("ctrl+pageup,alt+p", "previous_step", "Prev step", id="wizard-previous", key_display="^PgUp",
                tooltip="Go to the previous step (also alt+p)", priority=True),
        *(
            Binding(f"f{n},alt+{n}" if n != 4 else "alt+4", f"go_step({n - 1})", STEPS[n - 1], show=False,
                    id=f"wizard-step-{n}" if n != 4 else "wizard-step-4-alt", priority=True,
                    tooltip=f"Jump to step {n}: {STEPS[n - 1]} (F{n}; alt+{n} where the terminal sends it)")
            for n in range(1, len(STEPS) + 1)
        ),
        # F4 is also step 1's member look-up (MemberStep): there it gives way (check_action).
        Binding("f4", "go_step(3, 'f4')", STEPS[3], show=False, id="wizard-step-4", priority=True,
                tooltip=f"Jump to step 4: {STEPS[3]} (F4; alt+4 where the terminal sends it)"),
        Binding("alt+d", "add_code('diagnosis-search')", "Add diagnosis", id="wizard-add-diagnosis", show=False,
                tooltip="Go to the add-diagnosis field (from any step)"),
        Binding("alt+l", "add_code('line-code')", "Add line", id="wizard-add-line", show=False,
                tooltip="Go to the add-procedure field for a new service line (from any step)"),
        Binding("ctrl+o", "browse_file", "Attach file", id="wizard-browse",
                tooltip="Choose a clinical record to attach"),
        Binding("a", "accept_proposal", "Accept proposal", id="wizard-accept-proposal",
                tooltip="Take the urgency and criteria the app proposes"),
        Binding("f10", "submit", "Submit", id="wizard-submit", tooltip="Submit the request to the plan"),
        Binding("escape", "leave", "Save & close", id="wizard-leave",
                tooltip="Save the draft and go back to the dashboard"),
    ]

    # ----- messages from workers (tui/screens/wizard/messages.py) -----

    DraftLoaded = messages.DraftLoaded
    LoadFailed = messages.LoadFailed
    DefaultsFound = messages.DefaultsFound
    EligibilityFound = messages.EligibilityFound
    EligibilityRefused = messages.EligibilityRefused
    Saved = messages.Saved
    SaveRefused = messages.SaveRefused
    Checked = messages.Checked
    Attached = messages.Attached
    AttachmentRemoved = messages.AttachmentRemoved
    AttachFailed = messages.AttachFailed
    SubmitDone = messages.SubmitDone
    SubmitRefused = messages.SubmitRefused

    # ----- set-up -----

    def __init__(self, kind: RequestKind | None = None, request_id: int | None = None) -> None:
        super().__init__()
        if kind is None and request_id is None:
            raise ValueError("WizardScreen needs a kind (new request) or a request_id (draft).")
        self.kind: RequestKind = kind or RequestKind.SERVICE
        self.request_id = request_id
        self.version: int | None = None
        self.draft_number = ""
        self.step = STEP_MEMBER
        self.form: DraftForm | None = None
        self._baseline: DraftBaseline | None = None  # the draft as stored and as shown
        self._opened_from_store = request_id is not None
        self._diagnoses: list[DiagnosisInput] = []
        self._lines: list[LineInput] = []
        self._attachments: list[AttachmentRecord] = []
        self._visited: set[int] = set()
        self._left: set[int] = set()
        self._rows_pending = 0
        self._pending_line_raw: dict[str, str] = {}
        self._errors: dict[str, str] = {}
        self._missing: list[MissingItem] = []
        self._duplicates: list[str] = []
        self._eligibility = None
        self._eligibility_key: tuple | None = None
        self._eligibility_error = ""
        self._advance_when_eligible = False
        self._saving = False
        self._save_again = False
        self._after_save: list = []
        self._leave_after_save = False
        self._submitting = False
        self._idle_timer: Timer | None = None
        self._changed_since: float | None = None  # monotonic time of the first change not yet saved
        self._ready = request_id is None
        self._criteria_touched = False
        self._urgency_touched = False
        self._source = DraftForm(kind=self.kind)  # the values of the steps not built yet
        self._steps: dict[int, WizardStep] = {}  # built, by index (each built on its first visit)
        self._building: set[int] = set()
        self._providers: dict[int, ProviderRecord] = {}  # of the draft, the default, those picked
        self._eligibility_text = ""
        self._status = "Not saved yet"
        self._proposal: list[str] | None = None  # criteria the app proposes for a stored draft

    def compose(self) -> ComposeResult:
        yield WizardTitle(id="wizard-title")
        yield StepHeader(STEPS, id="step-header")
        yield Static("", id="member-banner")
        # Only the first step is composed now; each other one on its first visit (_go). A draft
        # is shown at the step where it was left, composed once it is loaded.
        self._steps = {}
        if self.request_id is None:
            first = self._make_step(STEP_MEMBER)
            self._steps[STEP_MEMBER] = first
            with ContentSwitcher(initial=first.id, id="wizard-steps"):
                yield first
        else:
            yield ContentSwitcher(id="wizard-steps")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self._update_title()
        if self.request_id is not None:
            # Fields stay disabled until the draft is in them (a new request needs no such
            # pass: disabling re-styles every field twice, most of the time to open the wizard).
            self._set_field_state_enabled(False)
            self._update_title()
            self._load_draft(self.request_id)
            return
        self._start_new()

    def _set_field_state_enabled(self, enabled: bool) -> None:
        self.query_one("#wizard-steps").disabled = not enabled

    def _start_new(self) -> None:
        from store.services.drafts import new_draft_form

        form = new_draft_form(self.kind, self.app.user)
        if self.kind is RequestKind.EMERGENT_ADMISSION:
            form.admitted_via_er = True  # the notice is for an admission through the ER
        with self.prevent(*EDIT_MESSAGES):
            self._apply_form(form, {}, [])
        self._baseline = DraftBaseline(None, self.collect_form())
        self._ready = True
        self._go(STEP_MEMBER, save=False)
        self.focus_first_field()
        self._release_keys()
        self._find_defaults()

    # ----- workers -----

    @work(thread=True, exclusive=True, exit_on_error=False, group="wizard-load")
    def _load_draft(self, request_id: int) -> None:
        from store.services.cases import get_case
        from store.services.drafts import load_draft
        from store.services.providers import get_provider

        try:
            with self.app.store.session() as session:
                form, saved = load_draft(session, self.app.user, request_id)
                providers = {}
                for pid in (form.requesting_provider_id, form.servicing_provider_id, form.facility_provider_id):
                    if pid is not None and pid not in providers:
                        providers[pid] = get_provider(session, pid)
                attachments = list(get_case(session, self.app.user, request_id).attachments)
        except StoreError as exc:
            self.post_message(self.LoadFailed(str(exc)))
            return
        self.post_message(self.DraftLoaded(messages.LoadedDraft(form, saved, providers, attachments)))

    @on(DraftLoaded)
    async def _draft_loaded(self, message: DraftLoaded) -> None:
        loaded = message.loaded
        if loaded.form.kind is not self.kind:
            # The steps built so far are of another kind: rebuild the screen for this one.
            self.kind = loaded.form.kind
            self._source = DraftForm(kind=self.kind)
            if self._steps:
                await self.recompose()
        self._set_saved(loaded.saved)
        self._opened_from_store = True
        # Loading sets values without firing the handlers meant for the clerk's edits.
        with self.prevent(*EDIT_MESSAGES):
            self._apply_form(loaded.form, loaded.providers, loaded.attachments)
            self._set_field_state_enabled(True)
            self._ready = True
            self._visited = set(range(0, loaded.form.wizard_step + 1))
            self._left = set(range(0, loaded.form.wizard_step))
            self._go(loaded.form.wizard_step, save=False)
        self._baseline = DraftBaseline(loaded.form, self.collect_form())
        self._check_eligibility_if_ready()
        self._run_check()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.notify(message.message, title="Cannot open the draft", severity="error")
        self.dismiss(None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="wizard-defaults")
    def _find_defaults(self) -> None:
        user = self.app.user
        try:
            with self.app.store.session() as session:
                provider = _organization_provider(session, user)
        except StoreError:
            provider = None
        self.post_message(self.DefaultsFound(provider))

    @on(DefaultsFound)
    def _defaults_found(self, message: DefaultsFound) -> None:
        provider = message.provider
        if provider is None:
            return
        self._providers[provider.id] = provider
        step = self._steps.get(STEP_PROVIDERS)
        picker = step.picker("requesting-provider") if step is not None else None
        if picker is not None:
            if picker.provider is not None or picker.text:
                return
            with self.prevent(*EDIT_MESSAGES):
                picker.set_provider(provider)
        elif self._source.requesting_provider_id is None and "requesting_provider_id" not in self._source.raw:
            self._source.requesting_provider_id = provider.id  # shown when step 2 is built
        else:
            return
        if self._baseline is not None and self._baseline.stored is None:
            self._baseline.shown.requesting_provider_id = provider.id

    # ----- form <-> widgets -----

    def _input(self, field_id: str) -> Input:
        return self.query_one(f"#{field_id}", Input)

    def _set_input(self, field_id: str, value: str) -> None:
        try:
            self._input(field_id).value = value
        except NoMatches:
            pass

    def _apply_form(self, form: DraftForm, providers: dict[int, ProviderRecord],
                    attachments: list[AttachmentRecord]) -> None:
        """Take ``form`` as the draft shown: the steps built show it, the others will when built."""
        self.form = form
        self._source = copy.deepcopy(form)
        self._providers.update(providers)
        self._diagnoses = [copy.copy(d) for d in form.diagnoses]
        self._lines = [copy.deepcopy(line) for line in form.lines]
        self._criteria_touched = bool(form.raw.get("expedited_touched")) or bool(form.expedited_reasons)
        self._urgency_touched = bool(form.raw.get("urgency_touched"))
        self._attachments = list(attachments)
        for step in self._steps.values():
            self._load_step(step)

    def _load_step(self, step: WizardStep) -> None:
        """Show the draft in ``step`` (call with the edit messages prevented)."""
        step.load(self._source)
        if isinstance(step, MemberStep):
            step.show_eligibility(self._eligibility_text)
            if self._eligibility_error:
                self._show_error("member-id", self._eligibility_error)
        elif isinstance(step, ServicesStep):
            self._render_diagnoses()
            self._render_lines(self._source.raw)
        elif isinstance(step, ClinicalStep):
            self._render_clinical()
            self._render_attachments()
        # Show the messages of fields saved with invalid text.
        for field_id in step.validated_inputs():
            value = self._input(field_id).value
            if value.strip():
                self._validate_input(field_id, value)

    def _validated_inputs(self) -> list[str]:
        return [field_id for step in self._steps.values() for field_id in step.validated_inputs()]

    def _member_form(self) -> DraftForm:
        """The member fields as shown (as loaded while step 1 is not built)."""
        source = self._source
        form = DraftForm(kind=self.kind, member_id=source.member_id, medicaid_id=source.medicaid_id,
                         start_date=source.start_date)
        if STEP_MEMBER in self._steps:
            self._steps[STEP_MEMBER].collect(form)
        return form

    def collect_form(self) -> DraftForm:
        """The form as the widgets show it now; the fields of steps not built yet as loaded."""
        form = copy.deepcopy(self._source)
        form.kind = self.kind
        for step in self._steps.values():
            step.collect(form)
        raw = form.raw
        form.diagnoses = [copy.copy(d) for d in self._diagnoses]
        self._sync_lines(raw)
        form.lines = [copy.deepcopy(line) for line in self._lines]
        raw.pop("expedited_touched", None)
        raw.pop("urgency_touched", None)
        if self._criteria_touched:
            raw["expedited_touched"] = "1"
        if self._urgency_touched:
            raw["urgency_touched"] = "1"
        form.wizard_step = self.step
        self.form = form
        return form

    def _sync_lines(self, raw: dict[str, str]) -> None:
        """Read the line rows' inputs into ``self._lines`` (raw text kept)."""
        if self._rows_pending:
            # Rows are being rebuilt from self._lines: they hold nothing newer.
            for key, value in self._pending_line_raw.items():
                raw.setdefault(key, value)
            return
        for index, line in enumerate(self._lines):
            try:
                row = self.query_one(f"#line-{index}", LineRow)
            except NoMatches:
                continue
            fields = {
                "modifier": ("modifiers", []),
                "from": ("from_date", None),
                "to": ("to_date", None),
                "units": ("requested_units", None),
            }
            for suffix, (attr, empty) in fields.items():
                field_id = f"line-{index}-{suffix}"
                text = row.query_one(f"#{field_id}", Input).value
                if not text.strip():
                    setattr(line, attr, empty)
                    continue
                try:
                    setattr(line, attr, parse_field(field_id, text))
                except ValidationError:
                    setattr(line, attr, empty)
                    raw[field_id] = text

    # ----- rows -----

    def _render_diagnoses(self, focus: str | None = None) -> None:
        if STEP_SERVICES in self._steps:
            self.call_later(self._rerender_diagnoses, focus)

    async def _rerender_diagnoses(self, focus: str | None) -> None:
        container = self.query_one("#diagnosis-rows", Vertical)
        await container.remove_children()
        await container.mount_all([DiagnosisRow(i, d) for i, d in enumerate(self._diagnoses)])
        if focus:
            self._focus_id(focus)

    def _line_texts(self, index: int, line: LineInput, raw: dict[str, str]) -> dict[str, str]:
        def pick(suffix: str, value: str) -> str:
            return raw.get(f"line-{index}-{suffix}", value)

        return {
            "modifier": pick("modifier", " ".join(line.modifiers)),
            "from": pick("from", format_date(line.from_date)),
            "to": pick("to", format_date(line.to_date)),
            "units": pick("units", str(line.requested_units) if line.requested_units is not None else ""),
        }

    def _render_lines(self, raw: dict[str, str], focus: str | None = None) -> None:
        """Rebuild the line rows from ``self._lines`` (row inputs are not read until then)."""
        if STEP_SERVICES not in self._steps:
            return
        self._rows_pending += 1
        self._pending_line_raw = {k: v for k, v in raw.items() if _LINE_FIELD.match(k)}
        self.call_later(self._rerender_lines, dict(raw), focus)

    async def _rerender_lines(self, raw: dict[str, str], focus: str | None) -> None:
        try:
            container = self.query_one("#line-rows", Vertical)
            await container.remove_children()
            await container.mount_all(
                [LineRow(i, line, self._line_texts(i, line, raw)) for i, line in enumerate(self._lines)]
            )
        finally:
            self._rows_pending -= 1
        self._validate_line_rows()
        if focus:
            self._focus_id(focus)

    def _validate_line_rows(self) -> None:
        for index in range(len(self._lines)):
            for suffix in ("modifier", "from", "to", "units"):
                field_id = f"line-{index}-{suffix}"
                try:
                    value = self._input(field_id).value
                except NoMatches:
                    continue
                if value.strip():
                    self._validate_input(field_id, value)

    def _render_attachments(self, focus: str | None = None) -> None:
        if STEP_CLINICAL in self._steps:
            self.call_later(self._rerender_attachments, focus)

    async def _rerender_attachments(self, focus: str | None) -> None:
        await self._steps[STEP_CLINICAL].show_attachments(self._attachments)
        if focus:
            self._focus_id(focus)

    @on(SearchPicker.Picked, "#diagnosis-search-picker")
    def _diagnosis_picked(self, message: SearchPicker.Picked) -> None:
        choice: CodeChoice = message.value
        picker = message.picker
        picker.input.stay()  # the next code is typed here: keys typed after Enter go in
        if any(d.code == choice.code for d in self._diagnoses):
            picker.show_error(f"{choice.code} is already on this request.")
            return
        self._diagnoses.append(DiagnosisInput(choice.code, is_primary=not self._diagnoses,
                                              description=choice.description))
        picker.set_text("")
        self._render_diagnoses()
        self._changed()

    @on(DiagnosisRow.PrimaryChosen)
    def _primary_chosen(self, message: DiagnosisRow.PrimaryChosen) -> None:
        chosen = self._diagnoses.pop(message.index)
        self._diagnoses.insert(0, chosen)  # the primary diagnosis is listed first
        for index, diagnosis in enumerate(self._diagnoses):
            diagnosis.is_primary = index == 0
        self._render_diagnoses(focus="diagnosis-0")
        self._changed()

    @on(DiagnosisRow.RemoveAsked)
    def _diagnosis_removed(self, message: DiagnosisRow.RemoveAsked) -> None:
        removed = self._diagnoses.pop(message.index)
        if removed.is_primary and self._diagnoses:
            self._diagnoses[0].is_primary = True
        next_id = f"diagnosis-{min(message.index, len(self._diagnoses) - 1)}" if self._diagnoses else "diagnosis-search"
        self._render_diagnoses(focus=next_id)
        self._changed()

    @on(SearchPicker.Picked, "#line-code-picker")
    def _line_picked(self, message: SearchPicker.Picked) -> None:
        choice: CodeChoice = message.value
        raw: dict[str, str] = {}
        self.collect_form()
        start = self.form.start_date if self.form else None
        end = (self.form.end_date if self.form else None) or start
        self._lines.append(LineInput(code=choice.code, description=choice.description,
                                     from_date=start, to_date=end, requested_units=1))
        message.picker.set_text("")
        message.picker.input.stay()
        self._render_lines(dict(self.form.raw if self.form else raw))
        self._changed()

    @on(LineRow.RemoveAsked)
    def _line_removed(self, message: LineRow.RemoveAsked) -> None:
        self.collect_form()
        raw = dict(self.form.raw)
        self._lines.pop(message.index)
        # Row-indexed raw text moves up with its row.
        shifted = {}
        for key, value in raw.items():
            match = _LINE_FIELD.match(key)
            if not match:
                continue
            index = int(match.group(1))
            if index > message.index:
                shifted[f"line-{index - 1}-{match.group(2)}"] = value
            elif index < message.index:
                shifted[key] = value
        self._errors = {k: v for k, v in self._errors.items() if not k.startswith("line-")}
        self._render_lines(shifted, focus="line-code")
        self._changed()

    @on(AttachmentRow.RemoveAsked)
    def _attachment_remove_asked(self, message: AttachmentRow.RemoveAsked) -> None:
        self._remove_attachment(message.attachment.id)

    # ----- change tracking and autosave -----

    # ----- change tracking and autosave -----

    def _changed(self) -> None:
        """Something was typed or chosen: save after a pause, or at the latest
        ``AUTOSAVE_MAX_SECONDS`` after the first unsaved change (a clerk who never pauses)."""
        if not self._ready:
            return
        if self._idle_timer is not None:
            self._idle_timer.stop()
        now = time.monotonic()
        if self._changed_since is None:
            self._changed_since = now
        wait = min(self.AUTOSAVE_SECONDS, self._changed_since + self.AUTOSAVE_MAX_SECONDS - now)
        if wait <= 0:
            self._idle_timer = None
            self._idle_save()
        else:
            self._idle_timer = self.set_timer(wait, self._idle_save, name="wizard-autosave")

    def _idle_save(self) -> None:
        self._idle_timer = None
        self._changed_since = None
        self._request_save(only_if_changed=True)

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        field_id = event.input.id or ""
        if field_id in self._errors:
            self._validate_input(field_id, event.value, quiet=True)
        if field_id in ("member-id", "start-date", "medicaid-id"):
            self._check_eligibility_if_ready()
        self._changed()

    @on(Checkbox.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    @on(YesNoField.Answered)
    def _choice_changed(self, event: Message) -> None:
        if isinstance(event, SelectionList.SelectedChanged) and self.step == STEP_URGENCY and self._ready:
            if self.focused is event.selection_list:
                self._criteria_touched = True
        self._changed()

    @on(RadioSet.Changed, "#urgency")
    def _urgency_changed(self, event: RadioSet.Changed) -> None:
        if self.focused is event.radio_set:
            self._urgency_touched = True
        self._changed()

    # ----- field validation -----

    def _validate_input(self, field_id: str, value: str, *, quiet: bool = False) -> bool:
        """Check a field; show or clear its message. ``quiet`` only clears."""
        message = ""
        if value.strip():
            try:
                parsed = parse_field(field_id, value)
            except ValidationError as exc:
                message = next(iter(exc.errors.values()), str(exc))
            else:
                message = self._cross_check(field_id, parsed)
        if message and quiet:
            return False
        self._show_error(field_id, message)
        return not message

    def _cross_check(self, field_id: str, parsed) -> str:
        """Rules between fields: an end never before its start."""
        from store import validate

        def start_of(start_id: str):
            if start_id == "start-date":
                return self._member_form().start_date
            try:
                text = self._input(start_id).value
                return parse_field(start_id, text) if text.strip() else None
            except (ValidationError, NoMatches):
                return None

        if field_id.startswith("newborn-"):
            from store.services.newborn import newborn_errors
            from store.validate import today

            return newborn_errors(self.collect_form(), today()).get(field_id, "")
        pairs = {"end-date": "start-date"}
        line = _LINE_FIELD.match(field_id)
        if line and line.group(2) == "to":
            pairs[field_id] = f"line-{line.group(1)}-from"
        start_id = pairs.get(field_id)
        if start_id is None:
            return ""
        start = start_of(start_id)
        if start is None:
            return ""
        try:
            validate.check_date_range(start, parsed, field_id)
        except ValidationError as exc:
            return next(iter(exc.errors.values()), str(exc))
        return ""

    def _show_error(self, field_id: str, message: str) -> None:
        try:
            widget = self.query_one(f"#{field_id}")
        except NoMatches:
            return
        widget.set_class(bool(message), "-invalid")
        if message:
            self._errors[field_id] = message
        else:
            self._errors.pop(field_id, None)
        error_id = f"line-{_LINE_FIELD.match(field_id).group(1)}-error" if _LINE_FIELD.match(field_id) else f"{field_id}-error"
        try:
            error = self.query_one(f"#{error_id}", Static)
        except NoMatches:
            return
        if _LINE_FIELD.match(field_id):
            index = _LINE_FIELD.match(field_id).group(1)
            message = " ".join(v for k, v in self._errors.items() if k.startswith(f"line-{index}-"))
        error.update(message)
        error.set_class(bool(message), "-shown")
        error.display = bool(message) or not error.has_class("field-error") or bool(message)

    @on(Input.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        field_id = event.input.id or ""
        if field_id in self._validated_inputs() or _LINE_FIELD.match(field_id):
            self._validate_input(field_id, event.value)

    # ----- eligibility -----

    def _eligibility_key_now(self) -> tuple[str, str, date] | None:
        form = self._member_form()
        if not form.member_id or form.start_date is None:
            return None
        return (form.member_id, form.medicaid_id, form.start_date)

    def _show_eligibility(self, text: str) -> None:
        """The eligibility line of step 1 (kept for when it is built)."""
        self._eligibility_text = text
        if STEP_MEMBER in self._steps:
            self._steps[STEP_MEMBER].show_eligibility(text)

    def _check_eligibility_if_ready(self) -> None:
        key = self._eligibility_key_now()
        if key == self._eligibility_key:
            return
        # Another member, Medicaid ID or date: the last answer, refusal included, no longer holds
        # (an Enter right after retyping the ID must wait for the new answer, not show the old refusal).
        self._eligibility_key = key
        self._eligibility = None
        self._eligibility_error = ""
        if key is None:
            self._show_eligibility("")
            return
        self._show_eligibility("[dim]Looking up eligibility…[/dim]")
        self._look_up_eligibility(key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="wizard-eligibility")
    def _look_up_eligibility(self, key: tuple[str, str, date]) -> None:
        from store.services.eligibility import check_eligibility

        member, medicaid, start = key
        try:
            with self.app.store.session() as session:
                record = check_eligibility(session, member, start, medicaid_id=medicaid)
        except (NotFoundError, NotEligibleError, ValidationError) as exc:
            self.post_message(self.EligibilityRefused(key, str(exc)))
            return
        self.post_message(self.EligibilityFound(key, record))

    @on(EligibilityFound)
    def _eligibility_found(self, message: EligibilityFound) -> None:
        if message.key != self._eligibility_key:
            return
        record = message.record
        self._eligibility = record
        self._eligibility_error = ""
        self._show_error("member-id", "")
        end = format_date(record.coverage_end) if record.coverage_end else "open"
        group = f" · group {escape(record.group_number)}" if record.group_number else ""
        self._show_eligibility(
            f"[green]✓ Eligible[/green]  [b]{escape(record.last_name)}, {escape(record.first_name)}[/b]  "
            f"DOB {format_date(record.birth_date)}  Sex {escape(record.sex)}\n"
            f"  {escape(record.plan_name)}{group} · {escape(str(record.coverage_order))} coverage "
            f"{format_date(record.coverage_start)} – {end}"
        )
        self._update_banner()
        if self._advance_when_eligible:
            self._advance_when_eligible = False
            if self.step == STEP_MEMBER:
                self._advance_from("start-date")

    @on(EligibilityRefused)
    def _eligibility_refused(self, message: EligibilityRefused) -> None:
        if message.key != self._eligibility_key:
            return
        self._eligibility = None
        self._eligibility_error = message.message
        self._advance_when_eligible = False
        self._update_banner()
        self._show_eligibility("[red]✗ Not eligible — the request cannot go on.[/red]")
        self._show_error("member-id", message.message)
        if self.step == STEP_MEMBER:
            self._focus_id("member-id")

    # ----- moving between fields and steps -----

    def _step_fields(self, step: int) -> list[tuple[str, bool]]:
        """(field id, required) in Enter order for ``step``."""
        if step == STEP_MEMBER:
            return [("member-id", True), ("medicaid-id", False), ("start-date", True)]
        if step == STEP_PROVIDERS:
            fields = [("requesting-provider", True), ("servicing-provider", True)]
            if self.kind.is_inpatient:
                fields.append(("facility-provider", True))
            return fields
        if step == STEP_SERVICES:
            fields = [("care-setting", True), ("category", True), ("treatment-type", True),
                      ("place-of-service", True), ("end-date", True)]
            if self.kind is RequestKind.EMERGENT_ADMISSION:
                fields += [("admitted-via-er", False), ("admission-at", True)]
            if self.kind is RequestKind.NEWBORN:
                fields += [("delivery-date", True), ("delivery-type", True),
                           ("birth-weight", True), ("nicu", False), ("newborn-member-id", False),
                           ("newborn-first-name", False), ("newborn-last-name", False), ("newborn-sex", False),
                           ("newborn-birth-date", False)]
            for index in range(len(self._lines)):
                fields += [(f"line-{index}-units", True)]
            fields += [("diagnosis-search", True), ("line-code", True)]
            # Line units sit with their rows, after the add-diagnosis field in Enter order.
            fields.sort(key=lambda f: 1 if f[0] == "line-code" else 0)
            return fields
        if step == STEP_URGENCY:
            return [("urgency", False), ("expedited-reasons", False), ("benefits-reference", False)]
        if step == STEP_CLINICAL:
            return [(wid, True) for wid in self._clinical_ids] + [("attachment-add", True)]
        if step == STEP_CONTACT:
            return [("contact-name", True), ("contact-phone", True), ("contact-phone-ext", False),
                    ("contact-fax", True), ("contact-email", True)]
        return [("missing-list", True), ("submit", False)]

    def _needs_value(self, field_id: str) -> bool:
        """Whether Enter should stop at ``field_id`` (empty or invalid); a step not built answers from the draft."""
        if field_id in self._errors:
            return True
        if field_id == "diagnosis-search":
            return not self._diagnoses
        if field_id == "line-code":
            return not self._lines
        if field_id == "attachment-add":
            return not self._attachments
        if field_id == "missing-list":
            return bool(self._all_missing())
        clinical = self._clinical_ids.get(field_id)
        if clinical is not None:
            index, question_id = clinical
            return not self._lines[index].clinical_answers.get(question_id, "")
        if field_id.endswith("-provider") and STEP_PROVIDERS in self._steps:
            return self._steps[STEP_PROVIDERS].needs_value(field_id)
        if field_id == "place-of-service" and STEP_SERVICES in self._steps:
            return not self.query_one(PlaceOfServicePicker).code
        try:
            widget = self.query_one(f"#{field_id}")
        except NoMatches:
            attr = {"birth-weight": "birth_weight_grams"}.get(field_id, field_id.replace("-", "_"))
            attr = attr + "_id" if attr.endswith("_provider") else attr
            return getattr(self._source, attr, None) in (None, "", []) and attr not in self._source.raw
        if isinstance(widget, Select):
            return widget.value in (Select.NULL, None)
        if isinstance(widget, Input):
            return not widget.value.strip()
        if isinstance(widget, YesNoField):
            return not widget.value
        return False

    def _advance_from(self, field_id: str) -> None:
        """Enter in ``field_id``: the next field that needs a value, or the next step."""
        fields = self._step_fields(self.step)
        ids = [f for f, _ in fields]
        position = ids.index(field_id) if field_id in ids else -1
        for next_id, required in fields[position + 1:]:
            if required and self._needs_value(next_id):
                self._focus_id(next_id)
                return
        if self.step < STEP_REVIEW:
            self._go(self.step + 1)

    def _first_field_to_fill(self, step: int) -> str | None:
        fields = self._step_fields(step)
        for field_id, required in fields:
            if required and self._needs_value(field_id):
                return field_id
        return fields[0][0] if fields else None

    def _focus_id(self, field_id: str, *, now: bool = False) -> bool:
        """Focus the widget with ``field_id`` (rows fall back to their add field); ``now``: before the next key."""
        candidates = [field_id]
        line = _LINE_FIELD.match(field_id)
        if line:
            candidates.append("line-code")
        if field_id.startswith("diagnosis-"):
            candidates.append("diagnosis-search")
        if field_id == "clinical-questions":
            unanswered = [wid for wid in self._clinical_ids if self._needs_value(wid)]
            candidates = unanswered[:1] + list(self._clinical_ids)[:1] + ["attachment-add"]
        for candidate in candidates:
            try:
                widget = self.query_one(f"#{candidate}")
            except NoMatches:
                continue
            if not widget.focusable:
                # A container: its first focusable child.
                widget = next((child for child in widget.query("*") if child.focusable), None)
            if widget is not None:
                if now:
                    self.set_focus(widget)
                else:
                    widget.focus()
                return True
        return False

    def _go(self, step: int, *, save: bool = True, focus: str | None = None) -> None:
        """Show ``step`` (built on its first visit); leaving a step saves it.

        From here until the step's field has focus, the keys typed are held
        (``AuthDeskApp.hold_keys``) and then delivered to it in order.
        """
        if not self._ready:
            return
        leaving = self.step
        if leaving != step or step not in self._steps:
            self._hold_keys()
        self.collect_form()
        if leaving != step:
            self._validate_step(leaving)
        self._visited.add(leaving)
        if leaving != step:
            self._left.add(leaving)
        self.step = step
        self._visited.add(step)
        self.query_one(StepHeader).current = step
        self._update_banner()
        self._update_header()
        self.refresh_bindings()
        if save and leaving != step:
            self._request_save(only_if_changed=True)
        else:
            self._run_check()
        if step in self._steps:
            self._show_step(step, focus)
        else:
            self.call_next(self._build_step, step, focus)

    async def _build_step(self, step: int, focus: str | None) -> None:
        """Compose ``step``, show the draft in it, and show it if the clerk is still going there."""
        if step not in self._steps and step not in self._building:
            self._building.add(step)
            widget = self._make_step(step)
            widget.display = False
            try:
                await self.query_one("#wizard-steps", ContentSwitcher).mount(widget)
            finally:
                self._building.discard(step)
            self._steps[step] = widget
            with self.prevent(*EDIT_MESSAGES):
                self._load_step(widget)
            if self._baseline is not None:
                # What the new step shows for the draft is the baseline of its fields (a phone
                # formatted is not a change), as at load for the steps built then.
                shown = copy.deepcopy(self._baseline.shown)
                widget.collect(shown)
                self._baseline.shown = shown
        if self.step == step and step in self._steps:
            self._show_step(step, focus)

    def _make_step(self, step: int) -> WizardStep:
        """The widget of ``step`` for this kind (not mounted)."""
        inpatient = self.kind.is_inpatient
        if step == STEP_MEMBER:
            from store.services.newborn import MEMBER_ID_LABEL

            label = MEMBER_ID_LABEL if self.kind is RequestKind.NEWBORN else "Member ID"
            return MemberStep(inpatient=inpatient, member_label=label)
        if step == STEP_PROVIDERS:
            return ProvidersStep(inpatient=inpatient, providers=self._providers)
        if step == STEP_SERVICES:
            return ServicesStep(kind=self.kind)
        return {STEP_URGENCY: UrgencyStep, STEP_CLINICAL: ClinicalStep, STEP_CONTACT: ContactStep,
                STEP_REVIEW: ReviewStep}[step]()

    def _show_step(self, step: int, focus: str | None) -> None:
        self.query_one("#wizard-steps", ContentSwitcher).current = f"step-{step}"
        if step == STEP_SERVICES:
            self._steps[step].prepare(self.form.start_date if self.form else None,
                                      propose_end=not self._opened_from_store)
        if step == STEP_URGENCY:
            self._prepare_urgency()
        if step == STEP_CLINICAL:
            self._render_clinical()
        if step == STEP_REVIEW:
            self._render_review()
        self.call_later(self._focus_on_arrival, step, focus)

    def _hold_keys(self) -> None:
        """Hold the keys typed from now on until :meth:`_release_keys` (a step is being shown)."""
        hold = getattr(self.app, "hold_keys", None)
        if hold is not None:
            hold()

    def _release_keys(self) -> None:
        """Let the keys typed while the wizard opened reach the focused field (see KindPickerScreen)."""
        release = getattr(self.app, "release_keys", None)
        if release is not None:
            release()

    def on_unmount(self) -> None:
        """Never leave keys held."""
        self._release_keys()

    def focus_first_field(self) -> None:
        """Focus the current step's first field to fill, now (not after the next refresh)."""
        target = self._first_field_to_fill(self.step)
        if target:
            self._focus_id(target, now=True)

    def _focus_on_arrival(self, step: int, focus: str | None) -> None:
        """Focus ``focus``, or the step's first field that needs a value (after rows are rebuilt); release the keys."""
        try:
            if self.step != step:
                return
            focused = self.focused
            if focus is None and focused is not None and self._steps[step] in focused.ancestors:
                return  # the clerk is already typing in this step (keys typed ahead)
            target = focus or self._first_field_to_fill(step)
            if target:
                self._focus_id(target, now=True)
        finally:
            self._release_keys()

    def _validate_step(self, step: int) -> None:
        """Show the messages of the step's typed fields (leaving never blocks)."""
        widget = self._steps.get(step)
        for field_id in widget.validated_inputs() if widget is not None else ():
            value = self._input(field_id).value
            if value.strip():
                self._validate_input(field_id, value)

    def _prepare_urgency(self) -> None:
        """Pre-tick the expedited criteria the app can derive (until the clerk changes them)."""
        if self._criteria_touched or self.form is None:
            return
        derived = self._derived_criteria()
        if self._opened_from_store:
            # A stored draft keeps what was chosen: the app's derivation is only proposed.
            self._show_urgency_proposal(derived)
            return
        self._apply_criteria(derived)

    def _derived_criteria(self) -> list[str]:
        """The expedited criteria the app can tell from the form as it is."""
        from store.services.expedite import derive_expedited_criteria
        from store.types import utcnow

        form = self.form
        derived = derive_expedited_criteria(
            form, utcnow().date(),
            diagnosis_codes=tuple(d.code for d in form.diagnoses),
            line_codes=tuple(line.code for line in form.lines),
        )
        return [ExpeditedCriterion(c).value for c in derived]

    def _show_urgency_proposal(self, derived: list[str]) -> None:
        """Show what the app would tick, when it differs from what is ticked (``a`` accepts it)."""
        reasons = self.query_one("#expedited-reasons", SelectionList)
        urgency = self.query_one("#urgency", UrgencySet)
        expedited = urgency.urgency is Urgency.EXPEDITED
        differs = set(derived) != set(reasons.selected) or (bool(derived) != expedited)
        self._proposal = derived if differs else None
        text = ""
        if differs:
            what = ", ".join(ExpeditedCriterion(c).label for c in derived) or "none"
            text = (f"The app proposes: {'expedited' if derived else 'standard'} (criteria: {escape(what)})"
                    " — press a to accept, or leave it as it is.")
        self.query_one("#urgency-proposal", Static).update(text)
        self.refresh_bindings()

    def action_accept_proposal(self) -> None:
        """Take the urgency and criteria the app proposes."""
        if self._proposal is None:
            return
        self._criteria_touched = self._urgency_touched = True
        self._apply_criteria(self._proposal, force=True)
        self._proposal = None
        self.query_one("#urgency-proposal", Static).update("")
        self.refresh_bindings()
        self._changed()

    def _apply_criteria(self, derived: list[str], *, force: bool = False) -> None:
        """Tick ``derived`` and set the urgency to match (unless the clerk chose it)."""
        reasons = self.query_one("#expedited-reasons", SelectionList)
        reasons.deselect_all()
        for criterion in derived:
            reasons.select(criterion)
        if force or not self._urgency_touched:
            self.query_one("#urgency", UrgencySet).action_choose(1 if derived else 0)

    def _update_banner(self) -> None:
        """The member line shown on every step after the first: name, DOB, plan, coverage."""
        banner = self.query_one("#member-banner", Static)
        record = self._eligibility
        member = escape(self._member_form().member_id) or "—"
        if record is not None:
            end = format_date(record.coverage_end) if record.coverage_end else "open"
            text = (f"[b]{escape(record.last_name)}, {escape(record.first_name)}[/b] · {member} · "
                    f"DOB {format_date(record.birth_date)} · {escape(record.plan_name)} · "
                    f"{escape(str(record.coverage_order))} {format_date(record.coverage_start)} – {end}")
        elif self._eligibility_error:
            text = f"[red]Member {member}: not eligible (step 1)[/red]"
        else:
            text = f"Member {member} · eligibility not checked yet"
        banner.update(text)
        banner.set_class(self.step != STEP_MEMBER, "-shown")

    def _update_header(self) -> None:
        """A step is judged once the clerk has left it; the review step once visited."""
        header = self.query_one(StepHeader)
        missing_steps = {item.step for item in self._all_missing()}
        states = []
        for index in range(len(STEPS)):
            if index == STEP_REVIEW:
                judged = index in self._visited
                bad = bool(missing_steps)
            else:
                judged = index in self._left
                bad = index in missing_steps
            if not judged:
                states.append(StepState.UNTOUCHED)
            else:
                states.append(StepState.INVALID if bad else StepState.COMPLETE)
        header.states = tuple(states)

    def _error_step(self, field_id: str) -> int:
        for index, step in self._steps.items():
            if step.query(f"#{field_id}"):
                return index
        return STEP_SERVICES

    def _all_missing(self) -> list[MissingItem]:
        """The store's missing items plus fields showing a message here."""
        items = list(self._missing)
        known = {item.field for item in items}
        for field_id, message in self._errors.items():
            if field_id not in known:
                items.append(MissingItem(self._error_step(field_id), field_id, message))
        if self._eligibility_error and "member-id" not in known:
            items.insert(0, MissingItem(STEP_MEMBER, "member-id", self._eligibility_error))
        return items

    # ----- actions -----

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show step-specific keys only where they work."""
        if action == "browse_file":
            return self.step == STEP_CLINICAL
        if action == "accept_proposal":
            return self.step == STEP_URGENCY and self._proposal is not None
        if action == "previous_step":
            return self.step > 0
        if action == "next_step":
            return self.step < STEP_REVIEW
        if action == "go_step" and len(parameters) > 1:
            return self.step != STEP_MEMBER  # F4 on step 1 looks the member up
        return True

    def action_next_step(self) -> None:
        """Go to the next step."""
        if self.step < STEP_REVIEW:
            self._go(self.step + 1)

    def action_previous_step(self) -> None:
        """Go to the previous step."""
        if self.step > 0:
            self._go(self.step - 1)

    def action_go_step(self, index: int, key: str = "") -> None:
        """Jump to step ``index``; on the current step, go to its first field."""
        if index != self.step:
            self._go(index)
            return
        fields = self._step_fields(index)
        if fields:
            self._focus_id(fields[0][0], now=True)

    def action_add_code(self, field_id: str) -> None:
        """Go to the field that adds a diagnosis or a service line (on the Services step)."""
        if self.step != STEP_SERVICES:
            self._go(STEP_SERVICES, focus=field_id)
        else:
            self._focus_id(field_id)

    def action_save(self) -> None:
        """Save the draft now."""
        self._request_save(only_if_changed=False)

    def action_leave(self) -> None:
        """Save (if anything changed) and go back."""
        if not self._ready:
            self.dismiss(None)
            return
        form = self.collect_form()
        if self._unchanged(form):
            self.dismiss(None)
            return
        self._leave_after_save = True
        self._request_save(only_if_changed=False)

    def _unchanged(self, form: DraftForm, *, step_too: bool = False) -> bool:
        """Whether the clerk changed nothing since the draft was opened or last saved."""
        return self._baseline is not None and self._baseline.unchanged(form, step_too=step_too)

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        field_id = event.input.id or ""
        if field_id == "attachment-add":
            event.stop()
            self._attach_typed_path()
            return
        if field_id in self._validated_inputs() or _LINE_FIELD.match(field_id):
            if not self._validate_input(field_id, event.value) and event.value.strip():
                return
        if field_id in ("member-id", "medicaid-id", "start-date") and self.step == STEP_MEMBER:
            # The member must be eligible on the start date before the request goes on.
            self._check_eligibility_if_ready()
            if self._eligibility_error and self._eligibility_key is not None:
                self._show_error("member-id", self._eligibility_error)
                self._focus_id("member-id")
                return
            if self._eligibility is None and self._eligibility_key is not None:
                self._advance_when_eligible = True
                return
        line = _LINE_FIELD.match(field_id)
        if line:
            # Enter in a line's field: on to the next line's units, or add another line.
            index = int(line.group(1))
            self._focus_id(f"line-{index + 1}-units" if index + 1 < len(self._lines) else "line-code")
            return
        if field_id.startswith("clinical-"):
            self._advance_from(field_id)
            return
        self._advance_from(field_id)

    @on(SearchPicker.Picked)
    def _picked(self, message: SearchPicker.Picked) -> None:
        self._changed()
        if message.picker.id in ("diagnosis-search-picker", "line-code-picker"):
            return
        self._advance_from(message.picker.input_id)

    @on(SearchPicker.EnterOnEmpty)
    def _enter_on_empty(self, message: SearchPicker.EnterOnEmpty) -> None:
        field_id = message.picker.input_id
        if field_id == "line-code" and self._lines and self.step == STEP_SERVICES:
            self._advance_from("line-code")
            return
        self._advance_from(field_id)

    @on(ChoiceSelect.Picked)
    def _select_picked(self, message: ChoiceSelect.Picked) -> None:
        if message.select.id:
            self.call_after_refresh(self._advance_from, message.select.id)

    @on(YesNoField.Answered)
    def _answered(self, message: YesNoField.Answered) -> None:
        self._clinical_answer_changed(message.field.id or "", message.value)
        self._advance_from(message.field.id or "")

    @on(UrgencySet.EnterPressed)
    def _urgency_enter(self) -> None:
        self._advance_from("urgency")

    @on(Button.Pressed, "#attachment-browse")
    def _browse_pressed(self) -> None:
        self.action_browse_file()

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(OptionList.OptionSelected, "#missing-list")
    def _missing_selected(self, event: OptionList.OptionSelected) -> None:
        items = self._all_missing()
        index = event.option_index
        if 0 <= index < len(items):
            item = items[index]
            self._go(item.step, focus=item.field)

    # ----- clinical documentation -----

    def _render_clinical(self) -> None:
        if STEP_CLINICAL in self._steps:
            self.call_later(self._steps[STEP_CLINICAL].show_lines, self._lines)

    @property
    def _clinical_ids(self) -> dict[str, tuple[int, str]]:
        """Field id → (line, question) of every clinical question of the lines (shown or not yet)."""
        return clinical_ids(self._lines)

    def _clinical_answer_changed(self, widget_id: str, value: str) -> None:
        ids = self._clinical_ids
        if widget_id not in ids:
            return
        index, question_id = ids[widget_id]
        line = self._lines[index]
        if value:
            line.clinical_answers[question_id] = value
        else:
            line.clinical_answers.pop(question_id, None)
        if STEP_CLINICAL in self._steps:
            self._steps[STEP_CLINICAL].show_outcome(index, line)
        self._changed()

    @on(Input.Changed)
    def _clinical_text_changed(self, event: Input.Changed) -> None:
        if (event.input.id or "").startswith("clinical-"):
            self._clinical_answer_changed(event.input.id, event.value.strip())

    @on(Select.Changed)
    def _clinical_choice_changed(self, event: Select.Changed) -> None:
        if (event.select.id or "").startswith("clinical-"):
            value = event.value if isinstance(event.value, str) else ""
            self._clinical_answer_changed(event.select.id, value)

    # ----- attachments -----

    def _attach_typed_path(self) -> None:
        field_input = self._input("attachment-add")
        path = field_input.value.strip().strip("'\"")
        if not path:
            self._advance_from("attachment-add")
            return
        self._attach_path(path)

    def _attach_path(self, path: str) -> None:
        self._show_error("attachment-add", "")
        if self.request_id is None:
            # A file belongs to a saved draft: save first, then attach.
            self._after_save.append(lambda: self._attach_file(path))
            self._request_save(only_if_changed=False)
            return
        self._attach_file(path)

    @work(thread=True, exclusive=False, exit_on_error=False, group="wizard-attach")
    def _attach_file(self, path: str) -> None:
        from store.services.attachments import add_attachment

        before = self.version
        try:
            record = add_attachment(self.app.store, self.app.user, self.request_id, path)
            version = self._version_after_own_change(before)
        except StoreError as exc:
            message = exc.errors.get("attachment", str(exc)) if isinstance(exc, ValidationError) else str(exc)
            self.post_message(self.AttachFailed(message))
            return
        self.post_message(self.Attached(record, version))

    def _version_after_own_change(self, before: int | None) -> int | None:
        """The draft's version after our own attachment change (runs in a worker).

        A change of one step is ours and is adopted, so the next save is not
        refused as a conflict; anything else is left for the save to detect.
        """
        from store.services.cases import get_case

        with self.app.store.session() as session:
            current = get_case(session, self.app.user, self.request_id).version
        if before is None or current in (before, before + 1):
            return current
        return None

    @on(Attached)
    def _attached(self, message: Attached) -> None:
        if message.version is not None:
            self.version = message.version
        self._attachments.append(message.attachment)
        self._render_attachments()
        self._set_input("attachment-add", "")
        self._show_error("attachment-add", "")
        self.notify(f"Attached {message.attachment.filename}.", timeout=3)
        self.app.post_message(CasesChanged(self.request_id))
        self._run_check()

    @on(AttachFailed)
    def _attach_failed(self, message: AttachFailed) -> None:
        self._show_error("attachment-add", message.message)
        self._focus_id("attachment-add")

    @work(thread=True, exclusive=False, exit_on_error=False, group="wizard-attach")
    def _remove_attachment(self, attachment_id: int) -> None:
        from store.services.attachments import remove_attachment

        before = self.version
        try:
            remove_attachment(self.app.store, self.app.user, self.request_id, attachment_id)
            version = self._version_after_own_change(before)
        except StoreError as exc:
            self.post_message(self.AttachFailed(str(exc)))
            return
        self.post_message(self.AttachmentRemoved(attachment_id, version))

    @on(AttachmentRemoved)
    def _attachment_removed(self, message: AttachmentRemoved) -> None:
        if message.version is not None:
            self.version = message.version
        self._attachments = [a for a in self._attachments if a.id != message.attachment_id]
        self._render_attachments(focus="attachment-add")
        self._run_check()

    def action_browse_file(self) -> None:
        """Choose a file to attach with the file picker."""
        from pathlib import Path

        from textual_fspicker import Filters

        from store.services.attachments import ACCEPTED_TYPES
        from tui.widgets.wizard_file_picker import AttachFileOpen

        suffixes = {s.lower() for s in _accepted_suffixes(ACCEPTED_TYPES)}
        filters = Filters(
            ("Clinical records", lambda p: p.suffix.lower() in suffixes),
            ("Any file", lambda _: True),
        )

        def chosen(path: Path | None) -> None:
            if path is not None:
                AttachFileOpen.remember(Path(path))
                self._attach_path(str(path))

        self.app.push_screen(AttachFileOpen(filters=filters), chosen)

    # ----- saving -----

    def _request_save(self, *, only_if_changed: bool) -> None:
        """Save in a worker; saves never overlap (a second one waits its turn)."""
        if not self._ready or self._submitting:
            return
        form = self.collect_form()
        if only_if_changed and self._unchanged(form) and not self._after_save:
            if self._baseline is not None and self._baseline.stored is not None \
                    and not self._unchanged(form, step_too=True):
                pass  # the step changed: remember where the clerk is
            elif self._leave_after_save and not self._saving:
                self.dismiss(None)
                return
            else:
                self._run_check()
                return
        if self._saving:
            self._save_again = True
            return
        self._saving = True
        self._set_status("saving…")
        self._save(self._to_save(form), copy.deepcopy(form), self.request_id, self.version)

    def _to_save(self, form: DraftForm) -> DraftForm:
        """What to write for ``form``: the clerk's changes over the draft as stored."""
        return self._baseline.to_save(form) if self._baseline is not None else copy.deepcopy(form)

    def save_before_exit(self) -> str:
        """The app is ending on an unexpected error: write what the clerk typed, now, in this thread.

        A save refused because someone changed the draft meanwhile writes the clerk's
        version as a new draft instead (as the conflict dialog's "save as a copy" does).

        Returns:
            A line for the clerk naming the draft ("" when there was nothing to save).
        """
        from store.services.drafts import save_draft

        if not self._ready or self._submitting or self.app.store is None:
            return ""
        form = self.collect_form()
        if self._unchanged(form):
            return ""
        to_save = self._to_save(form)
        try:
            with self.app.store.session() as session:
                saved = save_draft(session, self.app.user, to_save, request_id=self.request_id,
                                   expected_version=self.version)
        except (ConflictError, InvalidTransitionError):
            with self.app.store.session() as session:
                saved = save_draft(session, self.app.user, to_save)
        return f"What you typed is saved in draft {saved.draft_number}."

    @work(thread=True, exclusive=False, exit_on_error=False, group="wizard-save")
    def _save(self, form: DraftForm, shown: DraftForm, request_id: int | None, version: int | None,
              as_copy: bool = False) -> None:
        from store.services.drafts import save_draft

        try:
            with self.app.store.session() as session:
                saved = save_draft(session, self.app.user, form, request_id=request_id, expected_version=version)
        except ConflictError as exc:
            self.post_message(self.SaveRefused(str(exc), conflict=True))
            return
        except InvalidTransitionError as exc:
            self.post_message(self.SaveRefused(str(exc), closed=True))
            return
        except InvalidFormError as exc:
            self.post_message(self.SaveRefused(str(exc), errors=dict(exc.errors)))
            return
        except StoreError as exc:
            self.post_message(self.SaveRefused(str(exc)))
            return
        self.post_message(self.Saved(saved, form, shown, copy=as_copy))

    def _set_saved(self, saved: SavedDraft) -> None:
        self.request_id = saved.request_id
        self.version = saved.version
        self.draft_number = saved.draft_number
        local = saved.updated_at.astimezone()
        self._status = f"saved {local:%H:%M:%S}"
        self._update_title()

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self._saving = False
        first = self.request_id is None or message.copy
        self._set_saved(message.saved)
        if self._baseline is None:
            self._baseline = DraftBaseline(message.form, message.shown)
        else:
            self._baseline.saved(message.form, message.shown)
        if message.copy:
            self.notify(f"Your version was saved as a new draft, {message.saved.draft_number}.", timeout=6)
        elif first:
            self.notify(f"Draft {message.saved.draft_number} saved. It is not an approval.", timeout=4)
        self.app.post_message(CasesChanged(message.saved.request_id))
        if self._leave_after_save and not self._save_again:
            self.dismiss(None)
            return
        pending, self._after_save = self._after_save, []
        for callback in pending:
            callback()
        if self._save_again:
            self._save_again = False
            self._request_save(only_if_changed=True)
        else:
            self._run_check()

    @on(SaveRefused)
    def _save_refused(self, message: SaveRefused) -> None:
        self._saving = False
        self._save_again = False
        self._leave_after_save = False
        self._after_save = []
        self._set_status("NOT saved")
        if message.conflict:
            self.app.push_screen(SaveConflictScreen(self.draft_number, message.message), self._conflict_choice)
            return
        if message.closed:
            self.notify(message.message, title="This draft can no longer be changed", severity="error",
                        timeout=10)
            return
        if message.errors:
            self._show_save_errors(message.errors)
            return
        self.notify(message.message, title="Not saved", severity="error", timeout=8)

    def _show_save_errors(self, errors: dict[str, str]) -> None:
        """Each message of a refused save at its field; the typed text stays in the fields."""
        shown = [f for f in errors if self.query(f"#{f}")]
        for field_id in shown:
            self._show_error(field_id, errors[field_id])
        elsewhere = [m for f, m in errors.items() if f not in shown]
        count = len(errors)
        where = "at its field" if count == 1 else "at their fields"
        self.notify(" ".join([f"{count} field{'s' * (count != 1)} to correct, shown {where}."] + elsewhere),
                    title="Not saved", severity="error", timeout=8)

    def _conflict_choice(self, choice: str | None) -> None:
        if choice == "reload":
            self._ready = False
            self._set_field_state_enabled(False)
            self._load_draft(self.request_id)
        elif choice == "copy":
            form = self.collect_form()
            self._saving = True
            self._attachments = []
            self._save(self._to_save(form), copy.deepcopy(form), None, None, as_copy=True)
        else:
            self.notify("Not saved. ctrl+s tries again; someone else's version stays until you choose.",
                        severity="warning", timeout=8)

    def _set_status(self, status: str) -> None:
        self._status = status
        self._update_title()

    def _update_title(self) -> None:
        number = f"Draft {self.draft_number}" if self.draft_number else "New draft"
        self.query_one("#wizard-title", WizardTitle).set_title(
            f"[b]{escape(self.kind.label)}[/b] · {number} · {escape(self._status)}",
            "Enter: next field · Tab: every field · F1–F7: jump to a step",
        )

    # ----- completeness -----

    def _run_check(self) -> None:
        if not self._ready:
            return
        self._check(copy.deepcopy(self.collect_form()), len(self._attachments), self.request_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="wizard-check")
    def _check(self, form: DraftForm, attachment_count: int, request_id: int | None) -> None:
        from store.services.completeness import check_form, duplicate_warnings
        from store.types import utcnow

        try:
            with self.app.store.session() as session:
                missing = check_form(session, form, attachment_count, today=utcnow().date())
                duplicates = duplicate_warnings(session, self.app.user, request_id) if request_id else []
        except StoreError as exc:
            missing = [MissingItem(STEP_REVIEW, "submit", str(exc))]
            duplicates = []
        self.post_message(self.Checked(list(missing), list(duplicates)))

    @on(Checked)
    def _checked(self, message: Checked) -> None:
        self._missing = message.missing
        self._duplicates = message.duplicates
        self._update_header()
        if self.step == STEP_REVIEW:
            self._render_review()

    def _render_review(self) -> None:
        step = self._steps.get(STEP_REVIEW)
        if step is None:
            return
        form = self.form or self.collect_form()
        names = {}
        for key, _, label in PROVIDER_FIELDS:
            if key == "facility_provider_id" and not self.kind.is_inpatient:
                continue
            provider = self._providers.get(getattr(form, key))
            names[label] = provider.name if provider is not None else ""
        text = summary(form, eligibility=self._eligibility, provider_names=names,
                       files=[a.filename for a in self._attachments])
        step.show(text, self._duplicates, self._all_missing(), submitting=self._submitting,
                  focus=self.step == STEP_REVIEW)

    # ----- submission -----

    def action_submit(self) -> None:
        """Submit the request (only when nothing is missing)."""
        if self.step != STEP_REVIEW:
            self._go(STEP_REVIEW)
            return
        if self._all_missing() or self._submitting:
            self.notify("Complete the missing items first.", severity="warning")
            return
        if self._saving:
            self._after_save.append(self.action_submit)
            return
        self._submitting = True
        self.query_one("#submit", Button).disabled = True
        self._set_status("submitting…")
        form = self.collect_form()
        changed = not self._unchanged(form)
        self._submit(self._to_save(form) if changed else None, self.request_id, self.version)

    @work(thread=True, exclusive=True, exit_on_error=False, group="wizard-submit")
    def _submit(self, form: DraftForm | None, request_id: int | None, version: int | None) -> None:
        from store.services.drafts import save_draft
        from store.services.submission import submit_request

        try:
            if form is not None or request_id is None:
                with self.app.store.session() as session:
                    saved = save_draft(session, self.app.user, form or self.form, request_id=request_id,
                                       expected_version=version)
                request_id, version = saved.request_id, saved.version
            with self.app.store.session() as session:
                result = submit_request(session, self.app.user, request_id, version)
        except IncompleteError as exc:
            self.post_message(self.SubmitRefused(str(exc), missing=exc.missing))
            return
        except ConflictError as exc:
            self.post_message(self.SubmitRefused(str(exc), conflict=True))
            return
        except StoreError as exc:
            self.post_message(self.SubmitRefused(str(exc)))
            return
        self.post_message(self.SubmitDone(result))

    @on(SubmitDone)
    def _submit_done(self, message: SubmitDone) -> None:
        from tui.screens.submitted import SubmittedScreen

        self._submitting = False
        self.app.post_message(CasesChanged(message.result.request_id))
        self.app.switch_screen(SubmittedScreen(message.result, self.kind))

    @on(SubmitRefused)
    def _submit_refused(self, message: SubmitRefused) -> None:
        self._submitting = False
        self._set_status("not submitted")
        if message.missing:
            self._missing = message.missing
            self._update_header()
            self._render_review()
            self.query_one("#missing-list", OptionList).focus()
            return
        if message.conflict:
            self.app.push_screen(SaveConflictScreen(self.draft_number, message.message), self._conflict_choice)
            return
        self.notify(message.message, title="Not submitted", severity="error", timeout=10)
        self._render_review()


def _organization_provider(session, user) -> ProviderRecord | None:
    """The requesting provider to propose: the user's organization's practitioner, if it has one."""
    from store.services.providers import default_requesting_provider

    return default_requesting_provider(session, user)


def _accepted_suffixes(accepted) -> list[str]:
    """File name endings for the file picker's filter, from the store's accepted types."""
    suffixes: list[str] = []
    values = accepted.values() if isinstance(accepted, dict) else accepted
    for value in values:
        items = value if isinstance(value, list | tuple | set | frozenset) else [value]
        for item in items:
            if isinstance(item, str) and item.startswith("."):
                suffixes.append(item)
    if isinstance(accepted, dict):
        suffixes += [k for k in accepted if isinstance(k, str) and k.startswith(".")]
    return suffixes or [".pdf", ".doc", ".docx", ".xls", ".xlsx", ".txt", ".tif", ".tiff", ".png", ".jpg", ".jpeg"]
