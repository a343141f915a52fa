"""Editing keys typed in a burst act in the order they were typed.

Textual types a printable key into the focused Input at once but runs the
Input's own bindings (backspace, ←, ctrl+u, Enter…) only after the key has
bubbled up to the app, so keys typed right after them overtook them: a fast
typist's ``abc⌫d`` came out ``abc``, and ctrl+u then a new member ID left the
field empty. ``tui.widgets.text_input.TextInput`` (every text field of the
app) runs them in order.
"""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult

from tests.tui.conftest import settle, user_record, wait_until
from tui.widgets.text_input import TextInput


NAMED = {"backspace", "left", "right", "home", "end", "delete", "enter", "ctrl+u", "ctrl+w", "ctrl+k"}


def keys(app, *typed) -> None:
    """Post keys at once, as a terminal delivers a burst: a key's name (``"backspace"``) or text typed."""
    for item in typed:
        if item in NAMED:
            app.post_message(events.Key(item, None))
        else:
            for character in item:
                app.post_message(events.Key("space" if character == " " else character, character))


class OneField(App[None]):
    def __init__(self, value: str = "") -> None:
        super().__init__()
        self.value = value
        self.submitted: list[str] = []

    def compose(self) -> ComposeResult:
        yield TextInput(self.value, id="field")

    def on_input_submitted(self, message: TextInput.Submitted) -> None:
        self.submitted.append(message.value)


async def _typed(value: str, *typed: str) -> OneField:
    app = OneField(value)
    async with app.run_test() as pilot:
        field = app.query_one(TextInput)
        field.focus()
        await pilot.pause()
        keys(app, *typed)
        await settle(pilot)
        app.final = field.value  # type: ignore[attr-defined]
    return app


async def test_backspace_and_arrows_act_where_they_were_typed():
    app = await _typed("", "abc", "backspace", "d", "left", "x", "home", "Z", "end", "!")
    assert app.final == "Zabxd!"


async def test_ctrl_u_then_new_text_replaces_the_old():
    app = await _typed("M1000001", "ctrl+u", "M2721960")  # the old text is selected as the field gets focus
    assert app.final == "M2721960"


async def test_enter_submits_the_text_typed_before_it():
    app = await _typed("", "abc", "enter", "def")
    assert app.submitted == ["abc"]
    assert app.final == "abcdef"


async def test_ctrl_w_deletes_the_word_typed_before_it():
    app = await _typed("", "knee mri", "ctrl+w", "ct")
    assert app.final == "knee ct"


async def test_a_member_id_retyped_at_speed_after_a_refusal_is_kept(seeded, signed_in_app):
    """The clerk's case from tmux: an unknown member ID is refused, the clerk clears it with ctrl+u
    and types the right one and Enter at full speed: the ID is kept and looked up."""
    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        keys(app, "ne", "M1000001", "enter", "03/02/2026", "enter")
        await settle(pilot)
        screen = app.screen
        await wait_until(pilot, lambda: screen._eligibility_error != "", "the refusal")
        assert app.focused.id == "member-id"

        keys(app, "ctrl+u", "M2721960", "enter")
        await wait_until(pilot, lambda: screen._eligibility is not None, "the member's eligibility")
        assert screen.query_one("#member-id").value == "M2721960"
        assert screen.step == 1  # eligible: on to the providers


async def test_a_password_corrected_at_speed_signs_in(seeded):
    from tests.tui.conftest import make_app

    app = make_app(seeded)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        keys(app, "amy", "enter", "demo-clerk-x", "backspace", "1", "enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen", "the dashboard")
        await settle(pilot)
        assert app.user.username == "amy"


class Questions(App[None]):
    """Two yes/no questions, a choice and a text field; each answer or pick moves on, as the wizard does."""

    def compose(self) -> ComposeResult:
        from tui.widgets.wizard_fields import ChoiceSelect, YesNoField

        yield YesNoField(id="q1")
        yield YesNoField(id="q2")
        yield ChoiceSelect([(o, o) for o in ("Sleep medicine", "Spine", "Surgery")], id="category", compact=True)
        yield TextInput(id="next")

    def on_yes_no_field_answered(self, message) -> None:
        self.query_one({"q1": "#q2", "q2": "#category"}[message.field.id]).focus()

    def on_choice_select_picked(self, message) -> None:
        self.call_after_refresh(self.query_one("#next").focus)  # after a refresh, as the wizard moves on


async def test_answers_and_a_pick_typed_at_speed_each_land_in_their_field():
    """``y n`` then ``surg`` Enter then text, in one burst: two answers, one pick, the text in the
    next field (before, ``n`` answered the first question again and the rest was lost)."""
    app = Questions()
    async with app.run_test() as pilot:
        app.query_one("#q1").focus()
        await pilot.pause()
        keys(app, "yn", "surg", "enter", "abc")
        await settle(pilot)
        assert [app.query_one(f"#{q}").value for q in ("q1", "q2")] == ["yes", "no"]
        assert app.query_one("#category").value == "Surgery"
        assert app.query_one("#next").value == "abc"
