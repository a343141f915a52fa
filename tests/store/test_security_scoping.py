"""Another organization's case reads exactly like a missing one, everywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from store.demo import seed_demo
from store.enums import RequestStatus
from store.errors import NotFoundError
from store.models import AuthRequest, User
from store.services.auth import to_user_record
from store.services.cases import can_see, get_case
from store.services.completeness import duplicate_warnings
from store.services.drafts import get_request_for


@pytest.fixture
def demo(store, frozen_now):
    seed_demo(store, cases=60)
    with store.session() as session:
        users = {u.username: to_user_record(session, u) for u in session.execute(select(User)).scalars()}
        drafts = session.execute(select(AuthRequest.id).where(AuthRequest.status == RequestStatus.DRAFT)).scalars()
        north_only = next(i for i in drafts if can_see(session, users["amy"], i)
                          and not can_see(session, users["cara"], i))
        missing = session.execute(select(func.max(AuthRequest.id))).scalar_one() + 1000
    return store, users, north_only, missing


def _message(call) -> str:
    with pytest.raises(NotFoundError) as refused:
        call()
    return str(refused.value)


@pytest.mark.parametrize("look", [get_case, get_request_for], ids=["get_case", "get_request_for"])
def test_other_organizations_case_reads_as_missing(demo, look):
    store, users, theirs, missing = demo
    with store.session() as session:
        foreign = _message(lambda: look(session, users["cara"], theirs))
        absent = _message(lambda: look(session, users["cara"], missing))
    assert foreign.replace(str(theirs), "#") == absent.replace(str(missing), "#")
    assert "organization" not in foreign and "D-" not in foreign


def test_duplicate_warnings_say_nothing_about_another_organizations_draft(demo):
    store, users, theirs, _ = demo
    with store.session() as session:
        assert duplicate_warnings(session, users["cara"], theirs) == []


def test_outbox_mail_of_another_organization_reads_as_missing(demo):
    from store.services import mailer
    from store.services.notifications import queue_mail

    store, users, theirs, _ = demo
    with store.session() as session:
        mail = queue_mail(session, dedupe_key="scoping-test", mail_kind="status", to_address="",
                          subject="s", body="b", request_id=theirs)
        session.flush()
        foreign = mail.id
    with store.session() as session:
        message = _message(lambda: mailer.requeue_mail(session, users["cara"], foreign))
        absent = _message(lambda: mailer.requeue_mail(session, users["cara"], foreign + 1000))
    assert message == f"No mail #{foreign} in the outbox."
    assert absent == f"No mail #{foreign + 1000} in the outbox."
