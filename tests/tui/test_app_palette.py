"""The command palette: AuthDesk's commands first, theme switching kept, screenshot gone."""

from __future__ import annotations

from tests.tui.conftest import SIZE, settle, user_record


async def palette_prompts(pilot, query: str = "") -> list[str]:
    """The palette's options (plain text, first line) after typing ``query``."""
    from textual.command import CommandList, CommandPalette

    app = pilot.app
    await pilot.press("ctrl+p")
    await settle(pilot)
    assert isinstance(app.screen, CommandPalette)
    if query:
        await pilot.press(*query)
    command_list = app.screen.query_one(CommandList)
    seen, steady = None, 0
    for _ in range(60):  # the palette gathers hits in batches: wait until the list stops changing
        await pilot.pause(0.1)
        now = [option.prompt for option in command_list.options]
        steady = steady + 1 if now and now == seen else 0
        seen = now
        if steady >= 3:
            break
    return [_plain(option.prompt) for option in command_list.options]


def _plain(prompt) -> str:
    text = prompt if isinstance(prompt, str) else getattr(prompt, "plain", str(prompt))
    return text.splitlines()[0]


async def test_authdesk_commands_come_first_and_theme_stays(seeded, signed_in_app):
    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        prompts = await palette_prompts(pilot)
    assert prompts[0] == "New request"
    assert "Theme" in prompts and "Keys" in prompts and "Quit" in prompts
    assert "Screenshot" not in prompts and "Maximize" not in prompts
    system = min(prompts.index(name) for name in ("Theme", "Keys", "Quit"))
    assert all(prompts.index(name) < system for name in ("New request", "Search cases", "Lock the session"))


async def test_typed_query_ranks_authdesk_first_and_finds_theme(seeded, signed_in_app):
    app = signed_in_app(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert (await palette_prompts(pilot, "theme"))[0] == "Theme"
        await pilot.press("escape")
        await settle(pilot)
        assert (await palette_prompts(pilot, "lock"))[0] == "Lock the session"


async def test_before_sign_in_the_palette_has_only_the_kept_system_commands(seeded):
    from tests.tui.conftest import make_app

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        prompts = await palette_prompts(pilot)
    assert sorted(prompts) == ["Keys", "Quit", "Theme"]
