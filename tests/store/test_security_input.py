"""Bad bytes and over-long text at every entry point: a field message on both backends,
never a driver error (DataError, StringDataRightTruncation, "LIKE pattern too complex")."""

from __future__ import annotations

from datetime import date

import pytest

from store.enums import RequestStatus
from store.errors import AuthenticationError, NotFoundError, ValidationError
from store.services.auth import WRONG_CREDENTIALS, request_password_reset, reset_password, sign_in
from store.services.cases import count_by_status, list_requests
from store.services.eligibility import check_eligibility
from store.services.providers import find_provider_by_npi, search_providers
from store.services.search import search_cases
from tests.factories import make_member, make_user

NUL = "WC\x00-0000001"
CONTROL = "Whit\x1bfield"
HUGE = "x" * 100_000


@pytest.fixture
def amy(store):
    return make_user(store, "amy")


@pytest.mark.parametrize("bad", [NUL, CONTROL, HUGE], ids=["nul", "control", "huge"])
def test_filter_refuses_with_a_message(store, amy, bad):
    with store.session() as session:
        with pytest.raises(ValidationError) as refused:
            list_requests(session, amy, RequestStatus.DRAFT, text=bad)
        assert set(refused.value.errors) == {"filter"}
        with pytest.raises(ValidationError):
            count_by_status(session, amy, bad)


def test_huge_filter_names_the_limit(store, amy):
    with store.session() as session, pytest.raises(ValidationError, match="100,000 characters long; at most 200"):
        list_requests(session, amy, RequestStatus.DRAFT, text=HUGE)


def test_many_words_within_the_limit_still_answer(store, amy):
    with store.session() as session:
        assert list_requests(session, amy, RequestStatus.DRAFT, text="a " * 99).rows == ()


@pytest.mark.parametrize("bad", [NUL, CONTROL, HUGE], ids=["nul", "control", "huge"])
def test_case_search_refuses_with_a_message(store, amy, bad):
    with store.session() as session, pytest.raises(ValidationError) as refused:
        search_cases(session, amy, bad)
    assert set(refused.value.errors) == {"search"}


@pytest.mark.parametrize("bad", [NUL, CONTROL, HUGE], ids=["nul", "control", "huge"])
def test_provider_search_refuses_with_a_message(store, bad):
    with store.session() as session, pytest.raises(ValidationError) as refused:
        search_providers(session, bad)
    assert set(refused.value.errors) == {"provider-search"}


@pytest.mark.parametrize("bad", ["12345\x0067890", "١٢٣٤٥٦٧٨٩٠", "9" * 5000])
def test_provider_lookup_by_npi_finds_nothing_for_junk(store, bad):
    with store.session() as session:
        assert find_provider_by_npi(session, bad) is None


@pytest.mark.parametrize(("member_id", "medicaid_id", "field"), [
    ("M1\x0000001", "", "member-id"),
    ("M" * 40, "", "member-id"),
    ("", "MC\x00", "medicaid-id"),
    ("", "9" * 21, "medicaid-id"),
])
def test_eligibility_refuses_bad_ids_at_their_field(store, member_id, medicaid_id, field):
    with store.session() as session, pytest.raises(ValidationError) as refused:
        check_eligibility(session, member_id, date(2026, 3, 2), medicaid_id=medicaid_id)
    assert set(refused.value.errors) == {field}


def test_member_id_typed_with_a_space_is_found(store):
    make_member(store, "HO60003")
    with store.session() as session:
        assert check_eligibility(session, " ho 60003 ", date(2026, 3, 2)).member_id == "HO60003"
    with store.session() as session, pytest.raises(NotFoundError):
        check_eligibility(session, "HO60004", date(2026, 3, 2))


@pytest.mark.parametrize("name", ["am\x00y", "a" * 5000, "amy\x1b"])
def test_sign_in_and_reset_with_junk_usernames_answer_like_unknown_ones(store, amy, name):
    with store.session() as session, pytest.raises(AuthenticationError) as refused:
        sign_in(session, name, "whatever-pw")
    assert str(refused.value) == WRONG_CREDENTIALS
    with store.session() as session:
        assert request_password_reset(session, name) is False
    with store.session() as session, pytest.raises(ValidationError) as refused:
        reset_password(session, name, "123456", "brand-new-pw")
    assert set(refused.value.errors) == {"code"}


@pytest.mark.parametrize(("field", "values"), [
    ("full_name", {"full_name": "Ann\x00Lee"}),
    ("full_name", {"full_name": "A" * 5000}),
    ("email", {"email": "a" * 300 + "@x.example"}),
    ("phone", {"phone": "555\x1b0100"}),
    ("organization", {"organization_code": "NO\x00RTH"}),
    ("username", {"username": "ämy"}),
])
def test_new_users_are_checked_at_every_field(store, field, values):
    from store.services.auth import create_user

    arguments = {"username": "amy", "password": "long-enough-pw", "organization_code": "NORTH", **values}
    username = arguments.pop("username")
    password = arguments.pop("password")
    with store.session() as session, pytest.raises(ValidationError) as refused:
        create_user(session, username, password, **arguments)
    assert set(refused.value.errors) == {field}


def test_registration_lists_every_bad_field(store):
    from store.services.auth import register_user

    make_user(store, "boss", org="NORTH")
    with store.session() as session, pytest.raises(ValidationError) as refused:
        register_user(session, username="newbie", password="long-enough-pw", full_name="N\x00B",
                      email="newbie@north.example", organization_code="NORTH\x00")
    assert set(refused.value.errors) == {"full_name", "organization"}


@pytest.mark.parametrize(("attribute", "value"), [
    ("contact_name", "Casey\x00Clerk"),
    ("benefits_reference", "BR\x1b1"),
    ("member_id", "M" * 40),
    ("contact_name", "C" * 5000),
])
def test_draft_fields_are_refused_at_their_field_on_both_backends(store, amy, attribute, value):
    from store.enums import RequestKind
    from store.forms import DraftForm
    from store.services.drafts import save_draft

    form = DraftForm(kind=RequestKind.SERVICE)
    setattr(form, attribute, value)
    with store.session() as session, pytest.raises(ValidationError) as refused:
        save_draft(session, amy, form)
    assert refused.value.errors and all("Traceback" not in m for m in refused.value.errors.values())
