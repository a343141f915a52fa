"""Builders for the issue-10 feature tests: an office with two organizations, drafts and decided cases."""

from __future__ import annotations

from store.enums import Role
from store.forms import DraftForm
from store.models import AuthRequest
from store.services import attachments as att
from store.services.drafts import save_draft
from store.services.submission import submit_request
from tests.factories import (
    make_member,
    make_provider,
    make_user,
    office_providers,
    pdf_file,
    service_form,
)


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
    ids = {**office_providers(store),
           "east": make_provider(store, "1093817777", "P4004", "Dr. Eve East", org_code="EAST")}
    return people, ids


def form_for(ids, code="27447", answers=None, **changes) -> DraftForm:
    """A complete service request for ``code`` (answers default: every question met)."""
    return service_form(ids, code, answers, **changes)


def submitted(store, user, form, tmp_path, *, attach=True):
    """Save ``form`` as a draft, attach a PDF (unless told not to) and submit; returns the SubmissionResult."""
    with store.session() as s:
        saved = save_draft(s, user, form)
    if attach:
        att.add_attachment(store, user, saved.request_id, str(pdf_file(tmp_path)))
    with store.session() as s:
        version = s.get(AuthRequest, saved.request_id).version
        return submit_request(s, user, saved.request_id, version)
