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
from store.models import AuthRequest, ServiceLine
from store.records import UserRecord
from store.listing import NULL_INSTANT
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


def _decided_sql(dialect: str) -> str:
    """The decided cases of one audience in a period, with their time to decision in microseconds.

    Everything comes from the narrow listing row (:mod:`store.listing`), never the wide case row.
    """
    if dialect == "sqlite":
        micros = ("((CAST(strftime('%s', cl.decided_at) AS INTEGER) - CAST(strftime('%s', cl.submitted_at) AS INTEGER))"
                  " * 1000000 + CAST(substr(cl.decided_at, 21, 6) AS INTEGER)"
                  " - CAST(substr(cl.submitted_at, 21, 6) AS INTEGER))")
    else:
        micros = "CAST(EXTRACT(EPOCH FROM (cl.decided_at - cl.submitted_at)) * 1000000 AS BIGINT)"
    return f"""
        SELECT cl.request_id AS id, cl.urgency, cl.status, {micros} AS micros,
               CASE WHEN cl.decision_due_at > :no_instant AND cl.decided_at > cl.decision_due_at
                    THEN 1 ELSE 0 END AS late
        FROM case_listing cl
        WHERE cl.audience_id = :audience AND cl.status IN ('accepted', 'rejected')
          AND cl.decided_at >= :lo AND cl.decided_at < :hi AND cl.submitted_at > :no_instant"""


_OUTCOMES_SQL = """
    WITH d AS ({decided}),
    l AS (
        SELECT request_id,
               SUM(CASE WHEN status = 'A4' THEN 1 ELSE 0 END) AS pended,
               SUM(CASE WHEN status IN ('A1', 'A2', 'A6') THEN 1 ELSE 0 END) AS approved,
               SUM(CASE WHEN status IN ('A1', 'A2', 'A6') AND was_pended THEN 1 ELSE 0 END) AS approved_pended,
               SUM(CASE WHEN status = 'A3' THEN 1 ELSE 0 END) AS denied,
               COUNT(*) AS n
        FROM service_line WHERE request_id IN (SELECT id FROM d) GROUP BY request_id
    ),
    o AS (
        SELECT d.urgency, d.micros, d.late,
               CASE WHEN d.status = 'rejected' THEN 'denied'
                    WHEN COALESCE(l.pended, 0) > 0 THEN 'pended'
                    WHEN COALESCE(l.approved, 0) > 0 THEN
                        CASE WHEN l.approved_pended > 0 THEN 'approved_after_pend' ELSE 'approved' END
                    WHEN COALESCE(l.n, 0) > 0 AND l.denied = l.n THEN 'denied'
                    ELSE 'awaiting_lines' END AS outcome
        FROM d LEFT JOIN l ON l.request_id = d.id
    )
    SELECT urgency, outcome, COUNT(*) AS cases, SUM(late) AS late, SUM(micros) AS micros
    FROM o GROUP BY urgency, outcome"""

# The middle one or two times per urgency ('' = all urgencies), by window functions.
_MEDIAN_SQL = """
    WITH d AS ({decided}),
    ranked AS (
        SELECT urgency, micros,
               ROW_NUMBER() OVER (PARTITION BY urgency ORDER BY micros) AS rn,
               COUNT(*) OVER (PARTITION BY urgency) AS c
        FROM d
        UNION ALL
        SELECT '', micros, ROW_NUMBER() OVER (ORDER BY micros), COUNT(*) OVER ()
        FROM d
    )
    SELECT urgency, micros FROM ranked WHERE rn = (c + 1) / 2 OR rn = (c + 2) / 2"""


def _metrics(urgency: Urgency | None, groups: dict[str, tuple[int, int, int]], middle: list[int]) -> UrgencyMetrics:
    """One urgency's row from (cases, late, microseconds) per outcome and its middle times."""
    decided = sum(g[0] for g in groups.values())
    total_micros = sum(g[2] for g in groups.values())
    count = {o: groups.get(o, (0, 0, 0))[0] for o in ("approved", "approved_after_pend", "denied", "pended",
                                                      "awaiting_lines")}
    average = median = None
    if decided:
        average = timedelta(seconds=round(total_micros / decided / 1_000_000))
        median = timedelta(seconds=round(sum(middle) / len(middle) / 1_000_000)) if middle else None
    return UrgencyMetrics(
        urgency=urgency,
        decided=decided,
        approved=count["approved"] + count["approved_after_pend"],
        denied=count["denied"],
        pended=count["pended"],
        approved_after_pend=count["approved_after_pend"],
        awaiting_lines=count["awaiting_lines"],
        late=sum(g[1] for g in groups.values()),
        average_time=average,
        median_time=median,
    )


def decision_metrics(
    session: Session, user: UserRecord, start: date | datetime, end: date | datetime
) -> DecisionMetrics:
    """Per urgency: counts and shares approved / denied / pended / approved after
    pend, and average and median time to decision, for requests decided in the
    period (the figures CMS-0057-F asks payers to publish).

    Computed in the database: the decided cases come from the listing's
    (audience, status, decision time) index, outcomes from one grouped
    aggregate of their service lines, medians from window functions — two
    queries whatever the number of cases.

    ``start`` and ``end`` are dates (whole days, UTC, both included) or UTC
    instants (``start`` included, ``end`` excluded).

    Raises:
        ValidationError: field ``period`` — the end is before the start.
    """
    lo, hi = _instant(start, end=False), _instant(end, end=True)
    if hi <= lo:
        raise ValidationError("The end of the period is before its start.", field="period")
    decided = _decided_sql(session.get_bind().dialect.name)
    instants = UTCDateTime()
    bind = [bindparam("lo", lo, type_=instants), bindparam("hi", hi, type_=instants),
            bindparam("no_instant", NULL_INSTANT, type_=instants)]
    params = {"audience": audience_of(user)}
    groups: dict[str, dict[str, tuple[int, int, int]]] = {u.value: {} for u in Urgency}
    for urgency, outcome, cases, late, micros in session.execute(
        text(_OUTCOMES_SQL.format(decided=decided)).bindparams(*bind), params
    ):
        groups.setdefault(urgency, {})[outcome] = (int(cases), int(late or 0), int(micros or 0))
    middles: dict[str, list[int]] = {}
    for urgency, micros in session.execute(text(_MEDIAN_SQL.format(decided=decided)).bindparams(*bind), params):
        middles.setdefault(urgency, []).append(int(micros))
    by_urgency = tuple(
        _metrics(u, groups.get(u.value, {}), middles.get(u.value, [])) for u in (Urgency.STANDARD, Urgency.EXPEDITED)
    )
    every: dict[str, tuple[int, int, int]] = {}
    for u in (Urgency.STANDARD, Urgency.EXPEDITED):
        for outcome, (n, late, micros) in groups.get(u.value, {}).items():
            before = every.get(outcome, (0, 0, 0))
            every[outcome] = (before[0] + n, before[1] + late, before[2] + micros)
    total = _metrics(None, every, middles.get("", []))
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
