"""Sending the outbox against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import asyncio
import socket
import threading
from datetime import timedelta
from email import message_from_bytes

import pytest
from sqlalchemy import select

from store.enums import OutboxStatus, Role
from store.errors import NotFoundError, PermissionDeniedError, ValidationError
from store.models import OutboxMail
from store.services import mailer
from store.services.mailer import SmtpSettings, load_smtp_settings, retry_delay, send_pending
from store.services.notifications import queue_mail
from store.types import utcnow
from tests.store.review_cases import make_case, people, quick_user


class Collector:
    """An aiosmtpd handler that keeps what it accepts, or refuses / stalls on demand."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.data_reply: str | None = None
        self.rcpt_reply: str | None = None
        self.stall = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.stall:
            await asyncio.sleep(self.stall)
            return "451 4.3.0 Too late"
        if self.data_reply:
            return self.data_reply
        with self.lock:
            self.messages.append(envelope.content)
        return "250 2.0.0 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [message_from_bytes(m)["Message-ID"] for m in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Start/stop an SMTP server on a free loopback port; yields (start, stop, handler, port)."""
    from aiosmtpd.controller import Controller

    handler = Collector()
    port = free_port()
    running: list = []

    def start(**kwargs):
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        running.append(controller)

    def stop():
        while running:
            running.pop().stop()

    yield start, stop, handler, port
    stop()


def settings_for(port: int, **kw) -> SmtpSettings:
    base = {"host": "127.0.0.1", "port": port, "starttls": False, "sender": "AuthDesk <authdesk@plan.example>", "timeout": 5}
    base.update(kw)
    return SmtpSettings(**base)


def queue(store, n: int = 1, to: str = "casey@north.example") -> list[int]:
    ids = []
    with store.session() as session:
        for i in range(n):
            row = queue_mail(
                session,
                dedupe_key=f"test:{i}:{to}",
                mail_kind="status_change",
                to_address=to,
                subject=f"Mail {i}",
                body=f"Body {i}\n",
            )
            session.flush()
            ids.append(row.id)
    return ids


def rows(store) -> list[OutboxMail]:
    with store.session() as session:
        return list(session.execute(select(OutboxMail).order_by(OutboxMail.id)).scalars())


# --- settings -----------------------------------------------------------------------


def test_settings_from_config_file_and_environment(tmp_path):
    config = tmp_path / "config.toml"
    assert load_smtp_settings(config, environ={}) is None  # no file: not configured
    config.write_text(
        '[smtp]\nhost = "mail.plan.example"\nport = 587\nusername = "desk"\npassword = "s3cret"\n'
        'sender = "AuthDesk <desk@plan.example>"\n',
        encoding="utf-8",
    )
    s = load_smtp_settings(config, environ={})
    assert (s.host, s.port, s.starttls, s.username, s.password) == ("mail.plan.example", 587, True, "desk", "s3cret")
    assert s.sender == "AuthDesk <desk@plan.example>" and s.timeout == 30
    assert "s3cret" not in repr(s) and "s3cret" not in s.describe()
    s = load_smtp_settings(
        config,
        environ={
            "AUTHDESK_SMTP_HOST": "relay.local",
            "AUTHDESK_SMTP_PORT": "25",
            "AUTHDESK_SMTP_STARTTLS": "no",
            "AUTHDESK_SMTP_USERNAME": "",  # empty means "not set": the file's value stays
            "AUTHDESK_SMTP_SENDER": "ops@plan.example",
            "AUTHDESK_SMTP_TIMEOUT": "2.5",
        },
    )
    assert (s.host, s.port, s.starttls, s.username, s.sender, s.timeout) == (
        "relay.local", 25, False, "desk", "ops@plan.example", 2.5,
    )
    # Environment alone is enough; STARTTLS defaults on for 587 only.
    assert load_smtp_settings(tmp_path / "none.toml", environ={"AUTHDESK_SMTP_HOST": "h", "AUTHDESK_SMTP_PORT": "25"}).starttls is False
    assert load_smtp_settings(tmp_path / "none.toml", environ={"AUTHDESK_SMTP_HOST": "h"}).starttls is True


def test_settings_default_location_is_the_config_dir(tmp_path, monkeypatch):
    from store import paths

    folder = paths.config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text('[smtp]\nhost = "from-file"\n', encoding="utf-8")
    monkeypatch.delenv("AUTHDESK_SMTP_HOST", raising=False)
    assert load_smtp_settings().host == "from-file"
    monkeypatch.setenv("AUTHDESK_SMTP_HOST", "from-env")
    assert load_smtp_settings().host == "from-env"


@pytest.mark.parametrize(
    ("env", "field", "text"),
    [
        ({"AUTHDESK_SMTP_PORT": "twenty-five"}, "smtp.port", "SMTP port must be a number, not 'twenty-five'."),
        ({"AUTHDESK_SMTP_PORT": "70000"}, "smtp.port", "SMTP port must be 1–65535, not 70000."),
        ({"AUTHDESK_SMTP_STARTTLS": "maybe"}, "smtp.starttls", "SMTP setting starttls must be true or false, not 'maybe'."),
        ({"AUTHDESK_SMTP_TIMEOUT": "0"}, "smtp.timeout", "SMTP timeout must be more than 0 seconds."),
        ({"AUTHDESK_SMTP_SENDER": "nobody"}, "smtp.sender", "SMTP sender must be a mail address, not 'nobody'."),
    ],
)
def test_bad_settings_are_one_clear_line(tmp_path, env, field, text):
    with pytest.raises(ValidationError) as err:
        load_smtp_settings(tmp_path / "none.toml", environ={"AUTHDESK_SMTP_HOST": "h", **env})
    assert err.value.errors == {field: text}


def test_unreadable_config_file(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[smtp\nhost=", encoding="utf-8")
    with pytest.raises(ValidationError, match="Cannot read .*config.toml"):
        load_smtp_settings(config, environ={})


def test_retry_delay_doubles_up_to_an_hour():
    assert [retry_delay(n) for n in range(1, 9)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60)
    ]
    assert retry_delay(500) == timedelta(hours=1)


# --- sending ----------------------------------------------------------------------------


def test_without_settings_nothing_is_sent_and_the_outbox_is_the_record(store):
    queue(store, 2)
    report = send_pending(store, None)
    assert not report.configured and report.waiting == 2
    assert "SMTP not configured; 2 mail(s) wait in the outbox" in str(report)
    assert [r.status for r in rows(store)] == [OutboxStatus.QUEUED] * 2
    assert all(r.attempts == 0 for r in rows(store))


def test_sends_and_marks_sent(store, smtp_server):
    start, _, handler, port = smtp_server
    start()
    (mail_id,) = queue(store)
    now = utcnow() + timedelta(seconds=1)
    report = send_pending(store, settings_for(port), now=now)
    assert (report.attempted, report.sent, report.failed, report.waiting) == (1, 1, 0, 0)
    (row,) = rows(store)
    assert row.status == OutboxStatus.SENT and row.sent_at == now and row.attempts == 1
    assert row.next_attempt_at is None and row.last_error == ""
    (raw,) = handler.messages
    msg = message_from_bytes(raw)
    assert msg["To"] == "casey@north.example" and msg["Subject"] == "Mail 0"
    assert msg["From"] == "AuthDesk <authdesk@plan.example>"
    assert msg["Message-ID"] == f"<authdesk-outbox-{mail_id}@plan.example>"
    assert msg.get_payload().strip() == "Body 0"
    # Nothing is sent twice.
    assert send_pending(store, settings_for(port), now=now + timedelta(hours=2)).attempted == 0
    assert len(handler.messages) == 1


def test_server_down_then_up_retries_with_backoff_and_sends_once(store, smtp_server):
    start, _, handler, port = smtp_server  # not started: the port is closed
    queue(store, 2)
    t0 = utcnow() + timedelta(seconds=1)
    settings = settings_for(port)

    report = send_pending(store, settings, now=t0)
    assert (report.attempted, report.sent, report.failed) == (2, 0, 2)
    assert "refused the connection" in report.errors[0]
    for row in rows(store):
        assert row.status == OutboxStatus.QUEUED and row.attempts == 1
        assert row.next_attempt_at == t0 + timedelta(minutes=1)
        assert row.last_error == f"The mail server 127.0.0.1:{port} refused the connection (is it running?)."

    # Not due yet: nothing is tried.
    assert send_pending(store, settings, now=t0 + timedelta(seconds=59)).attempted == 0

    # Still down a minute later: second attempt, next one two minutes on.
    t1 = t0 + timedelta(minutes=1)
    send_pending(store, settings, now=t1)
    assert [(r.attempts, r.next_attempt_at) for r in rows(store)] == [(2, t1 + timedelta(minutes=2))] * 2

    # The server comes back.
    start()
    t2 = t1 + timedelta(minutes=2)
    report = send_pending(store, settings, now=t2)
    assert (report.sent, report.failed, report.waiting) == (2, 0, 0)
    assert [(r.status, r.attempts, r.sent_at) for r in rows(store)] == [(OutboxStatus.SENT, 3, t2)] * 2
    assert sorted(m["Subject"] for m in map(message_from_bytes, handler.messages)) == ["Mail 0", "Mail 1"]
    send_pending(store, settings, now=t2 + timedelta(days=1))
    assert len(handler.messages) == 2


def test_refusal_is_a_failed_attempt_with_the_message_kept(store, smtp_server):
    start, _, handler, port = smtp_server
    start()
    handler.data_reply = "550 5.7.1 Message rejected as spam"
    queue(store)
    t0 = utcnow() + timedelta(seconds=1)
    report = send_pending(store, settings_for(port), now=t0)
    assert (report.sent, report.failed) == (0, 1)
    (row,) = rows(store)
    assert row.status == OutboxStatus.QUEUED and row.attempts == 1
    assert row.last_error == "The mail server refused the mail: 550 5.7.1 Message rejected as spam"
    assert row.next_attempt_at == t0 + timedelta(minutes=1)
    assert row.body == "Body 0\n"  # kept, to be sent later
    assert handler.messages == []
    # The server accepts it later.
    handler.data_reply = None
    send_pending(store, settings_for(port), now=t0 + timedelta(minutes=1))
    assert rows(store)[0].status == OutboxStatus.SENT and len(handler.messages) == 1


def test_recipient_refused_and_other_mails_still_go(store, smtp_server):
    start, _, handler, port = smtp_server
    start()
    handler.rcpt_reply = "550 5.1.1 <nobody@north.example>: mailbox unavailable"
    queue(store, 1, to="nobody@north.example")
    t0 = utcnow() + timedelta(seconds=1)
    send_pending(store, settings_for(port), now=t0)
    (row,) = rows(store)
    assert row.last_error.startswith("The mail server refused the recipient: nobody@north.example: 550")
    assert "mailbox unavailable" in row.last_error
    handler.rcpt_reply = None
    queue(store, 1, to="casey@north.example")
    report = send_pending(store, settings_for(port), now=t0 + timedelta(minutes=1))
    assert report.sent == 2


def test_permanent_refusal_gives_up_after_many_attempts_but_is_kept(store, smtp_server):
    start, _, handler, port = smtp_server
    start()
    handler.data_reply = "554 5.7.1 Relay access denied"
    (mail_id,) = queue(store)
    now = utcnow() + timedelta(seconds=1)
    for _ in range(mailer.GIVE_UP_AFTER):
        report = send_pending(store, settings_for(port), now=now)
        now += timedelta(hours=1)
    assert report.gave_up == 1 and "refused for good" in str(report)
    (row,) = rows(store)
    assert row.status == OutboxStatus.FAILED and row.next_attempt_at is None
    assert row.attempts == mailer.GIVE_UP_AFTER and "554 5.7.1 Relay access denied" in row.last_error
    assert send_pending(store, settings_for(port), now=now + timedelta(days=1)).attempted == 0
    # An administrator queues it again once the server is fixed.
    admin = quick_user(store, "root", role=Role.ADMIN)
    handler.data_reply = None
    with store.session() as s:
        again = mailer.requeue_mail(s, admin, mail_id)
    assert again.status == OutboxStatus.QUEUED
    assert send_pending(store, settings_for(port), now=utcnow() + timedelta(seconds=1)).sent == 1


def test_timeout_is_a_failed_attempt(store, smtp_server):
    start, _, handler, port = smtp_server
    start()
    handler.stall = 3.0  # the server takes longer than the client waits
    queue(store)
    t0 = utcnow() + timedelta(seconds=1)
    report = send_pending(store, settings_for(port, timeout=0.5), now=t0)
    assert (report.sent, report.failed) == (0, 1)
    (row,) = rows(store)
    assert row.status == OutboxStatus.QUEUED and row.attempts == 1
    assert row.last_error == f"The mail server 127.0.0.1:{port} did not answer within 0.5 s (timed out)."
    assert row.next_attempt_at == t0 + timedelta(minutes=1)


def test_timeout_on_a_silent_server(store):
    """A listener that never says hello: the connection attempt times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        queue(store)
        port = listener.getsockname()[1]
        report = send_pending(store, settings_for(port, timeout=0.3), now=utcnow() + timedelta(seconds=1))
    finally:
        listener.close()
    assert report.failed == 1 and "timed out" in rows(store)[0].last_error


def test_login_with_credentials(store, smtp_server):
    from aiosmtpd.smtp import AuthResult

    start, _, handler, port = smtp_server

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"desk" and auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)

    start(authenticator=authenticator, auth_require_tls=False)
    queue(store)
    t0 = utcnow() + timedelta(seconds=1)
    report = send_pending(store, settings_for(port, username="desk", password="wrong"), now=t0)
    assert report.failed == 1 and "refused the username or password (535)" in rows(store)[0].last_error
    report = send_pending(store, settings_for(port, username="desk", password="s3cret"), now=t0 + timedelta(minutes=1))
    assert report.sent == 1 and len(handler.messages) == 1


def test_a_claimed_mail_cannot_be_claimed_again(store):
    (mail_id,) = queue(store)
    now = utcnow() + timedelta(seconds=1)
    lease = timedelta(minutes=5)
    first = mailer._claim(store, mail_id, 0, now, lease)
    second = mailer._claim(store, mail_id, 0, now, lease)
    assert first is not None and first.attempts == 1
    assert second is None
    # Nor by a sender that saw the new attempt count while the lease runs.
    assert mailer._claim(store, mail_id, 1, now, lease) is None
    # A stale claim cannot record an outcome over a newer one.
    assert mailer._record(store, mail_id, 0, status=OutboxStatus.SENT) is False


def test_two_concurrent_senders_never_send_a_mail_twice(store, smtp_server):
    start, _, handler, port = smtp_server
    start()
    ids = queue(store, 30)
    now = utcnow() + timedelta(seconds=1)
    settings = settings_for(port)
    barrier = threading.Barrier(2)
    reports = []
    failures = []

    def sender():
        try:
            barrier.wait(timeout=10)
            reports.append(send_pending(store, settings, now=now))
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures
    assert sum(r.sent for r in reports) == 30
    assert sorted(handler.message_ids()) == sorted(f"<authdesk-outbox-{i}@plan.example>" for i in ids)
    assert all(r.status == OutboxStatus.SENT and r.attempts == 1 for r in rows(store))


def test_a_malformed_mail_fails_alone_and_the_run_goes_on(store, smtp_server):
    start, _, handler, port = smtp_server
    start()
    with store.session() as session:
        queue_mail(session, dedupe_key="bad", mail_kind="status_change", to_address="casey@north.example",
                   subject="Broken\nsubject", body="b")
    queue(store, 1)
    report = send_pending(store, settings_for(port), now=utcnow() + timedelta(seconds=1))
    assert (report.sent, report.failed) == (1, 1)
    bad = rows(store)[0]
    assert bad.status == OutboxStatus.QUEUED and bad.attempts == 1
    assert bad.last_error.startswith("The mail could not be built or sent:")
    assert "linefeed" in bad.last_error


def test_mail_without_address_is_recorded_not_sent(store, smtp_server):
    start, _, handler, port = smtp_server
    start()
    queue(store, 1, to="  ")
    assert send_pending(store, settings_for(port)).attempted == 0
    (row,) = rows(store)
    assert row.status == OutboxStatus.FAILED and row.last_error == "No contact email on the request."
    admin = quick_user(store, "root", role=Role.ADMIN)
    with store.session() as s, pytest.raises(ValidationError, match="no address"):
        mailer.requeue_mail(s, admin, row.id)


# --- the Outbox screen's data ---------------------------------------------------------------


def test_outbox_list_respects_who_may_see_what(store, frozen_now):
    clerk, other, reviewer = people(store)
    admin = quick_user(store, "root", role=Role.ADMIN)
    mine = make_case(store, clerk)
    theirs = make_case(store, other, org="SOUTH", member=("M3000003", "Lee", "Park"))
    with store.session() as s:
        for case_id in (mine, theirs):
            queue_mail(s, dedupe_key=f"k{case_id}", mail_kind="line_decision", to_address="x@y.example",
                       subject=f"About {case_id}", body="b", request_id=case_id)
        queue_mail(s, dedupe_key="pw", mail_kind="password_reset", to_address="a@b.example",
                   subject="AuthDesk password reset code", body="Your code is 123456")
    with store.session() as s:
        page = mailer.outbox_list(s, clerk)
        assert [r.request_id for r in page.rows] == [mine] and page.total == 1
        assert page.rows[0].request_number == "WC-" + page.rows[0].request_number[3:]
        assert page.rows[0].kind_label == "Line decision"
        assert mailer.outbox_list(s, reviewer).total == 2  # case mails only
        everything = mailer.outbox_list(s, admin)
        assert everything.total == 3
        assert {r.kind_label for r in everything.rows} >= {"Password reset"}
        assert mailer.outbox_list(s, admin, status=OutboxStatus.SENT).total == 0
        assert mailer.outbox_list(s, admin, status="queued", limit=2).rows.__len__() == 2
        assert mailer.outbox_counts(s, clerk) == {OutboxStatus.QUEUED: 1, OutboxStatus.SENT: 0, OutboxStatus.FAILED: 0}
        pw_id = [r.id for r in everything.rows if r.mail_kind == "password_reset"][0]
    with store.session() as s, pytest.raises(PermissionDeniedError):
        mailer.requeue_mail(s, clerk, pw_id)
    with store.session() as s, pytest.raises(NotFoundError):
        mailer.requeue_mail(s, clerk, 9999)
