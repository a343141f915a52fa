"""The per-name counters (``case_name_count``) stay exact, on both backends.

A filter by a member name reads its counts from ``case_name_count`` (signed
deltas per audience, name and status, appended by triggers on
``case_listing``). These tests change cases every way the services do —
submit, decide, expire, cancel, copy, a PAS decision import, renames,
deletions, writers at the same time — and compare the counters with a count
made the slow way; a bulk-seeded database must hold exactly what the
triggers would have written row by row; and a seed killed midway must leave
the database as it was.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text, update

from store.demo import is_seeded, seed_demo
from store.enums import RequestKind, RequestStatus
from store.listing import PLAN_AUDIENCE, compact_counts
from store.models import AuthRequest, RequestOrganization, ServiceLine, User
from store.services import review
from store.services.auth import to_user_record
from store.services.cases import count_by_status, list_requests
from store.services.drafts import cancel_draft, copy_to_new_draft, save_draft
from store.services.housekeeping import expire_drafts
from store.services.search import search_cases
from tests.factories import make_member, service_form
from tests.store.concurrency import run_at_once
from tests.store.pas_cases import make_office, submit_case
from tests.store.review_cases import make_case, people

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("whitfield", "garcia", "mother", "dana", "renamed")


def brute_name_counts(store) -> dict[tuple[int, str, str], int]:
    """(audience, member name, status) -> cases, counted from the cases and their organizations."""
    counts: dict[tuple[int, str, str], int] = {}
    with store.engine.connect() as conn:
        for name, status, n in conn.execute(text(
                "SELECT COALESCE(member_name, ''), status, COUNT(*) FROM auth_request "
                "GROUP BY COALESCE(member_name, ''), status")):
            counts[(PLAN_AUDIENCE, name, status)] = n
        for org, name, status, n in conn.execute(text(
                "SELECT o.organization_id, COALESCE(r.member_name, ''), r.status, COUNT(*) "
                "FROM request_organization o JOIN auth_request r ON r.id = o.request_id "
                "GROUP BY o.organization_id, COALESCE(r.member_name, ''), r.status")):
            counts[(org, name, status)] = n
    return counts


def stored_name_counts(store) -> dict[tuple[int, str, str], int]:
    with store.engine.connect() as conn:
        return {(a, name, status): int(n) for a, name, status, n in conn.execute(text(
            "SELECT audience_id, name, status, SUM(n) FROM case_name_count "
            "GROUP BY audience_id, name, status HAVING SUM(n) <> 0"))}


def _visible_matching(store, user, word: str) -> dict[str, int]:
    """Status -> cases ``user`` sees whose member name holds ``word``, counted the slow way."""
    with store.engine.connect() as conn:
        if user.is_reviewer:
            rows = conn.execute(text(
                "SELECT status, COUNT(*) FROM auth_request WHERE lower(member_name) LIKE :w GROUP BY status"),
                {"w": f"%{word}%"})
        else:
            rows = conn.execute(text(
                "SELECT r.status, COUNT(*) FROM auth_request r JOIN request_organization o ON o.request_id = r.id "
                "WHERE o.organization_id = :org AND lower(r.member_name) LIKE :w GROUP BY r.status"),
                {"w": f"%{word}%", "org": user.organization_id})
        return {status: n for status, n in rows}


def assert_name_counts_exact(store, users) -> None:
    """The counters equal a brute-force count, and so do the name filter's tab counts and totals."""
    assert stored_name_counts(store) == brute_name_counts(store)
    with store.session() as session:
        for user in users:
            for word in NAMES:
                expected = _visible_matching(store, user, word)
                got = {s.value: n for s, n in count_by_status(session, user, word).items() if n}
                assert got == expected, (user.username, word)
                for status in RequestStatus:
                    page = list_requests(session, user, status, text=word, limit=500)
                    assert page.total == expected.get(status.value, 0)
                    assert len(page.rows) == page.total
                    assert all(word in r.member_name.lower() for r in page.rows)


@pytest.fixture
def office(store, frozen_now, tmp_path):
    office = make_office(store, tmp_path)
    make_member(store, "M2000002", first="Lee", last="Garcia")
    return office


def _draft(office, member_id="M1000001") -> int:
    with office.store.session() as s:
        return save_draft(s, office.clerk, service_form(office.providers, member_id=member_id)).request_id


def _version(store, request_id: int) -> int:
    with store.session() as s:
        return s.get(AuthRequest, request_id).version


def test_every_status_change_keeps_the_name_counts_exact(office, frozen_now, tmp_path):
    from store.fhir.response import ItemAnswer, build_response_bundle
    from store.services.fhir_export import export_pas_bundle
    from store.services.fhir_import import APPLIED, import_decisions

    store, clerk, reviewer = office.store, office.clerk, office.reviewer
    users = (clerk, office.outsider, reviewer)
    garcia = _draft(office, "M2000002")
    whitfield = _draft(office)
    assert_name_counts_exact(store, users)
    pending = [submit_case(office, RequestKind.SERVICE) for _ in range(3)]  # submit
    assert_name_counts_exact(store, users)
    with store.session() as s:  # decide
        review.accept_request(s, reviewer, pending[0], attachments_dir=store.attachments_dir)
    with store.session() as s:
        review.reject_request(s, reviewer, pending[1], "Not a covered benefit.", attachments_dir=store.attachments_dir)
    assert_name_counts_exact(store, users)
    with store.session() as s:  # cancel
        cancel_draft(s, clerk, garcia, _version(store, garcia))
    assert_name_counts_exact(store, users)
    with store.session() as s:  # expire
        s.execute(update(AuthRequest).where(AuthRequest.id == whitfield)
                  .values(expires_at=frozen_now - timedelta(hours=1)))
    assert expire_drafts(store, frozen_now)[0] == 1
    assert_name_counts_exact(store, users)
    with store.session() as s:  # copy (a new draft under the same name)
        copy_to_new_draft(s, clerk, garcia)
    assert_name_counts_exact(store, users)
    with store.session() as s:  # a draft's member changed: its name moves to another counter
        draft = s.execute(select(AuthRequest.id).where(AuthRequest.status == RequestStatus.DRAFT)).scalar()
        form = service_form(office.providers, member_id="M1000001")
        save_draft(s, clerk, form, request_id=draft, expected_version=_version(store, draft))
    assert_name_counts_exact(store, users)
    with store.session() as s:  # import: a PAS response decides the third case
        bundle = export_pas_bundle(s, clerk, pending[2])
    response = build_response_bundle(bundle, [ItemAnswer(1, "A1", units=1)], preauth_ref="PA-1",
                                     created=datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    path = tmp_path / "answer.json"
    path.write_text(json.dumps(response), encoding="utf-8")
    assert import_decisions(store, reviewer, path).files[0].status == APPLIED
    assert_name_counts_exact(store, users)
    with store.session() as s:  # a hand-written rename
        s.execute(update(AuthRequest).where(AuthRequest.id == pending[0]).values(member_name="Renamed, Ann"))
    assert_name_counts_exact(store, users)
    with store.session() as s:  # folding the deltas changes no sum
        compact_counts(s.connection())
    assert_name_counts_exact(store, users)
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT COUNT(*) FROM case_name_count")).scalar_one()
        keys = conn.execute(text(
            "SELECT COUNT(*) FROM (SELECT DISTINCT audience_id, name, status FROM case_name_count) k")).scalar_one()
    assert rows == keys  # one row per key after folding


def test_concurrent_writers_keep_the_name_counts_exact(store):
    clerk, other, reviewer = people(store)
    names = [("M1000001", "Dana", "Whitfield"), ("M2000002", "Lee", "Garcia"), ("M3000003", "Ana", "Garcia")]
    ids = [make_case(store, clerk, status=RequestStatus.DRAFT, member=names[i % 3]) for i in range(9)]
    ids += [make_case(store, other, status=RequestStatus.PENDING, org="SOUTH", member=names[i % 3]) for i in range(3)]
    cycle = [RequestStatus.PENDING, RequestStatus.ACCEPTED, RequestStatus.REJECTED, RequestStatus.DRAFT]
    renames = ["Garcia, Lee", "Whitfield, Dana", "Garcia-Lopez, Ana"]

    def writer(offset: int) -> None:
        for step in range(12):
            request_id = ids[(offset + step) % len(ids)]
            values = {"status": cycle[(offset + step) % len(cycle)]}
            if step % 3 == offset % 3:
                values["member_name"] = renames[(offset + step) % len(renames)]
            with store.session() as session:
                session.execute(update(AuthRequest).where(AuthRequest.id == request_id).values(**values))

    assert run_at_once(writer) == []
    assert_name_counts_exact(store, (clerk, other, reviewer))
    with store.session() as session:  # deletions (a case, and one organization's link to another)
        session.execute(text("DELETE FROM request_organization WHERE request_id = :i"), {"i": ids[0]})
        session.execute(text("DELETE FROM auth_request WHERE id = :i"), {"i": ids[0]})
        session.execute(text("DELETE FROM request_organization WHERE request_id = :i"), {"i": ids[-1]})
    assert_name_counts_exact(store, (clerk, other, reviewer))


def _snapshot(store) -> dict:
    """What the triggers keep: listing rows, folded counters and the distinct names."""
    with store.engine.connect() as conn:
        return {
            "listing": sorted(tuple(str(v) for v in row) for row in conn.execute(text(
                "SELECT * FROM case_listing"))),
            "counts": sorted(tuple(row) for row in conn.execute(text(
                "SELECT audience_id, status, SUM(n) FROM case_count GROUP BY audience_id, status "
                "HAVING SUM(n) <> 0"))),
            "name_counts": sorted(tuple(row) for row in conn.execute(text(
                "SELECT audience_id, name, status, SUM(n) FROM case_name_count GROUP BY audience_id, name, status "
                "HAVING SUM(n) <> 0"))),
            "names": sorted(conn.execute(text("SELECT name FROM case_name")).scalars()),
        }


def test_a_bulk_seed_holds_what_the_triggers_would_write(store, frozen_now):
    seed_demo(store, cases=400)
    bulk = _snapshot(store)
    assert bulk["name_counts"] and bulk["listing"]
    assert stored_name_counts(store) == brute_name_counts(store)
    # the same cases written again row by row, with the triggers at work
    requests, organizations, lines = AuthRequest.__table__, RequestOrganization.__table__, ServiceLine.__table__
    with store.engine.begin() as conn:
        cases = [dict(r._mapping) for r in conn.execute(select(requests).order_by(requests.c.id))]
        links = [dict(r._mapping) for r in conn.execute(select(organizations))]
        services = [dict(r._mapping) for r in conn.execute(select(lines).order_by(lines.c.id))]
        for table in ("service_line", "request_organization", "diagnosis_line", "case_event", "auth_request",
                      "case_listing", "case_name_count", "case_count", "case_name"):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(insert(requests), cases)
        conn.execute(insert(organizations), links)
        conn.execute(insert(lines), services)  # the report's outcome follows the lines
    assert _snapshot(store) == bulk


def test_search_by_name_reads_the_first_names_in_order(store, frozen_now):
    seed_demo(store, cases=400)
    with store.session() as session:
        rita = to_user_record(session, session.execute(select(User).where(User.username == "rita")).scalar_one())
        amy = to_user_record(session, session.execute(select(User).where(User.username == "amy")).scalar_one())
        for user in (rita, amy):
            visible = {r.id for s in RequestStatus
                       for r in list_requests(session, user, s, text="garcia", limit=1000).rows}
            found = search_cases(session, user, "garcia", limit=15)
            assert found and {r.id for r in found} <= visible
            keys = [(not r.member_name.lower().startswith("garcia"), r.member_name) for r in found]
            assert keys == sorted(keys)
            everything = search_cases(session, user, "garcia", limit=1000)
            assert len(everything) == len(visible)  # the first 15 are the first of all of them
            assert [r.id for r in everything[:15]] == [r.id for r in found]
            assert [r.id for r in search_cases(session, user, "g", limit=5)] == [
                r.id for r in search_cases(session, user, "g", limit=50)][:5]


_KILLED_SEED = """
import sys, time
from store.store import open_store
from store.demo import seed_demo

stop_at = sys.argv[2]
store = open_store(sys.argv[1], demo=True)

def progress(done, what):
    if what == stop_at and (what != "cases" or done > 0):
        print("held at", what, done, flush=True)
        time.sleep(600)  # held here, inside the seed's transaction, until the test kills the process

seed_demo(store, cases=int(sys.argv[3]), progress=progress)
"""


@pytest.mark.parametrize("stage", ["cases", "indexes"])
def test_a_killed_seed_leaves_nothing_and_a_rerun_seeds_fully(db_url, tmp_path, stage):
    from store.store import open_store

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", _KILLED_SEED, db_url, stage, "7000"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        held = child.stdout.readline()  # the child is inside the seed's transaction, at the stage
        if not held.startswith("held at"):
            pytest.fail(child.stderr.read())
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    store = open_store(db_url, demo=True, attachments_dir=tmp_path / "attachments")
    try:
        assert not is_seeded(store)
        with store.engine.connect() as conn:
            for table in ("auth_request", "case_listing", "case_name_count", "member", "app_user", "organization"):
                assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == 0, table
            if store.engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        store.dispose()
        rerun = subprocess.run([sys.executable, "-m", "tui", "--url", db_url, "demo", "--cases", "7000",
                                "--seed-only"], cwd=ROOT, env={**env, "COLUMNS": "100"}, capture_output=True,
                               text=True, timeout=600, check=False)
        assert rerun.returncode == 0, rerun.stderr
        assert "Seeding the demo" in rerun.stderr and "Seeded 7,000 cases" in rerun.stderr
        store = open_store(db_url, demo=True, attachments_dir=tmp_path / "attachments")
        assert is_seeded(store)
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM auth_request")).scalar_one() == 7000
        assert stored_name_counts(store) == brute_name_counts(store)
    finally:
        store.dispose()


def test_seed_reports_its_stages(store, frozen_now):
    calls: list[tuple[int, str]] = []
    seed_demo(store, cases=120, progress=lambda done, what: calls.append((done, what)))
    assert [what for _, what in calls if what != "cases"] == ["listing", "indexes", "statistics"]
    assert (120, "cases") in calls


@pytest.mark.parametrize("word", ["garcia", "an"])  # a rare name (read whole), a common one (the sort index walked)
@pytest.mark.parametrize("statuses", [(RequestStatus.ACCEPTED,), (RequestStatus.EXPIRED, RequestStatus.CANCELLED)])
@pytest.mark.parametrize("sort,descending", [("updated", True), ("member", False), ("member", True),
                                             ("decided", True)])
def test_paging_a_name_filter_returns_every_match_once(store, frozen_now, word, statuses, sort, descending):
    from store.services import cases

    seed_demo(store, cases=400)
    with store.session() as session:
        amy = to_user_record(session, session.execute(select(User).where(User.username == "amy")).scalar_one())
    expected = _visible_matching(store, amy, word)
    total = sum(expected.get(s.value, 0) for s in statuses)
    cases._POSITIONS.clear()
    with store.session() as session:
        first = list_requests(session, amy, statuses, text=word, sort=sort, descending=descending, limit=7)
        assert first.total == total > 0
        pages = [first]
        while pages[-1].offset + 7 < total:
            pages.append(list_requests(session, amy, statuses, text=word, sort=sort, descending=descending, limit=7,
                                       offset=pages[-1].offset + 7))
        rows = [r for p in pages for r in p.rows]
        assert len(rows) == len({r.id for r in rows}) == total
        assert all(word in r.member_name.lower() for r in rows)
        if sort == "member":
            names = [r.member_name for r in rows]
            assert names == sorted(names, reverse=descending)
        for page in reversed(pages[:-1]):  # back again, page by page
            assert list_requests(session, amy, statuses, text=word, sort=sort, descending=descending, limit=7,
                                 offset=page.offset) == page
    cases._POSITIONS.clear()
    with store.session() as session:  # jumps, no neighbour seen
        for page in pages[::3]:
            assert list_requests(session, amy, statuses, text=word, sort=sort, descending=descending, limit=7,
                                 offset=page.offset) == page
