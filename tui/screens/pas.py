"""Da Vinci PAS from the app: export a request Bundle, import the payer's decisions.

The same store services as ``authdesk export pas`` and ``authdesk import
decisions`` (``tui/cli_pas.py``): :func:`store.services.fhir_export.export_case_to_path`
and :func:`store.services.fhir_import.import_decisions`. Both dialogs are
:class:`~tui.screens.decisions.FormModal` dialogs: a path typed or chosen
with the file dialog (Ctrl+O), the work in a thread worker, refusals under
the field.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from store.errors import ValidationError
from store.records import CaseDetail
from tui.screens.case_files import default_export_folder
from tui.screens.decisions import FormModal

if TYPE_CHECKING:
    from store.services.fhir_import import ImportReport

PAS_FILE_SUFFIX = "-pas.json"  # as store.services.fhir_export.FILE_SUFFIX, without importing the FHIR models
REPORT_LINES = 12


def import_summary(report: ImportReport) -> str:
    """``3 file(s): 2 applied, 0 unchanged, 1 refused``."""
    from store.services.fhir_import import APPLIED, REFUSED, UNCHANGED

    return (f"{len(report.files)} file(s): {report.count(APPLIED)} applied, {report.count(UNCHANGED)} unchanged, "
            f"{report.count(REFUSED)} refused")


class ExportPasScreen(FormModal[Path]):
    """Save a submitted case as a PAS request Bundle (``<WebCert>-pas.json``); Ctrl+O opens the file dialog."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Export", id="pas-export-submit", tooltip="Write the PAS Bundle"),
        Binding("ctrl+o", "browse", "Browse…", id="pas-export-browse", tooltip="Choose the file in a file dialog"),
    ]

    def __init__(self, case: CaseDetail, perform: Callable[[dict], Path], folder: Path | None = None) -> None:
        super().__init__(perform)
        self.case = case
        self.folder = folder or default_export_folder()

    @property
    def default_name(self) -> str:
        """``WC-0001234-pas.json``."""
        return f"{self.case.webcert_number}{PAS_FILE_SUFFIX}"

    def compose_form(self) -> ComposeResult:
        yield Static(Text(f"Export {self.case.webcert_number} as a Da Vinci PAS Bundle"), id="form-title")
        yield Static("A FHIR R4 request Bundle (Claim, Patient, Coverage, providers, diagnoses and the "
                     "attachments inline), checked against the PAS 2.2.1 rules before it is written.",
                     classes="form-text")
        yield from self.field("path", "Save as", str(self.folder / self.default_name))

    def on_mount(self) -> None:
        super().on_mount()
        field = self.query_one("#field-path", Input)
        field.cursor_position = len(field.value)

    def values(self) -> dict:
        text = self.text("path").strip().strip("'\"")
        if not text:
            raise ValidationError("Type the file (or folder) to write the Bundle to.", field="path")
        return {"path": str(Path(text).expanduser())}

    @work(exclusive=True, exit_on_error=False, group="pas-export-browse")
    async def action_browse(self) -> None:
        """Choose where to save with the file dialog, then export."""
        from textual_fspicker import FileSave

        typed = Path(self.text("path").strip() or str(self.folder)).expanduser()
        start = typed if typed.is_dir() else typed.parent
        chosen = await self.app.push_screen_wait(
            FileSave(start if start.is_dir() else Path.home(), title="Save the PAS Bundle as",
                     default_file=typed.name if typed.suffix else self.default_name)
        )
        if chosen is not None:
            self.query_one("#field-path", Input).value = str(chosen)
            self.action_submit()


class ImportDecisionsScreen(FormModal["ImportReport"]):
    """Apply payers' PAS responses (ClaimResponse Bundles) from a ``.json`` file or a folder of them.

    Every file is applied in its own transaction, as the reviewer screens
    decide (letters, mails, timeline); importing a file twice changes nothing
    the second time. When a file is refused the dialog stays open with one
    line per problem; Esc closes it.
    """

    BINDINGS = [
        Binding("ctrl+s", "submit", "Import", id="pas-import-submit", tooltip="Apply the decisions"),
        Binding("ctrl+o", "browse", "Browse…", id="pas-import-browse", tooltip="Choose the file in a file dialog"),
        Binding("escape", "close", "Close", id="pas-import-close", tooltip="Close this dialog"),
    ]

    report: ImportReport | None = None

    def __init__(self, perform: Callable[[dict], ImportReport], path: str = "") -> None:
        super().__init__(perform)
        self.start_path = path

    def compose_form(self) -> ComposeResult:
        yield Static("Import payer decisions (Da Vinci PAS)", id="form-title")
        yield Static("A PAS response Bundle (ClaimResponse) as a .json file, or a folder of them. Each case's "
                     "lines are decided as on the review screens; a file applied before changes nothing.",
                     classes="form-text")
        yield from self.field("path", "File or folder", self.start_path, placeholder="~/Downloads/response.json")
        yield Static("", id="import-report", classes="form-text")

    def values(self) -> dict:
        text = self.text("path").strip().strip("'\"")
        if not text:
            raise ValidationError("Type the response file or folder, or press Ctrl+O to browse.", field="path")
        return {"path": str(Path(text).expanduser())}

    @on(FormModal.Done)
    def _imported(self, message: FormModal.Done) -> None:
        """Close when every file applied; otherwise keep the dialog open with each problem."""
        from store.services.fhir_import import REFUSED

        message.prevent_default()
        message.stop()
        self.busy = False
        self.report = report = message.result
        if report.ok:
            self.dismiss(report)
            return
        self.clear_errors()
        lines = [line for result in report.files if result.status == REFUSED for line in result.lines()]
        more = len(lines) - REPORT_LINES
        text = "\n".join(lines[:REPORT_LINES]) + (f"\n… and {more} more" if more > 0 else "")
        self.query_one("#import-report", Static).update(
            Text(f"{import_summary(report)}\n{text}\nEsc closes.", style="bold")
        )

    def action_close(self) -> None:
        """Close; what was applied stays applied."""
        self.dismiss(self.report)

    @work(exclusive=True, exit_on_error=False, group="pas-import-browse")
    async def action_browse(self) -> None:
        """Choose the response file with the file dialog, then import it."""
        from textual_fspicker import FileOpen, Filters

        typed = Path(self.text("path").strip() or "~").expanduser()
        start = typed if typed.is_dir() else typed.parent
        filters = Filters(("PAS responses (.json)", lambda p: p.suffix.lower() == ".json"),
                          ("Any file", lambda _: True))
        chosen = await self.app.push_screen_wait(
            FileOpen(start if start.is_dir() else Path.home(), title="PAS response to import", filters=filters)
        )
        if chosen is not None:
            self.query_one("#field-path", Input).value = str(chosen)
            self.action_submit()
