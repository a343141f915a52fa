"""How sign-in, each dashboard tab and case detail look (frozen time and data, UTC clock)."""

from __future__ import annotations

import pytest

from tests.tui.conftest import SIZE, make_app, settle, sign_in


def _steady(app) -> None:
    from textual.widgets import Input

    for field in app.screen.query(Input):
        field.cursor_blink = False


async def _ready(pilot) -> None:
    await settle(pilot)
    _steady(pilot.app)
    await pilot.pause()


def test_sign_in(snap_compare, seeded):
    assert snap_compare(make_app(seeded), terminal_size=SIZE, run_before=_ready)


def test_sign_in_demo_accounts(snap_compare, seeded):
    assert snap_compare(make_app(seeded, demo=True), terminal_size=SIZE, run_before=_ready)


def test_sign_in_wrong_password(snap_compare, seeded):
    async def run_before(pilot):
        await sign_in(pilot, "amy", "not-the-password")
        await _ready(pilot)

    assert snap_compare(make_app(seeded), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("digit,tab", [("1", "drafts"), ("2", "pending"), ("3", "rejected"),
                                       ("4", "accepted"), ("5", "closed")])
def test_dashboard_tab(snap_compare, seeded, digit, tab):
    async def run_before(pilot):
        await sign_in(pilot, "amy", "demo-clerk-1")
        await pilot.press(digit)
        await _ready(pilot)

    assert snap_compare(make_app(seeded), terminal_size=SIZE, run_before=run_before)


def test_dashboard_second_page_sorted(snap_compare, seeded):
    async def run_before(pilot):
        await sign_in(pilot, "rita", "demo-review")
        await pilot.press("4", "s", "s", "s")
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await _ready(pilot)

    assert snap_compare(make_app(seeded), terminal_size=SIZE, run_before=run_before)


def test_case_detail_accepted(snap_compare, seeded):
    async def run_before(pilot):
        await sign_in(pilot, "amy", "demo-clerk-1")
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("enter")
        await _ready(pilot)

    assert snap_compare(make_app(seeded), terminal_size=SIZE, run_before=run_before)


def test_case_detail_accepted_lines_and_timeline(snap_compare, seeded):
    async def run_before(pilot):
        await sign_in(pilot, "amy", "demo-clerk-1")
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("end")
        await _ready(pilot)

    assert snap_compare(make_app(seeded), terminal_size=SIZE, run_before=run_before)
