"""Mail wording: numbers, the seeds' warnings, and one dedupe key per mail."""

from __future__ import annotations

from datetime import UTC, date, datetime

from store.enums import LineStatus, RequestStatus, Urgency
from store.models import AuthRequest, ServiceLine
from store.services import mail_templates as mt


def _request(**kw) -> AuthRequest:
    base = dict(
        id=7,
        kind="inpatient",
        status=RequestStatus.PENDING,
        version=3,
        draft_number="D-000007",
        webcert_number="WC-0000042",
        auth_number="IP0000042",
        member_name="Whitfield, Dana",
        member_id_entered="M1000001",
        contact_name="Casey Clerk",
        contact_email="casey@north.example",
        urgency=Urgency.EXPEDITED,
        start_date=date(2026, 3, 10),
        end_date=date(2026, 3, 12),
        submitted_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        decision_due_at=datetime(2026, 3, 5, 9, 0, tzinfo=UTC),
        expires_at=datetime(2026, 3, 6, 8, 0, tzinfo=UTC),
    )
    base.update(kw)
    return AuthRequest(**base)


def test_submission_confirmation_has_both_numbers_and_the_warning():
    subject, body = mt.submission_confirmation(_request())
    assert subject == "Request WC-0000042 submitted — Inpatient stay"
    assert "Your WebCert number is WC-0000042." in body
    assert "The WebCert number is NOT the authorization number." in body
    assert "The pending authorization number is IP0000042" in body
    assert "Pending authorization: IP0000042" in body
    assert "A decision is due by 03/05/2026 09:00 UTC (expedited request)." in body
    assert "An authorization is not a guarantee of payment" in body
    assert body.startswith("Hello Casey Clerk,\n")


def test_status_change_wording():
    subject, body = mt.status_change(_request(status=RequestStatus.ACCEPTED))
    assert subject == "Request WC-0000042 is now Accepted"
    assert "The authorization number IP0000042 is now active." in body
    assert "Authorization number:  IP0000042" in body
    subject, body = mt.status_change(_request(status=RequestStatus.REJECTED, reject_reason="Duplicate request."))
    assert subject == "Request WC-0000042 is now Rejected" and "Reason: Duplicate request." in body


def test_line_decision_wording():
    line = ServiceLine(id=3, request_id=7, line_number=2, code="97110", description="Therapeutic exercise",
                       from_date=date(2026, 3, 10), to_date=date(2026, 4, 30), requested_units=12,
                       status=LineStatus.PARTIAL, authorized_units=6, authorized_from=date(2026, 3, 10),
                       authorized_to=date(2026, 3, 31))
    subject, body = mt.line_decision(_request(status=RequestStatus.ACCEPTED), line)
    assert subject == "Request WC-0000042 line 2 (97110): Partially approved (A2)"
    assert "Authorized units:   6 (03/10/2026 – 03/31/2026)" in body
    assert "Requested units:    12 (03/10/2026 – 04/30/2026)" in body


def test_draft_reminders():
    draft = _request(status=RequestStatus.DRAFT, webcert_number=None, auth_number=None)
    subject, body = mt.draft_expiring(draft)
    assert subject == "Draft D-000007 expires 03/06/2026 08:00 UTC"
    assert "is not an approval" in body
    subject, body = mt.draft_expired(draft)
    assert subject == "Draft D-000007 has expired" and "nothing you entered is lost" in body


def test_dedupe_keys_are_distinct():
    req = _request()
    line = ServiceLine(id=3, request_id=7, code="97110")
    keys = {
        mt.submission_key(req),
        mt.status_change_key(req, RequestStatus.ACCEPTED),
        mt.status_change_key(req, "rejected"),
        mt.line_decision_key(req, line),
        mt.urgency_change_key(req),
        mt.draft_expiring_key(req),
        mt.draft_expired_key(req),
    }
    assert len(keys) == 7
    assert mt.line_decision_key(req, line) == "line:7:3:v3"
