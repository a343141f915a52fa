"""Member and provider imports hold against junk files (both backends)."""

from __future__ import annotations

import codecs
from datetime import date

import pytest
from sqlalchemy import func, select

from store.codes.npi import make_npi
from store.errors import ValidationError
from store.models import Coverage, Member, Provider
from store.services.directory import DirectoryImportError, import_members, import_providers
from store.services.eligibility import check_eligibility

HEADER = ("member_id,medicaid_id,first_name,last_name,birth_date,sex,email,plan_name,group_number,"
          "coverage_order,coverage_start,coverage_end\n")
ROW = "M100,,{first},Whitfield,1980-05-17,F,,Lakeshore Health,G1,primary,2025-01-01,\n"


def _write(tmp_path, data: bytes, name="members.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _import(store, path):
    with store.session() as session:
        return import_members(session, path)


def _refused(store, path) -> str:
    with store.session() as session, pytest.raises(ValidationError) as refused:
        import_members(session, path)
    with store.session() as session:
        assert session.execute(select(func.count()).select_from(Member)).scalar_one() == 0
    return str(refused.value)


def _first_name(store) -> str:
    with store.session() as session:
        return session.execute(select(Member.first_name)).scalar_one()


@pytest.mark.parametrize(("encoding", "label", "data"), [
    ("utf-8", "UTF-8", (HEADER + ROW.format(first="Zoë")).encode("utf-8")),
    ("utf-8-sig", "UTF-8", codecs.BOM_UTF8 + (HEADER + ROW.format(first="Zoë")).encode("utf-8")),
    ("utf-16", "UTF-16", (HEADER + ROW.format(first="Zoë")).encode("utf-16")),
    ("utf-16-le", "UTF-16", (HEADER + ROW.format(first="Zoë")).encode("utf-16-le")),
    ("latin-1", "Windows-1252", (HEADER + ROW.format(first="Zoë")).encode("latin-1")),
    ("cp1252", "Windows-1252", (HEADER + ROW.format(first="Zoë")).encode("cp1252")),
])
def test_encodings_are_detected(store, tmp_path, encoding, label, data):
    report = _import(store, _write(tmp_path, data))
    assert report.added == 1 and report.encoding == label
    assert _first_name(store) == "Zoë"


def test_windows_1252_quotes_survive(store, tmp_path):
    data = (HEADER + ROW.format(first="D\u2019Arcy")).encode("cp1252")
    _import(store, _write(tmp_path, data))
    assert _first_name(store) == "D\u2019Arcy"


def test_bytes_of_no_encoding_are_refused_with_the_line(store, tmp_path):
    data = (HEADER + ROW.format(first="Ann")).encode() + b"M101,,Bad\x81Byte,X,1980-01-01,F,,P,,primary,2025-01-01,\n"
    message = _refused(store, _write(tmp_path, data))
    assert "line 3" in message and "0x81" in message and "UTF-8 or Windows-1252" in message


def test_a_binary_file_is_refused(store, tmp_path):
    message = _refused(store, _write(tmp_path, (HEADER + ROW.format(first="Ann")).encode() + b"\x00\x01\x02garbage"))
    assert "NUL byte" in message and "not a text CSV file" in message


def test_every_problem_of_a_row_is_listed(store, tmp_path):
    bad = HEADER + "M100,,Ann,Lee,1990-13-01,Mxyzzy,,,G1,tertiary,2025-01-01,2024-01-01\n"
    message = _refused(store, _write(tmp_path, bad.encode()))
    line = next(ln for ln in message.splitlines() if "line 2" in ln)
    for part in ("plan_name is empty", "sex must be F, M or U, not 'Mxyzzy'", "coverage_order must be",
                 "birth_date '1990-13-01' is not a date", "coverage_end is before coverage_start"):
        assert part in line, part


def test_every_bad_row_is_counted(store, tmp_path):
    bad = HEADER + "".join(f"M{i},,Ann,Lee,2030-01-01,F,,P,,primary,2025-01-01,\n" for i in range(70))
    message = _refused(store, _write(tmp_path, bad.encode()))
    assert "70 lines with problems (and 20 more)" in message


@pytest.mark.parametrize("birth", ["2030-01-01", "0026-05-17", "1850-01-01"])
def test_implausible_birth_dates_are_refused(store, tmp_path, birth):
    message = _refused(store, _write(tmp_path, (HEADER + ROW.format(first="Ann").replace("1980-05-17", birth)).encode()))
    assert "birth_date" in message and "not plausible" in message


def test_identical_rows_are_refused(store, tmp_path):
    row = ROW.format(first="Ann")
    message = _refused(store, _write(tmp_path, (HEADER + row + row).encode()))
    assert "line 3: repeats the coverage period of line 2" in message


def test_same_member_id_with_another_identity_is_refused(store, tmp_path):
    other = "M100,,Bob,Whitfield,1971-01-01,M,,Lakeshore Health,G1,primary,2026-01-01,\n"
    message = _refused(store, _write(tmp_path, (HEADER + ROW.format(first="Ann") + other).encode()))
    assert "line 3: member M100 is on line 2 with another first_name, birth_date, sex" in message


@pytest.mark.parametrize(("value", "expected"), [
    ("Ann\x1bEvil", "control character"),
    ("A" * 5000, "5,000 characters long; at most 100"),
])
def test_bad_text_is_a_line_message_on_both_backends(store, tmp_path, value, expected):
    message = _refused(store, _write(tmp_path, (HEADER + ROW.format(first=value)).encode()))
    assert "line 2: first_name" in message and expected in message


def test_member_ids_are_normalised_like_the_lookup(store, tmp_path):
    _import(store, _write(tmp_path, (HEADER + ROW.format(first="Ann").replace("M100", "ho 60003")).encode()))
    with store.session() as session:
        assert session.execute(select(Member.member_id)).scalar_one() == "HO60003"
        assert check_eligibility(session, "HO 60003", date(2026, 3, 2)).first_name == "Ann"
        assert check_eligibility(session, "ho60003", date(2026, 3, 2)).first_name == "Ann"


def test_a_member_id_longer_than_the_column_is_refused(store, tmp_path):
    message = _refused(store, _write(tmp_path, (HEADER + ROW.format(first="Ann").replace("M100", "M" * 40)).encode()))
    assert "line 2: member_id is 40 characters long; at most 20" in message


def test_reimport_of_the_same_file_writes_nothing(store, tmp_path):
    rows = "".join(f"M{i},,Ann,Lee{i},1980-01-01,F,,P,,primary,2025-01-01,\n" for i in range(50))
    path = _write(tmp_path, (HEADER + rows).encode())
    first = _import(store, path)
    with store.session() as session:
        before = sorted(session.execute(select(Coverage.id)).scalars())
    again = _import(store, path)
    with store.session() as session:
        after = sorted(session.execute(select(Coverage.id)).scalars())
    assert (first.added, again.added, again.updated, again.unchanged) == (50, 0, 0, 50)
    assert before == after  # coverage rows left alone, not deleted and re-inserted


def test_progress_is_reported_for_big_files(store, tmp_path):
    rows = "".join(f"M{i},,Ann,Lee,1980-01-01,F,,P,,primary,2025-01-01,\n" for i in range(6000))
    seen = []
    with store.session() as session:
        import_members(session, _write(tmp_path, (HEADER + rows).encode()),
                       progress=lambda done, total, what: seen.append((done, total, what)))
    assert (5000, 6000, "checked") in seen and (6000, 6000, "checked") in seen


# --- providers -------------------------------------------------------------------------

PROVIDERS = "npi,provider_number,name,facility\n"


def _providers(store, tmp_path, text: str):
    path = _write(tmp_path, text.encode(), "providers.csv")
    with store.session() as session:
        return import_providers(session, path)


def test_npi_with_dashes_and_spaces_is_taken_like_the_validator(store, tmp_path):
    npi = make_npi("100000001")
    _providers(store, tmp_path, PROVIDERS + f"{npi[:3]}-{npi[3:6]} {npi[6:]},P1,Ana Rivera MD,no\n")
    with store.session() as session:
        assert session.execute(select(Provider.npi)).scalar_one() == npi


def test_provider_listed_twice_and_bad_npis_are_refused_with_all_problems(store, tmp_path):
    npi = make_npi("100000001")
    text = (PROVIDERS + f"{npi},P1,Ana,no\n" + f"{npi},P2,Ana again,no\n"
            + "١٢٣٤٥٦٧٨٩٠,,Arabic digits,maybe\n")
    with store.session() as session, pytest.raises(DirectoryImportError) as refused:
        import_providers(session, _write(tmp_path, text.encode(), "providers.csv"))
    message = str(refused.value)
    assert f"line 3: NPI {npi} is listed on line 2 too" in message
    line4 = next(ln for ln in message.splitlines() if "line 4" in ln)
    assert "NPI '١٢٣٤٥٦٧٨٩٠' is not valid" in line4 and "provider_number is empty" in line4
    assert "facility must be yes or no" in line4


def test_provider_reimport_writes_nothing(store, tmp_path):
    text = PROVIDERS + "".join(f"{make_npi(f'1000000{i:02d}')},P{i},Doc {i},no\n" for i in range(20))
    first = _providers(store, tmp_path, text)
    again = _providers(store, tmp_path, text)
    assert (first.added, again.added, again.updated, again.unchanged) == (20, 0, 0, 20)
