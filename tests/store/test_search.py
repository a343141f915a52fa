"""Finding a case by each kind of number and by member name, within what the user may see."""

from __future__ import annotations

import pytest

from store.enums import RequestKind, RequestStatus
from store.services.search import normalize_numbers, search_cases
from tests.store.review_cases import make_case, people


@pytest.fixture
def world(store):
    clerk, other, reviewer = people(store)
    ids = {
        "whitfield": make_case(store, clerk, n=12, kind=RequestKind.SERVICE),
        "whitfield_ip": make_case(store, clerk, n=13, kind=RequestKind.INPATIENT),
        "white": make_case(store, clerk, n=14, member=("M2000002", "Ana", "White")),
        "draft": make_case(store, clerk, n=15, status=RequestStatus.DRAFT, member=("M3000003", "Bo", "Nadal")),
        "south": make_case(store, other, n=16, org="SOUTH", member=("M4000004", "Lee", "Park")),
    }
    return clerk, other, reviewer, ids


def _ids(rows):
    return [r.id for r in rows]


def test_normalize_numbers():
    assert normalize_numbers(" wc-0000012 ")["webcert"] == {"WC-0000012"}
    assert normalize_numbers("WC12")["webcert"] == {"WC-0000012"}
    assert normalize_numbers("wc 12")["webcert"] == {"WC-0000012"}
    assert normalize_numbers("sp0000012")["auth"] == {"SP0000012"}
    assert normalize_numbers("IP-13")["auth"] == {"IP0000013"}
    assert normalize_numbers("d-15")["draft"] == {"D-000015"}
    assert normalize_numbers("m1000001")["member"] == {"M1000001", "m1000001"}
    assert normalize_numbers("Whitfield, Dana") == {"webcert": set(), "auth": set(), "draft": set(), "member": set()}


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("WC-0000012", "whitfield"),
        ("wc-0000012", "whitfield"),
        ("wc12", "whitfield"),
        ("SP0000012", "whitfield"),
        ("sp 12", "whitfield"),
        ("IP0000013", "whitfield_ip"),
        ("D-000015", "draft"),
        ("d-000015", "draft"),
        ("M2000002", "white"),
        ("m2000002", "white"),
    ],
)
def test_exact_number_finds_one_case(store, world, typed, key):
    clerk, _, _, ids = world
    with store.session() as s:
        rows = search_cases(s, clerk, typed)
    assert _ids(rows)[0] == ids[key]
    assert len(rows) == 1


def test_member_id_finds_all_their_cases(store, world):
    clerk, _, _, ids = world
    with store.session() as s:
        rows = search_cases(s, clerk, "M1000001")
    assert sorted(_ids(rows)) == sorted([ids["whitfield"], ids["whitfield_ip"]])


def test_names_prefix_first_then_contains(store, world):
    clerk, _, _, ids = world
    with store.session() as s:
        rows = search_cases(s, clerk, "whit")
        assert set(_ids(rows)) == {ids["whitfield"], ids["whitfield_ip"], ids["white"]}
        assert rows[0].member_name == "White, Ana"  # prefix matches, by name
        assert search_cases(s, clerk, "Whitfield, Dana")[0].member_name == "Whitfield, Dana"
        assert set(_ids(search_cases(s, clerk, "dana whitfield"))) == {ids["whitfield"], ids["whitfield_ip"]}
        # Contains: the first name is not a prefix of "Last, First".
        assert set(_ids(search_cases(s, clerk, "ana"))) == {ids["white"], ids["whitfield"], ids["whitfield_ip"]}
        contains = search_cases(s, clerk, "ana")
        assert contains[0].member_name == "White, Ana"  # "ana" is no prefix: all contain; then sorted by name
        assert _ids(search_cases(s, clerk, "n")) == [ids["draft"]]  # one letter: prefix only (Nadal)
        assert search_cases(s, clerk, "zzz") == []
        assert search_cases(s, clerk, "   ") == []


def test_a_number_is_looked_up_exactly_and_nothing_else(store, world):
    clerk, _, _, ids = world
    # A member whose name contains the text of another case's number: a number
    # goes to the exact indexes and stops there (no name scan after it).
    make_case(store, clerk, n=40, member=("M5000005", "Wc", "Wc-0000012"))
    with store.session() as s:
        rows = search_cases(s, clerk, "wc-0000012")
        assert [r.id for r in rows] == [ids["whitfield"]]
        assert rows[0].webcert_number == "WC-0000012"
        # the name is still found by its words
        assert any(r.member_name == "Wc-0000012, Wc" for r in search_cases(s, clerk, "wc"))


def test_results_respect_visibility(store, world):
    clerk, other, reviewer, ids = world
    with store.session() as s:
        assert search_cases(s, clerk, "WC-0000016") == []
        assert search_cases(s, clerk, "park") == []
        assert search_cases(s, clerk, "M4000004") == []
        assert _ids(search_cases(s, other, "WC-0000016")) == [ids["south"]]
        assert search_cases(s, other, "whit") == []
        assert _ids(search_cases(s, reviewer, "park")) == [ids["south"]]


def test_limit(store, world):
    clerk, _, _, _ = world
    with store.session() as s:
        assert len(search_cases(s, clerk, "whit", limit=2)) == 2
        assert search_cases(s, clerk, "whit", limit=0) == []
