"""What can be done on the case detail screen, by status and role.

:class:`CaseActionsMixin` is mixed into
:class:`tui.screens.case_detail.CaseDetailScreen` (which provides ``case``,
``request_id``, ``reload()`` and the ``CaseLoaded`` message). It adds:

* keys that fit the case's status and the user's role -- the store's
  :func:`store.services.permissions.allowed_actions` decides, ``check_action``
  hides the others from the footer (``KEY_ACTIONS`` maps each key's action to
  the store's :class:`CaseAction`):

  ===========  =====================  ===========================================
  status       who                    keys
  ===========  =====================  ===========================================
  draft        clerk, administrator   ``e`` edit, ``a`` attach a file
  draft        its creator, admin     ``c`` cancel
  pending      clerk                  ``a`` attach a file
  pending      reviewer               ``A`` accept, ``R`` reject (reason),
                                      ``u`` change urgency
  accepted     reviewer               ``d`` decide the highlighted line
  accepted     clerk                  ``a`` attach (while a line is pended)
  rejected,    clerk                  ``y`` copy into a new draft
  expired,
  cancelled
  submitted    anyone                 ``p`` export as a Da Vinci PAS Bundle
  any          anyone                 ``o`` open the highlighted file in the
                                      system viewer, ``x`` export it to a folder
  ===========  =====================  ===========================================

* the service lines and the attachments as pick lists (↑/↓ when focused;
  Tab reaches them) so ``d``, ``o`` and ``x`` act on the highlighted one;
* the decision-due clock of a pending case (``#case-clock``; class
  ``-overdue`` once the due time has passed), refreshed every 30 seconds.

Database work runs in thread workers; every refusal is a notification or a
message in the dialog, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import RenderableType
from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget

from store.enums import LineStatus
from store.records import AttachmentRecord, CaseDetail, ServiceLineRecord
from store.services.permissions import CaseAction, allowed_actions, facts_of_case
from tui.errors import describe
from tui.format import fmt_datetime
from tui.system_viewer import open_in_system_viewer
from tui.widgets.case_sections import DecisionClock, FilesSection, LinesSection, PickSection

CLOCK_REFRESH_SECONDS = 30


# ----- who may do what -----------------------------------------------------------------

KEY_ACTIONS: dict[str, CaseAction] = {
    "edit_draft": CaseAction.EDIT,
    "cancel_draft": CaseAction.CANCEL,
    "add_attachment": CaseAction.ATTACH,
    "accept": CaseAction.ACCEPT,
    "reject": CaseAction.REJECT,
    "change_urgency": CaseAction.CHANGE_URGENCY,
    "decide_line": CaseAction.DECIDE_LINE,
    "copy_request": CaseAction.COPY,
    "open_file": CaseAction.OPEN_FILE,
    "export_file": CaseAction.OPEN_FILE,
    "export_pas": CaseAction.EXPORT_PAS,
}
"""Screen action → the store's :class:`CaseAction` it performs; the store decides who may."""


def next_line_to_decide(lines: tuple[ServiceLineRecord, ...], current: int | None) -> int | None:
    """The line a reviewer decides next: the first undecided one after ``current``
    (wrapping around), else the first pended one; None when every line is decided."""
    n = len(lines)
    start = -1 if current is None else current
    order = [(start + k) % n for k in range(1, n + 1)] if n else []
    for wanted in (LineStatus.REQUESTED, LineStatus.PENDED):
        for index in order:
            if LineStatus(lines[index].status) is wanted:
                return index
    return None


class CaseActionsMixin(Screen):
    """Status- and role-dependent actions for the case detail screen (see the module doc)."""

    BINDINGS = [
        Binding("A", "accept", "Accept", id="case-accept", tooltip="Accept: the authorization number becomes active"),
        Binding("R", "reject", "Reject", id="case-reject", tooltip="Reject with a specific reason"),
        Binding("u", "change_urgency", "Urgency", id="case-urgency", tooltip="Change standard ⇄ expedited"),
        Binding("d", "decide_line", "Decide line", id="case-decide", tooltip="Decide the highlighted service line"),
        Binding("c", "cancel_draft", "Cancel draft", id="case-cancel-draft", tooltip="Cancel this draft (kept for audit)"),
        Binding("a", "add_attachment", "Attach", id="case-attach", tooltip="Attach a clinical record"),
        Binding("y", "copy_request", "Copy to new draft", id="case-copy",
                tooltip="Start a new draft with everything this request holds"),
        Binding("o", "open_file", "Open file", id="case-open-file",
                tooltip="Open the highlighted attachment or letter in the system viewer"),
        Binding("x", "export_file", "Export file", id="case-export-file",
                tooltip="Save a copy of the highlighted attachment or letter in a folder"),
        Binding("p", "export_pas", "PAS export", id="case-export-pas",
                tooltip="Save this request as a Da Vinci PAS FHIR Bundle (.json)"),
    ]

    # Provided by CaseDetailScreen:
    case: CaseDetail | None
    request_id: int

    @dataclass
    class ActionDone(Message):
        """A case action finished; ``case`` is the case after it (None: load it again)."""

        note: str
        case: CaseDetail | None = None

    @dataclass
    class ActionFailed(Message):
        """A case action was refused or failed."""

        message: str

    @dataclass
    class DraftCopied(Message):
        """A rejected request was copied into a new draft."""

        request_id: int
        draft_number: str

    # ----- clock and sections -----

    def on_mount(self) -> None:
        self.query_one("#case-actions").mount(DecisionClock("", id="case-clock"))
        self.set_interval(CLOCK_REFRESH_SECONDS, self._tick_clock, name="decision-clock")

    def _tick_clock(self) -> None:
        from store.types import utcnow

        clocks = self.query("#case-clock")
        if clocks:
            clocks.first(DecisionClock).show_case(self.case, utcnow())

    def on_case_detail_screen_case_loaded(self, message) -> None:
        """After the sections are drawn: the clock, the keys that fit, and for a reviewer
        with lines to decide, the lines section in view with the next line highlighted."""
        self._tick_clock()
        self.refresh_bindings()
        case, user = self.case, self.app.user
        if case is not None and user is not None and self._allowed("decide_line"):
            if next_line_to_decide(case.lines, None) is not None:
                lines = self.query("#case-lines")
                if lines and not isinstance(self.focused, PickSection):
                    section = lines.first()
                    section.focus(scroll_visible=False)
                    # once laid out, bring the whole section into view
                    self.call_after_refresh(section.scroll_visible, animate=False, top=False)

    def section_widget(self, section_id: str, title: str, renderable: RenderableType) -> Widget | None:
        """Pick lists for the lines and the attachments (None: the screen's own section)."""
        case = self.case
        if case is None:
            return None
        if section_id == "lines":
            can_decide = self._allowed("decide_line")
            old = _index_of(case.lines, self._picked("#case-lines"))
            cursor = old
            if can_decide and (cursor is None or LineStatus(case.lines[cursor].status) is not LineStatus.REQUESTED):
                found = next_line_to_decide(case.lines, cursor)
                cursor = found if found is not None else cursor
            hint = "↑↓ choose · d decide" if can_decide else ""
            self._remember("case-lines", case.lines, cursor or 0)
            return LinesSection(title, case.lines, cursor or 0, hint, id="case-lines")
        if section_id == "attachments":
            cursor = _index_of(case.attachments, self._picked("#case-attachments"))
            if cursor is None or len(case.attachments) != self._pick_memory().get("attachments-count"):
                cursor = len(case.attachments) - 1  # the newest (a new letter or file comes first)
            self._pick_memory()["attachments-count"] = len(case.attachments)
            self._remember("case-attachments", case.attachments, cursor)
            return FilesSection(title, case.attachments, cursor, "↑↓ choose · o open · x export",
                                id="case-attachments")
        return None

    def _picked(self, selector: str) -> int | None:
        """Id of the item last highlighted in section ``selector`` (kept across reloads)."""
        return self._pick_memory().get(selector.lstrip("#"))

    @on(PickSection.Moved)
    def _pick_moved(self, message: PickSection.Moved) -> None:
        if message.section.id:
            self._pick_memory()[message.section.id] = message.item_id

    def _pick_memory(self) -> dict[str, int | None]:
        """Section id → id of its highlighted item."""
        memory = getattr(self, "_case_picks", None)
        if memory is None:
            memory = self._case_picks = {}
        return memory

    def _remember(self, section_id: str, items: tuple, cursor: int) -> None:
        picks = self._pick_memory()
        picks[section_id] = getattr(items[cursor], "id", None) if 0 <= cursor < len(items) else None

    def highlighted_line(self) -> ServiceLineRecord | None:
        """The service line highlighted in the lines section."""
        found = self.query("#case-lines")
        return found.first(PickSection).highlighted if found and isinstance(found.first(), PickSection) else None

    def highlighted_file(self) -> AttachmentRecord | None:
        """The attachment or letter highlighted in the attachments section."""
        found = self.query("#case-attachments")
        return found.first(PickSection).highlighted if found and isinstance(found.first(), PickSection) else None

    # ----- keys -----

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the keys the store allows this user on this case are shown."""
        wanted = KEY_ACTIONS.get(action)
        if wanted is None:
            return True
        return wanted in self._allowed_actions()

    def _allowed_actions(self) -> frozenset[CaseAction]:
        """The store's answer for the case on screen, asked once per loaded case."""
        case, user = self.case, self.app.user
        if case is None or user is None:
            return frozenset()
        cached = getattr(self, "_actions_for", None)
        if cached is None or cached[0] is not case or cached[1] is not user:
            cached = self._actions_for = (case, user, allowed_actions(user, facts_of_case(case)))
        return cached[2]

    def _allowed(self, action: str) -> bool:
        return self.check_action(action, ()) is True

    # ----- running a service call -----

    def _session_call(self, fn: Callable) -> Callable[[dict], object]:
        """A ``perform`` for a dialog: ``fn(session, values)`` in a session of its own."""
        store = self.app.store

        def perform(values: dict):
            with store.session() as session:
                return fn(session, values)

        return perform

    @work(thread=True, exit_on_error=False, group="case-action")
    def _run(self, note: str, fn: Callable) -> None:
        """Run ``fn(session)`` in a thread; its CaseDetail (or None) comes back as ActionDone."""
        try:
            with self.app.store.session() as session:
                result = fn(session)
        except Exception as exc:  # refusals become a notification, never a traceback
            self.post_message(self.ActionFailed(describe(exc)))
            return
        self.post_message(self.ActionDone(note, result if isinstance(result, CaseDetail) else None))

    @on(ActionDone)
    def _action_done(self, message: ActionDone) -> None:
        self._after_change(message.note, message.case)

    def _after_change(self, note: str, case: CaseDetail | None) -> None:
        from tui.messages import CasesChanged

        if note:
            self.notify(note, timeout=4, markup=False)
        if case is not None:
            self.post_message(self.CaseLoaded(case))
        else:
            self.reload()
        self.app.post_message(CasesChanged(self.request_id))

    @on(ActionFailed)
    def _action_failed(self, message: ActionFailed) -> None:
        self.notify(message.message, title="Not done", severity="error", timeout=8, markup=False)

    def _dialog_closed(self, note: Callable[[object], str]) -> Callable[[object], None]:
        """Callback for a dialog: on a result, tell and redraw."""

        def closed(result) -> None:
            if result is not None:
                self._after_change(note(result), result if isinstance(result, CaseDetail) else None)

        return closed

    # ----- drafts -----

    def action_cancel_draft(self) -> None:
        """Cancel this draft after a y/n question (kept for audit, read-only)."""
        from tui.screens.decisions import ConfirmScreen

        case = self.case
        if case is None or not self._allowed("cancel_draft"):
            return
        user = self.app.user

        def answered(yes: bool | None) -> None:
            if not yes:
                return

            def cancel(session):
                from store.services.drafts import cancel_draft

                return cancel_draft(session, user, case.id, expected_version=case.version)

            self._run(f"Draft {case.draft_number} cancelled; it is kept, read-only.", cancel)

        self.app.push_screen(
            ConfirmScreen(
                f"Cancel draft {case.draft_number}?",
                "The draft becomes Cancelled: kept for audit, read-only, and it cannot be submitted. "
                "To use its data again later, copy it from a rejected request instead.",
                yes="Cancel the draft",
            ),
            answered,
        )

    def action_copy_request(self) -> None:
        """Copy this rejected request into a new draft and open it in the wizard."""
        case = self.case
        if case is None or not self._allowed("copy_request"):
            return
        self._copy(case.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-copy")
    def _copy(self, request_id: int) -> None:
        try:
            from store.services.drafts import copy_to_new_draft

            with self.app.store.session() as session:
                saved = copy_to_new_draft(session, self.app.user, request_id)
        except Exception as exc:
            self.post_message(self.ActionFailed(describe(exc)))
            return
        self.post_message(self.DraftCopied(saved.request_id, saved.draft_number))

    @on(DraftCopied)
    def _draft_copied(self, message: DraftCopied) -> None:
        from tui.messages import CasesChanged

        self.notify(f"Copied into new draft {message.draft_number}.", timeout=4, markup=False)
        self.app.post_message(CasesChanged(message.request_id))
        self.dismiss(None)
        self.app.resume_draft(message.request_id)

    # ----- attachments -----

    def action_add_attachment(self) -> None:
        """Attach a clinical record (typed path, or the file picker)."""
        from tui.screens.case_files import AttachFileScreen

        case = self.case
        if case is None or not self._allowed("add_attachment"):
            return
        store, user = self.app.store, self.app.user

        def attach(values: dict):
            from store.services.attachments import add_attachment

            return add_attachment(store, user, case.id, values["path"])

        self.app.push_screen(
            AttachFileScreen(case, attach), self._dialog_closed(lambda record: f"Attached {record.filename}.")
        )

    def action_open_file(self) -> None:
        """Open the highlighted attachment or letter in the system viewer."""
        attachment = self.highlighted_file()
        if attachment is None:
            self.notify("This case has no attachment.", severity="warning")
            return
        self.notify(f"Opening {attachment.filename}…", timeout=2, markup=False)
        self._open_file(self.case.id, attachment.id, attachment.filename)

    @work(thread=True, exit_on_error=False, group="case-open-file")
    def _open_file(self, request_id: int, attachment_id: int, filename: str) -> None:
        from store.services.attachments import record_file_opened
        from tui.errors import describe

        try:  # the audit log notes who opened (and so could print) the file
            path = record_file_opened(self.app.store, self.app.user, request_id, attachment_id)
        except Exception as exc:
            self.post_message(self.ActionFailed(f"Cannot open {filename}. {describe(exc)}"))
            return
        problem = open_in_system_viewer(str(path))
        if problem:
            self.post_message(self.ActionFailed(f"Cannot open {filename}. {problem}"))

    def action_export_file(self) -> None:
        """Save a copy of the highlighted attachment or letter in a folder."""
        from tui.screens.case_files import ExportFileScreen

        attachment = self.highlighted_file()
        if attachment is None:
            self.notify("This case has no attachment.", severity="warning")
            return

        def exported(path: Path | None) -> None:
            if path is not None:
                self.notify(f"Saved {path}", title="Export", timeout=6, markup=False)

        def perform(values: dict) -> Path:
            from store.services.attachments import export_file

            return export_file(self.app.store, self.app.user, case_id, attachment.id, values["folder"])

        case_id = self.case.id
        self.app.push_screen(ExportFileScreen(attachment, perform), exported)

    def action_export_pas(self) -> None:
        """Save this submitted request as a Da Vinci PAS request Bundle (file dialog on Ctrl+O)."""
        from tui.screens.pas import ExportPasScreen

        case = self.case
        if case is None or not self._allowed("export_pas"):
            return
        store, user = self.app.store, self.app.user

        def export(values: dict) -> Path:
            from store.services.fhir_export import export_case_to_path

            return export_case_to_path(store, user, case.id, values["path"])

        def exported(path: Path | None) -> None:
            if path is not None:
                self.notify(f"Saved {path}", title="PAS Bundle", timeout=6, markup=False)

        self.app.push_screen(ExportPasScreen(case, export), exported)

    # ----- the plan's decisions -----

    def action_accept(self) -> None:
        """Accept this pending case (y/n): the authorization number becomes active."""
        from tui.screens.decisions import ConfirmScreen

        case = self.case
        if case is None or not self._allowed("accept"):
            return
        store, user = self.app.store, self.app.user

        def answered(yes: bool | None) -> None:
            if not yes:
                return

            def accept(session):
                from store.services.review import accept_request

                return accept_request(session, user, case.id, attachments_dir=store.attachments_dir,
                                      expected_version=case.version)

            self._run(f"Accepted {case.webcert_number or case.draft_number}; letter written, clerk mailed.", accept)

        lines = len(case.lines)
        self.app.push_screen(
            ConfirmScreen(
                f"Accept {case.webcert_number or case.draft_number} · {case.member_name}?",
                f"Authorization number {case.auth_number or '(assigned now)'} becomes active; a determination "
                f"letter is written and the clerk is mailed. Then decide each of the {lines} service line(s) "
                "with d.",
                yes="Accept",
            ),
            answered,
        )

    def action_reject(self) -> None:
        """Reject this pending case with a specific reason."""
        from tui.screens.decisions import RejectScreen

        case = self.case
        if case is None or not self._allowed("reject"):
            return
        store, user = self.app.store, self.app.user

        def reject(session, values):
            from store.services.review import reject_request

            return reject_request(session, user, case.id, values["reason"], attachments_dir=store.attachments_dir,
                                  expected_version=case.version)

        self.app.push_screen(
            RejectScreen(case, self._session_call(reject)),
            self._dialog_closed(lambda c: f"Rejected {c.webcert_number or c.draft_number}; letter written, clerk mailed."),
        )

    def action_change_urgency(self) -> None:
        """Change this pending case's urgency (standard ⇄ expedited)."""
        from tui.screens.decisions import UrgencyScreen

        case = self.case
        if case is None or not self._allowed("change_urgency"):
            return
        user = self.app.user

        def change(session, values):
            from store.services.review import change_urgency

            return change_urgency(session, user, case.id, values["urgency"], values["note"],
                                  expected_version=case.version)

        self.app.push_screen(
            UrgencyScreen(case, self._session_call(change)),
            self._dialog_closed(lambda c: f"Urgency is now {c.urgency}; decision due {fmt_datetime(c.decision_due_at)}."),
        )

    def action_decide_line(self) -> None:
        """Decide the highlighted service line (outcome, units, dates, reason)."""
        from tui.screens.decisions import DecideLineScreen

        case = self.case
        if case is None or not self._allowed("decide_line"):
            return
        line = self.highlighted_line()
        if line is None:
            self.notify("This case has no service line.", severity="warning")
            return
        store, user = self.app.store, self.app.user

        def decide(session, values):
            from store.services.review import decide_line

            return decide_line(
                session, user, case.id, line.id, values["outcome"],
                units=values["units"], from_date=values["from_date"], to_date=values["to_date"],
                reason=values["reason"], attachments_dir=store.attachments_dir, expected_version=case.version,
            )

        def note(c: CaseDetail) -> str:
            decided = next((x for x in c.lines if x.id == line.id), line)
            left = sum(1 for x in c.lines if LineStatus(x.status) is LineStatus.REQUESTED)
            more = f" {left} line(s) still to decide." if left else " Every line is decided."
            return f"Line {decided.line_number}: {LineStatus(decided.status).label}; letter written.{more}"

        self.app.push_screen(DecideLineScreen(case, line, self._session_call(decide)), self._dialog_closed(note))


def _index_of(items: tuple, item_id: int | None) -> int | None:
    if item_id is None:
        return None
    for index, item in enumerate(items):
        if getattr(item, "id", None) == item_id:
            return index
    return None
