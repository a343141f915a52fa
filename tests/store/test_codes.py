"""Code sets and field validators: ICD-10-CM, CPT/HCPCS, NPI, POS, dates, units, phone, email."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store import validate
from store.codes.icd10 import dotted, normalize_icd10, validate_diagnosis
from store.codes.npi import is_valid_npi, make_npi, npi_check_digit, validate_npi
from store.codes.pos import validate_place_of_service
from store.codes.procedures import procedure_type, shipped_hcpcs, validate_procedure_code
from store.errors import ValidationError

# ----- ICD-10-CM -----


def test_index_holds_the_billable_release(code_index):
    assert 74_000 < code_index.billable_count() < 75_500


@pytest.mark.parametrize("typed", ["M17.11", "m1711", " M17.11 ", "m 17.11", "M17 11"])
def test_any_spelling_of_a_billable_code_validates(code_index, typed):
    hit = validate_diagnosis(typed)
    assert hit.code == "M17.11"
    assert hit.description == "Unilateral primary osteoarthritis, right knee"


def test_category_is_not_billable_and_names_its_codes(code_index):
    with pytest.raises(ValidationError) as err:
        validate_diagnosis("M17.1")
    message = err.value.errors["diagnosis-search"]
    assert "not a billable code" in message and "M17.11" in message


@pytest.mark.parametrize("typed, words", [("Q99.99", "not an ICD-10-CM code"), ("12345", "not shaped"),
                                          ("", "Enter")])
def test_unknown_or_malformed_codes_are_refused(code_index, typed, words):
    with pytest.raises(ValidationError) as err:
        validate_diagnosis(typed)
    assert words in str(err.value)


def test_search_by_code_prefix_and_by_words(code_index):
    assert [h.code for h in code_index.search_diagnoses("m17.1", 4)] == ["M17.1", "M17.10", "M17.11", "M17.12"]
    words = code_index.search_diagnoses("osteoarthritis right knee", 8)
    assert "M17.11" in [h.code for h in words]
    assert all(h.billable for h in words[:3])
    assert code_index.search_diagnoses("", 8) == []
    assert code_index.search_diagnoses("zzzzqqq", 8) == []


def test_procedure_search_covers_shipped_hcpcs(code_index):
    assert [h.code for h in code_index.search_procedures("J9035")] == ["J9035"]
    assert any(h.code == "K0001" for h in code_index.search_procedures("wheelchair"))


@given(st.from_regex(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?", fullmatch=True))
def test_normalisation_round_trips(code):
    assert dotted(normalize_icd10(code.lower())) == code
    assert normalize_icd10(f"  {code.lower()} ") == code.replace(".", "")


# ----- CPT / HCPCS -----


@given(st.from_regex(r"[0-9]{4}[0-9FTU]", fullmatch=True))
def test_every_cpt_shape_is_accepted(code):
    assert validate_procedure_code(code.lower()).code_type == "CPT"


@given(st.from_regex(r"[A-V][0-9]{4}", fullmatch=True))
def test_every_hcpcs_shape_is_accepted(code):
    found = validate_procedure_code(f" {code.lower()} ")
    assert found.code == code and found.code_type == "HCPCS"
    assert found.description == shipped_hcpcs().get(code, "")


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-", max_size=7))
def test_anything_else_is_refused_with_both_formats(text):
    if procedure_type(text) is not None:
        return
    with pytest.raises(ValidationError) as err:
        validate_procedure_code(text)
    assert "CPT" in str(err.value) or "Enter" in str(err.value)


@pytest.mark.parametrize("code", ["2744X", "W1234", "Z9999", "123456", "0001V"])
def test_bad_procedure_codes(code):
    with pytest.raises(ValidationError, match="CPT"):
        validate_procedure_code(code)


# ----- NPI -----


@given(st.from_regex(r"[12][0-9]{8}", fullmatch=True))
def test_npi_check_digit_luhn_over_80840(base):
    npi = make_npi(base)
    assert npi == base + str(npi_check_digit(base)) and is_valid_npi(npi)
    wrong = base + str((int(npi[-1]) + 1) % 10)
    assert not is_valid_npi(wrong)
    with pytest.raises(ValidationError, match="check digit"):
        validate_npi(wrong)


def test_known_npis():
    assert is_valid_npi("1234567893")
    assert not is_valid_npi("1234567890")
    with pytest.raises(ValidationError, match="10 digits"):
        validate_npi("12345")


# ----- place of service, dates, units, weights, phone, email -----


def test_place_of_service():
    assert validate_place_of_service("11") == "11"
    assert validate_place_of_service("1") == "01"
    with pytest.raises(ValidationError, match="place of service"):
        validate_place_of_service("30")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_dates_in_every_accepted_spelling(day):
    for text in (day.strftime("%m/%d/%Y"), day.isoformat(), day.strftime("%m%d%Y")):
        assert validate.parse_date(text) == day
    assert validate.parse_date(validate.format_date(day)) == day


def test_relative_dates(frozen_now):
    today = frozen_now.date()
    assert validate.parse_date("t") == today
    assert validate.parse_date("T+3") == today + timedelta(days=3)
    assert validate.parse_date("t-1") == today - timedelta(days=1)


@pytest.mark.parametrize("text", ["13/45/2026", "02/30/2026", "yesterday", "03/09/1066", ""])
def test_bad_dates(text):
    with pytest.raises(ValidationError):
        validate.parse_date(text, "start-date")


def test_end_before_start():
    validate.check_date_range(date(2026, 3, 2), date(2026, 3, 2))
    with pytest.raises(ValidationError, match="before the start date"):
        validate.check_date_range(date(2026, 3, 2), date(2026, 3, 1), "end-date")


def test_datetime():
    assert validate.parse_datetime("03/02/2026 09:15").hour == 9
    assert validate.parse_datetime("03/02/2026 2:05pm").hour == 14
    for bad in ("03/02/2026", "03/02/2026 25:00", "03/02/2026 13:00pm"):
        with pytest.raises(ValidationError):
            validate.parse_datetime(bad)


@given(st.integers(min_value=-10_000, max_value=20_000))
def test_units(n):
    if 1 <= n <= validate.MAX_UNITS:
        assert validate.parse_units(str(n)) == n
    else:
        with pytest.raises(ValidationError):
            validate.parse_units(str(n))


def test_birth_weight():
    assert validate.parse_weight_grams("3250") == 3250
    assert validate.parse_weight_grams("3,250 g") == 3250
    assert validate.parse_weight_grams("7 lb 3 oz") == 3260
    for bad in ("heavy", "20", "9000"):
        with pytest.raises(ValidationError):
            validate.parse_weight_grams(bad)


@given(st.from_regex(r"[2-9][0-9]{2}", fullmatch=True), st.from_regex(r"[0-9]{4}", fullmatch=True))
def test_fictional_phone_numbers_normalise(area, line):
    if area[1:] == "11" or area[0] == "9" or area in {"555", "370", "371", "372", "373", "374", "375",
                                                       "376", "377", "378", "379", "950", "958", "959"}:
        return
    typed = f"{area}.555.01{line[:2]}"
    assert validate.validate_phone(typed) == f"({area}) 555-01{line[:2]}"


@pytest.mark.parametrize("text", ["123", "phone", "", "555-555-55555"])
def test_bad_phones(text):
    with pytest.raises(ValidationError):
        validate.validate_phone(text, "contact-phone")


def test_email():
    assert validate.validate_email(" casey@north.example ") == "casey@north.example"
    for bad in ("casey", "casey@", "@north.example", ""):
        with pytest.raises(ValidationError):
            validate.validate_email(bad, "contact-email")
