"""Decision figures for a period (CMS-0057-F), per urgency and in total.

From :func:`store.services.reports.decision_metrics`: for requests decided in
the period, how many, the share approved, denied, pended and approved after a
pend, how many were decided late, and the average and median time from
submission to decision. The period defaults to the last 30 days; From and To
are dates (MM/DD/YYYY, or ``t``, ``t-30``); a bad date gets its message under
the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from store.enums import Urgency
from store.errors import ValidationError
from tui.widgets.fitting_table import FittingTable
from tui.errors import describe
from tui.widgets.text_input import TextInput

DEFAULT_DAYS = 30
COLUMNS = (
    ("Urgency", "urgency"),
    ("Decided", "decided"),
    ("Approved", "approved"),
    ("Denied", "denied"),
    ("Pended", "pended"),
    ("Appr. after pend", "after_pend"),
    ("Awaiting lines", "awaiting"),
    ("Late", "late"),
    ("Avg. time", "average"),
    ("Median time", "median"),
)
EXPLANATION = (
    "Requests decided (accepted or rejected) in the period, by urgency. A rejected request, or one whose lines "
    "were all denied, counts as denied; one with a line still pended as pended; approved after pend is part of "
    "approved. Times run from submission to the decision; late = decided after the due time (72 h expedited, "
    "7 days standard)."
)


def share_cell(count: int, decided: int) -> str:
    """``12 (40%)``, or ``0`` when nothing was decided."""
    if not decided:
        return str(count)
    return f"{count} ({count / decided:.0%})"


class ReportScreen(Screen[None]):
    """The decision metrics report for a chosen period."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="report-back", tooltip="Back to the dashboard"),
        Binding("ctrl+r", "run", "Run", id="report-run", tooltip="Compute the figures for the period"),
    ]

    @dataclass
    class Computed(Message):
        """The figures arrived."""

        metrics: object

    @dataclass
    class Refused(Message):
        """The period was refused (field → message) or the database failed."""

        errors: dict[str, str]

    def compose(self) -> ComposeResult:
        from store.types import utcnow
        from store.validate import format_date

        today = utcnow().date()
        yield Header()
        with Vertical(id="report-period"):
            with Horizontal(classes="report-row"):
                yield Label("From", classes="report-label")
                yield TextInput(format_date(today - timedelta(days=DEFAULT_DAYS)), id="report-from", compact=True)
                yield Label("To", classes="report-label")
                yield TextInput(format_date(today), id="report-to", compact=True)
                yield Static("Enter or Ctrl+R runs · dates as MM/DD/YYYY, t, t-30", classes="report-hint")
            yield Static("", id="report-from-error", classes="report-error")
            yield Static("", id="report-to-error", classes="report-error")
        yield Static("", id="report-title")
        # at 80 columns the parts of other figures go first (approved after pend is part of
        # approved); decided, approved, denied, pended, late and the median stay
        yield FittingTable(id="report-table", cursor_type="row", zebra_stripes=True,
                           drop=("after_pend", "awaiting", "average"))
        yield Static(EXPLANATION, id="report-explanation")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Report · {self.app.sub_title}"
        table = self.query_one("#report-table", DataTable)
        for label, key in COLUMNS:
            table.add_column(label, key=key)
        self.query_one("#report-from", Input).focus()
        self.action_run()

    # ----- running -----

    def _period(self):
        from store.validate import parse_date

        errors: dict[str, str] = {}
        dates = {}
        for name in ("from", "to"):
            try:
                dates[name] = parse_date(self.query_one(f"#report-{name}", Input).value, name)
            except ValidationError as exc:
                errors[name] = next(iter(exc.errors.values()))
        if errors:
            raise ValidationError(errors)
        return dates["from"], dates["to"]

    def action_run(self) -> None:
        """Check the period and compute the figures."""
        try:
            start, end = self._period()
        except ValidationError as exc:
            self._show_errors(exc.errors)
            return
        self._show_errors({})
        self.query_one("#report-title", Static).update("Computing…")
        self._compute(start, end)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_run()

    @work(thread=True, exclusive=True, exit_on_error=False, group="report")
    def _compute(self, start, end) -> None:
        from store.services.reports import decision_metrics

        try:
            with self.app.store.session() as session:
                metrics = decision_metrics(session, self.app.user, start, end)
        except ValidationError as exc:
            errors = dict(exc.errors)
            if "period" in errors:
                errors["to"] = errors.pop("period")
            self.post_message(self.Refused(errors))
            return
        except Exception as exc:
            self.post_message(self.Refused({"form": f"Cannot compute the figures: {describe(exc)}"}))
            return
        self.post_message(self.Computed(metrics))

    def _show_errors(self, errors: dict[str, str]) -> None:
        for name in ("from", "to"):
            message = errors.get(name, "")
            self.query_one(f"#report-{name}-error", Static).update(Text(message))
            self.query_one(f"#report-{name}-error", Static).set_class(bool(message), "-shown")
            self.query_one(f"#report-{name}", Input).set_class(bool(message), "-invalid")
        if "form" in errors:
            self.query_one("#report-title", Static).update(Text(errors["form"], style="bold red"))
        elif errors:
            self.query_one("#report-title", Static).update("")
            self.query_one("#report-table", DataTable).clear()

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self._show_errors(message.errors)

    @on(Computed)
    def _computed(self, message: Computed) -> None:
        from store.services.reports import format_duration
        from tui.format import fmt_date

        metrics = message.metrics
        last_day = (metrics.end - timedelta(days=1)).date()
        who = "all organizations" if self.app.user.is_reviewer else (self.app.user.organization_name or "your organization")
        self.query_one("#report-title", Static).update(Text.assemble(
            ("Decisions ", "bold"), f"{fmt_date(metrics.start.date())} – {fmt_date(last_day)} ",
            (f"({who}; {metrics.total.decided} decided)", "dim"),
        ))
        table = self.query_one("#report-table", DataTable)
        table.clear()
        for row in (*metrics.by_urgency, metrics.total):
            name = Urgency(row.urgency).value.capitalize() if row.urgency else "Total"
            style = "bold" if row.urgency is None else ""
            d = row.decided
            table.add_row(
                Text(name, style=style),
                Text(str(d), style=style),
                share_cell(row.approved, d),
                share_cell(row.denied, d),
                share_cell(row.pended, d),
                share_cell(row.approved_after_pend, d),
                share_cell(row.awaiting_lines, d),
                Text(share_cell(row.late, d), style="red" if row.late else ""),
                format_duration(row.average_time),
                format_duration(row.median_time),
                key=name.lower(),
            )

    def action_back(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)
