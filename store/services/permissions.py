"""Who may do what to a case: one table, asked by the services and by the screens.

Seeing a case is decided by organization (:func:`store.services.cases.visible_to`);
this module decides, for a case the user can see, which actions fit its
status and the user's role. Services call :func:`require` before they change
anything; screens show only the keys in :func:`allowed_actions` (asked with
:func:`facts_of_case` of the case they show) -- there is no second table of
rules in ``tui/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from store.enums import LineStatus, RequestStatus, Role
from store.errors import InvalidTransitionError, PermissionDeniedError
from store.records import CaseDetail, UserRecord


class CaseAction(StrEnum):
    """Something a user does to a case."""

    EDIT = "edit"  # change a draft in the wizard
    CANCEL = "cancel"  # cancel a draft (its creator or an administrator)
    ATTACH = "attach"  # add or remove clinical records
    COPY = "copy"  # start a new draft from this case
    ACCEPT = "accept"
    REJECT = "reject"
    CHANGE_URGENCY = "change_urgency"
    DECIDE_LINE = "decide_line"
    OPEN_FILE = "open_file"  # open or export an attachment or letter
    EXPORT_PAS = "export_pas"  # save a submitted request as a Da Vinci PAS Bundle


SUBMITTED_STATUSES = (RequestStatus.PENDING, RequestStatus.ACCEPTED, RequestStatus.REJECTED)
"""Statuses of a request the plan has received (it has a WebCert number and can be exported)."""


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the rules look at: enough of a case to decide, nothing more."""

    status: RequestStatus
    created_by_id: int | None
    line_statuses: tuple[LineStatus, ...] = ()
    attachment_count: int = 0


def facts_of_case(case: CaseDetail) -> CaseFacts:
    """The facts of a case as the case detail screen holds it."""
    return CaseFacts(
        status=RequestStatus(case.status),
        created_by_id=case.created_by_id,
        line_statuses=tuple(LineStatus(line.status) for line in case.lines),
        attachment_count=len(case.attachments),
    )


def facts_of_request(session, request) -> CaseFacts:
    """The facts of an ``AuthRequest`` row, read in ``session`` (two small indexed queries)."""
    from sqlalchemy import func, select

    from store.models import Attachment, ServiceLine

    statuses = session.execute(
        select(ServiceLine.status).where(ServiceLine.request_id == request.id).order_by(ServiceLine.line_number)
    ).scalars().all()
    files = session.execute(
        select(func.count()).select_from(Attachment).where(Attachment.request_id == request.id)
    ).scalar_one()
    return CaseFacts(
        status=RequestStatus(request.status),
        created_by_id=request.created_by_id,
        line_statuses=tuple(LineStatus(s) for s in statuses),
        attachment_count=int(files),
    )


_PROVIDER_SIDE = (Role.CLERK, Role.ADMIN)
_PLAN_SIDE = (Role.REVIEWER, Role.ADMIN)


def require(user: UserRecord, facts: CaseFacts, action: CaseAction) -> None:
    """Raise unless ``user`` may do ``action`` to a case with these facts.

    Raises:
        PermissionDeniedError: the role (or, for cancel, the person) may not.
        InvalidTransitionError: the case's status does not allow it.
    """
    status, role = RequestStatus(facts.status), Role(user.role)
    state = status.label.lower()

    def plan_side(what: str) -> None:
        if role not in _PLAN_SIDE:
            raise PermissionDeniedError(f"Only the plan's reviewers {what}.")

    match action:
        case CaseAction.EDIT | CaseAction.ATTACH if status is RequestStatus.DRAFT:
            if role not in _PROVIDER_SIDE:
                raise PermissionDeniedError("Reviewers do not change drafts.")
        case CaseAction.ATTACH if status is RequestStatus.PENDING or (
                status is RequestStatus.ACCEPTED and LineStatus.PENDED in facts.line_statuses):
            if role not in _PROVIDER_SIDE:  # a pended line asks for clinical information (seed 003)
                raise PermissionDeniedError("Reviewers do not add clinical records.")
        case CaseAction.ATTACH if status is RequestStatus.ACCEPTED:
            raise InvalidTransitionError(
                "The case is decided: files can be added only while it is a draft, pending, or has a pended line.")
        case CaseAction.EDIT | CaseAction.ATTACH:
            raise InvalidTransitionError(f"The case is {state}: it cannot be changed any more.")
        case CaseAction.CANCEL:
            if status is not RequestStatus.DRAFT:
                raise InvalidTransitionError(f"The case is {state}: only a draft can be cancelled.")
            if role is not Role.ADMIN and (facts.created_by_id is None or facts.created_by_id != user.id):
                raise PermissionDeniedError(
                    "Only the clerk who started this draft (or an administrator) can cancel it.")
        case CaseAction.COPY:
            if role not in _PROVIDER_SIDE:
                raise PermissionDeniedError("Reviewers do not start requests.")
            if status not in (RequestStatus.REJECTED, RequestStatus.EXPIRED, RequestStatus.CANCELLED):
                raise InvalidTransitionError(
                    "Only a rejected, expired or cancelled request can be copied into a new draft.")
        case CaseAction.ACCEPT | CaseAction.REJECT | CaseAction.CHANGE_URGENCY:
            plan_side("decide cases")
            if status is not RequestStatus.PENDING:
                raise InvalidTransitionError(f"The case is {state}, not pending.")
        case CaseAction.DECIDE_LINE:
            plan_side("decide service lines")
            if status is not RequestStatus.ACCEPTED:
                raise InvalidTransitionError("Accept the case before deciding its lines.")
            if not facts.line_statuses:
                raise InvalidTransitionError("The case has no service lines.")
        case CaseAction.OPEN_FILE:
            if not facts.attachment_count:
                raise InvalidTransitionError("The case has no files.")
        case CaseAction.EXPORT_PAS:
            if status not in SUBMITTED_STATUSES:
                raise InvalidTransitionError(f"The case is {state}: only submitted requests can be exported.")


def allowed_actions(user: UserRecord, facts: CaseFacts) -> frozenset[CaseAction]:
    """Every action ``user`` may take on a case with these facts."""
    allowed = set()
    for action in CaseAction:
        try:
            require(user, facts, action)
        except (PermissionDeniedError, InvalidTransitionError):
            continue
        allowed.add(action)
    return frozenset(allowed)


__all__ = ["SUBMITTED_STATUSES", "CaseAction", "CaseFacts", "allowed_actions", "facts_of_case", "facts_of_request", "require"]
