"""Reports no portal has: decision metrics (CMS-0057-F) and renewals.

(The dashboard list's CSV export is :func:`store.services.export.export_rows_csv`.)

All reports respect :func:`store.services.cases.visible_to`: a clerk sees the
figures of the cases their organization is associated with; the plan's
reviewers and administrators see every case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import asc, bindparam, select, text
from sqlmodel import Session

from store.enums import LineStatus, RequestStatus, Urgency
from store.errors import ValidationError
from store.listing import REPORT_INDEX
from store.models import AuthRequest, ServiceLine
from store.records import UserRecord
from store.services.cases import audience_of, visible_to
from store.types import UTCDateTime, utcnow

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


_OUTCOMES = ("approved", "approved_after_pend", "denied", "pended", "awaiting_lines")

# A period's decided cases of one audience: rows of the listing's covering partial
# index ix_case_listing_report (audience, urgency, time taken, decision time, outcome, late).
_PERIOD = ("FROM case_listing{hint} WHERE audience_id = :audience AND outcome <> '' "
           "AND decided_at >= :lo AND decided_at < :hi")

# Counts per outcome, late decisions and total time per urgency: one pass over the index, in its order.
_GROUPS_SQL = ("SELECT urgency, COUNT(*), "
               + ", ".join(f"COUNT(*) FILTER (WHERE outcome = '{o}')" for o in _OUTCOMES)
               + ", SUM(late), SUM(decision_micros) " + _PERIOD + " GROUP BY urgency")

# The middle one or two times of one urgency: an ordered walk of the index to the middle.
_MIDDLE_SQL = "SELECT decision_micros " + _PERIOD + " AND urgency = :urgency{n}"


def _hint(dialect: str) -> str:
    return f" INDEXED BY {REPORT_INDEX}" if dialect == "sqlite" else ""


def _middle(session: Session, dialect: str, bind: list, params: dict, urgencies: list[str], count: int) -> list[int]:
    """The middle one (odd ``count``) or two (even) of the decision times of ``urgencies``, smallest first.

    Exact: ``OFFSET (count - 1) / 2`` along the index's order by time; for more
    than one urgency the ordered walks are merged (``UNION ALL … ORDER BY``,
    a merge of sorted inputs rather than a sort).
    """
    if count == 0:
        return []
    hint = _hint(dialect)
    arms = [_MIDDLE_SQL.format(hint=hint, n=i) for i in range(len(urgencies))]
    if len(arms) == 1:
        sql = f"{arms[0]} ORDER BY decision_micros"
    elif dialect == "sqlite":  # a compound SELECT … ORDER BY: merged ("MERGE (UNION ALL)")
        sql = " UNION ALL ".join(arms) + " ORDER BY 1"
    else:  # each walk ordered in its own parentheses: PostgreSQL merges them (Merge Append), else it sorts
        sql = ("SELECT decision_micros FROM (" + " UNION ALL ".join(f"({arm} ORDER BY decision_micros)" for arm in arms)
               + ") AS walks ORDER BY decision_micros")
    sql += " LIMIT :take OFFSET :skip"
    values = dict(params, take=2 - count % 2, skip=(count - 1) // 2)
    values.update({f"urgency{i}": u for i, u in enumerate(urgencies)})
    return [int(m) for m in session.execute(text(sql).bindparams(*bind), values).scalars()]


def _metrics(urgency: Urgency | None, counts: dict[str, int], late: int, micros: int,
             middle: list[int]) -> UrgencyMetrics:
    """One urgency's row from its cases per outcome, late decisions, total and middle times (microseconds)."""
    decided = sum(counts.values())
    average = median = None
    if decided:
        average = timedelta(seconds=round(micros / decided / 1_000_000))
        median = timedelta(seconds=round(sum(middle) / len(middle) / 1_000_000)) if middle else None
    return UrgencyMetrics(
        urgency=urgency,
        decided=decided,
        approved=counts["approved"] + counts["approved_after_pend"],
        denied=counts["denied"],
        pended=counts["pended"],
        approved_after_pend=counts["approved_after_pend"],
        awaiting_lines=counts["awaiting_lines"],
        late=late,
        average_time=average,
        median_time=median,
    )


def decision_metrics(
    session: Session, user: UserRecord, start: date | datetime, end: date | datetime
) -> DecisionMetrics:
    """Per urgency: counts and shares approved / denied / pended / approved after
    pend, and average and median time to decision, for requests decided in the
    period (the figures CMS-0057-F asks payers to publish).

    Computed in the database from the listing, whose rows carry each case's
    outcome, time to decision and lateness (kept by triggers, see
    :func:`store.listing.report_exprs`): one grouped pass over the report's
    covering index for the counts and sums, and exact medians by walking the
    same index, ordered by time, to the middle row — a handful of queries and
    no sort, whatever the number of cases.

    ``start`` and ``end`` are dates (whole days, UTC, both included) or UTC
    instants (``start`` included, ``end`` excluded).

    Raises:
        ValidationError: field ``period`` — the end is before the start.
    """
    lo, hi = _instant(start, end=False), _instant(end, end=True)
    if hi <= lo:
        raise ValidationError("The end of the period is before its start.", field="period")
    dialect = session.get_bind().dialect.name
    instants = UTCDateTime()
    bind = [bindparam("lo", lo, type_=instants), bindparam("hi", hi, type_=instants)]
    params = {"audience": audience_of(user)}
    rows = {}
    for urgency, decided, *figures in session.execute(
        text(_GROUPS_SQL.format(hint=_hint(dialect))).bindparams(*bind), params
    ):
        counts = dict(zip(_OUTCOMES, (int(n or 0) for n in figures[:len(_OUTCOMES)]), strict=True))
        rows[urgency] = (int(decided), counts, int(figures[-2] or 0), int(figures[-1] or 0))
    nothing = (0, dict.fromkeys(_OUTCOMES, 0), 0, 0)
    by_urgency = []
    middles: dict[tuple[str, ...], list[int]] = {}
    for u in (Urgency.STANDARD, Urgency.EXPEDITED):
        decided, counts, late, micros = rows.get(u.value, nothing)
        middles[(u.value,)] = _middle(session, dialect, bind, params, [u.value], decided)
        by_urgency.append(_metrics(u, counts, late, micros, middles[(u.value,)]))
    counted = [rows.get(u.value, nothing) for u in (Urgency.STANDARD, Urgency.EXPEDITED)]
    every = {o: sum(r[1][o] for r in counted) for o in _OUTCOMES}
    present = tuple(sorted(rows))  # every urgency decided in the period (one alone: its middle is the total's)
    middle = middles.get(present) or _middle(session, dialect, bind, params, list(present),
                                             sum(r[0] for r in rows.values()))
    total = _metrics(None, every, sum(r[2] for r in counted), sum(r[3] for r in counted), middle)
    return DecisionMetrics(start=lo, end=hi, by_urgency=tuple(by_urgency), total=total)


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
