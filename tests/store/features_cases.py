"""Builders for the issue-10 feature tests: an office with two organizations, drafts and decided cases."""

from __future__ import annotations

from datetime import date

from store.enums import Role
from store.forms import DiagnosisInput, DraftForm, LineInput
from store.models import AuthRequest
from store.services import attachments as att
from store.services import clinical
from store.services.drafts import save_draft
from store.services.reference import default_care_setting
from store.services.submission import submit_request
from store.enums import RequestKind
from tests.factories import make_member, make_provider, make_user

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def build_office(store):
    """NORTH clerk (starts requests), SOUTH clerk (the specialist's office), WEST clerk, a reviewer;
    a member and providers in NORTH (requesting), SOUTH (servicing, facility) and EAST."""
    people = {
        "north": make_user(store, "clerk1", org="NORTH", full_name="Casey Clerk", email="casey@north.example"),
        "south": make_user(store, "clerk2", org="SOUTH", full_name="Sam South", email="sam@south.example"),
        "west": make_user(store, "clerk9", org="WEST", full_name="Wes West"),
        "reviewer": make_user(store, "rev1", role=Role.REVIEWER, org=None, full_name="Riley Reviewer"),
    }
    make_member(store, "M1000001")
    ids = {
        "north": make_provider(store, "1234567893", "P1001", "Dr. Ana North", org_code="NORTH"),
        "ortho": make_provider(store, "1245319599", "P2002", "Dr. Ben Ortho", org_code="SOUTH"),
        "hospital": make_provider(store, "1679576722", "F3003", "Lakeshore General Hospital", org_code="SOUTH",
                                  facility=True),
        "east": make_provider(store, "1093817777", "P4004", "Dr. Eve East", org_code="EAST"),
    }
    return people, ids


def form_for(ids, code="27447", answers=None, **changes) -> DraftForm:
    """A complete service request for ``code`` (answers default: every question met)."""
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
    """A small PDF file on disk."""
    path = tmp_path / name
    path.write_bytes(PDF)
    return path


def submitted(store, user, form, tmp_path, *, attach=True):
    """Save ``form`` as a draft, attach a PDF (unless told not to) and submit; returns the SubmissionResult."""
    with store.session() as s:
        saved = save_draft(s, user, form)
    if attach:
        att.add_attachment(store, user, saved.request_id, str(pdf_file(tmp_path)))
    with store.session() as s:
        version = s.get(AuthRequest, saved.request_id).version
        return submit_request(s, user, saved.request_id, version)
