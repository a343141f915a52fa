"""A search-as-you-type field: an input with a results list under it.

The results list is an overlay of a fixed size: it is drawn over the form
below the field instead of pushing it down, so a keystroke repaints the list
in place and never re-lays out the screen (showing and hiding it happen once
per search, not once per key).

The search runs on every change: in the key's own handling when the subclass
says it is quick (an in-memory or local-index search of about a millisecond),
so the typed character and its results are painted in the same frame; in a
worker otherwise (a database query). ↑/↓ move through the results
while the cursor stays in the input, and Enter picks the highlighted result
(or the exact thing typed, if the subclass can resolve it). Enter pressed
before the results have arrived picks as soon as they arrive, so a fast
typist never waits. Enter in an empty input asks the form to move on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from store.errors import StoreError
from tui.widgets.wizard_fields import FormInput


@dataclass(frozen=True)
class PickerResult:
    """One result of a search: its value and how it reads in the list."""

    value: Any
    label: str


class PickerInput(FormInput):
    """The picker's input: tells its picker of each change as the value changes.

    Not through the bubbling ``Input.Changed`` message: that is handled after
    the screen may already have painted the typed character, and the results
    would then wait for the next frame (one to two frames, 17–33 ms, of
    Textual's refresh pacing)."""

    def watch_value(self, value: str) -> None:
        """Hand the new value to the picker at once."""
        picker = self.parent
        if isinstance(picker, SearchPicker):
            picker.value_changed(value)


class SearchPicker(Vertical):
    """Base of the provider and code pickers; subclasses implement :meth:`search` and :meth:`resolve`.

    Args:
        input_id: id of the input (a FIELD_IDS id, so a missing item can focus it).
        placeholder: what to type.
        min_chars: characters needed before searching.
    """

    DEFAULT_CSS = """
    SearchPicker { height: auto; width: 1fr; }
    SearchPicker > OptionList {
        overlay: screen; constrain: none inside;
        height: 8; max-height: 8; display: none; border: none; padding: 0 1;
        background: $panel; scrollbar-size-vertical: 1;
    }
    SearchPicker > OptionList.-shown { display: block; }
    SearchPicker > .field-error { color: $error; height: auto; display: none; }
    SearchPicker > .field-error.-shown { display: block; }
    SearchPicker > .picker-status { color: $text-muted; height: auto; }
    """
    BINDINGS = [
        Binding("down", "move(1)", "Next result", show=False, id="picker-down", tooltip="Highlight the next result"),
        Binding("up", "move(-1)", "Previous result", show=False, id="picker-up", tooltip="Highlight the previous result"),
        Binding("escape", "hide", "Hide results", show=False, id="picker-hide", tooltip="Hide the results list"),
    ]

    @dataclass
    class Picked(Message):
        """The clerk chose a result (Enter)."""

        picker: SearchPicker
        value: Any
        label: str

        @property
        def control(self) -> SearchPicker:
            """The picker that sent this."""
            return self.picker

    @dataclass
    class EnterOnEmpty(Message):
        """Enter in the empty input: the form should move on."""

        picker: SearchPicker

        @property
        def control(self) -> SearchPicker:
            """The picker that sent this."""
            return self.picker

    @dataclass
    class ResultsFound(Message):
        """A search finished (worker to widget)."""

        text: str
        results: list[PickerResult]

    @dataclass
    class LookupFailed(Message):
        """Nothing could be picked for what was typed."""

        text: str
        message: str

    @dataclass
    class Resolved(Message):
        """The resolver found the value for what was typed (worker to widget)."""

        text: str
        result: PickerResult

    def __init__(self, input_id: str, placeholder: str = "", *, min_chars: int = 2,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id or f"{input_id}-picker", classes=classes)
        self.input_id = input_id
        self.placeholder = placeholder
        self.min_chars = min_chars
        self.results: list[PickerResult] = []
        self._searched_text: str | None = None  # text the shown results are for
        self._pending_text: str | None = None  # text a running search is for
        self._enter_waiting = False
        self._moved = False
        self._quiet_text: str | None = None  # text set by the program: no search
        self._error_shown = ""

    def compose(self) -> ComposeResult:
        yield PickerInput(id=self.input_id, placeholder=self.placeholder, compact=True)
        yield OptionList(classes="picker-results")
        yield Static("", id=f"{self.input_id}-error", classes="field-error")

    # ----- what subclasses provide (both run in a worker thread, or inline when quick) -----

    def search(self, text: str) -> list[PickerResult]:
        """Results for ``text`` (runs in a thread unless :meth:`search_is_quick`)."""
        raise NotImplementedError

    def search_is_quick(self) -> bool:
        """Whether :meth:`search` may run in the key's own handling (about a millisecond, no
        database, nothing to load first); otherwise it runs in a worker."""
        return False

    def resolve(self, text: str, results: list[PickerResult], highlighted: int | None, moved: bool) -> PickerResult:
        """The result Enter picks for ``text`` (runs in a thread); raise a StoreError to refuse."""
        if results and highlighted is not None:
            return results[highlighted]
        raise StoreError(f"Nothing matches “{text}”.")

    # ----- public helpers -----

    @property
    def input(self) -> Input:
        """The text input."""
        return self.query_one(Input)

    @property
    def text(self) -> str:
        """What is typed, stripped."""
        return self.input.value.strip()

    def set_text(self, text: str) -> None:
        """Show ``text`` in the input without searching for it."""
        self._quiet_text = text
        self.input.value = text
        self._hide_results()

    def show_error(self, message: str) -> None:
        """Show ``message`` under the input and mark it invalid ("" clears)."""
        if message == self._error_shown:
            return  # unchanged: no update (an update re-lays out the screen)
        self._error_shown = message
        error = self.query_one(".field-error", Static)
        error.update(message)
        error.set_class(bool(message), "-shown")
        self.input.set_class(bool(message), "-invalid")

    # ----- behaviour -----

    def value_changed(self, value: str) -> None:
        """The input's value changed (called by :class:`PickerInput` as it changes): search it."""
        if self._quiet_text is not None and value == self._quiet_text:
            self._quiet_text = None
            return
        self._quiet_text = None
        self.show_error("")
        self._moved = False
        text = value.strip()
        if len(text) < self.min_chars:
            self._pending_text = None
            self._hide_results()
            return
        self._pending_text = text
        if not self.search_is_quick():
            self._run_search(text)
            return
        try:
            results = self.search(text)
        except StoreError as exc:
            self._failed(text, str(exc))
            return
        self._show_results(text, results)

    @work(thread=True, exclusive=True, exit_on_error=False, group="picker-search")
    def _run_search(self, text: str) -> None:
        try:
            results = self.search(text)
        except StoreError as exc:
            self.post_message(self.LookupFailed(text, str(exc)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.ResultsFound(text, results))

    @on(ResultsFound)
    def _results_found(self, message: ResultsFound) -> None:
        message.stop()
        self._show_results(message.text, message.results)

    def _show_results(self, text: str, results: list[PickerResult]) -> None:
        if text != self.text:
            return
        self._pending_text = None
        self._searched_text = text
        self.results = results
        options = self.query_one(OptionList)
        options.clear_options()
        if self.results:
            options.add_options([Option(r.label) for r in self.results])
            options.highlighted = 0
        else:
            options.add_option(Option("[dim]no match[/dim]", disabled=True))
        if not options.has_class("-shown") and (self.input.has_focus or self._enter_waiting):
            options.add_class("-shown")
        if self._enter_waiting:
            self._enter_waiting = False
            self._choose()

    def _hide_results(self) -> None:
        options = self.query_one(OptionList)
        if options.has_class("-shown"):
            options.clear_options()
            options.remove_class("-shown")
        self.results = []
        self._searched_text = None

    def action_move(self, delta: int) -> None:
        """Move the highlight in the results list."""
        options = self.query_one(OptionList)
        if not self.results:
            return
        current = options.highlighted or 0
        options.highlighted = max(0, min(len(self.results) - 1, current + delta))
        self._moved = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Arrows and escape belong to the results only while some are shown."""
        if action == "move":
            return bool(self.results)
        if action == "hide":
            return self.query_one(OptionList).has_class("-shown")
        return True

    def action_hide(self) -> None:
        """Hide the results list."""
        self._hide_results()

    @on(Input.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        # The list is drawn over the fields below: it goes when the field is left.
        options = self.query_one(OptionList)
        if options.has_class("-shown"):
            options.remove_class("-shown")

    def on_descendant_focus(self) -> None:
        """Coming back to the field shows its results again."""
        if self.results and self._searched_text == self.text:
            self.query_one(OptionList).add_class("-shown")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose()

    def _choose(self) -> None:
        text = self.text
        if not text:
            self.post_message(self.EnterOnEmpty(self))
            return
        if self._pending_text == text and self._searched_text != text:
            self._enter_waiting = True  # pick when the results arrive
            return
        highlighted = self.query_one(OptionList).highlighted if self.results else None
        self._run_resolve(text, list(self.results), highlighted, self._moved)

    @work(thread=True, exclusive=True, exit_on_error=False, group="picker-resolve")
    def _run_resolve(self, text: str, results: list[PickerResult], highlighted: int | None, moved: bool) -> None:
        try:
            result = self.resolve(text, results, highlighted, moved)
        except StoreError as exc:
            self.post_message(self.LookupFailed(text, str(exc)))
            return
        self.post_message(self.Resolved(text, result))

    @on(Resolved)
    def _resolved(self, message: Resolved) -> None:
        message.stop()
        if message.text != self.text:
            return
        self._hide_results()
        self.post_message(self.Picked(self, message.result.value, message.result.label))

    @on(LookupFailed)
    def _lookup_failed(self, message: LookupFailed) -> None:
        message.stop()
        self._failed(message.text, message.message)

    def _failed(self, text: str, message: str) -> None:
        if text == self.text:
            self._enter_waiting = False
            self.show_error(message)
            self.input.stay()  # refused: keys typed after Enter belong here
