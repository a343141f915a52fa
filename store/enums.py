"""The product's vocabulary: every status, kind and role in one place."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a signed-in user may do."""

    CLERK = "clerk"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class RequestKind(StrEnum):
    """The four kinds of request the seeds describe."""

    INPATIENT = "inpatient"
    SERVICE = "service"
    EMERGENT_ADMISSION = "emergent_admission"
    NEWBORN = "newborn"

    @property
    def label(self) -> str:
        """The kind as the clerk reads it."""
        return KIND_LABELS[self]

    @property
    def auth_prefix(self) -> str:
        """Authorization number prefix: SP for services, IP for the inpatient kinds."""
        return "SP" if self is RequestKind.SERVICE else "IP"

    @property
    def is_inpatient(self) -> bool:
        """Inpatient kinds need a facility and admission/discharge dates."""
        return self is not RequestKind.SERVICE


KIND_LABELS = {
    RequestKind.INPATIENT: "Inpatient stay",
    RequestKind.SERVICE: "Service / procedure",
    RequestKind.EMERGENT_ADMISSION: "Emergent admission notice",
    RequestKind.NEWBORN: "Newborn delivery notification",
}


class RequestStatus(StrEnum):
    """Where a request is in its lifecycle."""

    DRAFT = "draft"
    PENDING = "pending"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The status as the dashboard shows it."""
        return STATUS_LABELS[self]


STATUS_LABELS = {
    RequestStatus.DRAFT: "Draft",
    RequestStatus.PENDING: "Pending (In Process)",
    RequestStatus.REJECTED: "Rejected",
    RequestStatus.ACCEPTED: "Accepted",
    RequestStatus.EXPIRED: "Expired",
    RequestStatus.CANCELLED: "Cancelled",
}


class Urgency(StrEnum):
    """Requested urgency; expedited is a request the reviewer may change."""

    STANDARD = "standard"
    EXPEDITED = "expedited"


class CareSetting(StrEnum):
    """Care setting of the request (seed 003)."""

    INPATIENT = "inpatient"
    OUTPATIENT = "outpatient"


class CoverageOrder(StrEnum):
    """Whether the plan is the member's primary or secondary coverage."""

    PRIMARY = "primary"
    SECONDARY = "secondary"


class ProviderRole(StrEnum):
    """How a provider (and so its organization) is associated with a request."""

    REQUESTING = "requesting"
    SERVICING = "servicing"
    FACILITY = "facility"


class LineStatus(StrEnum):
    """A service line's outcome; values follow X12 278 HCR01 where one exists."""

    REQUESTED = "requested"
    APPROVED = "A1"
    PARTIAL = "A2"
    DENIED = "A3"
    PENDED = "A4"
    MODIFIED = "A6"
    CANCELLED = "C"

    @property
    def label(self) -> str:
        """Friendly word, with the HCR01 code beside it where there is one."""
        word = LINE_STATUS_WORDS[self]
        return word if self is LineStatus.REQUESTED else f"{word} ({self.value})"


LINE_STATUS_WORDS = {
    LineStatus.REQUESTED: "No decision yet",
    LineStatus.APPROVED: "Approved",
    LineStatus.PARTIAL: "Partially approved",
    LineStatus.DENIED: "Denied",
    LineStatus.PENDED: "Pended",
    LineStatus.MODIFIED: "Modified",
    LineStatus.CANCELLED: "Cancelled",
}


class ClinicalOutcome(StrEnum):
    """Result of the Document Clinical questions for a line (seed 003)."""

    NOT_REQUIRED = "not_required"
    REVIEW_REQUIRED = "review_required"
    CRITERIA_MET = "criteria_met"


class AttachmentKind(StrEnum):
    """Clinical records attached by the provider, or letters written by the plan."""

    CLINICAL = "clinical"
    LETTER = "letter"


class OutboxStatus(StrEnum):
    """Delivery state of a queued mail."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class ExpeditedCriterion(StrEnum):
    """The plan's criteria for expedited status (seed 001, the latest wording)."""

    CANCER = "cancer"
    FACILITY_TRANSFER = "facility_transfer"
    TRANSPLANT = "transplant"
    DIALYSIS = "dialysis"
    DME_DISCHARGE = "dme_discharge"
    ER_ADMISSION = "er_admission"
    ADMISSION_WITHIN_7_DAYS = "admission_within_7_days"
    BEHAVIORAL_HEALTH = "behavioral_health"
    INFUSION_WITHIN_7_DAYS = "infusion_within_7_days"
    HOSPICE = "hospice"

    @property
    def label(self) -> str:
        """The criterion in the seed's words."""
        return EXPEDITED_LABELS[self]


EXPEDITED_LABELS = {
    ExpeditedCriterion.CANCER: "Cancer diagnosis — chemo, urgent diagnostics",
    ExpeditedCriterion.FACILITY_TRANSFER: "Facility transfers",
    ExpeditedCriterion.TRANSPLANT: "Transplants",
    ExpeditedCriterion.DIALYSIS: "Dialysis",
    ExpeditedCriterion.DME_DISCHARGE: (
        "Durable Medical Equipment needed for discharge from hospital setting "
        "(e.g., Zoll Life Vest, Oxygen, Wheelchair)"
    ),
    ExpeditedCriterion.ER_ADMISSION: "Inpatient admission through the ER — not a planned admission",
    ExpeditedCriterion.ADMISSION_WITHIN_7_DAYS: "Inpatient admission planned for 7 days or less from time of call",
    ExpeditedCriterion.BEHAVIORAL_HEALTH: "Any behavioral health admissions",
    # Seed 001 (the latest) drops seed 000's 7-day limit here; the stored value keeps its old name.
    ExpeditedCriterion.INFUSION_WITHIN_7_DAYS: "Infusions / Injections",
    ExpeditedCriterion.HOSPICE: "Hospice — home or inpatient",
}
