"""Find a case by WebCert, authorization or draft number, member ID or member name.

Results come as you type (after ``SEARCH_DELAY`` of quiet), from
:func:`store.services.search.search_cases` in a thread worker: exact numbers
through the unique indexes first, then member names. Enter opens the
highlighted result (the first one while the cursor is in the box): a draft
in the wizard, anything else on the case detail screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static

from store.records import RequestRow
from tui.errors import describe
from tui.widgets.request_list import RequestList, open_request
from tui.widgets.text_input import TextInput

SEARCH_DELAY = 0.15  # seconds of quiet typing before the search runs
SEARCH_LIMIT = 20
HELP = ("Type a WebCert number (WC-0001234 or wc1234), an authorization number (SP… / IP…), "
        "a draft number (D-000123), a member ID or a member's name.")


class SearchBox(TextInput):
    """The search input; ↓ moves into the results (shown in the footer)."""

    BINDINGS = [
        Binding("enter", "submit", "Open", id="search-open", tooltip="Open the highlighted (first) case"),
        Binding("down", "screen.to_results", "Results", key_display="↓", id="search-to-results",
                tooltip="Move into the results"),
    ]


class SearchScreen(Screen[None]):
    """One search box, results as you type."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="search-back", tooltip="Close search"),
        Binding("slash", "to_box", "Search box", key_display="/", id="search-to-box",
                tooltip="Back to the search box"),
        Binding("ctrl+f", "focus_box", "Search box", show=False, id="search-again",
                tooltip="Back to the search box (search is open already)"),
    ]

    @dataclass
    class Found(Message):
        """Results for ``text`` arrived."""

        text: str
        rows: list[RequestRow]

    @dataclass
    class Failed(Message):
        """The search could not run."""

        text: str
        message: str

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.initial_text = text
        self.searched = ""
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="search-row"):
            yield Static("Search", id="search-label")
            yield SearchBox(self.initial_text, id="search-input", compact=True,
                        placeholder="WebCert, authorization or draft number, member ID or name")
        yield Static(HELP, id="search-status")
        yield RequestList(("number", "status", "member", "member_id", "kind", "dates", "auth", "due_in"),
                          drafts=True, id="search-results", drop=("kind", "due_in", "auth", "dates"))
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Search · {self.app.sub_title}"
        self.query_one("#search-input", Input).focus()
        if self.initial_text.strip():
            self._run_search()

    # ----- searching -----

    @on(Input.Changed, "#search-input")
    def _typed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_DELAY, self._run_search)

    def _run_search(self) -> None:
        text = self.query_one("#search-input", Input).value.strip()
        if text == self.searched:
            return
        self.searched = text
        if not text:
            self.query_one("#search-results", RequestList).show((), _now())
            self.query_one("#search-status", Static).update(HELP)
            return
        self._search(text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def _search(self, text: str) -> None:
        from store.services.search import search_cases

        try:
            with self.app.store.session() as session:
                rows = search_cases(session, self.app.user, text, limit=SEARCH_LIMIT)
        except Exception as exc:
            self.post_message(self.Failed(text, describe(exc)))
            return
        self.post_message(self.Found(text, rows))

    @on(Found)
    def _found(self, message: Found) -> None:
        if message.text != self.searched:
            return  # the clerk typed on
        results = self.query_one("#search-results", RequestList)
        results.show(message.rows, _now())
        if message.rows:
            results.move_cursor(row=0, animate=False)
        n = len(message.rows)
        if not n:
            status = f"No case matches “{message.text}” among the cases you may see."
        elif n >= SEARCH_LIMIT:
            status = f"The first {n} cases for “{message.text}” — type more to narrow it down. Enter opens."
        else:
            status = f"{n} case{'s' if n != 1 else ''} for “{message.text}”. Enter opens the highlighted one."
        self.query_one("#search-status", Static).update(Text(status))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if message.text == self.searched:
            self.query_one("#search-status", Static).update(Text(f"Cannot search: {message.message}"))

    # ----- opening -----

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        text = self.query_one("#search-input", Input).value.strip()
        if text != self.searched:
            self._run_search()  # Enter before the pause: open once the results are in
            self._open_when_found = True
            return
        self._open_highlighted()

    _open_when_found = False

    @on(Found)
    def _maybe_open(self, message: Found) -> None:
        if self._open_when_found and message.text == self.searched:
            self._open_when_found = False
            if len(message.rows) >= 1:
                self._open_highlighted()

    def _open_highlighted(self) -> None:
        row = self.query_one("#search-results", RequestList).highlighted
        if row is None:
            if self.searched:
                self.notify("No case to open.", timeout=2)
            return
        open_request(self.app, row)

    @on(RequestList.Opened)
    def _opened(self, event: RequestList.Opened) -> None:
        open_request(self.app, event.row, event.details)

    # ----- keys -----

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """/ only from the results (in the box it is a character)."""
        if action == "to_box":
            return not isinstance(self.focused, Input)
        return True

    def action_to_results(self) -> None:
        """Move the cursor into the results."""
        results = self.query_one("#search-results", RequestList)
        if results.row_count:
            results.focus()

    def action_to_box(self) -> None:
        """Back to the search box, its text selected."""
        box = self.query_one("#search-input", Input)
        box.focus()
        box.select_all()

    def action_focus_box(self) -> None:
        """Ctrl+F on the search screen: back to the box (search is open already)."""
        self.action_to_box()

    def action_back(self) -> None:
        """Close search."""
        self.dismiss(None)

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()


def _now():
    from store.types import utcnow

    return utcnow()
