"""Da Vinci PAS 2.2.1 vocabulary: canonical URLs, code systems and AuthDesk's code tables.

Everything the PAS export and import say in codes lives here once: profile
and extension URLs (from the guide's FSH sources, ``shared/pas/``), the code
systems of the required bindings, and the tables that map AuthDesk's own
values (category, urgency, request kind, line outcome) to X12 codes.

X12 publishes its value sets only to licensees; the tables below hold the
codes AuthDesk needs, with their X12 names, and :mod:`store.fhir.rules`
checks the code *system* each required binding asks for.
"""

from __future__ import annotations

import re

from store.enums import LineStatus, RequestKind, Urgency

PAS = "http://hl7.org/fhir/us/davinci-pas"
PAS_SD = f"{PAS}/StructureDefinition"


def pas_extension(extension_id: str) -> str:
    """The canonical URL of a PAS extension from its id (``extension-certificationType``)."""
    return f"{PAS_SD}/{extension_id}"


# --- profiles -------------------------------------------------------------------

PROFILE_REQUEST_BUNDLE = f"{PAS_SD}/profile-pas-request-bundle"
PROFILE_RESPONSE_BUNDLE = f"{PAS_SD}/profile-pas-response-bundle"
PROFILE_CLAIM = f"{PAS_SD}/profile-claim"
PROFILE_CLAIM_RESPONSE = f"{PAS_SD}/profile-claimresponse"
PROFILE_BENEFICIARY = f"{PAS_SD}/profile-beneficiary"
PROFILE_SUBSCRIBER = f"{PAS_SD}/profile-subscriber"
PROFILE_COVERAGE = f"{PAS_SD}/profile-coverage"
PROFILE_INSURER = f"{PAS_SD}/profile-insurer"
PROFILE_REQUESTOR = f"{PAS_SD}/profile-requestor"
PROFILE_PRACTITIONER = f"{PAS_SD}/profile-practitioner"
PROFILE_PRACTITIONER_ROLE = f"{PAS_SD}/profile-practitionerrole"
PROFILE_ENCOUNTER = f"{PAS_SD}/profile-encounter"
PROFILE_DOCUMENT_REFERENCE = f"{PAS_SD}/profile-documentreference"
PROFILE_US_CORE_QR = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-questionnaireresponse"
PROFILE_US_CORE_ORGANIZATION = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-organization"

# --- extensions (url = the guide's canonical for the extension's Id) ----------------

EXT_LEVEL_OF_SERVICE = pas_extension("extension-levelOfServiceCode")
EXT_CERTIFICATION_TYPE = pas_extension("extension-certificationType")
EXT_REQUEST_TYPE = pas_extension("extension-serviceItemRequestType")
EXT_ITEM_TRACE_NUMBER = pas_extension("extension-itemTraceNumber")
EXT_AUTHORIZATION_NUMBER = pas_extension("extension-authorizationNumber")
EXT_ADMINISTRATION_REFERENCE = pas_extension("extension-administrationReferenceNumber")
EXT_CARE_TEAM_SCOPE = pas_extension("extension-careTeamClaimScope")
EXT_DOCUMENT_INFORMATION = pas_extension("extension-documentInformation")
EXT_CLAIM_ENCOUNTER = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Claim.encounter"
EXT_REVIEW_ACTION = pas_extension("extension-reviewAction")
EXT_REVIEW_ACTION_CODE = pas_extension("extension-reviewActionCode")
EXT_ITEM_PREAUTH_PERIOD = pas_extension("extension-itemPreAuthPeriod")
EXT_ITEM_PREAUTH_ISSUE_DATE = pas_extension("extension-itemPreAuthIssueDate")
EXT_ITEM_REQUESTED_SERVICE_DATE = pas_extension("extension-itemRequestedServiceDate")
EXT_ITEM_AUTHORIZED_DETAIL = pas_extension("extension-itemAuthorizedDetail")
EXT_ITEM_AUTHORIZED_PROVIDER = pas_extension("extension-itemAuthorizedProvider")
EXT_AUTHORIZED_PROVIDER_TYPE = pas_extension("extension-authorizedProviderType")
EXT_CLAIM_RESPONSE_REVIEWER = pas_extension("extension-claimResponseReviewer")

# Sub-extensions declared inline in the guide are named by their slice name.
SUB_REPORT_TYPE = "reportTypeCode"
SUB_TRANSMISSION_METHOD = "transmissionMethod"
SUB_DESCRIPTION = "description"
SUB_REVIEW_NUMBER = "number"
SUB_REASON_CODE = "reasonCode"
SUB_AUTHORIZED_CODE = "productOrServiceCode"
SUB_AUTHORIZED_QUANTITY = "quantity"
SUB_AUTHORIZED_PROVIDER = "provider"
SUB_HUMAN_REVIEWED = "wasHumanReviewedFlag"

# Every extension URL (top level or nested) AuthDesk writes or reads; the
# conformance check refuses any other, so a typo in a URL cannot ship.
KNOWN_EXTENSION_URLS = frozenset({
    EXT_LEVEL_OF_SERVICE, EXT_CERTIFICATION_TYPE, EXT_REQUEST_TYPE, EXT_ITEM_TRACE_NUMBER,
    EXT_AUTHORIZATION_NUMBER, EXT_ADMINISTRATION_REFERENCE, EXT_CARE_TEAM_SCOPE, EXT_DOCUMENT_INFORMATION,
    EXT_CLAIM_ENCOUNTER, EXT_REVIEW_ACTION, EXT_REVIEW_ACTION_CODE, EXT_ITEM_PREAUTH_PERIOD,
    EXT_ITEM_PREAUTH_ISSUE_DATE, EXT_ITEM_REQUESTED_SERVICE_DATE, EXT_ITEM_AUTHORIZED_DETAIL,
    EXT_ITEM_AUTHORIZED_PROVIDER, EXT_AUTHORIZED_PROVIDER_TYPE, EXT_CLAIM_RESPONSE_REVIEWER,
    SUB_REPORT_TYPE, SUB_TRANSMISSION_METHOD, SUB_DESCRIPTION, SUB_REVIEW_NUMBER, SUB_REASON_CODE,
    SUB_AUTHORIZED_CODE, SUB_AUTHORIZED_QUANTITY, SUB_AUTHORIZED_PROVIDER, SUB_HUMAN_REVIEWED,
})

# --- code systems -----------------------------------------------------------------


def x12(element: str) -> str:
    """The X12 code system for data element ``element`` (e.g. ``1365`` service type)."""
    return f"https://codesystem.x12.org/005010/{element}"


PAS_TEMP_CODES = f"{PAS}/CodeSystem/PASTempCodes"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
NUBC_TYPE_OF_BILL = "https://www.nubc.org/CodeSystem/TypeOfBill"
NUBC_ADMIT_TYPE = "https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit"
NPI = "http://hl7.org/fhir/sid/us-npi"
LOINC = "http://loinc.org"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PROCESS_PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
REMITTANCE_OUTCOME = "http://hl7.org/fhir/remittance-outcome"
V2_IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
C4BB_IDENTIFIER_TYPE = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType"
SUBSCRIBER_RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
PAYER_TYPE = "urn:oid:2.16.840.1.113883.3.221.5"  # Source of Payment Typology (US Core Coverage.type)
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
DOCUMENT_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
RFC3986 = "urn:ietf:rfc:3986"
X12_REVIEW_DECISION_REASON = "https://codesystem.x12.org/external/886"

# AuthDesk's own identifier namespaces (a plan's own systems can replace the
# member and payer ones in config.toml, see store.fhir.settings).
AUTHDESK = "urn:authdesk"
WEBCERT_SYSTEM = f"{AUTHDESK}:webcert"
MEMBER_SYSTEM = f"{AUTHDESK}:member-id"
MEDICAID_SYSTEM = f"{AUTHDESK}:medicaid-id"
PAYER_SYSTEM = f"{AUTHDESK}:payer-id"
PLAN_NAME_SYSTEM = f"{AUTHDESK}:plan-name"
PROVIDER_NUMBER_SYSTEM = f"{AUTHDESK}:provider-number"
ORGANIZATION_SYSTEM = f"{AUTHDESK}:organization"
ITEM_TRACE_SYSTEM = f"{AUTHDESK}:service-line"
SHA256_SYSTEM = f"{AUTHDESK}:sha256"
QUESTIONNAIRE_BASE = f"{AUTHDESK}:questionnaire"

# --- X12 tables -----------------------------------------------------------------------

# UM02 certification type (element 1322): AuthDesk sends initial requests.
CERTIFICATION_INITIAL = ("I", "Initial")

# UM01 request type (element 1525) by request kind.
REQUEST_TYPES: dict[RequestKind, tuple[str, str]] = {
    RequestKind.INPATIENT: ("AR", "Admission Review"),
    RequestKind.EMERGENT_ADMISSION: ("AR", "Admission Review"),
    RequestKind.NEWBORN: ("AR", "Admission Review"),
    RequestKind.SERVICE: ("HS", "Health Services Review"),
}

# UM06 level of service (element 1338).
LEVEL_EMERGENCY = ("03", "Emergency")
LEVEL_BY_URGENCY: dict[Urgency, tuple[str, str]] = {
    Urgency.EXPEDITED: ("U", "Urgent"),
    Urgency.STANDARD: ("E", "Elective"),
}

# NUBC priority (type) of admission, CL101 (the Encounter's type).
ADMIT_EMERGENCY = ("1", "Emergency")
ADMIT_URGENT = ("2", "Urgent")
ADMIT_ELECTIVE = ("3", "Elective")
ADMIT_NEWBORN = ("4", "Newborn")

# UM03 / item.category: X12 service type (element 1365) by AuthDesk category,
# with treatment types that are more specific than their category.
SERVICE_TYPES: dict[str, tuple[str, str]] = {
    "Advanced imaging": ("62", "MRI/CAT Scan"),
    "Cardiology": ("BL", "Cardiac"),
    "Dialysis": ("76", "Dialysis"),
    "Durable medical equipment": ("DM", "Durable Medical Equipment"),
    "Gastroenterology": ("2", "Surgical"),
    "Genetic and molecular testing": ("5", "Diagnostic Lab"),
    "Home care": ("42", "Home Health Care"),
    "Oncology": ("78", "Chemotherapy"),
    "Outpatient behavioral health": ("A8", "Psychiatric - Outpatient"),
    "Rehabilitation": ("AC", "Rehabilitation - Outpatient"),
    "Sleep medicine": ("73", "Diagnostic Medical"),
    "Specialty drugs": ("1", "Medical Care"),
    "Surgery": ("2", "Surgical"),
    "Transportation (non-emergency)": ("56", "Medically Related Transportation"),
    "Beyond benefit limits": ("1", "Medical Care"),
    "Behavioral health": ("A7", "Psychiatric - Inpatient"),
    "Long-term acute care": ("54", "Long Term Care"),
    "Maternity": ("69", "Maternity"),
    "Medical admission": ("48", "Hospital - Inpatient"),
    "Inpatient rehabilitation": ("AB", "Rehabilitation - Inpatient"),
    "Skilled nursing facility": ("AG", "Skilled Nursing Care"),
    "Surgical admission": ("2", "Surgical"),
    "Transplant": ("70", "Transplants"),
}
SERVICE_TYPES_BY_TREATMENT: dict[tuple[str, str], tuple[str, str]] = {
    ("Advanced imaging", "Nuclear medicine"): ("4", "Diagnostic X-Ray"),
    ("Cardiology", "Cardiac rehabilitation"): ("BG", "Cardiac Rehabilitation"),
    ("Durable medical equipment", "Rental"): ("18", "Durable Medical Equipment Rental"),
    ("Durable medical equipment", "Purchase"): ("12", "Durable Medical Equipment Purchase"),
    ("Home care", "Skilled nursing visits"): ("44", "Home Health Visits"),
    ("Oncology", "Radiation therapy"): ("6", "Radiation Therapy"),
    ("Outpatient behavioral health", "Partial hospitalization"): ("BB", "Partial Hospitalization (Psychiatric)"),
    ("Rehabilitation", "Physical therapy"): ("PT", "Physical Therapy"),
    ("Rehabilitation", "Occupational therapy"): ("AD", "Occupational Therapy"),
    ("Rehabilitation", "Speech therapy"): ("AF", "Speech Therapy"),
    ("Transportation (non-emergency)", "Ambulance"): ("59", "Licensed Ambulance"),
    ("Transportation (non-emergency)", "Air ambulance"): ("57", "Air Transportation"),
    ("Behavioral health", "Substance use detoxification"): ("AI", "Substance Abuse"),
    ("Behavioral health", "Substance use residential"): ("AI", "Substance Abuse"),
    ("Maternity", "Newborn NICU"): ("65", "Newborn Care"),
}
SERVICE_TYPE_FALLBACK: dict[bool, tuple[str, str]] = {
    True: ("48", "Hospital - Inpatient"),  # an inpatient kind without a category
    False: ("1", "Medical Care"),
}


def service_type(category: str, treatment_type: str, inpatient: bool) -> tuple[str, str]:
    """The X12 service type (code, name) for a request's category and treatment type."""
    return (
        SERVICE_TYPES_BY_TREATMENT.get((category, treatment_type))
        or SERVICE_TYPES.get(category)
        or SERVICE_TYPE_FALLBACK[inpatient]
    )


# Entity identifier codes (element 98).
ENTITY_PAYER = ("PR", "Payer")
ENTITY_PROVIDER = ("1P", "Provider")
ENTITY_FACILITY = ("FA", "Facility")
ENTITY_SERVICE_PROVIDER = ("SJ", "Service Provider")

# Coverage relationship "self": FHIR code and X12 individual relationship code (1069).
RELATIONSHIP_SELF = ("self", "Self")
X12_RELATIONSHIP_SELF = ("18", "Self")

# Source of payment typology for Coverage.type.
PAYER_TYPE_MEDICAID = ("2", "MEDICAID")
PAYER_TYPE_PRIVATE = ("5", "PRIVATE HEALTH INSURANCE")

# PWK01 attachment report type (element 755) and PWK02 transmission (756).
TRANSMISSION_ELECTRONIC = ("EL", "Electronically Only")
REPORT_MEDICAL_RECORD = ("M1", "Medical Record Attachment")
REPORT_SUPPORT_DATA = ("77", "Support Data for Verification")
# LOINC document types (US Core DocumentReference.type).
LOINC_NOTE = ("34109-9", "Note")
CATEGORY_CLINICAL_NOTE = ("clinical-note", "Clinical Note")

# PASTempCodes.
TEMP_PRINCIPAL = "principal"
TEMP_ADMISSION_DATES = "admissionDates"
TEMP_DISCHARGE_DATES = "dischargeDates"
TEMP_PATIENT_EVENT = "patientEvent"
TEMP_ADDITIONAL_INFORMATION = "additionalInformation"
TEMP_FREE_FORM_MESSAGE = "freeFormMessage"

# HCR01 review action (element 306) <-> AuthDesk line outcome.
REVIEW_ACTIONS: dict[str, tuple[LineStatus, str]] = {
    "A1": (LineStatus.APPROVED, "Certified in total"),
    "A2": (LineStatus.PARTIAL, "Certified - partial"),
    "A3": (LineStatus.DENIED, "Not Certified"),
    "A4": (LineStatus.PENDED, "Pended"),
    "A6": (LineStatus.MODIFIED, "Modified"),
    "C": (LineStatus.CANCELLED, "Cancelled"),
}
REVIEW_ACTION_OF: dict[LineStatus, str] = {status: code for code, (status, _) in REVIEW_ACTIONS.items()}

_CPT_MODIFIER = re.compile(r"^[0-9][0-9A-Z]$")


def modifier_system(modifier: str) -> str:
    """CPT for the numeric (and Category II ``1P``…) modifiers, HCPCS Level II for the others."""
    return CPT if _CPT_MODIFIER.match(modifier) else HCPCS


def procedure_system(code_type: str) -> str:
    """The code system of a service line's code (``CPT`` or ``HCPCS``)."""
    return HCPCS if code_type == "HCPCS" else CPT
