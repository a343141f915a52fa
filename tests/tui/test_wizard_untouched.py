"""Opening a saved draft and leaving it without a key writes nothing.

For a demo draft of every kind (and for a copy of a rejected request), the
wizard opens the draft, walks nowhere, and leaves with escape: the database
row, its version and its service lines are exactly as before.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from store.enums import RequestKind, RequestStatus
from tests.tui.conftest import SIZE, settle, stored_columns, user_record

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _draft_of_kind(store, user, kind: RequestKind) -> int:
    from store.models import AuthRequest
    from store.services.drafts import load_draft

    with store.session() as session:
        ids = session.execute(
            select(AuthRequest.id).where(AuthRequest.kind == kind, AuthRequest.status == RequestStatus.DRAFT)
            .order_by(AuthRequest.id)
        ).scalars().all()
        for request_id in ids:
            try:
                form, _ = load_draft(session, user, request_id)
            except Exception:  # not this clerk's organization
                continue
            if form.wizard_step >= 3:  # left on or past the urgency step: the worst case
                return request_id
        for request_id in ids:
            try:
                load_draft(session, user, request_id)
            except Exception:
                continue
            return request_id
        # No open draft of this kind: save one from a case of that kind, as the clerk left it.
        from datetime import UTC, datetime

        from store.services.drafts import form_from_request, save_draft

        for request in session.execute(select(AuthRequest).where(AuthRequest.kind == kind)
                                       .order_by(AuthRequest.id)).scalars():
            form = form_from_request(session, request)
            if form.requesting_provider_id is None:
                continue
            form.wizard_step = 4
            if kind is RequestKind.EMERGENT_ADMISSION:
                form.admitted_via_er = True
                form.admission_at = datetime(2026, 3, 1, 23, 17, 42, tzinfo=UTC)  # seconds the screen does not show
            form.contact_phone, form.contact_fax = "414-555-0141", "414-555-0199"
            return save_draft(session, user, form).request_id
    pytest.skip(f"the demo has no {kind.value} case")


async def _open_and_leave(app, request_id: int) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.resume_draft(request_id)
        await settle(pilot, rounds=10)
        assert type(app.screen).__name__ == "WizardScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ != "WizardScreen"


@pytest.mark.parametrize("kind", list(RequestKind), ids=lambda k: k.name.lower())
async def test_open_and_leave_writes_nothing(seeded, signed_in_app, kind):
    user = user_record(seeded, "amy")
    request_id = _draft_of_kind(seeded, user, kind)
    before = stored_columns(seeded, request_id)
    await _open_and_leave(signed_in_app(seeded, user), request_id)
    after = stored_columns(seeded, request_id)
    assert after == before


async def test_copied_rejected_request_keeps_its_treatment_type(seeded, signed_in_app):
    from store.models import AuthRequest
    from store.services.drafts import copy_to_new_draft

    user = user_record(seeded, "amy")
    with seeded.session() as session:
        rejected = session.execute(
            select(AuthRequest).where(AuthRequest.status == RequestStatus.REJECTED,
                                      AuthRequest.created_by_id == user.id).limit(1)
        ).scalars().first()
        if rejected is None:
            pytest.skip("no rejected request of this clerk in the demo")
        treatment = rejected.treatment_type
        saved = copy_to_new_draft(session, user, rejected.id)
    assert treatment
    before = stored_columns(seeded, saved.request_id)
    assert before["treatment_type"] == treatment
    await _open_and_leave(signed_in_app(seeded, user), saved.request_id)
    after = stored_columns(seeded, saved.request_id)
    assert after == before
