"""Clinical records for a pended line (seed 003).

"If your authorization status is Pended, please attach member Clinical
information in order to expedite your authorization process." A decided
(accepted) case takes new clinical files while one of its lines is pended
(A4); each such file is recorded as information received on the pended
lines, which the reviewer's queue then shows and puts first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select, update
from sqlmodel import Session

from store.enums import LineStatus, RequestStatus
from store.errors import InvalidTransitionError, PermissionDeniedError
from store.models import AuthRequest, ServiceLine
from store.records import UserRecord
from store.services.timeline import add_event
from store.types import utcnow

EVENT_INFORMATION_RECEIVED = "Information received"

# Statuses in which a clinical file may be attached; accepted only with a pended line.
ATTACHABLE = (RequestStatus.DRAFT, RequestStatus.PENDING, RequestStatus.ACCEPTED)


def has_pended_line(session: Session, request_id: int) -> bool:
    """Whether a line of request ``request_id`` is pended (A4)."""
    return bool(session.execute(select(exists().where(
        ServiceLine.request_id == request_id, ServiceLine.status == LineStatus.PENDED))).scalar())


def require_attachable(session: Session, user: UserRecord, request: AuthRequest) -> None:
    """Refuse a file on an accepted case unless a line is pended (and the user is the provider's side).

    Drafts and pending cases are checked by the caller as before.

    Raises:
        InvalidTransitionError: the case is accepted and no line is pended.
        PermissionDeniedError: a reviewer adding clinical records.
    """
    if request.status != RequestStatus.ACCEPTED:
        return
    number = request.webcert_number or request.draft_number
    if not has_pended_line(session, request.id):
        raise InvalidTransitionError(
            f"{number} is decided: files can be added only while it is a draft, pending, "
            "or has a pended line."
        )
    if user.is_reviewer:
        raise PermissionDeniedError("Reviewers do not add clinical records.")


def record_information_received(
    session: Session, user: UserRecord, request: AuthRequest, filename: str, now: datetime | None = None
) -> int:
    """Mark every pended line of an accepted ``request`` as having received information.

    Writes an "Information received" timeline event naming the file and the
    lines; returns how many lines were marked (0 for drafts and pending cases).
    """
    if request.status != RequestStatus.ACCEPTED:
        return 0
    now = now or utcnow()
    numbers = list(session.execute(
        select(ServiceLine.line_number).where(
            ServiceLine.request_id == request.id, ServiceLine.status == LineStatus.PENDED)
        .order_by(ServiceLine.line_number)).scalars())
    if not numbers:
        return 0
    session.execute(
        update(ServiceLine)
        .where(ServiceLine.request_id == request.id, ServiceLine.status == LineStatus.PENDED)
        .values(information_received_at=now)
        .execution_options(synchronize_session=False)
    )
    which = ", ".join(str(n) for n in numbers)
    add_event(session, request.id, EVENT_INFORMATION_RECEIVED,
              f"{filename} for pended line{'s' if len(numbers) > 1 else ''} {which}", user, now)
    return len(numbers)


__all__ = [
    "ATTACHABLE",
    "EVENT_INFORMATION_RECEIVED",
    "has_pended_line",
    "record_information_received",
    "require_attachable",
]
