"""Keyset paging, filter/search routing and the SQL report, on both backends."""

from __future__ import annotations

from datetime import timedelta

import statistics

import pytest
from sqlalchemy import select, text

from store.demo import seed_demo
from store.enums import LineStatus, RequestStatus, Urgency
from store.models import AuthRequest, ServiceLine, User
from store.services import cases
from store.services.auth import to_user_record
from store.services.cases import count_by_status, filter_condition, list_requests
from store.services.reports import decision_metrics, request_outcome
from store.services.search import search_cases


@pytest.fixture
def seeded(store, frozen_now):
    seed_demo(store, cases=250)
    with store.session() as session:
        users = {
            name: to_user_record(session, session.execute(select(User).where(User.username == name)).scalar_one())
            for name in ("amy", "cara", "rita")
        }
    return store, users


def _all_visible(store, user, statuses):
    with store.session() as session:
        return set(session.execute(select(AuthRequest.id).where(
            AuthRequest.status.in_([s.value for s in statuses]), cases.visible_to(user))).scalars())


@pytest.mark.parametrize("username", ["amy", "rita"])
@pytest.mark.parametrize("statuses", [(RequestStatus.ACCEPTED,), (RequestStatus.EXPIRED, RequestStatus.CANCELLED)])
@pytest.mark.parametrize("sort,descending", [("updated", True), ("member", False), ("decided", True),
                                             ("kind", False)])
def test_paging_forward_and_back_returns_every_row_once(seeded, username, statuses, sort, descending):
    store, users = seeded
    user = users[username]
    cases._POSITIONS.clear()
    expected = _all_visible(store, user, statuses)
    with store.session() as session:
        first = list_requests(session, user, statuses, sort=sort, descending=descending, limit=7)
        pages = [first]
        while pages[-1].offset + 7 < first.total:
            pages.append(list_requests(session, user, statuses, sort=sort, descending=descending, limit=7,
                                       offset=pages[-1].offset + 7, total=first.total))
        seen = [r.id for p in pages for r in p.rows]
        assert len(seen) == len(set(seen)) == first.total == len(expected)
        assert set(seen) == expected
        # going back page by page (keyset from the page after) gives the same pages
        for page in reversed(pages[:-1]):
            again = list_requests(session, user, statuses, sort=sort, descending=descending, limit=7,
                                  offset=page.offset, total=first.total)
            assert again == page
    # with no position remembered (a jump), the same pages again
    cases._POSITIONS.clear()
    with store.session() as session:
        for page in pages:
            assert list_requests(session, user, statuses, sort=sort, descending=descending, limit=7,
                                 offset=page.offset, total=first.total) == page


def test_rows_are_in_sort_order(seeded):
    store, users = seeded
    with store.session() as session:
        rows = list_requests(session, users["rita"], RequestStatus.ACCEPTED, sort="member", descending=False,
                             limit=500).rows
    keys = [(r.member_name, r.id) for r in rows]
    assert keys == sorted(keys)


def test_next_page_seeks_by_key_without_offset(seeded):
    store, users = seeded
    statements: list[str] = []
    from sqlalchemy import event

    def record(conn, cursor, statement, parameters, *args):
        statements.append((statement, parameters))

    cases._POSITIONS.clear()
    with store.session() as session:
        first = list_requests(session, users["amy"], RequestStatus.ACCEPTED, limit=10)
        event.listen(store.engine, "before_cursor_execute", record)
        try:
            list_requests(session, users["amy"], RequestStatus.ACCEPTED, limit=10, offset=10, total=first.total)
        finally:
            event.remove(store.engine, "before_cursor_execute", record)
    page_query, parameters = next((s, p) for s, p in statements if "case_listing" in s)
    # (SQLite's dialect always writes OFFSET, with 0 when none is asked for)
    assert "OFFSET" not in page_query.upper() or list(parameters)[-1] == 0
    assert "(case_listing.updated_at, case_listing.request_id) <" in page_query


def test_number_shaped_filter_uses_exact_lookups(seeded):
    store, users = seeded
    user = users["amy"]
    with store.session() as session:
        row = list_requests(session, user, RequestStatus.ACCEPTED, limit=1).rows[0]
        dialect = store.engine.dialect.name
        for value in (row.webcert_number, row.auth_number, row.member_id, row.draft_number):
            sql = str(filter_condition(value).compile(dialect=store.engine.dialect))
            assert "LIKE" not in sql.upper() and "search_text" not in sql
            page = list_requests(session, user, RequestStatus.ACCEPTED, text=value)
            assert row.id in [r.id for r in page.rows]
            assert count_by_status(session, user, value)[RequestStatus.ACCEPTED] == page.total
        webcert_sql = str(filter_condition(row.webcert_number).compile(dialect=store.engine.dialect))
        assert "webcert_number IN" in webcert_sql
        if dialect == "sqlite":
            plan = " ".join(str(r) for r in session.execute(
                text("EXPLAIN QUERY PLAN SELECT id FROM auth_request WHERE webcert_number = :w"),
                {"w": row.webcert_number}).all())
            assert "INDEX" in plan and "SCAN auth_request" not in plan
        # a name goes to the name index; every word must be in the name
        last = row.member_name.split(",")[0]
        name_sql = str(filter_condition(last.lower()).compile(dialect=store.engine.dialect))
        assert ("case_name_fts" in name_sql) if dialect == "sqlite" else ("ILIKE" in name_sql.upper() and "case_name" in name_sql)
        page = list_requests(session, user, RequestStatus.ACCEPTED, text=last.lower(), limit=500)
        assert page.rows and all(last.lower() in r.member_name.lower() for r in page.rows)
        expected = session.execute(select(AuthRequest.id).where(
            AuthRequest.status == RequestStatus.ACCEPTED, cases.visible_to(user),
            AuthRequest.member_name.ilike(f"%{last}%"))).scalars().all()
        assert sorted(r.id for r in page.rows) == sorted(expected)


def test_search_by_number_stops_at_the_exact_match(seeded):
    store, users = seeded
    with store.session() as session:
        row = list_requests(session, users["amy"], RequestStatus.ACCEPTED, limit=1).rows[0]
        assert [r.id for r in search_cases(session, users["amy"], row.webcert_number)] == [row.id]
        assert [r.id for r in search_cases(session, users["amy"], row.auth_number.lower())] == [row.id]
        # another organization's clerk does not see it (unless associated)
        other = search_cases(session, users["cara"], row.webcert_number)
        assert other == [] or cases.can_see(session, users["cara"], row.id)


def _python_report(session, user, lo, hi):
    """The report computed row by row in Python (how it was done before SQL)."""
    requests = session.execute(select(
        AuthRequest.id, AuthRequest.urgency, AuthRequest.status, AuthRequest.submitted_at, AuthRequest.decided_at,
        AuthRequest.decision_due_at).where(
        AuthRequest.status.in_([RequestStatus.ACCEPTED, RequestStatus.REJECTED]),
        AuthRequest.decided_at >= lo, AuthRequest.decided_at < hi, AuthRequest.submitted_at.is_not(None),
        cases.visible_to(user))).all()
    lines: dict[int, list] = {r.id: [] for r in requests}
    for request_id, status, pended in session.execute(
            select(ServiceLine.request_id, ServiceLine.status, ServiceLine.was_pended)):
        if request_id in lines:
            lines[request_id].append((LineStatus(status), bool(pended)))
    result = {}
    for urgency in (Urgency.STANDARD, Urgency.EXPEDITED, None):
        chosen = [r for r in requests if urgency is None or Urgency(r.urgency) == urgency]
        outcomes = [request_outcome(RequestStatus(r.status), lines[r.id]) for r in chosen]
        seconds = [(r.decided_at - r.submitted_at).total_seconds() for r in chosen]
        result[urgency] = {
            "decided": len(chosen),
            "approved": outcomes.count("approved") + outcomes.count("approved_after_pend"),
            "approved_after_pend": outcomes.count("approved_after_pend"),
            "denied": outcomes.count("denied"),
            "pended": outcomes.count("pended"),
            "awaiting_lines": outcomes.count("awaiting_lines"),
            "late": sum(1 for r in chosen if r.decision_due_at is not None and r.decided_at > r.decision_due_at),
            "average_time": timedelta(seconds=round(sum(seconds) / len(seconds))) if seconds else None,
            "median_time": timedelta(seconds=round(statistics.median(seconds))) if seconds else None,
        }
    return result


@pytest.mark.parametrize("username", ["amy", "cara", "rita"])
def test_sql_report_equals_the_python_computation(seeded, frozen_now, username):
    store, users = seeded
    user = users[username]
    start, end = (frozen_now - timedelta(days=200)).date(), frozen_now.date()
    with store.session() as session:
        metrics = decision_metrics(session, user, start, end)
        expected = _python_report(session, user, metrics.start, metrics.end)
    rows = {m.urgency: m for m in metrics.by_urgency} | {None: metrics.total}
    assert metrics.total.decided > 20
    for urgency, want in expected.items():
        got = rows[urgency]
        assert {k: getattr(got, k) for k in want} == want, urgency


def test_seeding_leaves_every_index_and_trigger_in_place(seeded):
    store, users = seeded
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    from store.migrate import is_hand_made

    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "compare_type": False, "include_name": lambda name, *_: not is_hand_made(name)})
        assert compare_metadata(ctx, SQLModel.metadata) == []
    # the triggers are back: a new status is counted at once
    with store.session() as session:
        before = count_by_status(session, users["rita"])
        request_id = list_requests(session, users["rita"], RequestStatus.PENDING, limit=1).rows[0].id
        session.execute(text("UPDATE auth_request SET status = 'accepted' WHERE id = :i"), {"i": request_id})
    with store.session() as session:
        after = count_by_status(session, users["rita"])
    assert after[RequestStatus.PENDING] == before[RequestStatus.PENDING] - 1
    assert after[RequestStatus.ACCEPTED] == before[RequestStatus.ACCEPTED] + 1
