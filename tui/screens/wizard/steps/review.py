"""Step 7: the request summed up, what is still missing, and the submit button."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from store.enums import ExpeditedCriterion, RequestKind
from store.forms import STEPS, DraftForm, MissingItem
from store.texts import NOT_A_GUARANTEE as DISCLAIMER
from tui.screens.wizard.fields import format_date, format_datetime
from tui.screens.wizard.steps.base import WizardStep


def summary(form: DraftForm, *, eligibility, provider_names: dict[str, str], files: list[str]) -> str:
    """The request as the review page sums it up (markup).

    Args:
        eligibility: the member's eligibility record, or None when not verified.
        provider_names: label ("Requesting" …) → the provider's name, for the providers this kind has.
        files: the names of the attached files.
    """
    from store.codes.pos import PLACES_OF_SERVICE

    lines = []
    elig = eligibility
    member = (f"{escape(elig.last_name)}, {escape(elig.first_name)} · DOB {format_date(elig.birth_date)} · "
              f"{escape(elig.plan_name)}") if elig else "[red]not verified[/red]"
    lines.append(f"[b]Member[/b] {escape(form.member_id) or '—'}  {member}")
    lines.append("[b]Providers[/b] " + " · ".join(f"{label}: {escape(name) or '—'}"
                                                   for label, name in provider_names.items()))
    pos = f"{form.place_of_service} {PLACES_OF_SERVICE.get(form.place_of_service, '')}" if form.place_of_service else "—"
    lines.append(
        f"[b]Services[/b] {escape(form.care_setting.value if form.care_setting else '—')} · "
        f"{escape(form.category or '—')} · {escape(form.treatment_type or '—')} · POS {escape(pos)} · "
        f"{format_date(form.start_date) or '—'} – {format_date(form.end_date) or '—'}"
    )
    if form.kind is RequestKind.EMERGENT_ADMISSION:
        lines.append(f"[b]Admission[/b] through the ER: {'yes' if form.admitted_via_er else 'no'} · "
                     f"{format_datetime(form.admission_at) or '—'}")
    if form.kind is RequestKind.NEWBORN:
        from store.services.newborn import mother_member_id

        lines.append(f"[b]Newborn[/b] mother {escape(mother_member_id(form)) or '—'} · delivered "
                     f"{format_date(form.delivery_date) or '—'} · {escape(form.delivery_type or '—')} · "
                     f"{form.birth_weight_grams or '—'} g · NICU {'yes' if form.nicu else 'no'}")
    diagnoses = ", ".join(f"{d.code}{' (primary)' if d.is_primary else ''}" for d in form.diagnoses)
    lines.append(f"[b]Diagnoses[/b] {escape(diagnoses) or '—'}")
    for index, line in enumerate(form.lines):
        mod = "".join(f"-{m}" for m in line.modifiers)
        lines.append(
            f"[b]Line {index + 1}[/b] {escape(line.code + mod)} {escape(line.description[:40])} · "
            f"{format_date(line.from_date) or '—'} – {format_date(line.to_date) or '—'} · "
            f"units {line.requested_units or '—'}"
        )
    reasons = ", ".join(ExpeditedCriterion(r).label for r in form.expedited_reasons)
    lines.append(f"[b]Urgency[/b] {form.urgency.value}{(' — ' + escape(reasons)) if reasons else ''}"
                 f"{' · benefits ref ' + escape(form.benefits_reference) if form.benefits_reference else ''}")
    lines.append(f"[b]Attachments[/b] {escape(', '.join(files)) or '—'}")
    contact = " · ".join(x for x in (form.contact_name, form.contact_phone,
                                     f"ext {form.contact_phone_ext}" if form.contact_phone_ext else "",
                                     f"fax {form.contact_fax}" if form.contact_fax else "",
                                     form.contact_email) if x)
    lines.append(f"[b]Contact[/b] {escape(contact) or '—'}")
    return "\n".join(lines)


class ReviewStep(WizardStep):
    """The summary, the duplicate warnings, the missing items (Enter jumps to one) and submit (F10)."""

    INDEX = 6

    def compose(self) -> ComposeResult:
        yield Static("[b]Review & submit[/b]", classes="step-title")
        yield Static("", id="review-summary")
        yield Static(DISCLAIMER, id="review-disclaimer", classes="hint")
        yield Static("", id="review-duplicates")
        yield Static("", id="missing-title")
        yield OptionList(id="missing-list")
        with Horizontal(id="submit-row"):
            yield Button("Submit request (F10)", id="submit", variant="success", disabled=True)

    def show(self, text: str, duplicates: list[str], items: list[MissingItem], *, submitting: bool,
             focus: bool) -> None:
        """Show the summary ``text``, the warnings and the missing ``items``.

        ``focus``: move focus to submit (nothing missing) or to the list (unless the clerk is in this step's other one).
        """
        self.query_one("#review-summary", Static).update(text)
        self.query_one("#review-duplicates", Static).update(
            "\n".join(f"[yellow]⚠ {escape(w)}[/yellow]" for w in duplicates))
        missing_list = self.query_one("#missing-list", OptionList)
        missing_list.clear_options()
        missing_list.add_options([Option(f"{STEPS[item.step]}: {escape(item.message)}") for item in items])
        missing_list.display = bool(items)
        if items:
            missing_list.highlighted = 0
        title = self.query_one("#missing-title", Static)
        if items:
            title.update(f"[b red]Missing before submitting ({len(items)})[/b red] — Enter on an item jumps to it")
        else:
            title.update("[b green]Nothing is missing: the request can be submitted.[/b green]")
        submit = self.query_one("#submit", Button)
        submit.disabled = bool(items) or submitting
        if focus:
            focused = self.screen.focused
            elsewhere = focused is None or self not in focused.ancestors
            if not items and (elsewhere or focused is missing_list):
                submit.focus()
            elif items and (elsewhere or focused is submit):
                missing_list.focus()
