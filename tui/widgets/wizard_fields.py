"""Small fields of the request wizard that make choosing fast by keyboard."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Checkbox, OptionList, RadioButton, Select, SelectionList
from textual.widgets._select import SelectOverlay

from tui.widgets.text_input import OwnBindingsFirst, TextInput

TYPE_AHEAD_SECONDS = 0.8  # keys closer together than this build one prefix


def match_choice(prompts: list[str], typed: str) -> int | None:
    """The option ``typed`` means: the first starting with it, else the first containing it."""
    needle = typed.lower()
    if not needle:
        return None
    lowered = [p.lower() for p in prompts]
    for index, prompt in enumerate(lowered):
        if prompt.startswith(needle):
            return index
    for index, prompt in enumerate(lowered):
        if any(word.startswith(needle) for word in prompt.split()):
            return index
    for index, prompt in enumerate(lowered):
        if needle in prompt:
            return index
    return None


class KeysAfterEnter:
    """Keys typed after Enter wait until the form has said where focus goes, then go there in order.

    For a field whose Enter (or answer) hands it to the form (:class:`FormInput`,
    :class:`ChoiceSelect`, :class:`YesNoField`):
    the form may move focus at once, after a message, or after a worker (a code
    lookup). Keys that reach the field meanwhile are kept; once focus has left
    the field they are posted, in order, to the field that has it; if the form
    keeps focus here they are typed here once it has finished (no worker running,
    nothing queued on the screen) — :meth:`stay` says so at once.
    """

    CHECK_SECONDS = 0.05  # how often to look whether the form has finished with the Enter
    MAX_CHECKS = 200  # never hold keys longer than ~10 s (a worker that does not end)

    def _init_keys_after_enter(self) -> None:
        self._waiting: list[events.Key] | None = None
        self._handoff_timer = None
        self._idle_checks = self._all_checks = 0

    def wait_after_enter(self) -> None:
        """Enter was pressed here: keep the keys that follow until focus moves (or the form is done)."""
        if self._waiting is not None:
            return
        self._waiting = []
        self._idle_checks = self._all_checks = 0
        self._handoff_timer = self.set_interval(self.CHECK_SECONDS, self._check_form_done)

    def keep_if_waiting(self, event: events.Key) -> bool:
        """Keep ``event`` (stopped) when keys are waiting for the form; False otherwise."""
        if self._waiting is None:
            return False
        event.stop()
        event.prevent_default()
        self._waiting.append(event)
        return True

    def _check_form_done(self) -> None:
        """The form has finished with the Enter when nothing is left to do (no worker, no message
        waiting on the screen) and focus is still here: then the keys are typed here. Not a delay:
        under load the form may take seconds, and the keys wait for it."""
        if not self._focus_is_here():
            self.focus_moved_on()
            return
        busy = (any(not worker.is_finished for worker in self.app.workers)
                or not self.screen._message_queue.empty() or not self.app._message_queue.empty())
        self._idle_checks = 0 if busy else self._idle_checks + 1
        self._all_checks += 1
        if self._idle_checks >= 3 or self._all_checks >= self.MAX_CHECKS:
            self.stay()

    def _focus_is_here(self) -> bool:
        focused = self.screen.focused
        return focused is None or focused is self or self in focused.ancestors

    def _hand_to(self, target: Widget, keys: list[events.Key]) -> None:
        for key in keys:
            target.post_message(_forwarded_key(key))

    def _stop_waiting(self) -> list[events.Key]:
        if self._handoff_timer is not None:
            self._handoff_timer.stop()
            self._handoff_timer = None
        waiting, self._waiting = self._waiting or [], None
        return waiting

    def stay(self) -> None:
        """The form keeps focus here after Enter: the keys typed meanwhile are typed here (or where focus is)."""
        if self._waiting is None:
            return
        waiting = self._stop_waiting()
        target = self.screen.focused if self.screen.focused is not None else self
        self._hand_to(target, waiting)

    def focus_moved_on(self) -> None:
        """Focus has left this field: the keys typed after Enter go to the field that has it."""
        if self._waiting is None or self._focus_is_here():
            return
        waiting = self._stop_waiting()
        self._hand_to(self.screen.focused, waiting)


class ChoiceSelect(KeysAfterEnter, Select[str]):
    """A Select that opens as soon as a letter is typed and jumps to the option the letters begin.

    Letters typed in a burst build one prefix (``surg`` → Surgery), whether they
    reach the closed select or its open list, so none is lost while the list
    opens. When the clerk picks an option from the open list (Enter), it posts
    :class:`ChoiceSelect.Picked` so the form can move to the next field; keys typed
    after that Enter wait and go to the field the form moves to (:class:`KeysAfterEnter`).
    """

    def __init__(self, options, **kwargs) -> None:
        kwargs.setdefault("type_to_search", False)  # the select does it, over both states
        super().__init__(options, **kwargs)
        self._typed = ""
        self._typed_at = 0.0
        self._init_keys_after_enter()

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
        if self.keep_if_waiting(event):  # typed after the Enter that picked: for the next field
            return
        if event.key == "enter" and self.expanded:
            self.wait_after_enter()  # the list's own Enter binding still picks the option
            return
        if event.character is None or not event.is_printable or event.character == " ":
            return
        event.stop()
        event.prevent_default()
        now = time.monotonic()
        if now - self._typed_at > TYPE_AHEAD_SECONDS:
            self._typed = ""
        self._typed += event.character
        self._typed_at = now
        if not self.expanded:
            self.action_show_overlay()
        prompts = [str(prompt) for prompt, _ in self._options]
        index = match_choice(prompts, self._typed)
        if index is not None:
            self.query_one(SelectOverlay).highlighted = index

    def on_blur(self, event: events.Blur) -> None:
        self.focus_moved_on()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self.focus_moved_on()

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """Letters open the list (so they are not taken as shortcuts)."""
        return character is not None and character.isprintable() and character != " "


class YesNoField(KeysAfterEnter, OwnBindingsFirst, Widget, can_focus=True):
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
        self._init_keys_after_enter()

    async def _on_key(self, event: events.Key) -> None:
        """``y`` / ``n`` answer as they arrive; the keys typed after an answer wait for the form to
        move focus on (``yn`` at speed answers two questions, not the first one twice)."""
        if self.keep_if_waiting(event):
            return
        if await self.run_own_binding(event.key):
            event.stop()
            event.prevent_default()

    def on_blur(self, event: events.Blur) -> None:
        self.focus_moved_on()

    def render(self) -> Text:
        yes = "(•) Yes" if self.value == "yes" else "( ) Yes"
        no = "(•) No" if self.value == "no" else "( ) No"
        return Text(f"{yes}   {no}")

    def action_answer(self, value: str) -> None:
        """Answer ``value`` and tell the form (which moves on: the keys that follow wait for it)."""
        self.wait_after_enter()
        self.value = value
        self.post_message(self.Answered(self, value))

    def action_toggle(self) -> None:
        """Switch the answer."""
        self.value = "no" if self.value == "yes" else "yes"


class TickBox(Checkbox):
    """A checkbox drawn ``[x]`` or ``[ ]``: readable without colour."""

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.assemble(("[x]" if self.value else "[ ]", style))


class RadioChoice(RadioButton):
    """A radio button drawn ``(•)`` or ``( )``: readable without colour."""

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.assemble(("(•)" if self.value else "( )", style))


class CriteriaList(SelectionList[str]):
    """A selection list whose options are drawn ``[x]`` or ``[ ]``: readable without colour."""

    def render_line(self, y: int) -> Strip:
        line = OptionList.render_line(self, y)
        _, scroll_y = self.scroll_offset
        index = scroll_y + y
        try:
            selection = self.get_option_at_index(index)
        except Exception:  # past the last option
            return line
        mark = "[x]" if selection.value in self._selected else "[ ]"
        style = next(iter(line)).style if list(line) else self.rich_style
        return Strip([Segment(mark, style=style), Segment(" ", style=style), *line])


def _forwarded_key(key: events.Key) -> events.Key:
    """A copy of ``key`` as the app forwards keys to the focused widget (so it bubbles back as usual)."""
    fresh = events.Key(key.key, key.character)
    fresh._set_forwarded()
    return fresh


class FormInput(KeysAfterEnter, TextInput):
    """An Input that never loses a key typed ahead across Enter.

    Enter hands the field to the form, which decides — sometimes after a
    worker, e.g. a code lookup — where focus goes next. Keys typed after Enter
    wait here until focus has moved, then go, in order, to the field that has
    focus; if the form keeps focus here, they are typed here once it has finished (no worker
    running, nothing queued on the screen).
    A key that reaches this field after it lost focus goes to the focused one.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._init_keys_after_enter()

    def take_stray_key(self, event: events.Key) -> bool:
        """Take a key that bubbled up to the app from elsewhere (typed ahead); False if it was ours."""
        if getattr(event, "_form_input", None) is self:
            return False
        self.post_message(_forwarded_key(event))
        return True

    async def _on_key(self, event: events.Key) -> None:
        event._form_input = self  # type: ignore[attr-defined]  # seen here: not a stray when it bubbles
        if self.keep_if_waiting(event):  # after Enter: the form has not said where focus goes yet
            return
        if not self.has_focus and self.screen.focused is not None and self.screen.focused is not self:
            event.stop()
            event.prevent_default()
            self._hand_to(self.screen.focused, [event])
            return
        if event.key == "enter" and self.has_focus:
            self.wait_after_enter()
        await super()._on_key(event)

    def _on_blur(self, event: events.Blur) -> None:
        self.focus_moved_on()
        super()._on_blur(event)
