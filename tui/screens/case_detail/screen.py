"""Case detail: everything a request holds, read-only, grouped in sections.

The screen loads :func:`store.services.cases.get_case` in a thread worker and
renders one :class:`CaseSection` per group. It is built to grow:

* ``#case-actions`` is an empty bar above the sections where status-specific
  action widgets (review, letters …) can be mounted from ``on_case_loaded``
  hooks or subclasses, without touching this file's rendering;
* :meth:`CaseDetailScreen.sections` returns ``(id, title, renderable)``
  tuples: override or extend it to add a section;
* :meth:`CaseDetailScreen.reload` loads the case again (after an action).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from store.enums import KIND_LABELS, LineStatus, RequestKind, RequestStatus, Urgency
from store.records import CaseDetail, ProviderRecord
from tui.format import fmt_date, fmt_dates, fmt_datetime, fmt_size, fmt_until
from tui.screens.case_detail.actions import CaseActionsMixin
from tui.widgets.case_sections import LINE_STYLES

PLACES_OF_SERVICE = {
    "11": "Office",
    "12": "Home",
    "21": "Inpatient hospital",
    "22": "On campus-outpatient hospital",
    "23": "Emergency room – hospital",
    "24": "Ambulatory surgical center",
    "51": "Inpatient psychiatric facility",
    "65": "End-stage renal disease treatment facility",
}
EVENT_WORDS = {
    "created": "Draft created",
    "saved": "Draft saved",
    "submitted": "Submitted",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "expired": "Expired",
    "cancelled": "Cancelled",
    "line_decided": "Line decided",
    "urgency_changed": "Urgency changed",
}


class CaseSection(Static):
    """One titled group of a case (numbers, member, providers …)."""

    DEFAULT_CSS = """
    CaseSection {
        height: auto; border: round $secondary; padding: 0 1; margin: 0 0 1 0;
        border-title-style: bold;
    }
    """

    def __init__(self, title: str, renderable: RenderableType, **kwargs) -> None:
        super().__init__(renderable, **kwargs)
        self.border_title = title


def _fields(*pairs: tuple[str, object]) -> Table:
    """A two-column grid of label and value; empty values show as a dash."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1)
    for label, value in pairs:
        grid.add_row(label, value if isinstance(value, Text) else Text(str(value) if value not in (None, "") else "—"))
    return grid


SIDE_BY_SIDE_MIN_WIDTH = 96  # narrower (an 80-column terminal): the groups stack


class SideBySide:
    """Field groups next to each other when the section is wide enough, else one under the other.

    Decided when painted, so the case reflows when the terminal is resized.
    """

    def __init__(self, *tables: Table) -> None:
        self.tables = tables

    def __rich_console__(self, console, options):
        if options.max_width >= SIDE_BY_SIDE_MIN_WIDTH:
            grid = Table.grid(padding=(0, 4), expand=True)
            for _ in self.tables:
                grid.add_column(ratio=1)
            grid.add_row(*self.tables)
            yield grid
        else:
            yield Group(*self.tables)


def _side_by_side(*tables: Table) -> SideBySide:
    return SideBySide(*tables)


def _provider(p: ProviderRecord | None) -> str:
    if p is None:
        return "—"
    extra = f", {p.specialty}" if p.specialty else ""
    return f"{p.name}{extra} · NPI {p.npi} · provider no. {p.provider_number}"


def _line_status(status: LineStatus, text: str | None = None) -> Text:
    return Text(text or status.label, style=LINE_STYLES.get(status, ""))


class CaseDetailScreen(CaseActionsMixin, Screen[None]):
    """Everything one request holds; Escape goes back, ``e`` edits a draft."""

    DEFAULT_CSS = """
    CaseDetailScreen #case-title { height: auto; padding: 1 1 0 1; text-style: bold; }
    CaseDetailScreen #case-actions { height: auto; padding: 0 1; }
    CaseDetailScreen #case-body { padding: 1 1 0 1; }
    CaseDetailScreen #case-message { padding: 1; }
    """
    BINDINGS = [
        Binding("escape,backspace", "back", "Back", key_display="esc", id="case-back",
                tooltip="Back to the list"),
        Binding("e", "edit_draft", "Edit draft", id="case-edit", tooltip="Continue this draft in the wizard"),
        Binding("r", "reload", "Reload", id="case-reload", tooltip="Load the case again"),
    ]

    @dataclass
    class CaseLoaded(Message):
        """The case arrived from the database (action widgets listen for this)."""

        case: CaseDetail

    @dataclass
    class CaseFailed(Message):
        """The case could not be shown (not found, another organization, database down)."""

        message: str

    def __init__(self, request_id: int) -> None:
        super().__init__()
        self.request_id = request_id
        self.case: CaseDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Case #{self.request_id}", id="case-title")
        yield Horizontal(id="case-actions")
        yield VerticalScroll(Static("Loading…", id="case-message"), id="case-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#case-body").focus()
        self.reload()

    def reload(self) -> None:
        """Load the case (again) from the database."""
        self._load(self.request_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-detail")
    def _load(self, request_id: int) -> None:
        from store.errors import StoreError
        from store.services.audit import view_case

        try:
            with self.app.store.session() as session:
                case = view_case(session, self.app.user, request_id)  # recorded in the audit log
                from store.services.plan_contacts import load_plan_contacts

                self.plan_contacts = load_plan_contacts(session).lines()  # read before CaseLoaded is posted
        except StoreError as exc:
            self.post_message(self.CaseFailed(str(exc)))
            return
        except Exception as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            self.post_message(self.CaseFailed(f"Cannot load the case: {reason[0] if reason else type(exc).__name__}"))
            return
        self.post_message(self.CaseLoaded(case))

    @on(CaseLoaded)
    async def _case_loaded(self, message: CaseLoaded) -> None:
        self.case = message.case
        self.query_one("#case-title", Static).update(self.title_text(message.case))
        body = self.query_one("#case-body", VerticalScroll)
        await body.remove_children()
        await body.mount_all(
            self.section_widget(section_id, title, renderable) or CaseSection(title, renderable, id=f"case-{section_id}")
            for section_id, title, renderable in self.sections(message.case)
        )
        self.refresh_bindings()

    @on(CaseFailed)
    def _case_failed(self, message: CaseFailed) -> None:
        self.query_one("#case-message", Static).update(Text(message.message, style="bold red"))

    # ----- what the screen shows -----

    def title_text(self, case: CaseDetail) -> Text:
        """``D-000123 · WC-0001234 · Accepted · Service / procedure``."""
        numbers = [case.draft_number]
        if case.webcert_number:
            numbers.append(case.webcert_number)
        title = Text(" · ".join(numbers) + " ")
        title.append(f" {RequestStatus(case.status).label} ", style="bold reverse")
        title.append(f" · {KIND_LABELS[RequestKind(case.kind)]} · {case.member_name or case.member_id or 'no member yet'}")
        return title

    def sections(self, case: CaseDetail) -> list[tuple[str, str, RenderableType]]:
        """The case's groups, top to bottom, as (id, title, renderable)."""
        return [
            ("numbers", "Numbers & status", self.numbers_section(case)),
            ("member", "Member", self.member_section(case)),
            ("providers", "Providers", self.providers_section(case)),
            ("services", "Services", self.services_section(case)),
            ("diagnoses", f"Diagnoses ({len(case.diagnoses)})", self.diagnoses_section(case)),
            ("lines", f"Service lines ({len(case.lines)})", self.lines_section(case)),
            ("attachments", f"Attachments ({len(case.attachments)})", self.attachments_section(case)),
            ("contact", "Contact", self.contact_section(case)),
            ("timeline", f"Timeline ({len(case.events)})", self.timeline_section(case)),
            *self.plan_contacts_section(),
        ]

    def plan_contacts_section(self) -> list[tuple[str, str, RenderableType]]:
        """The plan's phones, hours and clinicals fax, when configured (store.services.plan_contacts)."""
        lines = getattr(self, "plan_contacts", None)
        return [("plan", "Contact the plan", Text("\n".join(lines)))] if lines else []

    def numbers_section(self, case: CaseDetail) -> RenderableType:
        """Numbers, status and the clock."""
        from store.types import utcnow

        now = utcnow()
        status = RequestStatus(case.status)
        auth = case.auth_number or "—"
        if case.auth_number and status is RequestStatus.PENDING:
            auth = f"{case.auth_number} (pending until the case is accepted)"
        due: object = fmt_datetime(case.decision_due_at)
        if case.decision_due_at and status is RequestStatus.PENDING:
            left, passed = fmt_until(case.decision_due_at, now)
            due = Text(f"{fmt_datetime(case.decision_due_at)} ({left})", style="bold red" if passed else "")
        expires: object = fmt_datetime(case.expires_at)
        if case.expires_at and status is RequestStatus.DRAFT:
            left, _ = fmt_until(case.expires_at, now)
            expires = f"{fmt_datetime(case.expires_at)} ({left})"
        urgency = Urgency(case.urgency).value.capitalize()
        if case.requested_urgency != case.urgency:
            urgency += f" (requested {Urgency(case.requested_urgency).value})"
        from store.enums import ExpeditedCriterion

        reasons = [
            ExpeditedCriterion(r).label if r in ExpeditedCriterion._value2member_map_ else r
            for r in case.expedited_reasons
        ]
        left = _fields(
            ("Status", RequestStatus(case.status).label),
            ("Kind", KIND_LABELS[RequestKind(case.kind)]),
            ("Draft number", case.draft_number),
            ("WebCert number", case.webcert_number),
            ("Authorization number", auth),
            ("Urgency", urgency),
            ("Expedited because", "; ".join(reasons)),
        )
        right = _fields(
            ("Created", f"{fmt_datetime(case.created_at)} by {case.created_by_name or '—'}"),
            ("Updated", fmt_datetime(case.updated_at)),
            ("Draft expires" if status is RequestStatus.DRAFT else "Draft expiry", expires),
            ("Submitted", fmt_datetime(case.submitted_at)),
            ("Decision due", due),
            ("Decided", fmt_datetime(case.decided_at)),
        )
        parts: list[RenderableType] = [_side_by_side(left, right)]
        if case.reject_reason:
            parts.append(Text.assemble(("Reason for rejection: ", "bold red"), case.reject_reason))
        return Group(*parts)

    def member_section(self, case: CaseDetail) -> RenderableType:
        """Who the request is for and their coverage."""
        newborn = RequestKind(case.kind) is RequestKind.NEWBORN  # the member is the mother
        left = _fields(
            ("Mother's name" if newborn else "Name", case.member_name),
            ("Mother's member ID" if newborn else "Member ID", case.member_id),
            ("Medicaid ID", case.medicaid_id),
        )
        right = _fields(
            ("Date of birth", fmt_date(case.member_birth_date)),
            ("Sex", {"F": "Female", "M": "Male", "U": "Unknown"}.get(case.member_sex, case.member_sex)),
            ("Plan", f"{case.plan_name} ({case.coverage_order})" if case.plan_name else ""),
        )
        return _side_by_side(left, right)

    def providers_section(self, case: CaseDetail) -> RenderableType:
        """Requesting, servicing and facility providers."""
        return _fields(
            ("Requesting", _provider(case.requesting_provider)),
            ("Servicing", _provider(case.servicing_provider)),
            ("Facility", _provider(case.facility_provider)),
        )

    def services_section(self, case: CaseDetail) -> RenderableType:
        """Setting, category, place and dates; the kind's own fields."""
        pos = case.place_of_service
        pairs: list[tuple[str, object]] = [
            ("Care setting", (case.care_setting or "").capitalize()),
            ("Category", case.category),
            ("Treatment type", case.treatment_type),
            ("Place of service", f"{pos} {PLACES_OF_SERVICE.get(pos, '')}".strip()),
            ("Dates of service", fmt_dates(case.start_date, case.end_date).replace("–", " – ")),
        ]
        kind = RequestKind(case.kind)
        if kind is RequestKind.EMERGENT_ADMISSION:
            pairs += [
                ("Admitted through the ER", "Yes" if case.admitted_via_er else "No"),
                ("Admission", fmt_datetime(case.admission_at)),
            ]
        if kind is RequestKind.NEWBORN:
            from store.services.newborn import SEXES

            baby = " ".join(p for p in (case.newborn_first_name, case.newborn_last_name) if p)
            about_baby = ", ".join(p for p in (baby, SEXES.get(case.newborn_sex, ""),
                                               f"born {fmt_date(case.newborn_birth_date)}"
                                               if case.newborn_birth_date else "") if p)
            pairs += [
                ("Mother's member ID", case.mother_member_id),
                ("Baby's member ID", case.newborn_member_id or "not given yet"),
                *([("Baby", about_baby)] if about_baby else []),
                ("Delivery", f"{fmt_date(case.delivery_date)} {case.delivery_type}".strip()),
                ("Birth weight", f"{case.birth_weight_grams:,} g" if case.birth_weight_grams else ""),
                ("NICU", "Yes" if case.nicu else "No"),
            ]
        pairs.append(("Benefits reference", case.benefits_reference))
        return _fields(*pairs)

    def diagnoses_section(self, case: CaseDetail) -> RenderableType:
        """ICD-10-CM codes, the primary one first."""
        if not case.diagnoses:
            return Text("No diagnosis yet.", style="dim")
        table = Table(box=None, padding=(0, 2), show_edge=False, expand=True)
        table.add_column("Code", style="bold", no_wrap=True)
        table.add_column("Description", ratio=1)
        table.add_column("", no_wrap=True)
        for d in case.diagnoses:
            table.add_row(d.code, d.description, "primary" if d.is_primary else "")
        return table

    def lines_section(self, case: CaseDetail) -> RenderableType:
        """Requested services with their outcome (X12 HCR01 code beside the word)."""
        if not case.lines:
            return Text("No service line yet.", style="dim")
        table = Table(box=None, padding=(0, 1), show_edge=False, expand=True)
        for label, kwargs in (
            ("#", {"justify": "right"}),
            ("Code", {"style": "bold", "no_wrap": True}),
            ("Description", {"ratio": 1}),
            ("Mod", {"no_wrap": True}),
            ("Dates", {"no_wrap": True}),
            ("Units", {"justify": "right"}),
            ("Status", {"no_wrap": True}),
            ("Auth. units", {"justify": "right"}),
            ("Authorized dates", {"no_wrap": True}),
        ):
            table.add_column(label, **kwargs)
        for line in case.lines:
            table.add_row(
                str(line.line_number),
                line.code,
                line.description,
                " ".join(line.modifiers),
                fmt_dates(line.from_date, line.to_date),
                "" if line.requested_units is None else str(line.requested_units),
                _line_status(LineStatus(line.status), line.status_text),
                "" if line.authorized_units is None else str(line.authorized_units),
                fmt_dates(line.authorized_from, line.authorized_to),
            )
            if line.decision_reason:
                table.add_row("", "", Text(f"Reason: {line.decision_reason}", style="italic"))
        return table

    def attachments_section(self, case: CaseDetail) -> RenderableType:
        """Clinical records and letters on the case."""
        if not case.attachments:
            return Text("No attachments.", style="dim")
        table = Table(box=None, padding=(0, 2), show_edge=False, expand=True)
        for label in ("File", "Kind", "Type", "Size", "Added"):
            table.add_column(label, no_wrap=label != "File")
        for a in case.attachments:
            table.add_row(a.filename, a.kind.value if hasattr(a.kind, "value") else str(a.kind), a.media_type,
                          fmt_size(a.size_bytes), fmt_datetime(a.added_at))
        return table

    def contact_section(self, case: CaseDetail) -> RenderableType:
        """The person who completed the request."""
        phone = case.contact_phone + (f" ext. {case.contact_phone_ext}" if case.contact_phone_ext else "")
        return _side_by_side(
            _fields(("Name", case.contact_name), ("Email", case.contact_email)),
            _fields(("Phone", phone), ("Fax", case.contact_fax)),
        )

    def timeline_section(self, case: CaseDetail) -> RenderableType:
        """Every event, oldest first, with who and when."""
        if not case.events:
            return Text("No events yet.", style="dim")
        table = Table(box=None, padding=(0, 2), show_edge=False, expand=True)
        table.add_column("When", no_wrap=True)
        table.add_column("Who", no_wrap=True)
        table.add_column("What", no_wrap=True, style="bold")
        table.add_column("Detail", ratio=1)
        for e in case.events:
            table.add_row(fmt_datetime(e.at), e.actor_name, EVENT_WORDS.get(e.event, e.event.replace("_", " ")),
                          e.detail)
        return table

    # ----- keys -----

    def action_back(self) -> None:
        """Back to where the case was opened from."""
        self.dismiss(None)

    def action_edit_draft(self) -> None:
        """Continue this draft in the wizard."""
        if self.case is not None and self._allowed("edit_draft"):
            request_id = self.case.id
            self.dismiss(None)
            self.app.resume_draft(request_id)

    def action_reload(self) -> None:
        """Load the case again."""
        self.reload()
