"""A page of requests as a fast, keyboard-driven list with fixed columns.

The dashboard shows one page (50 rows) at a time and turns pages often, so
this is a small line-API widget instead of a ``DataTable``: each row is
formatted once into a single ``Text`` when the page arrives, and only the
lines on screen are turned into strips when painted. A page lands and paints
in a few milliseconds (a DataTable needs tens of milliseconds to measure and
render its cells).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

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

GAP = 2  # spaces between columns


@dataclass(frozen=True)
class Column:
    """A dashboard column, its width, the store's sort key for it and how much it matters.

    ``rank`` 1 is kept longest when the terminal is narrow; the highest rank
    is dropped first.
    """

    key: str
    label: str
    sort: str
    width: int
    rank: int = 1

# The order columns go when the list is narrower than all of them: what a
# clerk needs to recognise a case and act on it (number, member, status,
# updated, its clock) stays.
DROP_ORDER = ("kind", "dates", "urgency")


def columns_for(statuses: tuple[RequestStatus, ...]) -> tuple[Column, ...]:
    """The columns of a tab; the first and last depend on what the tab lists."""
    submitted = statuses[0] in (RequestStatus.PENDING, RequestStatus.REJECTED, RequestStatus.ACCEPTED)
    if statuses == (RequestStatus.DRAFT,):
        last = Column("expires", "Expires", "expires", 10)
    elif statuses == (RequestStatus.PENDING,):
        last = Column("due", "Decision due", "due", 13)
    elif submitted:
        last = Column("decided", "Decided", "decided", 8)
    else:
        last = Column("expires", "Draft expiry", "expires", 13)
    columns = (
        Column("number", "Number(s)", "webcert" if submitted else "number", 20 if submitted else 10),
        Column("member", "Member", "member", 17),
        Column("kind", "Kind", "kind", 9),
        Column("dates", "Service dates", "start", 17),
        Column("urgency", "Urgency", "urgency", 9),
        # Drafts are all drafts: who started each is worth more there (shared drafts, seed 002).
        Column("started", "Started by", "status", 14) if statuses == (RequestStatus.DRAFT,)
        else Column("status", "Status", "status", 9 if RequestStatus.CANCELLED in statuses else 8),
        Column("updated", "Updated", "updated", 8),
        last,
    )
    ranks = {key: len(DROP_ORDER) + 1 - n for n, key in enumerate(DROP_ORDER)}
    return tuple(Column(c.key, c.label, c.sort, c.width, 1 + ranks.get(c.key, 0)) for c in columns)


def table_width(columns: tuple[Column, ...]) -> int:
    """Cells wide a line of ``columns`` is (with the gaps and the left margin)."""
    return sum(c.width for c in columns) + GAP * (len(columns) - 1) + 1


def fit_columns(columns: tuple[Column, ...], width: int) -> tuple[Column, ...]:
    """The columns that fit in ``width`` cells, dropping the highest ``rank`` first (order kept).

    A width of 0 (not laid out yet) keeps every column.
    """
    shown = list(columns)
    if width <= 0:
        return tuple(shown)
    while table_width(tuple(shown)) > width and any(c.rank > 1 for c in shown):
        shown.remove(max(shown, key=lambda c: c.rank))
    return tuple(shown)


def row_cells(row: RequestRow, last: str, now: datetime, warning: str = "yellow", error: str = "red") -> list[Text]:
    """The cells of one request, in :func:`columns_for` order.

    ``warning`` and ``error`` are the colors of a draft expiring within a day
    and of an overdue decision.
    """
    number = f"{row.webcert_number} {row.auth_number or ''}".strip() if row.webcert_number else row.draft_number
    urgency = Urgency(row.urgency)
    cells: list[Text] = [
        Text(number),
        Text(row.member_name or row.member_id or "(no member yet)"),
        Text(KIND_SHORT[RequestKind(row.kind)]),
        Text(fmt_dates(row.start_date, row.end_date)),
        Text(URGENCY_SHORT[urgency], style="bold" if urgency is Urgency.EXPEDITED else ""),
        Text(row.started_by) if last == "expires" and RequestStatus(row.status) is RequestStatus.DRAFT
        else Text(STATUS_SHORT[RequestStatus(row.status)]),
        Text(fmt_ago(row.updated_at, now)),
    ]
    if last == "expires":
        if RequestStatus(row.status) is RequestStatus.DRAFT:
            text, passed = fmt_until(row.expires_at, now)
            soon = row.expires_at is not None and (row.expires_at - now).total_seconds() < 24 * 3600
            cells.append(Text(text, style=f"bold {warning}" if soon or passed else ""))
        else:
            cells.append(Text(fmt_short_date(row.expires_at.astimezone().date()) if row.expires_at else ""))
    elif last == "due":
        text, passed = fmt_until(row.decision_due_at, now)
        if passed:  # the largest unit is enough to see how late it is
            text = f"{fmt_span(now - row.decision_due_at).split(' ')[0]} overdue"
        cells.append(Text(text, style=f"bold {error}" if passed else ""))
    else:
        cells.append(Text(fmt_short_date(row.decided_at.astimezone().date()) if row.decided_at else ""))
    return cells


def _join(cells: list[Text], columns: tuple[Column, ...]) -> Text:
    line = Text(" ", end="", no_wrap=True)
    for index, (cell, column) in enumerate(zip(cells, columns, strict=True)):
        cell = cell.copy()
        cell.truncate(column.width, overflow="ellipsis", pad=index < len(columns) - 1)
        line.append_text(cell)
        if index < len(columns) - 1:
            line.append(" " * GAP)
    return line


class CaseTable(ScrollView, can_focus=True):
    """One page of requests with a header line; Enter opens the highlighted one."""

    DEFAULT_CSS = """
    CaseTable { height: 1fr; background: $surface; }
    CaseTable > .case-table--header { text-style: bold; background: $panel; }
    CaseTable > .case-table--even { background: $surface-lighten-1 20%; }
    CaseTable > .case-table--cursor { background: $block-cursor-blurred-background; }
    CaseTable:focus > .case-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    """
    COMPONENT_CLASSES = {"case-table--header", "case-table--even", "case-table--cursor"}
    BINDINGS = [
        Binding("enter", "select", "Open", id="case-table-open", tooltip="Open the highlighted case"),
        Binding("up", "cursor(-1)", show=False, id="case-table-up", tooltip="Previous row"),
        Binding("down", "cursor(1)", show=False, id="case-table-down", tooltip="Next row"),
        Binding("pageup", "cursor_page(-1)", show=False, id="case-table-page-up", tooltip="A screen up"),
        Binding("pagedown", "cursor_page(1)", show=False, id="case-table-page-down", tooltip="A screen down"),
        Binding("home", "cursor_to(0)", show=False, id="case-table-home", tooltip="First row"),
        Binding("end", "cursor_to(-1)", show=False, id="case-table-end", tooltip="Last row"),
    ]

    cursor_row: reactive[int] = reactive(0)

    @dataclass
    class RowSelected(Message):
        """Enter (or a double click) on a row."""

        case_table: CaseTable
        row: RequestRow

        @property
        def control(self) -> CaseTable:
            """The list the row is in."""
            return self.case_table

    @dataclass
    class HeaderClicked(Message):
        """A column header was clicked (the dashboard sorts by it)."""

        case_table: CaseTable
        column: Column

        @property
        def control(self) -> CaseTable:
            """The list whose header was clicked."""
            return self.case_table

    def __init__(self, statuses: tuple[RequestStatus, ...], **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[RequestRow] = []
        self._cells: list[list[Text]] = []
        self._lines: list[Text] = []
        self._sort: tuple[str, bool] | None = None
        self._strips: dict[tuple, Strip] = {}
        self.show_columns(statuses)

    def show_columns(self, statuses: tuple[RequestStatus, ...]) -> None:
        """Use the columns that fit requests in ``statuses`` (the rows are cleared)."""
        self.statuses = statuses
        self.all_columns = columns_for(statuses)
        self.rows, self._cells, self._lines = [], [], []
        self._fit(self.size.width, force=True)
        self.virtual_size = Size(self._content_width, 1)
        self.refresh()

    def _fit(self, width: int, force: bool = False) -> bool:
        """Choose the columns shown at ``width``; True when they changed (lines re-joined)."""
        shown = fit_columns(self.all_columns, width)
        if not force and shown == self.case_columns:
            return False
        self.case_columns = shown
        self._shown = [self.all_columns.index(c) for c in shown]
        self._content_width = table_width(shown)
        self._header = self._header_text()
        self._lines = [self._line(cells) for cells in self._cells]
        self._strips.clear()
        return True

    def _line(self, cells: list[Text]) -> Text:
        return _join([cells[i] for i in self._shown], self.case_columns)

    def on_resize(self, event: events.Resize) -> None:
        if self._fit(event.size.width):
            self.virtual_size = Size(self._content_width, len(self.rows) + 1)
            self.refresh()

    # ----- content -----

    def header_label(self, key: str) -> str:
        """A column's header as shown (with the sort arrow)."""
        for column in self.case_columns:
            if column.key == key:
                return self._label(column)
        raise KeyError(key)

    def _label(self, column: Column) -> str:
        if self._sort and self._sort[0] == column.sort:
            return f"{column.label}{'▼' if self._sort[1] else '▲'}"
        return column.label

    def _header_text(self) -> Text:
        return _join([Text(self._label(c)) for c in self.case_columns], self.case_columns)

    def show_sort(self, sort: str, descending: bool) -> None:
        """Mark the sorted column's header with ▼ or ▲."""
        self._sort = (sort, descending)
        self._header = self._header_text()
        self._strips.clear()
        self.refresh()

    def show_rows(self, rows: tuple[RequestRow, ...], now: datetime) -> None:
        """Replace the list with one page, keeping the cursor's place."""
        theme = self.app.theme_variables
        warning, error = theme.get("warning", "yellow"), theme.get("error", "red")
        last = self.case_columns[-1].key
        self.rows = list(rows)
        self._cells = [row_cells(r, last, now, warning, error) for r in rows]
        self._lines = [self._line(cells) for cells in self._cells]
        self._strips.clear()
        self.virtual_size = Size(self._content_width, len(rows) + 1)
        self.cursor_row = min(self.cursor_row, max(0, len(rows) - 1))
        self._scroll_cursor_into_view()
        self.refresh()

    def cells_at(self, index: int) -> list[Text]:
        """The cells of row ``index``, every column's (for tests and tooltips)."""
        return self._cells[index]

    @property
    def row_count(self) -> int:
        """How many rows the page has."""
        return len(self.rows)

    def highlighted(self) -> RequestRow | None:
        """The request under the cursor, if any."""
        return self.rows[self.cursor_row] if self.rows else None

    # ----- painting -----

    def render_line(self, y: int) -> Strip:
        """Line 0 is the header; the others are rows, scrolled."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if y == 0:
            key: tuple = ("header", width, scroll_x)
            text, component = self._header, "case-table--header"
        else:
            index = scroll_y + y - 1
            if index >= len(self._lines):
                return Strip.blank(width, self.rich_style)
            cursor = index == self.cursor_row
            component = "case-table--cursor" if cursor else ("case-table--even" if index % 2 else "")
            key = (index, width, scroll_x, component, self.has_focus)
            text = self._lines[index]
        strip = self._strips.get(key)
        if strip is None:
            style = self.rich_style
            if component:
                style = style + self.get_component_rich_style(component)
            segments = list(text.render(self.app.console))
            strip = (
                Strip(segments)
                .crop(scroll_x, scroll_x + width)
                .extend_cell_length(width, style)
                .apply_style(style)
            )
            if len(self._strips) > 400:
                self._strips.clear()
            self._strips[key] = strip
        return strip

    def notify_style_update(self) -> None:
        """Colors changed (theme, focus): paint again."""
        self._strips.clear()
        super().notify_style_update()

    def _on_focus(self, _event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, _event: events.Blur) -> None:
        self.refresh()

    # ----- cursor -----

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()

    def _scroll_cursor_into_view(self) -> None:
        visible = max(1, self.size.height - 1)
        top = self.scroll_offset.y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        """Move the cursor ``step`` rows."""
        if self.rows:
            self.cursor_row = max(0, min(len(self.rows) - 1, self.cursor_row + step))

    def action_cursor_page(self, step: int) -> None:
        """Move the cursor a screenful."""
        self.action_cursor(step * max(1, self.size.height - 2))

    def action_cursor_to(self, index: int) -> None:
        """The first (0) or last (-1) row."""
        if self.rows:
            self.cursor_row = index if index >= 0 else len(self.rows) - 1

    def action_select(self) -> None:
        """Open the highlighted request."""
        row = self.highlighted()
        if row is not None:
            self.post_message(self.RowSelected(self, row))

    def _on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = event.x + self.scroll_offset.x - 1
            for column in self.case_columns:
                if x < column.width + GAP:
                    self.post_message(self.HeaderClicked(self, column))
                    return
                x -= column.width + GAP
            return
        index = self.scroll_offset.y + event.y - 1
        if 0 <= index < len(self.rows):
            self.cursor_row = index
            if event.chain >= 2:
                self.action_select()


__all__ = ["CaseTable", "Column", "columns_for", "fit_columns", "row_cells"]
