"""The audit log: who (user, organization) did what (signed in, viewed, exported,
submitted, decided …) to which case, and when (HIPAA Security Rule §164.312(b)).

The log is append-only: the migration puts triggers on the table that refuse
UPDATE and DELETE on both backends. It never holds member data: a case is
named by its number, a person by the username.

Events about signing in are written in a transaction of their own
(:func:`record_now`), so a refused sign-in is recorded even though the
caller's session rolls back; everything else is written in the caller's
transaction (:func:`record`), so an action and its record commit together.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path

from sqlalchemy import desc, func, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from store.enums import Role
from store.errors import PermissionDeniedError, ValidationError
from store.models import AuditEvent, AuthRequest, Organization
from store.records import UserRecord
from store.types import utcnow


class AuditAction(StrEnum):
    """What an audit event records (stored as this short text)."""

    SIGNED_IN = "signed-in"
    SIGNED_OUT = "signed-out"
    SIGN_IN_FAILED = "sign-in-failed"
    LOCKED_OUT = "locked-out"
    RESET_REQUESTED = "reset-requested"
    RESET_REFUSED = "reset-refused"
    PASSWORD_RESET = "password-reset"
    VIEWED = "viewed"
    CHANGED = "changed"
    SUBMITTED = "submitted"
    DECIDED = "decided"
    EXPORTED_CSV = "exported-csv"
    EXPORTED_FHIR = "exported-fhir"
    EXPORTED_FILE = "exported-file"
    OPENED_FILE = "opened-file"
    IMPORTED = "imported"

    @property
    def label(self) -> str:
        """How the audit screen says it."""
        return self.value.replace("-", " ")


MAX_DETAIL = 300
PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit event as the screen and the CLI show it."""

    id: int
    at: datetime
    action: str
    username: str
    organization: str
    case_number: str
    detail: str


def _values(action: AuditAction | str, user: UserRecord | None, username: str, request_id: int | None,
            case_number: str, detail: str, at: datetime | None) -> dict:
    from store.textgate import clean_for_log

    return {
        "at": at or utcnow(),
        "action": str(AuditAction(action)),
        "user_id": user.id if user else None,
        "username": clean_for_log(user.username if user else username, 64),
        "organization_id": user.organization_id if user else None,
        "request_id": request_id,
        "case_number": clean_for_log(case_number, 20),
        "detail": clean_for_log(detail, MAX_DETAIL),
    }


def record(session: Session, action: AuditAction | str, user: UserRecord | None = None, *,
           username: str = "", request_id: int | None = None, case_number: str = "",
           detail: str = "", at: datetime | None = None) -> None:
    """Add an event in the caller's transaction.

    When ``request_id`` is given without ``case_number``, the case's number
    (authorization, WebCert or draft number) is looked up.
    """
    if request_id is not None and not case_number:
        case_number = case_number_of(session, request_id)
    session.execute(insert(AuditEvent).values(
        **_values(action, user, username, request_id, case_number, detail, at)))


def record_now(engine: Engine, action: AuditAction | str, user: UserRecord | None = None, *,
               username: str = "", user_id: int | None = None, organization_id: int | None = None,
               detail: str = "") -> None:
    """Add an event in a transaction of its own (committed at once)."""
    values = _values(action, user, username, None, "", detail, None)
    if user is None:
        values["user_id"], values["organization_id"] = user_id, organization_id
    with engine.begin() as conn:
        conn.execute(insert(AuditEvent).values(**values))


# Timeline events (store.services.timeline.add_event) that are decisions or submissions;
# every other event a person causes is a change.
_DECISION_EVENTS = {"accepted", "rejected", "line_decided", "approved_at_submission", "pas_response",
                    "urgency_changed"}
_SUBMISSION_EVENTS = {"Submitted"}


def record_case_event(session: Session, request_id: int, event: str, actor: UserRecord, at: datetime) -> None:
    """Mirror a timeline event caused by a person into the audit log.

    Only the event's name is kept (its detail may quote member data).
    """
    if event in _SUBMISSION_EVENTS:
        action = AuditAction.SUBMITTED
    elif event in _DECISION_EVENTS:
        action = AuditAction.DECIDED
    else:
        action = AuditAction.CHANGED
    record(session, action, actor, request_id=request_id, detail=event.replace("_", " "), at=at)


def view_case(session: Session, user: UserRecord, request_id: int):
    """:func:`store.services.cases.get_case`, recorded as viewed (for the case detail screen)."""
    from store.services.cases import get_case

    case = get_case(session, user, request_id)
    record(session, AuditAction.VIEWED, user, request_id=request_id)
    return case


def case_number_of(session: Session, request_id: int) -> str:
    """The number a case is known by: its WebCert number once submitted, else its draft number."""
    row = session.execute(
        select(AuthRequest.webcert_number, AuthRequest.draft_number)
        .where(AuthRequest.id == request_id)
    ).first()
    if row is None:
        return ""
    return row.webcert_number or row.draft_number or ""


def may_read_audit(user: UserRecord) -> bool:
    """Administrators and reviewers read the audit log."""
    return Role(user.role) in (Role.ADMIN, Role.REVIEWER)


def parse_since(text: str) -> datetime:
    """``2026-03-01`` (midnight UTC) or an ISO instant, or ``7d`` / ``24h`` ago.

    Raises:
        ValidationError: at field ``since`` for anything else.
    """
    text = (text or "").strip()
    try:
        if text[-1:] in ("d", "h") and text[:-1].isdigit():
            amount = int(text[:-1])
            return utcnow() - (timedelta(days=amount) if text[-1] == "d" else timedelta(hours=amount))
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except ValueError:
        pass
    raise ValidationError(
        f"{text!r} is not a date: use YYYY-MM-DD, an ISO time, or 7d / 24h for days or hours ago.",
        field="since",
    )


def _query(since: datetime | None, until: datetime | None, action: str, username: str, case_number: str):
    query = (
        select(AuditEvent, Organization.code)
        .outerjoin(Organization, Organization.id == AuditEvent.organization_id)
    )
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    if action:
        query = query.where(AuditEvent.action == str(AuditAction(action)))
    if username:
        query = query.where(AuditEvent.username == username.strip().lower())
    if case_number:
        query = query.where(AuditEvent.case_number == case_number.strip().upper())
    return query


def list_events(session: Session, reader: UserRecord | None, *, since: datetime | None = None,
                until: datetime | None = None, action: str = "", username: str = "", case_number: str = "",
                offset: int = 0, limit: int = PAGE_SIZE) -> list[AuditRecord]:
    """Events newest first, filtered; only for administrators and reviewers.

    Raises:
        PermissionDeniedError: a clerk asked.
        ValidationError: an unknown action (field ``action``).
    """
    _check_reader(reader)
    query = _checked_query(since, until, action, username, case_number)
    rows = session.execute(query.order_by(desc(AuditEvent.at), desc(AuditEvent.id)).offset(offset).limit(limit))
    return [_to_record(event, org) for event, org in rows]


def count_events(session: Session, reader: UserRecord | None, **filters) -> int:
    """How many events match (the same filters as :func:`list_events`)."""
    _check_reader(reader)
    query = _checked_query(filters.get("since"), filters.get("until"), filters.get("action", ""),
                           filters.get("username", ""), filters.get("case_number", ""))
    return session.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def iter_events(session: Session, reader: UserRecord | None, *, since: datetime | None = None,
                until: datetime | None = None, action: str = "", username: str = "",
                case_number: str = "") -> Iterable[AuditRecord]:
    """Every matching event, oldest first, streamed (for the CLI and CSV export)."""
    _check_reader(reader)
    query = _checked_query(since, until, action, username, case_number).order_by(AuditEvent.at, AuditEvent.id)
    for event, org in session.execute(query.execution_options(yield_per=1000)):
        yield _to_record(event, org)


def export_events_csv(session: Session, reader: UserRecord | None, path: str | Path, **filters) -> int:
    """Write the matching events to a CSV file; returns how many.

    Raises:
        ValidationError: the file cannot be written (field ``path``).
    """
    from store.services.export import safe_cell

    target = Path(os.path.expanduser(str(path)))
    written = 0
    try:
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(("at", "action", "username", "organization", "case_number", "detail"))
            for event in iter_events(session, reader, **filters):
                writer.writerow([safe_cell(v) for v in (event.at.isoformat(), event.action, event.username,
                                                        event.organization, event.case_number, event.detail)])
                written += 1
    except OSError as exc:
        raise ValidationError(f"Cannot write {target}: {exc.strerror or exc}", field="path") from exc
    record(session, AuditAction.EXPORTED_CSV, reader, username="" if reader else "command line",
           detail=f"audit log, {written} events")
    return written


def _check_reader(reader: UserRecord | None) -> None:
    """None is the command line (``authdesk audit``): whoever can open the database reads it."""
    if reader is not None and not may_read_audit(reader):
        raise PermissionDeniedError("Only administrators and reviewers read the audit log.")


def _checked_query(since, until, action, username, case_number):
    if action:
        try:
            AuditAction(action)
        except ValueError:
            raise ValidationError(
                f"Unknown action {action!r}; one of: {', '.join(a.value for a in AuditAction)}.", field="action"
            ) from None
    return _query(since, until, action, username, case_number)


def _to_record(event: AuditEvent, org: str | None) -> AuditRecord:
    return AuditRecord(id=event.id, at=event.at, action=event.action, username=event.username,
                       organization=org or "", case_number=event.case_number, detail=event.detail)


def count_recent(session: Session, action: AuditAction, user_id: int, since: datetime) -> int:
    """How many ``action`` events ``user_id`` has since ``since`` (for rate limits)."""
    return session.execute(
        select(func.count()).select_from(AuditEvent)
        .where(AuditEvent.action == str(action), AuditEvent.user_id == user_id, AuditEvent.at >= since)
    ).scalar_one()


__all__ = [
    "AuditAction",
    "AuditRecord",
    "case_number_of",
    "count_events",
    "count_recent",
    "export_events_csv",
    "iter_events",
    "list_events",
    "may_read_audit",
    "parse_since",
    "record",
    "record_case_event",
    "record_now",
    "view_case",
]
