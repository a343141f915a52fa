"""Small fields of the request wizard that make choosing fast by keyboard."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Select
from textual.widgets._select import SelectOverlay


class ChoiceSelect(Select[str]):
    """A Select that opens as soon as a letter is typed and jumps to the matching option.

    When the clerk picks an option from the open list (Enter), it posts
    :class:`ChoiceSelect.Picked` so the form can move to the next field.
    """

    @dataclass
    class Picked(Message):
        """The clerk chose an option from the list."""

        select: ChoiceSelect
        value: str

        @property
        def control(self) -> ChoiceSelect:
            """The select that sent this."""
            return self.select

    def _watch_value(self, value) -> None:
        picked_by_clerk = self.expanded
        super()._watch_value(value)
        if picked_by_clerk and value != self.NULL:
            self.post_message(self.Picked(self, value))

    async def _on_key(self, event: events.Key) -> None:
        if not self.expanded and event.character is not None and event.is_printable and event.character != " ":
            event.stop()
            event.prevent_default()
            self.action_show_overlay()
            overlay = self.query_one(SelectOverlay)
            overlay.post_message(events.Key(event.key, event.character))

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """Letters open the list (so they are not taken as shortcuts)."""
        return character is not None and character.isprintable() and character != " "


class YesNoField(Widget, can_focus=True):
    """A yes/no answer: ``y`` or ``n`` answers (and posts :class:`YesNoField.Answered`), space toggles.

    ``value`` is ``"yes"``, ``"no"`` or ``""`` (not answered).
    """

    DEFAULT_CSS = """
    YesNoField { height: 1; width: auto; min-width: 20; padding: 0 1; }
    YesNoField:focus { background: $boost; text-style: bold; }
    YesNoField.-invalid { color: $error; }
    """
    BINDINGS = [
        Binding("y", "answer('yes')", "Yes", id="answer-yes", tooltip="Answer yes"),
        Binding("n", "answer('no')", "No", id="answer-no", tooltip="Answer no"),
        Binding("space", "toggle", "Toggle", show=False, id="answer-toggle", tooltip="Switch between yes and no"),
    ]

    value: reactive[str] = reactive("")

    @dataclass
    class Answered(Message):
        """The clerk answered with y or n."""

        field: YesNoField
        value: str

        @property
        def control(self) -> YesNoField:
            """The field that sent this."""
            return self.field

    def __init__(self, value: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(YesNoField.value, value)

    def render(self) -> Text:
        yes = "(•) Yes" if self.value == "yes" else "( ) Yes"
        no = "(•) No" if self.value == "no" else "( ) No"
        return Text(f"{yes}   {no}")

    def action_answer(self, value: str) -> None:
        """Answer ``value`` and tell the form."""
        self.value = value
        self.post_message(self.Answered(self, value))

    def action_toggle(self) -> None:
        """Switch the answer."""
        self.value = "no" if self.value == "yes" else "yes"
