"""Da Vinci PAS export: a submitted request as a FHIR R4B Bundle.

The Bundle holds a ``Claim`` with ``use = preauthorization`` first, then the
resources it points at: Patient, Coverage, the payer Organization, the
providers (Practitioner or Organization for facilities), one Condition per
diagnosis, and one DocumentReference per clinical attachment. The result is
validated with ``fhir.resources`` (R4B) before it is returned, so what leaves
AuthDesk is ready for a payer's FHIR API.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session

from store.enums import AttachmentKind, RequestKind, RequestStatus, Urgency
from store.errors import InvalidTransitionError, ValidationError
from store.records import CaseDetail, ProviderRecord, UserRecord
from store.services.cases import get_case
from store.types import utcnow

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
NPI = "http://hl7.org/fhir/sid/us-npi"
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PROCESS_PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
DIAGNOSIS_TYPE = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype"
WEBCERT_SYSTEM = "urn:authdesk:webcert"
MEMBER_SYSTEM = "urn:authdesk:member-id"
PAS_SUPPORTING_INFO = "http://hl7.org/fhir/us/davinci-pas/CodeSystem/PASSupportingInfoType"
PAS_CLAIM_PROFILE = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/profile-claim"
PAS_BUNDLE_PROFILE = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/profile-pas-request-bundle"


def export_pas_bundle(session: Session, user: UserRecord, request_id: int) -> dict:
    """The request as a validated PAS request Bundle (a JSON-ready dict).

    Raises:
        InvalidTransitionError: the request is still a draft (nothing to send).
        ValidationError: the data does not make a valid FHIR Bundle.
    """
    case = get_case(session, user, request_id)
    if case.status in (RequestStatus.DRAFT, RequestStatus.CANCELLED, RequestStatus.EXPIRED):
        raise InvalidTransitionError(
            f"{case.draft_number} has not been submitted; only submitted requests can be exported."
        )
    bundle = _bundle(case)
    from fhir.resources.R4B.bundle import Bundle

    try:
        validated = Bundle.model_validate(bundle)
    except Exception as exc:  # pydantic's ValidationError, reworded for the clerk
        raise ValidationError(f"The FHIR export is not valid: {exc}", field="fhir") from exc
    return json.loads(validated.model_dump_json(exclude_none=True))


def write_pas_bundle(session: Session, user: UserRecord, request_id: int, folder: Path) -> Path:
    """Write the PAS Bundle as ``<WebCert number>-pas.json`` into ``folder``."""
    bundle = export_pas_bundle(session, user, request_id)
    number = bundle["entry"][0]["resource"]["identifier"][0]["value"]
    target = Path(folder).expanduser() / f"{number}-pas.json"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(bundle, indent=2), encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"Cannot write {target}: {exc.strerror or exc}", field="path") from exc
    return target


class _Ids:
    """Stable ``urn:uuid:`` full URLs for one case's resources."""

    def __init__(self, case_id: int) -> None:
        self.case_id = case_id

    def url(self, resource_type: str, local_id: str) -> str:
        name = f"authdesk/case/{self.case_id}/{resource_type}/{local_id}"
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"

    def ref(self, resource_type: str, local_id: str) -> dict:
        return {"reference": self.url(resource_type, local_id)}


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _coding(system: str, code: str, display: str | None = None) -> dict:
    return {"coding": [{"system": system, "code": code, "display": display or None}]}


def _provider_resource(provider: ProviderRecord) -> dict:
    identifier = [{"system": NPI, "value": provider.npi}]
    if provider.is_facility:
        return {"resourceType": "Organization", "id": f"p{provider.id}", "identifier": identifier,
                "name": provider.name}
    return {"resourceType": "Practitioner", "id": f"p{provider.id}", "identifier": identifier,
            "name": [{"text": provider.name}]}


def _bundle(case: CaseDetail) -> dict:
    ids = _Ids(case.id)
    member_id = case.member_id or "unknown"
    last, _, first = case.member_name.partition(", ")
    patient = {
        "resourceType": "Patient",
        "id": "member",
        "identifier": [{"system": MEMBER_SYSTEM, "value": member_id}],
        "name": [{"family": last or case.member_name or None, "given": [first] if first else None}],
        "gender": {"F": "female", "M": "male"}.get(case.member_sex, "unknown"),
        "birthDate": _iso(case.member_birth_date),
    }
    payer = {"resourceType": "Organization", "id": "payer", "name": case.plan_name or "Health plan"}
    coverage = {
        "resourceType": "Coverage",
        "id": "coverage",
        "status": "active",
        "subscriberId": member_id,
        "beneficiary": ids.ref("Patient", "member"),
        "payor": [ids.ref("Organization", "payer")],
        "order": 2 if case.coverage_order == "secondary" else 1,
    }
    providers: dict[int, dict] = {}
    for provider in (case.requesting_provider, case.servicing_provider, case.facility_provider):
        if provider is not None:
            providers[provider.id] = _provider_resource(provider)
    conditions = [
        {
            "resourceType": "Condition",
            "id": f"dx{index}",
            "subject": ids.ref("Patient", "member"),
            "code": _coding(ICD10CM, dx.code, dx.description),
        }
        for index, dx in enumerate(case.diagnoses)
    ]
    documents = [
        {
            "resourceType": "DocumentReference",
            "id": f"doc{a.id}",
            "status": "current",
            "subject": ids.ref("Patient", "member"),
            "date": _iso(a.added_at),
            # FHIR's Attachment.hash is SHA-1; AuthDesk addresses files by SHA-256.
            "description": f"SHA-256 {a.sha256}",
            "content": [{"attachment": {"contentType": a.media_type, "title": a.filename, "size": a.size_bytes}}],
        }
        for a in case.attachments
        if AttachmentKind(a.kind) is AttachmentKind.CLINICAL
    ]
    requester = case.requesting_provider or case.servicing_provider
    requester_ref = None
    if requester is not None:
        requester_ref = ids.ref(_provider_resource(requester)["resourceType"], f"p{requester.id}")
    claim = {
        "resourceType": "Claim",
        "id": "claim",
        "meta": {"profile": [PAS_CLAIM_PROFILE]},
        "identifier": [{"system": WEBCERT_SYSTEM, "value": case.webcert_number or case.draft_number}],
        "status": "active",
        "type": _coding(CLAIM_TYPE, "institutional" if RequestKind(case.kind).is_inpatient else "professional"),
        "use": "preauthorization",
        "patient": ids.ref("Patient", "member"),
        "created": _iso(case.submitted_at or utcnow()),
        "insurer": ids.ref("Organization", "payer"),
        "provider": requester_ref,
        "facility": ids.ref("Organization", f"p{case.facility_provider.id}") if case.facility_provider else None,
        "priority": _coding(PROCESS_PRIORITY, "stat" if case.urgency == Urgency.EXPEDITED else "normal"),
        "insurance": [{"sequence": 1, "focal": True, "coverage": ids.ref("Coverage", "coverage")}],
        "diagnosis": [
            {
                "sequence": index + 1,
                "diagnosisReference": ids.ref("Condition", f"dx{index}"),
                "type": [_coding(DIAGNOSIS_TYPE, "principal")] if dx.is_primary else None,
            }
            for index, dx in enumerate(case.diagnoses)
        ],
        "supportingInfo": [
            {
                "sequence": index + 1,
                "category": _coding(PAS_SUPPORTING_INFO, "additionalInformation"),
                "valueReference": ids.ref("DocumentReference", doc["id"]),
            }
            for index, doc in enumerate(documents)
        ],
        "item": [
            {
                "sequence": line.line_number,
                "productOrService": _coding(HCPCS if line.code_type == "HCPCS" else CPT, line.code,
                                            line.description),
                "modifier": [{"coding": [{"code": m}]} for m in line.modifiers] or None,
                "servicedPeriod": {"start": _iso(line.from_date), "end": _iso(line.to_date or line.from_date)}
                if line.from_date else None,
                "quantity": {"value": line.requested_units} if line.requested_units else None,
                "locationCodeableConcept": _coding(POS, case.place_of_service) if case.place_of_service else None,
                "diagnosisSequence": [1] if case.diagnoses else None,
            }
            for line in case.lines
        ],
    }
    if requester_ref is None:
        raise ValidationError("The request has no requesting provider to export.", field="fhir")
    resources = [claim, patient, coverage, payer, *providers.values(), *conditions, *documents]
    return {
        "resourceType": "Bundle",
        "meta": {"profile": [PAS_BUNDLE_PROFILE]},
        "identifier": {"system": WEBCERT_SYSTEM, "value": case.webcert_number or case.draft_number},
        "type": "collection",
        "timestamp": _iso(utcnow()),
        "entry": [
            {"fullUrl": ids.url(r["resourceType"], r["id"]), "resource": _strip_none(r)} for r in resources
        ],
    }


def _strip_none(value):
    """Drop None values and the empty lists/dicts they leave behind (FHIR forbids empties)."""
    if isinstance(value, dict):
        cleaned = {k: _strip_none(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in cleaned.items() if v not in ({}, [])}
    if isinstance(value, list):
        cleaned = [_strip_none(v) for v in value if v is not None]
        return [v for v in cleaned if v not in ({}, [])]
    return value
