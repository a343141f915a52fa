"""The wizard's store services: eligibility, providers, drafts, completeness, attachments, submission."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from store.enums import (
    ClinicalOutcome,
    CoverageOrder,
    ExpeditedCriterion,
    RequestKind,
    RequestStatus,
    Urgency,
)
from store.errors import (
    ConflictError,
    IncompleteError,
    InvalidTransitionError,
    NotEligibleError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from store.forms import DraftForm, LineInput
from store.models import AuthRequest, CaseEvent, OutboxMail
from store.services import attachments as att
from store.services import clinical
from store.services.completeness import check_form, duplicate_warnings
from store.services.drafts import (
    cancel_draft,
    copy_to_new_draft,
    load_draft,
    save_draft,
)
from store.services.eligibility import check_eligibility
from store.services.expedite import derive_expedited_criteria
from store.services.providers import (
    default_requesting_provider,
    find_provider_by_npi,
    search_providers,
)
from store.services.reference import (
    categories,
    default_care_setting,
    delivery_types,
    treatment_types,
)
from store.services.submission import submit_request
from tests.factories import (
    PDF,
    make_member,
    make_user,
    office_providers,
    pdf_file,
    service_form,
)

NOW = datetime(2026, 3, 2, 14, 30).astimezone()


@pytest.fixture
def office(store, frozen_now):
    user = make_user(store, "clerk1", org="NORTH", full_name="Casey Clerk", email="casey@north.example",
                     phone="(414) 555-0100", fax="(414) 555-0101")
    other = make_user(store, "clerk9", org="WEST", full_name="Wes West")
    make_member(store, "M1000001")
    make_member(store, "M2000002", first="Lee", last="Second",
                coverages=((date(2025, 1, 1), None, CoverageOrder.SECONDARY),))
    make_member(store, "M3000003", first="Pat", last="Lapsed",
                coverages=((date(2024, 1, 1), date(2025, 12, 31), CoverageOrder.PRIMARY),))
    return store, user, other, office_providers(store)


def complete_form(ids, **changes) -> DraftForm:
    return service_form(ids, **changes)


# ----- eligibility and providers -----


def test_eligibility_primary_secondary_lapsed_unknown(office):
    store, *_ = office
    with store.session() as s:
        record = check_eligibility(s, " m1000001 ", date(2026, 3, 2))
        assert record.name == "Whitfield, Dana" and record.coverage_order is CoverageOrder.PRIMARY
        with pytest.raises(NotEligibleError, match="secondary"):
            check_eligibility(s, "M2000002", date(2026, 3, 2))
        with pytest.raises(NotEligibleError, match="coverage ended 12/31/2025"):
            check_eligibility(s, "M3000003", date(2026, 3, 2))
        assert check_eligibility(s, "M3000003", date(2025, 6, 1)).plan_name
        with pytest.raises(NotFoundError, match="No member"):
            check_eligibility(s, "Z9999999", date(2026, 3, 2))


def test_provider_search_by_npi_number_and_name(office):
    store, user, _, ids = office
    with store.session() as s:
        assert [p.name for p in search_providers(s, "12453")] == ["Dr. Ben Ortho"]
        assert [p.name for p in search_providers(s, "p2002")] == ["Dr. Ben Ortho"]
        assert [p.name for p in search_providers(s, "ortho")] == ["Dr. Ben Ortho"]
        assert [p.name for p in search_providers(s, "la", facility=True)] == ["Lakeshore General Hospital"]
        assert search_providers(s, "lakeshore", facility=False) == []
        assert search_providers(s, "%_") == []
        assert find_provider_by_npi(s, "1679576722").is_facility
        assert default_requesting_provider(s, user).id == ids["north"]


def test_reference_lists_are_data():
    assert "Surgery" in categories("outpatient")
    assert "Surgical admission" in categories("inpatient")
    assert treatment_types("Advanced imaging")[0] == "MRI"
    assert treatment_types("nonsense") == ()
    assert "Cesarean section" in delivery_types()


# ----- clinical rules and expedited criteria -----


def test_clinical_outcomes():
    assert clinical.evaluate("99213", {}) is ClinicalOutcome.NOT_REQUIRED
    ids = [q.id for q in clinical.questions_for("27447")]
    assert clinical.evaluate("27447", {}) is ClinicalOutcome.REVIEW_REQUIRED
    assert clinical.evaluate("27447", {i: "yes" for i in ids}) is ClinicalOutcome.CRITERIA_MET
    assert clinical.evaluate("27447", {**{i: "yes" for i in ids}, ids[0]: "no"}) is ClinicalOutcome.REVIEW_REQUIRED
    assert clinical.needs_review("J9271")  # by prefix


def test_bad_rules_file_is_refused_with_its_entry():
    with pytest.raises(ValueError, match="rule 1"):
        clinical.parse_rules('[[rule]]\ntitle = "x"\ncodes = ["1"]\n')


def test_expedited_criteria_derived(office):
    today = date(2026, 3, 2)
    form = DraftForm(kind=RequestKind.INPATIENT, start_date=today + timedelta(days=3),
                     category="Behavioral health")
    assert derive_expedited_criteria(form, today) == [
        ExpeditedCriterion.ADMISSION_WITHIN_7_DAYS, ExpeditedCriterion.BEHAVIORAL_HEALTH]
    notice = DraftForm(kind=RequestKind.EMERGENT_ADMISSION, start_date=today)
    assert ExpeditedCriterion.ER_ADMISSION in derive_expedited_criteria(notice, today)
    infusion = DraftForm(kind=RequestKind.SERVICE, start_date=today + timedelta(days=5))
    assert derive_expedited_criteria(infusion, today, diagnosis_codes=("C50.911",), line_codes=("J9271",)) == [
        ExpeditedCriterion.CANCER, ExpeditedCriterion.INFUSION_WITHIN_7_DAYS]
    later = DraftForm(kind=RequestKind.SERVICE, start_date=today + timedelta(days=30))
    assert derive_expedited_criteria(later, today, line_codes=("27447",)) == []


# ----- drafts -----


def test_first_save_numbers_the_draft_and_load_gives_it_back(office):
    store, user, _, ids = office
    form = complete_form(ids, raw={"end_date": "13/45/2026"}, wizard_step=2)
    with store.session() as s:
        saved = save_draft(s, user, form)
    assert saved.draft_number.startswith("D-") and saved.version == 1
    assert saved.expires_at - saved.updated_at == timedelta(hours=96)
    with store.session() as s:
        loaded, again = load_draft(s, user, saved.request_id)
    assert again.version == 1 and loaded.raw == {"end_date": "13/45/2026"} and loaded.wizard_step == 2
    assert loaded.lines[0].clinical_answers == form.lines[0].clinical_answers
    assert loaded.diagnoses == form.diagnoses


def test_save_over_a_newer_version_is_refused(office):
    store, user, _, ids = office
    with store.session() as s:
        saved = save_draft(s, user, complete_form(ids))
    with store.session() as s:
        save_draft(s, user, complete_form(ids, benefits_reference="THEIRS"), request_id=saved.request_id,
                   expected_version=saved.version)
    with pytest.raises(ConflictError, match="Reload"), store.session() as s:
        save_draft(s, user, complete_form(ids, benefits_reference="MINE"), request_id=saved.request_id,
                   expected_version=saved.version)
    with store.session() as s:
        form, current = load_draft(s, user, saved.request_id)
    assert form.benefits_reference == "THEIRS" and current.version == 2


def test_other_organizations_cannot_open_a_draft(office):
    store, user, other, ids = office
    with store.session() as s:
        saved = save_draft(s, user, complete_form(ids))
    with pytest.raises(PermissionDeniedError), store.session() as s:
        load_draft(s, other, saved.request_id)


def test_draft_expires_at_96_hours(office):
    store, user, _, ids = office
    with store.session() as s:
        saved = save_draft(s, user, complete_form(ids))
    with time_machine.travel(saved.expires_at - timedelta(minutes=1), tick=False), store.session() as s:
        save_draft(s, user, complete_form(ids), request_id=saved.request_id, expected_version=1)
    with time_machine.travel(saved.expires_at + timedelta(seconds=1), tick=False):
        with pytest.raises(InvalidTransitionError, match="expired"), store.session() as s:
            save_draft(s, user, complete_form(ids), request_id=saved.request_id, expected_version=2)
        with pytest.raises(InvalidTransitionError, match="expired"), store.session() as s:
            submit_request(s, user, saved.request_id, 2)


def test_cancel_and_copy(office):
    store, user, _, ids = office
    with store.session() as s:
        saved = save_draft(s, user, complete_form(ids))
    with store.session() as s:
        cancel_draft(s, user, saved.request_id, expected_version=1)
    with pytest.raises(InvalidTransitionError), store.session() as s:
        cancel_draft(s, user, saved.request_id)
    with store.session() as s:
        copy = copy_to_new_draft(s, user, saved.request_id)
    assert copy.draft_number != saved.draft_number
    with store.session() as s:
        form, _ = load_draft(s, user, copy.request_id)
        assert form.lines[0].code == "27447" and form.member_id == "M1000001"
        assert s.get(AuthRequest, saved.request_id).status == RequestStatus.CANCELLED


# ----- completeness -----


def test_missing_items_name_their_step_and_field(office):
    store, *_ = office
    with store.session() as s:
        missing = check_form(s, DraftForm(kind=RequestKind.INPATIENT), 0, today=date(2026, 3, 2))
    fields = {item.field for item in missing}
    assert {"member-id", "start-date", "requesting-provider", "servicing-provider", "facility-provider",
            "category", "diagnosis-search", "line-code", "attachment-add", "contact-name"} <= fields
    assert [item.step for item in missing] == sorted(item.step for item in missing)


def test_complete_form_with_an_attachment_has_nothing_missing(office):
    store, _, _, ids = office
    with store.session() as s:
        assert check_form(s, complete_form(ids), 1) == []
        missing = check_form(s, complete_form(ids), 0)
    assert [m.field for m in missing] == ["attachment-add"]


@pytest.mark.parametrize("changes, field, words", [
    ({"member_id": "M2000002"}, "member-id", "secondary"),
    ({"member_id": "M3000003"}, "member-id", "coverage ended"),
    ({"end_date": date(2026, 3, 1)}, "end-date", "before the start date"),
    ({"urgency": Urgency.EXPEDITED}, "expedited-reasons", "expedited criterion"),
    ({"raw": {"contact_email": "casey@"}}, "contact-email", "not valid"),
])
def test_rule_breaks_are_listed(office, changes, field, words):
    store, _, _, ids = office
    with store.session() as s:
        missing = check_form(s, complete_form(ids, **changes), 1)
    assert any(m.field == field and words in m.message for m in missing), missing


def test_zero_units_and_unanswered_questions(office):
    store, _, _, ids = office
    form = complete_form(ids)
    form.lines[0].requested_units = 0
    form.lines[0].clinical_answers = {}
    with store.session() as s:
        fields = [m.field for m in check_form(s, form, 1)]
    assert "line-0-units" in fields
    assert any(f.startswith("clinical-0-") for f in fields)


def test_duplicate_request_is_a_warning(office, tmp_path):
    store, user, _, ids = office
    first = _submitted(store, user, ids, tmp_path)
    with store.session() as s:
        second = save_draft(s, user, complete_form(ids))
        warnings = duplicate_warnings(s, user, second.request_id)
    assert len(warnings) == 1 and first.webcert_number in warnings[0] and "27447" in warnings[0]
    with store.session() as s:
        later = save_draft(s, user, complete_form(ids, start_date=date(2026, 4, 1), end_date=date(2026, 4, 1),
                                                  lines=[LineInput("27447", from_date=date(2026, 4, 1),
                                                                   to_date=date(2026, 4, 1), requested_units=1)]))
        assert duplicate_warnings(s, user, later.request_id) == []


# ----- attachments -----


def _draft(store, user, ids):
    with store.session() as s:
        return save_draft(s, user, complete_form(ids))


def test_attachment_type_comes_from_content(office, tmp_path):
    store, user, _, ids = office
    saved = _draft(store, user, ids)
    docx = tmp_path / "letter.bin"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    text = tmp_path / "notes"
    text.write_text("Progress notes\nPatient doing well.\n")
    png = tmp_path / "scan.dat"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    expected = {
        pdf_file(tmp_path): "application/pdf",
        docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        text: "text/plain",
        png: "image/png",
    }
    for path, media_type in expected.items():
        record = att.add_attachment(store, user, saved.request_id, str(path))
        assert record.media_type == media_type
        assert record.stored_path.endswith(record.sha256)


def test_same_content_is_stored_once_and_removed_when_unused(office, tmp_path):
    store, user, _, ids = office
    saved = _draft(store, user, ids)
    a = att.add_attachment(store, user, saved.request_id, str(pdf_file(tmp_path, "a.pdf")))
    b = att.add_attachment(store, user, saved.request_id, f"'{pdf_file(tmp_path, 'b.pdf')}'")
    assert a.stored_path == b.stored_path
    att.remove_attachment(store, user, saved.request_id, a.id)
    assert (tmp_path / "attachments").exists()
    from pathlib import Path

    assert Path(b.stored_path).exists()
    att.remove_attachment(store, user, saved.request_id, b.id)
    assert not Path(b.stored_path).exists()


@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_bytes(b"MZ\x90\x00" + b"\x00" * 100), "Windows program"),
    (lambda p: p.write_bytes(b"GIF89a" + b"\x00" * 100), "not a supported file type"),
    (lambda p: p.write_bytes(b""), "empty"),
    (lambda p: None, "No file"),
    (lambda p: p.mkdir(), "folder"),
])
def test_unsupported_or_missing_files_are_refused(office, tmp_path, make, words):
    store, user, _, ids = office
    saved = _draft(store, user, ids)
    path = tmp_path / "scan.pdf"
    make(path)
    with pytest.raises(ValidationError, match=words):
        att.add_attachment(store, user, saved.request_id, str(path))


def test_oversized_file_is_refused_with_the_limit(office, tmp_path, monkeypatch):
    store, user, _, ids = office
    saved = _draft(store, user, ids)
    monkeypatch.setattr(att, "MAX_ATTACHMENT_BYTES", 1024)
    path = tmp_path / "big.pdf"
    path.write_bytes(PDF + b" " * 2048)
    with pytest.raises(ValidationError, match="the limit is 1 KB"):
        att.add_attachment(store, user, saved.request_id, str(path))
    assert att.human_size(25 * 1024 * 1024) == "25 MB"


# ----- submission -----


def _submitted(store, user, ids, tmp_path, **changes):
    with store.session() as s:
        saved = save_draft(s, user, complete_form(ids, **changes))
    att.add_attachment(store, user, saved.request_id, str(pdf_file(tmp_path)))
    with store.session() as s:
        version = s.get(AuthRequest, saved.request_id).version
        return submit_request(s, user, saved.request_id, version)


def test_submission_in_one_transaction(office, tmp_path):
    store, user, _, ids = office
    result = _submitted(store, user, ids, tmp_path)
    assert result.webcert_number.startswith("WC-") and result.auth_number.startswith("SP")
    assert result.decision_due_at - result.submitted_at == timedelta(days=7)
    assert result.confirmation_to == "casey@north.example"
    with store.session() as s:
        request = s.get(AuthRequest, result.request_id)
        assert request.status == RequestStatus.PENDING and request.expires_at is None
        events = [e.event for e in s.exec(select(CaseEvent).where(CaseEvent.request_id == request.id))]
        assert "Submitted" in events and "Draft created" in events
        mails = s.exec(select(OutboxMail).where(OutboxMail.request_id == request.id)).all()
        assert len(mails) == 1 and result.webcert_number in mails[0].body and result.auth_number in mails[0].body
    with pytest.raises(InvalidTransitionError), store.session() as s:
        submit_request(s, user, result.request_id, None)


def test_expedited_inpatient_gets_ip_number_and_72_hours(office, tmp_path):
    store, user, _, ids = office
    result = _submitted(
        store, user, ids, tmp_path, kind=RequestKind.INPATIENT, facility_provider_id=ids["hospital"],
        care_setting=default_care_setting(RequestKind.INPATIENT), category="Surgical admission",
        treatment_type="Emergency surgery", place_of_service="21", urgency=Urgency.EXPEDITED,
        expedited_reasons=[ExpeditedCriterion.ADMISSION_WITHIN_7_DAYS.value],
    )
    assert result.auth_number.startswith("IP")
    assert result.decision_due_at - result.submitted_at == timedelta(hours=72)


def test_incomplete_submission_changes_nothing(office):
    store, user, _, ids = office
    saved = _draft(store, user, ids)
    with pytest.raises(IncompleteError) as err, store.session() as s:
        submit_request(s, user, saved.request_id, saved.version)
    assert [m.field for m in err.value.missing] == ["attachment-add"]
    with store.session() as s:
        request = s.get(AuthRequest, saved.request_id)
        assert request.status == RequestStatus.DRAFT and request.webcert_number is None
        assert request.version == saved.version


def test_stale_submission_is_a_conflict(office, tmp_path):
    store, user, _, ids = office
    saved = _draft(store, user, ids)
    att.add_attachment(store, user, saved.request_id, str(pdf_file(tmp_path)))
    with pytest.raises(ConflictError), store.session() as s:
        submit_request(s, user, saved.request_id, saved.version)  # the attachment made a new version


def test_demo_scenarios_use_the_reference_lists():
    from store.demo import SCENARIOS

    for scenario in SCENARIOS:
        setting = default_care_setting(scenario.kind)
        assert scenario.category in categories(setting), scenario
        assert scenario.treatment_type in treatment_types(scenario.category), scenario
