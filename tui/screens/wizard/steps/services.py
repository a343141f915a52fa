"""Step 3: care setting, category, treatment type, place of service, dates, the kind's own fields, codes and lines.

The diagnosis and service-line rows are shown here (``#diagnosis-rows``,
``#line-rows``) but the lists they show belong to the screen, which shares
them with the clinical step.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Select, Static

from store.enums import CareSetting, RequestKind
from store.errors import ValidationError
from store.forms import DraftForm
from tui.screens.wizard.fields import (
    DATE_HINT,
    LINE_FIELD,
    format_date,
    format_datetime,
    parsed_value,
)
from tui.screens.wizard.steps.base import WizardStep
from tui.widgets.code_picker import CodePicker
from tui.widgets.wizard_fields import ChoiceSelect, FormInput, TickBox
from tui.widgets.wizard_rows import FieldRow
from tui.widgets.wizard_search import PickerResult, SearchPicker

NEWBORN_INPUTS = ("newborn-member-id", "newborn-first-name", "newborn-last-name", "newborn-sex", "newborn-birth-date")


class PlaceOfServicePicker(SearchPicker):
    """Type-ahead over the CMS place-of-service list (code or words)."""

    def __init__(self) -> None:
        super().__init__("place-of-service", "code or name, e.g. 11 or office", min_chars=1)
        self.code = ""

    def search(self, text: str) -> list[PickerResult]:
        """Places whose code starts with, or whose name contains, ``text``."""
        from store.codes.pos import PLACES_OF_SERVICE

        needle = text.strip().lower()
        first = [c for c in PLACES_OF_SERVICE if c.startswith(needle)]
        rest = [c for c, name in PLACES_OF_SERVICE.items() if c not in first and needle in name.lower()]
        return [PickerResult(c, f"{c} {PLACES_OF_SERVICE[c]}") for c in (first + rest)[:8]]

    def search_is_quick(self) -> bool:
        """The list is in memory: search as the key is handled."""
        return True

    def resolve(self, text, results, highlighted, moved) -> PickerResult:
        """The typed code when it is one, else the highlighted place."""
        from store.codes.pos import PLACES_OF_SERVICE

        code = text.strip().split(" ")[0]
        if not moved and code.zfill(2) in PLACES_OF_SERVICE and code.isdigit():
            code = code.zfill(2)
            return PickerResult(code, f"{code} {PLACES_OF_SERVICE[code]}")
        if results and highlighted is not None:
            return results[highlighted]
        raise ValidationError(f"“{text}” is not a CMS place of service code.", field="place-of-service")

    def set_code(self, code: str) -> None:
        """Show ``code`` with its name."""
        from store.codes.pos import PLACES_OF_SERVICE

        self.code = code
        self.set_text(f"{code} {PLACES_OF_SERVICE.get(code, '')}".strip() if code else "")

    def on_search_picker_picked(self, message: SearchPicker.Picked) -> None:
        """Remember and show the chosen place."""
        if message.picker is self:
            self.code = message.value
            self.set_text(message.label)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Editing the text forgets the chosen place."""
        if self.code and not event.value.startswith(self.code):
            self.code = ""


class ServicesStep(WizardStep):
    """What is requested: the setting and type, where, when, the kind's own fields, diagnoses and lines.

    Args:
        kind: the request's kind (an admission notice and a newborn notification have fields of their own).
    """

    INDEX = 2
    RAW_KEYS = ("end_date", "place_of_service", "admission_at", "newborn_sex", "newborn_birth_date",
                "delivery_date", "birth_weight_grams", "diagnosis_search", "line_code")

    def __init__(self, *, kind: RequestKind) -> None:
        super().__init__()
        self.kind = kind

    def owns_raw(self, key: str) -> bool:
        """Its fields' keys and the line rows' (``line-0-units`` …)."""
        return key in self.RAW_KEYS or bool(LINE_FIELD.match(key))

    def compose(self) -> ComposeResult:
        inpatient = self.kind.is_inpatient
        yield Static("[b]Services[/b]", classes="step-title")
        yield FieldRow("Care setting", ChoiceSelect(
            [("Inpatient", CareSetting.INPATIENT.value), ("Outpatient", CareSetting.OUTPATIENT.value)],
            id="care-setting", prompt="choose", compact=True), required=True)
        yield FieldRow("Category", ChoiceSelect([], compact=True, id="category", prompt="—"), required=True)
        yield FieldRow("Treatment type", ChoiceSelect([], compact=True, id="treatment-type", prompt="—"),
                       required=True)
        yield FieldRow("Place of service", PlaceOfServicePicker(), required=True, error_id="")
        yield Static("", id="dates-of-service", classes="hint")
        yield FieldRow("Expected discharge" if inpatient else "End date",
                       FormInput(compact=True, id="end-date", placeholder=DATE_HINT), required=True)
        if self.kind is RequestKind.EMERGENT_ADMISSION:
            yield FieldRow("Admitted through the ER", TickBox("yes", id="admitted-via-er"))
            yield FieldRow("Admission date/time", FormInput(compact=True, id="admission-at",
                                                            placeholder="MM/DD/YYYY HH:MM"), required=True)
        if self.kind is RequestKind.NEWBORN:
            yield FieldRow("Delivery date", FormInput(compact=True, id="delivery-date", placeholder=DATE_HINT),
                           required=True)
            yield FieldRow("Delivery type", ChoiceSelect([], compact=True, id="delivery-type", prompt="—"),
                           required=True)
            yield FieldRow("Birth weight", FormInput(compact=True, id="birth-weight",
                                                     placeholder="grams, or 7 lb 4 oz"), required=True)
            yield FieldRow("NICU admission", TickBox("yes", id="nicu"))
            yield from self._newborn_rows()
        yield Static("[b]Diagnosis codes[/b] (ICD-10-CM)  first added is primary · "
                     "on a code: p = primary, delete = remove · alt+d adds one", classes="section-title")
        yield Vertical(id="diagnosis-rows")
        yield FieldRow("Add diagnosis", CodePicker("diagnosis", "diagnosis-search", "code or words, Enter adds"),
                       error_id="")
        yield Static("[b]Service lines[/b] (CPT/HCPCS)  modifier · from · to · units;"
                     " alt+x removes a line · alt+l adds one", classes="section-title")
        yield Vertical(id="line-rows")
        yield FieldRow("Add procedure", CodePicker("procedure", "line-code", "code or words, Enter adds"),
                       error_id="")

    def _newborn_rows(self) -> ComposeResult:
        """The baby, when known (store.services.newborn); the mother is step 1's member."""
        from store.services.newborn import NEWBORN_ID_LABEL

        yield FieldRow(NEWBORN_ID_LABEL, FormInput(compact=True, id="newborn-member-id", placeholder="optional"))
        yield FieldRow("Baby's first name", FormInput(compact=True, id="newborn-first-name", placeholder="optional"))
        yield FieldRow("Baby's last name", FormInput(compact=True, id="newborn-last-name", placeholder="optional"))
        yield FieldRow("Baby's sex", FormInput(compact=True, id="newborn-sex", placeholder="F, M or U"))
        yield FieldRow("Baby's date of birth", FormInput(compact=True, id="newborn-birth-date",
                                                         placeholder="the delivery date when empty"))

    def _input(self, field_id: str) -> Input:
        return self.query_one(f"#{field_id}", Input)

    def validated_inputs(self) -> list[str]:
        """The dates, the admission time and the newborn's fields are checked as typed."""
        ids = ["end-date"]
        if self.kind is RequestKind.EMERGENT_ADMISSION:
            ids.append("admission-at")
        if self.kind is RequestKind.NEWBORN:
            ids += ["delivery-date", "birth-weight", *NEWBORN_INPUTS]
        return ids

    # ----- form <-> fields -----

    def load(self, form: DraftForm) -> None:
        """Show the services as stored (text kept as typed wins). The rows are the screen's."""
        raw = form.raw

        def text(key: str, value: str) -> str:
            return raw.get(key, value)

        self._input("end-date").value = text("end_date", format_date(form.end_date))
        care = self.query_one("#care-setting", ChoiceSelect)
        care.value = form.care_setting.value if form.care_setting else Select.NULL
        self.fill_categories(form.care_setting, form.category)
        self.fill_treatment_types(form.category, form.treatment_type)
        pos = self.query_one(PlaceOfServicePicker)
        if form.place_of_service:
            pos.set_code(form.place_of_service)
        else:
            pos.set_text(raw.get("place_of_service", ""))
        if self.kind is RequestKind.EMERGENT_ADMISSION:
            self.query_one("#admitted-via-er", Checkbox).value = form.admitted_via_er
            self._input("admission-at").value = text("admission_at", format_datetime(form.admission_at))
        if self.kind is RequestKind.NEWBORN:
            from store.services.reference import delivery_types

            self._input("newborn-member-id").value = form.newborn_member_id
            self._input("newborn-first-name").value = form.newborn_first_name
            self._input("newborn-last-name").value = form.newborn_last_name
            self._input("newborn-sex").value = text("newborn_sex", form.newborn_sex)
            born = "" if form.newborn_birth_date in (None, form.delivery_date) else format_date(form.newborn_birth_date)
            self._input("newborn-birth-date").value = text("newborn_birth_date", born)
            self._input("delivery-date").value = text("delivery_date", format_date(form.delivery_date))
            delivery = self.query_one("#delivery-type", ChoiceSelect)
            choices = list(delivery_types())
            if form.delivery_type and form.delivery_type not in choices:
                choices.append(form.delivery_type)
            delivery.set_options([(c, c) for c in choices])
            delivery.value = form.delivery_type or Select.NULL
            weight = str(form.birth_weight_grams) if form.birth_weight_grams else ""
            self._input("birth-weight").value = text("birth_weight_grams", weight)
            self.query_one("#nicu", Checkbox).value = form.nicu
        self.query_one("#diagnosis-search-picker", CodePicker).set_text(raw.get("diagnosis_search", ""))
        self.query_one("#line-code-picker", CodePicker).set_text(raw.get("line_code", ""))

    def collect(self, form: DraftForm) -> None:
        """The services as shown (not the rows: the screen reads those)."""
        self.clear_raw(form)
        raw = form.raw

        def parsed(field_id: str, key: str, default=None):
            return parsed_value(field_id, self._input(field_id).value, key, raw, default)

        form.end_date = parsed("end-date", "end_date")
        care = self.query_one("#care-setting", ChoiceSelect).value
        form.care_setting = CareSetting(care) if care not in (Select.NULL, None) else None
        category = self.query_one("#category", ChoiceSelect).value
        form.category = category if isinstance(category, str) else ""
        treatment = self.query_one("#treatment-type", ChoiceSelect).value
        form.treatment_type = treatment if isinstance(treatment, str) else ""
        pos = self.query_one(PlaceOfServicePicker)
        form.place_of_service = pos.code
        if not pos.code and pos.text:
            raw["place_of_service"] = pos.input.value
        if self.kind is RequestKind.EMERGENT_ADMISSION:
            form.admitted_via_er = self.query_one("#admitted-via-er", Checkbox).value
            form.admission_at = parsed("admission-at", "admission_at")
        if self.kind is RequestKind.NEWBORN:
            form.delivery_date = parsed("delivery-date", "delivery_date")
            form.newborn_member_id = self._input("newborn-member-id").value.strip()
            form.newborn_first_name = self._input("newborn-first-name").value.strip()
            form.newborn_last_name = self._input("newborn-last-name").value.strip()
            form.newborn_sex = parsed("newborn-sex", "newborn_sex", "")
            # Born on the delivery date unless another date is typed.
            form.newborn_birth_date = parsed("newborn-birth-date", "newborn_birth_date", form.delivery_date)
            delivery = self.query_one("#delivery-type", ChoiceSelect).value
            form.delivery_type = delivery if isinstance(delivery, str) else ""
            form.birth_weight_grams = parsed("birth-weight", "birth_weight_grams")
            form.nicu = self.query_one("#nicu", Checkbox).value
        for key, picker_id in (("diagnosis_search", "diagnosis-search"), ("line_code", "line-code")):
            text = self.query_one(f"#{picker_id}-picker", CodePicker).input.value
            if text.strip():
                raw[key] = text

    def prepare(self, start, *, propose_end: bool) -> None:
        """On arrival: show the start date typed in step 1; ``propose_end`` fills an empty end date with it."""
        label = "Admission" if self.kind.is_inpatient else "Start"
        self.query_one("#dates-of-service", Static).update(
            f"{label} date {format_date(start) or '—'} (typed in step 1, alt+1)"
        )
        end = self._input("end-date")
        if propose_end and not end.value.strip() and start is not None and not self.kind.is_inpatient:
            end.value = format_date(start)

    # ----- choices that depend on each other -----

    def fill_categories(self, care_setting: CareSetting | None, current: str = "") -> None:
        """The categories of ``care_setting``; ``current`` stays chosen (kept even when no longer listed)."""
        from store.services.reference import categories

        self._fill_choices("#category", list(categories(care_setting)) if care_setting else [], current)

    def fill_treatment_types(self, category: str, current: str = "") -> None:
        """The treatment types of ``category``; the only one is chosen."""
        from store.services.reference import treatment_types

        options = list(treatment_types(category)) if category else []
        self._fill_choices("#treatment-type", options, current, pick_lone=True)

    def _fill_choices(self, selector: str, options: list[str], current: str, *, pick_lone: bool = False) -> None:
        """Offer ``options`` in the select; ``current`` stays chosen (listed even when no longer offered),
        else with ``pick_lone`` a lone option is chosen."""
        select = self.query_one(selector, ChoiceSelect)
        if current and current not in options:
            options.append(current)
        select.set_options([(o, o) for o in options])
        if current:
            select.value = current
        elif pick_lone and len(options) == 1:
            select.value = options[0]

    @on(Select.Changed, "#care-setting")
    def _care_setting_changed(self, event: Select.Changed) -> None:
        from store.services.reference import categories

        value = event.value
        current = self.query_one("#category", ChoiceSelect).value
        setting = CareSetting(value) if isinstance(value, str) else None
        keep = current if isinstance(current, str) and setting and current in categories(setting) else ""
        self.fill_categories(setting, keep)
        if not keep:
            self.fill_treatment_types("")

    @on(Select.Changed, "#category")
    def _category_changed(self, event: Select.Changed) -> None:
        from store.services.reference import treatment_types

        value = event.value if isinstance(event.value, str) else ""
        current = self.query_one("#treatment-type", ChoiceSelect).value
        keep = current if isinstance(current, str) and value and current in treatment_types(value) else ""
        self.fill_treatment_types(value, keep)
