"""At 80 columns the tables keep what matters and drop the rest, without sideways scrolling."""

from __future__ import annotations

from tests.tui.conftest import SIZE, SMALL, SignedInApp, footer_cut, settle, user_record
from tui.widgets.fitting_table import FittingTable, fit_keys


def test_fit_keys_drops_in_order_and_uses_the_narrow_alternate():
    widths = {"due": 37, "due_in": 17, "urgency": 9, "number": 10, "member": 20, "kind": 9, "dates": 17}
    alternates = {"due": "due_in"}
    assert fit_keys(widths, ("due", "dates", "kind"), 200, alternates=alternates) == (
        "due", "urgency", "number", "member", "kind", "dates")
    assert fit_keys(widths, ("due", "dates", "kind"), 78, alternates=alternates) == (
        "due_in", "urgency", "number", "member", "kind")
    assert fit_keys(widths, ("due", "dates", "kind"), 60, alternates=alternates) == (
        "due_in", "urgency", "number", "member")
    # only the listed keys are ever dropped
    assert fit_keys(widths, ("dates",), 10, alternates=alternates) == ("due", "urgency", "number", "member", "kind")


def _no_sideways_scroll(table: FittingTable) -> None:
    assert table.virtual_size.width <= table.size.width, (table.virtual_size, table.size)


async def test_review_queue_and_search_keep_their_important_columns_at_80_columns(seeded):
    app = SignedInApp(seeded, user_record(seeded, "rita"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        app.open_screen("review_queue")
        await settle(pilot)
        pending = app.screen.query_one("#queue-list-pending", FittingTable)
        assert pending.row_count > 0
        assert pending.shown_keys[:4] == ("due_in", "urgency", "number", "member")
        assert "dates" not in pending.shown_keys
        _no_sideways_scroll(pending)
        await pilot.press("2")
        await settle(pilot)
        lines = app.screen.query_one("#queue-list-lines", FittingTable)
        assert {"urgency", "number", "auth", "member"} <= set(lines.shown_keys)
        _no_sideways_scroll(lines)
        await pilot.press("escape")
        await settle(pilot)
        app.open_screen("search", "a")
        await settle(pilot)
        results = app.screen.query_one("#search-results", FittingTable)
        assert results.row_count > 0
        assert {"number", "status", "member", "member_id"} <= set(results.shown_keys)
        _no_sideways_scroll(results)


async def test_the_wide_terminal_keeps_every_column(seeded):
    app = SignedInApp(seeded, user_record(seeded, "rita"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_screen("review_queue")
        await settle(pilot)
        pending = app.screen.query_one("#queue-list-pending", FittingTable)
        assert pending.shown_keys == ("due", "urgency", "number", "member", "kind", "dates")


async def test_outbox_report_renewals_audit_fit_80_columns(seeded):
    app = SignedInApp(seeded, user_record(seeded, "rita"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for name, selector, kept in (
            ("report", "#report-table", {"urgency", "decided", "approved", "denied", "pended", "late", "median"}),
            ("renewals", "#renewals-table", {"ends", "auth", "member", "code", "description"}),
            ("audit", "#audit-table", {"at", "action", "user", "case", "detail"}),
            ("outbox", "#outbox-table", {"created", "status", "case", "subject"}),
        ):
            app.open_screen(name)
            await settle(pilot)
            table = app.screen.query_one(selector, FittingTable)
            assert kept <= set(table.shown_keys), (name, table.shown_keys)
            _no_sideways_scroll(table)
            await pilot.press("escape")
            await settle(pilot)


async def test_the_dashboard_footer_fits_80_columns_and_the_keys_still_work(seeded):
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    app = SignedInApp(seeded, user_record(seeded, "rita"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        keys = [k for k in app.screen.query_one(Footer).query(FooterKey)]
        labels = [k.description for k in keys]
        assert {"Open", "New", "Filter", "Sort", "Details", "Queue", "Quit", "Search"} <= set(labels)
        assert "Export" not in labels and "Refresh" not in labels
        assert not footer_cut(app), [(k.description, k.region) for k in keys]  # none under "^p palette" either
        # hidden from the footer, still bound and listed in the Keys panel
        shown = app.screen.active_bindings
        assert "e" in shown and not shown["e"].binding.show
        await pilot.press("v")
        await settle(pilot)
        assert type(app.screen).__name__ == "ReviewQueueScreen"
