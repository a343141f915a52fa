"""The live parts of the case detail screen: the decision clock and the pick lists.

* :class:`DecisionClock` — when a pending case's decision is due, or how long
  it is overdue (class ``-overdue``);
* :class:`PickSection` and its :class:`LinesSection` (service lines with their
  outcome) and :class:`FilesSection` (attachments and letters): titled
  sections whose rows are highlighted with ↑/↓, so the screen's keys act on
  the highlighted one.

Widgets only: the actions that use them live with the screen
(``tui/screens/case_detail/actions.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from store.enums import AttachmentKind, LineStatus, RequestStatus, Urgency
from store.records import AttachmentRecord, CaseDetail, ServiceLineRecord
from tui.format import fmt_dates, fmt_datetime, fmt_size, fmt_span

LINE_STYLES = {
    LineStatus.APPROVED: "bold green",
    LineStatus.PARTIAL: "bold yellow",
    LineStatus.DENIED: "bold red",
    LineStatus.PENDED: "bold magenta",
    LineStatus.MODIFIED: "bold yellow",
}


def clock_text(case: CaseDetail, now: datetime) -> tuple[str, bool]:
    """(what the clock says, whether the decision is overdue) for a pending case."""
    due = case.decision_due_at
    if due is None:
        return "Decision due time not set", False
    rule = "72 hours" if Urgency(case.urgency) is Urgency.EXPEDITED else "7 days"
    if due >= now:
        return f"Decision due {fmt_datetime(due)} — in {fmt_span(due - now)} ({case.urgency}: {rule})", False
    return f"Decision overdue by {fmt_span(now - due)} — was due {fmt_datetime(due)} ({case.urgency}: {rule})", True


class DecisionClock(Static):
    """When a pending case's decision is due, or how long it is overdue (``-overdue``)."""

    DEFAULT_CSS = """
    DecisionClock { width: 1fr; height: 1; padding: 0 1; background: $boost; }
    DecisionClock.-overdue { background: $error; color: $text; text-style: bold; }
    """

    def show_case(self, case: CaseDetail | None, now: datetime) -> None:
        """Show the clock of ``case`` (hidden unless it is pending)."""
        pending = case is not None and RequestStatus(case.status) is RequestStatus.PENDING
        self.display = pending
        if not pending:
            self.remove_class("-overdue")
            return
        text, overdue = clock_text(case, now)
        self.update(Text(text))
        self.set_class(overdue, "-overdue")


# ----- pick lists ----------------------------------------------------------------------


class PickSection(Widget, can_focus=True):
    """A titled case section whose rows can be highlighted with ↑/↓."""

    DEFAULT_CSS = """
    PickSection {
        height: auto; border: round $secondary; padding: 0 1; margin: 0 0 1 0;
        border-title-style: bold; border-subtitle-color: $text-muted;
    }
    PickSection:focus { border: round $accent; }
    """
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False, id="pick-up", tooltip="Previous row"),
        Binding("down", "move(1)", "Down", show=False, id="pick-down", tooltip="Next row"),
        Binding("home", "move_to(0)", show=False, id="pick-home", tooltip="First row"),
        Binding("end", "move_to(-1)", show=False, id="pick-end", tooltip="Last row"),
    ]

    cursor: reactive[int] = reactive(0)

    @dataclass
    class Moved(Message):
        """The highlight moved (the screen remembers it across reloads)."""

        section: PickSection
        item_id: int | None

        @property
        def control(self) -> PickSection:
            return self.section

    def __init__(self, title: str, items: tuple, cursor: int = 0, hint: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.items = items
        self.border_title = title
        self.border_subtitle = hint if items else ""
        self.can_focus = bool(items)
        self.set_reactive(PickSection.cursor, max(0, min(cursor, len(items) - 1)) if items else 0)

    @property
    def highlighted(self):
        """The highlighted item, or None when the list is empty."""
        return self.items[self.cursor] if self.items else None

    def action_move(self, step: int) -> None:
        """Highlight the previous or next row (stops at the ends)."""
        if self.items:
            self.cursor = max(0, min(self.cursor + step, len(self.items) - 1))

    def action_move_to(self, index: int) -> None:
        """Highlight the first (0) or last (-1) row."""
        if self.items:
            self.cursor = index % len(self.items)

    def watch_cursor(self) -> None:
        self.refresh(layout=True)
        self.post_message(self.Moved(self, getattr(self.highlighted, "id", None)))

    def _on_focus(self, event) -> None:
        self.refresh()

    def _on_blur(self, event) -> None:
        self.refresh()

    def row_style(self, index: int) -> str:
        """Reverse for the highlighted row while focused, bold when not."""
        if index != self.cursor:
            return ""
        return "reverse" if self.has_focus else "bold"

    def marker(self, index: int) -> str:
        return "▸" if index == self.cursor else " "

    def render(self) -> RenderableType:
        if not self.items:
            return Text(self.empty_text, style="dim")
        return self.table()

    empty_text = "Nothing here."

    def table(self) -> RenderableType:  # pragma: no cover - subclasses draw themselves
        raise NotImplementedError


class LinesSection(PickSection):
    """Service lines with their outcome (X12 HCR01 code beside the word), reasons below.

    Each line is its own one-row table with the same fixed column widths (only
    the description stretches), so a reason can run the full width under it.
    """

    empty_text = "No service line yet."
    COLUMNS = (
        ("", {"width": 1, "no_wrap": True}),
        ("#", {"width": 2, "justify": "right", "no_wrap": True}),
        ("Code", {"width": 8, "no_wrap": True, "style": "bold"}),
        ("Description", {"ratio": 1, "overflow": "ellipsis", "no_wrap": True}),
        ("Units", {"width": 5, "justify": "right", "no_wrap": True}),
        ("Dates", {"width": 17, "no_wrap": True}),
        ("Decision", {"width": 23, "no_wrap": True}),
        ("Authorized", {"width": 23, "no_wrap": True}),
    )
    # Narrower than this (an 80-column terminal), the description and the
    # authorized units and dates move to lines under the row.
    NARROW_WIDTH = 100
    NARROW_COLUMNS = (
        ("", {"width": 1, "no_wrap": True}),
        ("#", {"width": 2, "justify": "right", "no_wrap": True}),
        ("Code", {"width": 8, "no_wrap": True, "style": "bold"}),
        ("Units", {"width": 5, "justify": "right", "no_wrap": True}),
        ("Dates", {"width": 17, "no_wrap": True}),
        ("Decision", {"ratio": 1, "no_wrap": True, "overflow": "ellipsis"}),
    )
    REASON_INDENT = 14
    NARROW_INDENT = 5

    @property
    def narrow(self) -> bool:
        """True when the section is too narrow for every column."""
        return 0 < self.size.width < self.NARROW_WIDTH

    def _table(self, header: bool) -> Table:
        table = Table(box=None, padding=(0, 1), collapse_padding=True, pad_edge=False, show_edge=False,
                      expand=True, show_header=header, header_style="bold")
        for label, kwargs in self.NARROW_COLUMNS if self.narrow else self.COLUMNS:
            table.add_column(label, **kwargs)
        return table

    def table(self) -> RenderableType:
        from rich.console import Group
        from rich.padding import Padding

        narrow = self.narrow
        parts: list[RenderableType] = [self._table(header=True)]
        line: ServiceLineRecord
        for index, line in enumerate(self.items):
            status = LineStatus(line.status)
            row = self._table(header=False)
            code = "-".join((line.code, *line.modifiers))
            authorized = ""
            if line.authorized_units is not None:
                authorized = f"{line.authorized_units} × {fmt_dates(line.authorized_from, line.authorized_to)}"
            units = "" if line.requested_units is None else str(line.requested_units)
            decision = Text(status.label, style=LINE_STYLES.get(status, ""))
            dates = fmt_dates(line.from_date, line.to_date)
            if narrow:
                row.add_row(self.marker(index), str(line.line_number), code, units, dates, decision,
                            style=self.row_style(index))
            else:
                row.add_row(self.marker(index), str(line.line_number), code, line.description, units, dates,
                            decision, authorized, style=self.row_style(index))
            parts.append(row)
            notes: list[Text] = []
            if narrow and line.description:
                notes.append(Text(line.description, style="dim", overflow="ellipsis", no_wrap=True))
            if narrow and authorized:
                notes.append(Text(f"Authorized: {authorized}"))
            if line.decision_reason:
                word = "Information needed" if status is LineStatus.PENDED else "Reason"
                notes.append(Text(f"{word}: {line.decision_reason}", style="italic"))
            if status is LineStatus.PENDED and line.information_received_at is not None:
                notes.append(Text(f"Information received {fmt_datetime(line.information_received_at)}", style="bold"))
            indent = self.NARROW_INDENT if narrow else self.REASON_INDENT
            parts.extend(Padding(note, (0, 0, 0, indent)) for note in notes)
        return Group(*parts)

    def on_resize(self) -> None:
        self.refresh(layout=True)  # the columns (and so the height) depend on the width


class FilesSection(PickSection):
    """Clinical records and the plan's letters; Enter opens the highlighted one."""

    BINDINGS = [
        Binding("enter", "screen.open_file", "Open", id="files-open", tooltip="Open in the system viewer"),
    ]
    empty_text = "No attachments."

    def table(self) -> RenderableType:
        table = Table(box=None, padding=(0, 2), show_edge=False, expand=True)
        table.add_column("", no_wrap=True, width=1)
        for label in ("File", "Kind", "Type", "Size", "Added"):
            table.add_column(label, no_wrap=label != "File", ratio=1 if label == "File" else None)
        a: AttachmentRecord
        for index, a in enumerate(self.items):
            kind = AttachmentKind(a.kind)
            table.add_row(
                self.marker(index),
                a.filename,
                "Letter" if kind is AttachmentKind.LETTER else "Clinical record",
                a.media_type,
                fmt_size(a.size_bytes),
                fmt_datetime(a.added_at),
                style=self.row_style(index),
            )
        return table


