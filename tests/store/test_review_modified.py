"""Modified (A6) and cancelled (C) line decisions: rules, letters, mails, timeline, metrics."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from store.enums import AttachmentKind, LineStatus
from store.errors import ValidationError
from store.models import Attachment, CaseEvent, OutboxMail, ServiceLine
from store.services import review
from store.services.reports import request_outcome
from tests.store.review_cases import line_ids, make_case, people


@pytest.fixture
def accepted(store, frozen_now):
    clerk, _, reviewer = people(store)
    case_id = make_case(store, clerk)
    with store.session() as s:
        review.accept_request(s, reviewer, case_id, attachments_dir=store.attachments_dir)
    return reviewer, case_id, line_ids(store, case_id)  # lines: 73721 ×1 on 03/10; 97110 ×12 03/10–04/30


def _decide(store, reviewer, case_id, line_id, outcome, **kw):
    with store.session() as s:
        return review.decide_line(s, reviewer, case_id, line_id, outcome, attachments_dir=store.attachments_dir, **kw)


def test_modified_line_with_another_code_and_dates(store, accepted):
    reviewer, case_id, (first, second) = accepted
    case = _decide(store, reviewer, case_id, second, "A6", units=8, from_date=date(2026, 3, 16),
                   to_date=date(2026, 5, 15), code="97140", reason="Manual therapy instead, 8 visits.")
    line = case.lines[1]
    assert line.status is LineStatus.MODIFIED and line.status.label == "Modified (A6)"
    assert (line.authorized_units, line.authorized_from, line.authorized_to) == (8, date(2026, 3, 16), date(2026, 5, 15))
    assert line.authorized_code == "97140"
    with store.session() as s:
        event = s.execute(select(CaseEvent).where(CaseEvent.request_id == case_id,
                                                  CaseEvent.event == "line_decided")).scalars().one()
        assert "Modified (A6), 8 units 03/16/2026 – 05/15/2026 as 97140" in event.detail
        mail = s.execute(select(OutboxMail).where(OutboxMail.request_id == case_id,
                                                   OutboxMail.mail_kind == "line_decision")).scalars().one()
        assert "Modified (A6)" in mail.subject and "Authorized code:    97140 (instead of 97110)" in mail.body
        assert "Authorized units:   8 (03/16/2026 – 05/15/2026)" in mail.body
        letters = s.execute(select(Attachment).where(Attachment.request_id == case_id,
                                                     Attachment.kind == AttachmentKind.LETTER)).scalars().all()
    assert len(letters) == 2  # acceptance + this line
    assert request_outcome(case.status, [(LineStatus.MODIFIED, False)]) == "approved"


def test_modified_needs_a_change_and_valid_values(store, accepted):
    reviewer, case_id, (_, second) = accepted
    with pytest.raises(ValidationError) as err:
        _decide(store, reviewer, case_id, second, "A6", units=12, from_date=date(2026, 3, 10), to_date=date(2026, 4, 30))
    assert err.value.errors == {
        "outcome": "Nothing is modified: the code, units and dates are those requested; choose Approved (A1)."}
    with pytest.raises(ValidationError) as err:
        _decide(store, reviewer, case_id, second, "modified", units=0, from_date=date(2026, 4, 1),
                to_date=date(2026, 3, 1), code="XYZ")
    assert set(err.value.errors) == {"units", "to-date", "code"}
    with store.session() as s:
        assert s.get(ServiceLine, second).status is LineStatus.REQUESTED


def test_modified_units_only_outside_requested_dates_is_allowed(store, accepted):
    reviewer, case_id, (_, second) = accepted
    case = _decide(store, reviewer, case_id, second, "A6", units=12, from_date=date(2026, 3, 20),
                   to_date=date(2026, 5, 20))
    assert case.lines[1].authorized_code is None and case.lines[1].authorized_to == date(2026, 5, 20)


def test_cancelled_line_authorizes_nothing(store, accepted):
    reviewer, case_id, (first, _) = accepted
    _decide(store, reviewer, case_id, first, "A1", units=1, from_date=date(2026, 3, 10), to_date=date(2026, 3, 10))
    case = _decide(store, reviewer, case_id, first, "C")
    line = case.lines[0]
    assert line.status is LineStatus.CANCELLED and line.authorized_units is None and line.authorized_code is None
    assert "Cancelled (C)" in case.events[-1].detail and "(was Approved (A1))" in case.events[-1].detail
