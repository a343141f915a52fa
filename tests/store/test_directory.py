"""Importing member eligibility and the provider directory."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from store.codes.npi import make_npi
from store.errors import ValidationError
from store.models import Coverage, Member, Organization, Provider
from store.services.directory import import_members, import_providers

MEMBERS = """member_id,medicaid_id,first_name,last_name,birth_date,sex,email,plan_name,group_number,coverage_order,coverage_start,coverage_end
m100,MC1,Dana,Whitfield,1980-05-17,F,dana@example.com,Lakeshore Health,G1,primary,2025-01-01,
M101,,Luis,Ortega,07/04/1975,M,,Lakeshore Health,G1,secondary,2025-01-01,2025-12-31
M101,,Luis,Ortega,07/04/1975,M,,Lakeshore Health,G1,primary,2026-01-01,
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_members_and_coverage_periods(store, tmp_path):
    with store.session() as session:
        report = import_members(session, write(tmp_path, "m.csv", MEMBERS))
    assert (report.added, report.updated, report.rows) == (2, 0, 3)
    with store.session() as session:
        assert session.execute(select(func.count()).select_from(Coverage)).scalar_one() == 3
        luis = session.execute(select(Member).where(Member.member_id == "M101")).scalar_one()
        assert luis.birth_date == date(1975, 7, 4)
        assert session.execute(select(Member.member_id).where(Member.member_id == "M100")).scalar_one()


def test_reimport_updates_and_replaces_coverage(store, tmp_path):
    with store.session() as session:
        import_members(session, write(tmp_path, "m.csv", MEMBERS))
    again = MEMBERS.splitlines()[0] + "\nM100,,Dana,Whitfield-Lee,1980-05-17,F,,Lakeshore Health,G1,primary,2026-01-01,\n"
    with store.session() as session:
        report = import_members(session, write(tmp_path, "m2.csv", again))
    assert (report.added, report.updated) == (0, 1)
    with store.session() as session:
        dana = session.execute(select(Member).where(Member.member_id == "M100")).scalar_one()
        periods = session.execute(select(Coverage).where(Coverage.member_pk == dana.id)).scalars().all()
    assert dana.last_name == "Whitfield-Lee"
    assert [p.start_date for p in periods] == [date(2026, 1, 1)]


def test_bad_member_rows_import_nothing_and_name_each_line(store, tmp_path):
    bad = MEMBERS + "M102,,A,B,1990-13-01,F,,P,,primary,2025-01-01,\nM103,,A,B,1990-01-01,X,,P,,tertiary,2025-01-01,\n"
    with store.session() as session, pytest.raises(ValidationError) as info:
        import_members(session, write(tmp_path, "bad.csv", bad))
    message = str(info.value)
    assert "nothing imported" in message
    assert "line 5: birth_date '1990-13-01' is not a date" in message
    assert "line 6: sex must be F, M or U" in message
    with store.session() as session:
        assert session.execute(select(func.count()).select_from(Member)).scalar_one() == 0


def test_missing_columns_and_missing_file(store, tmp_path):
    with store.session() as session, pytest.raises(ValidationError, match="missing columns? .*birth_date"):
        import_members(session, write(tmp_path, "m.csv", "member_id,first_name\nM1,A\n"))
    with store.session() as session, pytest.raises(ValidationError, match="No such file"):
        import_members(session, tmp_path / "nope.csv")


def test_providers_with_organizations(store, tmp_path):
    text = (
        "npi,provider_number,name,specialty,facility,phone,fax,address,organization_code\n"
        f"{make_npi('100000001')},P1,Rivera Ana MD,Orthopedics,no,,,,NORTH\n"
        f"{make_npi('100000002')},F1,Lakeside Hospital,Acute care,yes,,,,\n"
    )
    with store.session() as session:
        report = import_providers(session, write(tmp_path, "p.csv", text))
    assert report.added == 2
    with store.session() as session:
        hospital = session.execute(select(Provider).where(Provider.provider_number == "F1")).scalar_one()
        assert hospital.is_facility and hospital.organization_id is None
        assert session.execute(select(Organization.code)).scalars().all() == ["NORTH"]


def test_bad_npi_and_number_clash_are_refused(store, tmp_path):
    text = (
        "npi,provider_number,name\n"
        "1234567890,P1,Bad Check Digit\n"
        f"{make_npi('100000001')},P2,A\n"
        f"{make_npi('100000002')},P2,B\n"
    )
    with store.session() as session, pytest.raises(ValidationError) as info:
        import_providers(session, write(tmp_path, "p.csv", text))
    assert "line 2: NPI '1234567890' is not valid" in str(info.value)
    assert "line 4: provider_number P2 is also used by NPI" in str(info.value)


def test_each_import_is_in_the_audit_log_with_its_file_and_counts(store, tmp_path):
    from store.models import AuditEvent

    with store.session() as session:
        import_members(session, write(tmp_path, "members-2026.csv", MEMBERS))
    with store.session() as session:
        import_members(session, write(tmp_path, "members-2026.csv", MEMBERS))  # again: nothing changes
    with store.session() as session:
        events = session.execute(select(AuditEvent).where(AuditEvent.action == "imported")
                                 .order_by(AuditEvent.id)).scalars().all()
    assert [(e.username, e.detail) for e in events] == [
        ("command line", "members from members-2026.csv: 2 added, 0 updated"),
        ("command line", "members from members-2026.csv: 0 added, 0 updated"),
    ]
    assert all("Whitfield" not in e.detail for e in events)
