"""The wizard's step header: where the clerk is and how each step stands."""

from __future__ import annotations

from enum import StrEnum

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StepState(StrEnum):
    """How a step stands: never visited, complete, or with something missing/invalid."""

    UNTOUCHED = "untouched"
    COMPLETE = "complete"
    INVALID = "invalid"


STATE_MARKS = {StepState.UNTOUCHED: "·", StepState.COMPLETE: "✓", StepState.INVALID: "!"}
STATE_STYLES = {StepState.COMPLETE: "green", StepState.INVALID: "bold red", StepState.UNTOUCHED: "dim"}


def short_name(name: str) -> str:
    """The first word of a step's name: "Member & eligibility" → "Member"."""
    return name.split()[0]


class StepHeader(Widget):
    """One line: number, state and name of each step, the current one highlighted.

    Every step stays on the line whatever the width: the full names when they
    fit (120 columns: 115 cells), else the first word of each ("✓1 Member›!3 Services…",
    78 cells for the seven steps, so an 80-column terminal shows them all),
    else only the current step named and the others as their number and state.

    Args:
        steps: the step names, in order.
    """

    DEFAULT_CSS = """
    StepHeader {
        height: 1;
        width: 1fr;
        background: $boost;
    }
    """

    current: reactive[int] = reactive(0)
    states: reactive[tuple[StepState, ...]] = reactive(tuple)

    def __init__(self, steps: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.steps = steps
        self.set_reactive(StepHeader.states, tuple(StepState.UNTOUCHED for _ in steps))

    def set_state(self, index: int, state: StepState) -> None:
        """Mark step ``index`` as ``state``."""
        states = list(self.states)
        states[index] = state
        self.states = tuple(states)

    def _line(self, label, separator: str) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, name in enumerate(self.steps):
            state = self.states[index]
            text.append(STATE_MARKS[state], style=STATE_STYLES[state])
            text.append(label(index, name), style="bold reverse" if index == self.current else "")
            if index < len(self.steps) - 1:
                text.append(separator, style="dim")
        return text

    def render(self) -> Text:
        width = self.content_region.width or self.size.width
        for label, separator in (
            (lambda i, name: f" {i + 1} {name} ", "›"),
            (lambda i, name: f"{i + 1} {name}", "›"),
            (lambda i, name: f"{i + 1} {short_name(name)}", "›"),
            (lambda i, name: f"{i + 1} {short_name(name)}" if i == self.current else f"{i + 1}", " › "),
            (lambda i, name: f"{i + 1} {short_name(name)}" if i == self.current else f"{i + 1}", "›"),
        ):
            text = self._line(label, separator)
            if not width or text.cell_len <= width:
                return text
        return text


class WizardTitle(Widget):
    """The wizard's title line: what is open and how it is saved, then a key hint.

    The hint goes when the line is too narrow for both (80 columns): what is
    open and its save state are never cut for it.
    """

    DEFAULT_CSS = """
    WizardTitle {
        height: 1;
        width: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._main = Text()
        self._hint = Text()

    def set_title(self, main: str, hint: str = "") -> None:
        """Show ``main`` (markup) and, when it fits after it, ``hint`` (plain, dimmed)."""
        self._main = Text.from_markup(main)
        self._hint = Text(hint, style="dim")
        self.refresh()

    def render(self) -> Text:
        width = self.content_region.width or self.size.width
        text = self._main.copy()
        text.no_wrap, text.overflow = True, "ellipsis"
        if self._hint and (not width or text.cell_len + 3 + self._hint.cell_len <= width):
            text.append("   ")
            text.append_text(self._hint)
        return text
