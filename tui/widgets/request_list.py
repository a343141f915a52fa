"""A short list of cases (search results, the review queue) as a DataTable.

Rows are :class:`store.records.RequestRow`; the row key is the case id. Enter
posts :class:`RequestList.Opened`; the screen decides what opening means
(a draft goes to the wizard, anything else to case detail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from store.enums import RequestKind, RequestStatus, Urgency
from store.records import RequestRow
from tui.format import KIND_SHORT, STATUS_SHORT, URGENCY_SHORT, fmt_datetime, fmt_dates, fmt_span
from tui.widgets.fitting_table import FittingTable

# column key -> header
COLUMNS = {
    "number": "Number",
    "status": "Status",
    "member": "Member",
    "member_id": "Member ID",
    "kind": "Kind",
    "dates": "Dates",
    "auth": "Authorization",
    "urgency": "Urgency",
    "due": "Decision due",
    "due_in": "Decision due",
    "submitted": "Submitted",
    "decided": "Accepted",
    "received": "New information",
}


def due_cell(due: datetime | None, now: datetime, *, with_date: bool = True,
             overdue_style: str = "bold red") -> Text:
    """``03/09/2026 09:00 · in 2d 4h`` or, highlighted, ``… · overdue by 5h`` (without the date: the rest)."""
    if due is None:
        return Text("—")
    when = f"{fmt_datetime(due)} · " if with_date else ""
    if due >= now:
        return Text(f"{when}in {fmt_span(due - now)}")
    return Text(f"{when}overdue by {fmt_span(now - due)}", style=overdue_style)


def cell(row: RequestRow, key: str, now: datetime) -> Text | str:
    """The text of column ``key`` for ``row``."""
    status = RequestStatus(row.status)
    if key == "number":
        return Text(row.webcert_number or row.draft_number, style="bold")
    if key == "status":
        return STATUS_SHORT[status]
    if key == "member":
        return row.member_name or "(no member yet)"
    if key == "member_id":
        return row.member_id or ""
    if key == "kind":
        return KIND_SHORT[RequestKind(row.kind)]
    if key == "dates":
        return fmt_dates(row.start_date, row.end_date)
    if key == "auth":
        if not row.auth_number:
            return ""
        return row.auth_number + (" (pending)" if status is RequestStatus.PENDING else "")
    if key == "urgency":
        urgency = Urgency(row.urgency)
        return Text(URGENCY_SHORT[urgency], style="bold yellow" if urgency is Urgency.EXPEDITED else "")
    if key in ("due", "due_in"):
        if status is not RequestStatus.PENDING:
            return ""
        return due_cell(row.decision_due_at, now, with_date=key == "due")
    if key == "submitted":
        return fmt_datetime(row.submitted_at)
    if key == "decided":
        return fmt_datetime(row.decided_at)
    if key == "received":  # a clinical file attached for a pended line (seed 003)
        return Text("information received", style="bold") if row.information_received else ""
    raise KeyError(key)


class OpenableTable(FittingTable):
    """A row-cursor DataTable whose Enter ("Open") is shown in the footer (columns fit as in FittingTable)."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Open", id="table-open", tooltip="Open the highlighted row"),
    ]


class RequestList(FittingTable):
    """Cases in a table; Enter opens the highlighted one.

    Narrower than its columns (80 columns), it drops the keys in ``drop``
    first (see :class:`~tui.widgets.fitting_table.FittingTable`).
    """

    DEFAULT_CSS = """
    RequestList { height: 1fr; }
    """
    BINDINGS = [
        Binding("enter", "open_case", "Open", id="request-list-open",
                tooltip="Open the highlighted case (a draft in the wizard)"),
        Binding("i", "open_case(True)", "Details", id="request-list-details",
                tooltip="Case details (also of a draft: cancel it there)"),
    ]

    @dataclass
    class Opened(Message):
        """The clerk chose a case (``details``: the case screen even for a draft)."""

        request_list: RequestList
        row: RequestRow
        details: bool = False

        @property
        def control(self) -> RequestList:
            return self.request_list

    def __init__(self, columns: tuple[str, ...], *, drafts: bool = False, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.column_keys = columns
        self.rows_shown: tuple[RequestRow, ...] = ()
        self.drafts = drafts

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``i`` (details) only where drafts may be listed (Enter would take them to the wizard)."""
        if action == "open_case" and parameters == (True,):
            return self.drafts
        return True

    def on_mount(self) -> None:
        for key in self.column_keys:
            self.add_column(COLUMNS[key], key=key)

    def show(self, rows: tuple[RequestRow, ...] | list[RequestRow], now: datetime) -> None:
        """Replace the rows (the cursor stays on the same case when it is still listed)."""
        previous = self.highlighted
        self.rows_shown = tuple(rows)
        self.clear()
        for row in self.rows_shown:
            self.add_row(*(cell(row, key, now) for key in self.column_keys), key=str(row.id))
        if previous is not None:
            for index, row in enumerate(self.rows_shown):
                if row.id == previous.id:
                    self.move_cursor(row=index, animate=False)
                    break

    @property
    def highlighted(self) -> RequestRow | None:
        """The case under the cursor."""
        if not self.rows_shown or not 0 <= self.cursor_row < len(self.rows_shown):
            return None
        return self.rows_shown[self.cursor_row]

    def action_open_case(self, details: bool = False) -> None:
        """Open the highlighted case (``details``: its case screen, also for a draft)."""
        row = self.highlighted
        if row is not None:
            self.post_message(self.Opened(self, row, details))

    @on(DataTable.RowSelected)
    def _clicked(self, event: DataTable.RowSelected) -> None:
        # Enter is our own binding; this is a mouse click on a row
        event.stop()
        self.action_open_case()


def open_request(app, row: RequestRow, details: bool = False) -> None:
    """A draft opens in the wizard (unless ``details``); any other case on the case detail screen."""
    if RequestStatus(row.status) is RequestStatus.DRAFT and not details:
        app.resume_draft(row.id)
    else:
        app.open_case(row.id)
