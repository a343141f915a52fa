"""The wizard builds each step on its first visit, and loses nothing for it.

* opening a request of any kind builds only step 1; visiting a step builds it;
* keys typed at full speed right after the kind key or a step key (F3,
  ctrl+PgDn) are held while the step is built and land in its field in order;
* a draft saved without its later steps ever being built keeps their stored
  values (a phone written ``414-555-0142`` stays so).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from textual import events

from store.enums import RequestKind, RequestStatus
from store.errors import StoreError
from tests.tui.conftest import SIZE, settle, stored_columns, user_record
from tui.screens.wizard.steps import WizardStep

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

KIND_KEYS = {RequestKind.INPATIENT: "i", RequestKind.SERVICE: "s", RequestKind.EMERGENT_ADMISSION: "e",
             RequestKind.NEWBORN: "n"}


def burst(app, *keys: str) -> None:
    """Post ``keys`` at once, without waiting between them (a fast typist, a scanner)."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


def built(screen) -> list[int]:
    """The indexes of the steps composed so far."""
    return sorted(int(step.id.removeprefix("step-")) for step in screen.query(WizardStep))


async def _open(app, pilot, letter: str):
    await settle(pilot)
    await pilot.press("n", letter)
    await settle(pilot)
    assert type(app.screen).__name__ == "WizardScreen"
    return app.screen


@pytest.mark.parametrize("kind", list(KIND_KEYS), ids=lambda k: k.name.lower())
async def test_opening_each_kind_builds_only_the_first_step(seeded, signed_in_app, kind):
    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, KIND_KEYS[kind])
        assert screen.kind is kind
        assert built(screen) == [0]
        assert app.focused.id == "member-id"


async def test_visiting_a_step_builds_it_once(seeded, signed_in_app):
    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, "s")
        await pilot.press("f3")
        await settle(pilot)
        assert built(screen) == [0, 2]
        assert screen.step == 2 and screen.query_one("#step-2") in app.focused.ancestors
        await pilot.press("ctrl+pagedown")
        await settle(pilot)
        assert built(screen) == [0, 2, 3] and screen.step == 3
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert built(screen) == [0, 2, 3, 6]
        assert len(screen.query("#care-setting")) == 1


async def test_keys_right_after_f3_land_in_the_services_step_in_order(seeded, signed_in_app):
    """F3 then ``out`` Enter in one burst: the care setting is chosen by its prefix, nothing lost."""
    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, "s")
        burst(app, "f3", "o", "u", "t", "enter")
        await settle(pilot)
        assert screen.step == 2
        assert screen.query_one("#care-setting").value == "outpatient"
        assert screen.query_one("#member-id").value == ""  # no key went back to step 1


async def test_keys_right_after_ctrl_pagedown_land_in_the_next_step(seeded, signed_in_app):
    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, "s")
        await pilot.press("f5")
        await settle(pilot)
        burst(app, "ctrl+pagedown", *"Casey")
        await settle(pilot)
        assert screen.step == 5
        assert app.focused.id == "contact-name"
        assert app.focused.value.endswith("Casey")


async def test_kind_key_and_member_id_and_date_at_full_speed(seeded, signed_in_app):
    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "n", "s", *"M2721960", "enter", *"03/02/2026")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#member-id").value == "M2721960"
        assert screen.query_one("#start-date").value == "03/02/2026"
        assert built(screen) == [0]


async def test_a_save_from_step_one_keeps_the_stored_values_of_steps_never_built(seeded, signed_in_app):
    from store.models import AuthRequest
    from store.services.drafts import load_draft

    user = user_record(seeded, "amy")
    with seeded.session() as session:
        request_id = None
        for candidate in session.execute(
                select(AuthRequest.id).where(AuthRequest.status == RequestStatus.DRAFT,
                                             AuthRequest.kind == RequestKind.SERVICE)
                .order_by(AuthRequest.id)).scalars():
            try:
                load_draft(session, user, candidate)
            except StoreError:  # another organization's
                continue
            request_id = candidate
            break
        if request_id is None:
            pytest.skip("no service draft of this clerk in the demo")
        row = session.get(AuthRequest, request_id)
        row.wizard_step = 0  # left on step 1: the other steps are never built
        row.contact_phone, row.contact_fax = "414-555-0142", "414.555.0199"
    before = stored_columns(seeded, request_id)
    app = signed_in_app(seeded, user)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.resume_draft(request_id)
        await settle(pilot, rounds=10)
        screen = app.screen
        assert built(screen) == [0]
        screen.query_one("#medicaid-id").value = "MCD42"  # as typed (Input.Changed)
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "saved" in screen._status
        assert built(screen) == [0]
        await pilot.press("escape")
        await settle(pilot)
    after = stored_columns(seeded, request_id)
    assert after["medicaid_id_entered"] == "MCD42"
    changed = {k for k in before if before[k] != after[k]}
    assert changed <= {"medicaid_id_entered", "version", "updated_at", "search_text", "member_pk", "coverage_id",
                       "member_name"}, changed
    assert (after["contact_phone"], after["contact_fax"]) == ("414-555-0142", "414.555.0199")


async def test_two_step_keys_and_text_in_one_burst(seeded, signed_in_app):
    """F2, ctrl+PgDn, then text: each step key waits for the one before; the text lands in step 3."""
    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot, "s")
        burst(app, "f2", "ctrl+pagedown", "o", "u", "t", "enter")
        await settle(pilot)
        assert screen.step == 2 and built(screen) == [0, 1, 2]
        assert screen.query_one("#care-setting").value == "outpatient"
