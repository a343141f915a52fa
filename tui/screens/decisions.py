"""Dialogs for acting on a case: confirm, reject, change urgency, decide a line.

:class:`FormModal` is the shape of every dialog that saves something: the
fields are checked as typed (what cannot even be parsed, e.g. a date like
``13/45``, is refused at once), then ``perform(values)`` runs in a thread
worker — it opens its own session and calls the store service. A
:class:`store.errors.ValidationError` comes back as messages under the fields
it names; any other failure as one line under the form. The dialog closes
(with ``perform``'s result) only when the service succeeded, so nothing typed
is lost on a refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Footer, Input, Label, Select, Static

from store.enums import LineStatus, Urgency
from store.errors import ValidationError
from store.records import CaseDetail, ServiceLineRecord
from tui.errors import field_errors
from tui.format import fmt_dates, fmt_datetime
from tui.widgets.text_input import TextInput

T = TypeVar("T")


def framed_css(screen: str) -> str:
    """The centred, framed ``#form`` of a modal ``screen``, its title, text and hints.

    A screen's DEFAULT_CSS only matches its own class: a modal that is not a
    FormModal (member look-up, plan contacts) adds ``framed_css(its name)``,
    else its title and fields sit in the top-left corner with no frame.
    """
    return f"""
{screen} {{ align: center middle; }}
{screen} > #form {{
    width: 90; max-width: 100%; height: auto; max-height: 100%; overflow-y: auto;
    border: thick $primary; background: $surface; padding: 0 2 1 2;
}}
{screen} #form-title {{ text-style: bold; padding: 1 0 0 0; }}
{screen} .form-text {{ color: $text-muted; height: auto; }}
{screen} .hint {{ color: $text-muted; padding: 1 0 0 0; }}
"""


FORM_CSS = framed_css("FormModal") + framed_css("ConfirmScreen") + """
FormModal .form-row { height: auto; margin: 1 0 0 0; }
FormModal .form-row Label { width: 24; text-style: bold; }
FormModal .form-row Input, FormModal .form-row Select { width: 1fr; }
FormModal .form-row Input { background: $boost; }
FormModal .field-error, FormModal #reason-help { padding: 0 0 0 24; }
FormModal .field-error { color: $error; height: auto; }
FormModal .field-error { display: none; }
FormModal .field-error.-shown { display: block; }
FormModal .form-row Input.-invalid, FormModal .form-row Input.-invalid:focus { border: none; background: $error 30%; }
FormModal #error-form { color: $error; height: auto; padding: 1 0 0 0; display: none; }
FormModal #error-form.-shown { display: block; }
FormModal #error-form.-busy { color: $text-muted; }
FormModal .-hidden { display: none; }
"""


class FormModal(ModalScreen[T], Generic[T]):
    """A dialog that checks what was typed and saves it in a thread worker.

    Args:
        perform: called in a worker thread with :meth:`values`; returns the
            dialog's result or raises (ValidationError → messages at fields).
    """

    DEFAULT_CSS = FORM_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form-cancel", tooltip="Close without changing anything"),
        Binding("ctrl+s", "submit", "Save", id="form-submit", tooltip="Check and save (Enter in a field too)"),
    ]

    @dataclass
    class Done(Message):
        """``perform`` succeeded."""

        result: Any

    @dataclass
    class Refused(Message):
        """``perform`` (or the local check) refused: field → message."""

        errors: dict[str, str]

    def __init__(self, perform: Callable[[dict], T]) -> None:
        super().__init__()
        self.perform = perform
        self.busy = False

    # ----- building -----

    @staticmethod
    def field(name: str, label: str, value: str = "", placeholder: str = "", **kwargs) -> list[Widget]:
        """A labelled one-line input with its own error line: ``#field-<name>``, ``#error-<name>``."""
        return [
            Horizontal(
                Label(label, id=f"label-{name}"),
                TextInput(value, placeholder=placeholder, id=f"field-{name}", compact=True, **kwargs),
                id=f"row-{name}",
                classes="form-row",
            ),
            Static("", id=f"error-{name}", classes="field-error"),
        ]

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield from self.compose_form()
            yield Static("", id="error-form")
            yield Static("Enter or Ctrl+S saves · Esc cancels", classes="hint")
        yield Footer()

    def compose_form(self) -> ComposeResult:
        """The dialog's own widgets (title, text, fields)."""
        yield from ()

    def on_mount(self) -> None:
        first = next(iter(self.query("Input, Select")), None)
        if first is not None:
            first.focus()

    # ----- values and errors -----

    def values(self) -> dict:
        """What was typed, parsed; raise ValidationError (by field) for what cannot be."""
        return {}

    def text(self, name: str) -> str:
        """The text of field ``name``."""
        return self.query_one(f"#field-{name}", Input).value

    def show_errors(self, errors: dict[str, str]) -> None:
        """Put each message under its field (unknown fields: under the form)."""
        self.clear_errors()
        general: list[str] = []
        first: Widget | None = None
        for name, message in errors.items():
            targets = self.query(f"#error-{name}")
            if targets:
                targets.first(Static).update(Text(message))
                targets.first(Static).add_class("-shown")
                fields = self.query(f"#field-{name}")
                if fields:
                    fields.first().add_class("-invalid")
                    first = first or fields.first()
            else:
                general.append(message)
        form_error = self.query_one("#error-form", Static)
        form_error.remove_class("-busy")
        form_error.update(Text("\n".join(general)))
        form_error.set_class(bool(general), "-shown")
        if first is not None and first.focusable:
            first.focus()
        # on a short terminal the dialog scrolls: bring the first message into view
        shown = next(iter(self.query(".field-error.-shown, #error-form.-shown")), None)
        if shown is not None:
            self.call_after_refresh(shown.scroll_visible, animate=False)

    def clear_errors(self) -> None:
        """Remove every message."""
        for static in self.query(".field-error").results(Static):
            static.update("")
            static.remove_class("-shown")
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")
        self.query_one("#error-form", Static).update("")
        self.query_one("#error-form", Static).remove_class("-shown")

    # ----- saving -----

    def action_submit(self) -> None:
        """Check what was typed, then save it in a worker."""
        if self.busy:
            return
        try:
            values = self.values()
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        self.clear_errors()
        self.busy = True
        busy = self.query_one("#error-form", Static)
        busy.add_class("-busy", "-shown")
        busy.update("Saving…")
        self._perform(values)

    @on(Input.Submitted)
    def _enter_in_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-modal")
    def _perform(self, values: dict) -> None:
        try:
            result = self.perform(values)
        except Exception as exc:  # every refusal is shown in the dialog, never a traceback
            self.post_message(self.Refused(field_errors(exc)))
            return
        self.post_message(self.Done(result))

    @on(Done)
    def _done(self, message: Done) -> None:
        self.busy = False
        self.dismiss(message.result)

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self.busy = False
        self.show_errors(message.errors)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)


def _collect(errors: dict[str, str], name: str, parse: Callable[[], Any]) -> Any:
    """Run ``parse``; on ValidationError keep its message under ``name`` and return None."""
    try:
        return parse()
    except ValidationError as exc:
        errors[name] = next(iter(exc.errors.values()))
        return None


def _case_words(case: CaseDetail) -> str:
    number = case.webcert_number or case.draft_number
    return f"{number} · {case.member_name or case.member_id or 'no member'}"


# ----- confirm ---------------------------------------------------------------------


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question: ``y`` confirms, ``n`` or Esc declines.

    Args:
        title: the question, e.g. "Accept WC-0000123?".
        text: what will happen.
        yes: the word on the confirming key, e.g. "Accept".
    """

    DEFAULT_CSS = FORM_CSS
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes", tooltip="Yes, do it"),
        Binding("n", "answer(False)", "No", id="confirm-no", tooltip="No, leave it as it is"),
        Binding("escape", "answer(False)", "Cancel", id="confirm-cancel", tooltip="No, leave it as it is"),
    ]

    def __init__(self, title: str, text: str, yes: str = "Yes") -> None:
        super().__init__()
        self.title_text = title
        self.body_text = text
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(Text(self.title_text), id="form-title")
            yield Static(Text(self.body_text), classes="form-text")
            yield Static(Text(f"y {self.yes} · n No · Esc cancels"), classes="hint")
        yield Footer()

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)


# ----- reject ------------------------------------------------------------------------


class RejectScreen(FormModal[CaseDetail]):
    """Reject a pending case; a specific reason is required (field ``reject-reason``)."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Reject", id="reject-submit", tooltip="Reject the case with this reason"),
    ]

    def __init__(self, case: CaseDetail, perform: Callable[[dict], CaseDetail]) -> None:
        super().__init__(perform)
        self.case = case

    def compose_form(self) -> ComposeResult:
        yield Static(Text(f"Reject {_case_words(self.case)}"), id="form-title")
        yield Static("The clerk sees the reason, and it is printed on the rejection letter.", classes="form-text")
        yield from self.field("reject-reason", "Reason (required)",
                              placeholder="e.g. Member is not eligible on the date of service")

    def values(self) -> dict:
        return {"reason": self.text("reject-reason")}


# ----- urgency -----------------------------------------------------------------------


class UrgencyScreen(FormModal[CaseDetail]):
    """Change a pending case's urgency (standard ⇄ expedited); the decision clock restarts."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Change", id="urgency-submit", tooltip="Change the urgency"),
    ]

    def __init__(self, case: CaseDetail, perform: Callable[[dict], CaseDetail]) -> None:
        super().__init__(perform)
        self.case = case
        current = Urgency(case.urgency)
        self.target = Urgency.STANDARD if current is Urgency.EXPEDITED else Urgency.EXPEDITED

    def compose_form(self) -> ComposeResult:
        from store.services.review import decision_due

        case = self.case
        current = Urgency(case.urgency)
        yield Static(Text(f"Change urgency of {_case_words(case)}"), id="form-title")
        lines = [
            f"Now {current.value}"
            + (f" (requested {Urgency(case.requested_urgency).value})" if case.requested_urgency != case.urgency else "")
            + f", decision due {fmt_datetime(case.decision_due_at)}.",
        ]
        if case.submitted_at is not None:
            lines.append(
                f"As {self.target.value}, the decision is due {fmt_datetime(decision_due(case.submitted_at, self.target))}"
                f" ({'72 hours' if self.target is Urgency.EXPEDITED else '7 days'} after submission)."
            )
        lines.append("Urgency is the clerk's request; the plan may change it, and the clerk is told by mail.")
        yield Static(Text("\n".join(lines)), classes="form-text")
        yield Static(Text(f"Enter changes it to {self.target.value}."), id="urgency-target", classes="form-text")
        yield Static("", id="error-urgency", classes="field-error")
        yield from self.field("note", "Note (optional)", placeholder="why the urgency changes, for the clerk")

    def values(self) -> dict:
        return {"urgency": self.target, "note": self.text("note")}


# ----- decide a line -------------------------------------------------------------------

OUTCOME_CHOICES = (LineStatus.APPROVED, LineStatus.PARTIAL, LineStatus.DENIED, LineStatus.PENDED)


class DecideLineScreen(FormModal[CaseDetail]):
    """Decide one service line: outcome (X12 HCR01 A1–A4), units, dates, reason.

    Units and dates are asked only for Approved (A1) and Partially approved
    (A2); the reason is required for Denied (A3) and says what information is
    needed for Pended (A4).
    """

    BINDINGS = [
        Binding("ctrl+s", "submit", "Decide", id="decide-submit", tooltip="Save the decision (writes a letter)"),
    ]

    def __init__(self, case: CaseDetail, line: ServiceLineRecord, perform: Callable[[dict], CaseDetail]) -> None:
        super().__init__(perform)
        self.case = case
        self.line = line

    def compose_form(self) -> ComposeResult:
        from store.validate import format_date

        line = self.line
        yield Static(Text(f"Decide line {line.line_number} · {line.code} {line.description}".rstrip()), id="form-title")
        units = line.requested_units
        requested = "" if units is None else f"{units} unit{'s' if units != 1 else ''}, "
        dates = fmt_dates(line.from_date or self.case.start_date, line.to_date or self.case.end_date)
        text = Text(f"{_case_words(self.case)}\nRequested: {requested}{dates.replace('–', ' – ')}".rstrip(", "))
        text.append("\nDates as MM/DD/YYYY (or t, t+3). Units and dates only for A1 and A2.", style="dim")
        status = LineStatus(line.status)
        if status is not LineStatus.REQUESTED:
            text.append(f"\nNow {status.label}", style="bold")
            if line.decision_reason:
                text.append(f": {line.decision_reason}")
        yield Static(text, classes="form-text")
        default = LineStatus.APPROVED if status in (LineStatus.REQUESTED, LineStatus.PENDED) else status
        if default not in OUTCOME_CHOICES:
            default = LineStatus.APPROVED
        yield Horizontal(
            Label("Outcome", id="label-outcome"),
            Select([(s.label, s.value) for s in OUTCOME_CHOICES], value=default.value, allow_blank=False,
                   compact=True, id="field-outcome"),
            id="row-outcome",
            classes="form-row",
        )
        yield Static("", id="error-outcome", classes="field-error")
        units = line.authorized_units if line.authorized_units is not None else line.requested_units
        yield from self.field("units", "Authorized units",
                              "" if units is None else str(units), placeholder="whole number")
        yield from self.field("from-date", "Authorized from",
                              format_date(line.authorized_from or line.from_date or self.case.start_date))
        yield from self.field("to-date", "Authorized to",
                              format_date(line.authorized_to or line.to_date or self.case.end_date))
        # a pended line's "information needed" is not the reason for its approval
        yield from self.field("reason", "Reason", line.decision_reason if default is status else "")
        yield Static("", id="reason-help", classes="form-text")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_outcome(self.outcome)

    @property
    def outcome(self) -> LineStatus:
        """The outcome chosen."""
        return LineStatus(self.query_one("#field-outcome", Select).value)

    @on(Select.Changed, "#field-outcome")
    def _outcome_changed(self, event: Select.Changed) -> None:
        self._show_outcome(self.outcome)

    def _show_outcome(self, outcome: LineStatus) -> None:
        grants = outcome in (LineStatus.APPROVED, LineStatus.PARTIAL)
        for name in ("units", "from-date", "to-date"):
            for selector in (f"#row-{name}", f"#error-{name}"):
                self.query_one(selector).set_class(not grants, "-hidden")
        label, help_text = {
            LineStatus.DENIED: ("Reason (required)", "The specific reason for the denial; printed on the letter."),
            LineStatus.PENDED: ("Information needed", "Required: what the plan needs to decide this line."),
        }.get(outcome, ("Note (optional)", "Printed on the letter with the decision."))
        self.query_one("#label-reason", Label).update(label)
        self.query_one("#reason-help", Static).update(help_text)

    def values(self) -> dict:
        from store.validate import parse_date

        outcome = self.outcome
        errors: dict[str, str] = {}
        units = from_date = to_date = None
        if outcome in (LineStatus.APPROVED, LineStatus.PARTIAL):
            units = _collect(errors, "units", lambda: _parse_whole_number(self.text("units")))
            from_date = _collect(errors, "from-date", lambda: parse_date(self.text("from-date"), "from-date"))
            to_date = _collect(errors, "to-date", lambda: parse_date(self.text("to-date"), "to-date"))
        if errors:
            raise ValidationError(errors)
        return {
            "outcome": outcome,
            "units": units,
            "from_date": from_date,
            "to_date": to_date,
            "reason": self.text("reason"),
        }


def _parse_whole_number(text: str) -> int:
    """Authorized units as typed: a whole number (its range is the service's to judge)."""
    cleaned = (text or "").strip().replace(",", "")
    if not cleaned:
        raise ValidationError("Enter the authorized units.", field="units")
    try:
        return int(cleaned)
    except ValueError:
        raise ValidationError(f"“{text.strip()}” is not a whole number of units.", field="units") from None


__all__ = [
    "ConfirmScreen",
    "DecideLineScreen",
    "FormModal",
    "RejectScreen",
    "UrgencyScreen",
]
