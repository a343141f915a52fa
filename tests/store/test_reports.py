"""Decision metrics (CMS-0057-F) and renewals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from store.enums import LineStatus, RequestStatus, Urgency
from store.errors import ValidationError
from store.services import review
from store.services.reports import decision_metrics, format_duration, renewals, request_outcome
from tests.store.review_cases import line_ids, make_case, people

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ONE_LINE = (("73721", 4, date(2026, 3, 10), date(2026, 4, 30)),)


def _at(when, fn, store, *args, **kw):
    with time_machine.travel(when, tick=False), store.session() as s:
        return fn(s, *args, attachments_dir=store.attachments_dir, **kw)


def _decided(store, clerk, reviewer, *, urgency, hours, outcome, org="NORTH", member=None, pend_first=False):
    """A case submitted at T0 and accepted/rejected ``hours`` later, its line decided."""
    kw = {"member": member} if member else {}
    case_id = make_case(store, clerk, urgency=urgency, submitted_at=T0, org=org, lines=ONE_LINE, **kw)
    when = T0 + timedelta(hours=hours)
    if outcome == "rejected":
        _at(when, review.reject_request, store, reviewer, case_id, "Not a covered benefit.")
        return case_id
    _at(when, review.accept_request, store, reviewer, case_id)
    (line,) = line_ids(store, case_id)
    later = when + timedelta(hours=1)
    if pend_first:
        _at(later, review.decide_line, store, reviewer, case_id, line, "A4", reason="Need notes")
        later += timedelta(hours=1)
    if outcome == "A1":
        _at(later, review.decide_line, store, reviewer, case_id, line, "A1", units=4,
            from_date=date(2026, 3, 10), to_date=date(2026, 3, 25))
    elif outcome == "A2":
        _at(later, review.decide_line, store, reviewer, case_id, line, "A2", units=2,
            from_date=date(2026, 3, 10), to_date=date(2026, 3, 20))
    elif outcome == "A3":
        _at(later, review.decide_line, store, reviewer, case_id, line, "A3", reason="Criteria not met")
    return case_id


@pytest.fixture
def cast(store):
    return people(store)


def test_request_outcome_rules():
    A1, A2, A3, A4, REQ = LineStatus.APPROVED, LineStatus.PARTIAL, LineStatus.DENIED, LineStatus.PENDED, LineStatus.REQUESTED
    acc, rej = RequestStatus.ACCEPTED, RequestStatus.REJECTED
    assert request_outcome(rej, []) == "denied"
    assert request_outcome(acc, [(A1, False), (A3, False)]) == "approved"
    assert request_outcome(acc, [(A2, True)]) == "approved_after_pend"
    assert request_outcome(acc, [(A3, True), (A3, False)]) == "denied"
    assert request_outcome(acc, [(A1, False), (A4, True)]) == "pended"
    assert request_outcome(acc, [(REQ, False), (A3, False)]) == "awaiting_lines"
    assert request_outcome(acc, []) == "awaiting_lines"


def test_metrics_per_urgency(store, cast):
    clerk, other, reviewer = cast
    # Standard: approved at 10 h, partially approved after a pend at 30 h, rejected at 50 h,
    # denied at 170 h (late: standard is due in 7 days = 168 h).
    _decided(store, clerk, reviewer, urgency=Urgency.STANDARD, hours=10, outcome="A1")
    _decided(store, clerk, reviewer, urgency=Urgency.STANDARD, hours=30, outcome="A2", pend_first=True)
    _decided(store, clerk, reviewer, urgency=Urgency.STANDARD, hours=50, outcome="rejected")
    _decided(store, clerk, reviewer, urgency=Urgency.STANDARD, hours=170, outcome="A3")
    # Expedited: pended at 2 h (still pended), approved at 6 h.
    _decided(store, clerk, reviewer, urgency=Urgency.EXPEDITED, hours=2, outcome="A4", pend_first=True)
    _decided(store, clerk, reviewer, urgency=Urgency.EXPEDITED, hours=6, outcome="A1")
    # Not counted: still pending; decided for another organization; decided outside the period.
    make_case(store, clerk, submitted_at=T0)
    _decided(store, other, reviewer, urgency=Urgency.STANDARD, hours=1, outcome="A1", org="SOUTH",
             member=("M9", "Lee", "Park"))

    with store.session() as s:
        m = decision_metrics(s, clerk, date(2026, 3, 1), date(2026, 3, 31))
    std, exp = m.for_urgency("standard"), m.for_urgency(Urgency.EXPEDITED)
    assert (std.decided, std.approved, std.approved_after_pend, std.denied, std.pended, std.late) == (4, 2, 1, 2, 0, 1)
    assert std.share_approved == 0.5 and std.share_denied == 0.5 and std.share_approved_after_pend == 0.25
    assert std.average_time == timedelta(hours=65)  # (10 + 30 + 50 + 170) / 4
    assert std.median_time == timedelta(hours=40)  # (30 + 50) / 2
    assert (exp.decided, exp.approved, exp.pended, exp.denied) == (2, 1, 1, 0)
    assert exp.share_pended == 0.5
    assert exp.average_time == timedelta(hours=4) and exp.median_time == timedelta(hours=4)
    assert m.total.decided == 6 and m.total.urgency is None
    assert m.total.median_time == timedelta(hours=20)  # 2, 6, 10, 30, 50, 170
    # The plan's reviewer sees every organization's cases.
    with store.session() as s:
        assert decision_metrics(s, reviewer, date(2026, 3, 1), date(2026, 3, 31)).total.decided == 7
    # A period with nothing decided.
    with store.session() as s:
        empty = decision_metrics(s, clerk, date(2026, 1, 1), date(2026, 1, 31))
    assert empty.total.decided == 0 and empty.total.share_approved == 0.0 and empty.total.average_time is None


def test_period_bounds(store, cast):
    clerk, _, reviewer = cast
    _decided(store, clerk, reviewer, urgency=Urgency.STANDARD, hours=15, outcome="A1")  # decided 03-03 00:00
    with store.session() as s:
        assert decision_metrics(s, clerk, date(2026, 3, 3), date(2026, 3, 3)).total.decided == 1
        assert decision_metrics(s, clerk, date(2026, 3, 1), date(2026, 3, 2)).total.decided == 0
        instant = T0 + timedelta(hours=15)
        assert decision_metrics(s, clerk, instant, instant + timedelta(seconds=1)).total.decided == 1
        assert decision_metrics(s, clerk, instant - timedelta(hours=1), instant).total.decided == 0
        with pytest.raises(ValidationError) as err:
            decision_metrics(s, clerk, date(2026, 3, 5), date(2026, 3, 1))
        assert err.value.errors == {"period": "The end of the period is before its start."}
        with pytest.raises(ValidationError):
            decision_metrics(s, clerk, datetime(2026, 3, 1), datetime(2026, 3, 2))


def test_format_duration():
    assert format_duration(None) == "—"
    assert format_duration(timedelta(minutes=45)) == "45 min"
    assert format_duration(timedelta(hours=5, minutes=20)) == "5 h 20 min"
    assert format_duration(timedelta(days=2, hours=3, minutes=59)) == "2 d 3 h"


def test_renewals_within_30_days(store, cast):
    clerk, other, reviewer = cast
    ends_soon = _decided(store, clerk, reviewer, urgency=Urgency.STANDARD, hours=1, outcome="A1")  # to 03-25
    partial = _decided(store, clerk, reviewer, urgency=Urgency.STANDARD, hours=1, outcome="A2")  # to 03-20
    _decided(store, clerk, reviewer, urgency=Urgency.STANDARD, hours=1, outcome="A3")  # denied: never
    _decided(store, other, reviewer, urgency=Urgency.STANDARD, hours=1, outcome="A1", org="SOUTH",
             member=("M9", "Lee", "Park"))
    with store.session() as s:
        rows = renewals(s, clerk, today=date(2026, 3, 1))
    assert [(r.request_id, r.authorized_to, r.days_left, r.status) for r in rows] == [
        (partial, date(2026, 3, 20), 19, LineStatus.PARTIAL),
        (ends_soon, date(2026, 3, 25), 24, LineStatus.APPROVED),
    ]
    assert rows[0].auth_number.startswith("SP") and rows[0].code == "73721" and rows[0].authorized_units == 2
    with store.session() as s:
        assert [r.request_id for r in renewals(s, clerk, within_days=20, today=date(2026, 3, 1))] == [partial]
        assert [r.request_id for r in renewals(s, clerk, today=date(2026, 3, 21))] == [ends_soon]  # ended ones drop off
        assert renewals(s, clerk, today=date(2026, 3, 26)) == []
        assert len(renewals(s, reviewer, today=date(2026, 3, 1))) == 3
        with pytest.raises(ValidationError):
            renewals(s, clerk, within_days=-1)


def _reference(store, user, lo: datetime, hi: datetime) -> dict:
    """The report computed the slow way, in Python, from the cases and their lines (the definition)."""
    from sqlalchemy import select

    from store.models import AuthRequest, RequestOrganization, ServiceLine

    with store.session() as s:
        cases = s.execute(select(AuthRequest)).scalars().all()
        lines: dict[int, list] = {}
        for rid, status, pended in s.execute(select(ServiceLine.request_id, ServiceLine.status, ServiceLine.was_pended)):
            lines.setdefault(rid, []).append((status, bool(pended)))
        mine = set(s.execute(select(RequestOrganization.request_id).where(
            RequestOrganization.organization_id == user.organization_id)).scalars())
        rows = []
        for c in cases:
            if not user.is_reviewer and c.id not in mine:
                continue
            if c.status not in (RequestStatus.ACCEPTED, RequestStatus.REJECTED) or c.submitted_at is None:
                continue
            if c.decided_at is None or not lo <= c.decided_at < hi:
                continue
            late = c.decision_due_at is not None and c.decided_at > c.decision_due_at
            rows.append((c.urgency, request_outcome(RequestStatus(c.status), lines.get(c.id, [])),
                         (c.decided_at - c.submitted_at) // timedelta(microseconds=1), late))

    def figures(selected):
        micros = sorted(r[2] for r in selected)
        n = len(micros)
        out = {o: sum(1 for r in selected if r[1] == o)
               for o in ("approved", "approved_after_pend", "denied", "pended", "awaiting_lines")}
        middle = micros[(n - 1) // 2:n // 2 + 1] if n else []
        return (n, out["approved"] + out["approved_after_pend"], out["denied"], out["pended"],
                out["approved_after_pend"], out["awaiting_lines"], sum(1 for r in selected if r[3]),
                timedelta(seconds=round(sum(micros) / n / 1_000_000)) if n else None,
                timedelta(seconds=round(sum(middle) / len(middle) / 1_000_000)) if n else None)

    result = {u.value: figures([r for r in rows if r[0] == u]) for u in Urgency}
    result["total"] = figures(rows)
    return result


def _as_tuple(m) -> tuple:
    return (m.decided, m.approved, m.denied, m.pended, m.approved_after_pend, m.awaiting_lines, m.late,
            m.average_time, m.median_time)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_metrics_equal_the_definition_on_random_cases(store, cast, seed):
    """Counts, lateness, averages and exact medians (odd and even counts) against a brute force."""
    import random

    from sqlalchemy import update

    from store.models import AuthRequest, ServiceLine

    clerk, other, reviewer = cast
    rng = random.Random(seed)
    statuses = [RequestStatus.ACCEPTED] * 5 + [RequestStatus.REJECTED] * 2 + [RequestStatus.PENDING]
    for i in range(rng.randint(14, 22)):
        urgency = rng.choice(list(Urgency))
        owner, org = (clerk, "NORTH") if rng.random() < 0.6 else (other, "SOUTH")
        submitted = T0 + timedelta(days=rng.randint(0, 20), seconds=rng.randint(0, 86399),
                                   microseconds=rng.randint(0, 999_999))
        case_id = make_case(store, owner, urgency=urgency, submitted_at=submitted, org=org,
                            status=rng.choice(statuses))
        with store.session() as s:
            taken = timedelta(hours=rng.randint(0, 200), seconds=rng.randint(0, 3599),
                              microseconds=rng.randint(0, 999_999))
            s.execute(update(AuthRequest).where(AuthRequest.id == case_id,
                                                AuthRequest.status.in_(["accepted", "rejected"]))
                      .values(decided_at=submitted + taken))
            for line in s.execute(select_lines(case_id)).scalars():
                status = rng.choice(["requested", "A1", "A2", "A3", "A4", "A6", "C"])
                s.execute(update(ServiceLine).where(ServiceLine.id == line).values(
                    status=status, was_pended=status == "A4" or rng.random() < 0.3))
    periods = [(T0, T0 + timedelta(days=40)), (T0 + timedelta(days=3), T0 + timedelta(days=9, hours=5)),
               (T0 + timedelta(days=30), T0 + timedelta(days=31))]
    for user in (clerk, other, reviewer):
        for lo, hi in periods:
            with store.session() as s:
                m = decision_metrics(s, user, lo, hi)
            expected = _reference(store, user, lo, hi)
            assert _as_tuple(m.for_urgency(Urgency.STANDARD)) == expected["standard"]
            assert _as_tuple(m.for_urgency(Urgency.EXPEDITED)) == expected["expedited"]
            assert _as_tuple(m.total) == expected["total"]


def select_lines(case_id):
    from sqlalchemy import select

    from store.models import ServiceLine

    return select(ServiceLine.id).where(ServiceLine.request_id == case_id)
