"""The plan reviewer's queue: pending cases oldest due first, and lines to decide.

Two tabs, each paged from the database (``QUEUE_PAGE_SIZE`` rows):

* **Pending** — :func:`store.services.review.review_queue`: urgency and the
  decision-due time, overdue ones highlighted ("overdue by …");
* **Lines to decide** — :func:`store.services.review.lines_to_decide`:
  accepted cases with a line not decided yet or pended.

Enter opens the case detail screen, where the reviewer accepts, rejects,
changes the urgency or decides lines; coming back reloads the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from store.records import RequestPage
from tui.narrow import CompactFooterMixin
from tui.errors import describe
from tui.format import fmt_count
from tui.widgets.request_list import RequestList, open_request

QUEUE_PAGE_SIZE = 50
TABS = {
    "pending": ("Pending", ("due", "due_in", "urgency", "number", "member", "kind", "dates")),
    "lines": ("Lines to decide", ("decided", "urgency", "number", "auth", "member", "kind", "dates", "received")),
}
# What goes first when a tab is narrower than its columns (80 columns): the
# due time keeps its "in 2d 4h" / "overdue by 5h" without the date; urgency,
# number and member always stay.
DROP = {
    "pending": ("due", "dates", "kind"),
    "lines": ("dates", "kind", "decided", "received"),
}
ALTERNATES = {"due": "due_in"}


class ReviewQueueScreen(CompactFooterMixin, Screen[None]):
    """Pending cases and open lines, for the plan's reviewers."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="queue-back", tooltip="Back to the dashboard"),
        Binding("1", "show_tab('pending')", "Pending", id="queue-tab-pending", tooltip="Pending cases"),
        Binding("2", "show_tab('lines')", "Lines", id="queue-tab-lines", tooltip="Accepted cases with lines to decide"),
        Binding("left_square_bracket", "page(-1)", "Prev", key_display="[", id="queue-prev", tooltip="Previous page"),
        Binding("right_square_bracket", "page(1)", "Next", key_display="]", id="queue-next", tooltip="Next page"),
        Binding("r", "refresh", "Refresh", id="queue-refresh", tooltip="Load the queue again"),
        Binding("i", "app.import_decisions", "Import decisions", id="queue-import",
                tooltip="Apply payers' PAS responses (ClaimResponse .json files)"),
    ]
    NARROW_HIDDEN = frozenset({"queue-tab-pending", "queue-tab-lines", "queue-prev", "queue-next",
                               "queue-refresh"})
    NARROW_LABELS = {"queue-import": "Import"}

    @dataclass
    class PageLoaded(Message):
        """A page of one tab arrived."""

        tab: str
        page: RequestPage

    @dataclass
    class LoadFailed(Message):
        """The queue could not be loaded."""

        message: str

    def __init__(self) -> None:
        super().__init__()
        self.offsets = {key: 0 for key in TABS}
        self.requested: dict[str, int] = {}
        self.pages: dict[str, RequestPage] = {}
        self._mounted = False

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="queue-tabs", initial="queue-pending"):
            for key, (title, columns) in TABS.items():
                with TabPane(title, id=f"queue-{key}"):
                    yield RequestList(columns, id=f"queue-list-{key}", drop=DROP[key], alternates=ALTERNATES)
        yield Static("Loading…", id="queue-page-line")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Review queue · {self.app.sub_title}"
        self.query_one("#queue-list-pending", RequestList).focus()
        self.load_all()
        self._mounted = True

    def on_screen_resume(self) -> None:
        """Back from a case: the reviewer may have decided it."""
        if self._mounted:
            self.load_all()

    # ----- loading -----

    @property
    def current(self) -> str:
        """The tab on screen: ``pending`` or ``lines``."""
        active = self.query_one("#queue-tabs", TabbedContent).active
        return active.removeprefix("queue-") or "pending"

    def load_all(self) -> None:
        """Load both tabs (their current pages)."""
        for key in TABS:
            self._load(key, self.offsets[key])

    def _load(self, key: str, offset: int) -> None:
        self.requested[key] = offset
        self._fetch(key, offset)

    @work(thread=True, exit_on_error=False, group="queue")
    def _fetch(self, key: str, offset: int) -> None:
        from store.services.review import lines_to_decide, review_queue

        fetch = review_queue if key == "pending" else lines_to_decide
        try:
            with self.app.store.session() as session:
                page = fetch(session, self.app.user, limit=QUEUE_PAGE_SIZE, offset=offset)
        except Exception as exc:
            self.post_message(self.LoadFailed(describe(exc)))
            return
        self.post_message(self.PageLoaded(key, page))

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        from store.types import utcnow

        page = message.page
        if self.requested.get(message.tab) != page.offset:
            return  # an older page: the reviewer has turned on
        if page.total and page.offset >= page.total:  # the last page emptied: step back
            self.offsets[message.tab] = max(0, (page.total - 1) // page.limit * page.limit)
            self._load(message.tab, self.offsets[message.tab])
            return
        self.pages[message.tab] = page
        self.offsets[message.tab] = page.offset
        self.query_one(f"#queue-list-{message.tab}", RequestList).show(page.rows, utcnow())
        title = TABS[message.tab][0]
        self.query_one("#queue-tabs", TabbedContent).get_tab(f"queue-{message.tab}").label = (
            f"{title} {fmt_count(page.total)}"
        )
        self._show_page_line()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.query_one("#queue-page-line", Static).update(Text(f"Cannot load the queue: {message.message}"))

    def _show_page_line(self) -> None:
        from store.services.cases import overdue
        from store.types import utcnow

        page = self.pages.get(self.current)
        line = self.query_one("#queue-page-line", Static)
        if page is None:
            line.update("Loading…")
            return
        pages = max(1, -(-page.total // page.limit))
        parts = [f"Page {page.offset // page.limit + 1} of {pages}", f"{fmt_count(page.total)} case(s)"]
        if self.current == "pending":
            now = utcnow()
            late = sum(1 for r in page.rows if overdue(r.decision_due_at, now))
            if late:
                parts.append(f"{late} overdue on this page")
            parts.append("oldest due first")
        else:
            parts.append("accepted longest ago first")
        if not self.has_class("-narrow"):  # one line at 80 columns
            parts.append("Enter opens the case to act on it")
        line.update(" · ".join(parts))

    # ----- keys -----

    @on(TabbedContent.TabActivated, "#queue-tabs")
    def _tab_activated(self) -> None:
        self._show_page_line()
        self.query_one(f"#queue-list-{self.current}", RequestList).focus()

    def action_show_tab(self, key: str) -> None:
        """Show the Pending or the Lines to decide tab."""
        self.query_one("#queue-tabs", TabbedContent).active = f"queue-{key}"

    def action_page(self, step: int) -> None:
        """The previous (-1) or next (1) page of the current tab."""
        key = self.current
        page = self.pages.get(key)
        if page is None:
            return
        offset = page.offset + step * page.limit
        if offset < 0:
            self.notify("This is the first page.", timeout=2)
            return
        if offset >= page.total:
            self.notify("This is the last page.", timeout=2)
            return
        self._load(key, offset)

    def action_refresh(self) -> None:
        """Load the queue again."""
        self.load_all()

    def action_back(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)

    @on(RequestList.Opened)
    def _opened(self, event: RequestList.Opened) -> None:
        open_request(self.app, event.row, event.details)
