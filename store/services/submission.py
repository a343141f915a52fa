"""Submitting a draft: one transaction from Draft to Pending (seeds 002, 003).

The request gets its WebCert number (the portal's reference, not an
authorization) and its pending authorization number (``SP…`` for a service,
``IP…`` for the inpatient kinds), the submitted time, the decision due time
(72 hours expedited, 7 days standard), timeline events and a confirmation
mail in the outbox. If anything is missing nothing changes.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from store.enums import LineStatus, RequestKind, RequestStatus, Urgency
from store.errors import IncompleteError
from store.formats import format_utc_datetime
from store.forms import SubmissionResult
from store.models import Attachment, AuthRequest, Provider, RequestOrganization, ServiceLine
from store.records import UserRecord
from store.services import mail_templates
from store.services.cases import build_search_text
from store.services.completeness import check_form
from store.services.drafts import bump_draft_version, draft_is_open, form_from_request, get_request_for
from store.services.eligibility import check_eligibility
from store.services.notifications import queue_mail
from store.services.numbering import next_auth_number, next_webcert_number
from store.services.permissions import CaseAction, facts_of_request, require
from store.services.review import decision_due
from store.services.timeline import add_event
from store.types import utcnow


def submit_request(session: Session, user: UserRecord, request_id: int, expected_version: int | None) -> SubmissionResult:
    """Submit draft ``request_id`` as saved at ``expected_version``.

    Nothing gets a WebCert number unless every field is valid and the request
    is complete: the refusal lists every missing or invalid item at once, the
    list the review page shows (:func:`store.services.completeness.check_form`).

    Raises:
        IncompleteError: items are missing or invalid (``missing`` lists them, each with its
            field; ``errors`` maps field id → message).
        PermissionDeniedError: the user may not change this draft.
        ConflictError: the draft changed since ``expected_version``.
        InvalidTransitionError: it is not an open draft any more.
    """
    now = utcnow()
    request = get_request_for(session, user, request_id)
    draft_is_open(request, now)
    require(user, facts_of_request(session, request), CaseAction.EDIT)
    form = form_from_request(session, request)
    attachments = session.execute(
        select(func.count()).select_from(Attachment).where(Attachment.request_id == request.id)
    ).scalar_one()
    missing = check_form(session, form, attachments, today=now.date())
    if missing:
        raise IncompleteError(missing)
    bump_draft_version(session, request, expected_version)

    eligibility = check_eligibility(session, form.member_id, form.start_date, medicaid_id=form.medicaid_id)
    request.member_pk, request.coverage_id, request.member_name = (
        eligibility.member_pk, eligibility.coverage_id, eligibility.name)
    request.webcert_number = next_webcert_number(session)
    request.auth_number = next_auth_number(session, RequestKind(request.kind).auth_prefix)
    request.status = RequestStatus.PENDING
    request.submitted_at = request.updated_at = now
    request.urgency = Urgency(request.requested_urgency)
    request.decision_due_at = decision_due(now, request.urgency)
    request.expires_at = None
    request.form_state = {}
    request.search_text = build_search_text(
        request.member_name, request.member_id_entered, request.medicaid_id_entered,
        request.draft_number, request.webcert_number, request.auth_number,
    )
    session.add(request)
    for line in session.exec(select(ServiceLine).where(ServiceLine.request_id == request.id)).all():
        line.status = LineStatus.REQUESTED
        session.add(line)
    _associate_provider_organizations(session, request)
    add_event(
        session, request.id, "Submitted",
        f"WebCert {request.webcert_number}, pending authorization {request.auth_number}, "
        f"{Urgency(request.urgency).value} (decision due {format_utc_datetime(request.decision_due_at)})",
        user, now,
    )
    subject, body = mail_templates.submission_confirmation(request)
    to_address = mail_templates.contact_address(session, request)
    queue_mail(
        session, dedupe_key=mail_templates.submission_key(request), mail_kind=mail_templates.KIND_SUBMISSION,
        to_address=to_address, subject=subject, body=body, request_id=request.id,
    )
    add_event(session, request.id, "Confirmation mail queued", to_address or "no address on the request", None, now)
    from store.services.review import approve_when_criteria_met

    approve_when_criteria_met(session, request, now)  # criteria met under an auto-approve rule (seed 003)
    session.flush()
    return SubmissionResult(
        request_id=request.id,
        webcert_number=request.webcert_number,
        auth_number=request.auth_number,
        draft_number=request.draft_number,
        submitted_at=now,
        decision_due_at=request.decision_due_at,
        confirmation_to=to_address,
    )


def _associate_provider_organizations(session: Session, request: AuthRequest) -> None:
    """Let the providers' organizations see the case too (associated organizations)."""
    ids = [i for i in (request.requesting_provider_id, request.servicing_provider_id,
                       request.facility_provider_id) if i is not None]
    if not ids:
        return
    orgs = {o for (o,) in session.execute(
        select(Provider.organization_id).where(Provider.id.in_(ids), Provider.organization_id.is_not(None))
    ).all()}
    present = {o for (o,) in session.execute(
        select(RequestOrganization.organization_id).where(RequestOrganization.request_id == request.id)
    ).all()}
    for org in sorted(orgs - present):
        session.add(RequestOrganization(request_id=request.id, organization_id=org, role="associated"))
