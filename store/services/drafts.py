"""Drafts: save (with optimistic locking), load, cancel, copy into a new draft.

A draft gets its Draft number on its first save and expires
:data:`store.texts.DRAFT_LIFETIME` (96 hours) after it was created (it is then read-only, never deleted). Every save names the
version it was based on; a save over a newer version is refused with
:class:`store.errors.ConflictError` — never a silent overwrite.
"""

from __future__ import annotations

import copy
import re
from datetime import date, datetime

from sqlalchemy import delete
from sqlmodel import Session, select

from store.enums import AttachmentKind, CareSetting, RequestKind, RequestStatus, Urgency
from store.errors import (
    ConflictError,
    InvalidTransitionError,
    NotEligibleError,
    NotFoundError,
    NotVisibleError,
    ValidationError,
)
from store.formats import format_local_datetime
from store.forms import FIELD_IDS, DiagnosisInput, DraftForm, LineInput, SavedDraft
from store.models import Attachment, AuthRequest, DiagnosisLine, RequestOrganization, ServiceLine
from store.records import UserRecord
from store.services.cases import build_search_text, can_see
from store.services.clinical import evaluate
from store.services.draft_rules import form_errors, normalize_form, raise_if_invalid
from store.services.numbering import next_draft_number
from store.services.permissions import CaseAction, CaseFacts, facts_of_request, require
from store.services.timeline import add_event
from store.services.versions import bump_version
from store.texts import DRAFT_LIFETIME, draft_expired_text
from store.types import utcnow

__all__ = [
    "DRAFT_LIFETIME",
    "bump_draft_version",
    "cancel_draft",
    "copy_to_new_draft",
    "draft_is_open",
    "form_from_request",
    "get_request_for",
    "keep_invalid_as_text",
    "load_draft",
    "new_draft_form",
    "save_draft",
    "saved_draft_of",
]


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
            f"Draft {request.draft_number} {draft_expired_text(format_local_datetime(expires, '?'))}; "
            "it is kept read-only. Copy it into a new draft to go on."
        )


def bump_draft_version(session: Session, request: AuthRequest, expected_version: int | None) -> None:
    """Advance a draft's version, refusing a save over a newer version with a message naming who won."""
    if expected_version is None:
        expected_version = request.version
    if not bump_version(session, request, expected_version, conflict=None):
        raise ConflictError(
            f"Draft {request.draft_number} was saved by someone else at {format_local_datetime(request.updated_at, '?')} "
            f"(version {request.version}) after you opened it (version {expected_version}). "
            "Reload to see the newer version, or keep yours as a new draft."
        )


def save_draft(
    session: Session,
    user: UserRecord,
    form: DraftForm,
    *,
    request_id: int | None = None,
    expected_version: int | None = None,
) -> SavedDraft:
    """Create (``request_id`` None) or update a draft from ``form``.

    The form is normalised first (:func:`store.services.draft_rules.normalize_form`).
    A form equal to the stored draft changes nothing: no version, no time,
    no row is written. A draft may be incomplete, never invalid.

    Raises:
        InvalidFormError: fields break their rules (``errors``: every one, field id → message).
        ConflictError: the draft changed since ``expected_version``.
        InvalidTransitionError: the request is no longer an open draft.
        PermissionDeniedError: the user may not change drafts.
    """
    now = utcnow()
    form = normalize_form(form)
    if request_id is None:
        require(user, CaseFacts(RequestStatus.DRAFT, user.id), CaseAction.EDIT)
        raise_if_invalid(session, form)
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
        _write_form(session, request, form, None)
    else:
        request = get_request_for(session, user, request_id)
        draft_is_open(request, now)
        require(user, facts_of_request(session, request), CaseAction.EDIT)
        if RequestKind(form.kind) is not RequestKind(request.kind):
            raise ValidationError("A draft keeps its kind; start a new request for another kind.", field="kind")
        stored = form_from_request(session, request)
        before = normalize_form(stored)
        if form == before:
            return saved_draft_of(request)
        raise_if_invalid(session, form)
        _keep_stored_text(form, before, stored)
        bump_draft_version(session, request, expected_version)
        _write_form(session, request, form, before)
    from store.services.sharing import share_with_providers

    share_with_providers(session, request)  # the providers' organizations see the draft (seed 002)
    request.updated_at = now
    session.add(request)
    session.flush()
    return saved_draft_of(request)


# Fields whose stored text is kept while they hold the same value (a number written another way).
KEPT_AS_WRITTEN = ("contact_phone", "contact_fax")


def _keep_stored_text(form: DraftForm, before: DraftForm, stored: DraftForm) -> None:
    """A phone or fax number unchanged keeps the text it is stored as (``414-555-0142`` stays so)."""
    for name in KEPT_AS_WRITTEN:
        if getattr(form, name) == getattr(before, name):
            setattr(form, name, getattr(stored, name))


def saved_draft_of(request: AuthRequest) -> SavedDraft:
    """The identity and version of a draft row."""
    return SavedDraft(
        request_id=request.id,
        draft_number=request.draft_number,
        version=request.version,
        updated_at=request.updated_at,
        expires_at=request.expires_at,
    )


# Draft form fields kept in the request column of the same name, as they are. The others are
# written and read by hand in _write_form / form_from_request: the member's IDs (``*_entered``),
# the care setting (an enum), the urgency (asked for vs. current), the expedited reasons (a
# list), the newborn's details (store.services.newborn), diagnoses and lines (rows of their own).
STORED_AS_IS = (
    "requesting_provider_id", "servicing_provider_id", "facility_provider_id",
    "category", "treatment_type", "place_of_service", "start_date", "end_date",
    "admitted_via_er", "admission_at",
    "mother_member_id", "delivery_date", "delivery_type", "birth_weight_grams", "nicu",
    "benefits_reference", "contact_name", "contact_phone", "contact_phone_ext", "contact_fax", "contact_email",
    "wizard_step",
)


def _set(row, **values) -> None:
    """Assign only the values that differ, so an unchanged column is not written."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def _write_form(session: Session, request: AuthRequest, form: DraftForm, before: DraftForm | None) -> None:
    """Write the (normalised, valid) ``form`` into ``request``; ``before`` is what it held (None: new)."""
    from store.codes.procedures import procedure_type
    from store.services.eligibility import check_eligibility, find_member

    member_keys = ("member_id", "medicaid_id", "start_date")
    if before is None or any(getattr(before, k) != getattr(form, k) for k in member_keys):
        request.member_id_entered, request.medicaid_id_entered = form.member_id, form.medicaid_id
        member_pk = coverage_id = None
        member_name = ""
        if form.member_id or form.medicaid_id:
            try:
                if form.start_date is None:
                    raise NotEligibleError("no date")
                record = check_eligibility(session, form.member_id, form.start_date, medicaid_id=form.medicaid_id)
                member_pk, coverage_id, member_name = record.member_pk, record.coverage_id, record.name
            except (NotEligibleError, NotFoundError, ValidationError):
                try:
                    member = find_member(session, form.member_id, form.medicaid_id)
                    member_pk, member_name = member.id, f"{member.last_name}, {member.first_name}"
                except (NotFoundError, ValidationError):
                    pass
        _set(request, member_pk=member_pk, coverage_id=coverage_id, member_name=member_name)
    _set(request, care_setting=CareSetting(form.care_setting) if form.care_setting else None,
         **{name: getattr(form, name) for name in STORED_AS_IS})
    from store.services.newborn import write_newborn

    write_newborn(request, form)  # the mother's ID typed once (step 1), the baby's details
    _set(request, urgency=Urgency(form.urgency), requested_urgency=Urgency(form.urgency),
         expedited_reasons=list(form.expedited_reasons))
    if (request.form_state or {}).get("raw", {}) != form.raw or before is None:
        request.form_state = {**(request.form_state or {}), "raw": dict(form.raw)}
    _set(request, search_text=build_search_text(
        request.member_name, request.member_id_entered, request.medicaid_id_entered,
        request.draft_number, request.webcert_number, request.auth_number,
    ))
    if before is None or before.diagnoses != form.diagnoses:
        session.execute(delete(DiagnosisLine).where(DiagnosisLine.request_id == request.id))
        for position, diagnosis in enumerate(form.diagnoses):
            session.add(DiagnosisLine(
                request_id=request.id, position=position, code=diagnosis.code,
                description=diagnosis.description, is_primary=diagnosis.is_primary,
            ))
    if before is None or before.lines != form.lines:
        # A line's clinical outcome is derived from its code and answers: kept unless they changed.
        outcomes = {
            (row.code, _answers_key(row.clinical_answers)): row.clinical_outcome
            for row in session.exec(select(ServiceLine).where(ServiceLine.request_id == request.id)).all()
        }
        session.execute(delete(ServiceLine).where(ServiceLine.request_id == request.id))
        for number, line in enumerate(form.lines, start=1):
            answers = dict(line.clinical_answers)
            outcome = outcomes.get((line.code, _answers_key(answers))) or evaluate(line.code, answers)
            session.add(ServiceLine(
                request_id=request.id, line_number=number, code=line.code,
                code_type=procedure_type(line.code) or "CPT", description=line.description,
                modifier=" ".join(line.modifiers), from_date=line.from_date, to_date=line.to_date,
                requested_units=line.requested_units, clinical_answers=answers, clinical_outcome=outcome,
            ))


def _answers_key(answers) -> tuple:
    return tuple(sorted((str(k), str(v)) for k, v in (answers or {}).items()))


def load_draft(session: Session, user: UserRecord, request_id: int) -> tuple[DraftForm, SavedDraft]:
    """The draft as the wizard edits it (normalised, with raw not-yet-valid text) and its version.

    Saving the form back unchanged writes nothing (see :func:`save_draft`).
    """
    request = get_request_for(session, user, request_id)
    draft_is_open(request)
    stored = form_from_request(session, request)
    form = normalize_form(stored)
    for name in KEPT_AS_WRITTEN:
        setattr(form, name, getattr(stored, name))  # as stored: a save of the form keeps it so
    return form, saved_draft_of(request)


def form_from_request(session: Session, request: AuthRequest) -> DraftForm:
    """A :class:`DraftForm` holding everything ``request`` holds."""
    diagnoses = session.exec(
        select(DiagnosisLine).where(DiagnosisLine.request_id == request.id).order_by(DiagnosisLine.position)
    ).all()
    lines = session.exec(
        select(ServiceLine).where(ServiceLine.request_id == request.id).order_by(ServiceLine.line_number)
    ).all()
    state = request.form_state or {}
    from store.services.newborn import read_newborn

    return read_newborn(request, DraftForm(
        kind=RequestKind(request.kind),
        member_id=request.member_id_entered,
        medicaid_id=request.medicaid_id_entered,
        care_setting=CareSetting(request.care_setting) if request.care_setting else None,
        diagnoses=[DiagnosisInput(d.code, d.is_primary, d.description) for d in diagnoses],
        lines=[
            LineInput(
                code=x.code, modifiers=x.modifier.split(), from_date=x.from_date, to_date=x.to_date,
                requested_units=x.requested_units, description=x.description,
                clinical_answers=dict(x.clinical_answers or {}),
            )
            for x in lines
        ],
        urgency=Urgency(request.requested_urgency or request.urgency),
        expedited_reasons=list(request.expedited_reasons or []),
        raw=dict(state.get("raw") or {}),
        **{name: getattr(request, name) for name in STORED_AS_IS},
    ))


def cancel_draft(session: Session, user: UserRecord, request_id: int, expected_version: int | None = None) -> None:
    """Cancel an open draft (kept, read-only, under Cancelled): its creator or an administrator only.

    Raises:
        PermissionDeniedError: the user did not start this draft (and is no administrator).
        InvalidTransitionError: it is not a draft.
        ConflictError: it changed since ``expected_version``.
    """
    request = get_request_for(session, user, request_id)
    if request.status != RequestStatus.DRAFT:
        raise InvalidTransitionError(
            f"{request.draft_number} is {RequestStatus(request.status).value}: only a draft can be cancelled."
        )
    require(user, facts_of_request(session, request), CaseAction.CANCEL)
    now = utcnow()
    bump_draft_version(session, request, expected_version)
    request.status = RequestStatus.CANCELLED
    request.updated_at = now
    session.add(request)
    add_event(session, request.id, "Draft cancelled", "", user, now)


def copy_to_new_draft(session: Session, user: UserRecord, request_id: int) -> SavedDraft:
    """A new draft holding everything request ``request_id`` held (a rejected, expired or cancelled one).

    Every field is copied, the clinical answers and the treatment type too, and
    the clinical attachments: the new rows point at the same stored files
    (content-addressed by SHA-256), so no file is stored twice. Decisions and
    letters are not copied. A value that breaks today's rules (a code retired
    from the code set, say) is kept as text to fix, never dropped.

    Raises:
        PermissionDeniedError / InvalidTransitionError: the user may not copy this case.
    """
    source = get_request_for(session, user, request_id)
    require(user, facts_of_request(session, source), CaseAction.COPY)
    form = normalize_form(form_from_request(session, source))
    form.wizard_step = 0
    form = keep_invalid_as_text(form, form_errors(session, form))
    saved = save_draft(session, user, form)
    copied = _copy_attachments(session, source.id, saved.request_id, user)
    number = source.webcert_number or source.draft_number
    detail = f"Copied from {number}" + (f" with {copied} attachment{'s' if copied != 1 else ''}" if copied else "")
    add_event(session, saved.request_id, "Copied", detail, user)
    add_event(session, source.id, "Copied into a new draft", saved.draft_number, user)
    return saved


def _copy_attachments(session: Session, source_id: int, target_id: int, user: UserRecord) -> int:
    """Clinical attachments of ``source_id`` onto ``target_id`` (same stored file, by hash)."""
    rows = session.exec(
        select(Attachment)
        .where(Attachment.request_id == source_id, Attachment.kind == AttachmentKind.CLINICAL)
        .order_by(Attachment.id)
    ).all()
    now = utcnow()
    for row in rows:
        session.add(Attachment(
            request_id=target_id, kind=AttachmentKind.CLINICAL, filename=row.filename, media_type=row.media_type,
            size_bytes=row.size_bytes, sha256=row.sha256, stored_path=row.stored_path, added_at=now,
            added_by_id=user.id,
        ))
    session.flush()
    return len(rows)


def keep_invalid_as_text(form: DraftForm, errors: dict[str, str]) -> DraftForm:
    """``form`` with each value named in ``errors`` moved into ``form.raw`` as text (nothing lost).

    Used when a request is copied: what was valid when it was saved may not
    be today; the clerk sees it in its field, marked "not valid yet".
    """
    from store.formats import format_date, format_datetime

    if not errors:
        return form
    form = copy.deepcopy(form)
    by_field = {v: k for k, v in FIELD_IDS.items()}
    drop_diagnoses: set[int] = set()
    drop_lines: set[int] = set()
    for field in errors:
        key = by_field.get(field)
        if key is not None and key in _TEXT_FIELDS:
            value = getattr(form, key)
            if isinstance(value, datetime):
                text = format_datetime(value)
            elif isinstance(value, date):
                text = format_date(value)
            else:
                text = "" if value is None else str(value)
            form.raw[key] = text
            setattr(form, key, _TEXT_FIELDS[key])
            continue
        match = _ROW_FIELD.match(field)
        if match is None:
            continue
        row, index, part = match.group(1), int(match.group(2)), match.group(3)
        if row == "diagnosis":
            drop_diagnoses.add(index)
        elif part in (None, "code") or index >= len(form.lines):
            drop_lines.add(index)
        else:
            line = form.lines[index]
            attr = {"modifier": "modifiers", "from": "from_date", "to": "to_date", "units": "requested_units"}[part]
            value = getattr(line, attr)
            form.raw[field] = (" ".join(value) if isinstance(value, list) else
                               format_date(value) if isinstance(value, date) else str(value or ""))
            setattr(line, attr, [] if attr == "modifiers" else None)
    dropped = [d.code for i, d in enumerate(form.diagnoses) if i in drop_diagnoses]
    if dropped:
        form.raw["diagnosis_search"] = " ".join(dropped)
        form.diagnoses = [d for i, d in enumerate(form.diagnoses) if i not in drop_diagnoses]
    gone = [line.code for i, line in enumerate(form.lines) if i in drop_lines]
    if gone:
        form.raw["line_code"] = " ".join(gone)
        form.lines = [line for i, line in enumerate(form.lines) if i not in drop_lines]
    return form


# Fields whose invalid value keep_invalid_as_text turns into text, with the value they fall back to.
_TEXT_FIELDS = {
    "member_id": "", "medicaid_id": "", "mother_member_id": "", "category": "", "treatment_type": "",
    "place_of_service": "", "delivery_type": "", "start_date": None, "end_date": None, "delivery_date": None,
    "admission_at": None, "birth_weight_grams": None, "requesting_provider_id": None,
    "servicing_provider_id": None, "facility_provider_id": None, "benefits_reference": "", "contact_name": "",
    "contact_phone": "", "contact_phone_ext": "", "contact_fax": "", "contact_email": "",
}
_ROW_FIELD = re.compile(r"^(diagnosis|line)-(\d+)(?:-(code|modifier|from|to|units))?$")
