"""Dialogs for a case's files: attach a clinical record, export an attachment or letter.

Both are :class:`~tui.screens.decisions.FormModal` dialogs: a path typed (or
chosen with the file picker on Ctrl+O), checked, then acted on in a thread
worker, with refusals shown under the field.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from store.errors import ValidationError
from store.records import AttachmentRecord, CaseDetail
from tui.format import fmt_size
from tui.screens.decisions import FormModal


def default_export_folder() -> Path:
    """``~/Downloads`` when it exists, else the home folder."""
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.home()


class AttachFileScreen(FormModal[AttachmentRecord]):
    """Attach a clinical record to a draft or pending case: type a path or browse (Ctrl+O)."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Attach", id="attach-submit", tooltip="Attach the file"),
        Binding("ctrl+o", "browse", "Browse…", id="attach-browse", tooltip="Choose the file in a file picker"),
    ]

    def __init__(self, case: CaseDetail, perform: Callable[[dict], AttachmentRecord]) -> None:
        super().__init__(perform)
        self.case = case

    def compose_form(self) -> ComposeResult:
        number = self.case.webcert_number or self.case.draft_number
        yield Static(Text(f"Attach a file to {number}"), id="form-title")
        yield Static("Word, Excel, PDF, plain text, TIFF, PNG or JPEG; the file is copied into AuthDesk, "
                     "so the original may move later.", classes="form-text")
        yield from self.field("attachment", "File (path)", placeholder="~/scans/clinical-notes.pdf")

    def values(self) -> dict:
        text = self.text("attachment").strip().strip("'\"")
        if not text:
            raise ValidationError("Type the path of the file, or press Ctrl+O to browse.", field="attachment")
        return {"path": str(Path(text).expanduser())}

    @work(exclusive=True, exit_on_error=False, group="attach-browse")
    async def action_browse(self) -> None:
        """Choose the file with the file picker, then attach it."""
        from textual_fspicker import FileOpen, Filters

        from store.formats import has_accepted_suffix

        filters = Filters(
            ("Clinical records", lambda p: has_accepted_suffix(p.name)),
            ("Any file", lambda _: True),
        )
        chosen = await self.app.push_screen_wait(FileOpen(Path.home(), filters=filters))
        if chosen is not None:
            self.query_one("#field-attachment", Input).value = str(chosen)
            self.action_submit()


class ExportFileScreen(FormModal[Path]):
    """Save a copy of an attachment or letter in a chosen folder (original file name)."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Export", id="export-file-submit", tooltip="Copy the file into the folder"),
        Binding("ctrl+o", "browse", "Browse…", id="export-file-browse", tooltip="Choose the folder in a picker"),
    ]

    def __init__(self, attachment: AttachmentRecord, perform: Callable[[dict], Path],
                 folder: Path | None = None) -> None:
        super().__init__(perform)
        self.attachment = attachment
        self.folder = folder or default_export_folder()

    def compose_form(self) -> ComposeResult:
        a = self.attachment
        yield Static(Text(f"Export {a.filename}"), id="form-title")
        yield Static(Text(f"{a.media_type}, {fmt_size(a.size_bytes)}; saved under its own name "
                          "(a number is added if the folder has one already)."), classes="form-text")
        yield from self.field("folder", "Folder", str(self.folder))

    def on_mount(self) -> None:
        super().on_mount()
        field = self.query_one("#field-folder", Input)
        field.cursor_position = len(field.value)

    def values(self) -> dict:
        return {"folder": self.text("folder")}

    @work(exclusive=True, exit_on_error=False, group="export-browse")
    async def action_browse(self) -> None:
        """Choose the folder with a picker."""
        from textual_fspicker import SelectDirectory

        start = Path(self.text("folder")).expanduser()
        chosen = await self.app.push_screen_wait(SelectDirectory(start if start.is_dir() else Path.home()))
        if chosen is not None:
            self.query_one("#field-folder", Input).value = str(chosen)
