"""Issue 10: an immediate decision when the criteria are met (seed 003)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from store.enums import AttachmentKind, LineStatus, RequestStatus
from store.forms import LineInput
from store.models import Attachment, OutboxMail
from store.services import clinical
from store.services.cases import get_case
from tests.store.features_cases import build_office, form_for, submitted


@pytest.fixture
def office(store, frozen_now):
    people, ids = build_office(store)
    return store, people, ids


def _drug_test(answer="yes", **changes):
    return {"code": "80324", "answers": {"presumptive_positive": answer}, **changes}


def test_criteria_met_under_an_auto_approve_rule_is_approved_at_submission(office, tmp_path):
    store, people, ids = office
    result = submitted(store, people["north"], form_for(ids, **_drug_test()), tmp_path)
    with store.session() as s:
        case = get_case(s, people["north"], result.request_id)
        letters = s.exec(select(Attachment).where(Attachment.request_id == case.id,
                                                  Attachment.kind == AttachmentKind.LETTER)).all()
        mails = sorted(m.mail_kind for m in s.exec(select(OutboxMail).where(OutboxMail.request_id == case.id)))
    assert case.status is RequestStatus.ACCEPTED and case.decided_at == result.submitted_at
    line = case.lines[0]
    assert (line.status, line.authorized_units, line.authorized_from, line.authorized_to) == (
        LineStatus.APPROVED, 1, date(2026, 3, 9), date(2026, 3, 9))
    assert len(letters) == 1
    assert mails == ["line_decision", "status_change", "submission"]
    assert any(e.event == "approved_at_submission" and "Criteria met" in e.detail for e in case.events)


@pytest.mark.parametrize("changes", [
    _drug_test(answer="no"),  # criteria not met: review required
    {"code": "27447"},  # criteria met, but the rule does not auto-approve
])
def test_otherwise_a_reviewer_decides(office, tmp_path, changes):
    store, people, ids = office
    result = submitted(store, people["north"], form_for(ids, **changes), tmp_path)
    with store.session() as s:
        case = get_case(s, people["north"], result.request_id)
    assert case.status is RequestStatus.PENDING and case.lines[0].status is LineStatus.REQUESTED


def test_one_line_needing_review_keeps_the_whole_request_for_the_reviewer(office, tmp_path):
    store, people, ids = office
    form = form_for(ids, **_drug_test())
    form.lines.append(LineInput("27447", from_date=date(2026, 3, 9), to_date=date(2026, 3, 9), requested_units=1,
                                clinical_answers={q.id: "no" for q in clinical.questions_for("27447")}))
    result = submitted(store, people["north"], form, tmp_path)
    with store.session() as s:
        case = get_case(s, people["north"], result.request_id)
    assert case.status is RequestStatus.PENDING
    assert [x.status for x in case.lines] == [LineStatus.REQUESTED, LineStatus.REQUESTED]


def test_the_rule_setting_is_data_and_checked():
    rules = clinical.parse_rules(
        '[[rule]]\ntitle = "X"\ncodes = ["80324"]\nauto_approve = true\n'
        '[[rule.question]]\nid = "q"\ntext = "Q?"\nkind = "yes_no"\nmeets = "yes"\n')
    assert rules[0].auto_approve
    with pytest.raises(ValueError, match="auto_approve"):
        clinical.parse_rules('[[rule]]\ntitle = "X"\ncodes = ["1"]\nauto_approve = "yes"\n'
                             '[[rule.question]]\nid = "q"\ntext = "Q?"\n')
    assert clinical.auto_approves("80324", {"presumptive_positive": "yes"})
    assert not clinical.auto_approves("80324", {"presumptive_positive": "no"})
    assert not clinical.auto_approves("27447", {q.id: "yes" for q in clinical.questions_for("27447")})
