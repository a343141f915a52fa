"""Dialogs of the request wizard."""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

ConflictChoice = Literal["reload", "copy", "later"]


class SaveConflictScreen(ModalScreen[ConflictChoice]):
    """Someone saved the draft first: reload theirs, keep mine as a new draft, or decide later.

    Args:
        draft_number: the draft that was saved by someone else.
        message: the store's explanation.
    """

    DEFAULT_CSS = """
    SaveConflictScreen { align: center middle; }
    SaveConflictScreen > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 100%; overflow-y: auto;
        border: thick $error; background: $surface; padding: 1 2;
    }
    """
    BINDINGS = [
        Binding("r", "choose('reload')", "Reload theirs", id="conflict-reload",
                tooltip="Discard my changes and show the draft as it was saved"),
        Binding("k", "choose('copy')", "Keep mine as a new draft", id="conflict-copy",
                tooltip="Save what is on my screen as a new draft with its own number"),
        Binding("escape", "choose('later')", "Decide later", id="conflict-later",
                tooltip="Close this message; nothing is saved until I choose"),
    ]

    def __init__(self, draft_number: str, message: str) -> None:
        super().__init__()
        self.draft_number = draft_number
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]Draft {self.draft_number} was changed by someone else.[/b]")
            yield Static(self.message, classes="hint")
            yield Static(
                "Your save was refused so that nothing they saved is overwritten.\n\n"
                "[b]r[/b]  Reload their version (what you typed since your last save is dropped)\n"
                "[b]k[/b]  Keep mine: save my screen as a new draft with its own number\n"
                "[b]escape[/b]  Decide later (your screen stays as it is, unsaved)"
            )
        yield Footer()

    def action_choose(self, choice: ConflictChoice) -> None:
        """Close with ``choice``."""
        self.dismiss(choice)
