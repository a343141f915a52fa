"""The file picker of the wizard: opens where the last file came from; a typed path + Enter opens it.

textual-fspicker's :class:`FileOpen` starts with the folder list focused, so a
path typed at once went nowhere and Enter opened ``..``. Here the file name
field has focus from the start (Tab reaches the folder list), a typed path —
absolute, ``~/…`` or relative to the folder shown — is opened with Enter, and
the folder of the last file chosen is where the next picker opens.
"""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Input
from textual_fspicker import FileOpen, Filters

from tui.widgets.text_input import TextInput


class AttachFileOpen(FileOpen):
    """:class:`FileOpen` for attachments (dismisses with the chosen Path or None).

    Args:
        filters: the file type filters to offer.
    """

    # At 80×24 the base dialog (80% of the screen, buttons 16 wide) left the
    # file type list 7 cells wide, its label wrapped down the dialog and no row
    # for the folder list: here the whole screen, narrower buttons, no blank rows.
    DEFAULT_CSS = """
    AttachFileOpen.-narrow Dialog { width: 100%; }
    AttachFileOpen.-short Dialog { height: 100%; }
    AttachFileOpen.-narrow InputBar Button { min-width: 8; width: auto; }
    AttachFileOpen.-narrow InputBar Select { width: 24; }
    AttachFileOpen.-short InputBar { padding: 0 1 0 0; }
    """

    last_folder: Path | None = None  # where the last chosen file was, for this process

    def __init__(self, filters: Filters | None = None) -> None:
        super().__init__(self.start_folder(), filters=filters)

    @classmethod
    def start_folder(cls) -> Path:
        """The folder of the last file chosen, if it still exists; else the home folder."""
        folder = cls.last_folder
        if folder is not None and folder.is_dir():
            return folder
        return Path.home() if Path.home().is_dir() else Path.cwd()

    @classmethod
    def remember(cls, path: Path) -> None:
        """Remember the folder of ``path`` for the next picker."""
        cls.last_folder = path.expanduser().resolve().parent

    def _input_bar(self):
        """The base dialog's widgets, its file name field a :class:`TextInput` (editing keys typed
        at speed act in order)."""
        for widget in super()._input_bar():
            if type(widget) is Input:
                widget = TextInput(widget.value, suggester=widget.suggester)
            yield widget

    def on_mount(self) -> None:
        """Focus the file name field (after the base class focused the folder list)."""
        self.call_after_refresh(self.query_one(Input).focus)

    def on_key(self, event: events.Key) -> None:
        """A character typed in the folder list goes to the file name field instead of being lost."""
        name = self.query_one(Input)
        if self.focused is not name and event.character and event.is_printable and event.character != " ":
            event.stop()
            name.focus()
            name.insert_text_at_cursor(event.character)
