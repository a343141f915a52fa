"""PAS response Bundles applied to cases: the round trip, idempotence, refusals, the transport seam."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from store.enums import AttachmentKind, LineStatus, RequestKind, RequestStatus
from store.fhir.response import ItemAnswer, build_response_bundle, read_response_bundle
from store.fhir.pas_rules import check_response_bundle
from store.fhir.transport import NoTransport, TransportError
from store.models import Attachment, AuthRequest, CaseEvent, OutboxMail, PasResponse
from store.services.cases import get_case
from store.services.fhir_export import export_pas_bundle
from store.services.fhir_import import (
    APPLIED,
    PENDED_WITHOUT_REASON,
    REFUSED,
    UNCHANGED,
    import_decisions,
    submit_to_payer,
)
from store.services.reports import decision_metrics
from tests.store.pas_cases import ALL_KINDS, make_office, submit_case


@pytest.fixture
def office(store, frozen_now, tmp_path):
    return make_office(store, tmp_path)


def _export(office, case_id):
    with office.store.session() as s:
        return export_pas_bundle(s, office.clerk, case_id)


def _write(tmp_path, name, bundle):
    path = tmp_path / name
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


def _counts(store, case_id):
    with store.session() as s:
        def count(model, *where):
            return s.execute(select(func.count()).select_from(model).where(model.request_id == case_id, *where)
                             ).scalar_one()
        return (count(CaseEvent), count(OutboxMail), count(Attachment, Attachment.kind == AttachmentKind.LETTER),
                s.get(AuthRequest, case_id).version)


def _case(office, case_id, user=None):
    with office.store.session() as s:
        return get_case(s, user or office.reviewer, case_id)


@pytest.mark.parametrize("kind", ALL_KINDS, ids=[k.value for k in ALL_KINDS])
def test_round_trip_export_response_import(office, tmp_path, kind):
    store = office.store
    case_id = submit_case(office, kind)
    request = _export(office, case_id)
    lines = _case(office, case_id).lines
    second = lines[1]
    response = build_response_bundle(request, [
        ItemAnswer(1, "A1", units=lines[0].requested_units, start=lines[0].from_date, end=lines[0].to_date),
        ItemAnswer(2, "A2", units=second.requested_units - 1, start=second.from_date, end=second.to_date,
                   reason_codes=(("0U", "Additional information requested"),), note="Fewer visits are enough."),
        ItemAnswer(3, "A3", reason_codes=(("47", "Not medically necessary"),), note="Criteria not met."),
    ], preauth_ref="PA-2026-0042", created=datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    assert check_response_bundle(response) == []
    report = import_decisions(store, office.reviewer, _write(tmp_path, "answer.json", response))
    assert [f.status for f in report.files] == [APPLIED], [f.lines() for f in report.files]
    case = _case(office, case_id)
    assert case.status is RequestStatus.ACCEPTED and case.auth_number == "PA-2026-0042"
    assert [line.status for line in case.lines] == [LineStatus.APPROVED, LineStatus.PARTIAL, LineStatus.DENIED]
    assert case.lines[1].authorized_units == second.requested_units - 1
    assert (case.lines[1].authorized_from, case.lines[1].authorized_to) == (second.from_date, second.to_date)
    assert "X12 reason 47 (Not medically necessary); Criteria not met." in case.lines[2].decision_reason
    letters = [a for a in case.attachments if a.kind is AttachmentKind.LETTER]
    assert len(letters) == 4  # acceptance + three lines
    events = [e.event for e in case.events]
    assert events.count("line_decided") == 3 and "accepted" in events and events[-1] == "pas_response"
    assert "PA-2026-0042" in " ".join(e.detail for e in case.events)
    with store.session() as s:
        mails = s.execute(select(OutboxMail.mail_kind).where(OutboxMail.request_id == case_id)).scalars().all()
        metrics = decision_metrics(s, office.clerk, date(2026, 3, 1), date(2026, 3, 31))
    assert mails.count("line_decision") == 3 and "status_change" in mails
    assert metrics.total.decided == 1 and metrics.total.approved == 1


def test_the_same_response_twice_changes_nothing(office, tmp_path):
    store = office.store
    case_id = submit_case(office, RequestKind.SERVICE)
    response = build_response_bundle(_export(office, case_id), [ItemAnswer(1, "A1", units=1)])
    path = _write(tmp_path, "a.json", response)
    assert import_decisions(store, office.reviewer, path).files[0].status == APPLIED
    before = _counts(store, case_id)
    again = import_decisions(store, office.reviewer, path).files[0]
    assert again.status == UNCHANGED and "already applied" in again.summary
    pretty = tmp_path / "b.json"
    pretty.write_text(json.dumps(response, indent=4, sort_keys=True), encoding="utf-8")  # same content, reformatted
    assert import_decisions(store, office.reviewer, pretty).files[0].status == UNCHANGED
    assert _counts(store, case_id) == before
    # a new response saying the same again (another time stamp) decides nothing again
    later = build_response_bundle(_export(office, case_id), [ItemAnswer(1, "A1", units=1)],
                                  created=datetime(2026, 3, 3, tzinfo=UTC))
    result = import_decisions(store, office.reviewer, _write(tmp_path, "c.json", later)).files[0]
    assert result.status == UNCHANGED and _counts(store, case_id) == before
    with store.session() as s:
        assert s.execute(select(func.count()).select_from(PasResponse)).scalar_one() == 2


def test_pended_then_approved_and_an_older_response_is_refused(office, tmp_path):
    store = office.store
    case_id = submit_case(office, RequestKind.SERVICE)
    request = _export(office, case_id)
    # Examples.fsh PractitionerRequestorPendingResponseExample: A4 with no reason
    pended = build_response_bundle(request, [ItemAnswer(2, "A4")], created=datetime(2026, 3, 2, 15, tzinfo=UTC))
    approved = build_response_bundle(request, [ItemAnswer(2, "A1", units=12)],
                                     created=datetime(2026, 3, 4, 9, tzinfo=UTC))
    assert import_decisions(store, office.reviewer, _write(tmp_path, "1.json", pended)).files[0].status == APPLIED
    assert _case(office, case_id).lines[1].decision_reason.startswith(PENDED_WITHOUT_REASON)
    assert import_decisions(store, office.reviewer, _write(tmp_path, "2.json", approved)).files[0].status == APPLIED
    line = _case(office, case_id).lines[1]
    assert line.status is LineStatus.APPROVED and line.authorized_units == 12
    with store.session() as s:
        assert decision_metrics(s, office.clerk, date(2026, 3, 1), date(2026, 3, 31)).total.approved_after_pend == 1
    stale = build_response_bundle(request, [ItemAnswer(2, "A3", reason_codes=(("47", ""),))],
                                  created=datetime(2026, 3, 3, tzinfo=UTC))
    result = import_decisions(store, office.reviewer, _write(tmp_path, "3.json", stale)).files[0]
    assert result.status == REFUSED and "before the response already applied" in result.problems[0]


def test_modified_and_cancelled_lines(office, tmp_path):
    store = office.store
    case_id = submit_case(office, RequestKind.SERVICE)
    response = build_response_bundle(_export(office, case_id), [
        ItemAnswer(2, "A6", units=8, start=date(2026, 3, 16), end=date(2026, 5, 15), code="97140",
                   note="Manual therapy instead."),
        ItemAnswer(3, "C"),
    ])
    assert import_decisions(store, office.reviewer, _write(tmp_path, "m.json", response)).ok
    lines = _case(office, case_id).lines
    assert lines[1].status is LineStatus.MODIFIED and lines[1].authorized_code == "97140"
    assert (lines[1].authorized_units, lines[1].authorized_to) == (8, date(2026, 5, 15))
    assert lines[2].status is LineStatus.CANCELLED and lines[0].status is LineStatus.REQUESTED


def test_error_outcome_rejects_the_pending_case(office, tmp_path):
    store = office.store
    case_id = submit_case(office, RequestKind.INPATIENT)
    response = build_response_bundle(_export(office, case_id), [], outcome="error",
                                     errors=[("T4", "Payer Name or Identifier Missing")])
    assert import_decisions(store, office.reviewer, _write(tmp_path, "e.json", response)).ok
    case = _case(office, case_id)
    assert case.status is RequestStatus.REJECTED
    assert case.reject_reason == ("The payer could not process the request: X12 reject reason T4 "
                                  "(Payer Name or Identifier Missing).")


def _mutated(office, case_id, mutate):
    response = build_response_bundle(_export(office, case_id), [ItemAnswer(1, "A1", units=1)])
    mutate(response)
    return response


REFUSALS = {
    "unknown WebCert": (lambda r: r["entry"][0]["resource"]["identifier"][0].__setitem__("value", "WC-9999999"),
                        "No case WC-9999999 is known here."),
    "another Claim": (lambda r: r["entry"][0]["resource"]["request"].__setitem__(
        "reference", "urn:uuid:00000000-0000-0000-0000-000000000000"), "is not the Claim AuthDesk exported"),
    "another member": (lambda r: next(e for e in r["entry"] if e["resource"]["resourceType"] == "Patient")[
        "resource"]["identifier"][0].__setitem__("value", "M7777777"), "its member is not the member of"),
    "unknown line": (lambda r: r["entry"][0]["resource"]["item"][0].__setitem__("itemSequence", 9),
                     "item 9 is not a service line of"),
    "unknown action": (lambda r: r["entry"][0]["resource"]["item"][0]["adjudication"][0]["extension"][0][
        "extension"][0]["valueCodeableConcept"]["coding"][0].__setitem__("code", "A9"), "review action 'A9'"),
    "not a Bundle": (lambda r: r.__setitem__("resourceType", "Claim"), "not a FHIR Bundle"),
    "ClaimResponse not first": (lambda r: r["entry"].reverse(), "the first entry is not a ClaimResponse"),
    "bad FHIR": (lambda r: r.__setitem__("timestamp", "yesterday"), "not valid FHIR R4"),
    "NUL in a note": (lambda r: (r["entry"][0]["resource"].__setitem__("processNote", [{"number": 1, "text": "a\x00b"}]),
                                r["entry"][0]["resource"]["item"][0].__setitem__("noteNumber", [1])),
                      "item 1: the reason contains a NUL byte"),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refused_responses_change_nothing(office, tmp_path, name):
    store = office.store
    case_id = submit_case(office, RequestKind.SERVICE)
    mutate, words = REFUSALS[name]
    before = _counts(store, case_id)
    result = import_decisions(store, office.reviewer, _write(tmp_path, "r.json", _mutated(office, case_id, mutate)))
    assert result.files[0].status == REFUSED
    assert any(words in p for p in result.files[0].problems), result.files[0].problems
    assert all(line.startswith("r.json: ") for line in result.files[0].lines())
    assert _counts(store, case_id) == before and _case(office, case_id).status is RequestStatus.PENDING


def test_a_denial_without_reason_and_a_partial_without_units_are_refused_together(office, tmp_path):
    store = office.store
    case_id = submit_case(office, RequestKind.SERVICE)
    response = build_response_bundle(_export(office, case_id), [ItemAnswer(2, "A2"), ItemAnswer(3, "A3")])
    result = import_decisions(store, office.reviewer, _write(tmp_path, "x.json", response)).files[0]
    assert result.status == REFUSED and len(result.problems) == 2
    assert "item 2 is partially certified (A2) without an authorized quantity" in result.problems[0]
    assert "item 3 is not certified (A3) without a reason" in result.problems[1]
    assert _case(office, case_id).status is RequestStatus.PENDING  # the acceptance was rolled back too


def test_another_organizations_case_looks_missing_and_clerks_cannot_decide(office, tmp_path):
    store = office.store
    case_id = submit_case(office, RequestKind.SERVICE)
    response = build_response_bundle(_export(office, case_id), [ItemAnswer(1, "A1", units=1)])
    path = _write(tmp_path, "o.json", response)
    number = _case(office, case_id).webcert_number
    outsider = import_decisions(store, office.outsider, path).files[0]
    assert outsider.problems == (f"No case {number} is known here.",)
    missing = build_response_bundle(_export(office, case_id), [ItemAnswer(1, "A1", units=1)])
    missing["entry"][0]["resource"]["identifier"][0]["value"] = "WC-0999999"
    assert import_decisions(store, office.outsider, _write(tmp_path, "m.json", missing)).files[0].problems == (
        "No case WC-0999999 is known here.",)
    clerk = import_decisions(store, office.clerk, path).files[0]
    assert clerk.status == REFUSED and "reviewers" in clerk.problems[0]


def test_a_folder_reports_each_file_and_bad_files_do_not_stop_the_others(office, tmp_path):
    store = office.store
    first, second = submit_case(office, RequestKind.SERVICE), submit_case(office, RequestKind.NEWBORN)
    folder = tmp_path / "inbox"
    folder.mkdir()
    _write(folder, "1-good.json", build_response_bundle(_export(office, first), [ItemAnswer(1, "A1", units=1)]))
    (folder / "2-broken.json").write_text("{not json", encoding="utf-8")
    (folder / "3-latin1.json").write_bytes('{"a": "caf\xe9"}'.encode("latin-1"))
    _write(folder, "4-good.json", build_response_bundle(_export(office, second), [ItemAnswer(3, "A1", units=1)]))
    (folder / "notes.txt").write_text("ignored")
    seen = []
    report = import_decisions(store, office.reviewer, folder, progress=lambda d, t, n: seen.append((d, t, n)))
    assert [(f.path.name, f.status) for f in report.files] == [
        ("1-good.json", APPLIED), ("2-broken.json", REFUSED), ("3-latin1.json", REFUSED), ("4-good.json", APPLIED)]
    assert report.files[1].lines() == ["2-broken.json: is not JSON (line 1, column 2: Expecting property name "
                                       "enclosed in double quotes)"]
    assert report.files[2].lines() == ["3-latin1.json: is not UTF-8 text"]
    assert seen[-1] == (4, 4, "4-good.json") and not report.ok


def test_examples_fsh_response_shape_is_read(office):
    """PractitionerRequestorResponseExample (Examples.fsh), with this case's identifiers."""
    case_id = submit_case(office, RequestKind.SERVICE)
    request = _export(office, case_id)
    claim_entry = request["entry"][0]
    patient_entry = next(e for e in request["entry"] if e["resource"]["resourceType"] == "Patient")
    example = {
        "resourceType": "Bundle", "type": "collection", "timestamp": "2026-03-02T11:02:00+05:00",
        "identifier": request["identifier"],
        "entry": [{"fullUrl": "http://example.org/fhir/ClaimResponse/PractitionerRequestorResponseExample",
                   "resource": {
            "resourceType": "ClaimResponse", "identifier": claim_entry["resource"]["identifier"],
            "status": "active", "use": "preauthorization", "created": "2026-03-02T11:02:00+05:00",
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                 "code": "professional"}]},
            "patient": {"reference": patient_entry["fullUrl"]},
            "insurer": {"reference": "http://example.org/fhir/Organization/InsurerExample"},
            "request": {"reference": claim_entry["fullUrl"]}, "outcome": "complete",
            "item": [{"itemSequence": 1, "extension": [
                {"url": "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-itemPreAuthPeriod",
                 "valuePeriod": {"start": "2026-03-09", "end": "2026-03-09"}},
                {"url": "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-itemAuthorizedDetail",
                 "extension": [{"url": "quantity", "valueQuantity": {"value": 1}}]}],
                "adjudication": [{"category": {"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": "submitted"}]},
                    "extension": [{"url": "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
                                          "extension-reviewAction", "extension": [
                        {"url": "number", "valueString": "AUTH0001"},
                        {"url": "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewActionCode",
                         "valueCodeableConcept": {"coding": [{"system": "https://codesystem.x12.org/005010/306",
                                                              "code": "A1", "display": "Certified in total"}]}}]}]}]}],
        }}, patient_entry],
    }
    decision = read_response_bundle(example)
    assert decision.webcert_number == claim_entry["resource"]["identifier"][0]["value"]
    item = decision.items[0]
    assert (item.action, item.units, item.from_date, item.review_number) == ("A1", 1, date(2026, 3, 9), "AUTH0001")
    assert decision.created == datetime(2026, 3, 2, 6, 2, tzinfo=UTC)


class _Payer:
    """A payer endpoint in a test: answers every $submit by approving line 1."""

    def __init__(self):
        self.received = []

    def submit(self, request_bundle):
        self.received.append(request_bundle)
        return build_response_bundle(request_bundle, [ItemAnswer(1, "A1", units=1)])

    def inquire(self, inquiry_bundle):
        return []


def test_submit_to_payer_goes_through_one_transport(office):
    store = office.store
    case_id = submit_case(office, RequestKind.SERVICE)
    payer = _Payer()
    result = submit_to_payer(store, office.reviewer, case_id, payer)
    assert result.status == APPLIED and len(payer.received) == 1
    assert _case(office, case_id).lines[0].status is LineStatus.APPROVED
    with pytest.raises(TransportError, match="No payer endpoint"):
        submit_to_payer(store, office.reviewer, case_id, NoTransport())
