"""The PAS 2.2.1 profiles' rules as data: one row per rule, each naming the line of ``shared/pas/*.fsh``
(or the US Core 7.0.0 parent profile) it encodes, read by :func:`store.fhir.rules.check`.

``REQUEST_RULES`` + ``REQUEST_INVARIANTS`` cover PASRequestBundle, PASClaim and
the profiles it references (PASBeneficiary, PASCoverage, PASInsurer,
PASRequestor, PASPractitionerRole, PASPractitioner, PASEncounter,
PASDocumentReference, US Core QuestionnaireResponse); ``RESPONSE_RULES`` +
``RESPONSE_INVARIANTS`` cover PASResponseBundle and PASClaimResponse.
"""

from __future__ import annotations

from store.fhir import terms as t
from store.fhir.rules import (
    FULL_DATE,
    Invariant,
    Problem,
    R,
    Rule,
    check,
    claim_first,
    claim_response_first,
    extension_urls_known,
    full_urls_unique,
    immediate_level_of_care,
    item_pointers,
    references_resolve,
    references_resolve_but_request,
    self_beneficiary,
    us_core_name,
)

DIAGNOSIS_SYSTEMS = (t.ICD10CM, "http://terminology.hl7.org/CodeSystem/icd9cm",
                         "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/"
                         "MS-DRG-Classifications-and-Software",
                         "http://uri.hddaccess.com/cs/apdrg", "http://uri.hddaccess.com/cs/aprdrg")
REQUESTED_SERVICE = (t.x12("1365"), t.CPT, t.HCPCS, "http://terminology.hl7.org/CodeSystem/icd9cm",
                     "http://www.cms.gov/Medicare/Coding/ICD10", "http://hl7.org/fhir/sid/ndc",
                     "http://terminology.hl7.org/CodeSystem/data-absent-reason")
SI = "Claim.supportingInfo"
ADDITIONAL = f"{SI}({t.TEMP_ADDITIONAL_INFORMATION})"
DOC_INFO = f"extension({t.EXT_DOCUMENT_INFORMATION})"
ENCOUNTER = f"Claim.extension({t.EXT_CLAIM_ENCOUNTER}).valueReference.resolve()"
ROLES = "Claim.careTeam.provider.resolve().is(PractitionerRole)"
REQUESTING_ROLE = "Claim.provider.resolve().is(PractitionerRole)"

_BUNDLE_COMMON = (
    R("Bundle", "identifier", "1..1", source="Bundle.fsh: identifier 1..1 MS"),
    R("Bundle", "timestamp", "1..1", source="Bundle.fsh: timestamp 1..1 MS"),
    R("Bundle", "timestamp", pattern=r"^\d{4}-\d{2}-\d{2}T", source="FHIR instant"),
    R("Bundle", "type", "1..1", fixed="collection", source="Bundle.fsh: type = #collection"),
    R("Bundle", "entry", "1..*", source="Bundle.fsh: entry 1..* MS"),
    R("Bundle.entry", "fullUrl", "1..1", source="Bundle.fsh: entry.fullUrl 1..1 MS"),
    R("Bundle.entry", "resource", "1..1", source="Bundle.fsh: entry.resource 1..1 MS"),
    R("Bundle.entry", "search", "0..0", source="Bundle.fsh: entry.search 0..0"),
    R("Bundle.entry", "request", "0..0", source="Bundle.fsh: entry.request 0..0"),
    R("Bundle.entry", "response", "0..0", source="Bundle.fsh: entry.response 0..0"),
)

REQUEST_RULES: tuple[Rule, ...] = _BUNDLE_COMMON + (
    R("Bundle", "entry.resource.is(Claim)", "1..2", source="Bundle.fsh PASRequestBundle: entry contains Claim 1..2"),
    # PASClaim (Claim.fsh) and FHIR Claim's own minimums
    R("Claim", "identifier", "1..2", source="Claim.fsh CommonClaimElements: identifier 1..2 MS"),
    R("Claim.identifier", "system", "1..1", source="Identifier.fsh PASIdentifier: system 1..1 MS"),
    R("Claim.identifier", "value", "1..1", source="Identifier.fsh PASIdentifier: value 1..1 MS"),
    R("Claim", "status", "1..1", fixed="active", source="Claim.fsh PASClaimBase: status = #active"),
    R("Claim", "type", "1..1", systems=[t.CLAIM_TYPE], codes=["institutional", "professional", "oral"],
      source="Claim.fsh: type from ClaimTypes"),
    R("Claim", "use", "1..1", fixed="preauthorization", source="Claim.fsh PASClaimBase: use = #preauthorization"),
    R("Claim", "patient", "1..1", source="FHIR Claim.patient 1..1; Claim.fsh: patient only Reference(PASBeneficiary)"),
    R("Claim", "created", "1..1", source="FHIR Claim.created 1..1"),
    R("Claim", "insurer", "1..1", source="Claim.fsh PASClaimBase: insurer 1..1 MS"),
    R("Claim", "provider", "1..1", source="FHIR Claim.provider 1..1; Claim.fsh: only Reference(PASRequestor or "
      "PASPractitionerRole)"),
    R("Claim.provider.resolve()", "resourceType", "1..1", codes=["Organization", "PractitionerRole"],
      source="Claim.fsh PASClaimBase: provider only Reference(PASRequestor or PASPractitionerRole)"),
    R("Claim", "priority", "1..1", systems=[t.PROCESS_PRIORITY], source="FHIR Claim.priority 1..1"),
    R("Claim", "insurance", "1..*", source="FHIR Claim.insurance 1..*"),
    R("Claim", "item", "1..*", source="Claim.fsh CommonClaimElements: item 1..* MS"),
    R("Claim", "related", "0..0", source="Claim.fsh PASClaim: related 0..0"),
    R("Claim", f"extension({t.EXT_LEVEL_OF_SERVICE})", "0..1", source="Claim.fsh: levelOfServiceType 0..1 MS"),
    R("Claim", f"extension({t.EXT_LEVEL_OF_SERVICE}).valueCodeableConcept", "0..1", systems=[t.x12("1338")],
      source="Claim-update.fsh LevelOfServiceCode: from .../UM/1/06/00/1338 (required)"),
    R("Claim", f"extension({t.EXT_CLAIM_ENCOUNTER})", "0..1", source="Claim.fsh: extension[encounter] 0..1 MS"),
    R("Claim", f"extension({t.EXT_AUTHORIZATION_NUMBER})", "0..1", source="Claim.fsh: authorizationNumber 0..1"),
    R("Claim.insurance", "sequence", "1..1", source="FHIR Claim.insurance.sequence 1..1"),
    R("Claim.insurance", "focal", "1..1", fixed=True, source="Claim.fsh: insurance.focal = true"),
    R("Claim.insurance", "coverage", "1..1", source="FHIR Claim.insurance.coverage 1..1; only Reference(PASCoverage)"),
    R("Claim.insurance.coverage.resolve()", "resourceType", "1..1", fixed="Coverage",
      source="Claim.fsh: insurance.coverage only Reference(PASCoverage)"),
    R("Claim.careTeam", "sequence", "1..1", source="FHIR Claim.careTeam.sequence 1..1"),
    R("Claim.careTeam", "provider", "1..1", source="FHIR Claim.careTeam.provider 1..1"),
    R("Claim.careTeam", f"extension({t.EXT_CARE_TEAM_SCOPE})", "1..1",
      source="Claim.fsh: careTeam.extension contains CareTeamClaimScope 1..1 MS"),
    R("Claim.careTeam", f"extension({t.EXT_CARE_TEAM_SCOPE}).valueBoolean", "1..1",
      source="Claim-update.fsh CareTeamClaimScope: value[x] only boolean"),
    R("Claim.careTeam", "role", "0..1", systems=[t.x12("98")],
      source="Claim.fsh: careTeam[OverallClaimMember].role from .../2010EA/NM1/1/01/00/98 (required)"),
    R("Claim.careTeam.provider.resolve()", "resourceType", "1..1", codes=["Organization", "PractitionerRole"],
      source="Claim.fsh: careTeam.provider only Reference(PASOrganization or PASPractitionerRole)"),
    R("Claim.diagnosis", "sequence", "1..1", source="FHIR Claim.diagnosis.sequence 1..1"),
    R("Claim.diagnosis", "diagnosis[x]", "1..1", source="FHIR Claim.diagnosis.diagnosis[x] 1..1"),
    R("Claim.diagnosis", "diagnosisReference", "0..0", source="Claim.fsh: diagnosis[x] only CodeableConcept"),
    R("Claim.diagnosis", "diagnosisCodeableConcept", "1..1", systems=DIAGNOSIS_SYSTEMS,
      source="Claim.fsh: diagnosisCodeableConcept from X12278DiagnosisCodes (required)"),
    R("Claim.diagnosis", "type", "0..1", systems=[t.PAS_TEMP_CODES],
      codes=["admitting", "principal", "patientreasonforvisit"],
      source="Claim.fsh: diagnosis.type 0..1 from X12278DiagnosisType (required)"),
    R("Claim", "diagnosis", "0..12", source="Claim.fsh: only the first 12 diagnoses reach the X12 request"),
    R("Claim.supportingInfo", "sequence", "1..1", source="FHIR Claim.supportingInfo.sequence 1..1"),
    R("Claim.supportingInfo", "category", "1..1", systems=[t.PAS_TEMP_CODES],
      source="Claim.fsh: category from PASSupportingInfoType (extensible; AuthDesk sends only its codes)"),
    # Slices of supportingInfo the export fills, and their fixed parts.
    R("Claim", f"supportingInfo({t.TEMP_ADMISSION_DATES})", "0..1", source="Claim.fsh: AdmissionDates 0..1 MS"),
    R(f"{SI}({t.TEMP_ADMISSION_DATES})", "timing[x]", "1..1", source="Claim.fsh: AdmissionDates.timing[x] 1..1"),
    R(f"{SI}({t.TEMP_ADMISSION_DATES})", "value[x]", "0..0", source="Claim.fsh: AdmissionDates.value[x] 0..0"),
    R(f"{SI}({t.TEMP_ADMISSION_DATES})", "timingDate", pattern=FULL_DATE, source="Claim.fsh: FullDateRule"),
    R(f"{SI}({t.TEMP_ADMISSION_DATES})", "timingPeriod.start", pattern=FULL_DATE, source="Claim.fsh: FullDateRule"),
    R(f"{SI}({t.TEMP_ADMISSION_DATES})", "timingPeriod.end", pattern=FULL_DATE, source="Claim.fsh: FullDateRule"),
    R("Claim", f"supportingInfo({t.TEMP_DISCHARGE_DATES})", "0..1", source="Claim.fsh: DischargeDates 0..1 MS"),
    R(f"{SI}({t.TEMP_DISCHARGE_DATES})", "timing[x]", "1..1", source="Claim.fsh: DischargeDates.timing[x] 1..1"),
    R(f"{SI}({t.TEMP_DISCHARGE_DATES})", "timingDate", "1..1", pattern=FULL_DATE,
      source="Claim.fsh: DischargeDates.timing[x] only date; FullDateRule"),
    R(f"{SI}({t.TEMP_DISCHARGE_DATES})", "value[x]", "0..0", source="Claim.fsh: DischargeDates.value[x] 0..0"),
    R("Claim", f"supportingInfo({t.TEMP_PATIENT_EVENT})", "0..1", source="Claim.fsh: PatientEvent 0..1 MS"),
    R(f"{SI}({t.TEMP_PATIENT_EVENT})", "timing[x]", "1..1", source="Claim.fsh: PatientEvent.timing[x] 1..1"),
    R(f"{SI}({t.TEMP_PATIENT_EVENT})", "value[x]", "0..0", source="Claim.fsh: PatientEvent.value[x] 0..0"),
    R(f"{SI}({t.TEMP_PATIENT_EVENT})", "timingDate", pattern=FULL_DATE, source="Claim.fsh: FullDateRule"),
    R(ADDITIONAL, DOC_INFO, "1..1", source="Claim.fsh: AdditionalInformation.extension[documentInformation] 1..1 MS"),
    R(ADDITIONAL, "timing[x]", "0..0", source="Claim.fsh: AdditionalInformation.timing[x] 0..0"),
    R(ADDITIONAL, "value[x]", "1..1", source="Claim.fsh: AdditionalInformation.value[x] 1..1 MS"),
    R(ADDITIONAL, "valueReference.resolve().resourceType", "1..1",
      codes=["DocumentReference", "QuestionnaireResponse", "Observation", "Condition", "Procedure", "Bundle",
             "ServiceRequest", "DeviceRequest", "MedicationRequest", "NutritionOrder", "Immunization",
             "AllergyIntolerance", "DiagnosticReport"],
      source="Claim.fsh: AdditionalInformation.value[x] only Reference(PASDocumentReference or …)"),
    R(f"{ADDITIONAL}.{DOC_INFO}", "extension(reportTypeCode)", "1..1",
      source="Claim.fsh DocumentInformation: reportTypeCode 1..1"),
    R(f"{ADDITIONAL}.{DOC_INFO}", "extension(reportTypeCode).valueCodeableConcept", "1..1", systems=[t.x12("755")],
      source="Claim.fsh DocumentInformation: from pas-pwk01-attachment-report-type-code (required)"),
    R(f"{ADDITIONAL}.{DOC_INFO}", "extension(transmissionMethod).valueCodeableConcept", "0..1",
      systems=[t.x12("756")], source="Claim.fsh DocumentInformation: transmissionMethod from .../PWK/1/02/00/756"),
    R(f"{ADDITIONAL}.{DOC_INFO}", "extension(description).valueString", "0..1",
      source="Claim.fsh DocumentInformation: description only string"),
    R(f"{SI}({t.TEMP_FREE_FORM_MESSAGE})", "timing[x]", "0..0", source="Claim.fsh: MessageText.timing[x] 0..0"),
    R(f"{SI}({t.TEMP_FREE_FORM_MESSAGE})", "valueString", "1..1",
      source="Claim.fsh: MessageText.value[x] 1..1 only string"),
    # Claim.item
    R("Claim.item", "sequence", "1..1", source="FHIR Claim.item.sequence 1..1"),
    R("Claim.item", "category", "1..1", systems=[t.x12("1365")],
      source="Claim.fsh: item.category 1..1 MS from .../2000F/UM/1/03/00/1365 (required)"),
    R("Claim.item", "productOrService", "1..1", systems=REQUESTED_SERVICE,
      source="Claim.fsh: item.productOrService from X12278RequestedServiceType (required)"),
    R("Claim.item", "modifier", systems=[t.CPT, t.HCPCS],
      source="Claim.fsh: item.modifier from X12278RequestedServiceModifierType (required)"),
    R("Claim.item", "location[x]", "1..1", source="Claim.fsh CommonClaimElements: item.location[x] 1..1"),
    R("Claim.item", "locationCodeableConcept", "1..1", systems=[t.POS, t.NUBC_TYPE_OF_BILL],
      source="Claim.fsh: item.locationCodeableConcept from X12278LocationType (required)"),
    R("Claim.item", f"extension({t.EXT_REQUEST_TYPE})", "1..1",
      source="Claim.fsh CommonClaimElements: item.extension[requestType] 1..1"),
    R("Claim.item", f"extension({t.EXT_REQUEST_TYPE}).valueCodeableConcept", "1..1", systems=[t.x12("1525")],
      source="Claim-update.fsh ServiceItemRequestType: from .../UM/1/01/00/1525 (required)"),
    R("Claim.item", f"extension({t.EXT_CERTIFICATION_TYPE})", "1..1",
      source="Claim.fsh CommonClaimElements: item.extension[certificationType] 1..1"),
    R("Claim.item", f"extension({t.EXT_CERTIFICATION_TYPE}).valueCodeableConcept", "1..1", systems=[t.x12("1322")],
      source="Claim-update.fsh CertificationType: from .../UM/1/02/00/1322 (required)"),
    R("Claim.item", f"extension({t.EXT_ITEM_TRACE_NUMBER}).valueIdentifier.system", "0..1",
      source="Claim-update.fsh ItemTraceNumber: value only PASIdentifier (system 1..1)"),
    R("Claim.item.quantity", "value", "1..1", source="Quantity.fsh PASQuantity: value 1..1 MS"),
    R("Claim.item", "servicedDate", pattern=FULL_DATE, source="Claim.fsh: item.servicedDate obeys FullDateRule"),
    R("Claim.item", "servicedPeriod.start", pattern=FULL_DATE, source="Claim.fsh: servicedPeriod.start FullDateRule"),
    R("Claim.item", "servicedPeriod.end", pattern=FULL_DATE, source="Claim.fsh: servicedPeriod.end FullDateRule"),
    # PASBeneficiary / PASSubscriber (US Core Patient 7.0.0)
    R("Claim.patient.resolve()", "resourceType", "1..1", fixed="Patient",
      source="Claim.fsh: patient only Reference(PASBeneficiary)"),
    R("Patient", "identifier", "1..*", source="US Core Patient 7.0.0 (parent of PASBeneficiary): identifier 1..*"),
    R("Patient.identifier", "system", "1..1", source="US Core Patient 7.0.0: identifier.system 1..1"),
    R("Patient.identifier", "value", "1..1", source="US Core Patient 7.0.0: identifier.value 1..1"),
    R("Patient", "name", "1..*", source="US Core Patient 7.0.0: name 1..*"),
    R("Patient", "gender", "1..1", codes=["male", "female", "other", "unknown"],
      source="US Core Patient 7.0.0: gender 1..1 (required AdministrativeGender)"),
    R("Patient", "birthDate", "0..1", pattern=FULL_DATE, source="Patient.fsh: birthDate obeys FullDateRule"),
    # PASCoverage (US Core Coverage 7.0.0)
    R("Coverage", "identifier(MB)", "1..1", source="Coverage.fsh: identifier[memberid] 1..1"),
    R("Coverage.identifier", "system", "1..1", source="US Core Coverage 7.0.0: identifier.system"),
    R("Coverage", "status", "1..1", fixed="active", source="Coverage.fsh: status = #active"),
    R("Coverage", "type", "1..1", source="US Core Coverage 7.0.0: type 1..1"),
    R("Coverage", "beneficiary", "1..1", source="FHIR Coverage.beneficiary 1..1; only Reference(PASBeneficiary)"),
    R("Coverage", "relationship", "1..1", source="US Core Coverage 7.0.0: relationship 1..1"),
    R("Coverage.relationship.coding", "", systems=["http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                                                   t.x12("1069")],
      source="Coverage.fsh: relationship.coding[X12Code] from .../2000D/INS/1/02/00/1069 (required)"),
    R("Coverage", "payor", "1..1", source="US Core Coverage 7.0.0: payor 1..1; only Reference(PASInsurer)"),
    R("Coverage.payor.resolve()", "resourceType", "1..1", fixed="Organization",
      source="Coverage.fsh: payor only Reference(PASInsurer)"),
    # PASInsurer / PASRequestor (US Core Organization 7.0.0)
    R("Claim.insurer.resolve()", "resourceType", "1..1", fixed="Organization",
      source="Claim.fsh: insurer only Reference(PASInsurer)"),
    R("Claim.insurer.resolve()", "active", "1..1", fixed=True, source="Organization.fsh PASInsurer: active = true"),
    R("Claim.insurer.resolve()", "name", "1..1", source="US Core Organization 7.0.0: name 1..1"),
    R("Claim.insurer.resolve()", "type", "1..*", systems=[t.x12("98")],
      source="Organization.fsh PASInsurer: type from .../2010A/NM1/1/01/00/98 (required)"),
    R("Claim.insurer.resolve()", "identifier", "1..*", source="AuthDesk: the payer is identified (issue 11 point 10)"),
    R("Organization.identifier", "system", "1..1", source="Organization.fsh: identifier only PASIdentifier"),
    R("Organization.identifier", "value", "1..1", source="Organization.fsh: identifier only PASIdentifier"),
    R("Organization", "active", "1..1", source="US Core Organization 7.0.0: active 1..1"),
    R("Organization", "name", "1..1", source="US Core Organization 7.0.0: name 1..1"),
    R("Claim.provider.resolve().is(Organization)", "active", "1..1", fixed=True,
      source="Organization.fsh PASRequestor: active = true"),
    R("Claim.provider.resolve().is(Organization)", "type", "1..*", systems=[t.x12("98")],
      source="Organization.fsh PASRequestor: type from .../2010B/NM1/1/01/00/98 (required)"),
    R(f"{REQUESTING_ROLE}.organization.resolve()", "active", "1..1", fixed=True,
      source="Organization.fsh PASRequestor: active = true"),
    R(f"{REQUESTING_ROLE}.organization.resolve()", "type", "1..*", systems=[t.x12("98")],
      source="Organization.fsh PASRequestor: type (required X12 98)"),
    # PASPractitionerRole / PASPractitioner (US Core 7.0.0)
    R("PractitionerRole", "practitioner", "1..1", source="Practitioner.fsh PASPractitionerRole: practitioner 1..1"),
    R("PractitionerRole.practitioner.resolve()", "resourceType", "1..1", fixed="Practitioner",
      source="Practitioner.fsh: practitioner only Reference(PASPractitioner)"),
    R("Practitioner", "identifier", "1..*", source="US Core Practitioner 7.0.0: identifier 1..*"),
    R("Practitioner.identifier", "system", "1..1", source="Practitioner.fsh: identifier only PASIdentifier"),
    R("Practitioner.identifier", "value", "1..1", source="Practitioner.fsh: identifier only PASIdentifier"),
    R("Practitioner", "name", "1..*", source="US Core Practitioner 7.0.0: name 1..*"),
    R("Practitioner.name", "family", "1..1", source="US Core Practitioner 7.0.0: name.family 1..1"),
    # PASEncounter (US Core Encounter 7.0.0)
    R(ENCOUNTER, "resourceType", "1..1", fixed="Encounter", source="Claim.fsh: encounter only Reference(PASEncounter)"),
    R("Encounter", "status", "1..1", fixed="planned", source="Encounter.fsh: status = #planned (exactly)"),
    R("Encounter", "class", "1..1", source="FHIR Encounter.class 1..1"),
    R("Encounter", "type", "1..*", systems=[t.NUBC_ADMIT_TYPE],
      source="US Core Encounter 7.0.0: type 1..*; Encounter.fsh: from .../CL1/1/01/00/1315 (required)"),
    R("Encounter", "subject", "1..1", source="US Core Encounter 7.0.0: subject 1..1; only Reference(PASBeneficiary)"),
    # PASDocumentReference (US Core DocumentReference 7.0.0)
    R("DocumentReference", "status", "1..1", source="FHIR DocumentReference.status 1..1"),
    R("DocumentReference", "type", "1..1", systems=[t.LOINC],
      source="US Core DocumentReference 7.0.0: type 1..1 (required LOINC document types)"),
    R("DocumentReference", "category", "1..*", source="US Core DocumentReference 7.0.0: category 1..*"),
    R("DocumentReference", "subject", "1..1", source="US Core DocumentReference 7.0.0: subject 1..1"),
    R("DocumentReference", "content", "1..*", source="FHIR DocumentReference.content 1..*"),
    R("DocumentReference.content", "attachment", "1..1", source="FHIR DocumentReference.content.attachment 1..1"),
    R("DocumentReference.content.attachment", "data", "1..1", source="Claim.fsh PASDocumentReference: data 1..1"),
    R("DocumentReference.content.attachment", "url", "0..0", source="Claim.fsh PASDocumentReference: url 0..0"),
    R("DocumentReference.content.attachment", "contentType", "1..1",
      source="US Core DocumentReference 7.0.0: contentType MS (AuthDesk always knows it)"),
    # US Core QuestionnaireResponse 7.0.0
    R("QuestionnaireResponse", "questionnaire", "1..1", source="US Core QuestionnaireResponse 7.0.0: questionnaire 1..1"),
    R("QuestionnaireResponse", "status", "1..1", source="FHIR QuestionnaireResponse.status 1..1"),
    R("QuestionnaireResponse", "subject", "1..1", source="US Core QuestionnaireResponse 7.0.0: subject 1..1"),
    R("QuestionnaireResponse", "authored", "1..1", source="US Core QuestionnaireResponse 7.0.0: authored 1..1"),
    R("QuestionnaireResponse.item", "linkId", "1..1", source="FHIR QuestionnaireResponse.item.linkId 1..1"),
    R("Questionnaire", "status", "1..1", source="FHIR Questionnaire.status 1..1"),
    R("Questionnaire.item", "linkId", "1..1", source="FHIR Questionnaire.item.linkId 1..1"),
    R("Questionnaire.item", "type", "1..1", source="FHIR Questionnaire.item.type 1..1"),
)

REQUEST_INVARIANTS: tuple[Invariant, ...] = (
    claim_first, self_beneficiary, immediate_level_of_care, item_pointers, us_core_name,
    references_resolve, extension_urls_known, full_urls_unique,
)

REVIEW_ACTION = f"extension({t.EXT_REVIEW_ACTION})"
RESPONSE_RULES: tuple[Rule, ...] = _BUNDLE_COMMON + (
    R("Bundle", "entry.resource.is(ClaimResponse)", "1..1",
      source="Bundle.fsh PASResponseBundle: entry contains ClaimResponse 1..1"),
    R("ClaimResponse.identifier", "system", "1..1", source="Identifier.fsh PASIdentifier: system 1..1"),
    R("ClaimResponse.identifier", "value", "1..1", source="Identifier.fsh PASIdentifier: value 1..1"),
    R("ClaimResponse", "status", "1..1", fixed="active", source="ClaimResponse.fsh: status = #active"),
    R("ClaimResponse", "type", "1..1", source="FHIR ClaimResponse.type 1..1"),
    R("ClaimResponse", "use", "1..1", fixed="preauthorization", source="ClaimResponse.fsh: use = #preauthorization"),
    R("ClaimResponse", "patient", "1..1", source="FHIR ClaimResponse.patient 1..1"),
    R("ClaimResponse", "created", "1..1", source="FHIR ClaimResponse.created 1..1"),
    R("ClaimResponse", "insurer", "1..1", source="FHIR ClaimResponse.insurer 1..1"),
    R("ClaimResponse", "request", "1..1", source="ClaimResponse.fsh: request 1..1 MS"),
    R("ClaimResponse", "outcome", "1..1", codes=["complete", "error", "partial"],
      source="ClaimResponse.fsh: outcome from ClaimResponseOutcome (required)"),
    R("ClaimResponse.item", "itemSequence", "1..1", source="FHIR ClaimResponse.item.itemSequence 1..1"),
    R("ClaimResponse.item", "adjudication", "1..*", source="FHIR ClaimResponse.item.adjudication 1..*"),
    R("ClaimResponse.item", f"extension({t.EXT_ITEM_AUTHORIZED_PROVIDER})", "1..*",
      source="ClaimResponse.fsh: item.extension[authorizedProvider] 1..* MS"),
    R(f"ClaimResponse.item.extension({t.EXT_ITEM_AUTHORIZED_PROVIDER})", f"extension({t.EXT_AUTHORIZED_PROVIDER_TYPE})",
      "1..1", source="ClaimResponse.fsh ItemAuthorizedProvider: providerType 1..1"),
    R("ClaimResponse.item.adjudication", "category", "1..1",
      fixed={"coding": [{"system": t.ADJUDICATION, "code": "submitted"}]},
      source="ClaimResponse.fsh: item.adjudication.category = adjudication#submitted"),
    R("ClaimResponse.item.adjudication", REVIEW_ACTION, "0..1",
      source="ClaimResponse.fsh: item.adjudication.extension[reviewAction] 0..1 MS"),
    R(f"ClaimResponse.item.adjudication.{REVIEW_ACTION}", f"extension({t.EXT_REVIEW_ACTION_CODE}).valueCodeableConcept",
      "0..1", systems=[t.x12("306")], source="ClaimResponse.fsh ReviewActionCode: from .../HCR/1/01/00/306 (required)"),
    R(f"ClaimResponse.item.adjudication.{REVIEW_ACTION}", "extension(reasonCode).valueCodeableConcept",
      systems=[t.X12_REVIEW_DECISION_REASON],
      source="ClaimResponse.fsh ReviewAction: reasonCode from X12278ReviewDecisionReasonCode (required)"),
    R("ClaimResponse.processNote", "number", "1..1", source="ClaimResponse.fsh: processNote.number 1..1 MS"),
    R("ClaimResponse.error", "code", "1..1", systems=[t.x12("901")],
      source="ClaimResponse.fsh: error.code from X12278RejectReasonCodes (required)"),
    R("ClaimResponse.addItem", "itemSequence", "1..1", source="ClaimResponse.fsh: addItem.itemSequence 1..1 MS"),
)

RESPONSE_INVARIANTS: tuple[Invariant, ...] = (
    claim_response_first, references_resolve_but_request, extension_urls_known, full_urls_unique,
)


def check_request_bundle(bundle: dict) -> list[Problem]:
    """Problems of a PAS request Bundle (PASRequestBundle, PASClaim and the profiles it references)."""
    return check(bundle, REQUEST_RULES, REQUEST_INVARIANTS)


def check_response_bundle(bundle: dict) -> list[Problem]:
    """Problems of a PAS response Bundle (PASResponseBundle, PASClaimResponse)."""
    return check(bundle, RESPONSE_RULES, RESPONSE_INVARIANTS)


__all__ = [
    "REQUEST_INVARIANTS",
    "REQUEST_RULES",
    "RESPONSE_INVARIANTS",
    "RESPONSE_RULES",
    "check_request_bundle",
    "check_response_bundle",
]
