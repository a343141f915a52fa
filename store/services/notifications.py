"""The mail outbox: every mail is a row first, sent later (and retried)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from store.models import OutboxMail


def queue_mail(
    session: Session,
    *,
    dedupe_key: str,
    mail_kind: str,
    to_address: str,
    subject: str,
    body: str,
    request_id: int | None = None,
) -> OutboxMail | None:
    """Queue a mail in the caller's transaction, at most once per ``dedupe_key``.

    Returns the new row, or None when a mail with that key was queued before
    (so a reminder or confirmation is never queued twice). A mail with no
    address is still recorded, marked failed, so the outbox shows it.
    """
    existing = session.execute(
        select(OutboxMail.id).where(OutboxMail.dedupe_key == dedupe_key)
    ).first()
    if existing is not None:
        return None
    row = OutboxMail(
        request_id=request_id,
        dedupe_key=dedupe_key,
        mail_kind=mail_kind,
        to_address=to_address.strip(),
        subject=subject,
        body=body,
    )
    if not row.to_address:
        row.status = "failed"
        row.last_error = "No contact email on the request."
        row.next_attempt_at = None
    session.add(row)
    return row
