"""SQLModel tables: the whole domain of DESIGN.md.

Enums are stored as short strings (no database enum types) so that adding a
value never needs a type migration. Every timestamp is a UTC instant
(:class:`store.types.UTCDateTime`). The UI never receives these rows: services
convert them to the frozen records in :mod:`store.records`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, TypeDecorator, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from store import listing as _listing
from store.enums import (
    AttachmentKind,
    CareSetting,
    ClinicalOutcome,
    CoverageOrder,
    LineStatus,
    OutboxStatus,
    ProviderRole,
    RequestKind,
    RequestStatus,
    Role,
    Urgency,
)
from store.types import UTCDateTime, utcnow


class _StrEnum(TypeDecorator):
    """A StrEnum stored as plain text (portable, readable) and read back as the enum."""

    impl = String
    cache_ok = True

    def __init__(self, length: int, enum_cls) -> None:
        super().__init__(length)
        self.enum_cls = enum_cls

    def process_bind_param(self, value, dialect):
        return None if value is None else str(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return self.enum_cls(value)
        except ValueError:
            return value  # a value from a newer release: keep it readable


def _enum(length: int, enum_cls) -> Any:
    return _StrEnum(length, enum_cls)


class Organization(SQLModel, table=True):
    """A provider office, clinic or hospital whose staff use AuthDesk."""

    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class User(SQLModel, table=True):
    """A person who signs in: clerk, reviewer or administrator."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    phone_ext: str = Field(default="", max_length=10)
    fax: str = Field(default="", max_length=40)
    role: Role = Field(default=Role.CLERK, sa_type=_enum(16, Role))
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    password_hash: str = Field(max_length=255)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_active: bool = Field(default=True)
    reset_code_hash: str | None = Field(default=None, max_length=255)
    reset_code_expires: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reset_code_attempts: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Provider(SQLModel, table=True):
    """A practitioner or facility from the plan's provider directory."""

    __tablename__ = "provider"

    id: int | None = Field(default=None, primary_key=True)
    npi: str = Field(max_length=10, unique=True)
    provider_number: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=200, index=True)
    specialty: str = Field(default="", max_length=100)
    is_facility: bool = Field(default=False)
    phone: str = Field(default="", max_length=40)
    fax: str = Field(default="", max_length=40)
    address: str = Field(default="", max_length=300)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)


class Member(SQLModel, table=True):
    """A health plan member (the patient)."""

    __tablename__ = "member"

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=20, unique=True)
    medicaid_id: str | None = Field(default=None, max_length=20, index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100, index=True)
    birth_date: date
    sex: str = Field(max_length=1)  # F, M, U
    email: str = Field(default="", max_length=254)


class Coverage(SQLModel, table=True):
    """A period of coverage; eligibility is decided by the date of service."""

    __tablename__ = "coverage"
    __table_args__ = (Index("ix_coverage_member_dates", "member_pk", "start_date"),)

    id: int | None = Field(default=None, primary_key=True)
    member_pk: int = Field(foreign_key="member.id")
    plan_name: str = Field(max_length=120)
    group_number: str = Field(default="", max_length=40)
    order: CoverageOrder = Field(default=CoverageOrder.PRIMARY, sa_type=_enum(12, CoverageOrder))
    start_date: date
    end_date: date | None = None


class AuthRequest(SQLModel, table=True):
    """A prior authorization request or notice, from first save to decision."""

    __tablename__ = "auth_request"
    __table_args__ = (
        Index("ix_request_status_updated", "status", "updated_at"),
        Index("ix_request_status_expires", "status", "expires_at"),
        Index("ix_request_status_due", "status", "decision_due_at"),
        Index("ix_request_member_pk", "member_pk"),
        Index("ix_request_member_id_entered", "member_id_entered"),
        Index("ix_request_medicaid_id_entered", "medicaid_id_entered"),
        # Housekeeping's drafts (migration 0012): only rows a run may still change, with their id
        # (PostgreSQL reads them index-only).
        Index("ix_request_reminder_due", "expires_at", "id",
              sqlite_where=text("status = 'draft' AND expiry_reminder_queued_at IS NULL"),
              postgresql_where=text("status = 'draft' AND expiry_reminder_queued_at IS NULL")),
        Index("ix_request_draft_no_expiry", "created_at", "id",
              sqlite_where=text("status = 'draft' AND expires_at IS NULL"),
              postgresql_where=text("status = 'draft' AND expires_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: RequestKind = Field(sa_type=_enum(24, RequestKind))
    status: RequestStatus = Field(default=RequestStatus.DRAFT, sa_type=_enum(16, RequestStatus))
    version: int = Field(default=1)

    # Numbers: none of them is reused, each assigned with its status change.
    draft_number: str = Field(max_length=16, unique=True)
    webcert_number: str | None = Field(default=None, max_length=16, unique=True)
    auth_number: str | None = Field(default=None, max_length=16, unique=True)

    # Member as typed and as found.
    member_pk: int | None = Field(default=None, foreign_key="member.id")
    member_id_entered: str = Field(default="", max_length=20)
    medicaid_id_entered: str = Field(default="", max_length=20)
    member_name: str = Field(default="", max_length=200)
    coverage_id: int | None = Field(default=None, foreign_key="coverage.id")

    # Providers.
    requesting_provider_id: int | None = Field(default=None, foreign_key="provider.id")
    servicing_provider_id: int | None = Field(default=None, foreign_key="provider.id")
    facility_provider_id: int | None = Field(default=None, foreign_key="provider.id")

    # Services.
    care_setting: CareSetting | None = Field(default=None, sa_type=_enum(12, CareSetting))
    category: str = Field(default="", max_length=80)
    treatment_type: str = Field(default="", max_length=80)
    place_of_service: str = Field(default="", max_length=2)
    start_date: date | None = None
    end_date: date | None = None

    # Kind-specific: emergent admission notice.
    admitted_via_er: bool = Field(default=False)
    admission_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Kind-specific: newborn delivery notification.
    mother_member_id: str = Field(default="", max_length=20)
    delivery_date: date | None = None
    delivery_type: str = Field(default="", max_length=40)
    birth_weight_grams: int | None = None
    nicu: bool = Field(default=False)
    # The baby, when known (the request's member is the mother; migration 0010).
    newborn_member_id: str = Field(default="", max_length=20)
    newborn_first_name: str = Field(default="", max_length=100)
    newborn_last_name: str = Field(default="", max_length=100)
    newborn_sex: str = Field(default="", max_length=1)  # F, M, U or empty
    newborn_birth_date: date | None = None

    # Urgency.
    urgency: Urgency = Field(default=Urgency.STANDARD, sa_type=_enum(12, Urgency))
    requested_urgency: Urgency = Field(default=Urgency.STANDARD, sa_type=_enum(12, Urgency))
    expedited_reasons: list[str] = Field(default_factory=list, sa_type=JSON)
    benefits_reference: str = Field(default="", max_length=40)

    # Contact: the person completing the request.
    contact_name: str = Field(default="", max_length=200)
    contact_phone: str = Field(default="", max_length=40)
    contact_phone_ext: str = Field(default="", max_length=10)
    contact_fax: str = Field(default="", max_length=40)
    contact_email: str = Field(default="", max_length=254)

    # Where the clerk left the wizard, and raw text of fields not yet valid,
    # so that nothing typed is ever lost.
    wizard_step: int = Field(default=0)
    form_state: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)

    # Decision.
    reject_reason: str = Field(default="", max_length=2000)

    # Lowercased member name, IDs and numbers for the dashboard filter.
    search_text: str = Field(default="", max_length=400)

    # Ownership and clock.
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expiry_reminder_queued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expired_notice_queued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RequestOrganization(SQLModel, table=True):
    """Which organizations may see a request (owner and associated providers)."""

    __tablename__ = "request_organization"
    __table_args__ = (Index("ix_request_org_org_request", "organization_id", "request_id"),)

    request_id: int = Field(foreign_key="auth_request.id", primary_key=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", primary_key=True)
    role: str = Field(default="owner", max_length=16)


class CaseListing(SQLModel, table=True):
    """Who sees a case, its status and its sort keys: the dashboard's index (:mod:`store.listing`).

    Kept by database triggers from ``auth_request`` and ``request_organization``;
    the store never writes it directly. ``audience_id`` is an organization,
    or 0 for the plan's reviewers and administrators. No column is NULL.
    """

    __tablename__ = "case_listing"
    __table_args__ = (
        *(Index(name, *columns) for name, columns in _listing.listing_indexes()),
        Index(_listing.REPORT_INDEX, *_listing.REPORT_INDEX_COLUMNS,
              sqlite_where=text(_listing.REPORT_INDEX_WHERE), postgresql_where=text(_listing.REPORT_INDEX_WHERE)),
    )

    request_id: int = Field(foreign_key="auth_request.id", primary_key=True, ondelete="CASCADE")
    audience_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    status: str = Field(max_length=16)
    kind: str = Field(max_length=24)
    urgency: str = Field(max_length=12)
    draft_number: str = Field(max_length=16)
    webcert_number: str = Field(max_length=16)
    auth_number: str = Field(max_length=16)
    member_name: str = Field(max_length=200)
    member_id_entered: str = Field(max_length=20)
    start_date: date
    updated_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    decision_due_at: datetime = Field(sa_type=UTCDateTime)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime = Field(sa_type=UTCDateTime)
    # The CMS-0057-F report's figures (:func:`store.listing.report_exprs`): '' / 0 when not counted.
    outcome: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    decision_micros: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    late: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class CaseName(SQLModel, table=True):
    """Every member name a case has carried, once: what the name search index covers (:mod:`store.listing`)."""

    __tablename__ = "case_name"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)


class CaseNameCount(SQLModel, table=True):
    """Signed deltas of how many cases an audience has per member name and status (summed when read).

    Kept by triggers on ``case_listing`` (:mod:`store.listing`): a filter by a
    name sums a few rows per matching name instead of counting its cases.
    """

    __tablename__ = "case_name_count"
    __table_args__ = (Index("ix_case_name_count_audience_name", "audience_id", "name", "status", "n"),)

    id: int | None = Field(default=None, primary_key=True)
    audience_id: int
    name: str = Field(max_length=200)
    status: str = Field(max_length=16)
    n: int


class CaseCount(SQLModel, table=True):
    """Signed deltas of how many cases an audience has in a status (summed when read)."""

    __tablename__ = "case_count"
    __table_args__ = (Index("ix_case_count_audience_status", "audience_id", "status", "n"),)

    id: int | None = Field(default=None, primary_key=True)
    audience_id: int
    status: str = Field(max_length=16)
    n: int


class DiagnosisLine(SQLModel, table=True):
    """An ICD-10-CM diagnosis on a request; exactly one is primary."""

    __tablename__ = "diagnosis_line"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="auth_request.id", index=True, ondelete="CASCADE")
    position: int = Field(default=0)
    code: str = Field(max_length=8)
    description: str = Field(default="", max_length=300)
    is_primary: bool = Field(default=False)


class ServiceLine(SQLModel, table=True):
    """A requested procedure (CPT/HCPCS) with units, dates and its outcome."""

    __tablename__ = "service_line"
    __table_args__ = (
        Index("ix_service_line_code", "code"),
        # the report's outcome per case, read from the index alone
        Index("ix_service_line_outcome", "request_id", "status", "was_pended"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="auth_request.id", index=True, ondelete="CASCADE")
    line_number: int = Field(default=1)
    code: str = Field(max_length=5)
    code_type: str = Field(default="CPT", max_length=8)  # CPT or HCPCS
    description: str = Field(default="", max_length=300)
    # Up to four two-character modifiers (X12 SV1/SV2), stored space-separated: "RT 59".
    modifier: str = Field(default="", max_length=11)
    from_date: date | None = None
    to_date: date | None = None
    requested_units: int | None = None
    status: LineStatus = Field(default=LineStatus.REQUESTED, sa_type=_enum(12, LineStatus))
    authorized_units: int | None = None
    authorized_from: date | None = None
    authorized_to: date | None = None
    # A modified (A6) line may authorize another code than the one requested.
    authorized_code: str | None = Field(default=None, max_length=5)
    decision_reason: str = Field(default="", max_length=2000)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    was_pended: bool = Field(default=False)
    # Clinical records attached by the provider after the line was pended (migration 0010).
    information_received_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    clinical_outcome: ClinicalOutcome = Field(
        default=ClinicalOutcome.NOT_REQUIRED, sa_type=_enum(20, ClinicalOutcome)
    )
    clinical_answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class Attachment(SQLModel, table=True):
    """A file on a case: clinical records, or a determination letter."""

    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="auth_request.id", index=True, ondelete="CASCADE")
    kind: AttachmentKind = Field(default=AttachmentKind.CLINICAL, sa_type=_enum(12, AttachmentKind))
    filename: str = Field(max_length=255)
    media_type: str = Field(max_length=120)
    size_bytes: int
    sha256: str = Field(max_length=64, index=True)
    stored_path: str = Field(max_length=500)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    added_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class CaseEvent(SQLModel, table=True):
    """One entry on a case's timeline: what happened, who did it, when."""

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_case_event_request_at", "request_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="auth_request.id", ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_name: str = Field(default="system", max_length=200)
    event: str = Field(max_length=40)
    detail: str = Field(default="", max_length=2000)


class OutboxMail(SQLModel, table=True):
    """A mail waiting to be sent, or the record of one that was sent."""

    __tablename__ = "outbox_mail"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int | None = Field(default=None, foreign_key="auth_request.id", index=True)
    dedupe_key: str = Field(max_length=120)
    mail_kind: str = Field(max_length=40)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str
    status: OutboxStatus = Field(default=OutboxStatus.QUEUED, sa_type=_enum(12, OutboxStatus))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=1000)


class PasResponse(SQLModel, table=True):
    """A Da Vinci PAS response Bundle applied to a case (so the same one is never applied twice).

    ``content_sha256`` is of the response's canonical JSON (sorted keys, no
    spaces), so a re-formatted copy is still the same response;
    ``response_key`` is its identifier (``system|value``), kept for the record
    (PAS echoes the request's transaction identifier, so it is not unique).
    ``response_created`` is the payer's ``ClaimResponse.created``: an older
    response never overrides a newer one. Nothing about the member is kept.
    """

    __tablename__ = "pas_response"
    __table_args__ = (UniqueConstraint("content_sha256", name="uq_pas_response_sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="auth_request.id", index=True, ondelete="CASCADE")
    response_key: str = Field(max_length=300, index=True)
    content_sha256: str = Field(max_length=64)
    outcome: str = Field(max_length=16)
    summary: str = Field(default="", max_length=500)
    response_created: datetime | None = Field(default=None, sa_type=UTCDateTime)
    applied_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    applied_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class NumberSequence(SQLModel, table=True):
    """Counters for draft, WebCert and authorization numbers; never reused."""

    __tablename__ = "number_sequence"

    name: str = Field(primary_key=True, max_length=16)
    last_value: int = Field(default=0)


class AppSetting(SQLModel, table=True):
    """Database-wide settings (e.g. SMTP configured by an administrator)."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="")


class AuditEvent(SQLModel, table=True):
    """One line of the append-only audit log: who did what to which case, when.

    It never holds member data: a case is named by its number only.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    action: str = Field(max_length=32, index=True)
    user_id: int | None = Field(default=None, index=True)
    username: str = Field(default="", max_length=64)
    organization_id: int | None = Field(default=None)
    request_id: int | None = Field(default=None, index=True)
    case_number: str = Field(default="", max_length=20)
    detail: str = Field(default="", max_length=300)


__all__ = [
    "AppSetting",
    "AuditEvent",
    "Attachment",
    "AuthRequest",
    "CaseCount",
    "CaseEvent",
    "CaseListing",
    "CaseName",
    "CaseNameCount",
    "Coverage",
    "DiagnosisLine",
    "Member",
    "NumberSequence",
    "Organization",
    "OutboxMail",
    "PasResponse",
    "Provider",
    "ProviderRole",
    "RequestOrganization",
    "ServiceLine",
    "User",
]
