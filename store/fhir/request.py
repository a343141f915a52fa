"""A submitted case as a Da Vinci PAS 2.2.1 request Bundle, built with ``fhir.resources`` (R4B models).

:func:`build_request_bundle` is pure: it takes a :class:`PasCase` (everything
read from the database beforehand) and returns the Bundle as a JSON-ready
dict. Entry order: the Claim first (``ClaimFirst``), then Patient, Coverage,
the insurer, the requesting Organization, practitioners and their roles,
facilities, the Encounter (inpatient kinds), Questionnaires and
QuestionnaireResponses (clinical answers, newborn data) and one
DocumentReference per clinical attachment (content inline, base64).

Full URLs are ``urn:uuid:`` values derived from the WebCert number, so a
resource keeps its URL across exports and a payer's ``ClaimResponse.request``
can be checked against it; ``Bundle.identifier`` is new on every export.
"""

from __future__ import annotations

import base64
import hashlib
import uuid

from fhir.resources.R4B.address import Address
from fhir.resources.R4B.attachment import Attachment
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.claim import (
    Claim,
    ClaimCareTeam,
    ClaimDiagnosis,
    ClaimInsurance,
    ClaimItem,
    ClaimSupportingInfo,
)
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coverage import Coverage, CoverageClass
from fhir.resources.R4B.documentreference import DocumentReference, DocumentReferenceContent
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.meta import Meta
from fhir.resources.R4B.organization import Organization, OrganizationContact
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.reference import Reference

from store.enums import AttachmentKind, RequestKind, RequestStatus, Urgency
from store.fhir import terms
from store.fhir.case_data import PasCase, PasCoverage, PasDocument, PasMember, PasProvider
from store.fhir.datatypes import coded_extension, coding, concept, instant, person_name, telecom
from store.fhir.questionnaires import clinical_questionnaire, clinical_response, newborn_questionnaire, newborn_response
from store.records import AttachmentRecord, CaseDetail, ProviderRecord

UUID_NAMESPACE = uuid.UUID("6f1c3c55-8d0e-4b8c-9f43-4a1d2e0b7a11")  # AuthDesk's namespace for full URLs
MAX_DIAGNOSES = 12  # only the first 12 diagnoses reach an X12 278 (PASClaim.diagnosis ^short)


def full_url(webcert_number: str, resource_type: str, local_id: str) -> str:
    """The stable ``urn:uuid:`` of one resource of the case with ``webcert_number``."""
    return f"urn:uuid:{uuid.uuid5(UUID_NAMESPACE, f'{webcert_number}/{resource_type}/{local_id}')}"


def claim_full_url(webcert_number: str) -> str:
    """The Claim's full URL, which a payer's ``ClaimResponse.request`` points back at."""
    return full_url(webcert_number, "Claim", "claim")


# --- the builder ---------------------------------------------------------------------------


class _BundleBuilder:
    """Collects resources with their full URLs while the Claim is assembled."""

    def __init__(self, pas: PasCase) -> None:
        self.pas = pas
        self.case = pas.case
        self.webcert = self.case.webcert_number or self.case.draft_number
        self.entries: dict[str, object] = {}  # full URL -> resource, in insertion order

    def add(self, resource, local_id: str) -> Reference:
        url = full_url(self.webcert, resource.get_resource_type(), local_id)
        resource.id = local_id
        self.entries.setdefault(url, resource)
        return Reference(reference=url)

    def ref(self, resource_type: str, local_id: str) -> Reference:
        return Reference(reference=full_url(self.webcert, resource_type, local_id))

    # ----- people and organizations

    def patient(self) -> Reference:
        case, member, settings = self.case, self.pas.member, self.pas.settings
        identifiers = [Identifier(type=concept(terms.V2_IDENTIFIER_TYPE, "MB", "Member Number"),
                                  system=settings.member_id_system, value=case.member_id)]
        medicaid = case.medicaid_id or (member.medicaid_id if member else "")
        if medicaid:
            identifiers.append(Identifier(type=concept(terms.V2_IDENTIFIER_TYPE, "MA", "Patient Medicaid number"),
                                          system=terms.MEDICAID_SYSTEM, value=medicaid))
        if member is not None:
            name = HumanName(family=member.last_name, given=[member.first_name] if member.first_name else None)
        else:
            last, _, first = case.member_name.partition(", ")
            name = HumanName(family=last or case.member_name, given=[first] if first else None)
        sex = member.sex if member else case.member_sex
        patient = Patient(
            meta=Meta(profile=[terms.PROFILE_BENEFICIARY, terms.PROFILE_SUBSCRIBER]),
            identifier=identifiers,
            name=[name],
            gender={"F": "female", "M": "male"}.get(sex, "unknown"),
            birthDate=member.birth_date if member else case.member_birth_date,
        )
        return self.add(patient, "member")

    def insurer(self) -> Reference:
        settings = self.pas.settings
        plan = self.pas.coverage.plan_name if self.pas.coverage else self.case.plan_name
        name = settings.payer_name or plan or "Health plan"
        if settings.payer_id:
            identifier = Identifier(type=concept(terms.C4BB_IDENTIFIER_TYPE, "payerid", "Payer ID"),
                                    system=settings.payer_id_system, value=settings.payer_id)
        else:  # no payer ID configured: name the plan in AuthDesk's own namespace
            identifier = Identifier(system=terms.PLAN_NAME_SYSTEM, value=name)
        organization = Organization(
            meta=Meta(profile=[terms.PROFILE_INSURER]),
            identifier=[identifier],
            active=True,
            type=[concept(terms.x12("98"), *terms.ENTITY_PAYER)],
            name=name,
        )
        return self.add(organization, "payer")

    def request_contact(self) -> list[OrganizationContact] | None:
        """The person completing the request (seed 003's contact fields), as an Organization contact."""
        case = self.case
        contact = OrganizationContact(
            name=HumanName(text=case.contact_name) if case.contact_name else None,
            telecom=telecom(case.contact_phone, case.contact_fax, case.contact_email, case.contact_phone_ext),
        )
        return [contact] if (contact.name or contact.telecom) else None

    def requesting_organization(self) -> Reference:
        """The office the request comes from, with the request's contact person."""
        organization = Organization(
            meta=Meta(profile=[terms.PROFILE_REQUESTOR]),
            identifier=[Identifier(system=terms.ORGANIZATION_SYSTEM, value=self.pas.organization_code)],
            active=True,
            type=[concept(terms.x12("98"), *terms.ENTITY_PROVIDER)],
            name=self.pas.organization_name or self.pas.organization_code,
            contact=self.request_contact(),
        )
        return self.add(organization, "requestor")

    def facility(self, provider: PasProvider, *, requestor: bool = False) -> Reference:
        record = provider.record
        organization = Organization(
            meta=Meta(profile=[terms.PROFILE_REQUESTOR if requestor else terms.PROFILE_US_CORE_ORGANIZATION]),
            identifier=self._provider_identifiers(record),
            active=True,
            type=[concept(terms.x12("98"), *terms.ENTITY_FACILITY)],
            name=record.name,
            telecom=telecom(provider.phone, provider.fax),
            address=[Address(text=provider.address)] if provider.address else None,
            contact=self.request_contact() if requestor else None,
        )
        return self.add(organization, f"provider-{record.id}")

    @staticmethod
    def _provider_identifiers(record: ProviderRecord) -> list[Identifier]:
        identifiers = [Identifier(system=terms.NPI, value=record.npi)]
        if record.provider_number:
            identifiers.append(Identifier(system=terms.PROVIDER_NUMBER_SYSTEM, value=record.provider_number))
        return identifiers

    def practitioner_role(self, provider: PasProvider, organization: Reference | None = None) -> Reference:
        record = provider.record
        practitioner = Practitioner(
            meta=Meta(profile=[terms.PROFILE_PRACTITIONER]),
            identifier=self._provider_identifiers(record),
            name=[person_name(record.name)],
            telecom=telecom(provider.phone, provider.fax),
            address=[Address(text=provider.address)] if provider.address else None,
        )
        practitioner_ref = self.add(practitioner, f"provider-{record.id}")
        local = f"provider-{record.id}" + ("-requesting" if organization else "")
        role = PractitionerRole(
            meta=Meta(profile=[terms.PROFILE_PRACTITIONER_ROLE]),
            practitioner=practitioner_ref,
            organization=organization,
            specialty=[CodeableConcept(text=record.specialty)] if record.specialty else None,
            telecom=telecom(provider.phone, provider.fax),
        )
        return self.add(role, local)

    def provider_reference(self, provider: PasProvider, *, requestor: bool) -> Reference:
        if provider.record.is_facility:
            return self.facility(provider, requestor=requestor)
        organization = self.requesting_organization() if requestor else None
        return self.practitioner_role(provider, organization)

    def _provider(self, record: ProviderRecord | None) -> PasProvider | None:
        if record is None:
            return None
        return self.pas.providers.get(record.id) or PasProvider(record)

    # ----- the Claim's parts

    def coverage(self, patient: Reference, insurer: Reference) -> Reference:
        case, cov, settings = self.case, self.pas.coverage, self.pas.settings
        medicaid = case.medicaid_id or (self.pas.member.medicaid_id if self.pas.member else "")
        payer_type = terms.PAYER_TYPE_MEDICAID if medicaid else terms.PAYER_TYPE_PRIVATE
        classes = None
        if cov is not None and cov.group_number:
            classes = [CoverageClass(type=concept(terms.COVERAGE_CLASS, "group", "Group"),
                                     value=cov.group_number, name=cov.plan_name or None)]
        period = None
        if cov is not None and cov.start_date:
            period = Period(start=cov.start_date, end=cov.end_date)
        coverage = Coverage(
            meta=Meta(profile=[terms.PROFILE_COVERAGE]),
            identifier=[Identifier(type=concept(terms.V2_IDENTIFIER_TYPE, "MB", "Member Number"),
                                   system=settings.member_id_system, value=case.member_id)],
            status="active",
            type=concept(terms.PAYER_TYPE, *payer_type),
            subscriber=patient,
            subscriberId=case.member_id,
            beneficiary=patient,
            relationship=CodeableConcept(coding=[
                coding(terms.SUBSCRIBER_RELATIONSHIP, *terms.RELATIONSHIP_SELF),
                coding(terms.x12("1069"), *terms.X12_RELATIONSHIP_SELF),
            ]),
            period=period,
            payor=[insurer],
            order=1,
            **{"class": classes},
        )
        return self.add(coverage, "coverage")

    def care_team(self) -> tuple[list[ClaimCareTeam], list[int]]:
        """The servicing provider (SJ) and, for inpatient kinds, the facility (FA), for the whole claim."""
        team, sequences = [], []
        servicing = self._provider(self.case.servicing_provider)
        facility = self._provider(self.case.facility_provider)
        members = []
        if servicing is not None:
            members.append((servicing, terms.ENTITY_SERVICE_PROVIDER))
        if facility is not None and (servicing is None or facility.record.id != servicing.record.id):
            members.append((facility, terms.ENTITY_FACILITY))
        for sequence, (provider, role) in enumerate(members, start=1):
            team.append(ClaimCareTeam(
                extension=[Extension(url=terms.EXT_CARE_TEAM_SCOPE, valueBoolean=True)],
                sequence=sequence,
                provider=self.provider_reference(provider, requestor=False),
                role=concept(terms.x12("98"), *role),
            ))
            sequences.append(sequence)
        return team, sequences

    def encounter(self, patient: Reference) -> Reference | None:
        case = self.case
        kind = RequestKind(case.kind)
        if not kind.is_inpatient:
            return None
        if kind is RequestKind.EMERGENT_ADMISSION or case.admitted_via_er:
            admit = terms.ADMIT_EMERGENCY
        elif kind is RequestKind.NEWBORN and case.mother_member_id and case.mother_member_id != case.member_id:
            admit = terms.ADMIT_NEWBORN  # the member is the baby
        elif Urgency(case.urgency) is Urgency.EXPEDITED or kind is RequestKind.NEWBORN:
            admit = terms.ADMIT_URGENT
        else:
            admit = terms.ADMIT_ELECTIVE
        start = instant(case.admission_at) if case.admission_at else case.start_date
        facility = self._provider(case.facility_provider)
        encounter = Encounter(
            meta=Meta(profile=[terms.PROFILE_ENCOUNTER]),
            status="planned",
            class_fhir=coding(terms.ACT_CODE, "IMP", "inpatient encounter"),
            type=[concept(terms.NUBC_ADMIT_TYPE, *admit)],
            subject=patient,
            period=Period(start=start, end=case.end_date) if start else None,
            serviceProvider=self.facility(facility) if facility and facility.record.is_facility else None,
        )
        return self.add(encounter, "encounter")


def _supporting(sequence: int, code: str, **kw) -> ClaimSupportingInfo:
    return ClaimSupportingInfo(sequence=sequence, category=concept(terms.PAS_TEMP_CODES, code), **kw)


def _document_information(report: tuple[str, str], description: str) -> Extension:
    return Extension(url=terms.EXT_DOCUMENT_INFORMATION, extension=[
        Extension(url=terms.SUB_REPORT_TYPE, valueCodeableConcept=concept(terms.x12("755"), *report)),
        Extension(url=terms.SUB_TRANSMISSION_METHOD,
                  valueCodeableConcept=concept(terms.x12("756"), *terms.TRANSMISSION_ELECTRONIC)),
        Extension(url=terms.SUB_DESCRIPTION, valueString=description),
    ])


def document_reference(document: PasDocument, patient: Reference, author: Reference | None) -> DocumentReference:
    """A clinical attachment with its content inline (PASDocumentReference: data 1..1, no url)."""
    record, content = document.record, document.content
    return DocumentReference(
        meta=Meta(profile=[terms.PROFILE_DOCUMENT_REFERENCE]),
        identifier=[Identifier(system=terms.SHA256_SYSTEM, value=record.sha256)],
        status="current",
        type=concept(terms.LOINC, *terms.LOINC_NOTE),
        category=[concept(terms.DOCUMENT_CATEGORY, *terms.CATEGORY_CLINICAL_NOTE)],
        subject=patient,
        date=instant(record.added_at),
        author=[author] if author else None,
        description=record.filename,
        content=[DocumentReferenceContent(attachment=Attachment(
            contentType=record.media_type,
            data=base64.b64encode(content),
            size=len(content),
            # FHIR's Attachment.hash is the SHA-1 of the data (base64); the SHA-256 is the identifier.
            hash=base64.b64encode(hashlib.sha1(content, usedforsecurity=False).digest()),
            title=record.filename,
            creation=instant(record.added_at),
        ))],
    )


def build_request_bundle(pas: PasCase) -> dict:
    """The PAS request Bundle of ``pas`` as a JSON-ready dict (see the module docstring)."""
    b = _BundleBuilder(pas)
    case = b.case
    kind = RequestKind(case.kind)
    claim_url = claim_full_url(b.webcert)
    b.entries[claim_url] = None  # the Claim goes first; filled in at the end
    patient = b.patient()
    insurer = b.insurer()
    coverage = b.coverage(patient, insurer)
    requester = b._provider(case.requesting_provider or case.servicing_provider)
    if requester is None:
        from store.errors import ValidationError

        raise ValidationError("The request names no requesting provider; a PAS Claim needs one.", field="fhir")
    provider = b.provider_reference(requester, requestor=True)
    care_team, team_sequences = b.care_team()
    encounter = b.encounter(patient)

    supporting: list[ClaimSupportingInfo] = []

    def next_sequence() -> int:
        return len(supporting) + 1

    if kind.is_inpatient and case.start_date:
        supporting.append(_supporting(next_sequence(), terms.TEMP_ADMISSION_DATES, timingDate=case.start_date))
    if kind.is_inpatient and case.end_date:
        supporting.append(_supporting(next_sequence(), terms.TEMP_DISCHARGE_DATES, timingDate=case.end_date))
    if kind is RequestKind.NEWBORN and case.delivery_date:
        supporting.append(_supporting(next_sequence(), terms.TEMP_PATIENT_EVENT, timingDate=case.delivery_date))
    line_information: dict[int, int] = {}
    authored = instant(case.submitted_at or pas.exported_at)
    for line in case.lines:
        questionnaire = clinical_questionnaire(line.code)
        if questionnaire is None or not line.clinical_answers:
            continue
        b.add(questionnaire, questionnaire.id)
        response = clinical_response(questionnaire, line, patient, provider, authored)
        reference = b.add(response, f"clinical-line-{line.line_number}")
        line_information[line.line_number] = next_sequence()
        supporting.append(_supporting(
            next_sequence(), terms.TEMP_ADDITIONAL_INFORMATION,
            extension=[_document_information(terms.REPORT_SUPPORT_DATA,
                                             f"Clinical criteria answers for line {line.line_number} ({line.code})")],
            valueReference=reference,
        ))
    if kind is RequestKind.NEWBORN:
        questionnaire = newborn_questionnaire()
        b.add(questionnaire, questionnaire.id)
        reference = b.add(newborn_response(questionnaire, case, patient, provider, authored), "newborn-delivery")
        supporting.append(_supporting(
            next_sequence(), terms.TEMP_ADDITIONAL_INFORMATION,
            extension=[_document_information(terms.REPORT_SUPPORT_DATA, "Newborn delivery notification")],
            valueReference=reference,
        ))
    for document in pas.documents:
        reference = b.add(document_reference(document, patient, provider), f"attachment-{document.record.id}")
        supporting.append(_supporting(
            next_sequence(), terms.TEMP_ADDITIONAL_INFORMATION,
            extension=[_document_information(terms.REPORT_MEDICAL_RECORD, document.record.filename)],
            valueReference=reference,
        ))
    for message in _messages(case):
        supporting.append(_supporting(next_sequence(), terms.TEMP_FREE_FORM_MESSAGE, valueString=message))

    diagnoses = sorted(case.diagnoses, key=lambda d: not d.is_primary)[:MAX_DIAGNOSES]
    claim_diagnoses = [
        ClaimDiagnosis(
            sequence=index,
            diagnosisCodeableConcept=concept(terms.ICD10CM, dx.code, dx.description or None),
            type=[concept(terms.PAS_TEMP_CODES, terms.TEMP_PRINCIPAL, "Principal")] if dx.is_primary else None,
        )
        for index, dx in enumerate(diagnoses, start=1)
    ]
    category = concept(terms.x12("1365"), *terms.service_type(case.category, case.treatment_type, kind.is_inpatient))
    items = [
        _item(b, line, category, team_sequences, [d.sequence for d in claim_diagnoses],
              line_information.get(line.line_number))
        for line in case.lines
    ]
    extensions = [coded_extension(terms.EXT_LEVEL_OF_SERVICE, terms.x12("1338"), _level_of_service(case))]
    if encounter is not None:
        extensions.append(Extension(url=terms.EXT_CLAIM_ENCOUNTER, valueReference=encounter))
    if RequestStatus(case.status) is RequestStatus.ACCEPTED and case.auth_number:
        extensions.append(Extension(url=terms.EXT_AUTHORIZATION_NUMBER, valueString=case.auth_number))
    claim = Claim(
        id="claim",
        meta=Meta(profile=[terms.PROFILE_CLAIM]),
        extension=extensions,
        identifier=[Identifier(system=pas.settings.claim_identifier_system, value=b.webcert)],
        status="active",
        type=concept(terms.CLAIM_TYPE, "institutional" if kind.is_inpatient else "professional"),
        use="preauthorization",
        patient=patient,
        created=authored,
        insurer=insurer,
        provider=provider,
        priority=concept(terms.PROCESS_PRIORITY, "stat" if Urgency(case.urgency) is Urgency.EXPEDITED else "normal"),
        careTeam=care_team or None,
        supportingInfo=supporting or None,
        diagnosis=claim_diagnoses or None,
        insurance=[ClaimInsurance(sequence=1, focal=True, coverage=coverage)],
        item=items,
    )
    b.entries[claim_url] = claim
    bundle = Bundle(
        meta=Meta(profile=[terms.PROFILE_REQUEST_BUNDLE]),
        identifier=Identifier(system=terms.RFC3986, value=f"urn:uuid:{pas.bundle_id}"),
        type="collection",
        timestamp=instant(pas.exported_at),
        entry=[BundleEntry(fullUrl=url, resource=resource) for url, resource in b.entries.items()],
    )
    return bundle.model_dump(mode="json", exclude_none=True)


def _level_of_service(case: CaseDetail) -> tuple[str, str]:
    if RequestKind(case.kind) is RequestKind.EMERGENT_ADMISSION or case.admitted_via_er:
        return terms.LEVEL_EMERGENCY
    return terms.LEVEL_BY_URGENCY[Urgency(case.urgency)]


def _messages(case: CaseDetail) -> list[str]:
    """Free-form messages (X12 MSG): the benefits call reference and the expedited criteria ticked."""
    from store.enums import ExpeditedCriterion

    messages = []
    if case.benefits_reference:
        messages.append(f"Benefits and eligibility reference number: {case.benefits_reference}")
    if Urgency(case.urgency) is Urgency.EXPEDITED and case.expedited_reasons:
        labels = []
        for reason in case.expedited_reasons:
            try:
                labels.append(ExpeditedCriterion(reason).label)
            except ValueError:
                labels.append(reason)
        messages.append("Expedited review requested: " + "; ".join(labels))
    return messages


def _item(b: _BundleBuilder, line, category: CodeableConcept, team: list[int], diagnoses: list[int],
          information: int | None) -> ClaimItem:
    case = b.case
    kind = RequestKind(case.kind)
    start = line.from_date or case.start_date
    end = line.to_date or line.from_date or case.end_date
    return ClaimItem(
        extension=[
            Extension(url=terms.EXT_ITEM_TRACE_NUMBER,
                      valueIdentifier=Identifier(system=terms.ITEM_TRACE_SYSTEM, value=f"{b.webcert}-{line.line_number}")),
            coded_extension(terms.EXT_REQUEST_TYPE, terms.x12("1525"), terms.REQUEST_TYPES[kind]),
            coded_extension(terms.EXT_CERTIFICATION_TYPE, terms.x12("1322"), terms.CERTIFICATION_INITIAL),
        ],
        sequence=line.line_number,
        careTeamSequence=team or None,
        diagnosisSequence=diagnoses or None,
        informationSequence=[information] if information else None,
        category=category,
        productOrService=concept(terms.procedure_system(line.code_type), line.code, line.description or None),
        modifier=[concept(terms.modifier_system(m), m) for m in line.modifiers] or None,
        servicedPeriod=Period(start=start, end=end) if start else None,
        locationCodeableConcept=_location(case.place_of_service),
        quantity=Quantity(value=line.requested_units) if line.requested_units else None,
    )


def _location(place_of_service: str) -> CodeableConcept:
    from store.codes.pos import PLACES_OF_SERVICE

    code = place_of_service or "99"  # 99: Other Place of Service (the item's location is 1..1)
    return concept(terms.POS, code, PLACES_OF_SERVICE.get(code))


def clinical_documents(attachments: tuple[AttachmentRecord, ...]) -> list[AttachmentRecord]:
    """The attachments a request Bundle carries: clinical records, not the plan's letters."""
    return [a for a in attachments if AttachmentKind(a.kind) is AttachmentKind.CLINICAL]


__all__ = [
    "PasCase",
    "PasCoverage",
    "PasDocument",
    "PasMember",
    "PasProvider",
    "build_request_bundle",
    "claim_full_url",
    "clinical_documents",
    "full_url",
    "person_name",
]
