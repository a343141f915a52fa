"""Dashboard paging with a known total gives the same pages as list_requests."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from store.demo import seed_demo
from store.enums import RequestStatus
from store.models import User
from store.services.auth import to_user_record
from store.services.cases import list_requests


@pytest.fixture
def seeded(store, frozen_now):
    seed_demo(store, cases=160)
    with store.session() as session:
        users = {
            name: to_user_record(session, session.execute(select(User).where(User.username == name)).scalar_one())
            for name in ("amy", "rita")
        }
    return store, users


@pytest.mark.parametrize("username", ["amy", "rita"])
@pytest.mark.parametrize("sort,descending", [("updated", True), ("member", False), ("webcert", False)])
def test_known_total_gives_the_same_pages(seeded, username, sort, descending):
    store, users = seeded
    user = users[username]
    statuses = [RequestStatus.ACCEPTED, RequestStatus.REJECTED]
    with store.session() as session:
        first = list_requests(session, user, statuses, sort=sort, descending=descending, limit=20)
        assert first.total > 40
        for offset in (0, 20, 40):
            expected = list_requests(session, user, statuses, sort=sort, descending=descending, offset=offset, limit=20)
            got = list_requests(session, user, statuses, sort=sort, descending=descending, offset=offset, limit=20,
                                total=first.total)
            assert got == expected
        # past the end: the last page, as list_requests does
        last = list_requests(session, user, statuses, sort=sort, descending=descending, offset=10_000, limit=20,
                             total=first.total)
        assert last.offset == (first.total - 1) // 20 * 20 and last.rows
        # no total: it counts
        assert list_requests(session, user, statuses, sort=sort, descending=descending, limit=20) == first


def test_filter_with_known_total(seeded):
    store, users = seeded
    user = users["amy"]
    with store.session() as session:
        row = list_requests(session, user, RequestStatus.ACCEPTED, limit=1).rows[0]
        page = list_requests(session, user, RequestStatus.ACCEPTED, text=row.draft_number, total=1)
        assert [r.id for r in page.rows] == [row.id]
