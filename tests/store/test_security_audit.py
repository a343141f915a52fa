"""The audit log: what is recorded, who may read it, and that it cannot be changed."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DatabaseError

from store.demo import seed_demo
from store.enums import RequestStatus, Role
from store.errors import PermissionDeniedError, ValidationError
from store.models import AuditEvent, AuthRequest, Member, User
from store.services.audit import (
    AuditAction,
    count_events,
    export_events_csv,
    list_events,
    parse_since,
    record,
    view_case,
)
from store.services.auth import sign_in, to_user_record
from store.services.timeline import add_event
from tests.factories import PASSWORD, make_user


@pytest.fixture
def demo(store, frozen_now):
    seed_demo(store, cases=40)
    with store.session() as session:
        users = {u.username: to_user_record(session, u) for u in session.execute(select(User)).scalars()}
        case = session.execute(
            select(AuthRequest).where(AuthRequest.status == RequestStatus.PENDING).limit(1)).scalar_one()
    return store, users, case


def _events(store):
    with store.session() as session:
        return session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()


def test_viewing_a_case_is_recorded_with_its_number_only(demo):
    store, users, case = demo
    before = len(_events(store))
    reviewer = users["rita"]
    with store.session() as session:
        view_case(session, reviewer, case.id)
    event = _events(store)[before]
    assert (event.action, event.username, event.case_number, event.request_id) == (
        "viewed", "rita", case.webcert_number, case.id)
    with store.session() as session:
        member = session.get(Member, case.member_pk)
    for column in (event.detail, event.username, event.case_number):
        assert member.last_name not in column and member.member_id not in column


def test_timeline_events_by_people_become_audit_events(demo):
    store, users, case = demo
    before = len(_events(store))
    with store.session() as session:
        add_event(session, case.id, "accepted", "Accepted by the plan for Whitfield, Dana", users["rita"])
        add_event(session, case.id, "Submitted", "WC-…", users["amy"])
        add_event(session, case.id, "Attachment added", "knee-xray.pdf", users["amy"])
        add_event(session, case.id, "expired", "", None)  # the system: timeline only
    actions = [(e.action, e.username, e.detail) for e in _events(store)[before:]]
    assert actions == [("decided", "rita", "accepted"), ("submitted", "amy", "Submitted"),
                       ("changed", "amy", "Attachment added")]


def test_the_log_cannot_be_changed_or_deleted(demo):
    store, users, _ = demo
    with store.session() as session:
        record(session, AuditAction.OPENED_FILE, users["amy"], detail="letter")
    with pytest.raises(DatabaseError, match="append-only"), store.session() as session:
        session.execute(update(AuditEvent).values(username="someone-else"))
    with pytest.raises(DatabaseError, match="append-only"), store.session() as session:
        session.execute(delete(AuditEvent))
    assert _events(store)[-1].username == "amy"


def test_clerks_cannot_read_it_reviewers_and_admins_can(demo):
    store, users, case = demo
    admin = make_user(store, "boss", role=Role.ADMIN, org=None)
    with store.session() as session:
        view_case(session, users["amy"], case.id)
        with pytest.raises(PermissionDeniedError):
            list_events(session, users["amy"])
        assert list_events(session, users["rita"], action="viewed")[0].username == "amy"
        assert count_events(session, admin, action="viewed") == 1


def test_filters_by_time_action_user_and_case(demo, frozen_now):
    store, users, case = demo
    with store.session() as session:
        record(session, AuditAction.OPENED_FILE, users["amy"], request_id=case.id, at=frozen_now - timedelta(days=3))
        record(session, AuditAction.OPENED_FILE, users["ben"], request_id=case.id)
        rita = users["rita"]
        assert len(list_events(session, rita, action="opened-file")) == 2
        assert len(list_events(session, rita, action="opened-file", since=frozen_now - timedelta(days=1))) == 1
        assert [e.username for e in list_events(session, rita, username="AMY", action="opened-file")] == ["amy"]
        assert len(list_events(session, rita, case_number=case.webcert_number.lower())) == 2
        with pytest.raises(ValidationError, match="Unknown action"):
            list_events(session, rita, action="hacked")


def test_sign_in_failures_and_successes_are_in_the_log(store, frozen_now):
    make_user(store, "amy")
    with store.session() as session:
        sign_in(session, "amy", PASSWORD)
    with pytest.raises(Exception), store.session() as session:
        sign_in(session, "amy", "wrong-password")
    assert [(e.action, e.username) for e in _events(store)] == [("signed-in", "amy"), ("sign-in-failed", "amy")]


def test_export_to_csv_is_itself_recorded(demo, tmp_path):
    store, users, case = demo
    with store.session() as session:
        view_case(session, users["amy"], case.id)
    with store.session() as session:
        n = export_events_csv(session, users["rita"], tmp_path / "audit.csv", action="viewed")
    with open(tmp_path / "audit.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert n == 1 and rows[0][:3] == ["at", "action", "username"] and rows[1][1:3] == ["viewed", "amy"]
    assert _events(store)[-1].action == "exported-csv"


@pytest.mark.parametrize("text", ["2026-03-01", "2026-03-01T12:00:00+00:00", "7d", "24h"])
def test_since_accepts_dates_times_and_ages(text, frozen_now):
    assert parse_since(text) <= frozen_now


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "", "7w"])
def test_since_refuses_anything_else_at_its_field(text):
    with pytest.raises(ValidationError) as refused:
        parse_since(text)
    assert set(refused.value.errors) == {"since"}


@pytest.fixture
def amys_file(demo, tmp_path):
    """(store, users, amy, a pending case of her organization, a clinical file attached to it)."""
    from store.services.attachments import add_attachment

    store, users, _ = demo
    amy = users["amy"]
    with store.session() as session:
        case = session.execute(
            select(AuthRequest).where(AuthRequest.status == RequestStatus.PENDING,
                                      AuthRequest.organization_id == amy.organization_id).limit(1)).scalar_one()
    source = tmp_path / "notes.txt"
    source.write_text("clinical notes\n", encoding="utf-8")
    return store, users, amy, case, add_attachment(store, amy, case.id, str(source))


def test_exporting_and_opening_a_file_are_recorded_and_never_overwrite(amys_file, tmp_path):
    from store.services.attachments import export_file, record_file_opened

    store, users, amy, case, attached = amys_file
    out = tmp_path / "out"
    out.mkdir()
    first = export_file(store, amy, case.id, attached.id, f"  '{out}'  ")  # quotes and spaces as pasted
    second = export_file(store, amy, case.id, attached.id, out)
    assert (first.name, second.name) == ("notes.txt", "notes (1).txt")
    assert second.read_text(encoding="utf-8") == "clinical notes\n"
    assert record_file_opened(store, amy, case.id, attached.id).is_file()
    rows = [e for e in _events(store) if e.action in ("exported-file", "opened-file")]
    assert [e.action for e in rows] == ["exported-file", "exported-file", "opened-file"]
    assert all(e.request_id == case.id and e.username == "amy" and e.detail == "notes.txt (clinical)"
               for e in rows)


def test_a_refused_export_says_why_at_the_folder_and_records_nothing(amys_file, tmp_path):
    from store.errors import NotFoundError
    from store.services.attachments import export_file, record_file_opened

    store, users, amy, case, attached = amys_file
    a_file = tmp_path / "plain"
    a_file.write_text("", encoding="utf-8")
    for folder, message in (("", "Type the folder"), (tmp_path / "nowhere", "There is no folder"),
                            (a_file, "is a file, not a folder")):
        with pytest.raises(ValidationError) as refused:
            export_file(store, amy, case.id, attached.id, folder)
        assert message in str(refused.value) and refused.value.errors.keys() == {"folder"}
    other = make_user(store, "zed", org="ELSEWHERE")  # another organization: as if the file did not exist
    for attempt in (lambda: export_file(store, other, case.id, attached.id, tmp_path),
                    lambda: record_file_opened(store, other, case.id, attached.id)):
        with pytest.raises(NotFoundError):
            attempt()
    assert not [e for e in _events(store) if e.action in ("exported-file", "opened-file")]
