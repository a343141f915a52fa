"""The plan's side: the review queue, accept / reject, and line decisions.

Every function takes the caller's session and the signed-in
:class:`~store.records.UserRecord`, and does all of its work (status change,
version bump, timeline event, outbox mail, determination letter) in that one
transaction: ``with store.session() as s: accept_request(s, user, case_id,
attachments_dir=store.attachments_dir)`` commits all of it or none.

Only users who act for the plan (role ``reviewer``, or ``admin``; see
:attr:`UserRecord.is_reviewer`) may call them; anyone else gets
:class:`PermissionDeniedError`.

Concurrency: each action bumps ``AuthRequest.version`` with
``UPDATE … WHERE id = :id AND version = :seen``; when another reviewer changed
the case in between, :class:`ConflictError` is raised and nothing is written.
Pass ``expected_version`` (the ``CaseDetail.version`` the reviewer looked at)
to also refuse a decision taken on a stale screen.

Validation errors carry field names the decision form can highlight:
``reject-reason``, ``urgency``, ``outcome``, ``units``, ``from-date``,
``to-date``, ``reason``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import asc, exists, func, select
from sqlmodel import Session

from store.enums import LineStatus, RequestKind, RequestStatus, Urgency
from store.errors import (
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from store.models import AuthRequest, ServiceLine
from store.records import CaseDetail, RequestPage, UserRecord
from store.services import letters, mail_templates
from store.services.cases import ROW_COLUMNS as _ROW_COLUMNS
from store.services.cases import case_detail
from store.services.cases import to_request_row as _row
from store.services.mail_templates import fmt_date, fmt_instant
from store.services.notifications import queue_mail
from store.services.numbering import next_auth_number
from store.services.timeline import add_event
from store.types import utcnow

EXPEDITED_DECISION_TIME = timedelta(hours=72)
STANDARD_DECISION_TIME = timedelta(days=7)
QUEUE_PAGE_SIZE = 50
MAX_REASON_LENGTH = 2000

# Outcomes a line may be given, with the word the form shows.
DECISION_OUTCOMES = (
    LineStatus.APPROVED,
    LineStatus.PARTIAL,
    LineStatus.DENIED,
    LineStatus.PENDED,
    LineStatus.MODIFIED,
    LineStatus.CANCELLED,
)
# Outcomes that authorize something (units, dates; A6 possibly another code).
GRANTING_OUTCOMES = (LineStatus.APPROVED, LineStatus.PARTIAL, LineStatus.MODIFIED)

EVENT_URGENCY_CHANGED = "urgency_changed"
EVENT_ACCEPTED = "accepted"
EVENT_REJECTED = "rejected"
EVENT_LINE_DECIDED = "line_decided"


def decision_time(urgency: Urgency | str) -> timedelta:
    """How long the plan has to decide: 72 h expedited, 7 days standard (CMS-0057-F)."""
    return EXPEDITED_DECISION_TIME if Urgency(urgency) == Urgency.EXPEDITED else STANDARD_DECISION_TIME


def decision_due(submitted_at: datetime, urgency: Urgency | str) -> datetime:
    """When a request submitted at ``submitted_at`` must be decided."""
    return submitted_at + decision_time(urgency)


# --- helpers -----------------------------------------------------------------


def _require_reviewer(user: UserRecord) -> None:
    if not user.is_reviewer:
        raise PermissionDeniedError("Only the plan's reviewers can review cases.")


def _load(session: Session, request_id: int, expected_version: int | None) -> AuthRequest:
    req = session.get(AuthRequest, request_id)
    if req is None:
        raise NotFoundError(f"No case #{request_id}.")
    if expected_version is not None and req.version != expected_version:
        raise ConflictError(
            "Someone else changed this case after you opened it; reload it before deciding."
        )
    return req


def _bump(session: Session, req: AuthRequest, now: datetime) -> None:
    """Optimistic lock: bump the version only if nobody else did since we read it."""
    from store.services.versions import bump_version

    bump_version(session, req, req.version, updated_at=now,
                 conflict="Someone else changed this case at the same time; reload it and decide again.")


def _require_status(req: AuthRequest, allowed: RequestStatus, action: str) -> None:
    if req.status != allowed:
        word = allowed.label.lower()
        article = "an" if word[0] in "aeiou" else "a"
        raise InvalidTransitionError(
            f"Only {article} {word} case can be {action}; "
            f"this one is {RequestStatus(req.status).label}."
        )


def _attachments_dir(session: Session, attachments_dir: Path | None) -> Path:
    """The store's attachments folder, derived like open_store does when not given."""
    if attachments_dir is not None:
        return Path(attachments_dir)
    if session.info.get("attachments_dir"):
        return Path(session.info["attachments_dir"])  # the store's own folder (Store.session)
    from store import paths

    engine = session.get_bind()
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        return paths.attachments_dir(Path(engine.url.database))
    return paths.attachments_dir()


def _mail(session: Session, req: AuthRequest, key: str, kind: str, subject_body: tuple[str, str]) -> None:
    subject, body = subject_body
    queue_mail(
        session,
        dedupe_key=key,
        mail_kind=kind,
        to_address=mail_templates.contact_address(session, req),
        subject=subject,
        body=body,
        request_id=req.id,
    )


# --- queues ------------------------------------------------------------------


def review_queue(
    session: Session, user: UserRecord, limit: int = QUEUE_PAGE_SIZE, offset: int = 0
) -> RequestPage:
    """Pending cases, the one whose decision is due soonest first.

    Rows carry ``urgency`` and ``decision_due_at`` (compare with
    :func:`store.services.cases.overdue` to highlight late ones). Paged on the
    (status, decision_due_at) index.
    """
    _require_reviewer(user)
    where = AuthRequest.status == RequestStatus.PENDING
    total = session.execute(select(func.count()).select_from(AuthRequest).where(where)).scalar_one()
    rows = session.execute(
        select(*_ROW_COLUMNS)
        .where(where)
        .order_by(
            AuthRequest.decision_due_at.is_(None),
            asc(AuthRequest.decision_due_at),
            asc(AuthRequest.submitted_at),
            asc(AuthRequest.id),
        )
        .offset(max(0, offset))
        .limit(limit)
    ).all()
    return RequestPage(rows=tuple(_row(r) for r in rows), total=total, offset=max(0, offset), limit=limit)


def lines_to_decide(
    session: Session, user: UserRecord, limit: int = QUEUE_PAGE_SIZE, offset: int = 0
) -> RequestPage:
    """Accepted cases with a line not yet decided or pended.

    Cases whose pended line has received information (a clinical file attached
    since it was pended) come first, then the oldest decision first.
    """
    _require_reviewer(user)
    open_line = exists().where(
        ServiceLine.request_id == AuthRequest.id,
        ServiceLine.status.in_([LineStatus.REQUESTED, LineStatus.PENDED]),
    )
    received = exists().where(
        ServiceLine.request_id == AuthRequest.id,
        ServiceLine.status == LineStatus.PENDED,
        ServiceLine.information_received_at.is_not(None),
    )
    where = (AuthRequest.status == RequestStatus.ACCEPTED, open_line)
    total = session.execute(select(func.count()).select_from(AuthRequest).where(*where)).scalar_one()
    rows = session.execute(
        select(*_ROW_COLUMNS)
        .where(*where)
        .order_by(~received, asc(AuthRequest.decided_at), asc(AuthRequest.id))
        .offset(max(0, offset))
        .limit(limit)
    ).all()
    page = [_row(r) for r in rows]
    flagged = set(session.execute(
        select(AuthRequest.id).where(AuthRequest.id.in_([r.id for r in page]), received)).scalars()) if page else set()
    from dataclasses import replace

    page = [replace(r, information_received=True) if r.id in flagged else r for r in page]
    return RequestPage(rows=tuple(page), total=total, offset=max(0, offset), limit=limit)


# --- case-level actions ----------------------------------------------------------


def change_urgency(
    session: Session,
    user: UserRecord,
    request_id: int,
    urgency: Urgency | str,
    note: str = "",
    *,
    expected_version: int | None = None,
) -> CaseDetail:
    """Change a pending case's urgency and restart its decision clock.

    Urgency is a request only (seed 000): the reviewer may change it. The due
    time is recomputed from ``submitted_at``: 72 h expedited, 7 days standard.
    Writes an ``urgency_changed`` event and mails the contact.

    Raises:
        ValidationError: field ``urgency`` — unknown value, or unchanged.
        InvalidTransitionError: the case is not pending.
    """
    _require_reviewer(user)
    try:
        new = Urgency(urgency)
    except ValueError:
        raise ValidationError("Choose standard or expedited.", field="urgency") from None
    req = _load(session, request_id, expected_version)
    _require_status(req, RequestStatus.PENDING, "re-prioritized")
    previous = Urgency(req.urgency)
    if new == previous:
        raise ValidationError(f"The case is already {new.value}.", field="urgency")
    now = utcnow()
    _bump(session, req, now)
    req.urgency = new
    req.decision_due_at = decision_due(req.submitted_at or now, new)
    session.add(req)
    detail = (
        f"Urgency changed from {previous.value} to {new.value}; decision due "
        f"{fmt_instant(req.decision_due_at)}."
    )
    if note.strip():
        detail += f" Note: {note.strip()}"
    add_event(session, req.id, EVENT_URGENCY_CHANGED, detail, actor=user, at=now)
    _mail(
        session,
        req,
        mail_templates.urgency_change_key(req),
        mail_templates.KIND_URGENCY_CHANGE,
        mail_templates.urgency_change(req, previous, note.strip()),
    )
    session.flush()
    return case_detail(session, req)


def accept_request(
    session: Session,
    user: UserRecord,
    request_id: int,
    *,
    attachments_dir: Path | None = None,
    expected_version: int | None = None,
) -> CaseDetail:
    """Accept a pending case: its authorization number becomes active.

    The SP/IP number given at submission is kept (one is assigned now only if
    the case somehow has none). Sets ``decided_at``, writes an ``accepted``
    event, a status-change mail and a determination letter (PDF attachment).

    Raises:
        InvalidTransitionError: the case is not pending.
    """
    _require_reviewer(user)
    req = _load(session, request_id, expected_version)
    _require_status(req, RequestStatus.PENDING, "accepted")
    now = utcnow()
    _bump(session, req, now)
    if not req.auth_number:
        req.auth_number = next_auth_number(session, RequestKind(req.kind).auth_prefix)
    req.status = RequestStatus.ACCEPTED
    req.decided_at = now
    session.add(req)
    session.flush()
    letter = letters.write_determination_letter(
        session, req, letters.LETTER_ACCEPTED, _attachments_dir(session, attachments_dir), actor=user, when=now
    )
    add_event(
        session,
        req.id,
        EVENT_ACCEPTED,
        f"Accepted; authorization number {req.auth_number} is active. Letter {letter.filename}.",
        actor=user,
        at=now,
    )
    _mail(
        session,
        req,
        mail_templates.status_change_key(req, RequestStatus.ACCEPTED),
        mail_templates.KIND_STATUS_CHANGE,
        mail_templates.status_change(req),
    )
    session.flush()
    return case_detail(session, req)


def reject_request(
    session: Session,
    user: UserRecord,
    request_id: int,
    reason: str,
    *,
    attachments_dir: Path | None = None,
    expected_version: int | None = None,
) -> CaseDetail:
    """Reject a pending case with a specific reason (shown to the clerk, printed on the letter).

    Raises:
        ValidationError: field ``reject-reason`` — missing or too long.
        InvalidTransitionError: the case is not pending.
    """
    _require_reviewer(user)
    reason = (reason or "").strip()
    req = _load(session, request_id, expected_version)
    _require_status(req, RequestStatus.PENDING, "rejected")
    if not reason:
        raise ValidationError(
            "Give the specific reason for the rejection; the clerk sees it and it is printed on the letter.",
            field="reject-reason",
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            f"The reason is too long ({len(reason)} characters; at most {MAX_REASON_LENGTH}).",
            field="reject-reason",
        )
    now = utcnow()
    _bump(session, req, now)
    req.status = RequestStatus.REJECTED
    req.reject_reason = reason
    req.decided_at = now
    session.add(req)
    session.flush()
    letter = letters.write_determination_letter(
        session, req, letters.LETTER_REJECTED, _attachments_dir(session, attachments_dir), actor=user, when=now
    )
    add_event(session, req.id, EVENT_REJECTED, f"Rejected: {reason} Letter {letter.filename}.", actor=user, at=now)
    _mail(
        session,
        req,
        mail_templates.status_change_key(req, RequestStatus.REJECTED),
        mail_templates.KIND_STATUS_CHANGE,
        mail_templates.status_change(req),
    )
    session.flush()
    return case_detail(session, req)


# --- immediate decision when the criteria are met (seed 003) -----------------------

EVENT_APPROVED_AT_SUBMISSION = "approved_at_submission"


def approve_when_criteria_met(session: Session, request: AuthRequest, now: datetime | None = None) -> bool:
    """Decide a just-submitted request at once when the plan's rules allow it.

    Seed 003: "Criteria met for this request … You will receive your
    authorization status and reference ID after submitting." When every
    service line's code has a clinical rule marked ``auto_approve = true``
    (``store/rules/clinical_rules.toml``) and its answers meet the criteria,
    the case is accepted and each line approved (A1) for the units and dates
    requested, with the letter, the mails and timeline events, in the caller's
    transaction. Otherwise nothing changes and a reviewer decides.

    Returns:
        True when the request was decided.
    """
    from store.services.clinical import auto_approves

    if request.status != RequestStatus.PENDING:
        return False
    lines = list(session.execute(
        select(ServiceLine).where(ServiceLine.request_id == request.id).order_by(ServiceLine.line_number)
    ).scalars())
    if not lines or not all(auto_approves(x.code, dict(x.clinical_answers or {})) for x in lines):
        return False
    now = now or utcnow()
    _bump(session, request, now)
    request.status = RequestStatus.ACCEPTED
    request.decided_at = now
    session.add(request)
    for line in lines:
        line.status = LineStatus.APPROVED
        line.authorized_units = line.requested_units
        line.authorized_from, line.authorized_to = _window(line, request)
        line.decided_at = now
        line.decision_reason = ""
        session.add(line)
    session.flush()
    letter = letters.write_determination_letter(
        session, request, letters.LETTER_ACCEPTED, _attachments_dir(session, None), when=now)
    approved = "; ".join(
        f"line {x.line_number} ({x.code}) {x.authorized_units} units "
        f"{fmt_date(x.authorized_from)} – {fmt_date(x.authorized_to)}" for x in lines)
    add_event(session, request.id, EVENT_APPROVED_AT_SUBMISSION,
              f"Criteria met: approved (A1) at submission under the plan's rules; authorization number "
              f"{request.auth_number} is active; {approved}. Letter {letter.filename}.", at=now)
    _mail(session, request, mail_templates.status_change_key(request, RequestStatus.ACCEPTED),
          mail_templates.KIND_STATUS_CHANGE, mail_templates.status_change(request))
    for line in lines:
        _mail(session, request, mail_templates.line_decision_key(request, line),
              mail_templates.KIND_LINE_DECISION, mail_templates.line_decision(request, line))
    session.flush()
    return True


# --- line decisions ------------------------------------------------------------


def _parse_outcome(outcome: LineStatus | str) -> LineStatus:
    if isinstance(outcome, str) and not isinstance(outcome, LineStatus):
        text = outcome.strip()
        by_word = {
            "approved": LineStatus.APPROVED,
            "partially approved": LineStatus.PARTIAL,
            "partial": LineStatus.PARTIAL,
            "denied": LineStatus.DENIED,
            "pended": LineStatus.PENDED,
            "modified": LineStatus.MODIFIED,
            "cancelled": LineStatus.CANCELLED,
        }
        if text.lower() in by_word:
            return by_word[text.lower()]
        try:
            outcome = LineStatus(text.upper())
        except ValueError:
            outcome = None  # type: ignore[assignment]
    if outcome not in DECISION_OUTCOMES:
        raise ValidationError(
            "Choose Approved (A1), Partially approved (A2), Denied (A3), Pended (A4), Modified (A6) "
            "or Cancelled (C).",
            field="outcome",
        )
    return LineStatus(outcome)


def _window(line: ServiceLine, req: AuthRequest) -> tuple[date | None, date | None]:
    """The requested dates an authorization must fall within."""
    return (line.from_date or req.start_date, line.to_date or req.end_date)


def validate_line_decision(
    line: ServiceLine,
    req: AuthRequest,
    outcome: LineStatus,
    units: int | None,
    from_date: date | None,
    to_date: date | None,
    reason: str,
    code: str | None = None,
) -> dict[str, str]:
    """Field → message for everything wrong with a proposed decision (empty when fine).

    A modified line (A6) authorizes units and dates that may differ from the
    request (outside its dates too), and possibly another ``code``; something
    must differ, else it is an approval (A1).
    """
    errors: dict[str, str] = {}
    if len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = f"The reason is too long ({len(reason)} characters; at most {MAX_REASON_LENGTH})."
    if outcome == LineStatus.DENIED and not reason:
        errors["reason"] = "Give the specific reason for the denial; it is printed on the letter."
    if outcome == LineStatus.PENDED and not reason:
        errors["reason"] = "Say what information is needed to decide this line."
    if outcome == LineStatus.MODIFIED:
        return errors | _modified_errors(line, req, units, from_date, to_date, code)
    if outcome not in (LineStatus.APPROVED, LineStatus.PARTIAL):
        return errors

    requested = line.requested_units
    if units is None:
        errors["units"] = "Enter the authorized units."
    elif isinstance(units, bool) or not isinstance(units, int):
        errors["units"] = "Authorized units must be a whole number."
    elif units <= 0:
        errors["units"] = (
            f"Authorized units must be 1 or more (got {units}); to authorize nothing, deny the line."
        )
    elif requested is not None and units > requested:
        errors["units"] = f"Authorized units ({units}) cannot be more than the {requested} requested."
    elif outcome == LineStatus.APPROVED and requested is not None and units < requested:
        errors["units"] = (
            f"Approved (A1) authorizes all {requested} requested units; "
            f"for {units}, choose Partially approved (A2)."
        )
    elif outcome == LineStatus.PARTIAL and requested is not None and units >= requested:
        errors["units"] = (
            f"Partially approved (A2) authorizes fewer than the {requested} requested units; "
            "for all of them, choose Approved (A1)."
        )

    if from_date is None:
        errors["from-date"] = "Enter the first authorized date."
    if to_date is None:
        errors["to-date"] = "Enter the last authorized date."
    if from_date is not None and to_date is not None and to_date < from_date:
        errors["to-date"] = (
            f"The last authorized date ({fmt_date(to_date)}) is before the first ({fmt_date(from_date)})."
        )
    start, end = _window(line, req)
    span = f"{fmt_date(start)} – {fmt_date(end)}"
    if from_date is not None and "from-date" not in errors:
        if (start and from_date < start) or (end and from_date > end):
            errors["from-date"] = f"The authorized dates must fall within the requested dates {span}."
    if to_date is not None and "to-date" not in errors:
        if (end and to_date > end) or (start and to_date < start):
            errors["to-date"] = f"The authorized dates must fall within the requested dates {span}."
    return errors


def _modified_errors(
    line: ServiceLine,
    req: AuthRequest,
    units: int | None,
    from_date: date | None,
    to_date: date | None,
    code: str | None,
) -> dict[str, str]:
    """What is wrong with a modified (A6) decision: units, dates, code, and that something changed."""
    from store.codes.procedures import normalize_procedure, validate_procedure_code

    errors: dict[str, str] = {}
    if units is None:
        errors["units"] = "Enter the authorized units."
    elif isinstance(units, bool) or not isinstance(units, int):
        errors["units"] = "Authorized units must be a whole number."
    elif units <= 0:
        errors["units"] = f"Authorized units must be 1 or more (got {units}); to authorize nothing, deny the line."
    if from_date is None:
        errors["from-date"] = "Enter the first authorized date."
    if to_date is None:
        errors["to-date"] = "Enter the last authorized date."
    if from_date is not None and to_date is not None and to_date < from_date:
        errors["to-date"] = (
            f"The last authorized date ({fmt_date(to_date)}) is before the first ({fmt_date(from_date)})."
        )
    new_code = normalize_procedure(code or "") or line.code
    if code and normalize_procedure(code) != line.code:
        try:
            validate_procedure_code(code, field="code")
        except ValidationError as exc:
            errors.update(exc.errors)
    if not errors:
        start, end = _window(line, req)
        if (new_code, units, from_date, to_date) == (line.code, line.requested_units, start, end):
            errors["outcome"] = (
                "Nothing is modified: the code, units and dates are those requested; choose Approved (A1)."
            )
    return errors


def decide_line(
    session: Session,
    user: UserRecord,
    request_id: int,
    line_id: int,
    outcome: LineStatus | str,
    *,
    units: int | None = None,
    from_date: date | None = None,
    to_date: date | None = None,
    reason: str = "",
    code: str | None = None,
    attachments_dir: Path | None = None,
    expected_version: int | None = None,
) -> CaseDetail:
    """Decide one service line of an accepted case.

    Outcomes (X12 278 HCR01 code kept beside each):

    * ``Approved`` (A1): all requested ``units`` and an authorized
      ``from_date``–``to_date`` within the line's requested dates.
    * ``Partially approved`` (A2): fewer units than requested, and dates.
    * ``Denied`` (A3): ``reason`` required.
    * ``Pended`` (A4): ``reason`` says what information is needed; the line is
      marked ``was_pended`` so a later approval counts as "approved after pend".
    * ``Modified`` (A6): authorized ``units`` and dates that differ from the
      request, and/or another procedure ``code``; ``reason`` optional.
    * ``Cancelled`` (C): the request for the line is withdrawn; nothing authorized.

    A line may be decided again (e.g. pended, then approved). Writes a
    ``line_decided`` event, a line-decision mail and a determination letter.

    Raises:
        ValidationError: per field (``outcome``, ``units``, ``from-date``,
            ``to-date``, ``reason``, ``code``), all problems at once.
        InvalidTransitionError: the case is not accepted.
        NotFoundError: no such line on this case.
    """
    _require_reviewer(user)
    req = _load(session, request_id, expected_version)
    _require_status(req, RequestStatus.ACCEPTED, "decided line by line")
    line = session.get(ServiceLine, line_id)
    if line is None or line.request_id != req.id:
        raise NotFoundError(f"Case #{request_id} has no service line #{line_id}.")
    status = _parse_outcome(outcome)
    reason = (reason or "").strip()
    errors = validate_line_decision(line, req, status, units, from_date, to_date, reason, code)
    if errors:
        raise ValidationError(errors)

    now = utcnow()
    _bump(session, req, now)
    previous = LineStatus(line.status)
    line.status = status
    line.decided_at = now
    line.decision_reason = reason
    line.authorized_code = None
    if status in GRANTING_OUTCOMES:
        line.authorized_units = units
        line.authorized_from = from_date
        line.authorized_to = to_date
        if status == LineStatus.MODIFIED and code:
            from store.codes.procedures import normalize_procedure

            line.authorized_code = normalize_procedure(code) if normalize_procedure(code) != line.code else None
    else:
        line.authorized_units = None
        line.authorized_from = None
        line.authorized_to = None
    if status == LineStatus.PENDED:
        line.was_pended = True
    line.information_received_at = None  # a new decision: nothing received since
    session.add(line)
    session.flush()
    letter = letters.write_determination_letter(
        session,
        req,
        letters.LETTER_LINE_DECISION,
        _attachments_dir(session, attachments_dir),
        line=line,
        actor=user,
        when=now,
    )
    detail = f"Line {line.line_number} ({line.code}): {status.label}"
    if status in GRANTING_OUTCOMES:
        detail += f", {units} units {fmt_date(from_date)} – {fmt_date(to_date)}"
        if line.authorized_code:
            detail += f" as {line.authorized_code}"
    if reason:
        detail += f"; {'information needed' if status == LineStatus.PENDED else 'reason'}: {reason}"
    if previous != LineStatus.REQUESTED:
        detail += f" (was {previous.label})"
    detail += f". Letter {letter.filename}."
    add_event(session, req.id, EVENT_LINE_DECIDED, detail, actor=user, at=now)
    _mail(
        session,
        req,
        mail_templates.line_decision_key(req, line),
        mail_templates.KIND_LINE_DECISION,
        mail_templates.line_decision(req, line),
    )
    session.flush()
    return case_detail(session, req)


__all__ = [
    "DECISION_OUTCOMES",
    "GRANTING_OUTCOMES",
    "accept_request",
    "approve_when_criteria_met",
    "change_urgency",
    "decide_line",
    "decision_due",
    "decision_time",
    "lines_to_decide",
    "reject_request",
    "review_queue",
    "validate_line_decision",
]
