"""Wording of every mail AuthDesk queues: subject and plain-text body.

Each template is a pure function of the rows it describes and returns
``(subject, body)``; callers queue the result with
:func:`store.services.notifications.queue_mail`, using the ``KIND_*`` constant
as ``mail_kind`` and the matching ``*_key`` helper as ``dedupe_key`` so that
each mail is queued at most once.

Example (in the submission service, inside its transaction)::

    subject, body = mail_templates.submission_confirmation(request)
    queue_mail(session, dedupe_key=mail_templates.submission_key(request),
               mail_kind=mail_templates.KIND_SUBMISSION,
               to_address=request.contact_email, subject=subject, body=body,
               request_id=request.id)
"""

from __future__ import annotations

from datetime import date, datetime

from store.enums import LineStatus, RequestKind, RequestStatus, Urgency
from store.formats import format_date, format_utc_datetime
from store.models import AuthRequest, ServiceLine, User
from store.texts import DRAFT_IS_NOT_APPROVAL, DRAFT_LIFETIME_WORDS, NOT_A_GUARANTEE, WEBCERT_IS_NOT_AUTH

KIND_SUBMISSION = "submission"
KIND_STATUS_CHANGE = "status_change"
KIND_LINE_DECISION = "line_decision"
KIND_URGENCY_CHANGE = "urgency_change"
KIND_DRAFT_EXPIRING = "draft_expiring"
KIND_DRAFT_EXPIRED = "draft_expired"

MAIL_KIND_LABELS = {
    KIND_SUBMISSION: "Submission confirmation",
    KIND_STATUS_CHANGE: "Status change",
    KIND_LINE_DECISION: "Line decision",
    KIND_URGENCY_CHANGE: "Urgency changed",
    KIND_DRAFT_EXPIRING: "Draft expiring in 24 h",
    KIND_DRAFT_EXPIRED: "Draft expired",
}

SIGNATURE = "— AuthDesk (this mail was sent automatically; please do not reply)"


def contact_address(session, request: AuthRequest) -> str:
    """Where mail about ``request`` goes: its contact's email, else the email of
    the user who started it (empty when neither is known; the outbox then keeps
    the mail as failed, "No contact email on the request")."""
    if request.contact_email and request.contact_email.strip():
        return request.contact_email.strip()
    if request.created_by_id:
        creator = session.get(User, request.created_by_id)
        if creator is not None and creator.email:
            return creator.email.strip()
    return ""


def reminder_recipients(session, request: AuthRequest) -> list[tuple[str, str, str]]:
    """Who gets a draft's expiry reminder and expiry notice (seed 002): the
    identified contact *and* the person who initiated the request.

    Returns ``(role, name, address)`` tuples, ``role`` being ``contact`` or
    ``initiator``; one entry per distinct address (case-insensitive), so a
    clerk who is their own contact gets one mail. With no address at all the
    single contact entry has an empty address (the outbox records it as failed).
    """
    out: list[tuple[str, str, str]] = []
    contact = (request.contact_email or "").strip()
    if contact:
        out.append(("contact", request.contact_name or "", contact))
    creator = session.get(User, request.created_by_id) if request.created_by_id else None
    if creator is not None and (creator.email or "").strip():
        address = creator.email.strip()
        if address.lower() not in {a.lower() for _, _, a in out}:
            out.append(("initiator", creator.full_name or creator.username, address))
    return out or [("contact", request.contact_name or "", "")]


def recipient_key(key: str, role: str) -> str:
    """The dedupe key of a mail sent to ``role``: the contact keeps ``key`` itself."""
    return key if role == "contact" else f"{key}:{role}"


# --- dedupe keys -------------------------------------------------------------


def submission_key(request: AuthRequest) -> str:
    """Dedupe key of a request's submission confirmation (one per request)."""
    return f"submission:{request.id}"


def status_change_key(request: AuthRequest, status: RequestStatus | str) -> str:
    """Dedupe key of the mail telling that ``request`` reached ``status``."""
    return f"status:{request.id}:{RequestStatus(status).value}"


def line_decision_key(request: AuthRequest, line: ServiceLine) -> str:
    """Dedupe key of a line decision; a line may be decided again (pended, then
    approved), so the request's version after the decision is part of it."""
    return f"line:{request.id}:{line.id}:v{request.version}"


def urgency_change_key(request: AuthRequest) -> str:
    """Dedupe key of an urgency change (the version after the change)."""
    return f"urgency:{request.id}:v{request.version}"


def draft_expiring_key(request: AuthRequest) -> str:
    """Dedupe key of the 24-hour expiry reminder (one per draft)."""
    return f"draft-expiring:{request.id}"


def draft_expired_key(request: AuthRequest) -> str:
    """Dedupe key of the expiry notice (one per draft)."""
    return f"draft-expired:{request.id}"


# --- formatting helpers --------------------------------------------------------


def fmt_date(value: date | None) -> str:
    """``03/02/2026`` or an em dash."""
    return format_date(value, "—")


def fmt_instant(value: datetime | None) -> str:
    """``03/02/2026 14:30 UTC`` or an em dash."""
    return format_utc_datetime(value, "—")


def _kind_label(request: AuthRequest) -> str:
    return RequestKind(request.kind).label


def _greeting(request: AuthRequest, name: str | None = None) -> str:
    name = request.contact_name if name is None else name
    return f"Hello {name}," if name else "Hello,"


def _case_block(request: AuthRequest) -> list[str]:
    lines = [
        f"Request type:          {_kind_label(request)}",
        f"Member:                {request.member_name or '—'} (ID {request.member_id_entered or '—'})",
    ]
    if request.webcert_number:
        lines.append(f"WebCert number:        {request.webcert_number}")
    if request.auth_number:
        label = (
            "Authorization number:  "
            if request.status == RequestStatus.ACCEPTED
            else "Pending authorization: "
        )
        lines.append(f"{label}{request.auth_number}")
    lines.append(f"Draft number:          {request.draft_number}")
    if request.start_date:
        lines.append(f"Dates of service:      {fmt_date(request.start_date)} – {fmt_date(request.end_date)}")
    return lines


def _join(*parts: list[str] | str) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        else:
            out.extend(part)
    return "\n".join(out).rstrip() + "\n"


def _subject_number(request: AuthRequest) -> str:
    return request.webcert_number or request.draft_number


# --- templates -------------------------------------------------------------------


def submission_confirmation(request: AuthRequest) -> tuple[str, str]:
    """Subject and body confirming that ``request`` was submitted.

    Gives both numbers and the seeds' warning that the WebCert number is not the
    authorization number.
    """
    urgency = Urgency(request.urgency)
    due = ""
    if request.decision_due_at:
        due = f"A decision is due by {fmt_instant(request.decision_due_at)} ({urgency.value} request)."
    subject = f"Request {_subject_number(request)} submitted — {_kind_label(request)}"
    body = _join(
        _greeting(request),
        "",
        "Your prior authorization request was submitted for review.",
        "",
        _case_block(request),
        "",
        f"Your WebCert number is {request.webcert_number or '—'}. Use it to search for the case. "
        f"{WEBCERT_IS_NOT_AUTH}",
        f"The pending authorization number is {request.auth_number or '—'}; it becomes active "
        "only when the case is accepted.",
        *( [due] if due else [] ),
        "Urgency is a request only and may be changed by the plan's reviewer.",
        "Subsequent status updates will arrive by email.",
        "",
        NOT_A_GUARANTEE,
        "",
        SIGNATURE,
    )
    return subject, body


def status_change(request: AuthRequest, note: str = "") -> tuple[str, str]:
    """Subject and body telling the contact the request's new status.

    ``request.status`` is the new status; for a rejection the body carries
    ``request.reject_reason``.
    """
    status = RequestStatus(request.status)
    subject = f"Request {_subject_number(request)} is now {status.label}"
    lines = [_greeting(request), "", f"The status of your request is now: {status.label}.", ""]
    if status == RequestStatus.ACCEPTED:
        lines += [
            f"The authorization number {request.auth_number} is now active. Each service line "
            "will be decided separately; you will receive a mail for each decision.",
            "",
        ]
    elif status == RequestStatus.REJECTED:
        lines += [f"Reason: {request.reject_reason}", ""]
    if note:
        lines += [note, ""]
    body = _join(
        lines,
        _case_block(request),
        "",
        "The determination letter is attached to the case in AuthDesk.",
        "",
        NOT_A_GUARANTEE,
        "",
        SIGNATURE,
    )
    return subject, body


def line_decision(request: AuthRequest, line: ServiceLine) -> tuple[str, str]:
    """Subject and body telling the contact how a service line was decided."""
    status = LineStatus(line.status)
    subject = (
        f"Request {_subject_number(request)} line {line.line_number} ({line.code}): {status.label}"
    )
    details = [
        f"Line {line.line_number}: {line.code} {line.description}".rstrip(),
        f"Outcome:            {status.label}",
        f"Requested units:    {line.requested_units if line.requested_units is not None else '—'}"
        f" ({fmt_date(line.from_date)} – {fmt_date(line.to_date)})",
    ]
    if status in (LineStatus.APPROVED, LineStatus.PARTIAL, LineStatus.MODIFIED):
        details.append(
            f"Authorized units:   {line.authorized_units} "
            f"({fmt_date(line.authorized_from)} – {fmt_date(line.authorized_to)})"
        )
    if status == LineStatus.MODIFIED and line.authorized_code:
        details.append(f"Authorized code:    {line.authorized_code} (instead of {line.code})")
    if line.decision_reason:
        label = "Information needed: " if status == LineStatus.PENDED else "Reason:             "
        details.append(f"{label}{line.decision_reason}")
    extra = []
    if status == LineStatus.PENDED:
        extra = [
            "Please attach the requested clinical information to the case in AuthDesk so that "
            "the review can continue.",
            "",
        ]
    body = _join(
        _greeting(request),
        "",
        "A service line of your request has been decided.",
        "",
        details,
        "",
        extra,
        _case_block(request),
        "",
        "The determination letter is attached to the case in AuthDesk.",
        "",
        NOT_A_GUARANTEE,
        "",
        SIGNATURE,
    )
    return subject, body


def urgency_change(request: AuthRequest, previous: Urgency | str, note: str = "") -> tuple[str, str]:
    """Subject and body telling the contact the reviewer changed the urgency."""
    new = Urgency(request.urgency)
    subject = f"Request {_subject_number(request)}: urgency changed to {new.value}"
    lines = [
        _greeting(request),
        "",
        f"The plan's reviewer changed the urgency of your request from {Urgency(previous).value} "
        f"to {new.value}.",
        f"A decision is now due by {fmt_instant(request.decision_due_at)}.",
    ]
    if note:
        lines.append(f"Note: {note}")
    body = _join(lines, "", _case_block(request), "", SIGNATURE)
    return subject, body


def draft_expiring(request: AuthRequest, to_name: str | None = None) -> tuple[str, str]:
    """Reminder that a draft expires within 24 hours (``to_name``: whom it greets, default the contact)."""
    subject = f"Draft {request.draft_number} expires {fmt_instant(request.expires_at)}"
    body = _join(
        _greeting(request, to_name),
        "",
        f"Your draft request {request.draft_number} has not been submitted and will expire "
        f"at {fmt_instant(request.expires_at)} ({DRAFT_LIFETIME_WORDS} after it was started).",
        "Open it in AuthDesk (Drafts tab or the Take action panel), complete it and submit it "
        "before then. An expired draft is kept read-only and cannot be submitted.",
        "",
        _case_block(request),
        "",
        DRAFT_IS_NOT_APPROVAL,
        "",
        SIGNATURE,
    )
    return subject, body


def draft_expired(request: AuthRequest, to_name: str | None = None) -> tuple[str, str]:
    """Notice that a draft has expired unsubmitted (``to_name``: whom it greets, default the contact)."""
    subject = f"Draft {request.draft_number} has expired"
    body = _join(
        _greeting(request, to_name),
        "",
        f"Your draft request {request.draft_number} expired at {fmt_instant(request.expires_at)} "
        "without being submitted. It is kept read-only in AuthDesk (Expired); nothing you "
        "entered is lost. To request the service, start a new request.",
        "",
        _case_block(request),
        "",
        DRAFT_IS_NOT_APPROVAL,
        "",
        SIGNATURE,
    )
    return subject, body


__all__ = [
    "KIND_DRAFT_EXPIRED",
    "KIND_DRAFT_EXPIRING",
    "KIND_LINE_DECISION",
    "KIND_STATUS_CHANGE",
    "KIND_SUBMISSION",
    "KIND_URGENCY_CHANGE",
    "MAIL_KIND_LABELS",
    "contact_address",
    "draft_expired",
    "draft_expired_key",
    "draft_expiring",
    "draft_expiring_key",
    "line_decision",
    "line_decision_key",
    "recipient_key",
    "reminder_recipients",
    "status_change",
    "status_change_key",
    "submission_confirmation",
    "submission_key",
    "urgency_change",
    "urgency_change_key",
]
