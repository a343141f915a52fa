"""The Da Vinci PAS FHIR export of a submitted request."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from store.enums import AttachmentKind, RequestKind, RequestStatus, Role, Urgency
from store.errors import InvalidTransitionError, PermissionDeniedError
from store.models import Attachment, AuthRequest, DiagnosisLine, RequestOrganization, ServiceLine
from store.services.fhir_export import export_pas_bundle, write_pas_bundle
from tests.factories import make_member, make_provider, make_user, org_id


def _case(store, status=RequestStatus.PENDING, urgency=Urgency.EXPEDITED, kind=RequestKind.SERVICE):
    clerk = make_user(store, "clerk1", org="NORTH")
    member_pk = make_member(store)
    requesting = make_provider(store, "1234567893", "P100", "Rivera, Ana MD", org_code="NORTH")
    facility = make_provider(store, "1245319599", "F200", "Lakeside Hospital", facility=True)
    with store.session() as session:
        req = AuthRequest(
            kind=kind,
            status=status,
            draft_number="D-000001",
            webcert_number="WC-0000001" if status is not RequestStatus.DRAFT else None,
            auth_number="SP0000001" if status is not RequestStatus.DRAFT else None,
            member_pk=member_pk,
            member_id_entered="M1000001",
            member_name="Whitfield, Dana",
            requesting_provider_id=requesting,
            servicing_provider_id=requesting,
            facility_provider_id=facility if kind.is_inpatient else None,
            place_of_service="22",
            start_date=date(2026, 3, 10),
            end_date=date(2026, 3, 10),
            urgency=urgency,
            organization_id=org_id(store, "NORTH"),
            created_by_id=clerk.id,
        )
        session.add(req)
        session.flush()
        session.add(RequestOrganization(request_id=req.id, organization_id=req.organization_id))
        session.add(DiagnosisLine(request_id=req.id, code="M17.11", description="Unilateral primary osteoarthritis, right knee", is_primary=True))
        session.add(DiagnosisLine(request_id=req.id, code="E11.9", description="Type 2 diabetes mellitus without complications", position=1))
        session.add(ServiceLine(request_id=req.id, code="73721", code_type="CPT", from_date=date(2026, 3, 10), to_date=date(2026, 3, 10), requested_units=1))
        session.add(ServiceLine(request_id=req.id, line_number=2, code="E0601", code_type="HCPCS", description="Continuous positive airway pressure (CPAP) device", modifier="RR KX", from_date=date(2026, 3, 10), to_date=date(2026, 3, 10) + timedelta(days=30), requested_units=1))
        session.add(Attachment(request_id=req.id, kind=AttachmentKind.CLINICAL, filename="notes.pdf", media_type="application/pdf", size_bytes=1234, sha256="a" * 64, stored_path="/x"))
        session.add(Attachment(request_id=req.id, kind=AttachmentKind.LETTER, filename="letter.pdf", media_type="application/pdf", size_bytes=99, sha256="b" * 64, stored_path="/y"))
        request_id = req.id
    return clerk, request_id


def test_bundle_is_valid_pas_claim(store, frozen_now):
    clerk, request_id = _case(store)
    with store.session() as session:
        bundle = export_pas_bundle(session, clerk, request_id)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[0] == "Claim"
    assert kinds.count("Condition") == 2
    assert kinds.count("DocumentReference") == 1  # letters are the plan's, not supporting info
    claim = bundle["entry"][0]["resource"]
    assert claim["use"] == "preauthorization"
    assert claim["identifier"][0]["value"] == "WC-0000001"
    assert claim["priority"]["coding"][0]["code"] == "stat"
    codes = [item["productOrService"]["coding"][0] for item in claim["item"]]
    assert codes[0]["code"] == "73721" and codes[0]["system"].endswith("/cpt")
    assert codes[1]["code"] == "E0601" and "HCPCS" in codes[1]["system"]
    assert [m["coding"][0]["code"] for m in claim["item"][1]["modifier"]] == ["RR", "KX"]
    # Every reference resolves to an entry of the bundle.
    urls = {e["fullUrl"] for e in bundle["entry"]}
    refs = [claim["patient"], claim["insurer"], claim["provider"], claim["insurance"][0]["coverage"]]
    refs += [d["diagnosisReference"] for d in claim["diagnosis"]]
    refs += [s["valueReference"] for s in claim["supportingInfo"]]
    assert all(r["reference"] in urls for r in refs)
    principal = [d for d in claim["diagnosis"] if "type" in d]
    assert len(principal) == 1 and principal[0]["sequence"] == 1


def test_inpatient_bundle_names_facility(store, frozen_now):
    clerk, request_id = _case(store, kind=RequestKind.INPATIENT, urgency=Urgency.STANDARD)
    with store.session() as session:
        bundle = export_pas_bundle(session, clerk, request_id)
    claim = bundle["entry"][0]["resource"]
    assert claim["type"]["coding"][0]["code"] == "institutional"
    assert claim["priority"]["coding"][0]["code"] == "normal"
    assert claim["facility"]["reference"] in {e["fullUrl"] for e in bundle["entry"]}


def test_draft_cannot_be_exported(store, frozen_now):
    clerk, request_id = _case(store, status=RequestStatus.DRAFT)
    with store.session() as session, pytest.raises(InvalidTransitionError, match="has not been submitted"):
        export_pas_bundle(session, clerk, request_id)


def test_other_organization_cannot_export(store, frozen_now):
    _, request_id = _case(store)
    outsider = make_user(store, "south1", role=Role.CLERK, org="SOUTH")
    with store.session() as session, pytest.raises(PermissionDeniedError):
        export_pas_bundle(session, outsider, request_id)


def test_write_to_file_and_unwritable_folder(store, frozen_now, tmp_path):
    clerk, request_id = _case(store)
    with store.session() as session:
        path = write_pas_bundle(session, clerk, request_id, tmp_path / "out")
    assert path.name == "WC-0000001-pas.json" and path.stat().st_size > 500
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    from store.errors import ValidationError

    with store.session() as session, pytest.raises(ValidationError, match="Cannot write"):
        write_pas_bundle(session, clerk, request_id, blocker / "sub")
