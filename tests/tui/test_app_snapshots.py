"""Sign-in, Register, the dashboard and case detail at 80×24 and at 120×36.

The seeded demo at the frozen instant, the clock frozen and shown in UTC,
cursors steady and no notification on screen: the same picture every run.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import SIZE, SMALL, make_app, settle, sign_in

SIZES = pytest.mark.parametrize("size", [SMALL, SIZE], ids=["80x24", "120x36"])


async def _ready(pilot) -> None:
    from textual.widgets import Input

    await settle(pilot)
    pilot.app.clear_notifications()
    for screen in pilot.app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False
    await pilot.pause()


@SIZES
def test_sign_in_with_demo_accounts(snap_compare, seeded, size):
    assert snap_compare(make_app(seeded, demo=True), terminal_size=size, run_before=_ready)


@SIZES
def test_register_with_errors_in_view(snap_compare, seeded, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press(*"amy", "enter", *"Amy Again", "enter", *"not-an-email", "enter", "enter",
                          *"NOPE", "enter", *"short", "enter", *"short", "enter")
        await _ready(pilot)

    assert snap_compare(make_app(seeded), terminal_size=size, run_before=run_before)


@SIZES
def test_dashboard_pending(snap_compare, seeded, size):
    async def run_before(pilot):
        await sign_in(pilot, "amy", "demo-clerk-1")
        await pilot.press("2")
        await _ready(pilot)

    assert snap_compare(make_app(seeded), terminal_size=size, run_before=run_before)


@SIZES
def test_case_detail_accepted_lines(snap_compare, seeded, size):
    async def run_before(pilot):
        await sign_in(pilot, "amy", "demo-clerk-1")
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("tab")  # the service lines
        await _ready(pilot)

    assert snap_compare(make_app(seeded), terminal_size=size, run_before=run_before)


def test_dashboard_keeps_status_updated_and_due_at_80_columns():
    """What is dropped first when the list is narrow, and what always stays."""
    from store.enums import RequestStatus
    from tui.widgets.case_table import columns_for, fit_columns, table_width

    pending = columns_for((RequestStatus.PENDING,))
    assert [c.key for c in fit_columns(pending, 200)] == [c.key for c in pending]
    narrow = [c.key for c in fit_columns(pending, 78)]
    assert narrow == ["number", "member", "status", "updated", "due"]
    assert table_width(fit_columns(pending, 78)) <= 78
    middle = [c.key for c in fit_columns(pending, 110)]
    assert "kind" not in middle and "dates" in middle
    drafts = [c.key for c in fit_columns(columns_for((RequestStatus.DRAFT,)), 78)]
    assert {"number", "member", "started", "updated", "expires"} <= set(drafts)  # drafts: who started it (seed 002)
