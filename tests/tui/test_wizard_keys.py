"""Keyboard details of the wizard's fields, each in a small app of its own (fast),
and keys typed ahead in a burst from the dashboard into the wizard."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult

from tests.tui.conftest import SIZE, settle, text_of, user_record
from tui.widgets.wizard_fields import ChoiceSelect, CriteriaList, RadioChoice, TickBox, match_choice

OPTIONS = ["Sleep medicine", "Spine", "Surgery", "Cardiology", "General surgery"]


class FieldApp(App[None]):
    """One wizard field on an empty screen."""

    def __init__(self, field) -> None:
        super().__init__()
        self.field = field

    def compose(self) -> ComposeResult:
        yield self.field


def burst(app, keys: str) -> None:
    """Post ``keys`` to the app at once, without waiting between them (a fast typist, a scanner)."""
    for key in keys:
        app.post_message(events.Key(key, key))


def test_match_choice_takes_the_typed_prefix():
    assert OPTIONS[match_choice(OPTIONS, "surg")] == "Surgery"
    assert OPTIONS[match_choice(OPTIONS, "s")] == "Sleep medicine"
    assert OPTIONS[match_choice(OPTIONS, "sp")] == "Spine"
    assert OPTIONS[match_choice(OPTIONS, "gen")] == "General surgery"
    assert match_choice(OPTIONS, "zzz") is None


async def test_choice_type_ahead_in_a_burst_lands_on_the_prefix():
    app = FieldApp(ChoiceSelect([(o, o) for o in OPTIONS], id="category", compact=True))
    async with app.run_test() as pilot:
        app.field.focus()
        await pilot.pause()
        burst(app, "surg")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.field.value == "Surgery"


async def test_ticks_and_radios_read_without_colour():
    box = TickBox("yes", value=True, id="er")
    app = FieldApp(box)
    async with app.run_test() as pilot:
        assert "[x] yes" in text_of(app, "#er")
        box.value = False
        await pilot.pause()
        assert "[ ] yes" in text_of(app, "#er")
    radio = RadioChoice("Expedited", value=True, id="exp")
    app = FieldApp(radio)
    async with app.run_test() as pilot:
        assert "(•) Expedited" in text_of(app, "#exp")
        radio.value = False
        await pilot.pause()
        assert "( ) Expedited" in text_of(app, "#exp")
    criteria = CriteriaList(("Inpatient admission", "a"), ("Through the ER", "b", True), id="criteria")
    app = FieldApp(criteria)
    async with app.run_test() as pilot:
        text = text_of(app, "#criteria")
        assert "[ ] Inpatient admission" in text
        assert "[x] Through the ER" in text


async def test_kind_key_and_member_id_typed_at_once_from_the_dashboard(seeded, signed_in_app):
    """``n s M…`` posted in one burst: the member ID lands whole in its field."""
    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "nsM2721960")
        await settle(pilot)
        assert type(app.screen).__name__ == "WizardScreen"
        assert app.screen.query_one("#member-id").value == "M2721960"
        assert app.focused.id == "member-id"


async def test_every_key_of_a_burst_arrives_in_order_in_the_wizard(seeded, signed_in_app):
    """Member ID, Enter, start date typed without pauses: each in its field, nothing lost or swapped.

    (Enter skips the optional Medicaid ID and goes to the start date.)"""
    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "ns")
        burst(app, "M2721960")
        app.post_message(events.Key("enter", None))
        burst(app, "03/02/2026")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#member-id").value == "M2721960"
        assert screen.query_one("#medicaid-id").value == ""
        assert screen.query_one("#start-date").value == "03/02/2026"


async def test_alt_keys_as_a_terminal_sends_them_are_keys_not_letters(seeded, signed_in_app):
    """A terminal sends alt+d as ESC d, parsed with the character "d": from a choice list or a text
    field it must still jump to the add-diagnosis field, not open the list or type a "d"."""
    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "ns")
        await settle(pilot)
        screen = app.screen
        app.post_message(events.Key("alt+d", "d"))  # from the member ID field
        await settle(pilot)
        assert screen.query_one("#member-id").value == ""
        assert app.focused.id == "diagnosis-search"
        await pilot.press("f3")
        await settle(pilot)
        category = screen.query_one("#category")
        category.focus()
        await settle(pilot)
        app.post_message(events.Key("alt+d", "d"))  # from a choice list
        await settle(pilot)
        assert not category.expanded
        assert app.focused.id == "diagnosis-search"
        assert app.focused.value == ""


async def test_the_results_list_shows_eight_results_not_one(seeded, signed_in_app):
    """The results overlay is 8 rows tall (OptionList's own max-height of 100% of its one-row
    parent had cut it to a single result)."""
    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "ns")
        await settle(pilot)
        app.post_message(events.Key("alt+d", None))
        await settle(pilot)
        burst(app, "diab")
        await settle(pilot)
        results = app.screen.query_one("#diagnosis-search-picker OptionList")
        assert results.option_count >= 8
        assert results.region.height == 8
        shown = text_of(app, "#diagnosis-search-picker OptionList")
        assert len([line for line in shown.splitlines() if line.strip()]) == 8
