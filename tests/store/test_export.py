"""CSV export of a dashboard list: every matching row, in the dashboard's order."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from store.demo import seed_demo
from store.enums import RequestStatus
from store.errors import ValidationError
from store.models import User
from store.services.auth import to_user_record
from store.services.cases import count_by_status, list_requests
from store.services.export import CSV_COLUMNS, export_rows_csv


@pytest.fixture
def seeded(store, frozen_now):
    seed_demo(store, cases=160)
    with store.session() as session:
        amy = to_user_record(session, session.execute(select(User).where(User.username == "amy")).scalar_one())
    return store, amy


def _read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_exports_every_visible_row_beyond_one_page(seeded, tmp_path):
    store, amy = seeded
    path = tmp_path / "out" / "accepted.csv"
    with store.session() as session:
        n = export_rows_csv(session, amy, RequestStatus.ACCEPTED, "", "updated", path)
        expected = count_by_status(session, amy)[RequestStatus.ACCEPTED]
        first_page = list_requests(session, amy, RequestStatus.ACCEPTED, limit=5)
    rows = _read(path)
    assert rows[0] == list(CSV_COLUMNS)
    assert n == expected == len(rows) - 1 > 5
    assert [r[0] for r in rows[1:6]] == [r.draft_number for r in first_page.rows]
    assert {r[6] for r in rows[1:]} == {"Accepted"}
    assert not (tmp_path / "out" / "accepted.csv.part").exists()


def test_filter_and_several_statuses(seeded, tmp_path):
    store, amy = seeded
    with store.session() as session:
        row = list_requests(session, amy, RequestStatus.PENDING, limit=1).rows[0]
        n = export_rows_csv(session, amy, RequestStatus.PENDING, row.webcert_number, "member", tmp_path / "one.csv")
        both = export_rows_csv(session, amy, [RequestStatus.EXPIRED, RequestStatus.CANCELLED], "", "updated",
                               tmp_path / "closed.csv", descending=False)
        counts = count_by_status(session, amy)
    assert n == 1 and _read(tmp_path / "one.csv")[1][1] == row.webcert_number
    assert both == counts[RequestStatus.EXPIRED] + counts[RequestStatus.CANCELLED]
    updated = [r[10] for r in _read(tmp_path / "closed.csv")[1:]]
    assert updated == sorted(updated)


def test_unwritable_path_is_a_clear_error(seeded, tmp_path):
    store, amy = seeded
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with store.session() as session, pytest.raises(ValidationError, match="Cannot write"):
        export_rows_csv(session, amy, RequestStatus.DRAFT, "", "updated", blocker / "sub" / "x.csv")
