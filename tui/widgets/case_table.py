"""A page of requests in a DataTable, with the columns the dashboard shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from store.enums import RequestKind, RequestStatus, Urgency
from store.records import RequestRow
from tui.format import (
    KIND_SHORT,
    STATUS_SHORT,
    URGENCY_SHORT,
    fmt_ago,
    fmt_dates,
    fmt_short_date,
    fmt_span,
    fmt_until,
)

MEMBER_WIDTH = 18


@dataclass(frozen=True)
class Column:
    """A dashboard column and the store's sort key for it."""

    key: str
    label: str
    sort: str


def columns_for(statuses: tuple[RequestStatus, ...]) -> tuple[Column, ...]:
    """The columns of a tab; the last one depends on what the tab lists."""
    submitted = statuses[0] in (RequestStatus.PENDING, RequestStatus.REJECTED, RequestStatus.ACCEPTED)
    if statuses == (RequestStatus.DRAFT,):
        last = Column("expires", "Expires", "expires")
    elif statuses == (RequestStatus.PENDING,):
        last = Column("due", "Decision due", "due")
    elif submitted:
        last = Column("decided", "Decided", "decided")
    else:
        last = Column("expires", "Draft expiry", "expires")
    return (
        Column("number", "Number(s)", "webcert" if submitted else "number"),
        Column("member", "Member", "member"),
        Column("kind", "Kind", "kind"),
        Column("dates", "Service dates", "start"),
        Column("urgency", "Urgency", "urgency"),
        Column("status", "Status", "status"),
        Column("updated", "Updated", "updated"),
        last,
    )


def _truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def row_cells(row: RequestRow, last: str, now: datetime, warning: str = "yellow", error: str = "red") -> list:
    """The cells of one request, in :func:`columns_for` order.

    ``warning`` and ``error`` are the colors of a draft expiring within a day
    and of an overdue decision.
    """
    number = f"{row.webcert_number} {row.auth_number or ''}".strip() if row.webcert_number else row.draft_number
    urgency = Urgency(row.urgency)
    cells: list = [
        number,
        _truncate(row.member_name or row.member_id or "(no member yet)", MEMBER_WIDTH),
        KIND_SHORT[RequestKind(row.kind)],
        fmt_dates(row.start_date, row.end_date),
        Text(URGENCY_SHORT[urgency], style="bold" if urgency is Urgency.EXPEDITED else ""),
        STATUS_SHORT[RequestStatus(row.status)],
        fmt_ago(row.updated_at, now),
    ]
    if last == "expires":
        if RequestStatus(row.status) is RequestStatus.DRAFT:
            text, passed = fmt_until(row.expires_at, now)
            soon = row.expires_at is not None and (row.expires_at - now).total_seconds() < 24 * 3600
            cells.append(Text(text, style=f"bold {warning}" if soon or passed else ""))
        else:
            cells.append(fmt_short_date(row.expires_at.astimezone().date()) if row.expires_at else "")
    elif last == "due":
        text, passed = fmt_until(row.decision_due_at, now)
        if passed:  # the largest unit is enough to see how late it is
            text = f"{fmt_span(now - row.decision_due_at).split(' ')[0]} overdue"
        cells.append(Text(text, style=f"bold {error}" if passed else ""))
    else:
        cells.append(fmt_short_date(row.decided_at.astimezone().date()) if row.decided_at else "")
    return cells


class CaseTable(DataTable):
    """One page of requests; Enter opens the highlighted one."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Open", id="case-table-open", tooltip="Open the highlighted case"),
    ]

    def __init__(self, statuses: tuple[RequestStatus, ...], **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.statuses = statuses
        self.case_columns = columns_for(statuses)
        self.rows_by_key: dict[str, RequestRow] = {}

    def on_mount(self) -> None:
        for column in self.case_columns:
            width = MEMBER_WIDTH if column.key == "member" else None
            self.add_column(column.label, key=column.key, width=width)

    async def _on_idle(self, event) -> None:
        # DataTable measures new rows on idle but keeps cells it rendered
        # before that (at the old, narrower widths) in its cache, which shows
        # truncated cells after a page arrives on a freshly shown tab. Measure
        # here (this runs before DataTable's own idle handler) and drop the cache.
        if self._require_update_dimensions:
            self._require_update_dimensions = False
            new_rows = self._new_rows.copy()
            self._new_rows.clear()
            self._update_dimensions(new_rows)
            self._clear_caches()
            self.refresh()

    def show_sort(self, sort: str, descending: bool) -> None:
        """Mark the sorted column's header with ▼ or ▲."""
        for column in self.case_columns:
            label = column.label
            if column.sort == sort:
                label = f"{label} {'▼' if descending else '▲'}"
            self.columns[column.key].label = Text(label)
        self.refresh()

    def show_rows(self, rows: tuple[RequestRow, ...], now: datetime) -> None:
        """Replace the table's rows with one page, keeping the cursor's place."""
        cursor = self.cursor_row
        self.clear()
        self.rows_by_key = {str(r.id): r for r in rows}
        last = self.case_columns[-1].key
        theme = self.app.theme_variables
        warning, error = theme.get("warning", "yellow"), theme.get("error", "red")
        for row in rows:
            self.add_row(*row_cells(row, last, now, warning, error), key=str(row.id))
        if rows:
            self.move_cursor(row=min(max(cursor, 0), len(rows) - 1), animate=False)

    def highlighted(self) -> RequestRow | None:
        """The request under the cursor, if any."""
        if not self.rows_by_key or self.cursor_row < 0:
            return None
        try:
            key = self.coordinate_to_cell_key((self.cursor_row, 0)).row_key.value
        except Exception:
            return None
        return self.rows_by_key.get(key)
