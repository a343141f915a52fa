"""The store owns the rules: save and submit refuse what the wizard refuses, all at once, on both backends.

* a draft may be incomplete, never invalid; submit needs valid *and* complete;
* load → save without a change writes nothing (version, time, rows);
* cancel is for the draft's creator (or an administrator); reviewers change no draft;
* copying a rejected request copies every field and its attachments by hash.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from store.enums import (
    ClinicalOutcome,
    ExpeditedCriterion,
    RequestKind,
    RequestStatus,
    Role,
    Urgency,
)
from store.errors import (
    ConflictError,
    IncompleteError,
    InvalidFormError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from store.forms import DiagnosisInput, DraftForm, LineInput
from store.models import Attachment, AuthRequest, CaseEvent, DiagnosisLine, ServiceLine
from store.services import attachments as att
from store.services import clinical
from store.services.completeness import check_form
from store.services.draft_rules import form_errors, normalize_form
from store.services.drafts import (
    cancel_draft,
    copy_to_new_draft,
    load_draft,
    save_draft,
)
from store.services.reference import categories, delivery_types, treatment_types
from store.services.submission import submit_request
from tests.factories import (
    make_member,
    make_user,
    office_providers,
    pdf_file,
    service_form,
)

FIXTURES = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                          HealthCheck.too_slow])


@pytest.fixture
def office(store, frozen_now):
    """Two clerks of one organization, one of another, a reviewer, an admin; members and providers."""
    users = {
        "casey": make_user(store, "clerk1", org="NORTH", full_name="Casey Clerk", email="casey@north.example",
                           phone="(414) 555-0100", fax="(414) 555-0101"),
        "colleague": make_user(store, "clerk2", org="NORTH", full_name="Cole League"),
        "west": make_user(store, "clerk9", org="WEST", full_name="Wes West"),
        "reviewer": make_user(store, "rev1", role=Role.REVIEWER, org=None, full_name="Rita Review"),
        "admin": make_user(store, "admin1", role=Role.ADMIN, org=None, full_name="Ada Admin"),
    }
    make_member(store, "M1000001")
    make_member(store, "M4000004", first="Mia", last="Mother")
    return store, users, office_providers(store)


def valid_form(ids, **changes) -> DraftForm:
    """A complete, valid service request (two diagnoses, one line with a modifier needing clinicals)."""
    return service_form(ids, **{
        "end_date": date(2026, 3, 10),
        "diagnoses": [DiagnosisInput("M17.11", True, "Unilateral primary osteoarthritis, right knee"),
                      DiagnosisInput("E11.9", False, "Type 2 diabetes mellitus without complications")],
        "lines": [LineInput("27447", ["RT"], date(2026, 3, 9), date(2026, 3, 9), 1,
                            clinical_answers={q.id: "yes" for q in clinical.questions_for("27447")})],
        **changes})


def count(store, model, **where) -> int:
    with store.session() as s:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return s.execute(query).scalar_one()


# ----- every bad field, at once -----------------------------------------------------------------

# field id → how to break it (each breaks that field only).
BREAKERS = {
    "diagnosis-0": lambda f: setattr(f.diagnoses[0], "code", "ZZZ.999"),
    "diagnosis-1": lambda f: setattr(f.diagnoses[1], "code", "E11"),  # a heading, not billable
    "line-0-code": lambda f: setattr(f.lines[0], "code", "ABCDE"),
    "line-0-units": lambda f: setattr(f.lines[0], "requested_units", 0),
    "line-0-modifier": lambda f: setattr(f.lines[0], "modifiers", ["RT", "5"]),
    "line-0-to": lambda f: setattr(f.lines[0], "to_date", date(2026, 3, 1)),
    "place-of-service": lambda f: setattr(f, "place_of_service", "98"),
    "treatment-type": lambda f: setattr(f, "treatment_type", "Knitting"),
    "end-date": lambda f: setattr(f, "end_date", date(2026, 3, 1)),
    "contact-phone": lambda f: setattr(f, "contact_phone", "call me"),
    "contact-fax": lambda f: setattr(f, "contact_fax", "555"),
    "contact-phone-ext": lambda f: setattr(f, "contact_phone_ext", "12a"),
    "contact-email": lambda f: setattr(f, "contact_email", "not-an-email"),
    "contact-name": lambda f: setattr(f, "contact_name", "Casey\x00Clerk"),
    "benefits-reference": lambda f: setattr(f, "benefits_reference", "B" * 41),
    "member-id": lambda f: setattr(f, "member_id", "M1@0001"),
    "expedited-reasons": lambda f: setattr(f, "expedited_reasons", ["on a whim"]),
    "requesting-provider": lambda f: setattr(f, "requesting_provider_id", 999_999),
    "birth-weight": lambda f: setattr(f, "birth_weight_grams", 50),
    "delivery-type": lambda f: setattr(f, "delivery_type", "Stork"),
    "attachment-path": lambda f: f.raw.__setitem__("attachment_path", "notes\x07.pdf"),
}


def test_the_issue_examples_are_refused_at_save_all_at_once(office):
    store, users, ids = office
    form = valid_form(ids)
    for field in ("diagnosis-0", "diagnosis-1", "line-0-code", "place-of-service", "contact-phone",
                  "contact-email"):
        BREAKERS[field](form)
    with pytest.raises(InvalidFormError) as caught, store.session() as s:
        save_draft(s, users["casey"], form)
    errors = caught.value.errors
    assert set(errors) == {"diagnosis-0", "diagnosis-1", "line-0-code", "place-of-service", "contact-phone",
                           "contact-email"}
    assert "E11.9" in errors["diagnosis-1"] and "category" in errors["diagnosis-1"]
    assert "neither a CPT" in errors["line-0-code"] and "call me" in errors["contact-phone"]
    assert str(caught.value).startswith("6 fields are not valid")
    assert isinstance(caught.value, ValidationError)  # callers catching ValidationError keep working
    assert count(store, AuthRequest) == 0


@FIXTURES
@given(chosen=st.sets(st.sampled_from(sorted(BREAKERS)), min_size=1))
def test_any_set_of_bad_fields_is_reported_exactly(office, chosen):
    store, users, ids = office
    form = valid_form(ids)
    for field in chosen:
        BREAKERS[field](form)
    with store.session() as s:
        assert set(form_errors(s, normalize_form(form))) == chosen
    with pytest.raises(InvalidFormError) as caught, store.session() as s:
        save_draft(s, users["casey"], form)
    assert set(caught.value.errors) == chosen


@pytest.mark.parametrize(("field", "value", "field_id"), [
    ("contact_phone_ext", "١٢", "contact-phone-ext"),
    ("member_id", "M١٠٠٠٠٠١", "member-id"),
    ("contact_phone", "٤١٤-555-0100", "contact-phone"),
    ("place_of_service", "٢٢", "place-of-service"),
])
def test_unicode_digits_are_not_taken_as_digits(office, field, value, field_id):
    store, users, ids = office
    with pytest.raises(InvalidFormError) as caught, store.session() as s:
        save_draft(s, users["casey"], valid_form(ids, **{field: value}))
    assert set(caught.value.errors) == {field_id}


def test_phone_and_fax_come_back_and_stay_as_stored(office):
    """A number stored as ``414-555-0142`` (the demo, an import) is loaded so and not rewritten by a save."""
    store, users, ids = office
    with store.session() as s:
        saved = save_draft(s, users["casey"], valid_form(ids))
    with store.session() as s:
        row = s.get(AuthRequest, saved.request_id)
        row.contact_phone, row.contact_fax = "414-555-0142", "414.555.0199"
    with store.session() as s:
        loaded, current = load_draft(s, users["casey"], saved.request_id)
    assert (loaded.contact_phone, loaded.contact_fax) == ("414-555-0142", "414.555.0199")
    loaded.benefits_reference = "REF-9"
    loaded.contact_fax = "(414) 555-0199"  # the same number written another way: not a change
    with store.session() as s:
        current = save_draft(s, users["casey"], loaded, request_id=saved.request_id,
                             expected_version=current.version)
    with store.session() as s:
        row = s.get(AuthRequest, saved.request_id)
        assert (row.benefits_reference, row.contact_phone, row.contact_fax) == (
            "REF-9", "414-555-0142", "414.555.0199")
    loaded.contact_phone = "414 555 0100"  # another number: written the store's way
    with store.session() as s:
        save_draft(s, users["casey"], loaded, request_id=saved.request_id, expected_version=current.version)
    with store.session() as s:
        row = s.get(AuthRequest, saved.request_id)
        assert (row.contact_phone, row.contact_fax) == ("(414) 555-0100", "414.555.0199")


def test_an_update_with_bad_fields_changes_nothing(office):
    store, users, ids = office
    with store.session() as s:
        saved = save_draft(s, users["casey"], valid_form(ids))
    with pytest.raises(InvalidFormError), store.session() as s:
        save_draft(s, users["casey"], valid_form(ids, contact_phone="call me", benefits_reference="NEW"),
                   request_id=saved.request_id, expected_version=saved.version)
    with store.session() as s:
        row = s.get(AuthRequest, saved.request_id)
        assert (row.version, row.benefits_reference, row.contact_phone) == (1, "", "(414) 555-0100")


def test_a_blank_draft_saves_but_an_invalid_one_does_not(office):
    store, users, ids = office
    with store.session() as s:
        blank = save_draft(s, users["casey"], DraftForm(kind=RequestKind.NEWBORN))
    assert blank.version == 1
    with pytest.raises(InvalidFormError) as caught, store.session() as s:
        save_draft(s, users["casey"], DraftForm(kind=RequestKind.NEWBORN, mother_member_id="M4000004",
                                                birth_weight_grams=9000, delivery_type="Stork"))
    assert set(caught.value.errors) == {"birth-weight", "delivery-type"}


def test_text_typed_but_not_valid_yet_is_kept_not_refused(office):
    store, users, ids = office
    with store.session() as s:
        saved = save_draft(s, users["casey"], DraftForm(kind=RequestKind.SERVICE,
                                                        raw={"contact_phone": "call me", "end_date": "13/45"}))
        form, _ = load_draft(s, users["casey"], saved.request_id)
    assert form.raw == {"contact_phone": "call me", "end_date": "13/45"}


# ----- submit: valid and complete, or no WebCert number -----------------------------------------


def _attach(store, user, request_id, tmp_path) -> None:
    att.add_attachment(store, user, request_id, str(pdf_file(tmp_path)))


def test_submit_refuses_values_that_reached_the_database_by_another_way(office, tmp_path):
    store, users, ids = office
    with store.session() as s:
        saved = save_draft(s, users["casey"], valid_form(ids))
    _attach(store, users["casey"], saved.request_id, tmp_path)
    with store.session() as s:  # what an old version of the app, or a hand-edited row, left behind
        row = s.get(AuthRequest, saved.request_id)
        row.place_of_service, row.contact_phone, row.contact_email = "98", "call me", "not-an-email"
        s.add(row)
        line = s.execute(select(ServiceLine).where(ServiceLine.request_id == row.id)).scalar_one()
        line.code = "ABCDE"
        s.add(line)
        diagnosis = s.execute(select(DiagnosisLine).where(DiagnosisLine.request_id == row.id,
                                                          DiagnosisLine.position == 1)).scalar_one()
        diagnosis.code = "E11"
        s.add(diagnosis)
        version = row.version
    with pytest.raises(IncompleteError) as caught, store.session() as s:
        submit_request(s, users["casey"], saved.request_id, version)
    assert {"place-of-service", "contact-phone", "contact-email", "line-0-code", "diagnosis-1"} <= set(
        caught.value.errors)
    assert {item.field for item in caught.value.missing} == set(caught.value.errors)
    with store.session() as s:
        row = s.get(AuthRequest, saved.request_id)
        assert row.webcert_number is None and row.status == RequestStatus.DRAFT and row.version == version


def test_submit_refuses_an_incomplete_request_with_the_review_pages_list(office):
    store, users, ids = office
    form = valid_form(ids, contact_fax="", treatment_type="")
    with store.session() as s:
        saved = save_draft(s, users["casey"], form)
    with pytest.raises(IncompleteError) as caught, store.session() as s:
        submit_request(s, users["casey"], saved.request_id, saved.version)
    with store.session() as s:
        listed = check_form(s, load_draft(s, users["casey"], saved.request_id)[0], 0)
    assert caught.value.missing == listed
    assert {"contact-fax", "treatment-type", "attachment-add"} <= {item.field for item in listed}
    assert count(store, AuthRequest, status=RequestStatus.PENDING) == 0


def test_a_valid_complete_request_is_submitted(office, tmp_path):
    store, users, ids = office
    with store.session() as s:
        saved = save_draft(s, users["casey"], valid_form(ids))
    _attach(store, users["casey"], saved.request_id, tmp_path)
    with store.session() as s:
        version = s.get(AuthRequest, saved.request_id).version
        result = submit_request(s, users["casey"], saved.request_id, version)
    assert result.webcert_number.startswith("WC-")


# ----- load → save without a change writes nothing ----------------------------------------------


def _snapshot(store, request_id):
    with store.session() as s:
        row = s.get(AuthRequest, request_id)
        columns = {c.name: getattr(row, c.name) for c in AuthRequest.__table__.columns}
        rows = (
            [(d.id, d.code) for d in s.execute(select(DiagnosisLine).where(DiagnosisLine.request_id == request_id))
             .scalars()],
            [(x.id, x.code, x.clinical_outcome) for x in s.execute(
                select(ServiceLine).where(ServiceLine.request_id == request_id)).scalars()],
            s.execute(select(func.count()).select_from(CaseEvent).where(CaseEvent.request_id == request_id))
            .scalar_one(),
        )
    return columns, rows


@pytest.mark.parametrize("kind", list(RequestKind))
def test_load_then_save_unchanged_is_a_no_op_for_every_kind(office, kind):
    store, users, ids = office
    form = valid_form(ids, kind=kind, contact_phone="414-555-0100", contact_fax="414.555.0101",
                      urgency=Urgency.EXPEDITED, expedited_reasons=[ExpeditedCriterion.CANCER])
    if kind.is_inpatient:
        form.care_setting, form.category, form.treatment_type = "inpatient", "Surgical admission", \
            treatment_types("Surgical admission")[0]
        form.facility_provider_id = ids["hospital"]
        form.place_of_service = "21"
    if kind is RequestKind.EMERGENT_ADMISSION:
        form.admitted_via_er = True
        form.admission_at = datetime(2026, 3, 2, 9, 15, 42, 123, tzinfo=UTC)
    if kind is RequestKind.NEWBORN:
        form.mother_member_id, form.delivery_date = "m4000004", date(2026, 3, 1)
        form.delivery_type, form.birth_weight_grams, form.nicu = delivery_types()[1], 3250, True
    with store.session() as s:
        saved = save_draft(s, users["casey"], form)
    before = _snapshot(store, saved.request_id)
    assert before[0]["contact_phone"] == "(414) 555-0100" and before[0]["contact_fax"] == "(414) 555-0101"
    if kind is RequestKind.EMERGENT_ADMISSION:
        assert before[0]["admission_at"] == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 3, 2, 16, 0, tzinfo=UTC), tick=False), store.session() as s:
        loaded, current = load_draft(s, users["casey"], saved.request_id)
        again = save_draft(s, users["casey"], loaded, request_id=saved.request_id, expected_version=current.version)
    assert again == current
    assert _snapshot(store, saved.request_id) == before
    # The original form, as typed, is also "no change": it normalises to what is stored.
    with time_machine.travel(datetime(2026, 3, 2, 16, 5, tzinfo=UTC), tick=False), store.session() as s:
        save_draft(s, users["casey"], form, request_id=saved.request_id, expected_version=current.version)
    assert _snapshot(store, saved.request_id) == before


def test_a_change_bumps_once_and_keeps_a_derived_outcome_whose_inputs_did_not_change(office):
    store, users, ids = office
    with store.session() as s:
        saved = save_draft(s, users["casey"], valid_form(ids))
    with store.session() as s:  # the clinical rules changed since the line was saved
        line = s.execute(select(ServiceLine).where(ServiceLine.request_id == saved.request_id)).scalar_one()
        assert line.clinical_outcome == ClinicalOutcome.CRITERIA_MET
        line.clinical_outcome = ClinicalOutcome.REVIEW_REQUIRED
        s.add(line)
    with store.session() as s:
        changed = save_draft(s, users["casey"], valid_form(ids, benefits_reference="BEN-1"),
                             request_id=saved.request_id, expected_version=1)
    assert changed.version == 2
    with store.session() as s:
        line = s.execute(select(ServiceLine).where(ServiceLine.request_id == saved.request_id)).scalar_one()
        assert line.clinical_outcome == ClinicalOutcome.REVIEW_REQUIRED  # not re-derived
    answers = {q.id: "no" for q in clinical.questions_for("27447")}
    form = valid_form(ids, benefits_reference="BEN-1")
    form.lines[0].clinical_answers = answers
    with store.session() as s:
        save_draft(s, users["casey"], form, request_id=saved.request_id, expected_version=2)
        line = s.execute(select(ServiceLine).where(ServiceLine.request_id == saved.request_id)).scalar_one()
        assert line.clinical_outcome == ClinicalOutcome.REVIEW_REQUIRED and line.clinical_answers == answers


def test_an_unchanged_save_over_a_newer_version_still_conflicts_when_it_differs(office):
    store, users, ids = office
    with store.session() as s:
        saved = save_draft(s, users["casey"], valid_form(ids))
    with store.session() as s:
        save_draft(s, users["colleague"], valid_form(ids, benefits_reference="THEIRS"),
                   request_id=saved.request_id, expected_version=1)
    with pytest.raises(ConflictError), store.session() as s:
        save_draft(s, users["casey"], valid_form(ids), request_id=saved.request_id, expected_version=1)


# ----- random valid drafts round-trip ------------------------------------------------------------

DIAGNOSES = ["M17.11", "E11.9", "I10", "J45.909", "C50.911", "S72.001A", "O80", "Z38.00", "F32.9", "N18.6"]
PROCEDURES = ["27447", "99213", "70551", "J9271", "E0601", "G0299", "0001U", "97110", "59400", "96413"]
MODIFIERS = ["RT", "LT", "59", "XS", "KX", "NU", "RR", "25"]
PHONES = ["414-555-0100", "(414) 555-0123", "414.555.0199", "+1 414 555 0142", "4145550111"]
EMAILS = ["casey@north.example", "Casey.Clerk@North.Example", "a.b+c@clinic.example", ""]
DAY0 = date(2026, 3, 2)
TYPED = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=30)


@st.composite
def valid_drafts(draw, ids):
    """Any form the store must accept: blanks allowed, every value valid, written any way a clerk may."""
    kind = draw(st.sampled_from(list(RequestKind)))
    days = st.integers(0, 30).map(lambda n: DAY0 + timedelta(days=n))
    maybe = lambda strategy, blank: st.one_of(st.just(blank), strategy)  # noqa: E731
    start = draw(maybe(days, None))
    end = draw(maybe(days.filter(lambda d: start is None or d >= start), None))
    care = draw(maybe(st.sampled_from(["inpatient", "outpatient"]), None))
    category = draw(maybe(st.sampled_from(categories(care) if care else ("Surgery",)), ""))
    treatment = draw(maybe(st.sampled_from(treatment_types(category) or ("",)), "")) if category else ""
    codes = draw(st.lists(st.sampled_from(DIAGNOSES), unique=True, max_size=4))
    primary = draw(st.integers(0, max(0, len(codes) - 1)))
    diagnoses = [DiagnosisInput(c.lower().replace(".", "") if i % 2 else c, i == primary and draw(st.booleans()))
                 for i, c in enumerate(codes)]
    lines = []
    for code in draw(st.lists(st.sampled_from(PROCEDURES), max_size=3)):
        first = draw(maybe(days, None))
        last = draw(maybe(days.filter(lambda d: first is None or d >= first), None))
        questions = clinical.questions_for(code)
        answers = {q.id: draw(st.sampled_from(q.options)) for q in questions if q.options and draw(st.booleans())}
        lines.append(LineInput(code.lower(), draw(st.lists(st.sampled_from(MODIFIERS), unique=True, max_size=4)),
                               first, last, draw(maybe(st.integers(1, 9999), None)), "", answers))
    form = DraftForm(
        kind=kind, member_id=draw(st.sampled_from(["", "M1000001", " m1000001 ", "M9999999"])),
        requesting_provider_id=draw(maybe(st.sampled_from(list(ids.values())), None)),
        servicing_provider_id=draw(maybe(st.sampled_from(list(ids.values())), None)),
        facility_provider_id=draw(maybe(st.just(ids["hospital"]), None)),
        care_setting=care, category=category, treatment_type=treatment,
        place_of_service=draw(st.sampled_from(["", "11", "2", "21", "22", "99"])),
        start_date=start, end_date=end, diagnoses=diagnoses, lines=lines,
        urgency=draw(st.sampled_from(list(Urgency))),
        expedited_reasons=draw(st.lists(st.sampled_from([c.value for c in ExpeditedCriterion]), unique=True,
                                        max_size=3)),
        benefits_reference=draw(st.text("ABC123- ", max_size=40)),
        contact_name=draw(TYPED), contact_phone=draw(maybe(st.sampled_from(PHONES), "")),
        contact_phone_ext=draw(st.sampled_from(["", "12", "123456"])),
        contact_fax=draw(maybe(st.sampled_from(PHONES), "")), contact_email=draw(st.sampled_from(EMAILS)),
        wizard_step=draw(st.integers(0, 6)),
        raw=draw(st.dictionaries(st.sampled_from(["end_date", "contact_phone", "line-0-units", "diagnosis_search"]),
                                 TYPED.filter(str.strip), max_size=2)),
    )
    if kind is RequestKind.EMERGENT_ADMISSION:
        form.admitted_via_er = draw(st.booleans())
        form.admission_at = draw(maybe(st.datetimes(datetime(2026, 1, 1), datetime(2026, 3, 2), timezones=st.just(UTC)),
                                       None))
    if kind is RequestKind.NEWBORN:
        form.mother_member_id = draw(st.sampled_from(["", "M4000004"]))
        form.delivery_date = draw(maybe(days, None))
        form.delivery_type = draw(maybe(st.sampled_from(delivery_types()), ""))
        form.birth_weight_grams = draw(maybe(st.integers(200, 7000), None))
        form.nicu = draw(st.booleans())
        form.newborn_first_name = draw(st.sampled_from(["", "Baby", " Ana-Maria ", "José"]))
        form.newborn_last_name = draw(st.sampled_from(["", "Mother", "O'Neil"]))
        form.newborn_sex = draw(st.sampled_from(["", "f", "M", "u"]))
        form.newborn_member_id = draw(st.sampled_from(["", "n5000005"]))
        born = form.delivery_date is not None and form.delivery_date <= DAY0  # a baby is not born in the future
        form.newborn_birth_date = form.delivery_date if born and draw(st.booleans()) else None
    return form


@FIXTURES
@given(data=st.data())
def test_random_valid_drafts_save_and_round_trip_unchanged(office, data):
    store, users, ids = office
    form = data.draw(valid_drafts(ids))
    assert form_errors(None, normalize_form(form)) == {}
    with store.session() as s:
        saved = save_draft(s, users["casey"], form)
    before = _snapshot(store, saved.request_id)
    with store.session() as s:
        loaded, current = load_draft(s, users["casey"], saved.request_id)
        assert loaded == normalize_form(form)
        assert normalize_form(loaded) == loaded  # normalising is stable
        again = save_draft(s, users["casey"], loaded, request_id=saved.request_id, expected_version=current.version)
    assert again == current and _snapshot(store, saved.request_id) == before


# ----- who may change a case ---------------------------------------------------------------------


def test_only_the_creator_or_an_admin_cancels_a_draft(office):
    store, users, ids = office
    with store.session() as s:
        first = save_draft(s, users["casey"], valid_form(ids))
        second = save_draft(s, users["casey"], valid_form(ids))
    with pytest.raises(PermissionDeniedError, match="started this draft"), store.session() as s:
        cancel_draft(s, users["colleague"], first.request_id)
    with pytest.raises(PermissionDeniedError), store.session() as s:
        cancel_draft(s, users["reviewer"], first.request_id)
    assert count(store, AuthRequest, status=RequestStatus.CANCELLED) == 0
    with store.session() as s:
        cancel_draft(s, users["casey"], first.request_id, expected_version=1)
        cancel_draft(s, users["admin"], second.request_id)
    assert count(store, AuthRequest, status=RequestStatus.CANCELLED) == 2
    with store.session() as s:
        assert s.get(AuthRequest, first.request_id).version == 2


def test_a_colleague_may_edit_but_a_reviewer_changes_no_draft(office, tmp_path):
    store, users, ids = office
    with store.session() as s:
        saved = save_draft(s, users["casey"], valid_form(ids))
    with store.session() as s:
        save_draft(s, users["colleague"], valid_form(ids, benefits_reference="B1"), request_id=saved.request_id,
                   expected_version=1)
    with pytest.raises(PermissionDeniedError), store.session() as s:
        save_draft(s, users["reviewer"], valid_form(ids, benefits_reference="B2"), request_id=saved.request_id,
                   expected_version=2)
    with pytest.raises(PermissionDeniedError), store.session() as s:
        save_draft(s, users["reviewer"], valid_form(ids))
    _attach(store, users["casey"], saved.request_id, tmp_path)
    with pytest.raises(PermissionDeniedError), store.session() as s:
        submit_request(s, users["reviewer"], saved.request_id, 3)
    assert count(store, AuthRequest, status=RequestStatus.PENDING) == 0


# ----- copying a rejected request ---------------------------------------------------------------


def _reject(store, request_id) -> None:
    with store.session() as s:
        row = s.get(AuthRequest, request_id)
        row.status = RequestStatus.REJECTED
        row.reject_reason = "Missing imaging"
        s.add(row)


def test_copy_of_a_rejected_request_keeps_every_field_and_its_files_by_hash(office, tmp_path):
    store, users, ids = office
    form = valid_form(ids, wizard_step=5, benefits_reference="BEN-7")
    with store.session() as s:
        saved = save_draft(s, users["casey"], form)
    _attach(store, users["casey"], saved.request_id, tmp_path)
    att.add_attachment(store, users["casey"], saved.request_id, str(pdf_file(tmp_path, "same-content.pdf")))
    _reject(store, saved.request_id)
    blobs = sorted(p for p in store.attachments_dir.rglob("*") if p.is_file())
    with store.session() as s:
        copy = copy_to_new_draft(s, users["colleague"], saved.request_id)
    with store.session() as s:
        copied, _ = load_draft(s, users["colleague"], copy.request_id)
        source = {(a.filename, a.sha256, a.stored_path) for a in s.execute(
            select(Attachment).where(Attachment.request_id == saved.request_id)).scalars()}
        target = {(a.filename, a.sha256, a.stored_path) for a in s.execute(
            select(Attachment).where(Attachment.request_id == copy.request_id)).scalars()}
    expected = normalize_form(form)
    expected.wizard_step = 0
    assert copied == expected and copied.treatment_type == "Orthopedic surgery"
    assert target == source and len(target) == 2
    assert sorted(p for p in store.attachments_dir.rglob("*") if p.is_file()) == blobs  # no blob stored twice


def test_copy_keeps_a_value_that_is_no_longer_valid_as_text(office):
    store, users, ids = office
    with store.session() as s:
        saved = save_draft(s, users["casey"], valid_form(ids))
        row = s.get(AuthRequest, saved.request_id)
        row.treatment_type, row.contact_phone = "Retired treatment", "call me"
        s.add(row)
    _reject(store, saved.request_id)
    with store.session() as s:
        copy = copy_to_new_draft(s, users["casey"], saved.request_id)
        copied, _ = load_draft(s, users["casey"], copy.request_id)
    assert copied.treatment_type == "" and copied.raw["treatment_type"] == "Retired treatment"
    assert copied.contact_phone == "" and copied.raw["contact_phone"] == "call me"


def test_only_a_closed_request_is_copied_and_not_by_a_reviewer(office):
    store, users, ids = office
    with store.session() as s:
        saved = save_draft(s, users["casey"], valid_form(ids))
    with pytest.raises(InvalidTransitionError), store.session() as s:
        copy_to_new_draft(s, users["casey"], saved.request_id)
    _reject(store, saved.request_id)
    with pytest.raises(PermissionDeniedError), store.session() as s:
        copy_to_new_draft(s, users["reviewer"], saved.request_id)
