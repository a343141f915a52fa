"""Small builders for test data (organizations, users, members, providers, forms, files)."""

from __future__ import annotations

from datetime import date

from store.enums import CoverageOrder, RequestKind, Role
from store.forms import DiagnosisInput, DraftForm, LineInput
from store.models import Coverage, Member, Provider
from store.records import UserRecord
from store.services.auth import create_user, get_or_create_organization

PASSWORD = "correct-horse"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


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


def office_providers(store) -> dict[str, int]:
    """The three providers the store tests share: NORTH's requesting physician, SOUTH's surgeon and
    hospital (a facility). Keys: north, ortho, hospital."""
    return {
        "north": make_provider(store, "1234567893", "P1001", "Dr. Ana North", org_code="NORTH"),
        "ortho": make_provider(store, "1245319599", "P2002", "Dr. Ben Ortho", org_code="SOUTH"),
        "hospital": make_provider(store, "1679576722", "F3003", "Lakeshore General Hospital", org_code="SOUTH",
                                  facility=True),
    }


def service_form(ids, code="27447", answers=None, **changes) -> DraftForm:
    """A complete outpatient service request by ``ids["north"]`` for ``ids["ortho"]``: one diagnosis, one
    line of ``code`` on 9 March 2026 (``answers`` default: every clinical question met); ``changes``
    replace fields."""
    from store.services import clinical
    from store.services.reference import default_care_setting

    if answers is None:
        answers = {q.id: "yes" for q in clinical.questions_for(code)}
    form = DraftForm(
        kind=RequestKind.SERVICE, member_id="M1000001", start_date=date(2026, 3, 9), end_date=date(2026, 3, 9),
        requesting_provider_id=ids["north"], servicing_provider_id=ids["ortho"],
        care_setting=default_care_setting(RequestKind.SERVICE), category="Surgery",
        treatment_type="Orthopedic surgery", place_of_service="22",
        diagnoses=[DiagnosisInput("M17.11", True, "Unilateral primary osteoarthritis, right knee")],
        lines=[LineInput(code, from_date=date(2026, 3, 9), to_date=date(2026, 3, 9), requested_units=1,
                         clinical_answers=answers)],
        contact_name="Casey Clerk", contact_phone="(414) 555-0100", contact_fax="(414) 555-0101",
        contact_email="casey@north.example",
    )
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def pdf_file(tmp_path, name="notes.pdf"):
    """A small PDF file on disk (its content, not its name, makes it a PDF)."""
    path = tmp_path / name
    path.write_bytes(PDF)
    return path
