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


class StepHeader(Widget):
    """One line: ``alt+N`` and name of each step, the current one highlighted.

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

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, name in enumerate(self.steps):
            state = self.states[index]
            mark = STATE_MARKS[state]
            style = {
                StepState.COMPLETE: "green",
                StepState.INVALID: "bold red",
                StepState.UNTOUCHED: "dim",
            }[state]
            label = f" {index + 1} {name} "
            if index == self.current:
                text.append(f"{mark}", style=style)
                text.append(label, style="bold reverse")
            else:
                text.append(f"{mark}", style=style)
                text.append(label)
            if index < len(self.steps) - 1:
                text.append("›", style="dim")
        return text
