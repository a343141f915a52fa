"""Step 5: the clinical review questions of each service line, and the attached records."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from store.enums import ClinicalOutcome
from store.forms import DraftForm, LineInput
from store.records import AttachmentRecord
from store.texts import CLINICALS_NOTE
from store.texts import NOT_A_GUARANTEE as DISCLAIMER
from tui.screens.wizard.steps.base import WizardStep
from tui.widgets.wizard_fields import ChoiceSelect, FormInput, YesNoField
from tui.widgets.wizard_rows import AttachmentRow, FieldRow

REVIEW_REQUIRED_TEXT = (
    "REVIEW REQUIRED: This request requires review. Answer the Document Clinical questions below to continue."
)
CRITERIA_MET_TEXT = (
    "Criteria met for this request. You will receive your authorization status and reference ID after "
    "submitting this request. " + DISCLAIMER
)
REVIEW_AFTER_TEXT = (
    "Review required: a plan clinician will review this line with the clinical records you attach."
)


def clinical_ids(lines: list[LineInput]) -> dict[str, tuple[int, str]]:
    """Field id → (line index, question id) of every question asked for ``lines``, in order."""
    from store.services.clinical import needs_review, question_field_id, questions_for

    ids: dict[str, tuple[int, str]] = {}
    for index, line in enumerate(lines):
        if needs_review(line.code):
            for question in questions_for(line.code):
                ids[question_field_id(index, question.id)] = (index, question.id)
    return ids


def outcome_text(line: LineInput) -> str:
    """What the line's answers so far mean (markup)."""
    from store.services.clinical import evaluate, questions_for

    required = [q for q in questions_for(line.code) if q.required]
    if not all(line.clinical_answers.get(q.id, "") for q in required):
        return f"[b red]{escape(REVIEW_REQUIRED_TEXT)}[/b red]"
    if evaluate(line.code, dict(line.clinical_answers)) is ClinicalOutcome.CRITERIA_MET:
        return f"[green]{escape(CRITERIA_MET_TEXT)}[/green]"
    return f"[yellow]{escape(REVIEW_AFTER_TEXT)}[/yellow]"


class ClinicalStep(WizardStep):
    """The questions of each line that needs review (answers live in the screen's lines), then the files."""

    INDEX = 4
    RAW_KEYS = ("attachment_path",)

    def compose(self) -> ComposeResult:
        from store.services.attachments import (
            ACCEPTED_LABEL,
            MAX_ATTACHMENT_BYTES,
            human_size,
        )

        yield Static("[b]Clinical documentation & attachments[/b]", classes="step-title")
        yield Vertical(id="clinical-lines")
        yield Static("[b]Attachments[/b]", classes="section-title")
        yield Static(CLINICALS_NOTE, classes="hint")
        yield Vertical(id="attachment-rows")
        yield FieldRow("Attach file", FormInput(compact=True, id="attachment-add",
                                                placeholder="type or paste a path; Enter attaches"),
                       hint=f"{ACCEPTED_LABEL}; up to {human_size(MAX_ATTACHMENT_BYTES)}.")
        yield Button("Browse… (ctrl+o)", id="attachment-browse")

    def load(self, form: DraftForm) -> None:
        """The path typed and not attached yet."""
        self.query_one("#attachment-add", Input).value = form.raw.get("attachment_path", "")

    def collect(self, form: DraftForm) -> None:
        """The path typed and not attached yet is kept in raw."""
        self.clear_raw(form)
        path = self.query_one("#attachment-add", Input).value
        if path.strip():
            form.raw["attachment_path"] = path

    async def show_lines(self, lines: list[LineInput]) -> None:
        """Rebuild the questions of ``lines`` with their answers (the ids are :func:`clinical_ids`)."""
        from store.services.clinical import (
            needs_review,
            question_field_id,
            questions_for,
        )

        container = self.query_one("#clinical-lines", Vertical)
        await container.remove_children()
        widgets: list[Widget] = []
        if not lines:
            widgets.append(Static("No service lines yet: add them in step 3.", classes="hint"))
        for index, line in enumerate(lines):
            title = f"[b]Line {index + 1} · {escape(line.code)}[/b] {escape(line.description)}"
            if not needs_review(line.code):
                widgets.append(Static(f"{title}  [green]no clinical review questions for this code[/green]"))
                continue
            widgets.append(Static(title))
            widgets.append(Static(outcome_text(line), id=f"clinical-{index}-outcome", classes="clinical-outcome"))
            for question in questions_for(line.code):
                wid = question_field_id(index, question.id)
                answer = line.clinical_answers.get(question.id, "")
                label = question.text + (" *" if question.required else "")
                if question.kind == "yes_no":
                    field_widget: Widget = YesNoField(answer, id=wid)
                elif question.kind == "choice":
                    field_widget = ChoiceSelect([(o, o) for o in question.options], compact=True, id=wid, prompt="—")
                    if answer in question.options:
                        field_widget.value = answer
                else:
                    field_widget = FormInput(answer, compact=True, id=wid,
                                             type="number" if question.kind == "number" else "text")
                widgets.append(Static(escape(label), classes="question"))
                widgets.append(field_widget)
        await container.mount_all(widgets)

    def show_outcome(self, index: int, line: LineInput) -> None:
        """Refresh what line ``index``'s answers mean."""
        for outcome in self.query(f"#clinical-{index}-outcome").results(Static):
            outcome.update(outcome_text(line))

    async def show_attachments(self, attachments: list[AttachmentRecord]) -> None:
        """One row per attached file."""
        container = self.query_one("#attachment-rows", Vertical)
        await container.remove_children()
        if attachments:
            await container.mount_all([AttachmentRow(a) for a in attachments])
        else:
            await container.mount(Static("No files attached yet.", classes="hint"))
