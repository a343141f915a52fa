"""Small builders for test data (organizations, users, members, providers)."""

from __future__ import annotations

from datetime import date

from store.enums import CoverageOrder, Role
from store.models import Coverage, Member, Provider
from store.records import UserRecord
from store.services.auth import create_user, get_or_create_organization

PASSWORD = "correct-horse"


def make_user(store, username="clerk1", role=Role.CLERK, org="NORTH", **kw) -> UserRecord:
    """Create a user in organization ``org`` with password :data:`PASSWORD`."""
    with store.session() as session:
        return create_user(
            session,
            username,
            kw.pop("password", PASSWORD),
            role=role,
            organization_code=org if role is Role.CLERK or org else None,
            **kw,
        )


def org_id(store, code: str) -> int:
    """Id of organization ``code`` (created if new)."""
    with store.session() as session:
        return get_or_create_organization(session, code).id


def make_member(
    store,
    member_id="M1000001",
    first="Dana",
    last="Whitfield",
    birth=date(1980, 5, 17),
    sex="F",
    coverages=((date(2025, 1, 1), None, CoverageOrder.PRIMARY),),
    plan="Lakeshore Health Plan",
) -> int:
    """Create a member with coverage periods (start, end, order); returns pk."""
    with store.session() as session:
        member = Member(member_id=member_id, first_name=first, last_name=last, birth_date=birth, sex=sex)
        session.add(member)
        session.flush()
        for start, end, order in coverages:
            session.add(Coverage(member_pk=member.id, plan_name=plan, order=order, start_date=start, end_date=end))
        return member.id


def make_provider(store, npi, number, name, org_code=None, facility=False, specialty="") -> int:
    """Create a provider; returns its id."""
    with store.session() as session:
        org = get_or_create_organization(session, org_code) if org_code else None
        provider = Provider(
            npi=npi,
            provider_number=number,
            name=name,
            specialty=specialty,
            is_facility=facility,
            organization_id=org.id if org else None,
        )
        session.add(provider)
        session.flush()
        return provider.id
