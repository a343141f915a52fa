"""Issue 10: drafts shared with the providers on the request, reminders to both people,
files attached while a line is pended."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from store.enums import LineStatus, RequestStatus
from store.errors import ConflictError, InvalidTransitionError, PermissionDeniedError
from store.models import AuthRequest, CaseEvent, OutboxMail, RequestOrganization, ServiceLine
from store.services import attachments as att
from store.services.cases import get_case, list_requests
from store.services.drafts import cancel_draft, load_draft, save_draft
from store.services.housekeeping import expire_drafts, queue_expiry_reminders
from store.services.review import accept_request, decide_line, lines_to_decide
from tests.store.features_cases import build_office, form_for, pdf_file, submitted


@pytest.fixture
def office(store, frozen_now):
    people, ids = build_office(store)
    return store, people, ids


def _orgs(store, request_id):
    with store.session() as s:
        return dict(s.exec(select(RequestOrganization.organization_id, RequestOrganization.role)
                           .where(RequestOrganization.request_id == request_id)).all())


# ----- shared drafts -----


def test_a_draft_is_visible_to_its_providers_organizations_from_the_first_save(office):
    store, people, ids = office
    with store.session() as s:
        saved = save_draft(s, people["north"], form_for(ids, facility_provider_id=ids["hospital"]))
    roles = sorted(_orgs(store, saved.request_id).values())
    assert roles == ["owner", "servicing"]  # SOUTH is servicing and facility: one row
    with store.session() as s:
        form, current = load_draft(s, people["south"], saved.request_id)
        assert form.servicing_provider_id == ids["ortho"]
        page = list_requests(s, people["south"], RequestStatus.DRAFT)
        assert [r.number for r in page.rows] == [saved.draft_number]
        assert page.rows[0].started_by == "Casey Clerk"
    with pytest.raises(PermissionDeniedError), store.session() as s:
        load_draft(s, people["west"], saved.request_id)


def test_removing_a_provider_removes_its_organizations_access(office):
    store, people, ids = office
    with store.session() as s:
        saved = save_draft(s, people["north"], form_for(ids))
    with store.session() as s:
        save_draft(s, people["north"], form_for(ids, servicing_provider_id=ids["east"]),
                   request_id=saved.request_id, expected_version=saved.version)
    assert sorted(_orgs(store, saved.request_id).values()) == ["owner", "servicing"]
    with pytest.raises(PermissionDeniedError), store.session() as s:
        load_draft(s, people["south"], saved.request_id)
    with store.session() as s:  # the owner never loses its draft, even with no provider at all
        form, current = load_draft(s, people["north"], saved.request_id)
        save_draft(s, people["north"], form_for(ids, requesting_provider_id=None, servicing_provider_id=None),
                   request_id=saved.request_id, expected_version=current.version)
    assert list(_orgs(store, saved.request_id).values()) == ["owner"]


def test_two_organizations_finish_one_draft_and_the_lock_refuses_a_stale_save(office, tmp_path):
    store, people, ids = office
    with store.session() as s:
        saved = save_draft(s, people["north"], form_for(ids, lines=[]))
    with store.session() as s:
        north_form, north_seen = load_draft(s, people["north"], saved.request_id)
        south_form, south_seen = load_draft(s, people["south"], saved.request_id)
    # The specialist documents the clinical criteria and attaches the records.
    south_form.lines = form_for(ids).lines
    with store.session() as s:
        south_saved = save_draft(s, people["south"], south_form, request_id=saved.request_id,
                                 expected_version=south_seen.version)
    with pytest.raises(ConflictError), store.session() as s:
        save_draft(s, people["north"], north_form, request_id=saved.request_id, expected_version=north_seen.version)
    att.add_attachment(store, people["south"], saved.request_id, str(pdf_file(tmp_path)))
    from store.services.submission import submit_request

    with store.session() as s:
        version = s.get(AuthRequest, saved.request_id).version
        assert version > south_saved.version
        result = submit_request(s, people["south"], saved.request_id, version)
    with store.session() as s:
        case = get_case(s, people["north"], result.request_id)
        assert case.status is RequestStatus.PENDING and case.created_by_name == "Casey Clerk"
        assert case.lines[0].code == "27447"


def test_only_the_starter_cancels_a_shared_draft(office):
    store, people, ids = office
    with store.session() as s:
        saved = save_draft(s, people["north"], form_for(ids))
    with pytest.raises(PermissionDeniedError), store.session() as s:
        from store.services.permissions import CaseAction, facts_of_request, require

        require(people["south"], facts_of_request(s, s.get(AuthRequest, saved.request_id)), CaseAction.CANCEL)
    with store.session() as s:
        cancel_draft(s, people["north"], saved.request_id, saved.version)


# ----- reminders to the contact and the initiator -----


def test_reminder_and_expiry_mails_go_to_the_contact_and_the_initiator_once_each(office):
    store, people, ids = office
    with store.session() as s:
        saved = save_draft(s, people["north"], form_for(ids, contact_name="Pat Nurse",
                                                         contact_email="pat@south.example"))
    later = saved.expires_at - timedelta(hours=2)
    assert queue_expiry_reminders(store, later) == 1
    assert queue_expiry_reminders(store, later) == 0
    expire_drafts(store, saved.expires_at + timedelta(minutes=1))
    expire_drafts(store, saved.expires_at + timedelta(hours=1))
    with store.session() as s:
        mails = s.exec(select(OutboxMail).where(OutboxMail.request_id == saved.request_id)
                       .order_by(OutboxMail.id)).all()
    sent = sorted((m.mail_kind, m.to_address) for m in mails)
    assert sent == [
        ("draft_expired", "casey@north.example"), ("draft_expired", "pat@south.example"),
        ("draft_expiring", "casey@north.example"), ("draft_expiring", "pat@south.example"),
    ]
    greetings = {m.to_address: m.body.splitlines()[0] for m in mails if m.mail_kind == "draft_expiring"}
    assert greetings == {"pat@south.example": "Hello Pat Nurse,", "casey@north.example": "Hello Casey Clerk,"}


def test_a_clerk_who_is_their_own_contact_gets_one_reminder(office):
    store, people, ids = office
    with store.session() as s:
        saved = save_draft(s, people["north"], form_for(ids, contact_email="CASEY@north.example"))
    queue_expiry_reminders(store, saved.expires_at - timedelta(hours=1))
    with store.session() as s:
        mails = s.exec(select(OutboxMail).where(OutboxMail.request_id == saved.request_id)).all()
    assert [m.to_address for m in mails] == ["CASEY@north.example"]


# ----- attach while a line is pended -----


def _decided(store, people, ids, tmp_path, outcome=LineStatus.PENDED, reason="Send the x-ray report."):
    result = submitted(store, people["north"], form_for(ids), tmp_path)
    reviewer = people["reviewer"]
    with store.session() as s:
        case = accept_request(s, reviewer, result.request_id, attachments_dir=store.attachments_dir)
        line = case.lines[0]
        decide_line(s, reviewer, case.id, line.id, outcome, reason=reason, attachments_dir=store.attachments_dir)
    return result.request_id


def test_a_file_attached_to_a_pended_line_is_information_received(office, tmp_path):
    store, people, ids = office
    request_id = _decided(store, people, ids, tmp_path)
    record = att.add_attachment(store, people["south"], request_id, str(pdf_file(tmp_path, "xray.pdf")))
    assert record.filename == "xray.pdf"
    with store.session() as s:
        case = get_case(s, people["north"], request_id)
        assert case.lines[0].status_text == "Pended (A4) · information received"
        events = [e for e in case.events if e.event == "Information received"]
        assert len(events) == 1 and "xray.pdf" in events[0].detail and "line 1" in events[0].detail
        queue = lines_to_decide(s, people["reviewer"])
        assert queue.rows[0].id == request_id and queue.rows[0].information_received
        line = case.lines[0]
        from datetime import date

        decide_line(s, people["reviewer"], request_id, line.id, LineStatus.APPROVED, units=1,
                    from_date=date(2026, 3, 9), to_date=date(2026, 3, 9), attachments_dir=store.attachments_dir)
        assert s.get(ServiceLine, line.id).information_received_at is None


def test_a_decided_case_without_a_pended_line_takes_no_files(office, tmp_path):
    store, people, ids = office
    request_id = _decided(store, people, ids, tmp_path, outcome=LineStatus.DENIED, reason="Not covered.")
    with pytest.raises(InvalidTransitionError, match="pended line"):
        att.add_attachment(store, people["north"], request_id, str(pdf_file(tmp_path, "late.pdf")))
    with store.session() as s:
        names = [e.event for e in s.exec(select(CaseEvent).where(CaseEvent.request_id == request_id))]
    assert "Information received" not in names


def test_reviewers_do_not_attach_to_a_pended_line(office, tmp_path):
    store, people, ids = office
    request_id = _decided(store, people, ids, tmp_path)
    with pytest.raises(PermissionDeniedError):
        att.add_attachment(store, people["reviewer"], request_id, str(pdf_file(tmp_path, "x.pdf")))


def test_every_draft_field_is_stored_either_as_is_or_by_hand():
    """A field added to DraftForm must be written and read back: the table or the hand-written code."""
    import dataclasses
    import inspect

    from store.forms import DraftForm
    from store.models import AuthRequest
    from store.services import drafts, newborn

    by_hand = {"kind", "member_id", "medicaid_id", "care_setting", "diagnoses", "lines", "urgency",
               "expedited_reasons", "raw"}
    newborn_fields = {name for name in (f.name for f in dataclasses.fields(DraftForm))
                      if f"form.{name}" in inspect.getsource(newborn.read_newborn)}
    fields = {f.name for f in dataclasses.fields(DraftForm)}
    assert fields == set(drafts.STORED_AS_IS) | by_hand | newborn_fields
    assert not set(drafts.STORED_AS_IS) & (by_hand | newborn_fields)
    assert all(name in AuthRequest.model_fields for name in drafts.STORED_AS_IS)
    for name in by_hand - {"kind", "diagnoses", "lines", "raw"}:
        assert f"form.{name}" in inspect.getsource(drafts._write_form)
