"""Authorizations ending within 30 days, soonest first, so a renewal can be requested in time.

One row per approved service line (from
:func:`store.services.reports.renewals`); Enter opens its case.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from store.enums import LineStatus
from tui.errors import describe
from tui.format import fmt_count, fmt_short_date
from tui.widgets.request_list import OpenableTable

RENEWAL_DAYS = 30


class RenewalsScreen(Screen[None]):
    """Approved lines whose authorization ends within 30 days."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="renewals-back", tooltip="Back to the dashboard"),
        Binding("r", "refresh", "Refresh", id="renewals-refresh", tooltip="Load the list again"),
    ]

    @dataclass
    class Loaded(Message):
        """The list arrived."""

        rows: list

    @dataclass
    class Failed(Message):
        """The list could not be loaded."""

        message: str

    def __init__(self) -> None:
        super().__init__()
        self.rows: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="renewals-status")
        # at 80 columns the X12 outcome, from-date, units and line number go first; the description is cut
        yield OpenableTable(id="renewals-table", cursor_type="row", zebra_stripes=True,
                            drop=("outcome", "from", "units", "line"), squeeze="description")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Renewals · {self.app.sub_title}"
        table = self.query_one("#renewals-table", DataTable)
        for label, key in (("Ends", "ends"), ("Authorization", "auth"), ("Member", "member"), ("#", "line"),
                           ("Code", "code"), ("Description", "description"), ("Units", "units"),
                           ("From", "from"), ("X12", "outcome")):
            table.add_column(label, key=key)
        table.focus()
        self.load()

    def load(self) -> None:
        """Load the list (again)."""
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="renewals")
    def _load(self) -> None:
        from store.services.reports import renewals

        try:
            with self.app.store.session() as session:
                rows = renewals(session, self.app.user, within_days=RENEWAL_DAYS)
        except Exception as exc:
            self.post_message(self.Failed(describe(exc)))
            return
        self.post_message(self.Loaded(rows))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.rows = list(message.rows)
        table = self.query_one("#renewals-table", DataTable)
        table.clear()
        for r in self.rows:
            soon = r.days_left <= 7
            left = "today" if r.days_left == 0 else f"{r.days_left} day{'s' if r.days_left != 1 else ''}"
            table.add_row(
                Text(f"{fmt_short_date(r.authorized_to)} · {left}", style="bold red" if soon else ""),
                r.auth_number or r.webcert_number or "",
                _clip(r.member_name, 22),
                str(r.line_number),
                r.code,
                _clip(r.description, 26),
                "" if r.authorized_units is None else str(r.authorized_units),
                fmt_short_date(r.authorized_from),
                LineStatus(r.status).value,
                key=f"{r.request_id}-{r.line_id}",
            )
        n = len(self.rows)
        status = self.query_one("#renewals-status", Static)
        if n:
            status.update(f"{fmt_count(n)} authorized line(s) end within {RENEWAL_DAYS} days, soonest first "
                          "(red: within 7 days). Enter opens the case to request a renewal or extension.")
        else:
            status.update(f"No authorization ends within {RENEWAL_DAYS} days.")

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.query_one("#renewals-status", Static).update(Text(f"Cannot load the renewals: {message.message}"))

    def action_open_case(self) -> None:
        """Open the case of the highlighted line."""
        table = self.query_one("#renewals-table", DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return
        self.app.open_case(self.rows[table.cursor_row].request_id)

    @on(DataTable.RowSelected, "#renewals-table")
    def _clicked(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_case()

    def action_refresh(self) -> None:
        """Load the list again."""
        self.load()

    def action_back(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
