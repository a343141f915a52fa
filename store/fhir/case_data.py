"""What a PAS request Bundle is built from: a case and the rows around it, read beforehand in one session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from store.fhir.settings import PasSettings
from store.records import AttachmentRecord, CaseDetail, ProviderRecord


@dataclass(frozen=True, slots=True)
class PasMember:
    """The member as the eligibility file holds them."""

    first_name: str
    last_name: str
    birth_date: date | None
    sex: str
    medicaid_id: str = ""


@dataclass(frozen=True, slots=True)
class PasCoverage:
    """The coverage period the request was checked against."""

    plan_name: str
    group_number: str
    start_date: date | None
    end_date: date | None


@dataclass(frozen=True, slots=True)
class PasProvider:
    """A provider with the directory's contact details."""

    record: ProviderRecord
    phone: str = ""
    fax: str = ""
    address: str = ""


@dataclass(frozen=True, slots=True)
class PasDocument:
    """A clinical attachment and its bytes."""

    record: AttachmentRecord
    content: bytes


@dataclass(frozen=True, slots=True)
class PasCase:
    """Everything a request Bundle is built from (read inside one session)."""

    case: CaseDetail
    member: PasMember | None
    coverage: PasCoverage | None
    providers: dict[int, PasProvider]
    organization_code: str
    organization_name: str
    documents: tuple[PasDocument, ...]
    exported_at: datetime
    settings: PasSettings = field(default_factory=PasSettings)
    bundle_id: str = field(default_factory=lambda: str(uuid.uuid4()))


__all__ = ["PasCase", "PasCoverage", "PasDocument", "PasMember", "PasProvider"]
