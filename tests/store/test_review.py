"""The reviewer's side: queue, urgency, accept / reject, line decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from store.enums import AttachmentKind, LineStatus, RequestStatus, Urgency
from store.errors import (
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from store.models import Attachment, AuthRequest, CaseEvent, OutboxMail, ServiceLine
from store.services import review
from store.services.cases import get_case
from tests.store.review_cases import line_ids, make_case, people


@pytest.fixture
def cast(store, frozen_now):
    return people(store)


def _accept(store, reviewer, case_id):
    with store.session() as s:
        return review.accept_request(s, reviewer, case_id, attachments_dir=store.attachments_dir)


def _decide(store, reviewer, case_id, line_id, outcome, **kw):
    with store.session() as s:
        return review.decide_line(
            s, reviewer, case_id, line_id, outcome, attachments_dir=store.attachments_dir, **kw
        )


def _mails(store, case_id):
    with store.session() as s:
        return list(
            s.execute(select(OutboxMail).where(OutboxMail.request_id == case_id).order_by(OutboxMail.id)).scalars()
        )


def _events(store, case_id):
    with store.session() as s:
        return [e.event for e in s.execute(select(CaseEvent).where(CaseEvent.request_id == case_id)).scalars()]


# --- queue --------------------------------------------------------------------


def test_queue_lists_pending_cases_due_soonest_first(store, cast):
    clerk, _, reviewer = cast
    t0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    standard_old = make_case(store, clerk, submitted_at=t0 - timedelta(days=2))  # due 03-06 08:00
    expedited_new = make_case(store, clerk, urgency=Urgency.EXPEDITED, submitted_at=t0)  # due 03-04 08:00
    standard_new = make_case(store, clerk, submitted_at=t0)  # due 03-08
    make_case(store, clerk, status=RequestStatus.DRAFT)
    make_case(store, clerk, status=RequestStatus.ACCEPTED)
    with store.session() as s:
        page = review.review_queue(s, reviewer)
    assert [r.id for r in page.rows] == [expedited_new, standard_old, standard_new]
    assert page.total == 3
    assert page.rows[0].urgency == Urgency.EXPEDITED
    with store.session() as s:
        second = review.review_queue(s, reviewer, limit=2, offset=2)
    assert [r.id for r in second.rows] == [standard_new]


def test_queue_and_actions_are_for_reviewers_only(store, cast):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    with store.session() as s, pytest.raises(PermissionDeniedError):
        review.review_queue(s, clerk)
    with store.session() as s, pytest.raises(PermissionDeniedError):
        review.accept_request(s, clerk, case_id, attachments_dir=store.attachments_dir)
    with store.session() as s, pytest.raises(PermissionDeniedError):
        review.reject_request(s, clerk, case_id, "no")
    with store.session() as s, pytest.raises(PermissionDeniedError):
        review.change_urgency(s, clerk, case_id, Urgency.EXPEDITED)


# --- urgency --------------------------------------------------------------------


def test_change_urgency_recomputes_due_from_submission(store, cast):
    clerk, _, reviewer = cast
    submitted = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    case_id = make_case(store, clerk, urgency=Urgency.EXPEDITED, submitted_at=submitted)
    with store.session() as s:
        detail = review.change_urgency(s, reviewer, case_id, "standard", "Does not meet expedited criteria")
    assert detail.urgency == Urgency.STANDARD
    assert detail.requested_urgency == Urgency.EXPEDITED  # what the clerk asked is kept
    assert detail.decision_due_at == submitted + timedelta(days=7)
    assert detail.version == 2
    assert detail.events[-1].event == "urgency_changed"
    assert "expedited to standard" in detail.events[-1].detail
    assert "Does not meet expedited criteria" in detail.events[-1].detail
    with store.session() as s:
        detail = review.change_urgency(s, reviewer, case_id, Urgency.EXPEDITED)
    assert detail.decision_due_at == submitted + timedelta(hours=72)
    mails = _mails(store, case_id)
    assert [m.mail_kind for m in mails] == ["urgency_change", "urgency_change"]
    assert "changed to standard" in mails[0].subject


def test_change_urgency_bad_input(store, cast):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    with store.session() as s, pytest.raises(ValidationError) as err:
        review.change_urgency(s, reviewer, case_id, "standard")
    assert err.value.errors == {"urgency": "The case is already standard."}
    with store.session() as s, pytest.raises(ValidationError) as err:
        review.change_urgency(s, reviewer, case_id, "urgent")
    assert "urgency" in err.value.errors
    accepted = make_case(store, clerk, status=RequestStatus.ACCEPTED)
    with store.session() as s, pytest.raises(InvalidTransitionError):
        review.change_urgency(s, reviewer, accepted, "expedited")


# --- accept / reject ------------------------------------------------------------


def test_accept_activates_same_auth_number_and_writes_event_mail_letter(store, cast, frozen_now):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    with store.session() as s:
        before = s.get(AuthRequest, case_id).auth_number
    detail = _accept(store, reviewer, case_id)
    assert detail.status == RequestStatus.ACCEPTED
    assert detail.auth_number == before and before.startswith("SP")
    assert detail.decided_at == frozen_now
    assert detail.version == 2
    assert detail.events[-1].event == "accepted" and detail.events[-1].actor_name == "Riley Reviewer"
    letters = [a for a in detail.attachments if a.kind == AttachmentKind.LETTER]
    assert len(letters) == 1 and letters[0].media_type == "application/pdf"
    assert letters[0].filename == f"{before}-accepted-v2.pdf"
    mails = _mails(store, case_id)
    assert [m.mail_kind for m in mails] == ["status_change"]
    assert mails[0].to_address == "casey@north.example"
    assert "Accepted" in mails[0].subject and before in mails[0].body
    # The clerk sees the new status.
    with store.session() as s:
        seen = get_case(s, clerk, case_id)
    assert seen.status == RequestStatus.ACCEPTED and len(seen.attachments) == 1


def test_accept_assigns_a_number_when_missing(store, cast):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    with store.session() as s:
        s.get(AuthRequest, case_id).auth_number = None
    detail = _accept(store, reviewer, case_id)
    assert detail.auth_number and detail.auth_number.startswith("SP")


def test_accept_twice_is_an_invalid_transition(store, cast):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    _accept(store, reviewer, case_id)
    with pytest.raises(InvalidTransitionError, match="Only a pending .* this one is Accepted"):
        _accept(store, reviewer, case_id)
    draft = make_case(store, clerk, status=RequestStatus.DRAFT)
    with pytest.raises(InvalidTransitionError):
        _accept(store, reviewer, draft)
    with pytest.raises(NotFoundError):
        _accept(store, reviewer, 9999)


def test_reject_requires_a_reason(store, cast):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    for blank in ("", "   "):
        with store.session() as s, pytest.raises(ValidationError) as err:
            review.reject_request(s, reviewer, case_id, blank, attachments_dir=store.attachments_dir)
        assert list(err.value.errors) == ["reject-reason"]
        assert "specific reason" in err.value.errors["reject-reason"]
    with store.session() as s, pytest.raises(ValidationError) as err:
        review.reject_request(s, reviewer, case_id, "x" * 2001, attachments_dir=store.attachments_dir)
    assert "too long" in err.value.errors["reject-reason"]
    # Nothing changed, nothing queued.
    with store.session() as s:
        req = s.get(AuthRequest, case_id)
        assert req.status == RequestStatus.PENDING and req.version == 1
    assert _mails(store, case_id) == []


def test_reject_with_reason(store, cast, frozen_now):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    with store.session() as s:
        detail = review.reject_request(
            s, reviewer, case_id, "  Member is not the subscriber on file.  ", attachments_dir=store.attachments_dir
        )
    assert detail.status == RequestStatus.REJECTED
    assert detail.reject_reason == "Member is not the subscriber on file."
    assert detail.decided_at == frozen_now
    assert detail.events[-1].event == "rejected" and "not the subscriber" in detail.events[-1].detail
    assert [a.kind for a in detail.attachments] == [AttachmentKind.LETTER]
    mail = _mails(store, case_id)[0]
    assert "Rejected" in mail.subject and "Reason: Member is not the subscriber on file." in mail.body
    with store.session() as s, pytest.raises(InvalidTransitionError):
        review.reject_request(s, reviewer, case_id, "again", attachments_dir=store.attachments_dir)


def test_stale_version_is_a_conflict(store, cast):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    with store.session() as s, pytest.raises(ConflictError):
        review.accept_request(s, reviewer, case_id, attachments_dir=store.attachments_dir, expected_version=7)
    detail = _accept(store, reviewer, case_id)
    line = line_ids(store, case_id)[0]
    with store.session() as s, pytest.raises(ConflictError):
        review.decide_line(
            s, reviewer, case_id, line, "A3", reason="x", attachments_dir=store.attachments_dir,
            expected_version=detail.version - 1,
        )


def test_concurrent_change_between_read_and_write_is_a_conflict(store, cast):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    with store.session() as s:
        req = s.get(AuthRequest, case_id)  # read at version 1 ...
        s.commit()  # ... (objects are kept, not expired)
        with store.session() as other:  # another reviewer saves meanwhile
            other.get(AuthRequest, case_id).version = 2
        with pytest.raises(ConflictError, match="reload"):
            review._bump(s, req, datetime.now(UTC))


# --- line decisions -----------------------------------------------------------------


def test_lines_can_only_be_decided_on_accepted_cases(store, cast):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    line = line_ids(store, case_id)[0]
    with pytest.raises(InvalidTransitionError, match="Only an accepted case can be decided line by line; this one is Pending"):
        _decide(store, reviewer, case_id, line, "A1", units=1, from_date=date(2026, 3, 10), to_date=date(2026, 3, 10))
    other_case = make_case(store, clerk)
    _accept(store, reviewer, other_case)
    with pytest.raises(NotFoundError):
        _decide(store, reviewer, other_case, line, "A3", reason="x")


def test_approve_line(store, cast, frozen_now):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    _accept(store, reviewer, case_id)
    first, second = line_ids(store, case_id)
    detail = _decide(
        store, reviewer, case_id, second, "Approved", units=12, from_date=date(2026, 3, 10), to_date=date(2026, 4, 30)
    )
    line = detail.lines[1]
    assert line.status == LineStatus.APPROVED and line.status.label == "Approved (A1)"
    assert (line.authorized_units, line.authorized_from, line.authorized_to) == (12, date(2026, 3, 10), date(2026, 4, 30))
    assert detail.lines[0].status == LineStatus.REQUESTED
    assert detail.events[-1].event == "line_decided"
    assert "Line 2 (97110): Approved (A1), 12 units" in detail.events[-1].detail
    assert len([a for a in detail.attachments if a.kind == AttachmentKind.LETTER]) == 2
    mails = _mails(store, case_id)
    assert [m.mail_kind for m in mails] == ["status_change", "line_decision"]
    assert "Approved (A1)" in mails[1].subject and "Authorized units:   12" in mails[1].body
    with store.session() as s:
        assert s.get(ServiceLine, second).decided_at == frozen_now


def test_partial_deny_and_outcome_words(store, cast):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    _accept(store, reviewer, case_id)
    first, second = line_ids(store, case_id)
    detail = _decide(
        store, reviewer, case_id, second, LineStatus.PARTIAL, units=6, from_date=date(2026, 3, 10), to_date=date(2026, 3, 31)
    )
    assert detail.lines[1].status == LineStatus.PARTIAL and detail.lines[1].authorized_units == 6
    detail = _decide(store, reviewer, case_id, first, "denied", reason="Not medically necessary per MCG A-0123.")
    line = detail.lines[0]
    assert line.status == LineStatus.DENIED and line.decision_reason == "Not medically necessary per MCG A-0123."
    assert line.authorized_units is None and line.authorized_from is None


def test_pended_then_approved_is_reportable(store, cast):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    _accept(store, reviewer, case_id)
    first, _ = line_ids(store, case_id)
    detail = _decide(store, reviewer, case_id, first, "A4", reason="Send the last two office notes.")
    assert detail.lines[0].status == LineStatus.PENDED
    assert detail.lines[0].decision_reason == "Send the last two office notes."
    detail = _decide(store, reviewer, case_id, first, "A1", units=1, from_date=date(2026, 3, 10), to_date=date(2026, 3, 10))
    assert detail.lines[0].status == LineStatus.APPROVED and detail.lines[0].decision_reason == ""
    assert "(was Pended (A4))" in detail.events[-1].detail
    with store.session() as s:
        row = s.get(ServiceLine, first)
        assert row.was_pended is True
    mails = _mails(store, case_id)
    assert [m.mail_kind for m in mails] == ["status_change", "line_decision", "line_decision"]
    assert "Information needed: Send the last two office notes." in mails[1].body
    assert len({m.dedupe_key for m in mails}) == 3


@pytest.mark.parametrize(
    ("outcome", "kw", "expected"),
    [
        ("A1", {"from_date": date(2026, 3, 10), "to_date": date(2026, 3, 20)}, {"units": "Enter the authorized units."}),
        ("A1", {"units": -3, "from_date": date(2026, 3, 10), "to_date": date(2026, 3, 20)},
         {"units": "Authorized units must be 1 or more (got -3); to authorize nothing, deny the line."}),
        ("A2", {"units": 0, "from_date": date(2026, 3, 10), "to_date": date(2026, 3, 20)},
         {"units": "Authorized units must be 1 or more (got 0); to authorize nothing, deny the line."}),
        ("A1", {"units": 13, "from_date": date(2026, 3, 10), "to_date": date(2026, 3, 20)},
         {"units": "Authorized units (13) cannot be more than the 12 requested."}),
        ("A2", {"units": 13, "from_date": date(2026, 3, 10), "to_date": date(2026, 3, 20)},
         {"units": "Authorized units (13) cannot be more than the 12 requested."}),
        ("A1", {"units": 5, "from_date": date(2026, 3, 10), "to_date": date(2026, 3, 20)},
         {"units": "Approved (A1) authorizes all 12 requested units; for 5, choose Partially approved (A2)."}),
        ("A2", {"units": 12, "from_date": date(2026, 3, 10), "to_date": date(2026, 3, 20)},
         {"units": "Partially approved (A2) authorizes fewer than the 12 requested units; for all of them, choose Approved (A1)."}),
        ("A1", {"units": 12}, {"from-date": "Enter the first authorized date.", "to-date": "Enter the last authorized date."}),
        ("A1", {"units": 12, "from_date": date(2026, 3, 9), "to_date": date(2026, 3, 20)},
         {"from-date": "The authorized dates must fall within the requested dates 03/10/2026 – 04/30/2026."}),
        ("A1", {"units": 12, "from_date": date(2026, 3, 10), "to_date": date(2026, 5, 1)},
         {"to-date": "The authorized dates must fall within the requested dates 03/10/2026 – 04/30/2026."}),
        ("A2", {"units": 2, "from_date": date(2026, 3, 20), "to_date": date(2026, 3, 12)},
         {"to-date": "The last authorized date (03/12/2026) is before the first (03/20/2026)."}),
        ("A3", {}, {"reason": "Give the specific reason for the denial; it is printed on the letter."}),
        ("A4", {"reason": "  "}, {"reason": "Say what information is needed to decide this line."}),
        ("A6", {}, {"units": "Enter the authorized units.", "from-date": "Enter the first authorized date.",
                    "to-date": "Enter the last authorized date."}),
        ("maybe", {}, {"outcome": "Choose Approved (A1), Partially approved (A2), Denied (A3), Pended (A4), "
                                  "Modified (A6) or Cancelled (C)."}),
    ],
)
def test_bad_line_decisions_have_clear_field_messages(store, cast, outcome, kw, expected):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    _accept(store, reviewer, case_id)
    _, second = line_ids(store, case_id)  # 12 units, 03/10/2026 – 04/30/2026
    with pytest.raises(ValidationError) as err:
        _decide(store, reviewer, case_id, second, outcome, **kw)
    assert err.value.errors == expected
    with store.session() as s:
        line = s.get(ServiceLine, second)
        assert line.status == LineStatus.REQUESTED and line.authorized_units is None
        assert s.get(AuthRequest, case_id).version == 2  # only the accept bumped it
    assert [m.mail_kind for m in _mails(store, case_id)] == ["status_change"]


def test_all_errors_reported_at_once(store, cast):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    _accept(store, reviewer, case_id)
    _, second = line_ids(store, case_id)
    with pytest.raises(ValidationError) as err:
        _decide(store, reviewer, case_id, second, "A2", units=-1, to_date=date(2026, 6, 1))
    assert set(err.value.errors) == {"units", "from-date", "to-date"}


def test_line_without_dates_is_checked_against_request_dates(store, cast):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    with store.session() as s:
        for line in s.execute(select(ServiceLine).where(ServiceLine.request_id == case_id)).scalars():
            line.from_date = line.to_date = None
    _accept(store, reviewer, case_id)
    first, _ = line_ids(store, case_id)
    with pytest.raises(ValidationError) as err:
        _decide(store, reviewer, case_id, first, "A1", units=1, from_date=date(2026, 3, 1), to_date=date(2026, 3, 10))
    assert "03/10/2026 – 04/30/2026" in err.value.errors["from-date"]


def test_lines_to_decide_lists_accepted_cases_with_open_lines(store, cast):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk, lines=(("73721", 1, date(2026, 3, 10), date(2026, 3, 10)),))
    make_case(store, clerk)  # still pending
    _accept(store, reviewer, case_id)
    with store.session() as s:
        assert [r.id for r in review.lines_to_decide(s, reviewer).rows] == [case_id]
    (line,) = line_ids(store, case_id)
    _decide(store, reviewer, case_id, line, "A4", reason="Need imaging report")
    with store.session() as s:
        assert [r.id for r in review.lines_to_decide(s, reviewer).rows] == [case_id]
    _decide(store, reviewer, case_id, line, "A3", reason="Criteria not met")
    with store.session() as s:
        assert review.lines_to_decide(s, reviewer).total == 0


def test_letter_file_is_content_addressed_on_disk(store, cast):
    clerk, _, reviewer = cast
    case_id = make_case(store, clerk)
    _accept(store, reviewer, case_id)
    with store.session() as s:
        (att,) = s.execute(select(Attachment).where(Attachment.request_id == case_id)).scalars()
    from pathlib import Path

    path = Path(att.stored_path)
    assert path == (store.attachments_dir / att.sha256[:2] / att.sha256).resolve()
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and len(data) == att.size_bytes
    import hashlib

    assert hashlib.sha256(data).hexdigest() == att.sha256
