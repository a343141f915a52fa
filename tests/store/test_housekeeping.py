"""Housekeeping: draft expiry at 96 h, reminders exactly once, idempotent, then mail."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from store.enums import OutboxStatus, RequestStatus
from store.models import AuthRequest, CaseEvent, OutboxMail
from store.services.housekeeping import run_housekeeping
from tests.store.review_cases import make_case, people

CREATED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _mails(store):
    with store.session() as s:
        return [(m.mail_kind, m.request_id, m.to_address) for m in s.execute(select(OutboxMail).order_by(OutboxMail.id)).scalars()]


def _draft(store, clerk, created=CREATED, **kw):
    return make_case(store, clerk, status=RequestStatus.DRAFT, created_at=created, **kw)


@pytest.fixture
def clerk(store):
    return people(store)[0]


def test_reminder_24h_before_then_expiry_at_96h_each_exactly_once(store, clerk):
    draft = _draft(store, clerk)
    with time_machine.travel(CREATED + timedelta(hours=71, minutes=59), tick=False):
        report = run_housekeeping(store)
        assert (report.expired, report.reminders) == (0, 0)
        assert _mails(store) == []
    with time_machine.travel(CREATED + timedelta(hours=72), tick=False):
        report = run_housekeeping(store)
        assert (report.expired, report.reminders) == (0, 1)
        assert _mails(store) == [("draft_expiring", draft, "casey@north.example")]
        assert run_housekeeping(store).reminders == 0  # idempotent
    with time_machine.travel(CREATED + timedelta(hours=95, minutes=59), tick=False):
        report = run_housekeeping(store)
        assert (report.expired, report.reminders) == (0, 0)
        with store.session() as s:
            assert s.get(AuthRequest, draft).status == RequestStatus.DRAFT
    at_expiry = CREATED + timedelta(hours=96)
    with time_machine.travel(at_expiry, tick=False):
        report = run_housekeeping(store)
        assert (report.expired, report.expired_notices, report.reminders) == (1, 1, 0)
        again = run_housekeeping(store)
        assert (again.expired, again.expired_notices, again.reminders) == (0, 0, 0)
    with time_machine.travel(at_expiry + timedelta(days=3), tick=False):
        run_housekeeping(store)
    assert _mails(store) == [
        ("draft_expiring", draft, "casey@north.example"),
        ("draft_expired", draft, "casey@north.example"),
    ]
    with store.session() as s:
        req = s.get(AuthRequest, draft)
        assert req.status == RequestStatus.EXPIRED
        assert req.expiry_reminder_queued_at == CREATED + timedelta(hours=72)
        assert req.expired_notice_queued_at == at_expiry
        assert req.version == 2  # the reminder did not bump it; the expiry did
        events = [(e.event, e.actor_name) for e in s.execute(select(CaseEvent).where(CaseEvent.request_id == draft)).scalars()]
        assert events == [("expiry_reminder", "system"), ("expired", "system")]
        mails = list(s.execute(select(OutboxMail).order_by(OutboxMail.id)).scalars())
        assert mails[0].subject.startswith("Draft D-") and mails[0].subject.endswith(" expires 03/06/2026 08:00 UTC")
        assert "will expire at 03/06/2026 08:00 UTC" in mails[0].body
        assert "expired at 03/06/2026 08:00 UTC without being submitted" in mails[1].body


def test_a_draft_found_already_past_expiry_gets_only_the_expiry_notice(store, clerk):
    draft = _draft(store, clerk)
    with time_machine.travel(CREATED + timedelta(days=10), tick=False):
        report = run_housekeeping(store)
    assert (report.expired, report.expired_notices, report.reminders) == (1, 1, 0)
    assert [(k, r) for k, r, _ in _mails(store)] == [("draft_expired", draft)]


def test_only_drafts_expire_and_row_without_expires_at_uses_created_plus_96h(store, clerk):
    draft = _draft(store, clerk)
    with store.session() as s:
        s.get(AuthRequest, draft).expires_at = None
    pending = make_case(store, clerk, created_at=CREATED - timedelta(days=30))
    with time_machine.travel(CREATED + timedelta(hours=80), tick=False):
        assert run_housekeeping(store).reminders == 1
    with time_machine.travel(CREATED + timedelta(hours=96), tick=False):
        assert run_housekeeping(store).expired == 1
    with store.session() as s:
        assert s.get(AuthRequest, pending).status == RequestStatus.PENDING
        assert s.get(AuthRequest, draft).expires_at == CREATED + timedelta(hours=96)


def test_submitted_before_the_run_is_not_touched(store, clerk):
    draft = _draft(store, clerk)
    with store.session() as s:
        s.get(AuthRequest, draft).status = RequestStatus.PENDING
    with time_machine.travel(CREATED + timedelta(days=5), tick=False):
        report = run_housekeeping(store)
    assert (report.expired, report.reminders) == (0, 0) and _mails(store) == []


def test_mail_goes_to_the_creator_when_the_draft_has_no_contact_email(store, clerk):
    _draft(store, clerk, contact_email="")
    with time_machine.travel(CREATED + timedelta(hours=90), tick=False):
        run_housekeeping(store)
    assert _mails(store)[0][2] == "casey@north.example"  # the clerk's own address


def test_many_drafts_in_one_run(store, clerk):
    ids = [_draft(store, clerk, created=CREATED + timedelta(minutes=i)) for i in range(5)]
    with time_machine.travel(CREATED + timedelta(hours=100), tick=False):
        report = run_housekeeping(store)
    assert report.expired == 5 and report.expired_notices == 5
    assert sorted(r for _, r, _ in _mails(store)) == ids


def test_report_text_without_smtp(store, clerk):
    _draft(store, clerk)
    with time_machine.travel(CREATED + timedelta(hours=97), tick=False):
        report = run_housekeeping(store)
    assert str(report) == (
        "drafts: 1 expired (1 expiry notice(s) queued), 0 expiry reminder(s) queued\n"
        "mail: SMTP not configured; 1 mail(s) wait in the outbox"
    )


def test_bad_smtp_config_does_not_stop_the_draft_work(store, clerk, monkeypatch):
    _draft(store, clerk)
    monkeypatch.setenv("AUTHDESK_SMTP_HOST", "localhost")
    monkeypatch.setenv("AUTHDESK_SMTP_PORT", "smtp")
    with time_machine.travel(CREATED + timedelta(hours=97), tick=False):
        report = run_housekeeping(store)
    assert report.expired == 1
    assert "mail: not sent — SMTP port must be a number, not 'smtp'." in str(report)


def test_housekeeping_sends_the_outbox_when_smtp_is_configured(store, clerk, monkeypatch):
    from aiosmtpd.controller import Controller

    from tests.store.test_mailer import Collector

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("AUTHDESK_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("AUTHDESK_SMTP_PORT", str(port))
        monkeypatch.setenv("AUTHDESK_SMTP_SENDER", "desk@plan.example")
        _draft(store, clerk)
        with time_machine.travel(CREATED + timedelta(hours=97), tick=False):
            report = run_housekeeping(store)
            assert report.mail is not None and report.mail.sent == 1
            assert run_housekeeping(store).mail.attempted == 0
    finally:
        controller.stop()
    assert len(handler.messages) == 1
    with store.session() as s:
        (row,) = s.execute(select(OutboxMail)).scalars()
        assert row.status == OutboxStatus.SENT


def test_cli_housekeeping_prints_the_report(tmp_path, monkeypatch, capsys):
    from store.store import open_store
    from tui.__main__ import main

    db = tmp_path / "cli.sqlite"
    store = open_store(f"sqlite:///{db}")
    try:
        clerk = people(store)[0]
        _draft(store, clerk)
    finally:
        store.dispose()
    with time_machine.travel(CREATED + timedelta(hours=97), tick=False):
        assert main(["--db", str(db), "housekeeping"]) == 0
        assert main(["--db", str(db), "housekeeping"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "drafts: 1 expired (1 expiry notice(s) queued), 0 expiry reminder(s) queued"
    assert out[2] == "drafts: 0 expired (0 expiry notice(s) queued), 0 expiry reminder(s) queued"


def test_nothing_to_do_reads_only_the_partial_indexes_of_drafts_it_may_change(store, clerk):
    """Each draft query of a run names the index it reads (SQLite's plan; on PostgreSQL the same partial
    indexes exist): drafts already reminded are in none of them."""
    from sqlalchemy import text

    from store.services.housekeeping import REMINDER_BEFORE, _due_ids, _soon_ids

    _draft(store, clerk)
    dialect = store.engine.dialect.name
    now = CREATED + timedelta(hours=1)
    queries = _soon_ids(now, REMINDER_BEFORE, 500, dialect) + _due_ids(now, 500, dialect)
    expected = ["ix_request_reminder_due", "ix_request_draft_no_expiry", "ix_request_status_expires",
                "ix_request_draft_no_expiry"]
    with store.engine.connect() as conn:
        indexes = set(conn.execute(text(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'auth_request' "
            "AND indexdef LIKE '%WHERE%'"
            if dialect == "postgresql" else
            "SELECT name FROM sqlite_master WHERE tbl_name = 'auth_request' AND sql LIKE '%WHERE%'")).scalars())
        assert {"ix_request_reminder_due", "ix_request_draft_no_expiry"} <= indexes
        if dialect != "sqlite":
            return
        for query, index in zip(queries, expected, strict=True):
            compiled = query.compile(conn)
            plan = " ".join(row[-1] for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + str(compiled), tuple(compiled.construct_params(
                    _check=False).get(k) for k in compiled.positiontup)))
            assert f"INDEX {index} " in plan, plan
