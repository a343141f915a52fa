"""Determination letters: a PDF written onto the case at every decision.

:func:`write_determination_letter` renders the letter with fpdf2, stores the
bytes content-addressed by SHA-256 under the attachments folder
(``<dir>/<sha[:2]>/<sha>``) and adds an :class:`~store.models.Attachment` row
of kind ``LETTER`` in the caller's transaction. The text is deterministic for
a given case state and decision time, so the same letter is stored once.

Core PDF fonts only know Latin-1, so text is folded to it (dashes and quotes
become their ASCII look-alikes; anything else becomes ``?``). Compression is
off: letters are small and their text stays greppable (tests rely on it).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from store.enums import AttachmentKind, LineStatus, RequestKind, RequestStatus, Urgency
from store.models import Attachment, AuthRequest, Coverage, Member, Provider, ServiceLine
from store.records import UserRecord
from store.services.mail_templates import fmt_date, fmt_instant
from store.texts import LETTER_DISCLAIMERS
from store.types import utcnow

LETTER_ACCEPTED = "accepted"
LETTER_REJECTED = "rejected"
LETTER_LINE_DECISION = "line_decision"
LETTER_KINDS = {
    LETTER_ACCEPTED: "Request accepted",
    LETTER_REJECTED: "Request rejected",
    LETTER_LINE_DECISION: "Service line determination",
}

MEDIA_TYPE = "application/pdf"

# The seeds' disclaimers, printed at the foot of every letter.
DISCLAIMERS = LETTER_DISCLAIMERS

_FOLD = str.maketrans(
    {
        "\u2014": "-",
        "\u2013": "-",
        "\u2012": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u00a0": " ",
        "\u2022": "*",
    }
)


def latin1(text: str) -> str:
    """``text`` folded to what the PDF core fonts can print."""
    return text.translate(_FOLD).encode("latin-1", "replace").decode("latin-1")


def render_letter_pdf(
    session: Session,
    request: AuthRequest,
    kind: str,
    *,
    line: ServiceLine | None = None,
    when: datetime | None = None,
) -> bytes:
    """The letter's PDF bytes (nothing is stored)."""
    from fpdf import FPDF

    when = when or utcnow()
    member = session.get(Member, request.member_pk) if request.member_pk else None
    coverage = session.get(Coverage, request.coverage_id) if request.coverage_id else None
    plan_name = coverage.plan_name if coverage else "Health plan"
    lines = list(
        session.execute(
            select(ServiceLine).where(ServiceLine.request_id == request.id).order_by(ServiceLine.line_number)
        ).scalars()
    )

    footer_text = latin1(
        f"{plan_name} - {request.webcert_number or request.draft_number} - letter of {fmt_instant(when)}"
    )

    class _Letter(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", "", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 5, f"{footer_text} - page {self.page_no()} of {{nb}}", align="C")
            self.set_text_color(0, 0, 0)

    pdf = _Letter(orientation="P", unit="mm", format="Letter")
    pdf.set_compression(False)
    pdf.set_creation_date(when.astimezone(UTC))
    pdf.set_producer("AuthDesk")
    pdf.set_title(latin1(f"{LETTER_KINDS.get(kind, 'Determination')} - {request.webcert_number or request.draft_number}"))
    pdf.set_author(latin1(plan_name))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(18, 16, 18)
    pdf.add_page()
    width = pdf.epw

    def text(value: str, size: float = 10, style: str = "", height: float = 5.0) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(width, height, latin1(value), new_x="LMARGIN", new_y="NEXT")

    def pair(label: str, value: str) -> None:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(48, 5.5, latin1(label))
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(width - 48, 5.5, latin1(value or "-"), new_x="LMARGIN", new_y="NEXT")

    def heading(value: str) -> None:
        if pdf.get_y() > pdf.h - pdf.b_margin - 30:  # never leave a heading alone at a page foot
            pdf.add_page()
        else:
            pdf.ln(3)
        text(value, size=12, style="B", height=7)
        pdf.set_draw_color(160, 160, 160)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
        pdf.ln(1.5)

    # Letterhead.
    text(plan_name, size=16, style="B", height=8)
    text("Utilization management - prior authorization determination", size=10)
    pdf.ln(2)
    text(LETTER_KINDS.get(kind, "Determination"), size=14, style="B", height=8)
    pair("Date of letter", fmt_instant(when))
    if request.contact_name:
        pair("To", request.contact_name)

    status = RequestStatus(request.status)
    heading("Numbers")
    pair("WebCert number", request.webcert_number or "-")
    if request.auth_number:
        active = status == RequestStatus.ACCEPTED
        pair("Authorization number", f"{request.auth_number} ({'active' if active else 'not active'})")
    else:
        pair("Authorization number", "-")
    pair("Draft number", request.draft_number)
    pair("Status", status.label)
    if status == RequestStatus.REJECTED:
        pair("Reason for rejection", request.reject_reason)

    heading("Member")
    pair("Name", request.member_name or (f"{member.first_name} {member.last_name}" if member else ""))
    pair("Member ID", request.member_id_entered or (member.member_id if member else ""))
    if member is not None:
        pair("Date of birth", fmt_date(member.birth_date))
    pair("Plan", plan_name)

    heading("Providers")
    for label, provider_id in (
        ("Requesting provider", request.requesting_provider_id),
        ("Servicing provider", request.servicing_provider_id),
        ("Facility", request.facility_provider_id),
    ):
        provider = session.get(Provider, provider_id) if provider_id else None
        if provider is not None:
            pair(label, f"{provider.name} (NPI {provider.npi}, provider no. {provider.provider_number})")
        elif label != "Facility" or RequestKind(request.kind).is_inpatient:
            pair(label, "-")

    heading("Request")
    pair("Type", RequestKind(request.kind).label)
    pair("Urgency", Urgency(request.urgency).value.capitalize())
    pair("Dates of service", f"{fmt_date(request.start_date)} - {fmt_date(request.end_date)}")
    pair("Submitted", fmt_instant(request.submitted_at))
    if request.decided_at:
        pair("Decided", fmt_instant(request.decided_at))

    heading("Service lines")
    if line is not None:
        text(f"This letter gives the determination of line {line.line_number} ({line.code}); "
             "the other lines are listed as they stand.", size=9)
        pdf.ln(1)
    if not lines:
        text("No service lines.")
    for item in lines:
        _line_block(pdf, item, width, highlight=line is not None and item.id == line.id)

    from store.services.plan_contacts import load_plan_contacts

    contact_lines = load_plan_contacts(session).lines()
    if contact_lines:
        heading("Contact the plan")
        for item in contact_lines:
            text(item, size=9, height=4.5)

    heading("Please note")
    for disclaimer in DISCLAIMERS:
        text(disclaimer, size=9, height=4.5)
        pdf.ln(1)
    return bytes(pdf.output())


def _line_block(pdf, item: ServiceLine, width: float, *, highlight: bool) -> None:
    status = LineStatus(item.status)
    pdf.set_font("Helvetica", "B", 10)
    marker = "> " if highlight else ""
    title = f"{marker}Line {item.line_number}: {item.code} ({item.code_type})"
    if item.modifier:
        title += f" modifiers {item.modifier}" if " " in item.modifier else f" modifier {item.modifier}"
    if item.description:
        title += f" - {item.description}"
    pdf.multi_cell(width, 5.5, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    x12 = status.value if status is not LineStatus.REQUESTED else "-"
    rows = [
        ("Outcome", f"{status.label}"),
        ("X12 HCR01 code", x12),
        (
            "Requested",
            f"{item.requested_units if item.requested_units is not None else '-'} units, "
            f"{fmt_date(item.from_date)} - {fmt_date(item.to_date)}",
        ),
    ]
    if status in (LineStatus.APPROVED, LineStatus.PARTIAL, LineStatus.MODIFIED):
        rows.append(
            (
                "Authorized",
                f"{item.authorized_units} units, {fmt_date(item.authorized_from)} - {fmt_date(item.authorized_to)}",
            )
        )
    if status == LineStatus.MODIFIED and item.authorized_code:
        rows.append(("Authorized code", f"{item.authorized_code} (instead of {item.code})"))
    if item.decision_reason:
        label = "Information needed" if status == LineStatus.PENDED else "Reason"
        rows.append((label, item.decision_reason))
    for label, value in rows:
        pdf.set_x(pdf.l_margin + 6)
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(40, 5, latin1(label))
        pdf.multi_cell(width - 46, 5, latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def store_content(data: bytes, attachments_dir: Path) -> tuple[str, Path]:
    """Write ``data`` to ``<dir>/<sha[:2]>/<sha>`` (once) and return (sha, path).

    The file is written to a temporary name and renamed into place, so a crash
    never leaves a half-written file under a content address.
    """
    sha = hashlib.sha256(data).hexdigest()
    folder = Path(attachments_dir) / sha[:2]
    target = folder / sha
    if target.exists() and target.stat().st_size == len(data):
        return sha, target
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha, target


def letter_filename(request: AuthRequest, kind: str, line: ServiceLine | None = None) -> str:
    """``SP0000012-line-2-v5.pdf``: number, what was decided, case version."""
    number = request.auth_number or request.webcert_number or request.draft_number
    what = {LETTER_ACCEPTED: "accepted", LETTER_REJECTED: "rejected"}.get(kind, "decision")
    if line is not None:
        what = f"line-{line.line_number}"
    return f"{number}-{what}-v{request.version}.pdf"


def write_determination_letter(
    session: Session,
    request: AuthRequest,
    kind: str,
    attachments_dir: Path,
    *,
    line: ServiceLine | None = None,
    actor: UserRecord | None = None,
    when: datetime | None = None,
) -> Attachment:
    """Render and store a determination letter; add its Attachment row.

    Args:
        session: the caller's session (the row is added, not committed).
        request: the case, already showing the decision (status, line outcome).
        kind: :data:`LETTER_ACCEPTED`, :data:`LETTER_REJECTED` or
            :data:`LETTER_LINE_DECISION`.
        attachments_dir: the store's attachments folder.
        line: for a line decision, the line decided (marked in the letter).
        actor: the reviewer, recorded as the attachment's author.
        when: the letter's date (default now).

    Returns:
        The new :class:`Attachment` (kind LETTER, media type application/pdf,
        ``stored_path`` the absolute path of the content-addressed file).
    """
    if kind not in LETTER_KINDS:
        raise ValueError(f"unknown letter kind {kind!r}")
    when = when or utcnow()
    data = render_letter_pdf(session, request, kind, line=line, when=when)
    sha, path = store_content(data, attachments_dir)
    row = Attachment(
        request_id=request.id,
        kind=AttachmentKind.LETTER,
        filename=letter_filename(request, kind, line),
        media_type=MEDIA_TYPE,
        size_bytes=len(data),
        sha256=sha,
        stored_path=str(Path(path).resolve()),
        added_at=when,
        added_by_id=actor.id if actor else None,
    )
    session.add(row)
    session.flush()
    return row


__all__ = [
    "DISCLAIMERS",
    "LETTER_ACCEPTED",
    "LETTER_KINDS",
    "LETTER_LINE_DECISION",
    "LETTER_REJECTED",
    "latin1",
    "letter_filename",
    "render_letter_pdf",
    "store_content",
    "write_determination_letter",
]
