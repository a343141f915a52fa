"""Frozen records handed to the UI: plain values, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from store.enums import (
    AttachmentKind,
    ClinicalOutcome,
    LineStatus,
    RequestKind,
    RequestStatus,
    Role,
    Urgency,
)


@dataclass(frozen=True, slots=True)
class UserRecord:
    """The signed-in user, as the UI needs it."""

    id: int
    username: str
    full_name: str
    email: str
    phone: str
    phone_ext: str
    fax: str
    role: Role
    organization_id: int | None
    organization_name: str

    @property
    def is_reviewer(self) -> bool:
        """Reviewers (and administrators) act for the plan."""
        return self.role in (Role.REVIEWER, Role.ADMIN)


@dataclass(frozen=True, slots=True)
class RequestRow:
    """One row of a dashboard list."""

    id: int
    kind: RequestKind
    status: RequestStatus
    draft_number: str
    webcert_number: str | None
    auth_number: str | None
    member_id: str
    member_name: str
    start_date: date | None
    end_date: date | None
    urgency: Urgency
    updated_at: datetime
    expires_at: datetime | None
    decision_due_at: datetime | None
    submitted_at: datetime | None
    decided_at: datetime | None
    started_by: str = ""  # the name of the clerk who started the request
    information_received: bool = False  # lines to decide: a file came in for a pended line

    @property
    def number(self) -> str:
        """The most telling number: WebCert once submitted, else the draft number."""
        return self.webcert_number or self.draft_number


@dataclass(frozen=True, slots=True)
class RequestPage:
    """A page of dashboard rows and the total that match the filter."""

    rows: tuple[RequestRow, ...]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True, slots=True)
class ProviderRecord:
    """A provider from the directory."""

    id: int
    npi: str
    provider_number: str
    name: str
    specialty: str
    is_facility: bool
    organization_id: int | None


@dataclass(frozen=True, slots=True)
class DiagnosisRecord:
    """A diagnosis on a request."""

    code: str
    description: str
    is_primary: bool


@dataclass(frozen=True, slots=True)
class ServiceLineRecord:
    """A service line with its outcome."""

    id: int
    line_number: int
    code: str
    code_type: str
    description: str
    modifiers: tuple[str, ...]
    from_date: date | None
    to_date: date | None
    requested_units: int | None
    status: LineStatus
    authorized_units: int | None
    authorized_from: date | None
    authorized_to: date | None
    decision_reason: str
    clinical_outcome: ClinicalOutcome
    clinical_answers: dict = field(default_factory=dict)
    authorized_code: str | None = None  # a modified (A6) line's authorized code, when it differs
    information_received_at: datetime | None = None  # a file attached while the line was pended

    @property
    def status_text(self) -> str:
        """The outcome as shown: ``Pended (A4) · information received`` once a file came in."""
        text = LineStatus(self.status).label
        if self.status == LineStatus.PENDED and self.information_received_at is not None:
            text += " · information received"
        return text


@dataclass(frozen=True, slots=True)
class AttachmentRecord:
    """A file on a case."""

    id: int
    kind: AttachmentKind
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    stored_path: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A timeline entry."""

    at: datetime
    actor_name: str
    event: str
    detail: str


@dataclass(frozen=True, slots=True)
class CaseDetail:
    """Everything a request holds, for the case detail screen."""

    id: int
    kind: RequestKind
    status: RequestStatus
    version: int
    draft_number: str
    webcert_number: str | None
    auth_number: str | None
    member_id: str
    medicaid_id: str
    member_name: str
    member_birth_date: date | None
    member_sex: str
    plan_name: str
    coverage_order: str
    requesting_provider: ProviderRecord | None
    servicing_provider: ProviderRecord | None
    facility_provider: ProviderRecord | None
    care_setting: str | None
    category: str
    treatment_type: str
    place_of_service: str
    start_date: date | None
    end_date: date | None
    admitted_via_er: bool
    admission_at: datetime | None
    mother_member_id: str
    delivery_date: date | None
    delivery_type: str
    birth_weight_grams: int | None
    nicu: bool
    urgency: Urgency
    requested_urgency: Urgency
    expedited_reasons: tuple[str, ...]
    benefits_reference: str
    contact_name: str
    contact_phone: str
    contact_phone_ext: str
    contact_fax: str
    contact_email: str
    reject_reason: str
    created_by_name: str
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None
    submitted_at: datetime | None
    decision_due_at: datetime | None
    decided_at: datetime | None
    wizard_step: int
    form_state: dict
    diagnoses: tuple[DiagnosisRecord, ...]
    lines: tuple[ServiceLineRecord, ...]
    attachments: tuple[AttachmentRecord, ...]
    events: tuple[EventRecord, ...]
    # The baby on a newborn delivery notification (the member is the mother).
    newborn_member_id: str = ""
    newborn_first_name: str = ""
    newborn_last_name: str = ""
    newborn_sex: str = ""
    newborn_birth_date: date | None = None
