"""What the request wizard edits: plain dataclasses shared by UI and store.

A draft may be incomplete or hold text that is not valid yet. Parsed values
go into the typed fields; text that could not be parsed is kept verbatim in
``raw`` (field key -> text) so that nothing a clerk typed is ever lost, and is
shown again in its field when the draft is reopened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from store.enums import CareSetting, RequestKind, Urgency


@dataclass
class DiagnosisInput:
    """One diagnosis code on the form."""

    code: str
    is_primary: bool = False
    description: str = ""


@dataclass
class LineInput:
    """One service line on the form; ``clinical_answers`` maps question id -> answer."""

    code: str = ""
    modifiers: list[str] = field(default_factory=list)  # up to four (X12), e.g. ["RT", "59"]
    from_date: date | None = None
    to_date: date | None = None
    requested_units: int | None = None
    description: str = ""
    clinical_answers: dict[str, str] = field(default_factory=dict)


@dataclass
class DraftForm:
    """Everything a request holds, as the wizard edits it."""

    kind: RequestKind
    # Step 1: member & eligibility
    member_id: str = ""
    medicaid_id: str = ""
    # Step 2: providers (ids from the provider directory)
    requesting_provider_id: int | None = None
    servicing_provider_id: int | None = None
    facility_provider_id: int | None = None
    # Step 3: services
    care_setting: CareSetting | None = None
    category: str = ""
    treatment_type: str = ""
    place_of_service: str = ""
    start_date: date | None = None
    end_date: date | None = None
    diagnoses: list[DiagnosisInput] = field(default_factory=list)
    lines: list[LineInput] = field(default_factory=list)
    # Emergent admission notice
    admitted_via_er: bool = False
    admission_at: datetime | None = None
    # Newborn delivery notification
    mother_member_id: str = ""
    delivery_date: date | None = None
    delivery_type: str = ""
    birth_weight_grams: int | None = None
    nicu: bool = False
    # The baby, when known (the request's member is the mother; store.services.newborn).
    newborn_member_id: str = ""
    newborn_first_name: str = ""
    newborn_last_name: str = ""
    newborn_sex: str = ""  # F, M, U or empty
    newborn_birth_date: date | None = None
    # Step 4: urgency
    urgency: Urgency = Urgency.STANDARD
    expedited_reasons: list[str] = field(default_factory=list)
    benefits_reference: str = ""
    # Step 6: contact
    contact_name: str = ""
    contact_phone: str = ""
    contact_phone_ext: str = ""
    contact_fax: str = ""
    contact_email: str = ""
    # Where the clerk was, and text not yet valid (field key -> text).
    wizard_step: int = 0
    raw: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MissingItem:
    """Something that keeps a request from being submitted.

    ``step`` is the wizard step index and ``field`` the widget id to focus,
    so each item on the review page can jump to its field.
    """

    step: int
    field: str
    message: str


@dataclass(frozen=True)
class SavedDraft:
    """What a save returns: the draft's identity and its new version."""

    request_id: int
    draft_number: str
    version: int
    updated_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class SubmissionResult:
    """What a submission returns (seed 003's results screen)."""

    request_id: int
    webcert_number: str
    auth_number: str
    draft_number: str
    submitted_at: datetime
    decision_due_at: datetime
    confirmation_to: str


# The wizard's steps, in order; MissingItem.step indexes this tuple.
STEPS = (
    "Member & eligibility",
    "Providers",
    "Services",
    "Urgency",
    "Clinical & attachments",
    "Contact",
    "Review & submit",
)
STEP_MEMBER, STEP_PROVIDERS, STEP_SERVICES, STEP_URGENCY, STEP_CLINICAL, STEP_CONTACT, STEP_REVIEW = range(7)

# Widget ids of the wizard's fields (kebab-case), shared by the completeness
# check (MissingItem.field) and the UI, so a missing item jumps to its field.
# Per-row fields add the row index: "diagnosis-0", "line-1-units" …
FIELD_IDS = {
    "member_id": "member-id",
    "medicaid_id": "medicaid-id",
    "start_date": "start-date",
    "end_date": "end-date",
    "requesting_provider_id": "requesting-provider",
    "servicing_provider_id": "servicing-provider",
    "facility_provider_id": "facility-provider",
    "care_setting": "care-setting",
    "category": "category",
    "treatment_type": "treatment-type",
    "place_of_service": "place-of-service",
    "diagnoses": "diagnosis-search",
    "lines": "line-code",
    "admission_at": "admission-at",
    "mother_member_id": "mother-member-id",
    "delivery_date": "delivery-date",
    "delivery_type": "delivery-type",
    "birth_weight_grams": "birth-weight",
    "urgency": "urgency",
    "expedited_reasons": "expedited-reasons",
    "benefits_reference": "benefits-reference",
    "clinical": "clinical-questions",
    "attachments": "attachment-add",
    "contact_name": "contact-name",
    "contact_phone": "contact-phone",
    "contact_phone_ext": "contact-phone-ext",
    "contact_fax": "contact-fax",
    "contact_email": "contact-email",
}
