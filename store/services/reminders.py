"""Draft reminders to both people seed 002 names: the contact and the initiator.

"The identified Contact will be sent email reminders before a draft expires
and again if it expires" and "The person who initiates a request/notice will
be sent email reminders before a draft expires and again once a draft
expires": one mail to each distinct address, each queued at most once (its
own outbox dedupe key).
"""

from __future__ import annotations

from sqlmodel import Session

from store.models import AuthRequest
from store.services import mail_templates
from store.services.notifications import queue_mail


def queue_draft_reminder(session: Session, request: AuthRequest, *, expired: bool) -> list[str]:
    """Queue the "expires within 24 h" (or, ``expired``, the "has expired") mail to the
    contact and to the initiator; returns the addresses queued now (none twice)."""
    if expired:
        template, key, kind = (mail_templates.draft_expired, mail_templates.draft_expired_key(request),
                               mail_templates.KIND_DRAFT_EXPIRED)
    else:
        template, key, kind = (mail_templates.draft_expiring, mail_templates.draft_expiring_key(request),
                               mail_templates.KIND_DRAFT_EXPIRING)
    queued = []
    for role, name, address in mail_templates.reminder_recipients(session, request):
        subject, body = template(request, name)
        row = queue_mail(session, dedupe_key=mail_templates.recipient_key(key, role), mail_kind=kind,
                         to_address=address, subject=subject, body=body, request_id=request.id)
        if row is not None:
            queued.append(address)
    return queued


__all__ = ["queue_draft_reminder"]
