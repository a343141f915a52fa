"""The case listing and its counts stay exact under every kind of change, on both backends.

The listing (``case_listing``) and the per-status counters (``case_count``)
are kept by triggers; these tests change cases the ways the services do —
status changes, new cases and copies, associations added and removed,
deletions, the housekeeping's expiry, the reviewer's decisions, writers at
the same time — and compare with a count made the slow way.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from store.enums import RequestStatus
from store.listing import MIRRORED, PLAN_AUDIENCE, compact_counts
from store.models import AuthRequest, CaseListing, RequestOrganization
from store.services.cases import count_by_status
from store.services.housekeeping import expire_drafts
from tests.store.concurrency import run_at_once
from tests.store.review_cases import make_case, org_id, people

STATUSES = list(RequestStatus)


def brute_counts(store) -> dict[int, dict[str, int]]:
    """(audience -> status -> n) counted from the cases and their organizations."""
    counts: dict[int, dict[str, int]] = {}
    with store.engine.connect() as conn:
        for status, n in conn.execute(text("SELECT status, COUNT(*) FROM auth_request GROUP BY status")):
            counts.setdefault(PLAN_AUDIENCE, {})[status] = n
        for org, status, n in conn.execute(text(
            "SELECT o.organization_id, r.status, COUNT(*) FROM request_organization o "
            "JOIN auth_request r ON r.id = o.request_id GROUP BY o.organization_id, r.status"
        )):
            counts.setdefault(org, {})[status] = n
    return counts


def stored_counts(store) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    with store.engine.connect() as conn:
        for audience, status, n in conn.execute(text(
            "SELECT audience_id, status, SUM(n) FROM case_count GROUP BY audience_id, status HAVING SUM(n) <> 0"
        )):
            counts.setdefault(audience, {})[status] = int(n)
    return counts


def assert_listing_exact(store, users) -> None:
    """Counts, the listing's rows and its mirrored columns all equal what the cases say."""
    assert stored_counts(store) == brute_counts(store)
    with store.engine.connect() as conn:
        expected = set(conn.execute(text(
            f"SELECT {PLAN_AUDIENCE}, id FROM auth_request "
            "UNION ALL SELECT organization_id, request_id FROM request_organization")).all())
        listed = set(conn.execute(text("SELECT audience_id, request_id FROM case_listing")).all())
        assert listed == expected
        missing = conn.execute(text(
            "SELECT COUNT(*) FROM auth_request r WHERE NOT EXISTS "
            "(SELECT 1 FROM case_name n WHERE n.name = r.member_name)")).scalar_one()
        assert missing == 0  # every name is in the name search index's table
        for column in MIRRORED:
            stale = conn.execute(text(
                f"SELECT COUNT(*) FROM case_listing c JOIN auth_request r ON r.id = c.request_id "
                f"WHERE r.{column} IS NOT NULL AND c.{column} <> r.{column}")).scalar_one()
            assert stale == 0, column
    brute = brute_counts(store)
    with store.session() as session:
        for user in users:
            audience = PLAN_AUDIENCE if user.is_reviewer else user.organization_id
            got = {s.value: n for s, n in count_by_status(session, user).items() if n}
            assert got == brute.get(audience, {})


@pytest.fixture
def world(store):
    clerk, other, reviewer = people(store)
    ids = [make_case(store, clerk, status=s) for s in STATUSES]
    ids += [make_case(store, other, status=s, org="SOUTH") for s in STATUSES[:3]]
    return store, (clerk, other, reviewer), ids


change = st.one_of(
    st.tuples(st.just("status"), st.integers(0, 50), st.sampled_from(STATUSES)),
    st.tuples(st.just("copy"), st.integers(0, 50), st.sampled_from(STATUSES)),
    st.tuples(st.just("associate"), st.integers(0, 50), st.sampled_from(["NORTH", "SOUTH"])),
    st.tuples(st.just("dissociate"), st.integers(0, 50), st.sampled_from(["NORTH", "SOUTH"])),
    st.tuples(st.just("delete"), st.integers(0, 50), st.none()),
    st.tuples(st.just("touch"), st.integers(0, 50), st.none()),
)


def _apply(store, kind: str, pick: int, arg) -> None:
    with store.session() as session:
        ids = list(session.execute(select(AuthRequest.id).order_by(AuthRequest.id)).scalars())
        if not ids:
            return
        request_id = ids[pick % len(ids)]
        if kind == "status":
            session.execute(update(AuthRequest).where(AuthRequest.id == request_id).values(status=arg))
        elif kind == "touch":  # a save: sort keys change, status does not
            req = session.get(AuthRequest, request_id)
            req.updated_at = datetime(2026, 3, 3, tzinfo=UTC) + timedelta(minutes=pick)
            req.member_name = f"Renamed{pick}, Ana"
        elif kind == "copy":  # a new case (copy or import) with its owner
            source = session.get(AuthRequest, request_id)
            copy = AuthRequest(kind=source.kind, status=arg, draft_number=f"X-{uuid.uuid4().hex[:12]}",
                               member_name=source.member_name, organization_id=source.organization_id)
            session.add(copy)
            session.flush()
            owners = session.execute(select(RequestOrganization.organization_id).where(
                RequestOrganization.request_id == request_id)).scalars().all()
            for owner in owners:
                session.add(RequestOrganization(request_id=copy.id, organization_id=owner))
        elif kind == "associate":
            org = org_id(store, arg)
            if session.get(RequestOrganization, (request_id, org)) is None:
                session.add(RequestOrganization(request_id=request_id, organization_id=org, role="servicing"))
        elif kind == "dissociate":
            link = session.get(RequestOrganization, (request_id, org_id(store, arg)))
            if link is not None:
                session.delete(link)
        elif kind == "delete":
            session.execute(text("DELETE FROM request_organization WHERE request_id = :i"), {"i": request_id})
            session.execute(text("DELETE FROM auth_request WHERE id = :i"), {"i": request_id})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(change, min_size=1, max_size=12))
def test_counts_equal_a_brute_force_count_after_random_changes(world, changes):
    store, users, _ = world
    for kind, pick, arg in changes:
        _apply(store, kind, pick, arg)
    assert_listing_exact(store, users)
    with store.session() as session:
        compact_counts(session.connection())
    assert_listing_exact(store, users)
    with store.engine.connect() as conn:  # folded: one row per (audience, status) at most
        rows = conn.execute(text("SELECT COUNT(*), COUNT(DISTINCT audience_id || '/' || status) FROM case_count")).one()
        assert rows[0] == rows[1]


def test_service_changes_keep_counts(world, frozen_now):
    store, users, ids = world
    clerk, _, reviewer = users
    from store.services import review

    with store.session() as session:
        pending = session.execute(select(AuthRequest.id).where(AuthRequest.status == RequestStatus.PENDING)).scalars().all()
        drafts = session.execute(select(AuthRequest).where(AuthRequest.status == RequestStatus.DRAFT)).scalars().all()
        for d in drafts:
            d.expires_at = frozen_now - timedelta(hours=1)
    with store.session() as session:
        review.accept_request(session, reviewer, pending[0], attachments_dir=store.attachments_dir)
    with store.session() as session:
        review.reject_request(session, reviewer, pending[1], "Not a covered benefit.",
                              attachments_dir=store.attachments_dir)
    expired, _ = expire_drafts(store, frozen_now)
    assert expired == len(drafts)
    assert_listing_exact(store, users)


def test_concurrent_writers_keep_counts_exact(world):
    store, users, _ = world
    clerk = users[0]
    extra = [make_case(store, clerk, status=RequestStatus.DRAFT) for _ in range(8)]
    cycle = [RequestStatus.PENDING, RequestStatus.ACCEPTED, RequestStatus.REJECTED, RequestStatus.DRAFT]

    def writer(offset: int) -> None:
        for step in range(12):
            request_id = extra[(offset + step) % len(extra)]
            with store.session() as session:
                session.execute(update(AuthRequest).where(AuthRequest.id == request_id)
                                .values(status=cycle[(offset + step) % len(cycle)]))

    assert run_at_once(writer) == []
    assert_listing_exact(store, users)


def test_listing_rows_are_never_null(world):
    store, _, _ = world
    with store.engine.connect() as conn:
        for column in MIRRORED:
            assert conn.execute(text(f"SELECT COUNT(*) FROM case_listing WHERE {column} IS NULL")).scalar_one() == 0
    with store.session() as session:
        assert session.execute(select(CaseListing.expires_at).limit(1)).scalar() is not None
