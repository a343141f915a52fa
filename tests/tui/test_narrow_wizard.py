"""The request wizard at 80×24: its footer and title fit, every step of every kind.

These need the wizard screen to use ``tui.narrow.WizardFooterMixin`` and
``tui.widgets.step_header.WizardTitle`` (see docs/development.md, "Small terminals").
"""

from __future__ import annotations

import pytest

from store.enums import RequestKind
from tests.tui.conftest import (
    SIZE,
    SMALL,
    SignedInApp,
    first_draft,
    footer_cut,
    open_draft_at,
    settle,
    snapshot_ready,
    text_of,
    user_record,
)

STEP_KEYS = [f"f{n}" for n in range(1, 8)]


def _footer(app) -> list[str]:
    from textual.widgets._footer import FooterKey

    return [k.description for k in app.screen.query(FooterKey)]


async def _every_step_fits(pilot, where: str) -> None:
    app = pilot.app
    for key in STEP_KEYS:
        await pilot.press(key)
        await settle(pilot)
        app.clear_notifications()
        assert not footer_cut(app), (where, key, _footer(app))
        assert "Save" in _footer(app) and "Close" in _footer(app), (where, key, _footer(app))


@pytest.mark.parametrize("kind", [RequestKind.SERVICE, RequestKind.INPATIENT])
async def test_the_wizard_footer_fits_80_columns_on_every_step_of_a_draft(seeded, code_index, kind):
    app = SignedInApp(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await open_draft_at(pilot, first_draft(seeded, kind), "f1")
        await _every_step_fits(pilot, kind.value)
        # the keys of the field in focus come first and still fit: a diagnosis, a line, a question
        await pilot.press("f3")
        await settle(pilot)
        for selector in ("#diagnosis-0", "#line-0-modifier"):
            app.screen.query_one(selector).focus()
            await settle(pilot)
            assert not footer_cut(app), (selector, _footer(app))
        assert "Remove" in _footer(app)
        await pilot.press("f5")
        await settle(pilot)
        assert {"Yes", "No"} <= set(_footer(app)) and not footer_cut(app), _footer(app)


@pytest.mark.parametrize("letter", ["e", "n"])
async def test_the_wizard_footer_fits_80_columns_on_every_step_of_a_new_request(seeded, code_index, letter):
    app = SignedInApp(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("n", letter)
        await settle(pilot)
        await pilot.press(*"M2721960", "enter", "t", "enter")
        await settle(pilot)
        await _every_step_fits(pilot, letter)


async def test_keys_left_out_of_the_narrow_footer_still_work(seeded, code_index):
    app = SignedInApp(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await open_draft_at(pilot, first_draft(seeded, RequestKind.SERVICE), "f5")
        assert "Search" not in _footer(app) and "Submit" not in _footer(app)  # y/n, Attach … need the room
        assert "f10" in app.screen.active_bindings  # only out of the footer
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert type(app.screen).__name__ == "SearchScreen"


async def test_the_title_keeps_what_is_open_and_drops_the_key_hint_when_narrow(seeded, code_index):
    for size, hint in ((SMALL, False), (SIZE, True)):
        app = SignedInApp(seeded, user_record(seeded, "amy"))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await open_draft_at(pilot, first_draft(seeded, RequestKind.SERVICE), "f1")
            title = text_of(app, "#wizard-title")
            assert title.startswith("Service / procedure · Draft D-") and "saved" in title, title
            assert ("F1–F7: jump to a step" in title) is hint, (size, title)
            assert "…" not in title


@pytest.mark.parametrize("size", [SMALL, SIZE], ids=["80x24", "120x36"])
def test_services_with_a_line_error(snap_compare, seeded, code_index, size):
    """The line's fields at full width, its message under it, the diagnosis marker first."""
    async def run_before(pilot):
        await settle(pilot)
        await open_draft_at(pilot, first_draft(seeded, RequestKind.SERVICE), "f3")
        units = pilot.app.screen.query_one("#line-0-units")
        units.focus()
        await pilot.press("end", "backspace", "0", "tab", "ctrl+s")  # saved: the step bar is judged again
        await settle(pilot)
        pilot.app.screen.query_one("#line-0-error").scroll_visible(animate=False)
        await snapshot_ready(pilot)

    assert snap_compare(SignedInApp(seeded, user_record(seeded, "amy")), terminal_size=size, run_before=run_before)


async def test_a_full_footer_at_120_columns_leaves_search_out_instead_of_cutting_it(seeded, code_index):
    app = SignedInApp(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_draft_at(pilot, first_draft(seeded, RequestKind.SERVICE), "f3")
        app.screen.query_one("#diagnosis-0").focus()
        await settle(pilot)
        assert "Make primary" in _footer(app) and not footer_cut(app), _footer(app)
        await pilot.press("f1")  # room again: every key, with its full label
        await settle(pilot)
        assert {"Find member", "Next step", "Save & close", "Search"} <= set(_footer(app)), _footer(app)
