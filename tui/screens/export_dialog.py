"""Ask where to save a dashboard list as CSV."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from tui.format import fmt_count
from tui.widgets.text_input import TextInput


class ExportDialog(ModalScreen[str | None]):
    """Dismisses with the path typed (Enter), or None (escape)."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical {
        width: 80; max-width: 100%; height: auto; border: thick $primary; background: $surface; padding: 1 2;
    }
    ExportDialog .hint { color: $text-muted; }
    ExportDialog #export-error { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export-cancel", tooltip="Back without saving"),
    ]

    def __init__(self, default_path: str, list_name: str, rows: int) -> None:
        super().__init__()
        self.default_path = default_path
        self.list_name = list_name
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]Export {self.list_name}[/b] — {fmt_count(self.rows)} rows, every page, "
                         "in the order shown")
            yield Label("Save as (CSV)")
            yield TextInput(self.default_path, id="export-path")
            yield Static("", id="export-error")
            yield Static("Enter saves · Escape cancels", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        field = self.query_one("#export-path", Input)
        field.focus()
        field.cursor_position = len(field.value)

    @on(Input.Submitted, "#export-path")
    def _save(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if not path:
            self.query_one("#export-error", Static).update("Type a file name.")
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)
