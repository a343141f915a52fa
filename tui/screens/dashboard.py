"""The dashboard: the clerk's cases by status, paged from the database.

Tabs Drafts, Pending, Rejected, Accepted and Closed (Expired and Cancelled),
each with its count; a Take action panel of drafts expiring within 24 hours;
a filter box; sortable columns; one page (``PAGE_SIZE`` rows) at a time.

Everything the database answers comes from thread workers that post a
message back; the screen paints at once with an empty list and fills it as
the answers arrive. Each tab remembers its page, sort, cursor and total, so
turning pages costs one small query (the total is counted once) and
switching back to a tab costs none.

The tab bar is a ``Tabs`` over one shared list rather than a
``TabbedContent`` with a table per pane: switching panes restyles both
subtrees and moves the focus (which rebuilds the footer), about 35 ms at
120×36; swapping the rows of one focused list takes a few milliseconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static, Tab, Tabs

from store.enums import RequestKind, RequestStatus
from store.records import RequestPage, RequestRow
from tui.narrow import CompactFooterMixin
from tui.format import KIND_SHORT, fmt_count, fmt_until
from tui.widgets.case_table import CaseTable
from tui.widgets.text_input import TextInput

FILTER_DELAY = 0.3  # seconds of quiet typing before the filter runs

QUICK_PAGE_SECONDS = 0.004
"""A page query that took less than this lets the next page be read as the key is handled."""


@dataclass
class TabState:
    """What one tab lists and where the clerk is in it."""

    key: str
    title: str
    statuses: tuple[RequestStatus, ...]
    sort: str
    descending: bool
    offset: int = 0
    total: int | None = None
    page: RequestPage | None = None
    stale: bool = True
    pending_query: tuple | None = field(default=None, repr=False)
    cursor_row: int = 0
    # Pages fetched ahead (the next page, other tabs' first pages), by query.
    prefetched: dict = field(default_factory=dict, repr=False)

    @property
    def pane_id(self) -> str:
        """Id of the tab's Tab in the tab bar."""
        return f"tab-{self.key}"


def default_tabs() -> list[TabState]:
    """The five tabs, each with the order a clerk reads it in (indexed in the store)."""
    return [
        TabState("drafts", "Drafts", (RequestStatus.DRAFT,), "expires", False),
        TabState("pending", "Pending", (RequestStatus.PENDING,), "due", False),
        TabState("rejected", "Rejected", (RequestStatus.REJECTED,), "updated", True),
        TabState("accepted", "Accepted", (RequestStatus.ACCEPTED,), "updated", True),
        TabState("closed", "Expired & cancelled", (RequestStatus.EXPIRED, RequestStatus.CANCELLED), "updated", True),
    ]


class DashboardScreen(CompactFooterMixin, Screen[None]):
    """The signed-in user's cases, by status."""

    BINDINGS = [
        Binding("n", "new_request", "New", id="dash-new", tooltip="Start a new request"),
        Binding("slash", "focus_filter", "Filter", id="dash-filter", tooltip="Filter by member name, ID or number"),
        Binding("escape", "leave_filter", "Back to list", id="dash-leave-filter", tooltip="Back to the table"),
        Binding("s", "sort", "Sort", id="dash-sort", tooltip="Sort by the next column"),
        Binding("o", "reverse", "Order", id="dash-order", tooltip="Reverse the sort order"),
        Binding("left_square_bracket", "prev_page", "Prev", key_display="[", id="dash-prev-page",
                tooltip="Previous page"),
        Binding("right_square_bracket", "next_page", "Next", key_display="]", id="dash-next-page",
                tooltip="Next page"),
        Binding("1", "show_tab(0)", "Tab", key_display="1-5", id="dash-tab-1", tooltip="Drafts (1) … Closed (5)"),
        *(Binding(str(n), f"show_tab({n - 1})", show=False, id=f"dash-tab-{n}", tooltip=f"Tab {n}")
          for n in range(2, 6)),
        # priority: the tables would take these keys to scroll sideways
        Binding("ctrl+pagedown", "cycle_tab(1)", show=False, priority=True, id="dash-next-tab", tooltip="Next tab"),
        Binding("ctrl+pageup", "cycle_tab(-1)", show=False, priority=True, id="dash-prev-tab",
                tooltip="Previous tab"),
        Binding("i", "details", "Details", id="dash-details",
                tooltip="Case detail of the highlighted row (a draft too: cancel it there)"),
        Binding("e", "export", "Export", id="dash-export", tooltip="Save every row of this list as CSV"),
        Binding("r", "refresh", "Refresh", id="dash-refresh", tooltip="Load the lists again"),
        Binding("v", "review_queue", "Review queue", id="dash-review-queue",
                tooltip="Pending cases to decide, oldest due first (reviewers)"),
        Binding("q", "app.quit", "Quit", id="dash-quit", tooltip="Close AuthDesk"),
    ]
    # Under 100 columns the footer keeps Open, New, Filter, Sort, Details, the
    # queue, Quit and Search; the rest stay in ctrl+p → Keys (and keep working).
    NARROW_HIDDEN = frozenset({"dash-order", "dash-prev-page", "dash-next-page", "dash-tab-1", "dash-export",
                               "dash-refresh"})
    NARROW_LABELS = {"dash-review-queue": "Queue"}

    # ----- messages from the workers -----

    @dataclass
    class PageLoaded(Message):
        """A page of one tab arrived."""

        tab: str
        query: tuple
        page: RequestPage

    @dataclass
    class PagePrefetched(Message):
        """A page fetched ahead of need (next page, other tabs)."""

        tab: str
        query: tuple
        page: RequestPage

    @dataclass
    class CountsLoaded(Message):
        """Counts per status (for the tab labels) arrived for filter ``text``."""

        text: str
        counts: dict

    @dataclass
    class ExpiringLoaded(Message):
        """The drafts that expire within 24 hours."""

        rows: list

    @dataclass
    class LoadFailed(Message):
        """The database did not answer."""

        message: str

    @dataclass
    class Exported(Message):
        """A CSV file was written."""

        path: str
        rows: int

    @dataclass
    class PageShown(Message):
        """A tab's page is on screen (tests and the start-up benchmark wait for it)."""

        tab: str

    def __init__(self) -> None:
        super().__init__()
        self.tabs = default_tabs()
        self.tab_by_key = {t.key: t for t in self.tabs}
        self.filter_text = ""
        self.counts: dict[RequestStatus, int] | None = None
        self._filter_timer: Timer | None = None
        self._resumed_once = False
        self._shown = self.tabs[0].key  # the tab whose page the list shows
        self._page_took: float | None = None  # how long the last page query took (see _quick_pages)

    # ----- layout -----

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="dash-filter-row"):
            yield Static("Filter", id="dash-filter-label")
            yield TextInput(id="dash-filter-input", placeholder="member name, member ID, draft, WebCert or authorization number",
                        compact=True)
        with Vertical(id="take-action"):
            yield Static("Loading…", id="take-action-empty")
            table = DataTable(id="take-action-table", cursor_type="row")
            table.display = False
            yield table
        yield Tabs(*(Tab(tab.title, id=tab.pane_id) for tab in self.tabs), id="dash-tabs")
        yield CaseTable(self.tabs[0].statuses, id="dash-table")
        yield Static("Loading…", id="dash-page-line")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        panel = self.query_one("#take-action")
        panel.border_title = "Take action"
        table = self.query_one("#take-action-table", DataTable)
        table.add_column("Draft", key="number")
        table.add_column("Member", key="member", width=24)
        table.add_column("Kind", key="kind")
        table.add_column("Expires", key="expires")
        table = self._table(self.current)
        table.show_sort(self.current.sort, self.current.descending)
        table.focus()
        self.reload()

    def on_screen_resume(self) -> None:
        """Load again whenever the dashboard comes back on top, e.g. after the wizard.

        The first load starts in :meth:`on_mount`, while the empty screen paints.
        """
        if self._resumed_once:
            self.reload()
        self._resumed_once = True

    # ----- helpers -----

    @property
    def current(self) -> TabState:
        """The tab on screen."""
        return self.tab_by_key[self._shown]

    def _table(self, tab: TabState | None = None) -> CaseTable:
        """The one list every tab shows its page in."""
        return self.query_one("#dash-table", CaseTable)

    def _query(self, tab: TabState) -> tuple:
        return (self.filter_text, tab.sort, tab.descending, tab.offset)

    @property
    def user(self):
        """The signed-in user."""
        return self.app.user

    # ----- loading -----

    def reload(self) -> None:
        """Forget every page and load the current one, the counts and the Take action panel."""
        for tab in self.tabs:
            tab.stale = True
            tab.total = None
            tab.prefetched.clear()
        tab = self.current
        query = self._query(tab)
        tab.pending_query = query
        others = [(t, self._query(t)) for t in self.tabs if t is not tab]
        self._load_all(tab.key, tab.statuses, query, others)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dash-reload")
    def _load_all(self, key: str, statuses, query: tuple, others: list) -> None:
        """The current page first (so it paints soonest), then the counts and the Take action panel.

        One thread in sequence rather than three at once: the page does not
        wait for the others' Python work.
        """
        from store.services.cases import count_by_status, expiring_drafts
        from store.services.cases import list_requests

        text, sort, descending, offset = query
        try:
            with self.app.store.session() as session:
                started = time.perf_counter()
                page = list_requests(session, self.user, statuses, text=text, sort=sort, descending=descending,
                                  offset=offset)
                self._page_took = time.perf_counter() - started
                self.post_message(self.PageLoaded(key, query, page))
                counts = count_by_status(session, self.user, text)
                self.post_message(self.CountsLoaded(text, counts))
                self.post_message(self.ExpiringLoaded(expiring_drafts(session, self.user)))
                # The other tabs' pages, so that switching to them shows at once.
                for other, other_query in others:
                    total = sum(counts.get(s, 0) for s in other.statuses)
                    started = time.perf_counter()
                    other_page = list_requests(session, self.user, other.statuses, text=text, sort=other_query[1],
                                            descending=other_query[2], offset=other_query[3], total=total)
                    self._page_took = time.perf_counter() - started
                    self.post_message(self.PagePrefetched(other.key, other_query, other_page))
        except Exception as exc:
            self.post_message(self.LoadFailed(_reason(exc)))

    def _request_page(self, tab: TabState) -> None:
        """Show ``tab``'s page for its query: fetched ahead, read now while page queries are quick
        (painted in the key's own frame), or else from a worker."""
        query = self._query(tab)
        ready = tab.prefetched.get(query)
        if ready is None and self._quick_pages():
            ready = self._page_now(tab, query)
        if ready is not None:
            tab.pending_query = query
            self._page_loaded(self.PageLoaded(tab.key, query, ready))
            return
        tab.pending_query = query
        self._load_page(tab.key, tab.statuses, query, tab.total)

    def _quick_pages(self) -> bool:
        """Whether the last page query (shown or fetched ahead) took under :data:`QUICK_PAGE_SECONDS`
        (an indexed page of a local or nearby database takes 1–2 ms): the next page is then read as
        the key is handled. Until a page has been read, and after a slow one (a loaded server, a
        deep jump), pages come from a worker, so a slow query never holds up the keys."""
        return self._page_took is not None and self._page_took < QUICK_PAGE_SECONDS

    def _page_now(self, tab: TabState, query: tuple) -> RequestPage | None:
        """``tab``'s page for ``query``, read in this thread (None if the read failed: the worker
        then tries again and reports what went wrong)."""
        from store.services.cases import list_requests

        text, sort, descending, offset = query
        started = time.perf_counter()
        try:
            with self.app.store.session() as session:
                return list_requests(session, self.user, tab.statuses, text=text, sort=sort,
                                     descending=descending, offset=offset, total=tab.total)
        except Exception:
            return None
        finally:
            self._page_took = time.perf_counter() - started

    def _prefetch_next(self, tab: TabState) -> None:
        """Fetch the page after the one shown, so ``]`` shows it at once."""
        if tab.page is None or tab.total is None:
            return
        offset = tab.offset + tab.page.limit
        query = (self.filter_text, tab.sort, tab.descending, offset)
        if offset < tab.total and query not in tab.prefetched:
            self._load_page(tab.key, tab.statuses, query, tab.total, ahead=True)

    @work(thread=True, exit_on_error=False, group="dash-page")
    def _load_page(self, key: str, statuses, query: tuple, total: int | None, ahead: bool = False) -> None:
        from store.services.cases import list_requests

        text, sort, descending, offset = query
        try:
            with self.app.store.session() as session:
                started = time.perf_counter()
                page = list_requests(session, self.user, statuses, text=text, sort=sort, descending=descending,
                                  offset=offset, total=total)
                self._page_took = time.perf_counter() - started
        except Exception as exc:
            if not ahead:
                self.post_message(self.LoadFailed(_reason(exc)))
            return
        self.post_message(self.PagePrefetched(key, query, page) if ahead else self.PageLoaded(key, query, page))

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        tab = self.tab_by_key[message.tab]
        if message.query != tab.pending_query:
            return  # an older request: the clerk has moved on
        tab.pending_query = None
        tab.page = message.page
        tab.total = message.page.total
        tab.offset = message.page.offset
        tab.stale = False
        tab.prefetched[message.query] = message.page
        if tab is self.current:
            self._table().show_rows(message.page.rows, _now())
            self._show_page_line()
            self.post_message(self.PageShown(tab.key))
            # after the paint, so fetching ahead never delays it
            self.call_after_refresh(self._prefetch_next, tab)

    @on(PagePrefetched)
    def _page_prefetched(self, message: PagePrefetched) -> None:
        if message.query[0] != self.filter_text:
            return
        tab = self.tab_by_key[message.tab]
        if len(tab.prefetched) > 20:
            tab.prefetched.clear()
        tab.prefetched[message.query] = message.page
        if tab.stale and tab.pending_query is None and message.query == self._query(tab):
            # the first page of a tab not on screen: ready for when it is
            tab.page, tab.total, tab.stale = message.page, message.page.total, False

    @on(CountsLoaded)
    def _counts_loaded(self, message: CountsLoaded) -> None:
        if message.text != self.filter_text:
            return
        self.counts = message.counts
        for tab in self.tabs:
            total = sum(message.counts.get(s, 0) for s in tab.statuses)
            if tab.pending_query is None or tab.total is None:
                tab.total = total
            self.query_one(f"#{tab.pane_id}", Tab).label = f"{tab.title} {fmt_count(total)}"
        self._show_page_line()

    @on(ExpiringLoaded)
    def _expiring_loaded(self, message: ExpiringLoaded) -> None:
        rows: list[RequestRow] = message.rows
        panel = self.query_one("#take-action")
        table = self.query_one("#take-action-table", DataTable)
        empty = self.query_one("#take-action-empty", Static)
        now = _now()
        cursor = table.cursor_row
        table.clear()
        for row in rows:
            text, _ = fmt_until(row.expires_at, now)
            table.add_row(row.draft_number, row.member_name or row.member_id or "(no member yet)",
                          KIND_SHORT[RequestKind(row.kind)], text, key=str(row.id))
        if rows:
            table.move_cursor(row=min(max(cursor, 0), len(rows) - 1), animate=False)
        table.display = bool(rows)
        empty.display = not rows
        empty.update("No draft expires within 24 hours.")
        n = len(rows)
        panel.border_title = (
            f"Take action · {n} draft{'s' if n != 1 else ''} expire{'s' if n == 1 else ''} within 24 hours"
            if rows else "Take action"
        )
        panel.set_class(bool(rows), "-expiring")

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.query_one("#dash-page-line", Static).update(f"Cannot load the cases: {message.message}")
        self.notify(message.message, title="Database", severity="error")

    def _show_page_line(self) -> None:
        tab = self.current
        line = self.query_one("#dash-page-line", Static)
        if tab.page is None:
            line.update("Loading…")
            return
        page = tab.page
        total = page.total
        pages = max(1, -(-total // page.limit))
        number = page.offset // page.limit + 1
        column = next((c.label for c in self._table(tab).all_columns if c.sort == tab.sort), tab.sort)
        parts = [
            f"Page {fmt_count(number)} of {fmt_count(pages)}",
            f"{fmt_count(total)} case{'s' if total != 1 else ''}",
            f"sorted by {column} {'▼' if tab.descending else '▲'}",
        ]
        if self.filter_text:
            parts.append(f"filter “{self.filter_text}”")
        line.update(" · ".join(parts))

    # ----- tabs -----

    @on(Tabs.TabActivated, "#dash-tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        tab = next(t for t in self.tabs if t.pane_id == event.tab.id)
        table = self._table()
        if tab.key == self._shown:
            return
        self.tab_by_key[self._shown].cursor_row = table.cursor_row
        self._shown = tab.key
        table.show_columns(tab.statuses)
        table.show_sort(tab.sort, tab.descending)
        table.cursor_row = tab.cursor_row
        if tab.stale and tab.pending_query is None and self._quick_pages():
            self._request_page(tab)  # read now: the fresh page is what the key paints
            if not tab.stale:
                return
        table.show_rows(tab.page.rows if tab.page else (), _now())
        self._show_page_line()
        if tab.stale and tab.pending_query is None:
            self._request_page(tab)
        elif tab.page is not None:
            self.post_message(self.PageShown(tab.key))
            self.call_after_refresh(self._prefetch_next, tab)

    def action_show_tab(self, index: int) -> None:
        """Show tab ``index`` (0 = Drafts … 4 = Expired & cancelled)."""
        if 0 <= index < len(self.tabs):
            self.query_one("#dash-tabs", Tabs).active = self.tabs[index].pane_id
            if not isinstance(self.focused, Input):
                self._table().focus()

    def action_cycle_tab(self, step: int) -> None:
        """Next (1) or previous (-1) tab, wrapping around."""
        index = self.tabs.index(self.current)
        self.action_show_tab((index + step) % len(self.tabs))

    # ----- paging and sorting -----

    def _go(self, tab: TabState, offset: int) -> None:
        tab.offset = offset
        self._request_page(tab)

    def action_next_page(self) -> None:
        """The next page of the current tab."""
        tab = self.current
        if tab.page is None:
            return
        offset = tab.offset + tab.page.limit
        if tab.total is not None and offset >= tab.total:
            self.notify("This is the last page.", timeout=2)
            return
        self._go(tab, offset)

    def action_prev_page(self) -> None:
        """The previous page of the current tab."""
        tab = self.current
        if tab.page is None:
            return
        if tab.offset == 0:
            self.notify("This is the first page.", timeout=2)
            return
        self._go(tab, max(0, tab.offset - tab.page.limit))

    def _sort_by(self, tab: TabState, sort: str, descending: bool) -> None:
        tab.sort, tab.descending = sort, descending
        self._table(tab).show_sort(sort, descending)
        self._go(tab, 0)

    def action_sort(self) -> None:
        """Sort the current tab by its next column (dates newest first, the rest A→Z)."""
        tab = self.current
        sorts = [c.sort for c in self._table(tab).all_columns]
        index = sorts.index(tab.sort) if tab.sort in sorts else -1
        sort = sorts[(index + 1) % len(sorts)]
        self._sort_by(tab, sort, sort in ("updated", "decided"))

    def action_reverse(self) -> None:
        """Reverse the current tab's order."""
        tab = self.current
        self._sort_by(tab, tab.sort, not tab.descending)

    @on(CaseTable.HeaderClicked)
    def _header_clicked(self, event: CaseTable.HeaderClicked) -> None:
        tab = self.current
        if event.column.sort == tab.sort:
            self._sort_by(tab, tab.sort, not tab.descending)
        else:
            self._sort_by(tab, event.column.sort, event.column.sort in ("updated", "decided"))

    # ----- filter -----

    def action_focus_filter(self) -> None:
        """Put the cursor in the filter box."""
        self.query_one("#dash-filter-input", Input).focus()

    def action_leave_filter(self) -> None:
        """From the filter box back to the table."""
        self._table(self.current).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show "Back to list" only while the filter box has the cursor."""
        if action == "leave_filter":
            return isinstance(self.focused, Input)
        if action == "review_queue":
            return self.user is not None and self.user.is_reviewer
        return True

    @on(Input.Changed, "#dash-filter-input")
    def _filter_typed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, self._apply_filter)

    @on(Input.Submitted, "#dash-filter-input")
    def _filter_submitted(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._apply_filter()
        self._table(self.current).focus()

    def _apply_filter(self) -> None:
        text = self.query_one("#dash-filter-input", Input).value.strip()
        if text == self.filter_text:
            return
        self.filter_text = text
        for tab in self.tabs:
            tab.offset = 0
        self.reload()

    # ----- opening and other actions -----

    @on(DataTable.RowSelected, "#take-action-table")
    def _draft_selected(self, event: DataTable.RowSelected) -> None:
        self.app.resume_draft(int(event.row_key.value))

    @on(CaseTable.RowSelected)
    def _row_selected(self, event: CaseTable.RowSelected) -> None:
        if RequestStatus(event.row.status) is RequestStatus.DRAFT:
            self.app.resume_draft(event.row.id)
        else:
            self.app.open_case(event.row.id)

    def action_details(self) -> None:
        """Open the highlighted row's case detail, whatever its status."""
        row = self._table().highlighted()
        if row is not None:
            self.app.open_case(row.id)

    def action_new_request(self) -> None:
        """Start a new request (the kind is asked first)."""
        self.app.new_request()

    def action_refresh(self) -> None:
        """Load counts, the Take action panel and the current page again."""
        self.reload()
        self.notify("Refreshed.", timeout=1.5)

    def action_review_queue(self) -> None:
        """Open the review queue (the plan's reviewers only)."""
        self.app.open_screen("review_queue")

    def action_export(self) -> None:
        """Ask where to save the current list (all its pages) as CSV."""
        from tui.screens.export_dialog import ExportDialog

        tab = self.current
        default = f"~/authdesk-{tab.key}-{date.today():%Y-%m-%d}.csv"
        total = tab.total if tab.total is not None else 0
        self.app.push_screen(ExportDialog(default, tab.title, total), self._export_to)

    def _export_to(self, path: str | None) -> None:
        if path:
            tab = self.current
            self._export(path, tab.statuses, self.filter_text, tab.sort, tab.descending)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dash-export")
    def _export(self, path: str, statuses, text: str, sort: str, descending: bool) -> None:
        from store.services.export import export_rows_csv

        try:
            with self.app.store.session() as session:
                rows = export_rows_csv(session, self.user, statuses, text, sort, path, descending=descending)
        except Exception as exc:
            self.post_message(self.LoadFailed(_reason(exc)))
            return
        self.post_message(self.Exported(path, rows))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        self.notify(f"Saved {fmt_count(message.rows)} rows to {message.path}", title="Export")


def _now():
    from store.types import utcnow

    return utcnow()


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
