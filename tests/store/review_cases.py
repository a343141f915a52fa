"""Builders for submitted cases, used by the review, letter, mail, report and search tests.

Cases are written as rows directly (not through the submission service), so
these tests depend only on the schema.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from store.enums import OutboxStatus, RequestKind, RequestStatus, Role, Urgency
from store.models import (
    AuthRequest,
    Coverage,
    DiagnosisLine,
    Member,
    OutboxMail,
    RequestOrganization,
    ServiceLine,
    User,
)
from store.services.auth import get_or_create_organization, to_user_record
from store.services.cases import build_search_text
from tests.factories import make_member, make_provider, org_id

_counter = {"n": 0}


def quick_user(store, username, role=Role.CLERK, org=None, **kw):
    """A user row without hashing a password (these tests never sign in)."""
    with store.session() as session:
        organization = get_or_create_organization(session, org) if org else None
        user = User(
            username=username,
            full_name=kw.pop("full_name", username),
            role=role,
            organization_id=organization.id if organization else None,
            password_hash="!not-a-hash",
            **kw,
        )
        session.add(user)
        session.flush()
        return to_user_record(session, user)


def people(store):
    """A clerk in NORTH, a clerk in SOUTH and a reviewer; returns (clerk, other_clerk, reviewer)."""
    clerk = quick_user(store, "clerk1", org="NORTH", full_name="Casey Clerk", email="casey@north.example")
    other = quick_user(store, "clerk2", org="SOUTH", full_name="Sam South")
    reviewer = quick_user(store, "rev1", role=Role.REVIEWER, full_name="Riley Reviewer")
    return clerk, other, reviewer


def make_case(
    store,
    clerk,
    *,
    n: int | None = None,
    status: RequestStatus = RequestStatus.PENDING,
    kind: RequestKind = RequestKind.SERVICE,
    urgency: Urgency = Urgency.STANDARD,
    submitted_at: datetime | None = None,
    created_at: datetime | None = None,
    member: tuple[str, str, str] = ("M1000001", "Dana", "Whitfield"),
    org: str = "NORTH",
    contact_email: str = "casey@north.example",
    lines: tuple[tuple[str, int, date, date], ...] = (
        ("73721", 1, date(2026, 3, 10), date(2026, 3, 10)),
        ("97110", 12, date(2026, 3, 10), date(2026, 4, 30)),
    ),
    with_providers: bool = True,
) -> int:
    """A case with numbers fitting its status; returns its id."""
    if n is None:
        _counter["n"] += 1
        n = _counter["n"]
    member_id, first, last = member
    with store.session() as session:
        existing = session.execute(select(Member.id).where(Member.member_id == member_id)).scalar()
    member_pk = existing or make_member(store, member_id=member_id, first=first, last=last)
    requesting = servicing = facility = None
    if with_providers:
        requesting = make_provider(store, f"1{n:09d}", f"P{n:06d}", "Rivera, Ana MD", org_code=org)
    org_pk = org_id(store, org)
    now = submitted_at or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with store.session() as session:
        coverage = session.execute(select(Coverage.id).where(Coverage.member_pk == member_pk)).scalar()
        req = AuthRequest(
            kind=kind,
            status=status,
            draft_number=f"D-{n:06d}",
            webcert_number=f"WC-{n:07d}" if status is not RequestStatus.DRAFT else None,
            auth_number=(
                f"{kind.auth_prefix}{n:07d}"
                if status not in (RequestStatus.DRAFT, RequestStatus.EXPIRED, RequestStatus.CANCELLED)
                else None
            ),
            member_pk=member_pk,
            coverage_id=coverage,
            member_id_entered=member_id,
            member_name=f"{last}, {first}",
            requesting_provider_id=requesting,
            servicing_provider_id=requesting or servicing,
            facility_provider_id=facility,
            start_date=min(line[2] for line in lines) if lines else None,
            end_date=max(line[3] for line in lines) if lines else None,
            urgency=urgency,
            requested_urgency=urgency,
            contact_name="Casey Clerk",
            contact_email=contact_email,
            organization_id=org_pk,
            created_by_id=clerk.id,
            created_at=created_at or (now - timedelta(hours=2)),
            updated_at=now,
            submitted_at=now if status is not RequestStatus.DRAFT else None,
            decision_due_at=(
                now + (timedelta(hours=72) if urgency is Urgency.EXPEDITED else timedelta(days=7))
                if status is not RequestStatus.DRAFT
                else None
            ),
        )
        if status is RequestStatus.DRAFT:
            req.expires_at = req.created_at + timedelta(hours=96)
        req.search_text = build_search_text(
            req.member_name, member_id, req.draft_number, req.webcert_number, req.auth_number
        )
        session.add(req)
        session.flush()
        session.add(RequestOrganization(request_id=req.id, organization_id=org_pk))
        session.add(DiagnosisLine(request_id=req.id, code="M17.11", description="Osteoarthritis, right knee", is_primary=True))
        for i, (code, units, start, end) in enumerate(lines, start=1):
            session.add(
                ServiceLine(
                    request_id=req.id,
                    line_number=i,
                    code=code,
                    description="MRI lower extremity joint" if code == "73721" else "Therapeutic exercise",
                    from_date=start,
                    to_date=end,
                    requested_units=units,
                )
            )
        return req.id


def line_ids(store, request_id: int) -> list[int]:
    """Ids of a case's service lines, in line order."""
    with store.session() as session:
        return list(
            session.execute(
                select(ServiceLine.id).where(ServiceLine.request_id == request_id).order_by(ServiceLine.line_number)
            ).scalars()
        )


__all__ = ["line_ids", "make_case", "org_id", "people", "quick_user"]


# Four lines of a physical therapy and imaging request, used by many review tests.
FOUR_LINES = (
    ("73721", 1, date(2026, 3, 10), date(2026, 3, 10)),
    ("97110", 12, date(2026, 3, 10), date(2026, 4, 30)),
    ("97140", 8, date(2026, 3, 10), date(2026, 4, 30)),
    ("G0283", 10, date(2026, 3, 10), date(2026, 4, 30)),
)


def add_mail(store, request_id, status, subject, n, error=""):
    """Put a mail for ``request_id`` in the outbox, created at 10:n on the frozen day."""
    with store.session() as session:
        session.add(OutboxMail(request_id=request_id, dedupe_key=f"test-{n}", mail_kind="status_change",
                               to_address="casey@north.example", subject=subject, body=f"Body of {subject}.",
                               status=status, attempts=8 if status is OutboxStatus.FAILED else 0,
                               created_at=datetime(2026, 3, 2, 10, n, tzinfo=UTC), last_error=error))
