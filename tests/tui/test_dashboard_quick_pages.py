"""A page the dashboard has not fetched ahead is read as the key is handled, while page queries are quick.

A tab switch or page turn with no page fetched ahead used to show the tab's old
rows, ask a worker, and paint the fresh page a frame or two later (27–28 ms
cold at 100,000 cases). Once a page query has taken under
``QUICK_PAGE_SECONDS`` the next one runs in the key's own handling, so the
key's first paint is the fresh page; a slow query sends the next page back to
a worker (benchmarks/startup.py, "cold").
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import SignedInApp, settle, user_record, wait_until
from tui.screens import dashboard
from tui.screens.dashboard import DashboardScreen


async def _dashboard(pilot) -> DashboardScreen:
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.current.page is not None,
                     "the dashboard's first page")
    await settle(pilot)
    return app.screen


def _record_shown(monkeypatch, screen) -> list[list[int]]:
    """Every call of the list's show_rows, as the case ids it was given."""
    shown: list[list[int]] = []
    table = screen._table()
    original = table.show_rows

    def show_rows(rows, now):
        shown.append([r.id for r in rows])
        return original(rows, now)

    monkeypatch.setattr(table, "show_rows", show_rows)
    return shown


def _make_cold(tab) -> None:
    """Forget what was fetched for ``tab``: its next page must come from the database."""
    tab.stale = True
    tab.page = None
    tab.prefetched.clear()


@pytest.fixture
def quick(monkeypatch):
    """Every page query counts as quick, however loaded the machine running the tests is
    (how quick they are is the benchmark's business)."""
    monkeypatch.setattr(dashboard, "QUICK_PAGE_SECONDS", 3600.0)


async def test_a_cold_tab_switch_shows_the_fresh_page_in_the_keys_own_handling(seeded, monkeypatch, quick):
    app = SignedInApp(seeded, user_record(seeded, "rita"))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _dashboard(pilot)
        assert screen._quick_pages()
        accepted = screen.tab_by_key["accepted"]
        _make_cold(accepted)
        shown = _record_shown(monkeypatch, screen)

        await pilot.press("4")
        await settle(pilot)

        assert screen.current is accepted and accepted.page is not None and accepted.page.rows
        assert shown == [[r.id for r in accepted.page.rows]], "one showing: the fresh page, no empty list first"


async def test_a_cold_next_page_is_read_at_once(seeded, quick):
    app = SignedInApp(seeded, user_record(seeded, "rita"))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _dashboard(pilot)
        await pilot.press("4")
        await wait_until(pilot, lambda: screen.current.page is not None and screen.current.key == "accepted",
                         "the Accepted tab")
        await settle(pilot)
        tab = screen.current
        if tab.total <= tab.page.limit:
            pytest.skip("the demo has one page of Accepted cases")
        tab.prefetched.clear()
        first = [r.id for r in tab.page.rows]

        screen.action_next_page()  # no await: nothing else runs meanwhile

        assert tab.offset == tab.page.offset == tab.page.limit
        assert [r.id for r in tab.page.rows] != first


async def test_after_a_slow_page_query_the_next_comes_from_a_worker(seeded, monkeypatch):
    monkeypatch.setattr(dashboard, "QUICK_PAGE_SECONDS", 0.0)  # every page query counts as slow
    app = SignedInApp(seeded, user_record(seeded, "rita"))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _dashboard(pilot)
        assert not screen._quick_pages()
        accepted = screen.tab_by_key["accepted"]
        _make_cold(accepted)
        shown = _record_shown(monkeypatch, screen)

        await pilot.press("4")
        await wait_until(pilot, lambda: not accepted.stale, "the worker's page")
        await settle(pilot)

        assert shown[0] == [], "the tab showed at once what it had (nothing), then the worker's page"
        assert shown[-1] == [r.id for r in accepted.page.rows] and accepted.page.rows
