"""Sending the outbox by SMTP: claimed atomically, retried with back-off, never lost.

Every mail AuthDesk writes is first a row in ``outbox_mail`` (see
:mod:`store.services.notifications`). :func:`send_pending` delivers the rows
that are due:

1. **Claim.** For each due row, one short transaction runs
   ``UPDATE outbox_mail SET attempts = attempts + 1, next_attempt_at = now + lease
   WHERE id = :id AND status = 'queued' AND attempts = :seen AND next_attempt_at <= :now``.
   Only one sender's update can match (the attempt counter is the claim
   token), so two senders — two app windows, the app and cron, or two
   machines on one PostgreSQL database — never send the same mail twice.
2. **Send** with :mod:`smtplib` (with a timeout, STARTTLS and login as
   configured), outside any database transaction.
3. **Record.** Accepted by the server → ``sent`` with ``sent_at``. Refused,
   timed out or unreachable → the error is kept in ``last_error`` and the
   next attempt is scheduled with exponential back-off (1 min, 2, 4 … capped at
   1 h). Nothing is marked sent unless the server accepted it; a sender that
   dies mid-send leaves the row claimed only until the lease ends, then it is
   retried. A mail the server still refuses permanently (5xx) on its
   :data:`GIVE_UP_AFTER`-th attempt is marked ``failed`` and stays in the
   outbox, where :func:`requeue_mail` can queue it for one more try.

Without SMTP settings nothing is sent: the outbox is the record, shown by
:func:`outbox_list`.

Settings come from ``config.toml`` in :func:`store.paths.config_dir`::

    [smtp]
    host = "smtp.example.org"
    port = 587
    starttls = true
    username = "authdesk"
    password = "secret"
    sender = "AuthDesk <authdesk@example.org>"
    timeout = 30

each overridden by ``AUTHDESK_SMTP_HOST``, ``_PORT``, ``_STARTTLS``,
``_USERNAME``, ``_PASSWORD``, ``_SENDER``, ``_TIMEOUT``.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

from sqlalchemy import and_, asc, desc, func, select, update
from sqlmodel import Session

from store import paths
from store.enums import OutboxStatus, Role
from store.errors import NotFoundError, NotVisibleError, ValidationError
from store.models import AuthRequest, OutboxMail
from store.records import UserRecord
from store.types import utcnow

log = logging.getLogger("authdesk.mail")

CONFIG_FILENAME = "config.toml"
DEFAULT_TIMEOUT = 30.0
DEFAULT_SENDER = "AuthDesk <authdesk@localhost>"
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = 8  # a permanent (5xx) refusal on this attempt or later marks the mail failed
MIN_LEASE = timedelta(minutes=5)
OUTBOX_PAGE_SIZE = 50

ENV_PREFIX = "AUTHDESK_SMTP_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


# --- settings ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to send mail."""

    host: str
    port: int = 587
    starttls: bool = True
    username: str = ""
    password: str = field(default="", repr=False)
    sender: str = DEFAULT_SENDER
    timeout: float = DEFAULT_TIMEOUT

    def describe(self) -> str:
        """``smtp.example.org:587 (STARTTLS, as authdesk)`` — never the password."""
        extras = ["STARTTLS" if self.starttls else "no TLS"]
        if self.username:
            extras.append(f"as {self.username}")
        return f"{self.host}:{self.port} ({', '.join(extras)})"


def config_path() -> Path:
    """The config file holding the ``[smtp]`` table."""
    return paths.config_dir() / CONFIG_FILENAME


def _bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(f"SMTP setting {name} must be true or false, not {value!r}.", field=f"smtp.{name}")


def load_smtp_settings(
    config_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> SmtpSettings | None:
    """SMTP settings from ``config.toml`` overridden by ``AUTHDESK_SMTP_*``; None when no host.

    Raises:
        ValidationError: an unreadable config file or a bad value (field
            ``smtp.<name>``), with one clear line.
    """
    import tomllib

    environ = os.environ if environ is None else environ
    path = config_file or config_path()
    values: dict[str, object] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ValidationError(f"Cannot read {path}: {exc}", field="smtp") from None
        table = data.get("smtp", {})
        if not isinstance(table, dict):
            raise ValidationError(f"{path}: [smtp] must be a table.", field="smtp")
        values.update(table)
    for name in ("host", "port", "starttls", "username", "password", "sender", "timeout"):
        env = environ.get(ENV_PREFIX + name.upper())
        if env is not None and env != "":
            values[name] = env
    host = str(values.get("host", "") or "").strip()
    if not host:
        return None
    try:
        port = int(values.get("port", 587))
    except (TypeError, ValueError):
        raise ValidationError(
            f"SMTP port must be a number, not {values.get('port')!r}.", field="smtp.port"
        ) from None
    if not 0 < port < 65536:
        raise ValidationError(f"SMTP port must be 1–65535, not {port}.", field="smtp.port")
    starttls = _bool(values["starttls"], "starttls") if "starttls" in values else port == 587
    try:
        timeout = float(values.get("timeout", DEFAULT_TIMEOUT))
    except (TypeError, ValueError):
        raise ValidationError(
            f"SMTP timeout must be a number of seconds, not {values.get('timeout')!r}.", field="smtp.timeout"
        ) from None
    if timeout <= 0:
        raise ValidationError("SMTP timeout must be more than 0 seconds.", field="smtp.timeout")
    sender = str(values.get("sender", "") or "").strip() or DEFAULT_SENDER
    if "@" not in parseaddr(sender)[1]:
        raise ValidationError(f"SMTP sender must be a mail address, not {sender!r}.", field="smtp.sender")
    return SmtpSettings(
        host=host,
        port=port,
        starttls=starttls,
        username=str(values.get("username", "") or ""),
        password=str(values.get("password", "") or ""),
        sender=sender,
        timeout=timeout,
    )


# --- sending -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SendReport:
    """What one :func:`send_pending` run did."""

    configured: bool
    attempted: int = 0
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    waiting: int = 0
    errors: tuple[str, ...] = ()

    def __str__(self) -> str:
        if not self.configured:
            return f"mail: SMTP not configured; {self.waiting} mail(s) wait in the outbox"
        text = f"mail: {self.sent} sent, {self.failed} failed (will retry)"
        if self.gave_up:
            text += f", {self.gave_up} refused for good (marked failed)"
        text += f"; {self.waiting} still queued"
        if self.errors:
            text += f"; last error: {self.errors[-1]}"
        return text


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the ``attempts``-th failed attempt: 1 min, 2, 4 … at most 1 h."""
    if attempts < 1:
        return FIRST_RETRY
    if attempts > 12:
        return MAX_RETRY
    return min(FIRST_RETRY * (2 ** (attempts - 1)), MAX_RETRY)


def _lease(settings: SmtpSettings) -> timedelta:
    return max(MIN_LEASE, timedelta(seconds=settings.timeout * 4))


class _Delivery:
    """One SMTP connection, opened on first use and reused for the batch."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None
        self.connect_error: str | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            smtp.ehlo()
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password)
        except BaseException:
            _quietly_close(smtp)
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self.connect_error is not None:
            raise _Unreachable(self.connect_error)
        if self.smtp is None:
            try:
                self.smtp = self._connect()
            except (OSError, smtplib.SMTPException) as exc:
                self.connect_error = _describe(exc, self.settings)
                raise _Unreachable(self.connect_error) from exc
        try:
            refused = self.smtp.send_message(message)
        except (smtplib.SMTPServerDisconnected, OSError):
            _quietly_close(self.smtp)
            self.smtp = None
            raise
        except smtplib.SMTPException:
            # The server answered (refused); reset the transaction for the next mail.
            try:
                self.smtp.rset()
            except (OSError, smtplib.SMTPException):
                _quietly_close(self.smtp)
                self.smtp = None
            raise
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                _quietly_close(self.smtp)
            self.smtp = None


class _Unreachable(Exception):
    """The server could not be reached; the text says why."""


def _quietly_close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.close()
    except OSError:
        pass


def _describe(exc: BaseException, settings: SmtpSettings) -> str:
    """One readable line for an SMTP or network failure (no mail content)."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(exc, _Unreachable):
        return str(exc)
    if isinstance(exc, (socket.timeout, TimeoutError)) or (
        # smtplib turns a read timeout into "Connection unexpectedly closed: timed out"
        isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, TimeoutError)
    ):
        return f"The mail server {where} did not answer within {settings.timeout:g} s (timed out)."
    if isinstance(exc, ConnectionRefusedError):
        return f"The mail server {where} refused the connection (is it running?)."
    if isinstance(exc, socket.gaierror):
        return f"The mail server name {settings.host!r} could not be resolved."
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"The mail server {where} refused the username or password ({exc.smtp_code})."
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items()]
        return "The mail server refused the recipient: " + "; ".join(parts)
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The mail server refused the mail: {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"The mail server {where} closed the connection: {exc or 'no reason given'}."
    if isinstance(exc, ssl.SSLError):
        return f"TLS with the mail server {where} failed: {exc.reason or exc}."
    if isinstance(exc, OSError):
        return f"Cannot reach the mail server {where}: {exc.strerror or exc}."
    return f"The mail could not be built or sent: {exc}"


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _permanent(exc: BaseException) -> bool:
    """A refusal the server says will not change by retrying (5xx)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False  # fix the settings; the mail itself is fine
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def build_message(mail: OutboxMail, settings: SmtpSettings, now: datetime) -> EmailMessage:
    """The RFC 5322 message for an outbox row (Message-ID stable per row)."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now)
    domain = parseaddr(settings.sender)[1].rpartition("@")[2] or "authdesk.local"
    message["Message-ID"] = f"<authdesk-outbox-{mail.id}@{domain}>"
    message["X-AuthDesk-Mail-Kind"] = mail.mail_kind
    message.set_content(mail.body)
    return message


def _due_condition(now: datetime):
    return and_(OutboxMail.status == OutboxStatus.QUEUED, OutboxMail.next_attempt_at <= now)


def _claim(store, mail_id: int, seen_attempts: int, now: datetime, lease: timedelta) -> OutboxMail | None:
    """Take the row for this sender, or None when another sender has it."""
    with store.session() as session:
        result = session.execute(
            update(OutboxMail)
            .where(
                OutboxMail.id == mail_id,
                OutboxMail.attempts == seen_attempts,
                _due_condition(now),
            )
            .values(attempts=OutboxMail.attempts + 1, next_attempt_at=now + lease)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return None
        return session.get(OutboxMail, mail_id)


def _record(store, mail_id: int, token: int, **values) -> bool:
    """Write the outcome only if our claim still holds (attempts == token)."""
    with store.session() as session:
        result = session.execute(
            update(OutboxMail)
            .where(
                OutboxMail.id == mail_id,
                OutboxMail.attempts == token,
                OutboxMail.status == OutboxStatus.QUEUED,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def _redact_secrets(store, mail_id: int) -> None:
    """A sent password-reset mail keeps no readable code (issue 9)."""
    from store.services.auth import redact_sent_mail

    with store.session() as session:
        redact_sent_mail(session, mail_id)


def count_waiting(store) -> int:
    """How many mails are queued (due or not)."""
    with store.session() as session:
        return session.execute(
            select(func.count()).select_from(OutboxMail).where(OutboxMail.status == OutboxStatus.QUEUED)
        ).scalar_one()


def send_pending(store, settings: SmtpSettings | None, now: datetime | None = None, batch: int = 50) -> SendReport:
    """Send up to ``batch`` due mails; safe to run from several processes at once.

    Args:
        store: the open :class:`~store.store.Store`.
        settings: from :func:`load_smtp_settings`; None sends nothing.
        now: the instant to treat as now (default: the clock).
        batch: most mails to attempt in this run.
    """
    if settings is None:
        return SendReport(configured=False, waiting=count_waiting(store))
    now = now or utcnow()
    lease = _lease(settings)
    with store.session() as session:
        due = session.execute(
            select(OutboxMail.id, OutboxMail.attempts)
            .where(_due_condition(now))
            .order_by(asc(OutboxMail.next_attempt_at), asc(OutboxMail.id))
            .limit(batch)
        ).all()
    attempted = sent = failed = gave_up = 0
    errors: list[str] = []
    delivery = _Delivery(settings)
    try:
        for mail_id, seen in due:
            mail = _claim(store, mail_id, seen, now, lease)
            if mail is None:
                continue  # another sender took it
            token = mail.attempts
            attempted += 1
            try:
                delivery.send(build_message(mail, settings, now))
            except Exception as exc:  # any failure is kept on the mail; the run goes on
                reason = _describe(exc, settings)[:1000]
                errors.append(reason)
                log.warning("mail %s: attempt %s failed: %s", mail_id, token, reason)
                give_up = _permanent(exc) and token >= GIVE_UP_AFTER
                if give_up:
                    _record(store, mail_id, token, status=OutboxStatus.FAILED, last_error=reason, next_attempt_at=None)
                    gave_up += 1
                else:
                    _record(store, mail_id, token, last_error=reason, next_attempt_at=now + retry_delay(token))
                    failed += 1
                continue
            if _record(store, mail_id, token, status=OutboxStatus.SENT, sent_at=now, last_error="", next_attempt_at=None):
                sent += 1
                _redact_secrets(store, mail_id)
            else:  # our lease ran out and another sender re-claimed it: cannot happen with a sane lease
                log.error("mail %s was sent but its claim had been taken over", mail_id)
                sent += 1
    finally:
        delivery.close()
    return SendReport(
        configured=True,
        attempted=attempted,
        sent=sent,
        failed=failed,
        gave_up=gave_up,
        waiting=count_waiting(store),
        errors=tuple(errors),
    )


# --- the Outbox screen ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """One outbox row, for the Outbox screen."""

    id: int
    request_id: int | None
    request_number: str | None
    mail_kind: str
    to_address: str
    subject: str
    body: str
    status: OutboxStatus
    created_at: datetime
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str

    @property
    def kind_label(self) -> str:
        """``Line decision``, ``Draft expired`` … (the raw kind when unknown)."""
        from store.services.mail_templates import MAIL_KIND_LABELS

        return MAIL_KIND_LABELS.get(self.mail_kind, self.mail_kind.replace("_", " ").capitalize())


@dataclass(frozen=True, slots=True)
class OutboxPage:
    """A page of outbox rows, newest first, and how many match."""

    rows: tuple[OutboxRecord, ...]
    total: int
    offset: int
    limit: int


def _outbox_visible(user: UserRecord):
    """Administrators see every mail (password-reset codes too); reviewers every
    case mail; clerks the mails of cases their organization may see."""
    from store.services.cases import visible_to

    if user.role == Role.ADMIN:
        return and_(True)
    if user.is_reviewer:
        return OutboxMail.request_id.is_not(None)
    return and_(OutboxMail.request_id.is_not(None), visible_to(user))


def outbox_list(
    session: Session,
    user: UserRecord,
    status: OutboxStatus | str | None = None,
    limit: int = OUTBOX_PAGE_SIZE,
    offset: int = 0,
) -> OutboxPage:
    """One page of the outbox ``user`` may see, newest first, optionally by status."""
    where = [_outbox_visible(user)]
    if status is not None:
        where.append(OutboxMail.status == OutboxStatus(status))
    base = select(OutboxMail, AuthRequest.webcert_number, AuthRequest.draft_number).outerjoin(
        AuthRequest, AuthRequest.id == OutboxMail.request_id
    )
    total = session.execute(
        select(func.count())
        .select_from(OutboxMail)
        .outerjoin(AuthRequest, AuthRequest.id == OutboxMail.request_id)
        .where(*where)
    ).scalar_one()
    offset = max(0, offset)
    rows = session.execute(
        base.where(*where).order_by(desc(OutboxMail.created_at), desc(OutboxMail.id)).offset(offset).limit(limit)
    ).all()
    return OutboxPage(
        rows=tuple(_outbox_record(m, webcert or draft) for m, webcert, draft in rows),
        total=total,
        offset=offset,
        limit=limit,
    )


def outbox_counts(session: Session, user: UserRecord) -> dict[OutboxStatus, int]:
    """How many visible mails are queued, sent and failed (for the screen's tabs)."""
    counts = {s: 0 for s in OutboxStatus}
    rows = session.execute(
        select(OutboxMail.status, func.count())
        .select_from(OutboxMail)
        .outerjoin(AuthRequest, AuthRequest.id == OutboxMail.request_id)
        .where(_outbox_visible(user))
        .group_by(OutboxMail.status)
    ).all()
    for status, n in rows:
        counts[OutboxStatus(status)] = n
    return counts


def _outbox_record(m: OutboxMail, number: str | None) -> OutboxRecord:
    return OutboxRecord(
        id=m.id,
        request_id=m.request_id,
        request_number=number,
        mail_kind=m.mail_kind,
        to_address=m.to_address,
        subject=m.subject,
        body=m.body,
        status=OutboxStatus(m.status),
        created_at=m.created_at,
        attempts=m.attempts,
        next_attempt_at=m.next_attempt_at,
        sent_at=m.sent_at,
        last_error=m.last_error,
    )


def requeue_mail(session: Session, user: UserRecord, mail_id: int) -> OutboxRecord:
    """Queue a failed mail again, due now (the Outbox screen's Retry).

    Raises:
        NotFoundError / PermissionDeniedError: no such mail for this user.
        ValidationError: the mail was sent already, or has no address.
    """
    row = session.execute(
        select(OutboxMail, AuthRequest.webcert_number, AuthRequest.draft_number)
        .outerjoin(AuthRequest, AuthRequest.id == OutboxMail.request_id)
        .where(OutboxMail.id == mail_id)
    ).first()
    if row is None:
        raise NotFoundError(f"No mail #{mail_id} in the outbox.")
    visible = session.execute(
        select(OutboxMail.id)
        .outerjoin(AuthRequest, AuthRequest.id == OutboxMail.request_id)
        .where(OutboxMail.id == mail_id, _outbox_visible(user))
    ).first()
    if visible is None:
        raise NotVisibleError(f"No mail #{mail_id} in the outbox.")  # another organization's: read as missing
    mail, webcert, draft = row
    if mail.status == OutboxStatus.SENT:
        raise ValidationError("This mail was sent already.", field="mail")
    if not mail.to_address:
        raise ValidationError("This mail has no address; add a contact email to the case.", field="mail")
    mail.status = OutboxStatus.QUEUED
    mail.next_attempt_at = utcnow()
    session.add(mail)
    session.flush()
    return _outbox_record(mail, webcert or draft)


__all__ = [
    "OutboxPage",
    "OutboxRecord",
    "SendReport",
    "SmtpSettings",
    "build_message",
    "config_path",
    "load_smtp_settings",
    "outbox_counts",
    "outbox_list",
    "requeue_mail",
    "retry_delay",
    "send_pending",
]
