"""The results screen after a submission (seed 003), where more documents can be attached."""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from store.enums import AttachmentKind, RequestKind, RequestStatus
from store.errors import StoreError, ValidationError
from store.formats import format_local_datetime
from store.forms import SubmissionResult
from store.records import AttachmentRecord, CaseDetail, ServiceLineRecord
from store.services.plan_contacts import PlanContacts
from store.texts import NOT_A_GUARANTEE as DISCLAIMER
from store.texts import PENDED_NOTE
from tui.format import fmt_date
from tui.messages import CasesChanged
from tui.widgets.wizard_rows import AttachmentRow
from tui.widgets.text_input import TextInput

SUBMITTED_TEXT = "Prior Authorization request has been successfully submitted."
WEBCERT_NOTE = (
    "The WebCert number can be used to search for the case. It is NOT the Authorization number. "
    "The pending Authorization number is {auth} ({prefix} number for this kind of request)."
)


def line_result_text(line: ServiceLineRecord) -> str:
    """A service line as seed 003's results screen lists it (markup)."""
    mod = "".join(f"-{m}" for m in line.modifiers)
    units = "—" if line.requested_units is None else str(line.requested_units)
    text = (
        f"Line {line.line_number}: [b]{escape(line.code + mod)}[/b] ({escape(line.code_type)}) "
        f"{escape(line.description[:50])}\n"
        f"    From date: {fmt_date(line.from_date)}   To date: {fmt_date(line.to_date)}   Requested units: {units}"
    )
    if line.authorized_units is not None:
        text += (f"\n    Authorized units: {line.authorized_units}   Authorized dates: "
                 f"{fmt_date(line.authorized_from)} – {fmt_date(line.authorized_to)}")
    return text + f"\n    Status: [b]{escape(line.status_text)}[/b]"


class SubmittedScreen(Screen[None]):
    """Numbers, line statuses and the disclaimer of a just-submitted request.

    Args:
        result: what the submission returned.
        kind: the request's kind (for the SP/IP note).
    """

    DEFAULT_CSS = """
    SubmittedScreen > VerticalScroll { padding: 0 2; }
    SubmittedScreen #submitted-banner { border: round $success; padding: 0 1; height: auto; }
    SubmittedScreen #submitted-numbers { padding: 1 0 0 0; height: auto; }
    SubmittedScreen .hint { color: $text-muted; margin: 1 0 0 0; }
    SubmittedScreen #submitted-files { height: auto; }
    SubmittedScreen .section { margin: 1 0 0 0; text-style: bold; }
    SubmittedScreen #submitted-attach-row { height: auto; display: none; }
    SubmittedScreen #submitted-attach-row.-shown { display: block; }
    SubmittedScreen .field-error { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("a", "attach", "Attach more documents", id="submitted-attach",
                tooltip="Attach more clinical records to this pending case"),
        Binding("ctrl+o", "browse_file", "Browse files", id="submitted-browse",
                tooltip="Choose a file to attach with the file picker"),
        Binding("c", "open_case", "Open case", id="submitted-open-case", tooltip="Show the case detail"),
        Binding("escape,d", "dashboard", "Dashboard", id="submitted-dashboard", tooltip="Back to the dashboard"),
    ]

    @dataclass
    class CaseLoaded(Message):
        """The submitted case was read (lines, attachments) with the plan's contacts."""

        case: CaseDetail
        contacts: PlanContacts | None = None

    @dataclass
    class Attached(Message):
        """A file was attached to the pending case."""

        attachment: AttachmentRecord

    @dataclass
    class AttachFailed(Message):
        """A file was refused."""

        message: str

    def __init__(self, result: SubmissionResult, kind: RequestKind) -> None:
        super().__init__()
        self.result = result
        self.kind = kind
        self.case: CaseDetail | None = None

    def compose(self) -> ComposeResult:
        r = self.result
        with VerticalScroll():
            yield Static(f"[b green]✓ {SUBMITTED_TEXT}[/b green]", id="submitted-banner")
            yield Static(self._numbers_text(approved=False), id="submitted-numbers")
            yield Static(WEBCERT_NOTE.format(auth=escape(r.auth_number), prefix=self.kind.auth_prefix),
                         classes="hint")
            yield Static(DISCLAIMER, classes="hint")
            yield Static("Service lines", classes="section")
            yield Static("Loading…", id="submitted-lines")
            yield Static("Files uploaded", classes="section")
            yield Vertical(id="submitted-files")
            yield Static(PENDED_NOTE + "  Press [b]a[/b] to attach a file.", classes="hint", id="submitted-pended-note")
            yield Static("", id="submitted-contacts", classes="hint")
            with Vertical(id="submitted-attach-row"):
                yield TextInput(id="submitted-attach-path", placeholder="type or paste a path; Enter attaches "
                                                                     "(ctrl+o browses)")
                yield Static("", id="submitted-attach-error", classes="field-error")
        yield Footer()

    def _numbers_text(self, *, approved: bool) -> str:
        r = self.result
        auth_label = "Authorization number" if approved else "Pending Authorization number"
        when = "decided at once: criteria met" if approved else f"decision due by {format_local_datetime(r.decision_due_at)}"
        return (
            f"[b]WebCert number:[/b] {escape(r.webcert_number)}    "
            f"[b]{auth_label}:[/b] {escape(r.auth_number)}    "
            f"[b]Draft / Reference ID:[/b] {escape(r.draft_number)}\n"
            f"Submitted {format_local_datetime(r.submitted_at)} · {when}"
            + (f" · confirmation mail to {escape(r.confirmation_to)} is in the outbox" if r.confirmation_to else "")
        )

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="submitted-load")
    def _load(self) -> None:
        from store.services.cases import get_case
        from store.services.plan_contacts import load_plan_contacts

        try:
            with self.app.store.session() as session:
                case = get_case(session, self.app.user, self.result.request_id)
                contacts = load_plan_contacts(session)
        except StoreError as exc:
            self.post_message(self.AttachFailed(str(exc)))
            return
        self.post_message(self.CaseLoaded(case, contacts))

    @on(CaseLoaded)
    def _case_loaded(self, message: CaseLoaded) -> None:
        from store.services.plan_contacts import SEND_CLINICALS_TEXT

        case = self.case = message.case
        approved = RequestStatus(case.status) is RequestStatus.ACCEPTED
        self.query_one("#submitted-numbers", Static).update(self._numbers_text(approved=approved))
        clinicals = any(a.kind == AttachmentKind.CLINICAL for a in case.attachments)
        banner = f"[b green]✓ {SUBMITTED_TEXT}[/b green]"
        if not clinicals:  # seed 003: only when no clinical information came with the request
            banner += f"\n{escape(SEND_CLINICALS_TEXT)}"
        self.query_one("#submitted-banner", Static).update(banner)
        self.query_one("#submitted-lines", Static).update(
            "\n".join(line_result_text(line) for line in case.lines) or "No service lines.")
        contacts = message.contacts or PlanContacts()
        note = PENDED_NOTE + "  Press [b]a[/b] to attach a file."
        if contacts.clinical_fax:
            note += f" If you are unable to attach clinical information, fax it to [b]{escape(contacts.clinical_fax)}[/b]."
        self.query_one("#submitted-pended-note", Static).update(note)
        self.query_one("#submitted-contacts", Static).update(escape("\n".join(contacts.lines())))
        self._show_files(list(case.attachments))

    def _show_files(self, attachments: list[AttachmentRecord]) -> None:
        container = self.query_one("#submitted-files", Vertical)
        container.remove_children()
        if attachments:
            container.mount_all([AttachmentRow(a, removable=False) for a in attachments])
        else:
            container.mount(Static("No files attached.", classes="hint"))

    def action_attach(self) -> None:
        """Show the path field to attach a file."""
        self.query_one("#submitted-attach-row").add_class("-shown")
        self.query_one("#submitted-attach-path", Input).focus()

    def action_dashboard(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)

    def action_open_case(self) -> None:
        """Open the case detail for this request."""
        request_id = self.result.request_id
        self.dismiss(None)
        self.app.open_case(request_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Letters type into the path field while it has focus."""
        if action in ("attach", "open_case") and isinstance(self.focused, Input):
            return False
        return True

    @on(Input.Submitted, "#submitted-attach-path")
    def _path_entered(self, event: Input.Submitted) -> None:
        path = event.value.strip().strip("'\"")
        if path:
            self._attach_path(path)

    @work(thread=True, exclusive=False, exit_on_error=False, group="submitted-attach")
    def _attach_path(self, path: str) -> None:
        from store.services.attachments import add_attachment

        try:
            record = add_attachment(self.app.store, self.app.user, self.result.request_id, path)
        except StoreError as exc:
            message = exc.errors.get("attachment", str(exc)) if isinstance(exc, ValidationError) else str(exc)
            self.post_message(self.AttachFailed(message))
            return
        self.post_message(self.Attached(record))

    @on(Attached)
    def _attached(self, message: Attached) -> None:
        self.query_one("#submitted-attach-path", Input).value = ""
        self.query_one("#submitted-attach-error", Static).update("")
        self.notify(f"Attached {message.attachment.filename}.", timeout=3)
        self.app.post_message(CasesChanged(self.result.request_id))
        self._load()

    @on(AttachFailed)
    def _attach_failed(self, message: AttachFailed) -> None:
        self.query_one("#submitted-attach-row").add_class("-shown")
        self.query_one("#submitted-attach-error", Static).update(message.message)

    @work(exclusive=True, exit_on_error=False, group="submitted-browse")
    async def action_browse_file(self) -> None:
        """Choose a file to attach with the file picker."""
        from pathlib import Path

        from textual_fspicker import FileOpen, Filters

        from store.formats import has_accepted_suffix

        filters = Filters(
            ("Clinical records", lambda p: has_accepted_suffix(p.name)),
            ("Any file", lambda _: True),
        )
        chosen = await self.app.push_screen_wait(FileOpen(Path.home(), filters=filters))
        if chosen is not None:
            self._attach_path(str(chosen))
