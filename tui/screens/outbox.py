"""The outbox: every mail AuthDesk queued, sent or failed to send.

Without SMTP the outbox is the record of what the clerk was told; with SMTP
it shows delivery (attempts, the last error, the next retry). Filter by
status with 1–4; the highlighted mail's subject and body are shown below the
list. ``s`` sends due mail now (when SMTP is configured), ``q`` queues a
failed mail again.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, Tab, Tabs

from store.enums import OutboxStatus
from tui.widgets.fitting_table import FittingTable
from tui.narrow import CompactFooterMixin
from tui.errors import describe
from tui.format import fmt_count, fmt_datetime

OUTBOX_PAGE_SIZE = 50
FILTERS = {"all": None, "queued": OutboxStatus.QUEUED, "sent": OutboxStatus.SENT, "failed": OutboxStatus.FAILED}
FILTER_TITLES = {"all": "All", "queued": "Queued", "sent": "Sent", "failed": "Failed"}
STATUS_STYLE = {OutboxStatus.QUEUED: "yellow", OutboxStatus.SENT: "green", OutboxStatus.FAILED: "bold red"}


class OutboxScreen(CompactFooterMixin, Screen[None]):
    """Mail queued, sent and failed, with the highlighted mail's text."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="outbox-back", tooltip="Back to the dashboard"),
        Binding("1", "filter('all')", "Filter", key_display="1-4", id="outbox-all",
                tooltip="All (1), queued (2), sent (3), failed (4)"),
        *(Binding(str(n), f"filter('{key}')", show=False, id=f"outbox-{key}", tooltip=FILTER_TITLES[key])
          for n, key in ((2, "queued"), (3, "sent"), (4, "failed"))),
        Binding("s", "send_now", "Send now", id="outbox-send", tooltip="Send due mail now (SMTP)"),
        Binding("q", "requeue", "Queue again", id="outbox-requeue", tooltip="Queue the highlighted failed mail again"),
        Binding("left_square_bracket", "page(-1)", "Prev", key_display="[", id="outbox-prev", tooltip="Previous page"),
        Binding("right_square_bracket", "page(1)", "Next", key_display="]", id="outbox-next", tooltip="Next page"),
        Binding("r", "refresh", "Refresh", id="outbox-refresh", tooltip="Load the outbox again"),
    ]
    NARROW_HIDDEN = frozenset({"outbox-prev", "outbox-next", "outbox-refresh"})

    @dataclass
    class Loaded(Message):
        """A page of mail, the counts and the SMTP state arrived."""

        key: str
        page: object
        counts: dict
        smtp: str

    @dataclass
    class Failed(Message):
        """Something could not be done."""

        message: str

    @dataclass
    class Done(Message):
        """Send now / queue again finished."""

        message: str

    def __init__(self) -> None:
        super().__init__()
        self.filter_key = "all"
        self.page_offset = 0
        self.page = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="outbox-smtp")
        yield Tabs(*(Tab(title, id=f"outbox-tab-{key}") for key, title in FILTER_TITLES.items()), id="outbox-tabs")
        # at 80 columns: tries, the kind of mail and the address go first; the subject is cut
        yield FittingTable(id="outbox-table", cursor_type="row", zebra_stripes=True,
                           drop=("attempts", "kind", "to"), squeeze="subject")
        yield Static("Loading…", id="outbox-page-line")
        with VerticalScroll(id="outbox-mail"):
            yield Static("", id="outbox-mail-head")
            yield Static("", id="outbox-mail-body")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Outbox · {self.app.sub_title}"
        table = self.query_one("#outbox-table", DataTable)
        for label, key in (("Created", "created"), ("Status", "status"), ("Mail", "kind"), ("Case", "case"),
                           ("To", "to"), ("Subject", "subject"), ("Tries", "attempts")):
            table.add_column(label, key=key)
        self.query_one("#outbox-mail").border_title = "Mail"
        table.focus()
        self.load()

    # ----- loading -----

    def load(self) -> None:
        """Load the current filter's page, the counts and the SMTP state."""
        self._load(self.filter_key, self.page_offset)

    @work(thread=True, exclusive=True, exit_on_error=False, group="outbox")
    def _load(self, key: str, offset: int) -> None:
        from store.errors import ValidationError
        from store.services.mailer import load_smtp_settings, outbox_counts, outbox_list

        try:
            settings = load_smtp_settings()
        except ValidationError as exc:
            smtp = f"SMTP settings have a problem: {exc}"
        else:
            smtp = f"SMTP {settings.describe()}" if settings else ""
        try:
            with self.app.store.session() as session:
                page = outbox_list(session, self.app.user, FILTERS[key], limit=OUTBOX_PAGE_SIZE, offset=offset)
                counts = outbox_counts(session, self.app.user)
        except Exception as exc:
            self.post_message(self.Failed(f"Cannot load the outbox: {describe(exc)}"))
            return
        self.post_message(self.Loaded(key, page, counts, smtp))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.key != self.filter_key:
            return
        self.page = message.page
        self.page_offset = message.page.offset
        smtp_line = self.query_one("#outbox-smtp", Static)
        if message.smtp:
            smtp_line.update(Text(f"{message.smtp} — due mail is sent every few minutes and retried when the "
                                  "server is down."))
        else:
            smtp_line.update(Text("No SMTP server is configured: nothing is sent, and this outbox is the record of "
                                  "every mail. To send mail, add an [smtp] table to config.toml (s shows where)."))
        counts = message.counts
        total = sum(counts.values())
        tabs = self.query_one("#outbox-tabs", Tabs)
        for key, title in FILTER_TITLES.items():
            n = total if key == "all" else counts.get(FILTERS[key], 0)
            tabs.query_one(f"#outbox-tab-{key}", Tab).label = f"{title} {fmt_count(n)}"
        table = self.query_one("#outbox-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for mail in message.page.rows:
            status = OutboxStatus(mail.status)
            table.add_row(
                fmt_datetime(mail.created_at),
                Text(status.value.capitalize(), style=STATUS_STYLE.get(status, "")),
                _clip(mail.kind_label, 16),
                mail.request_number or "",
                _clip(mail.to_address or "(no address)", 22),
                _clip(mail.subject, 29),
                str(mail.attempts),
                key=str(mail.id),
            )
        if message.page.rows:
            table.move_cursor(row=min(max(cursor, 0), len(message.page.rows) - 1), animate=False)
        page = message.page
        pages = max(1, -(-page.total // page.limit))
        self.query_one("#outbox-page-line", Static).update(
            f"Page {page.offset // page.limit + 1} of {pages} · {fmt_count(page.total)} mail(s) · newest first"
        )
        self._show_mail()
        self.refresh_bindings()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.notify(message.message, title="Outbox", severity="error", timeout=10, markup=False)

    # ----- the highlighted mail -----

    @property
    def highlighted(self):
        """The mail under the cursor, or None."""
        if self.page is None or not self.page.rows:
            return None
        row = self.query_one("#outbox-table", DataTable).cursor_row
        return self.page.rows[row] if 0 <= row < len(self.page.rows) else None

    @on(DataTable.RowHighlighted, "#outbox-table")
    def _row_highlighted(self) -> None:
        self._show_mail()
        self.refresh_bindings()

    def _show_mail(self) -> None:
        head = self.query_one("#outbox-mail-head", Static)
        body = self.query_one("#outbox-mail-body", Static)
        mail = self.highlighted
        if mail is None:
            head.update(Text("No mail here.", style="dim"))
            body.update("")
            return
        status = OutboxStatus(mail.status)
        text = Text()
        text.append("Subject: ", style="bold")
        text.append(mail.subject + "\n")
        text.append("To: ", style="bold")
        text.append((mail.to_address or "(no address)") + "\n")
        text.append("Status: ", style="bold")
        text.append(status.value.capitalize(), style=STATUS_STYLE.get(status, ""))
        if status is OutboxStatus.SENT and mail.sent_at:
            text.append(f", sent {fmt_datetime(mail.sent_at)}")
        elif status is OutboxStatus.QUEUED and mail.attempts and mail.next_attempt_at:
            text.append(f", {mail.attempts} attempt(s), next try {fmt_datetime(mail.next_attempt_at)}")
        if mail.last_error:
            text.append("\nLast error: ", style="bold red")
            text.append(mail.last_error)
        head.update(text)
        body.update(Text(mail.body))

    # ----- keys -----

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``q`` only on a failed mail."""
        if action == "requeue":
            mail = self.highlighted
            return mail is not None and OutboxStatus(mail.status) is OutboxStatus.FAILED
        return True

    def action_filter(self, key: str) -> None:
        """Show all mail, or only queued, sent or failed mail."""
        self.query_one("#outbox-tabs", Tabs).active = f"outbox-tab-{key}"

    @on(Tabs.TabActivated, "#outbox-tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        key = (event.tab.id or "outbox-tab-all").removeprefix("outbox-tab-")
        if key != self.filter_key:
            self.filter_key = key
            self.page_offset = 0
            self.load()

    def action_page(self, step: int) -> None:
        """The previous (-1) or next (1) page."""
        if self.page is None:
            return
        offset = self.page.offset + step * self.page.limit
        if offset < 0 or offset >= self.page.total:
            self.notify("This is the " + ("first" if step < 0 else "last") + " page.", timeout=2)
            return
        self.page_offset = offset
        self.load()

    def action_refresh(self) -> None:
        """Load the outbox again."""
        self.load()

    def action_back(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)

    def action_send_now(self) -> None:
        """Send due mail now; without SMTP, say that the outbox is the record."""
        self.notify("Sending…", timeout=1.5)
        self._send_now()

    @work(thread=True, exclusive=True, exit_on_error=False, group="outbox-send")
    def _send_now(self) -> None:
        from store.errors import ValidationError
        from store.services.mailer import config_path, load_smtp_settings, send_pending

        try:
            settings = load_smtp_settings()
        except ValidationError as exc:
            self.post_message(self.Failed(f"SMTP settings have a problem: {exc}"))
            return
        if settings is None:
            self.post_message(self.Done(
                "No SMTP server is configured, so nothing is sent: the outbox is the record. "
                f"To send mail, add an [smtp] table to {config_path()} or set AUTHDESK_SMTP_HOST."
            ))
            return
        try:
            report = send_pending(self.app.store, settings)
        except Exception as exc:
            self.post_message(self.Failed(f"Cannot send: {describe(exc)}"))
            return
        self.post_message(self.Done(str(report).removeprefix("mail: ").capitalize()))

    @on(Done)
    def _done(self, message: Done) -> None:
        self.notify(message.message, title="Outbox", timeout=10, markup=False)
        self.load()

    def action_requeue(self) -> None:
        """Queue the highlighted failed mail again (it is retried at the next send)."""
        mail = self.highlighted
        if mail is None or OutboxStatus(mail.status) is not OutboxStatus.FAILED:
            self.notify("Only a failed mail can be queued again.", severity="warning")
            return
        self._requeue(mail.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="outbox-requeue")
    def _requeue(self, mail_id: int) -> None:
        from store.services.mailer import requeue_mail

        try:
            with self.app.store.session() as session:
                record = requeue_mail(session, self.app.user, mail_id)
        except Exception as exc:
            self.post_message(self.Failed(describe(exc)))
            return
        self.post_message(self.Done(f"“{_clip(record.subject, 60)}” is queued again."))


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
