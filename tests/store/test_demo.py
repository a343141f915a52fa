"""Demo seeding: every status and kind, valid codes and NPIs, counters advanced, sign-ins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from store.codes.npi import is_valid_npi
from store.demo import DEMO_ACCOUNTS, ICD10, PROCEDURES, is_seeded, seed_demo
from store.enums import CoverageOrder, LineStatus, RequestKind, RequestStatus, Role, Urgency
from store.models import AuthRequest, CaseEvent, Coverage, DiagnosisLine, Provider, RequestOrganization, ServiceLine
from store.services import numbering
from store.services.auth import sign_in
from store.services.cases import count_by_status, expiring_drafts, get_case, list_requests

CASES = 300


@pytest.fixture
def demo(store, frozen_now):
    """The demo seeded with 300 cases at the frozen instant."""
    assert not is_seeded(store)
    calls: list[tuple[int, str]] = []
    counts = seed_demo(store, cases=CASES, progress=lambda done, what: calls.append((done, what)))
    counts["progress"] = calls
    return store, counts


def _users(store):
    """The demo users as records, without paying for argon2 in every test."""
    from store.models import User
    from store.services.auth import to_user_record

    with store.session() as session:
        return {
            name: to_user_record(session, session.execute(select(User).where(User.username == name)).scalar_one())
            for name, _, _, _ in DEMO_ACCOUNTS
        }


def test_seeded_and_every_demo_account_signs_in(demo):
    store, counts = demo
    assert is_seeded(store)
    assert counts["auth_request"] == CASES
    users = {}
    for name, password, _, _ in DEMO_ACCOUNTS:  # one session each: sign_in claims its try on its own connection
        with store.session() as session:
            users[name] = sign_in(session, name, password)
    assert {u.role for u in users.values()} == {Role.CLERK, Role.REVIEWER}
    clerk_orgs = sorted(u.organization_id for u in users.values() if u.role is Role.CLERK)
    assert len(set(clerk_orgs)) == 2 and clerk_orgs.count(clerk_orgs[0]) == 2  # two clerks in org 1, one in org 2
    assert (CASES, "cases") in counts["progress"]
    assert counts["progress"][-2:] == [(CASES, "indexes"), (CASES, "statistics")]


def test_every_status_and_kind_present(demo):
    store, _ = demo
    users = _users(store)
    reviewer = next(u for u in users.values() if u.is_reviewer)
    with store.session() as session:
        counts = count_by_status(session, reviewer)
        assert sum(counts.values()) == CASES
        assert all(counts[s] > 0 for s in RequestStatus), counts
        kinds = set(session.execute(select(AuthRequest.kind).distinct()).scalars())
        assert kinds == {k.value for k in RequestKind}
        # each clerk sees a part of the cases, never all of them
        for user in users.values():
            if not user.is_reviewer:
                seen = sum(count_by_status(session, user).values())
                assert 0 < seen < CASES


def test_codes_are_real_and_npis_valid(demo):
    import simple_icd_10_cm as icd

    store, _ = demo
    with store.session() as session:
        for code in session.execute(select(DiagnosisLine.code).distinct()).scalars():
            assert icd.is_valid_item(code) and icd.is_leaf(code), code
        lines = set(session.execute(select(ServiceLine.code).distinct()).scalars())
        assert lines <= set(PROCEDURES)
        npis = list(session.execute(select(Provider.npi)).scalars())
        assert npis and all(is_valid_npi(n) for n in npis)
        assert session.execute(select(func.count()).where(Provider.is_facility)).scalar() > 0
    assert all(icd.is_leaf(code) for code in ICD10)


def test_members_include_secondary_only_and_lapsed(demo, frozen_now):
    store, _ = demo
    with store.session() as session:
        rows = session.execute(select(Coverage.member_pk, Coverage.order, Coverage.end_date)).all()
    by_member: dict[int, list] = {}
    for pk, order, end in rows:
        by_member.setdefault(pk, []).append((order, end))
    secondary_only = [m for m, c in by_member.items() if all(o == CoverageOrder.SECONDARY for o, _ in c)]
    lapsed = [m for m, c in by_member.items() if all(e is not None and e < frozen_now.date() for _, e in c)]
    assert secondary_only and lapsed


def test_numbers_match_and_counters_advanced(demo):
    store, _ = demo
    with store.session() as session:
        rows = session.execute(
            select(AuthRequest.status, AuthRequest.kind, AuthRequest.draft_number,
                   AuthRequest.webcert_number, AuthRequest.auth_number)
        ).all()
        for status, kind, draft, webcert, auth in rows:
            assert draft.startswith("D-") and len(draft) == 8
            if status in (RequestStatus.PENDING, RequestStatus.ACCEPTED, RequestStatus.REJECTED):
                assert webcert.startswith("WC-") and len(webcert) == 10
                assert auth.startswith(RequestKind(kind).auth_prefix) and len(auth) == 9
            else:
                assert webcert is None and auth is None
        drafts = {r.draft_number for r in rows}
        webcerts = {r.webcert_number for r in rows if r.webcert_number}
        auths = {r.auth_number for r in rows if r.auth_number}
        # the next real numbers do not collide with the demo's
        assert numbering.next_draft_number(session) not in drafts
        assert numbering.next_webcert_number(session) not in webcerts
        assert numbering.next_auth_number(session, "SP") not in auths
        assert numbering.next_auth_number(session, "IP") not in auths
        assert numbering.next_draft_number(session) == numbering.format_draft_number(CASES + 2)


def test_clock_fits_each_status(demo, frozen_now):
    store, _ = demo
    users = _users(store)
    reviewer = users["rita"]
    with store.session() as session:
        rows = session.execute(select(AuthRequest)).scalars().all()
        for r in rows:
            if r.status == RequestStatus.DRAFT:
                assert r.expires_at == r.created_at + timedelta(hours=96) and r.expires_at > frozen_now
            if r.status == RequestStatus.EXPIRED:
                assert r.expires_at <= frozen_now
            if r.status == RequestStatus.PENDING:
                window = timedelta(hours=72) if r.urgency == Urgency.EXPEDITED else timedelta(days=7)
                assert r.decision_due_at == r.submitted_at + window
            if r.status in (RequestStatus.ACCEPTED, RequestStatus.REJECTED):
                assert r.submitted_at < r.decided_at <= frozen_now
        pending = [r for r in rows if r.status == RequestStatus.PENDING]
        assert any(r.decision_due_at < frozen_now for r in pending)  # some overdue
        assert expiring_drafts(session, reviewer)  # the Take action panel has content
        ids = [r.id for r in rows]
        orgs = session.execute(select(RequestOrganization.request_id).distinct()).scalars().all()
        assert set(orgs) == set(ids)
        assert session.execute(select(func.count()).select_from(CaseEvent)).scalar() >= 2 * CASES


def test_accepted_cases_have_decided_lines(demo):
    store, _ = demo
    reviewer = _users(store)["rita"]
    with store.session() as session:
        page = list_requests(session, reviewer, RequestStatus.ACCEPTED, limit=40)
        statuses = set()
        for row in page.rows:
            case = get_case(session, reviewer, row.id)
            assert case.diagnoses and sum(d.is_primary for d in case.diagnoses) == 1
            assert [e.event for e in case.events][:2] == ["created", "submitted"]
            for line in case.lines:
                statuses.add(line.status)
                assert line.status is not LineStatus.REQUESTED
                if line.status in (LineStatus.APPROVED, LineStatus.PARTIAL):
                    assert line.authorized_units and line.authorized_from and line.authorized_to
                else:
                    assert line.decision_reason
        assert LineStatus.APPROVED in statuses and len(statuses) >= 3


def test_filter_finds_a_member_by_name_and_number(demo):
    store, _ = demo
    reviewer = _users(store)["rita"]
    with store.session() as session:
        row = list_requests(session, reviewer, RequestStatus.PENDING, limit=1).rows[0]
        last = row.member_name.split(",")[0]
        hits = list_requests(session, reviewer, RequestStatus.PENDING, text=last.lower())
        assert row.id in {r.id for r in hits.rows} or hits.total > hits.limit
        assert list_requests(session, reviewer, RequestStatus.PENDING, text=row.webcert_number).total == 1


def test_same_seed_and_instant_give_the_same_data(store, tmp_path, frozen_now):
    from store.store import open_store

    other = open_store(f"sqlite:///{tmp_path / 'other.sqlite'}")
    try:
        seed_demo(store, cases=50)
        seed_demo(other, cases=50)

        def snapshot(s):
            with s.session() as session:
                return session.execute(
                    select(AuthRequest.draft_number, AuthRequest.member_name, AuthRequest.status,
                           AuthRequest.updated_at).order_by(AuthRequest.id)
                ).all()

        assert snapshot(store) == snapshot(other)
    finally:
        other.dispose()
