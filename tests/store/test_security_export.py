"""CSV export neutralises spreadsheet formulas (CSV injection, OWASP) and is audited."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select, update

from store.demo import seed_demo
from store.enums import RequestStatus
from store.errors import ValidationError
from store.models import AuditEvent, AuthRequest, User
from store.services.auth import to_user_record
from store.services.export import export_rows_csv, safe_cell

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(1+9)",
    "\tleading tab",
    "\rleading return",
    '=HYPERLINK("http://evil.example","click")',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_formula_start_is_quoted(payload):
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("harmless", ["Whitfield, Dana", "D-000123", "2026-03-02", "", "a=b", "O'Neil"])
def test_harmless_cells_stay_as_they_are(harmless):
    assert safe_cell(harmless) == harmless


@pytest.fixture
def seeded(store, frozen_now):
    seed_demo(store, cases=120)
    with store.session() as session:
        amy = to_user_record(session, session.execute(select(User).where(User.username == "amy")).scalar_one())
    return store, amy


def test_payloads_in_member_name_and_id_reach_the_file_neutralised(seeded, tmp_path):
    store, amy = seeded
    from store.services.cases import list_requests

    with store.session() as session:
        rows = list_requests(session, amy, RequestStatus.DRAFT, limit=len(PAYLOADS)).rows
    assert len(rows) == len(PAYLOADS), "the demo office has enough drafts"
    with store.session() as session:
        for row, payload in zip(rows, PAYLOADS, strict=True):
            session.execute(update(AuthRequest).where(AuthRequest.id == row.id)
                            .values(member_name=payload, member_id_entered=payload[:20]))
    path = tmp_path / "drafts.csv"
    with store.session() as session:
        export_rows_csv(session, amy, RequestStatus.DRAFT, "", "updated", path)
    with open(path, newline="", encoding="utf-8") as handle:
        cells = [cell for line in list(csv.reader(handle))[1:] for cell in line]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    for payload in PAYLOADS:
        assert "'" + payload in cells


def test_export_is_audited_and_a_bad_filter_is_a_message(seeded, tmp_path):
    store, amy = seeded
    with store.session() as session:
        n = export_rows_csv(session, amy, RequestStatus.DRAFT, "", "updated", tmp_path / "x.csv")
    with store.session() as session:
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "exported-csv")).scalar_one()
    assert event.username == "amy" and f"{n} rows" in event.detail
    with store.session() as session, pytest.raises(ValidationError, match="NUL") as bad:
        export_rows_csv(session, amy, RequestStatus.DRAFT, "a\x00b", "updated", tmp_path / "y.csv")
    assert "filter" in bad.value.errors
