"""Forgot password at the keyboard: a mailed code, a budget of wrong tries, the same answer for all."""

from __future__ import annotations

import re

from sqlalchemy import select

from store.models import OutboxMail
from store.services.auth import MAX_RESET_CODE_GUESSES, RESET_CODE_REFUSED
from tests.tui.conftest import SIZE, make_app, settle, text_of


async def test_a_code_dies_after_five_wrong_tries(office):
    from tui.screens.forgot_password import ForgotPasswordScreen

    store, clerk, _, _ = office
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        assert isinstance(app.screen, ForgotPasswordScreen)
        await pilot.press(*clerk.username, "enter")
        await settle(pilot)
        assert "at most 3 codes an hour" in " ".join(text_of(app, "#fp-message").split())
        with store.session() as session:
            body = session.execute(select(OutboxMail.body)).scalar_one()
        code = re.search(r"code is (\d{6})", body).group(1)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for attempt in range(MAX_RESET_CODE_GUESSES + 1):
            app.screen.query_one("#fp-code").value = wrong if attempt < MAX_RESET_CODE_GUESSES else code
            app.screen.query_one("#fp-password").value = "brand-new-pw"
            app.screen.query_one("#fp-password").focus()
            await pilot.press("enter")
            await settle(pilot)
            assert " ".join(text_of(app, "#fp-error").split()) == RESET_CODE_REFUSED
        assert isinstance(app.screen, ForgotPasswordScreen)  # the right code came too late
