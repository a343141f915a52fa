"""The listing's report columns (``outcome``, ``decision_micros``, ``late``) stay exact, on both backends.

They are kept by triggers on ``auth_request``, ``request_organization`` and
``service_line`` (migration 0012). These tests change cases the ways the
services do — submit, accept, reject, each line decision, pend, expire,
cancel, copy, a PAS response import — and the ways a hand-written statement
could (lines moved, deleted, statuses set directly, writers at the same time),
and compare every listing row with what :func:`request_outcome` says of the
case and its lines.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from store.enums import LineStatus, RequestKind, RequestStatus, Urgency
from store.fhir.response import ItemAnswer, build_response_bundle
from store.models import AuthRequest, ServiceLine
from store.services import review
from store.services.drafts import cancel_draft, copy_to_new_draft
from store.services.fhir_export import export_pas_bundle
from store.services.fhir_import import APPLIED, import_decisions
from store.services.housekeeping import expire_drafts
from store.services.reports import request_outcome
from tests.store.pas_cases import make_office, submit_case
from tests.store.review_cases import line_ids, make_case, people

MICRO = timedelta(microseconds=1)


def expected_rows(store) -> dict[tuple[int, int], tuple[str, int, int]]:
    """(audience, case) -> (outcome, decision_micros, late), computed in Python from the cases and their lines."""
    with store.session() as session:
        lines: dict[int, list[tuple[str, bool]]] = {}
        for request_id, status, was_pended in session.execute(
                select(ServiceLine.request_id, ServiceLine.status, ServiceLine.was_pended)):
            lines.setdefault(request_id, []).append((status, bool(was_pended)))
        figures = {}
        for req in session.execute(select(AuthRequest)).scalars():
            status = RequestStatus(req.status)
            if (status in (RequestStatus.ACCEPTED, RequestStatus.REJECTED) and req.submitted_at is not None
                    and req.decided_at is not None):
                figures[req.id] = (
                    request_outcome(status, lines.get(req.id, [])),
                    (req.decided_at - req.submitted_at) // MICRO,
                    int(req.decision_due_at is not None and req.decided_at > req.decision_due_at),
                )
            else:
                figures[req.id] = ("", 0, 0)
        audiences = session.execute(text(
            "SELECT 0, id FROM auth_request UNION ALL SELECT organization_id, request_id FROM request_organization"))
        return {(a, r): figures[r] for a, r in audiences}


def stored_rows(store) -> dict[tuple[int, int], tuple[str, int, int]]:
    with store.engine.connect() as conn:
        return {(a, r): (o, int(m), int(late)) for a, r, o, m, late in conn.execute(text(
            "SELECT audience_id, request_id, outcome, decision_micros, late FROM case_listing"))}


def assert_report_exact(store) -> None:
    assert stored_rows(store) == expected_rows(store)


def _outcomes(store, case_id) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.execute(text("SELECT outcome FROM case_listing WHERE request_id = :i"), {"i": case_id}).scalars())


def _at(when, fn, store, *args, **kw):
    import time_machine

    with time_machine.travel(when, tick=False), store.session() as s:
        return fn(s, *args, **kw)


def _decide(store, reviewer, case_id, line_id, outcome, when):
    """Decide a line with valid details for ``outcome`` (A2 on a one-unit line becomes A1)."""
    with store.session() as s:
        line = s.get(ServiceLine, line_id)
        units, start, end = line.requested_units, line.from_date, line.to_date
    if outcome == "A2" and units == 1:
        outcome = "A1"
    kw = {"A1": {"units": units, "from_date": start, "to_date": end},
          "A2": {"units": units - 1, "from_date": start, "to_date": end},
          "A6": {"units": units + 1, "from_date": start, "to_date": end},
          "A3": {"reason": "Criteria not met"}, "A4": {"reason": "Need notes"}}[outcome]
    _at(when, review.decide_line, store, reviewer, case_id, line_id, outcome,
        attachments_dir=store.attachments_dir, **kw)


@pytest.fixture
def office(store, frozen_now, tmp_path):
    return make_office(store, tmp_path)


def test_every_service_keeps_the_report_columns(office, tmp_path, frozen_now):
    store, clerk, reviewer = office.store, office.clerk, office.reviewer
    d = {"attachments_dir": store.attachments_dir}
    submitted = submit_case(office, RequestKind.SERVICE)  # three lines
    assert _outcomes(store, submitted) == {""}
    later = frozen_now + timedelta(hours=5, microseconds=250)
    _at(later, review.accept_request, store, reviewer, submitted, **d)
    assert _outcomes(store, submitted) == {"awaiting_lines"}
    assert_report_exact(store)
    first, second, third = line_ids(store, submitted)
    step = later + timedelta(hours=1)
    _decide(store, reviewer, submitted, first, "A3", step)
    assert _outcomes(store, submitted) == {"awaiting_lines"}  # denied, the rest undecided
    _decide(store, reviewer, submitted, second, "A4", step)
    assert _outcomes(store, submitted) == {"pended"}
    assert_report_exact(store)
    _decide(store, reviewer, submitted, second, "A2", step)
    assert _outcomes(store, submitted) == {"approved_after_pend"}
    _decide(store, reviewer, submitted, third, "A6", step)
    assert _outcomes(store, submitted) == {"approved_after_pend"}
    assert_report_exact(store)

    # Each line outcome alone: approved, partially approved, modified, denied, pended.
    for outcome, expected in (("A1", "approved"), ("A2", "approved"), ("A6", "approved"), ("A3", "denied"),
                              ("A4", "pended")):
        case_id = submit_case(office, RequestKind.SERVICE)
        _at(later, review.accept_request, store, reviewer, case_id, **d)
        for line_id in line_ids(store, case_id):
            _decide(store, reviewer, case_id, line_id, outcome, step)
        assert _outcomes(store, case_id) == {expected}, outcome
    assert_report_exact(store)

    # Rejected (late: decided after its due time), cancelled, expired, copied.
    rejected = submit_case(office, RequestKind.SERVICE, Urgency.EXPEDITED)
    _at(frozen_now + timedelta(hours=80), review.reject_request, store, reviewer, rejected, "Not covered.", **d)
    assert _outcomes(store, rejected) == {"denied"}
    with store.engine.connect() as conn:
        assert set(conn.execute(text("SELECT late FROM case_listing WHERE request_id = :i"), {"i": rejected})
                   .scalars()) == {1}
    with store.session() as s:
        copy = copy_to_new_draft(s, clerk, rejected)
    assert _outcomes(store, copy.request_id) == {""}
    with store.session() as s:
        cancel_draft(s, clerk, copy.request_id)
    with store.session() as s:
        second_copy = copy_to_new_draft(s, clerk, rejected)
    expired, _ = expire_drafts(store, frozen_now + timedelta(days=5))
    assert expired >= 1 and _outcomes(store, second_copy.request_id) == {""}
    assert_report_exact(store)

    # A PAS response import decides the lines of a pending case.
    imported = submit_case(office, RequestKind.SERVICE)
    with store.session() as s:
        bundle = export_pas_bundle(s, clerk, imported)
    response = build_response_bundle(bundle, [ItemAnswer(1, "A3", reason_codes=(("47", "Not medically necessary"),)),
                                              ItemAnswer(2, "A4")],
                                     created=datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    path = tmp_path / "answer.json"
    path.write_text(json.dumps(response), encoding="utf-8")
    assert import_decisions(store, reviewer, path).files[0].status == APPLIED
    assert _outcomes(store, imported) == {"pended"}
    assert_report_exact(store)


change = st.one_of(
    st.tuples(st.just("status"), st.integers(0, 40), st.sampled_from(list(RequestStatus))),
    st.tuples(st.just("line"), st.integers(0, 40), st.sampled_from(list(LineStatus))),
    st.tuples(st.just("pended"), st.integers(0, 40), st.booleans()),
    st.tuples(st.just("move line"), st.integers(0, 40), st.integers(0, 40)),
    st.tuples(st.just("delete line"), st.integers(0, 40), st.none()),
    st.tuples(st.just("add line"), st.integers(0, 40), st.sampled_from(list(LineStatus))),
    st.tuples(st.just("decided at"), st.integers(0, 40), st.integers(-3, 300)),
    st.tuples(st.just("no submission"), st.integers(0, 40), st.none()),
    st.tuples(st.just("delete case"), st.integers(0, 40), st.none()),
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(store):
    clerk, other, _reviewer = people(store)
    for i, status in enumerate([RequestStatus.ACCEPTED, RequestStatus.REJECTED, RequestStatus.PENDING,
                                RequestStatus.ACCEPTED, RequestStatus.DRAFT]):
        make_case(store, clerk if i % 2 else other, status=status, org="NORTH" if i % 2 else "SOUTH",
                  urgency=Urgency.EXPEDITED if i % 3 else Urgency.STANDARD)
    with store.session() as s:  # decided ones get a decision time
        s.execute(update(AuthRequest).where(AuthRequest.status.in_(["accepted", "rejected"]))
                  .values(decided_at=T0 + timedelta(hours=30, microseconds=7)))
    return store


def _apply(store, kind, pick, arg) -> None:
    with store.session() as s:
        ids = list(s.execute(select(AuthRequest.id).order_by(AuthRequest.id)).scalars())
        lines = list(s.execute(select(ServiceLine.id).order_by(ServiceLine.id)).scalars())
        if not ids:
            return
        case_id = ids[pick % len(ids)]
        line_id = lines[pick % len(lines)] if lines else None
        if kind == "status":
            s.execute(update(AuthRequest).where(AuthRequest.id == case_id).values(status=arg))
        elif kind == "line" and line_id:
            s.execute(update(ServiceLine).where(ServiceLine.id == line_id).values(status=arg))
        elif kind == "pended" and line_id:
            s.execute(update(ServiceLine).where(ServiceLine.id == line_id).values(was_pended=arg))
        elif kind == "move line" and line_id:
            target = ids[arg % len(ids)]
            top = s.execute(text("SELECT COALESCE(MAX(line_number), 0) FROM service_line WHERE request_id = :r"),
                            {"r": target}).scalar_one()
            s.execute(update(ServiceLine).where(ServiceLine.id == line_id)
                      .values(request_id=target, line_number=top + 1))
        elif kind == "delete line" and line_id:
            s.execute(text("DELETE FROM service_line WHERE id = :i"), {"i": line_id})
        elif kind == "add line":
            top = s.execute(text("SELECT COALESCE(MAX(line_number), 0) FROM service_line WHERE request_id = :r"),
                            {"r": case_id}).scalar_one()
            s.add(ServiceLine(request_id=case_id, line_number=top + 1, code="97110", description="Exercise",
                              from_date=date(2026, 3, 10), to_date=date(2026, 3, 20), requested_units=2,
                              status=arg, was_pended=arg == LineStatus.PENDED))
        elif kind == "decided at":
            s.execute(update(AuthRequest).where(AuthRequest.id == case_id).values(
                decided_at=T0 + timedelta(hours=arg, microseconds=arg * 37), submitted_at=T0))
        elif kind == "no submission":
            s.execute(update(AuthRequest).where(AuthRequest.id == case_id).values(submitted_at=None))
        elif kind == "delete case":
            s.execute(text("DELETE FROM request_organization WHERE request_id = :i"), {"i": case_id})
            s.execute(text("DELETE FROM auth_request WHERE id = :i"), {"i": case_id})


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(change, min_size=1, max_size=10))
def test_report_columns_equal_a_brute_force_after_random_changes(world, changes):
    for kind, pick, arg in changes:
        _apply(world, kind, pick, arg)
    assert_report_exact(world)


@pytest.mark.parametrize("fraction", [0, 1, 499_999, 999_499, 999_500, 999_889, 999_999])
def test_time_to_decision_is_exact_to_the_microsecond_near_a_whole_second(world, fraction):
    """SQLite's date functions round to milliseconds: '…:59.9995' must not count as the next second."""
    submitted = T0 + timedelta(seconds=59, microseconds=fraction)
    decided = T0 + timedelta(hours=3, seconds=59, microseconds=999_999 - fraction)
    with world.session() as s:
        s.execute(update(AuthRequest).where(AuthRequest.status.in_(["accepted", "rejected"]))
                  .values(submitted_at=submitted, decided_at=decided))
    micros = {m for (_a, _r), (o, m, _late) in stored_rows(world).items() if o}
    assert micros == {(decided - submitted) // MICRO}
    assert_report_exact(world)


def test_migration_0014_refills_the_times_sqlite_rounded(world):
    from alembic import command

    from store.migrate import alembic_config

    store = world
    rounded = T0 + timedelta(seconds=7, microseconds=999_700)
    with store.session() as s:
        s.execute(update(AuthRequest).where(AuthRequest.status.in_(["accepted", "rejected"]))
                  .values(submitted_at=T0, decided_at=rounded))
    config = alembic_config(store.engine)
    command.downgrade(config, "0013")
    with store.engine.begin() as conn:  # what 0013's triggers stored on SQLite: one second too many
        conn.execute(text("UPDATE case_listing SET decision_micros = decision_micros + 1000000 WHERE outcome <> ''"))
    command.upgrade(config, "head")
    expected = stored_rows(store) if store.engine.dialect.name != "sqlite" else expected_rows(store)
    assert stored_rows(store) == expected
    if store.engine.dialect.name == "sqlite":
        assert {m for o, m, _ in stored_rows(store).values() if o} == {7_999_700}


def _waiting_or_done(store, thread) -> bool:
    """The other writer finished, or (PostgreSQL) waits for a lock."""
    if not thread.is_alive():
        return True
    if store.engine.dialect.name != "postgresql":
        return True  # SQLite: one writer at a time, the other waits in its busy handler
    with store.engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE 'UPDATE service_line%'")).scalar_one())


def test_two_writers_deciding_lines_of_one_case_leave_the_right_outcome(store):
    """Each writer's trigger alone sees the other's line still pended; the last one must not win with 'pended'."""
    clerk, _, _ = people(store)
    case_id = make_case(store, clerk, status=RequestStatus.ACCEPTED)
    first, second = line_ids(store, case_id)
    with store.session() as s:
        s.execute(update(AuthRequest).where(AuthRequest.id == case_id).values(decided_at=T0 + timedelta(hours=3)))
        s.execute(update(ServiceLine).where(ServiceLine.request_id == case_id).values(status="A4", was_pended=True))
    assert _outcomes(store, case_id) == {"pended"}
    errors: list[BaseException] = []
    started = threading.Event()

    def other_writer() -> None:
        try:
            started.set()
            with store.session() as s:
                s.execute(update(ServiceLine).where(ServiceLine.id == second).values(status="A1"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    with store.session() as s:
        s.execute(update(ServiceLine).where(ServiceLine.id == first).values(status="A1"))
        thread = threading.Thread(target=other_writer)
        thread.start()
        started.wait(10)
        deadline = time.monotonic() + 10
        while not _waiting_or_done(store, thread) and time.monotonic() < deadline:
            time.sleep(0.01)
    thread.join(30)
    assert not errors
    assert _outcomes(store, case_id) == {"approved_after_pend"}
    assert_report_exact(store)


def test_migration_0012_fills_the_columns_and_goes_back_down(world):
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    from store.migrate import alembic_config

    store = world
    config = alembic_config(store.engine)
    (this,) = [rev for rev in ScriptDirectory.from_config(config).walk_revisions()
               if rev.path.endswith("_report_listing.py")]
    command.downgrade(config, this.down_revision)  # the revision before this one, wherever it is chained
    assert "outcome" not in {c["name"] for c in inspect(store.engine).get_columns("case_listing")}
    with store.session() as s:  # changes under 0011's triggers: the listing still follows
        s.execute(update(ServiceLine).values(status="A4", was_pended=True))
        s.execute(update(AuthRequest).where(AuthRequest.status == "pending").values(
            status="accepted", decided_at=T0 + timedelta(days=9)))
    command.upgrade(config, "head")
    rows = stored_rows(store)
    assert {o for o, _, _ in rows.values()} == {"", "pended", "denied"}
    assert any(late for _, _, late in rows.values())
    assert rows == expected_rows(store)
    _apply(store, "line", 0, LineStatus.APPROVED)  # and the triggers keep them from now on
    assert_report_exact(store)


def test_the_report_reads_one_covering_index_and_sorts_nothing(world):
    """SQLite's plan of every report query: the covering partial index, no temporary B-tree (no sort)."""
    from sqlalchemy import event

    from store.services.reports import decision_metrics

    store = world
    if store.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL's plans are in docs/benchmarks.md")
    seen: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "case_listing" in statement:
            seen.append((statement, parameters))

    from store.enums import Role
    from tests.store.review_cases import quick_user

    reviewer = quick_user(store, "rev9", role=Role.REVIEWER)
    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        with store.session() as s:
            assert decision_metrics(s, reviewer, T0 - timedelta(days=1), T0 + timedelta(days=30)).total.decided
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    assert len(seen) == 4  # counts; standard, expedited and all-urgency middles
    with store.engine.connect() as conn:
        for statement, parameters in seen:
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
            assert "COVERING INDEX ix_case_listing_report" in plan and "TEMP B-TREE" not in plan, plan
