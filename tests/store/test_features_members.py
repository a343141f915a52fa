"""Issue 10: member look-up by name and date of birth, newborn details, the plan's contacts, migration 0010."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import inspect, text

from store.enums import RequestKind, Role
from store.errors import PermissionDeniedError, ValidationError
from store.forms import DraftForm
from store.migrate import alembic_config
from store.models import AuthRequest
from store.services.cases import get_case
from store.services.drafts import load_draft, save_draft
from store.services.member_lookup import find_members
from store.services.newborn import newborn_errors, parse_sex
from store.services.plan_contacts import (
    DEMO_CONTACTS,
    PlanContacts,
    clean_plan_contacts,
    load_plan_contacts,
    save_plan_contacts,
)
from tests.factories import make_member, make_user

BORN = date(1980, 5, 17)


@pytest.fixture
def members(store, frozen_now):
    make_member(store, "M1000001", first="Dana", last="Whitfield", birth=BORN)
    make_member(store, "M1000002", first="Dale", last="Whitfield", birth=BORN)
    make_member(store, "M1000003", first="Dana", last="Whitfield", birth=date(1981, 5, 17))
    make_member(store, "M1000004", first="Ann", last="O'Neil", birth=BORN)
    return store


# ----- member look-up -----


def test_last_name_and_birth_date_find_every_match_first_name_narrows(members):
    with members.session() as s:
        both = find_members(s, "  whitfield ", BORN)
        assert [m.member_id for m in both] == ["M1000002", "M1000001"]  # by first name
        assert both[0].name == "Whitfield, Dale"
        assert [m.member_id for m in find_members(s, "WHITFIELD", BORN, first_name="dan")] == ["M1000001"]
        assert [m.member_id for m in find_members(s, "o'neil", BORN)] == ["M1000004"]
        assert find_members(s, "Whitfield", date(1990, 1, 1)) == []
        assert find_members(s, "Whit", BORN) == []  # the whole last name, not a part


def test_look_up_needs_both_last_name_and_birth_date(members):
    with pytest.raises(ValidationError) as err, members.session() as s:
        find_members(s, " ", None)
    assert set(err.value.errors) == {"lookup-last-name", "lookup-birth-date"}


# ----- newborn -----


def _newborn(**changes) -> DraftForm:
    form = DraftForm(kind=RequestKind.NEWBORN, member_id="m1000001", delivery_date=date(2026, 3, 1),
                     newborn_first_name="Baby Girl", newborn_last_name="Whitfield", newborn_sex="F",
                     newborn_birth_date=date(2026, 3, 1))
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def test_the_mothers_id_is_typed_once_and_the_baby_is_kept(members):
    clerk = make_user(members, "clerk1", org="NORTH")
    with members.session() as s:
        saved = save_draft(s, clerk, _newborn(newborn_member_id="n2000009"))
        row = s.get(AuthRequest, saved.request_id)
        assert row.mother_member_id == "M1000001" and row.newborn_member_id == "N2000009"
        form, _ = load_draft(s, clerk, saved.request_id)
        assert (form.newborn_first_name, form.newborn_last_name, form.newborn_sex, form.newborn_birth_date) == (
            "Baby Girl", "Whitfield", "F", date(2026, 3, 1))
        case = get_case(s, clerk, saved.request_id)
        assert case.newborn_member_id == "N2000009" and case.mother_member_id == "M1000001"


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"newborn_member_id": "M1000001"}, "newborn-member-id", "mother's member ID"),
    ({"newborn_first_name": "B4by"}, "newborn-first-name", "letters"),
    ({"newborn_sex": "X"}, "newborn-sex", "F (female)"),
    ({"newborn_birth_date": date(2026, 3, 5)}, "newborn-birth-date", "future"),
    ({"newborn_birth_date": date(2026, 2, 20)}, "newborn-birth-date", "not the delivery date"),
])
def test_newborn_details_are_checked_at_their_field(changes, field, words):
    errors = newborn_errors(_newborn(**changes), today=date(2026, 3, 2))
    assert list(errors) == [field] and words in errors[field]


def test_newborn_details_are_optional_and_sex_is_parsed():
    assert newborn_errors(_newborn(newborn_first_name="", newborn_last_name="", newborn_sex="",
                                   newborn_birth_date=None), today=date(2026, 3, 2)) == {}
    assert newborn_errors(DraftForm(kind=RequestKind.SERVICE, newborn_sex="X"), today=date(2026, 3, 2)) == {}
    assert [parse_sex(t) for t in ("f", "Male", " u ", "")] == ["F", "M", "U", ""]
    with pytest.raises(ValidationError):
        parse_sex("boy")


# ----- plan contacts -----


def test_plan_contacts_are_a_database_setting_kept_by_an_administrator(store):
    admin = make_user(store, "admin1", role=Role.ADMIN, org=None)
    clerk = make_user(store, "clerk1", org="NORTH")
    with store.session() as s:
        assert load_plan_contacts(s).is_empty and load_plan_contacts(s).lines() == []
        with pytest.raises(PermissionDeniedError):
            save_plan_contacts(s, clerk, DEMO_CONTACTS)
        save_plan_contacts(s, admin, clean_plan_contacts(
            team="CMSI intake team", intake_phones="262-369-8750, 800-861-8744",
            intake_hours="Monday to Friday, 8:00 AM to 4:30 PM CST", clinical_fax="(262) 555-0148"))
    with store.session() as s:
        contacts = load_plan_contacts(s)
    assert contacts.intake_phones == ("262-369-8750", "800-861-8744")
    assert contacts.lines() == [
        "Questions or assistance: call the CMSI intake team at 262-369-8750 or 800-861-8744, "
        "Monday to Friday, 8:00 AM to 4:30 PM CST.",
        "Fax for clinical information: (262) 555-0148.",
    ]


def test_bad_contacts_are_refused_at_their_field():
    with pytest.raises(ValidationError) as err:
        clean_plan_contacts(intake_phones="262-369-8750, 12", clinical_fax="fax me", team="x" * 300)
    assert set(err.value.errors) == {"intake-phones", "clinical-fax", "team"}
    assert PlanContacts().is_empty


# ----- migration 0010 -----


def test_0010_upgrades_a_database_holding_data_and_downgrades(store):
    config = alembic_config(store.engine)
    command.downgrade(config, "0006")
    assert "newborn_sex" not in {c["name"] for c in inspect(store.engine).get_columns("auth_request")}
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO auth_request (kind, status, version, draft_number, member_id_entered, medicaid_id_entered,"
            " member_name, category, treatment_type, place_of_service, admitted_via_er, mother_member_id,"
            " delivery_type, nicu, urgency, requested_urgency, expedited_reasons, benefits_reference, contact_name,"
            " contact_phone, contact_phone_ext, contact_fax, contact_email, wizard_step, form_state, reject_reason,"
            " search_text, created_at, updated_at) VALUES ('newborn', 'draft', 1, 'D-000001', 'M1', '', 'A, B',"
            " '', '', '', false, 'M1', '', false, 'standard', 'standard', '[]', '', '', '', '', '', '', 0, '{}', '',"
            " '', '2026-03-01', '2026-03-01')"))
        conn.execute(text(
            "INSERT INTO service_line (request_id, line_number, code, code_type, description, modifier, status,"
            " decision_reason, was_pended, clinical_outcome, clinical_answers) VALUES (1, 1, '99460', 'CPT', '',"
            " '', 'A4', '', true, 'not_required', '{}')"))
    command.upgrade(config, "head")
    with store.engine.connect() as conn:
        row = conn.execute(text(
            "SELECT mother_member_id, newborn_member_id, newborn_sex, newborn_birth_date FROM auth_request")).one()
        assert tuple(row) == ("M1", "", "", None)
        line = conn.execute(text("SELECT status, information_received_at FROM service_line")).one()
        assert tuple(line) == ("A4", None)
    command.downgrade(config, "0006")
    with store.engine.connect() as conn:  # nothing cascaded away
        assert conn.execute(text("SELECT count(*) FROM service_line")).scalar_one() == 1
    assert "information_received_at" not in {c["name"] for c in inspect(store.engine).get_columns("service_line")}
    command.upgrade(config, "head")
