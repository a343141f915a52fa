"""Exported PAS request Bundles against the rules of the PAS 2.2.1 profiles (store.fhir.rules).

Every kind of request, in every status and with every line outcome, is
exported through the store and checked by the one rules table; the checker
itself is shown to catch each kind of break.
"""

from __future__ import annotations

import base64
import copy

import pytest

from store.enums import RequestKind, Urgency
from store.errors import InvalidTransitionError, NotFoundError, PermissionDeniedError, ValidationError
from store.fhir import terms
from store.fhir.datatypes import person_name
from store.fhir.pas_rules import REQUEST_RULES, RESPONSE_RULES, check_request_bundle
from store.fhir.request import claim_full_url
from store.fhir.rules import BundleIndex, evaluate
from store.services import clinical, review
from store.services.fhir_export import export_pas_bundle
from store.services.reference import categories
from tests.store.pas_cases import ALL_KINDS, make_office, submit_case

# (line 1, line 2, line 3) outcomes: every HCR01 code appears in one scenario.
SCENARIOS = {
    "pending": None,
    "rejected": "reject",
    "decided-1": ("A1", "A2", "A3"),
    "decided-2": ("A4", "A6", "C"),
}


@pytest.fixture
def office(store, frozen_now, tmp_path):
    return make_office(store, tmp_path)


def _decide_lines(store, reviewer, case_id, outcomes):
    with store.session() as s:
        review.accept_request(s, reviewer, case_id, attachments_dir=store.attachments_dir)
    with store.session() as s:
        from store.services.cases import get_case

        lines = get_case(s, reviewer, case_id).lines
    for line, outcome in zip(lines, outcomes, strict=True):
        kw = {}
        if outcome in ("A1", "A2"):
            kw = dict(units=line.requested_units if outcome == "A1" else line.requested_units - 1,
                      from_date=line.from_date, to_date=line.to_date)
        elif outcome == "A6":
            kw = dict(units=1, from_date=line.from_date, to_date=line.to_date, code="99499")
        elif outcome in ("A3", "A4"):
            kw = dict(reason="Criteria not met" if outcome == "A3" else "Send the operative note")
        with store.session() as s:
            review.decide_line(s, reviewer, case_id, line.id, outcome, attachments_dir=store.attachments_dir, **kw)


def _resources(bundle, resource_type):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type]


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("kind", ALL_KINDS, ids=[k.value for k in ALL_KINDS])
def test_every_kind_and_line_status_conforms(office, kind, scenario):
    store = office.store
    case_id = submit_case(office, kind, Urgency.EXPEDITED if kind is RequestKind.INPATIENT else Urgency.STANDARD)
    plan = SCENARIOS[scenario]
    if plan == "reject":
        with store.session() as s:
            review.reject_request(s, office.reviewer, case_id, "Wrong plan", attachments_dir=store.attachments_dir)
    elif plan:
        _decide_lines(store, office.reviewer, case_id, plan)
    with store.session() as s:
        bundle = export_pas_bundle(s, office.clerk, case_id)
    assert check_request_bundle(bundle) == []
    claim = bundle["entry"][0]["resource"]
    number = claim["identifier"][0]["value"]
    assert bundle["entry"][0]["fullUrl"] == claim_full_url(number)
    # the 13 points of the issue, as the Bundle shows them
    items = claim["item"]
    assert [i["sequence"] for i in items] == [1, 2, 3]
    for item in items:
        assert item["category"]["coding"][0]["system"] == terms.x12("1365")
        urls = [e["url"] for e in item["extension"]]
        assert terms.EXT_CERTIFICATION_TYPE in urls and terms.EXT_REQUEST_TYPE in urls
        assert item["careTeamSequence"] == [c["sequence"] for c in claim["careTeam"]]
        assert item["diagnosisSequence"][0] == next(
            d["sequence"] for d in claim["diagnosis"] if d.get("type"))  # the principal first
    level = [e for e in claim["extension"] if e["url"] == terms.EXT_LEVEL_OF_SERVICE][0]
    expected_level = {RequestKind.EMERGENT_ADMISSION: "03", RequestKind.INPATIENT: "U"}.get(kind, "E")
    assert level["valueCodeableConcept"]["coding"][0]["code"] == expected_level
    assert all("diagnosisCodeableConcept" in d and "diagnosisReference" not in d for d in claim["diagnosis"])
    principal = [d for d in claim["diagnosis"] if d.get("type")]
    assert len(principal) == 1 and principal[0]["type"][0]["coding"][0] == {
        "system": terms.PAS_TEMP_CODES, "code": "principal", "display": "Principal"}
    provider = next(e["resource"] for e in bundle["entry"] if e["fullUrl"] == claim["provider"]["reference"])
    assert provider["resourceType"] == "PractitionerRole"
    requestor = next(e["resource"] for e in bundle["entry"]
                     if e["fullUrl"] == provider["organization"]["reference"])
    assert requestor["name"] == "NORTH" and requestor["contact"][0]["telecom"][0]["value"].startswith("(414)")
    payer = next(e["resource"] for e in bundle["entry"] if e["fullUrl"] == claim["insurer"]["reference"])
    assert payer["active"] is True and payer["identifier"] and payer["type"][0]["coding"][0]["code"] == "PR"
    coverage = _resources(bundle, "Coverage")[0]
    assert coverage["relationship"]["coding"][1]["code"] == "18" and coverage["subscriber"] == coverage["beneficiary"]
    assert all(p["name"][0]["family"] for p in _resources(bundle, "Practitioner"))
    documents = _resources(bundle, "DocumentReference")
    assert len(documents) == 1 and documents[0]["type"]["coding"][0]["system"] == terms.LOINC
    assert base64.b64decode(documents[0]["content"][0]["attachment"]["data"]).startswith(b"%PDF-1.4")
    infos = [s for s in claim["supportingInfo"] if s["category"]["coding"][0]["code"] == "additionalInformation"]
    assert all(s["extension"][0]["url"] == terms.EXT_DOCUMENT_INFORMATION for s in infos)
    codes = {s["category"]["coding"][0]["code"] for s in claim["supportingInfo"]}
    responses = _resources(bundle, "QuestionnaireResponse")
    if kind.is_inpatient:
        assert {"admissionDates", "dischargeDates"} <= codes
        encounter = _resources(bundle, "Encounter")[0]
        assert claim["extension"][1]["valueReference"]["reference"].startswith("urn:uuid:")
        assert claim["type"]["coding"][0]["code"] == "institutional"
    else:
        assert not _resources(bundle, "Encounter") and "freeFormMessage" in codes
    if kind is RequestKind.EMERGENT_ADMISSION:
        assert encounter["period"]["start"] == "2026-03-09T03:40:00Z"
        assert encounter["type"][0]["coding"][0]["code"] == "1"
    if kind is RequestKind.NEWBORN:
        assert "patientEvent" in codes
        newborn = [r for r in responses if r["id"] == "newborn-delivery"][0]
        answers = {i["linkId"]: i["answer"][0] for i in newborn["item"]}
        assert answers["birth-weight"]["valueQuantity"]["value"] == 3450 and answers["nicu"]["valueBoolean"] is True
    with_rules = [i["sequence"] for i in items if clinical.rule_for(i["productOrService"]["coding"][0]["code"])]
    assert sorted(int(r["id"].rsplit("-", 1)[1]) for r in responses if r["id"].startswith("clinical-line-")) == with_rules
    assert all(len(i.get("informationSequence", [])) == (i["sequence"] in with_rules) for i in items)
    authorization = [e for e in claim["extension"] if e["url"] == terms.EXT_AUTHORIZATION_NUMBER]
    assert bool(authorization) == (scenario.startswith("decided"))


def test_service_lines_carry_four_modifiers_and_the_code_systems(office):
    store = office.store
    case_id = submit_case(office, RequestKind.SERVICE, Urgency.EXPEDITED)
    with store.session() as s:
        claim = export_pas_bundle(s, office.clerk, case_id)["entry"][0]["resource"]
    third = claim["item"][2]
    assert third["productOrService"]["coding"][0]["system"] == "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
    assert [(m["coding"][0]["code"], m["coding"][0]["system"]) for m in third["modifier"]] == [
        ("RR", terms.HCPCS), ("KX", terms.HCPCS), ("59", terms.CPT), ("NU", terms.HCPCS)]
    assert claim["item"][0]["productOrService"]["coding"][0]["system"] == terms.CPT
    assert claim["priority"]["coding"][0]["code"] == "stat"
    messages = [s["valueString"] for s in claim["supportingInfo"] if "valueString" in s]
    assert "Benefits and eligibility reference number: BR12345678" in messages
    assert any(m.startswith("Expedited review requested: Cancer diagnosis") for m in messages)


def test_bundle_identifier_is_new_on_every_export(office):
    store = office.store
    case_id = submit_case(office, RequestKind.SERVICE)
    with store.session() as s:
        first = export_pas_bundle(s, office.clerk, case_id)
        second = export_pas_bundle(s, office.clerk, case_id)
    assert first["identifier"]["value"] != second["identifier"]["value"]
    assert first["entry"][0]["fullUrl"] == second["entry"][0]["fullUrl"]  # the same Claim


def test_drafts_and_other_organizations_are_refused(office):
    store = office.store
    case_id = submit_case(office, RequestKind.SERVICE)
    with store.session() as s, pytest.raises(PermissionDeniedError):
        export_pas_bundle(s, office.outsider, case_id)
    from store.services.drafts import save_draft
    from store.forms import DraftForm

    with store.session() as s:
        draft = save_draft(s, office.clerk, DraftForm(kind=RequestKind.SERVICE))
    with store.session() as s, pytest.raises(InvalidTransitionError, match="has not been submitted"):
        export_pas_bundle(s, office.clerk, draft.request_id)
    with store.session() as s, pytest.raises(NotFoundError):
        export_pas_bundle(s, office.clerk, 99999)


def test_a_missing_attachment_file_stops_the_export(office):
    store = office.store
    case_id = submit_case(office, RequestKind.SERVICE)
    with store.session() as s:
        from store.services.cases import get_case

        stored = get_case(s, office.clerk, case_id).attachments[0].stored_path
    from pathlib import Path

    Path(stored).unlink()
    with store.session() as s, pytest.raises(ValidationError, match="cannot be read"):
        export_pas_bundle(s, office.clerk, case_id)


def test_every_category_maps_to_an_x12_service_type():
    for setting in ("inpatient", "outpatient"):
        for category in categories(setting):
            assert category in terms.SERVICE_TYPES, category


@pytest.mark.parametrize(("text", "family", "given", "suffix"), [
    ("Rivera, Ana MD", "Rivera", ["Ana"], ["MD"]),
    ("Dr. Ben Ortho DO", "Ortho", ["Ben"], ["DO"]),
    ("Smith", "Smith", None, None),
    ("Lee, Kim Jo PA-C", "Lee", ["Kim", "Jo"], ["PA-C"]),
])
def test_practitioner_names_get_a_family_name(text, family, given, suffix):
    name = person_name(text)
    assert (name.family, name.given, name.suffix, name.text) == (family, given, suffix, text)


# --- the checker catches each kind of break -------------------------------------------------------


def _claim(bundle):
    return bundle["entry"][0]["resource"]


BREAKS = {
    "item.category missing": (lambda b: _claim(b)["item"][0].pop("category"), "item.category 1..1"),
    "certificationType missing": (
        lambda b: _claim(b)["item"][0].__setitem__("extension", [
            e for e in _claim(b)["item"][0]["extension"] if e["url"] != terms.EXT_CERTIFICATION_TYPE]),
        "item.extension[certificationType] 1..1"),
    "diagnosisReference": (
        lambda b: _claim(b)["diagnosis"][0].__setitem__("diagnosisReference", {"reference": b["entry"][1]["fullUrl"]}),
        "only CodeableConcept"),
    "diagnosis type from an example system": (
        lambda b: _claim(b)["diagnosis"][0]["type"][0]["coding"][0].__setitem__(
            "system", "http://terminology.hl7.org/CodeSystem/ex-diagnosistype"), "X12278DiagnosisType"),
    "HCPCS system https": (
        lambda b: _claim(b)["item"][2]["productOrService"]["coding"][0].__setitem__(
            "system", "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"), "X12278RequestedServiceType"),
    "modifier without system": (
        lambda b: _claim(b)["item"][2]["modifier"][0]["coding"][0].pop("system"), "X12278RequestedServiceModifierType"),
    "supportingInfo category unknown": (
        lambda b: _claim(b)["supportingInfo"][0]["category"]["coding"][0].__setitem__("system", "urn:x"),
        "PASSupportingInfoType"),
    "documentInformation missing": (
        lambda b: _claim(b)["supportingInfo"][0].pop("extension"), "documentInformation] 1..1"),
    "attachment by url": (
        lambda b: _resources(b, "DocumentReference")[0]["content"][0]["attachment"].__setitem__("url", "http://x/y"),
        "url 0..0"),
    "payer not active": (lambda b: _resources(b, "Organization")[0].__setitem__("active", False), "active = true"),
    "coverage without relationship": (lambda b: _resources(b, "Coverage")[0].pop("relationship"),
                                      "relationship 1..1"),
    "practitioner without family": (lambda b: _resources(b, "Practitioner")[0]["name"][0].pop("family"),
                                    "name.family 1..1"),
    "dangling reference": (lambda b: _claim(b)["insurance"][0]["coverage"].__setitem__("reference", "urn:uuid:nope"),
                           "resolves to no entry"),
    "unknown extension url": (
        lambda b: _claim(b)["extension"][0].__setitem__("url", terms.EXT_LEVEL_OF_SERVICE + "x"), "extension ids"),
    "date with a time": (lambda b: _claim(b)["item"][0]["servicedPeriod"].__setitem__("start", "2026-03-09T10:00:00Z"),
                         "FullDateRule"),
    "claim not first": (lambda b: b["entry"].reverse(), "ClaimFirst"),
    "use claim": (lambda b: _claim(b).__setitem__("use", "claim"), "use = #preauthorization"),
    "careTeamSequence dangling": (lambda b: _claim(b)["item"][0].__setitem__("careTeamSequence", [7]),
                                  "item sequence pointers"),
    "no Bundle identifier": (lambda b: b.pop("identifier"), "identifier 1..1"),
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_the_checker_catches(office, name):
    store = office.store
    case_id = submit_case(office, RequestKind.SERVICE)
    with store.session() as s:
        bundle = export_pas_bundle(s, office.clerk, case_id)
    broken = copy.deepcopy(bundle)
    mutate, words = BREAKS[name]
    mutate(broken)
    problems = check_request_bundle(broken)
    assert problems, name
    assert any(words in str(p) for p in problems), [str(p) for p in problems]


def test_every_rule_names_its_source_and_paths_evaluate():
    assert all(rule.source for rule in REQUEST_RULES + RESPONSE_RULES)
    ctx = BundleIndex({"entry": [{"fullUrl": "a", "resource": {"resourceType": "Claim", "item": [
        {"sequence": 1, "extension": [{"url": "u", "valueString": "x"}]}, {"sequence": 2}]}}]})
    claim = ctx.by_url["a"]
    assert [v for _, v in evaluate(ctx, [("c", claim)], "item.sequence")] == [1, 2]
    assert [v for _, v in evaluate(ctx, [("c", claim)], "item.extension(u).value[x]")] == ["x"]
    assert evaluate(ctx, [("c", claim)], "item.first().sequence") == [("c.item[0].sequence", 1)]


def test_a_facility_requester_is_the_requestor_organization(office):
    store = office.store
    case_id = submit_case(office, RequestKind.INPATIENT, requesting="hospital", files=2)
    with store.session() as s:
        bundle = export_pas_bundle(s, office.clerk, case_id)
    assert check_request_bundle(bundle) == []
    claim = bundle["entry"][0]["resource"]
    provider = next(e["resource"] for e in bundle["entry"] if e["fullUrl"] == claim["provider"]["reference"])
    assert provider["resourceType"] == "Organization" and provider["name"] == "Lakeshore General Hospital"
    assert provider["meta"]["profile"] == [terms.PROFILE_REQUESTOR]
    assert provider["type"][0]["coding"][0]["code"] == "FA" and provider["contact"][0]["name"]["text"] == "Casey Clerk"
    assert provider["identifier"][0] == {"system": terms.NPI, "value": "1679576722"}
    assert len(_resources(bundle, "DocumentReference")) == 2


def test_pas_settings_name_the_payer_and_the_submitter(office, tmp_path, monkeypatch):
    from store.fhir.settings import load_pas_settings

    config = tmp_path / "config.toml"
    config.write_text('[pas]\npayer_id = "CMSI01"\npayer_name = "CMSI"\nsubmitter_id = "1234567890"\n'
                      'member_id_system = "http://plan.example/MIN"\n', encoding="utf-8")
    settings = load_pas_settings(config, environ={"AUTHDESK_PAS_PAYER_ID": "CMSI02"})
    assert (settings.payer_id, settings.payer_name, settings.claim_identifier_system) == (
        "CMSI02", "CMSI", "urn:trnorg:1234567890")
    store = office.store
    case_id = submit_case(office, RequestKind.SERVICE)
    with store.session() as s:
        bundle = export_pas_bundle(s, office.clerk, case_id, settings=settings)
    assert check_request_bundle(bundle) == []
    claim = bundle["entry"][0]["resource"]
    assert claim["identifier"][0]["system"] == "urn:trnorg:1234567890"
    payer = next(e["resource"] for e in bundle["entry"] if e["fullUrl"] == claim["insurer"]["reference"])
    assert payer["name"] == "CMSI" and payer["identifier"][0]["value"] == "CMSI02"
    assert payer["identifier"][0]["type"]["coding"][0]["code"] == "payerid"
    patient = _resources(bundle, "Patient")[0]
    assert patient["identifier"][0]["system"] == "http://plan.example/MIN"
    config.write_text('[pas]\nmember_id_system = "MIN"\n', encoding="utf-8")
    with pytest.raises(ValidationError, match="must be a URI"):
        load_pas_settings(config, environ={})
    config.write_text("[pas\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="Cannot read"):
        load_pas_settings(config, environ={})
