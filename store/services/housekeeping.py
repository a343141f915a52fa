"""Housekeeping: expire old drafts, queue their reminder mails, send the outbox.

Run by ``authdesk housekeeping`` (from cron, e.g. every 10 minutes) and by the
app in the background. Every step is idempotent and safe to run from several
processes at once:

* A draft expires 96 hours after it was created (``expires_at``; for a row
  without one, ``created_at`` + 96 h). Expiring is a guarded
  ``UPDATE … WHERE status = 'draft'``, so only one run expires a draft; that
  run writes the ``expired`` timeline event and queues the "draft expired"
  mail, recorded in ``expired_notice_queued_at`` (and the outbox dedupe key).
* A draft that expires within 24 hours gets one "expiring" reminder, claimed
  with ``UPDATE … WHERE expiry_reminder_queued_at IS NULL``. The reminder does
  not bump the draft's version, so a clerk editing it is not disturbed.
* Then, when SMTP is configured, due mail is sent
  (:func:`store.services.mailer.send_pending`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, text, update
from sqlmodel import Session

from store.enums import RequestStatus
from store.errors import ValidationError
from store.models import AuthRequest
from store.services import mail_templates
from store.services.drafts import DRAFT_LIFETIME
from store.services.mailer import SendReport, load_smtp_settings, send_pending
from store.services.reminders import queue_draft_reminder
from store.services.timeline import add_event
from store.services.versions import bump_version
from store.texts import DRAFT_LIFETIME_WORDS
from store.types import UTCDateTime, utcnow

REMINDER_BEFORE = timedelta(hours=24)
CHUNK = 500
COUNT_ROWS_KEPT = 200  # count deltas tolerated before they are folded

EVENT_EXPIRED = "expired"
EVENT_EXPIRY_REMINDER = "expiry_reminder"


@dataclass(frozen=True, slots=True)
class HousekeepingReport:
    """What one run did; ``str()`` is what ``authdesk housekeeping`` prints."""

    expired: int
    expired_notices: int
    reminders: int
    mail: SendReport | None
    mail_error: str = ""

    def __str__(self) -> str:
        lines = [
            f"drafts: {self.expired} expired ({self.expired_notices} expiry notice(s) queued), "
            f"{self.reminders} expiry reminder(s) queued",
        ]
        if self.mail_error:
            lines.append(f"mail: not sent — {self.mail_error}")
        elif self.mail is not None:
            lines.append(str(self.mail))
        return "\n".join(lines)


def _drafts(dialect: str, index: str | None, where: str, key: str, limit: int, **instants: datetime):
    """Ids of drafts matching ``where``, the first ``limit`` by ``key`` (the index's column).

    ``status = 'draft'`` is written out, not a bound parameter: a planner
    matches a partial index's WHERE only against the literal. On SQLite the
    partial ``index`` is named (``INDEXED BY``): its planner, from sampled
    statistics, would otherwise take the wider ``(status, expires_at)`` index
    and read every draft of the range, reminded or not. In the index's order,
    not the id's: ordered by id, PostgreSQL may walk the whole primary key
    hoping to meet ``limit`` matches early.
    """
    hint = f" INDEXED BY {index}" if index and dialect == "sqlite" else ""
    return text(f"SELECT id FROM auth_request{hint} WHERE status = 'draft' AND {where} "
                f"ORDER BY {key}, id LIMIT :limit"
                ).bindparams(*(bindparam(k, v, type_=UTCDateTime()) for k, v in instants.items()),
                             bindparam("limit", limit))


def _due_ids(now: datetime, limit: int, dialect: str = "") -> list:
    """Queries of draft ids whose expiry instant is at or before ``now``.

    Two index ranges instead of one ``OR`` (which defeats the index), each
    reading only the drafts it returns: drafts with ``expires_at`` on
    ``(status, expires_at)``, and the rare drafts without one by their creation
    time on the partial index ``ix_request_draft_no_expiry``.
    """
    return [
        _drafts(dialect, None, "expires_at <= :now", "expires_at", limit, now=now),
        _drafts(dialect, "ix_request_draft_no_expiry", "expires_at IS NULL AND created_at <= :born", "created_at", limit,
                born=now - DRAFT_LIFETIME),
    ]


def _soon_ids(now: datetime, window: timedelta, limit: int, dialect: str = "") -> list:
    """Queries of draft ids without a reminder that expire after ``now`` but by ``now + window``.

    Read from the partial index ``ix_request_reminder_due`` (drafts not yet
    reminded, by expiry): the drafts already reminded are not in it, so a run
    with nothing to do reads nothing.
    """
    horizon = now + window
    return [
        _drafts(dialect, "ix_request_reminder_due", "expires_at > :now AND expires_at <= :horizon "
                "AND expiry_reminder_queued_at IS NULL", "expires_at", limit, now=now, horizon=horizon),
        _drafts(dialect, "ix_request_draft_no_expiry", "expires_at IS NULL AND created_at > :born "
                "AND created_at <= :last AND expiry_reminder_queued_at IS NULL", "created_at", limit,
                born=now - DRAFT_LIFETIME, last=horizon - DRAFT_LIFETIME),
    ]


def _ids(session: Session, queries: list) -> list[int]:
    found: set[int] = set()
    for query in queries:
        found.update(session.execute(query).scalars())
    return sorted(found)[:CHUNK]


def expire_drafts(store, now: datetime | None = None) -> tuple[int, int]:
    """Expire every draft past its 96 hours; returns (expired, notices queued)."""
    now = now or utcnow()
    expired = notices = 0
    while True:
        with store.session() as session:
            ids = _ids(session, _due_ids(now, CHUNK, session.get_bind().dialect.name))
            if not ids:
                break
            for request_id in ids:
                done, notice = _expire_one(session, request_id, now)
                expired += done
                notices += notice
        if len(ids) < CHUNK:
            break
    return expired, notices


def _expire_one(session: Session, request_id: int, now: datetime) -> tuple[int, int]:
    if not bump_version(session, request_id, only_if=[AuthRequest.status == RequestStatus.DRAFT], conflict=None,
                        status=RequestStatus.EXPIRED, updated_at=now):
        return 0, 0  # submitted, cancelled or expired by someone else meanwhile
    req = session.get(AuthRequest, request_id)
    session.refresh(req)
    if req.expires_at is None:
        req.expires_at = req.created_at + DRAFT_LIFETIME
    add_event(
        session,
        req.id,
        EVENT_EXPIRED,
        f"Draft expired unsubmitted at {mail_templates.fmt_instant(req.expires_at)} "
        f"({DRAFT_LIFETIME_WORDS} after it was started); kept read-only.",
        at=now,
    )
    queued = 0
    if req.expired_notice_queued_at is None:
        queue_draft_reminder(session, req, expired=True)  # the contact and the initiator
        req.expired_notice_queued_at = now
        queued = 1
    session.add(req)
    session.flush()
    return 1, queued


def queue_expiry_reminders(store, now: datetime | None = None) -> int:
    """Queue the "expires within 24 h" mail once for each draft that needs it."""
    now = now or utcnow()
    queued = 0
    while True:
        with store.session() as session:
            ids = _ids(session, _soon_ids(now, REMINDER_BEFORE, CHUNK, session.get_bind().dialect.name))
            for request_id in ids:
                queued += _remind_one(session, request_id, now)
        if len(ids) < CHUNK:
            break
    return queued


def _remind_one(session: Session, request_id: int, now: datetime) -> int:
    result = session.execute(
        update(AuthRequest)
        .where(
            AuthRequest.id == request_id,
            AuthRequest.status == RequestStatus.DRAFT,
            AuthRequest.expiry_reminder_queued_at.is_(None),
        )
        .values(expiry_reminder_queued_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return 0
    req = session.get(AuthRequest, request_id)
    session.refresh(req)
    if req.expires_at is None:
        req.expires_at = req.created_at + DRAFT_LIFETIME
        session.add(req)
    queue_draft_reminder(session, req, expired=False)  # the contact and the initiator
    add_event(
        session,
        req.id,
        EVENT_EXPIRY_REMINDER,
        f"Reminder mailed: the draft expires {mail_templates.fmt_instant(req.expires_at)}.",
        at=now,
    )
    session.flush()
    return 1


def compact_case_counts(store) -> int:
    """Fold the dashboard's count deltas (:func:`store.listing.compact_counts`) when there are many."""
    from sqlalchemy import func

    from store.listing import compact_counts
    from store.models import CaseCount

    with store.session() as session:
        rows = session.execute(select(func.count()).select_from(CaseCount)).scalar_one()
        if rows <= COUNT_ROWS_KEPT:
            return 0
        return compact_counts(session.connection())


def run_housekeeping(store, now: datetime | None = None, *, send_mail: bool = True) -> HousekeepingReport:
    """Expire drafts, queue reminders, then send due mail if SMTP is configured.

    Running it twice in a row queues nothing new. A bad SMTP configuration
    does not stop the draft work; its message is in ``mail_error``.
    """
    now = now or utcnow()
    # Reminders first: a draft about to expire gets its reminder before the
    # expiry check of a later run, never after it expired.
    reminders = queue_expiry_reminders(store, now)
    expired, notices = expire_drafts(store, now)
    compact_case_counts(store)
    mail: SendReport | None = None
    mail_error = ""
    if send_mail:
        try:
            settings = load_smtp_settings()
        except ValidationError as exc:
            mail_error = str(exc)
        else:
            mail = send_pending(store, settings, now=now)
    return HousekeepingReport(
        expired=expired, expired_notices=notices, reminders=reminders, mail=mail, mail_error=mail_error
    )


__all__ = [
    "DRAFT_LIFETIME",
    "HousekeepingReport",
    "REMINDER_BEFORE",
    "expire_drafts",
    "queue_expiry_reminders",
    "run_housekeeping",
]
