"""Who may do what to a case: the one table the services and the screens ask."""

from __future__ import annotations

import pytest

from store.enums import LineStatus, RequestStatus, Role
from store.errors import InvalidTransitionError, PermissionDeniedError
from store.records import UserRecord
from store.services.permissions import CaseAction, CaseFacts, allowed_actions, require


def user(uid: int, role: Role) -> UserRecord:
    return UserRecord(id=uid, username=f"u{uid}", full_name="", email="", phone="", phone_ext="", fax="",
                      role=role, organization_id=1, organization_name="NORTH")


CREATOR, COLLEAGUE, REVIEWER, ADMIN = user(1, Role.CLERK), user(2, Role.CLERK), user(3, Role.REVIEWER), user(4, Role.ADMIN)


def facts(status: RequestStatus, lines=(), files=0) -> CaseFacts:
    return CaseFacts(status=status, created_by_id=CREATOR.id, line_statuses=tuple(lines), attachment_count=files)


def test_only_the_creator_or_an_admin_cancels_a_draft():
    draft = facts(RequestStatus.DRAFT)
    require(CREATOR, draft, CaseAction.CANCEL)
    require(ADMIN, draft, CaseAction.CANCEL)
    with pytest.raises(PermissionDeniedError, match="started this draft"):
        require(COLLEAGUE, draft, CaseAction.CANCEL)
    with pytest.raises(PermissionDeniedError):
        require(REVIEWER, draft, CaseAction.CANCEL)
    with pytest.raises(InvalidTransitionError, match="only a draft"):
        require(CREATOR, facts(RequestStatus.PENDING), CaseAction.CANCEL)


def test_colleagues_edit_and_attach_to_a_draft_reviewers_do_not():
    draft = facts(RequestStatus.DRAFT)
    assert {CaseAction.EDIT, CaseAction.ATTACH} <= allowed_actions(COLLEAGUE, draft)
    assert CaseAction.CANCEL not in allowed_actions(COLLEAGUE, draft)
    assert not {CaseAction.EDIT, CaseAction.ATTACH} & allowed_actions(REVIEWER, draft)


@pytest.mark.parametrize("status", [RequestStatus.REJECTED, RequestStatus.ACCEPTED, RequestStatus.EXPIRED,
                                    RequestStatus.CANCELLED])
def test_closed_cases_cannot_be_edited(status):
    with pytest.raises(InvalidTransitionError, match="cannot be changed"):
        require(CREATOR, facts(status), CaseAction.EDIT)


def test_reviewer_actions_by_status():
    pending = facts(RequestStatus.PENDING, [LineStatus.REQUESTED])
    assert allowed_actions(REVIEWER, pending) >= {CaseAction.ACCEPT, CaseAction.REJECT, CaseAction.CHANGE_URGENCY}
    assert CaseAction.DECIDE_LINE not in allowed_actions(REVIEWER, pending)
    accepted = facts(RequestStatus.ACCEPTED, [LineStatus.REQUESTED])
    assert CaseAction.DECIDE_LINE in allowed_actions(REVIEWER, accepted)
    with pytest.raises(InvalidTransitionError, match="no service lines"):
        require(REVIEWER, facts(RequestStatus.ACCEPTED), CaseAction.DECIDE_LINE)
    with pytest.raises(PermissionDeniedError):
        require(CREATOR, pending, CaseAction.ACCEPT)


def test_copy_and_open_files():
    assert CaseAction.COPY in allowed_actions(COLLEAGUE, facts(RequestStatus.REJECTED))
    assert CaseAction.COPY not in allowed_actions(COLLEAGUE, facts(RequestStatus.PENDING))
    assert CaseAction.COPY not in allowed_actions(REVIEWER, facts(RequestStatus.REJECTED))
    assert CaseAction.OPEN_FILE in allowed_actions(REVIEWER, facts(RequestStatus.PENDING, files=1))
    assert CaseAction.OPEN_FILE not in allowed_actions(REVIEWER, facts(RequestStatus.PENDING))


@pytest.mark.parametrize("status", list(RequestStatus))
def test_only_submitted_requests_are_exported_as_pas(status):
    allowed = CaseAction.EXPORT_PAS in allowed_actions(CREATOR, facts(status))
    assert allowed is (status in (RequestStatus.PENDING, RequestStatus.ACCEPTED, RequestStatus.REJECTED))
