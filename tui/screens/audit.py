"""The audit log for administrators and reviewers: who did what to which case, when.

Filter by a start date (``2026-03-01``, ``7d``, ``24h``), an action, a
username and a case number; Enter in any filter box applies them. ``[`` and
``]`` page, ``ctrl+s`` writes the filtered log to the CSV file named in the
export box. The same log is ``authdesk audit --since DATE`` on the command line.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from tui.widgets.fitting_table import FittingTable
from tui.narrow import CompactFooterMixin
from tui.errors import describe
from tui.format import fmt_count
from tui.widgets.text_input import TextInput

AUDIT_PAGE_SIZE = 100
DEFAULT_SINCE = "7d"


class AuditScreen(CompactFooterMixin, Screen[None]):
    """The audit log, newest first, filtered and exportable."""

    DEFAULT_CSS = """
    AuditScreen #audit-filters { height: auto; }
    AuditScreen #audit-filters Input { width: 1fr; }
    AuditScreen #audit-table { height: 1fr; }
    AuditScreen #audit-page-line { height: 1; color: $text-muted; }
    AuditScreen #audit-error { height: auto; color: $error; }
    AuditScreen #audit-export { height: auto; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="audit-back", tooltip="Back to the dashboard"),
        Binding("left_square_bracket", "page(-1)", "Prev", key_display="[", id="audit-prev",
                tooltip="Previous page"),
        Binding("right_square_bracket", "page(1)", "Next", key_display="]", id="audit-next", tooltip="Next page"),
        Binding("ctrl+s", "export", "Export CSV", id="audit-export-csv",
                tooltip="Write the filtered log to the CSV file in the export box"),
        Binding("ctrl+r", "reload", "Refresh", id="audit-refresh", tooltip="Load the log again"),
    ]
    NARROW_HIDDEN = frozenset({"audit-prev", "audit-next"})
    NARROW_LABELS = {"audit-export-csv": "Export"}

    @dataclass
    class Loaded(Message):
        """A page of events arrived."""

        events: list
        total: int
        offset: int

    @dataclass
    class Failed(Message):
        """The filters were refused or the log could not be read."""

        message: str

    @dataclass
    class Exported(Message):
        """The CSV file was written."""

        message: str

    def __init__(self) -> None:
        super().__init__()
        self.page_offset = 0
        self.total = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="audit-filters"):
            yield TextInput(DEFAULT_SINCE, placeholder="since: YYYY-MM-DD, 7d, 24h", id="audit-since")
            yield TextInput(placeholder="action (viewed, signed-in …)", id="audit-action")
            yield TextInput(placeholder="username", id="audit-user")
            yield TextInput(placeholder="case number", id="audit-case")
        yield Static("", id="audit-error")
        # at 80 columns the organization goes first; the detail is cut
        yield FittingTable(id="audit-table", cursor_type="row", zebra_stripes=True, drop=("org",), squeeze="detail")
        yield Static("Loading…", id="audit-page-line")
        yield TextInput(placeholder="export to: ~/audit.csv (ctrl+s)", id="audit-export")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Audit log · {self.app.sub_title}"
        table = self.query_one("#audit-table", DataTable)
        for label, key in (("When (UTC)", "at"), ("Action", "action"), ("User", "user"),
                           ("Organization", "org"), ("Case", "case"), ("Detail", "detail")):
            table.add_column(label, key=key)
        table.focus()
        self.load()

    def _filters(self) -> dict:
        return {
            "since": self.query_one("#audit-since", Input).value,
            "action": self.query_one("#audit-action", Input).value.strip().lower(),
            "username": self.query_one("#audit-user", Input).value.strip(),
            "case_number": self.query_one("#audit-case", Input).value.strip(),
        }

    def load(self) -> None:
        """Load the page at :attr:`page_offset` with the filters as typed."""
        self._load(self._filters(), self.page_offset)

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit")
    def _load(self, filters: dict, offset: int) -> None:
        from store.errors import StoreError
        from store.services.audit import count_events, list_events, parse_since

        try:
            values = {**filters, "since": parse_since(filters["since"]) if filters["since"].strip() else None}
            with self.app.store.session() as session:
                total = count_events(session, self.app.user, **values)
                events = list_events(session, self.app.user, offset=offset, limit=AUDIT_PAGE_SIZE, **values)
        except StoreError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        except Exception as exc:
            self.post_message(self.Failed(f"Cannot read the audit log: {describe(exc)}"))
            return
        self.post_message(self.Loaded(events, total, offset))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.query_one("#audit-error", Static).update("")
        self.total, self.page_offset = message.total, message.offset
        table = self.query_one("#audit-table", DataTable)
        table.clear()
        for event in message.events:
            table.add_row(f"{event.at:%Y-%m-%d %H:%M:%S}", event.action, event.username, event.organization,
                          event.case_number, event.detail, key=str(event.id))
        pages = max(1, -(-message.total // AUDIT_PAGE_SIZE))
        self.query_one("#audit-page-line", Static).update(
            f"Page {message.offset // AUDIT_PAGE_SIZE + 1} of {pages} · {fmt_count(message.total)} event(s) · "
            "newest first"
        )

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.query_one("#audit-error", Static).update(message.message)

    @on(Input.Submitted, "#audit-filters Input")
    def _apply_filters(self) -> None:
        self.page_offset = 0
        self.load()

    @on(Input.Submitted, "#audit-export")
    def _export_submitted(self) -> None:
        self.action_export()

    def action_back(self) -> None:
        """Back to where the log was opened from."""
        self.dismiss()

    def action_reload(self) -> None:
        """Load the current page again."""
        self.load()

    def action_page(self, step: int) -> None:
        """The previous (-1) or next (1) page."""
        offset = self.page_offset + step * AUDIT_PAGE_SIZE
        if 0 <= offset < max(self.total, 1):
            self.page_offset = offset
            self.load()

    def action_export(self) -> None:
        """Write every event the filters select to the CSV file in the export box."""
        path = self.query_one("#audit-export", Input).value.strip() or "~/audit.csv"
        self._export(self._filters(), path)

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit-export")
    def _export(self, filters: dict, path: str) -> None:
        from store.errors import StoreError
        from store.services.audit import export_events_csv, parse_since

        try:
            values = {**filters, "since": parse_since(filters["since"]) if filters["since"].strip() else None}
            with self.app.store.session() as session:
                written = export_events_csv(session, self.app.user, path, **values)
        except StoreError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        except Exception as exc:
            self.post_message(self.Failed(f"Cannot export the audit log: {describe(exc)}"))
            return
        self.post_message(self.Exported(f"{fmt_count(written)} event(s) written to {path}."))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        self.query_one("#audit-error", Static).update("")
        self.notify(message.message, title="Audit log", markup=False)
