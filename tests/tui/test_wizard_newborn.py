"""Newborn notification, member look-up (F4) and save refusals at the field, driven by keyboard.

* A newborn notification asks for the mother's member ID once, on step 1, and
  the baby's details (all optional) on the services step; the store copies the
  mother's ID and the baby's date of birth defaults to the delivery date.
* F4 on step 1 opens the look-up by last name and date of birth; the member
  picked fills ``#member-id`` and is checked for eligibility.
* A save the store refuses with :class:`store.errors.InvalidFormError` shows
  each message at its field; what was typed stays.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import Input, Label, Static

from store.enums import RequestKind
from tests.factories import make_member, make_user
from tests.tui.conftest import SIZE, settle

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MOTHER = "M4000004"


@pytest.fixture
def clinic(sqlite_store, frozen_now):
    """A clerk and two members: a mother and a namesake born on another day."""
    user = make_user(sqlite_store, "clerk1", org="NORTH", full_name="Casey Clerk",
                     email="casey@north.example", phone="414-555-0100", fax="414-555-0101")
    make_member(sqlite_store, MOTHER, first="Mia", last="Mother", birth=date(1994, 2, 3))
    make_member(sqlite_store, "M5000005", first="Max", last="Mother", birth=date(1960, 7, 8))
    return sqlite_store, user


@pytest.fixture(autouse=True)
def _no_idle_save(monkeypatch):
    """Saves only when the test asks (ctrl+s)."""
    from tui.screens.wizard import WizardScreen

    monkeypatch.setattr(WizardScreen, "AUTOSAVE_SECONDS", 3600.0)
    monkeypatch.setattr(WizardScreen, "AUTOSAVE_MAX_SECONDS", 3600.0)


async def _open(pilot, letter: str):
    from tui.screens.wizard import WizardScreen

    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    await pilot.press(letter)
    await settle(pilot)
    assert isinstance(pilot.app.screen, WizardScreen)
    return pilot.app.screen


async def _type_into(pilot, field_id: str, text: str) -> None:
    screen = pilot.app.screen
    if not screen.query(f"#{field_id}"):
        await pilot.press("f3")  # the Services step is built on its first visit
        await settle(pilot)
    screen.query_one(f"#{field_id}", Input).focus()
    await pilot.pause()
    await pilot.press(*text)
    await settle(pilot)


def _error(screen, field_id: str) -> str:
    return str(screen.query_one(f"#{field_id}-error", Static).render())


def _request(store):
    from store.models import AuthRequest

    with store.session() as session:
        return session.exec(select(AuthRequest)).one()


async def test_newborn_mother_on_step_one_and_baby_on_services(clinic, signed_in_app):
    store, user = clinic
    app = signed_in_app(store, user)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "n")
        assert screen.kind is RequestKind.NEWBORN
        label = screen.query_one("#member-id").parent.parent.query_one(Label)
        assert str(label.render()).startswith("Mother's member ID")
        assert not screen.query("#mother-member-id"), "the mother's ID is typed once, on step 1"
        await _type_into(pilot, "member-id", MOTHER)
        await _type_into(pilot, "start-date", "03/01/2026")
        await _type_into(pilot, "delivery-date", "03/01/2026")
        await _type_into(pilot, "newborn-first-name", "Ava")
        await _type_into(pilot, "newborn-last-name", "Mother")
        await _type_into(pilot, "newborn-sex", "female")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.request_id is not None, screen._status
    request = _request(store)
    assert request.mother_member_id == MOTHER  # copied from step 1 by the store
    assert (request.newborn_first_name, request.newborn_last_name, request.newborn_sex) == ("Ava", "Mother", "F")
    assert request.newborn_birth_date == date(2026, 3, 1)  # the delivery date when left empty
    assert request.newborn_member_id == ""


async def test_newborn_bad_sex_and_future_birth_shown_at_their_fields(clinic, signed_in_app):
    store, user = clinic
    app = signed_in_app(store, user)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "n")
        await _type_into(pilot, "newborn-sex", "x")
        await _type_into(pilot, "newborn-birth-date", "03/09/2026")
        screen.query_one("#member-id", Input).focus()  # leaving the field checks it
        await settle(pilot)
        assert "F (female), M (male) or U (unknown)" in _error(screen, "newborn-sex")
        assert "in the future" in _error(screen, "newborn-birth-date")
        form = screen.collect_form()
        assert form.newborn_sex == "" and form.raw["newborn_sex"] == "x"  # kept as typed


async def test_save_refused_by_the_store_shows_each_message_at_its_field(clinic, signed_in_app):
    """The baby's ID equal to the mother's: the store refuses (InvalidFormError) — at the field, text kept."""
    store, user = clinic
    app = signed_in_app(store, user)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "n")
        await _type_into(pilot, "member-id", MOTHER)
        await _type_into(pilot, "newborn-member-id", MOTHER)  # no blur: only the store sees it
        assert _error(screen, "newborn-member-id") == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "mother's member ID" in _error(screen, "newborn-member-id")
        assert "NOT saved" in screen._status
        # Going to step 3 saved the draft (the member only); the refused save wrote nothing.
        assert _request(store).newborn_member_id == ""
        assert screen.query_one("#newborn-member-id", Input).value == MOTHER
        assert screen.query_one("#member-id", Input).value == MOTHER
        # Corrected, it saves.
        field = screen.query_one("#newborn-member-id", Input)
        field.focus()
        field.value = "M9000009"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.request_id is not None
        assert _error(screen, "newborn-member-id") == ""
    assert _request(store).newborn_member_id == "M9000009"


async def test_f4_looks_up_the_member_and_checks_eligibility(clinic, signed_in_app):
    from tui.screens.member_lookup import MemberLookupScreen

    store, user = clinic
    app = signed_in_app(store, user)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, "s")
        assert app.focused.id == "member-id"
        shown = {key: b.binding.description for key, b in app.active_bindings.items() if b.binding.show}
        assert shown.get("f4") == "Find member", "F4 in the footer of step 1"
        await _type_into(pilot, "start-date", "03/02/2026")
        screen.query_one("#member-id", Input).focus()
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, MemberLookupScreen)
        await pilot.press(*"Mother", "tab", *"02/03/1994", "enter")
        await settle(pilot)
        await pilot.press("enter")  # the one match
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#member-id", Input).value == MOTHER
        assert screen._eligibility is not None and screen._eligibility.last_name == "Mother"
        assert "Eligible" in str(screen.query_one("#eligibility", Static).render())
        # Esc on the look-up leaves the member ID as it is.
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.query_one("#member-id", Input).value == MOTHER
