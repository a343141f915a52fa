"""Drafts: save (with optimistic locking), load, cancel, copy into a new draft.

A draft gets its Draft number on its first save and expires 96 hours after it
was created (it is then read-only, never deleted). Every save names the
version it was based on; a save over a newer version is refused with
:class:`store.errors.ConflictError` — never a silent overwrite.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, select

from store.enums import CareSetting, RequestKind, RequestStatus, Urgency
from store.errors import (
    ConflictError,
    InvalidTransitionError,
    NotEligibleError,
    NotFoundError,
    NotVisibleError,
    ValidationError,
)
from store.forms import DiagnosisInput, DraftForm, LineInput, SavedDraft
from store.models import AuthRequest, DiagnosisLine, RequestOrganization, ServiceLine
from store.records import UserRecord
from store.services.cases import build_search_text, can_see
from store.services.clinical import evaluate
from store.services.numbering import next_draft_number
from store.services.timeline import add_event
from store.types import utcnow

DRAFT_LIFETIME = timedelta(hours=96)


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%m/%d/%Y %H:%M") if value else "?"


def new_draft_form(kind: RequestKind, user: UserRecord | None) -> DraftForm:
    """The form a new request of ``kind`` starts from.

    The care setting follows the kind, an emergent admission notice starts as
    admitted through the ER (that is what the notice is), and the contact is the
    signed-in user, as the portal prefills it.
    """
    from store.services.reference import default_care_setting

    kind = RequestKind(kind)
    form = DraftForm(kind=kind, care_setting=default_care_setting(kind),
                     admitted_via_er=kind is RequestKind.EMERGENT_ADMISSION)
    if user is not None:
        form.contact_name = user.full_name
        form.contact_phone = user.phone
        form.contact_phone_ext = user.phone_ext
        form.contact_fax = user.fax
        form.contact_email = user.email
    return form


def get_request_for(session: Session, user: UserRecord, request_id: int) -> AuthRequest:
    """The request row, if ``user`` may see it (NotFound / PermissionDenied otherwise)."""
    request = session.get(AuthRequest, request_id)
    if request is None:
        raise NotFoundError(f"There is no request {request_id}.")
    if not can_see(session, user, request_id):
        raise NotVisibleError(f"There is no request {request_id}.")  # another organization's: read as missing
    return request


def draft_is_open(request: AuthRequest, now: datetime | None = None) -> None:
    """Raise InvalidTransitionError unless ``request`` is a draft that has not expired."""
    now = now or utcnow()
    if request.status != RequestStatus.DRAFT:
        raise InvalidTransitionError(
            f"{request.draft_number} is {RequestStatus(request.status).value}, no longer a draft: it cannot be changed."
        )
    expires = request.expires_at or (request.created_at + DRAFT_LIFETIME)
    if expires <= now:
        raise InvalidTransitionError(
            f"Draft {request.draft_number} expired {_when(expires)} (96 hours after it was created); "
            "it is kept read-only. Copy it into a new draft to go on."
        )


def _bump_version(session: Session, request: AuthRequest, expected_version: int | None) -> None:
    """Advance the version in one conditional UPDATE, refusing a stale save."""
    if expected_version is None:
        expected_version = request.version
    result = session.execute(
        update(AuthRequest)
        .where(AuthRequest.id == request.id, AuthRequest.version == expected_version)
        .values(version=AuthRequest.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(request)
        raise ConflictError(
            f"Draft {request.draft_number} was saved by someone else at {_when(request.updated_at)} "
            f"(version {request.version}) after you opened it (version {expected_version}). "
            "Reload to see the newer version, or keep yours as a new draft."
        )
    session.refresh(request, attribute_names=["version"])


def save_draft(
    session: Session,
    user: UserRecord,
    form: DraftForm,
    *,
    request_id: int | None = None,
    expected_version: int | None = None,
) -> SavedDraft:
    """Create (``request_id`` None) or update a draft from ``form``.

    Raises:
        ConflictError: the draft changed since ``expected_version``.
        InvalidTransitionError: the request is no longer an open draft.
    """
    now = utcnow()
    if request_id is None:
        request = AuthRequest(
            kind=RequestKind(form.kind),
            status=RequestStatus.DRAFT,
            draft_number=next_draft_number(session),
            created_by_id=user.id,
            organization_id=user.organization_id,
            created_at=now,
            updated_at=now,
            expires_at=now + DRAFT_LIFETIME,
        )
        session.add(request)
        session.flush()
        if user.organization_id is not None:
            session.add(RequestOrganization(request_id=request.id, organization_id=user.organization_id))
        add_event(session, request.id, "Draft created", f"Draft number {request.draft_number}", user, now)
    else:
        request = get_request_for(session, user, request_id)
        draft_is_open(request, now)
        _bump_version(session, request, expected_version)
        if RequestKind(form.kind) is not RequestKind(request.kind):
            raise ValidationError("A draft keeps its kind; start a new request for another kind.", field="kind")
    _write_form(session, request, form)
    request.updated_at = now
    session.add(request)
    session.flush()
    return SavedDraft(
        request_id=request.id,
        draft_number=request.draft_number,
        version=request.version,
        updated_at=request.updated_at,
        expires_at=request.expires_at,
    )


def _write_form(session: Session, request: AuthRequest, form: DraftForm) -> None:
    from store.services.eligibility import check_eligibility, find_member, normalize_member_id

    request.member_id_entered = normalize_member_id(form.member_id)[:20]
    request.medicaid_id_entered = normalize_member_id(form.medicaid_id)[:20]
    request.member_pk = request.coverage_id = None
    request.member_name = ""
    if request.member_id_entered or request.medicaid_id_entered:
        try:
            if form.start_date is not None:
                record = check_eligibility(session, form.member_id, form.start_date, medicaid_id=form.medicaid_id)
                request.member_pk, request.coverage_id = record.member_pk, record.coverage_id
                request.member_name = record.name
            else:
                raise NotEligibleError("no date")
        except (NotEligibleError, NotFoundError, ValidationError):
            try:
                member = find_member(session, form.member_id, form.medicaid_id)
                request.member_pk, request.member_name = member.id, f"{member.last_name}, {member.first_name}"
            except (NotFoundError, ValidationError):
                pass
    request.requesting_provider_id = form.requesting_provider_id
    request.servicing_provider_id = form.servicing_provider_id
    request.facility_provider_id = form.facility_provider_id
    request.care_setting = CareSetting(form.care_setting) if form.care_setting else None
    request.category = form.category[:80]
    request.treatment_type = form.treatment_type[:80]
    request.place_of_service = (form.place_of_service or "")[:2]
    request.start_date, request.end_date = form.start_date, form.end_date
    request.admitted_via_er = bool(form.admitted_via_er)
    request.admission_at = form.admission_at
    request.mother_member_id = normalize_member_id(form.mother_member_id)[:20]
    request.delivery_date = form.delivery_date
    request.delivery_type = form.delivery_type[:40]
    request.birth_weight_grams = form.birth_weight_grams
    request.nicu = bool(form.nicu)
    request.urgency = request.requested_urgency = Urgency(form.urgency)
    request.expedited_reasons = [str(r) for r in form.expedited_reasons]
    request.benefits_reference = form.benefits_reference.strip()[:40]
    request.contact_name = form.contact_name.strip()[:200]
    request.contact_phone = form.contact_phone.strip()[:40]
    request.contact_phone_ext = form.contact_phone_ext.strip()[:10]
    request.contact_fax = form.contact_fax.strip()[:40]
    request.contact_email = form.contact_email.strip()[:254]
    request.wizard_step = max(0, int(form.wizard_step))
    request.form_state = {"raw": {str(k): str(v) for k, v in form.raw.items()}}
    request.search_text = build_search_text(
        request.member_name, request.member_id_entered, request.medicaid_id_entered,
        request.draft_number, request.webcert_number, request.auth_number,
    )
    session.execute(delete(DiagnosisLine).where(DiagnosisLine.request_id == request.id))
    session.execute(delete(ServiceLine).where(ServiceLine.request_id == request.id))
    for position, diagnosis in enumerate(d for d in form.diagnoses if d.code):
        session.add(DiagnosisLine(
            request_id=request.id, position=position, code=diagnosis.code[:8],
            description=diagnosis.description[:300], is_primary=bool(diagnosis.is_primary),
        ))
    from store.codes.procedures import procedure_type

    for number, line in enumerate((x for x in form.lines if x.code), start=1):
        session.add(ServiceLine(
            request_id=request.id, line_number=number, code=line.code[:5],
            code_type=procedure_type(line.code) or "CPT", description=line.description[:300],
            modifier=" ".join(line.modifiers), from_date=line.from_date, to_date=line.to_date,
            requested_units=line.requested_units,
            clinical_answers=dict(line.clinical_answers),
            clinical_outcome=evaluate(line.code, dict(line.clinical_answers)),
        ))


def load_draft(session: Session, user: UserRecord, request_id: int) -> tuple[DraftForm, SavedDraft]:
    """The draft as the wizard edits it, with raw (not yet valid) text, and its version."""
    request = get_request_for(session, user, request_id)
    draft_is_open(request)
    return form_from_request(session, request), SavedDraft(
        request_id=request.id,
        draft_number=request.draft_number,
        version=request.version,
        updated_at=request.updated_at,
        expires_at=request.expires_at,
    )


def form_from_request(session: Session, request: AuthRequest) -> DraftForm:
    """A :class:`DraftForm` holding everything ``request`` holds."""
    diagnoses = session.exec(
        select(DiagnosisLine).where(DiagnosisLine.request_id == request.id).order_by(DiagnosisLine.position)
    ).all()
    lines = session.exec(
        select(ServiceLine).where(ServiceLine.request_id == request.id).order_by(ServiceLine.line_number)
    ).all()
    state = request.form_state or {}
    return DraftForm(
        kind=RequestKind(request.kind),
        member_id=request.member_id_entered,
        medicaid_id=request.medicaid_id_entered,
        requesting_provider_id=request.requesting_provider_id,
        servicing_provider_id=request.servicing_provider_id,
        facility_provider_id=request.facility_provider_id,
        care_setting=CareSetting(request.care_setting) if request.care_setting else None,
        category=request.category,
        treatment_type=request.treatment_type,
        place_of_service=request.place_of_service,
        start_date=request.start_date,
        end_date=request.end_date,
        diagnoses=[DiagnosisInput(d.code, d.is_primary, d.description) for d in diagnoses],
        lines=[
            LineInput(
                code=x.code, modifiers=x.modifier.split(), from_date=x.from_date, to_date=x.to_date,
                requested_units=x.requested_units, description=x.description,
                clinical_answers=dict(x.clinical_answers or {}),
            )
            for x in lines
        ],
        admitted_via_er=request.admitted_via_er,
        admission_at=request.admission_at,
        mother_member_id=request.mother_member_id,
        delivery_date=request.delivery_date,
        delivery_type=request.delivery_type,
        birth_weight_grams=request.birth_weight_grams,
        nicu=request.nicu,
        urgency=Urgency(request.requested_urgency or request.urgency),
        expedited_reasons=list(request.expedited_reasons or []),
        benefits_reference=request.benefits_reference,
        contact_name=request.contact_name,
        contact_phone=request.contact_phone,
        contact_phone_ext=request.contact_phone_ext,
        contact_fax=request.contact_fax,
        contact_email=request.contact_email,
        wizard_step=request.wizard_step,
        raw=dict(state.get("raw") or {}),
    )


def cancel_draft(session: Session, user: UserRecord, request_id: int, expected_version: int | None = None) -> None:
    """Cancel an open draft (kept, read-only, under Cancelled)."""
    request = get_request_for(session, user, request_id)
    if request.status != RequestStatus.DRAFT:
        raise InvalidTransitionError(
            f"{request.draft_number} is {RequestStatus(request.status).value}: only a draft can be cancelled."
        )
    _bump_version(session, request, expected_version)
    request.status = RequestStatus.CANCELLED
    request.updated_at = utcnow()
    session.add(request)
    add_event(session, request.id, "Draft cancelled", "", user)


def copy_to_new_draft(session: Session, user: UserRecord, request_id: int) -> SavedDraft:
    """A new draft holding everything request ``request_id`` held (a rejected or expired one, say).

    Attachments and decisions are not copied; the clinical answers are.
    """
    source = get_request_for(session, user, request_id)
    form = form_from_request(session, source)
    form.wizard_step = 0
    saved = save_draft(session, user, form)
    number = source.webcert_number or source.draft_number
    add_event(session, saved.request_id, "Copied", f"Copied from {number}", user)
    add_event(session, source.id, "Copied into a new draft", saved.draft_number, user)
    return saved
