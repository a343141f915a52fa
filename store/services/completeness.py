"""What keeps a request from being submitted, and duplicate warnings (seed 002).

:func:`check_form` lists every missing or invalid item with the wizard step
and field it belongs to, so the review page can jump to each one. Submission
runs the same check, so nothing incomplete reaches the plan.
"""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session, select

from store.enums import RequestKind, RequestStatus, Urgency
from store.formats import format_date
from store.errors import NotEligibleError, NotFoundError, ValidationError
from store.forms import (
    STEP_CLINICAL,
    STEP_CONTACT,
    STEP_MEMBER,
    STEP_PROVIDERS,
    STEP_SERVICES,
    STEP_URGENCY,
    FIELD_IDS,
    DraftForm,
    MissingItem,
)
from store.models import AuthRequest, ServiceLine
from store.records import UserRecord
from store.services import clinical
from store.services.cases import can_see, visible_to

FIELD_STEPS = {
    "member-id": STEP_MEMBER, "medicaid-id": STEP_MEMBER, "start-date": STEP_MEMBER,
    "requesting-provider": STEP_PROVIDERS, "servicing-provider": STEP_PROVIDERS, "facility-provider": STEP_PROVIDERS,
    "urgency": STEP_URGENCY, "expedited-reasons": STEP_URGENCY, "benefits-reference": STEP_URGENCY,
    "attachment-add": STEP_CLINICAL, "clinical-questions": STEP_CLINICAL,
    "contact-name": STEP_CONTACT, "contact-phone": STEP_CONTACT, "contact-phone-ext": STEP_CONTACT,
    "contact-fax": STEP_CONTACT, "contact-email": STEP_CONTACT,
}


# Keys of DraftForm.raw that hold a field's text that did not parse (others are
# the wizard's own notes, such as search text not yet picked).
RAW_VALUE_FIELDS = {
    key: FIELD_IDS[key]
    for key in ("start_date", "end_date", "requesting_provider_id", "servicing_provider_id", "facility_provider_id",
                "place_of_service", "admission_at", "delivery_date", "birth_weight_grams", "contact_phone",
                "contact_fax", "contact_email")
}
_LINE_FIELD = re.compile(r"^line-\d+-(modifier|from|to|units)$")


def step_of(field: str) -> int:
    """The wizard step a field id belongs to (services for anything else)."""
    if field.startswith("clinical-"):
        return STEP_CLINICAL
    return FIELD_STEPS.get(field, STEP_SERVICES)


def _fmt(day: date | None) -> str:
    return format_date(day)


def check_form(session: Session, form: DraftForm, attachment_count: int, *, today: date | None = None) -> list[MissingItem]:
    """Everything missing or invalid in ``form``, in wizard order (empty: ready to submit).

    Invalid values come first at their field (the store's rules,
    :func:`store.services.draft_rules.form_errors`), then what is missing.
    """
    from store.services.draft_rules import form_errors, normalize_form
    from store.services.eligibility import check_eligibility, find_member

    items: list[MissingItem] = [
        MissingItem(step_of(field), field, message)
        for field, message in form_errors(session, normalize_form(form)).items()
    ]

    invalid = {item.field for item in items}

    def need(step: int, field: str, message: str) -> None:
        if field not in invalid:  # an invalid value's own message says more
            items.append(MissingItem(step, field, message))

    kind = RequestKind(form.kind)
    # Step 1: member and eligibility on the start date.
    if not (form.member_id.strip() or form.medicaid_id.strip()):
        need(STEP_MEMBER, "member-id", "Member ID is required.")
    if form.start_date is None:
        need(STEP_MEMBER, "start-date", "Start date of service is required.")
    if (form.member_id.strip() or form.medicaid_id.strip()) and form.start_date is not None:
        try:
            check_eligibility(session, form.member_id, form.start_date, medicaid_id=form.medicaid_id)
        except (NotFoundError, NotEligibleError, ValidationError) as exc:
            need(STEP_MEMBER, "member-id", str(exc))
    # Step 2: providers.
    if form.requesting_provider_id is None:
        need(STEP_PROVIDERS, "requesting-provider", "Requesting provider is required.")
    if form.servicing_provider_id is None:
        need(STEP_PROVIDERS, "servicing-provider", "Servicing provider is required.")
    if kind.is_inpatient and form.facility_provider_id is None:
        need(STEP_PROVIDERS, "facility-provider", "Facility is required for an inpatient request.")
    # Step 3: services.
    if form.care_setting is None:
        need(STEP_SERVICES, "care-setting", "Care setting is required.")
    if not form.category:
        need(STEP_SERVICES, "category", "Category is required.")
    if not form.treatment_type:
        need(STEP_SERVICES, "treatment-type", "Treatment type is required.")
    if not form.place_of_service:
        need(STEP_SERVICES, "place-of-service", "Place of service is required.")
    end_label = "Expected discharge date" if kind.is_inpatient else "End date of service"
    if form.end_date is None:
        need(STEP_SERVICES, "end-date", f"{end_label} is required.")
    elif form.start_date and form.end_date < form.start_date:
        need(STEP_SERVICES, "end-date", f"{end_label} {_fmt(form.end_date)} is before the start date "
                                        f"{_fmt(form.start_date)}.")
    if kind is RequestKind.EMERGENT_ADMISSION and form.admission_at is None:
        need(STEP_SERVICES, "admission-at", "Admission date and time are required for an emergent admission notice.")
    if kind is RequestKind.NEWBORN:
        from store.services.newborn import mother_member_id, newborn_errors

        mother = mother_member_id(form)  # step 1's member ID, typed once
        if not mother:
            need(STEP_SERVICES, "mother-member-id", "Mother's member ID is required.")
        else:
            try:
                find_member(session, mother)
            except (NotFoundError, ValidationError) as exc:
                need(STEP_SERVICES, "mother-member-id", f"Mother: {exc}")
        from store.validate import today as today_utc

        for field, message in newborn_errors(form, today or today_utc()).items():
            need(STEP_SERVICES, field, message)
        if form.delivery_date is None:
            need(STEP_SERVICES, "delivery-date", "Delivery date is required.")
        if not form.delivery_type:
            need(STEP_SERVICES, "delivery-type", "Delivery type is required.")
        if form.birth_weight_grams is None:
            need(STEP_SERVICES, "birth-weight", "Birth weight is required.")
    diagnoses = [d for d in form.diagnoses if d.code]
    if not diagnoses:
        need(STEP_SERVICES, "diagnosis-search", "At least one ICD-10-CM diagnosis code is required.")
    elif sum(1 for d in diagnoses if d.is_primary) != 1:
        need(STEP_SERVICES, "diagnosis-search", "Mark exactly one diagnosis as primary.")
    lines = [line for line in form.lines if line.code]
    if not lines:
        need(STEP_SERVICES, "line-code", "At least one service line (CPT or HCPCS code) is required.")
    for i, line in enumerate(lines):
        label = f"Line {i + 1} ({line.code})"
        if not line.requested_units or line.requested_units < 1:
            need(STEP_SERVICES, f"line-{i}-units", f"{label}: requested units must be 1 or more.")
        if line.from_date is None:
            need(STEP_SERVICES, f"line-{i}-from", f"{label}: from date is required.")
        if line.to_date is None:
            need(STEP_SERVICES, f"line-{i}-to", f"{label}: to date is required.")
        if line.from_date and line.to_date and line.to_date < line.from_date:
            need(STEP_SERVICES, f"line-{i}-to", f"{label}: to date is before the from date.")
        elif form.start_date and form.end_date and line.from_date and line.to_date and (
            line.from_date < form.start_date or line.to_date > form.end_date
        ):
            need(STEP_SERVICES, f"line-{i}-from",
                 f"{label}: dates {_fmt(line.from_date)}–{_fmt(line.to_date)} fall outside the request's "
                 f"{_fmt(form.start_date)}–{_fmt(form.end_date)}.")
    # Step 4: urgency.
    if Urgency(form.urgency) is Urgency.EXPEDITED and not form.expedited_reasons:
        need(STEP_URGENCY, "expedited-reasons", "Tick at least one expedited criterion, or choose standard.")
    # Step 5: clinical questions and documents.
    for i, line in enumerate(lines):
        for question in clinical.unanswered(line.code, line.clinical_answers):
            need(STEP_CLINICAL, clinical.question_field_id(i, question.id),
                 f"Line {i + 1} ({line.code}): answer “{question.text}”")
    if attachment_count < 1:
        need(STEP_CLINICAL, "attachment-add", "Attach at least one clinical document (notes, results, letters).")
    # Step 6: contact.
    if not form.contact_name.strip():
        need(STEP_CONTACT, "contact-name", "Contact name is required.")
    if not form.contact_phone.strip():
        need(STEP_CONTACT, "contact-phone", "Contact phone number is required.")
    if not form.contact_fax.strip():
        need(STEP_CONTACT, "contact-fax", "Contact fax number is required.")
    # Text typed but not valid yet (kept in raw so nothing is lost).
    known = {item.field for item in items}
    for key, text in sorted(form.raw.items()):
        field = RAW_VALUE_FIELDS.get(key) or (key if _LINE_FIELD.match(key) else None)
        if field and field not in known and text.strip():
            known.add(field)
            need(step_of(field), field, f"“{text.strip()}” is not valid yet.")
    items.sort(key=lambda item: item.step)
    return items


OPEN_OR_APPROVED = (RequestStatus.DRAFT, RequestStatus.PENDING, RequestStatus.ACCEPTED)


def duplicate_warnings(session: Session, user: UserRecord, request_id: int) -> list[str]:
    """Other open or approved requests for the same member, code and overlapping dates (a warning only)."""
    request = session.get(AuthRequest, request_id)
    if request is None or not request.member_id_entered or not can_see(session, user, request_id):
        return []  # another organization's draft: nothing about its member or codes
    mine = session.exec(select(ServiceLine).where(ServiceLine.request_id == request_id)).all()
    if not mine:
        return []
    rows = session.execute(
        select(AuthRequest.id, AuthRequest.status, AuthRequest.draft_number, AuthRequest.webcert_number,
               AuthRequest.auth_number, ServiceLine.code, ServiceLine.from_date, ServiceLine.to_date)
        .join(ServiceLine, ServiceLine.request_id == AuthRequest.id)
        .where(
            AuthRequest.member_id_entered == request.member_id_entered,
            AuthRequest.id != request_id,
            AuthRequest.status.in_(OPEN_OR_APPROVED),
            ServiceLine.code.in_([line.code for line in mine]),
            visible_to(user),
        )
        .limit(20)
    ).all()
    warnings = []
    for row in rows:
        for line in mine:
            if line.code != row.code:
                continue
            a0, a1 = line.from_date, line.to_date or line.from_date
            b0, b1 = row.from_date, row.to_date or row.from_date
            if a0 and b0 and a0 <= (b1 or b0) and b0 <= (a1 or a0):
                number = row.auth_number if row.status == RequestStatus.ACCEPTED else (
                    row.webcert_number or row.draft_number)
                status = RequestStatus(row.status).value
                warnings.append(
                    f"Member {request.member_id_entered} already has a {status} request {number} for "
                    f"{row.code} on {_fmt(b0)}–{_fmt(b1)}, overlapping this one. Check before submitting."
                )
                break
    return warnings
