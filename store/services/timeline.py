"""Case timeline: every status change and action, with who and when."""

from __future__ import annotations

from sqlmodel import Session

from store.models import CaseEvent
from store.records import UserRecord
from store.types import utcnow


def add_event(
    session: Session,
    request_id: int,
    event: str,
    detail: str = "",
    actor: UserRecord | None = None,
    at=None,
) -> CaseEvent:
    """Append an event to a case's timeline (in the caller's transaction)."""
    row = CaseEvent(
        request_id=request_id,
        at=at or utcnow(),
        actor_id=actor.id if actor else None,
        actor_name=(actor.full_name or actor.username) if actor else "system",
        event=event,
        detail=detail[:2000],
    )
    session.add(row)
    if actor is not None:
        from store.services.audit import record_case_event

        record_case_event(session, request_id, event, actor, row.at)
    return row
