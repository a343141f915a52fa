"""Reports no portal has: decision metrics (CMS-0057-F) and renewals.

(The dashboard list's CSV export is :func:`store.services.export.export_rows_csv`.)

All reports respect :func:`store.services.cases.visible_to`: a clerk sees the
figures of the cases their organization is associated with; the plan's
reviewers and administrators see every case.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import asc, select
from sqlmodel import Session

from store.enums import LineStatus, RequestStatus, Urgency
from store.errors import ValidationError
from store.models import AuthRequest, ServiceLine
from store.records import UserRecord
from store.services.cases import visible_to
from store.types import utcnow

APPROVED_LINE = (LineStatus.APPROVED, LineStatus.PARTIAL, LineStatus.MODIFIED)
RENEWAL_WINDOW_DAYS = 30


# --- decision metrics -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UrgencyMetrics:
    """Decision figures for one urgency (or all of them, ``urgency`` None).

    A decided request counts once, by its outcome:

    * **denied** — rejected, or accepted with every line denied (A3);
    * **pended** — accepted with a line still pended (A4);
    * **approved** — accepted with at least one line approved (A1, A2 or A6) and
      none pended; **approved after pend** is the part of those whose approved
      line had been pended first;
    * **awaiting lines** — accepted, but no line decided yet (or only some
      denied and the rest undecided).

    Times run from submission to the decision on the request (accept or
    reject). ``late`` counts decisions made after the due time (72 h
    expedited, 7 days standard).
    """

    urgency: Urgency | None
    decided: int
    approved: int
    denied: int
    pended: int
    approved_after_pend: int
    awaiting_lines: int
    late: int
    average_time: timedelta | None
    median_time: timedelta | None

    def share(self, count: int) -> float:
        """``count`` as a fraction of decided requests (0.0 when none)."""
        return count / self.decided if self.decided else 0.0

    @property
    def share_approved(self) -> float:
        return self.share(self.approved)

    @property
    def share_denied(self) -> float:
        return self.share(self.denied)

    @property
    def share_pended(self) -> float:
        return self.share(self.pended)

    @property
    def share_approved_after_pend(self) -> float:
        return self.share(self.approved_after_pend)

    @property
    def share_late(self) -> float:
        return self.share(self.late)


@dataclass(frozen=True, slots=True)
class DecisionMetrics:
    """The metrics report for a period: one row per urgency and a total."""

    start: datetime
    end: datetime
    by_urgency: tuple[UrgencyMetrics, ...]
    total: UrgencyMetrics

    def for_urgency(self, urgency: Urgency | str) -> UrgencyMetrics:
        """The row of one urgency."""
        urgency = Urgency(urgency)
        return next(m for m in self.by_urgency if m.urgency == urgency)


def _instant(value: date | datetime, *, end: bool) -> datetime:
    """A date means the whole day in UTC: its start, or (for ``end``) the next day's start."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError("Give the period in UTC instants or dates.", field="period")
        return value.astimezone(UTC)
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time(0), tzinfo=UTC)


def request_outcome(status: RequestStatus, lines: Sequence[tuple[LineStatus, bool]]) -> str:
    """``approved``, ``approved_after_pend``, ``denied``, ``pended`` or ``awaiting_lines``."""
    if status == RequestStatus.REJECTED:
        return "denied"
    statuses = [LineStatus(s) for s, _ in lines]
    if any(s == LineStatus.PENDED for s in statuses):
        return "pended"
    approved = [(s, pended) for s, pended in lines if LineStatus(s) in APPROVED_LINE]
    if approved:
        return "approved_after_pend" if any(pended for _, pended in approved) else "approved"
    if statuses and all(s == LineStatus.DENIED for s in statuses):
        return "denied"
    return "awaiting_lines"


def _summarize(urgency: Urgency | None, cases: list[tuple[str, timedelta, bool]]) -> UrgencyMetrics:
    outcomes = [o for o, _, _ in cases]
    times = [t for _, t, _ in cases]
    after_pend = outcomes.count("approved_after_pend")
    average = median = None
    if times:
        seconds = [t.total_seconds() for t in times]
        average = timedelta(seconds=round(sum(seconds) / len(seconds)))
        median = timedelta(seconds=round(statistics.median(seconds)))
    return UrgencyMetrics(
        urgency=urgency,
        decided=len(cases),
        approved=outcomes.count("approved") + after_pend,
        denied=outcomes.count("denied"),
        pended=outcomes.count("pended"),
        approved_after_pend=after_pend,
        awaiting_lines=outcomes.count("awaiting_lines"),
        late=sum(1 for _, _, late in cases if late),
        average_time=average,
        median_time=median,
    )


def decision_metrics(
    session: Session, user: UserRecord, start: date | datetime, end: date | datetime
) -> DecisionMetrics:
    """Per urgency: counts and shares approved / denied / pended / approved after
    pend, and average and median time to decision, for requests decided in the
    period (the figures CMS-0057-F asks payers to publish).

    ``start`` and ``end`` are dates (whole days, UTC, both included) or UTC
    instants (``start`` included, ``end`` excluded).

    Raises:
        ValidationError: field ``period`` — the end is before the start.
    """
    lo, hi = _instant(start, end=False), _instant(end, end=True)
    if hi <= lo:
        raise ValidationError("The end of the period is before its start.", field="period")
    requests = session.execute(
        select(
            AuthRequest.id,
            AuthRequest.urgency,
            AuthRequest.status,
            AuthRequest.submitted_at,
            AuthRequest.decided_at,
            AuthRequest.decision_due_at,
        ).where(
            AuthRequest.status.in_([RequestStatus.ACCEPTED, RequestStatus.REJECTED]),
            AuthRequest.decided_at >= lo,
            AuthRequest.decided_at < hi,
            AuthRequest.submitted_at.is_not(None),
            visible_to(user),
        )
    ).all()
    ids = [r.id for r in requests]
    lines: dict[int, list[tuple[LineStatus, bool]]] = {i: [] for i in ids}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        for request_id, status, was_pended in session.execute(
            select(ServiceLine.request_id, ServiceLine.status, ServiceLine.was_pended).where(
                ServiceLine.request_id.in_(chunk)
            )
        ):
            lines[request_id].append((LineStatus(status), bool(was_pended)))
    per: dict[Urgency, list[tuple[str, timedelta, bool]]] = {u: [] for u in Urgency}
    for r in requests:
        outcome = request_outcome(RequestStatus(r.status), lines[r.id])
        late = r.decision_due_at is not None and r.decided_at > r.decision_due_at
        per[Urgency(r.urgency)].append((outcome, r.decided_at - r.submitted_at, late))
    by_urgency = tuple(_summarize(u, per[u]) for u in (Urgency.STANDARD, Urgency.EXPEDITED))
    total = _summarize(None, [c for u in (Urgency.STANDARD, Urgency.EXPEDITED) for c in per[u]])
    return DecisionMetrics(start=lo, end=hi, by_urgency=by_urgency, total=total)


def format_duration(value: timedelta | None) -> str:
    """``2 d 3 h``, ``5 h 20 min``, ``45 min`` or an em dash."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


# --- renewals -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RenewalRecord:
    """An approved line whose authorization ends soon."""

    request_id: int
    webcert_number: str | None
    auth_number: str | None
    member_id: str
    member_name: str
    line_id: int
    line_number: int
    code: str
    description: str
    status: LineStatus
    authorized_units: int | None
    authorized_from: date | None
    authorized_to: date
    days_left: int


def renewals(
    session: Session,
    user: UserRecord,
    within_days: int = RENEWAL_WINDOW_DAYS,
    today: date | None = None,
    *,
    limit: int = 500,
    offset: int = 0,
) -> list[RenewalRecord]:
    """Approved lines of accepted cases whose authorization ends within
    ``within_days`` (today included), soonest first — so a renewal or extension
    can be requested in time."""
    if within_days < 0:
        raise ValidationError("The window must be 0 days or more.", field="within-days")
    today = today or utcnow().date()
    horizon = today + timedelta(days=within_days)
    rows = session.execute(
        select(
            AuthRequest.id,
            AuthRequest.webcert_number,
            AuthRequest.auth_number,
            AuthRequest.member_id_entered,
            AuthRequest.member_name,
            ServiceLine.id.label("line_id"),
            ServiceLine.line_number,
            ServiceLine.code,
            ServiceLine.description,
            ServiceLine.status.label("line_status"),
            ServiceLine.authorized_units,
            ServiceLine.authorized_from,
            ServiceLine.authorized_to,
        )
        .join(ServiceLine, ServiceLine.request_id == AuthRequest.id)
        .where(
            AuthRequest.status == RequestStatus.ACCEPTED,
            ServiceLine.status.in_(APPROVED_LINE),
            ServiceLine.authorized_to >= today,
            ServiceLine.authorized_to <= horizon,
            visible_to(user),
        )
        .order_by(asc(ServiceLine.authorized_to), asc(AuthRequest.id), asc(ServiceLine.line_number))
        .offset(max(0, offset))
        .limit(limit)
    ).all()
    return [
        RenewalRecord(
            request_id=r.id,
            webcert_number=r.webcert_number,
            auth_number=r.auth_number,
            member_id=r.member_id_entered,
            member_name=r.member_name,
            line_id=r.line_id,
            line_number=r.line_number,
            code=r.code,
            description=r.description,
            status=LineStatus(r.line_status),
            authorized_units=r.authorized_units,
            authorized_from=r.authorized_from,
            authorized_to=r.authorized_to,
            days_left=(r.authorized_to - today).days,
        )
        for r in rows
    ]


__all__ = [
    "DecisionMetrics",
    "RenewalRecord",
    "UrgencyMetrics",
    "decision_metrics",
    "format_duration",
    "renewals",
    "request_outcome",
]
