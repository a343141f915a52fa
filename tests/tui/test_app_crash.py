"""An exception nothing handled: one line with a reference, the frames in the log, no member data."""

from __future__ import annotations

import pytest

from tests.tui.conftest import make_app, settle


class CrashingApp:
    """Built per test: the real app with one key whose handler fails with member data in its locals."""

    @staticmethod
    def on(store):
        app = make_app(store)
        app.bind("ctrl+underscore", "crash")

        def action_crash() -> None:
            member = "Dana Whitfield 1980-05-17"  # a local Textual's own report would print
            raise ValueError(f"could not file {member}")

        app.action_crash = action_crash
        return app


async def test_an_unhandled_exception_ends_the_app_with_one_line_and_a_reference(sqlite_store, capfd):
    from store.logs import log_path

    app = CrashingApp.on(sqlite_store)
    with pytest.raises(ValueError):
        async with app.run_test() as pilot:
            await settle(pilot)
            await pilot.press("ctrl+underscore")
            await settle(pilot)
    assert app.return_code == 1
    err = capfd.readouterr().err  # what the terminal is left with
    assert "Traceback" not in err and "File " not in err and "action_crash" not in err, err
    shown = " ".join(err.split()).replace("/ ", "/")  # one message, however the width wrapped it
    assert shown.startswith("authdesk: Something went wrong (ValueError)")
    assert "Dana" not in shown and "1980" not in shown
    reference = shown.split("reference ")[1].rstrip(".")
    logged = log_path().read_text(encoding="utf-8")
    assert f"ref {reference}: unexpected builtins.ValueError in the app" in logged
    assert "in action_crash" in logged  # the frames are there to find the code
    assert "Dana" not in logged and "1980" not in logged


async def test_a_crash_in_the_wizard_saves_what_was_typed_first(seeded, signed_in_app, monkeypatch, capfd):
    """Nothing typed is lost, not even by a crash: the open wizard writes its draft before the
    app ends, and the last line names it."""
    from sqlmodel import select

    from store.models import AuthRequest
    from tests.tui.conftest import user_record
    from tui.screens.wizard import WizardScreen

    monkeypatch.setattr(WizardScreen, "AUTOSAVE_SECONDS", 3600.0)  # only the crash saves
    monkeypatch.setattr(WizardScreen, "AUTOSAVE_MAX_SECONDS", 3600.0)
    with seeded.session() as session:
        before = {r.id for r in session.exec(select(AuthRequest)).all()}
    app = signed_in_app(seeded, user_record(seeded, "amy"))
    app.bind("ctrl+underscore", "crash")

    def action_crash() -> None:
        raise RuntimeError("a bug somewhere")

    app.action_crash = action_crash
    with pytest.raises(RuntimeError):
        async with app.run_test() as pilot:
            await settle(pilot)
            await pilot.press("n", "s")
            await settle(pilot)
            await pilot.press(*"M2721960")
            await settle(pilot)
            assert isinstance(app.screen, WizardScreen) and app.screen.request_id is None
            await pilot.press("ctrl+underscore")
            await settle(pilot)
    with seeded.session() as session:
        new = [r for r in session.exec(select(AuthRequest)).all() if r.id not in before]
    assert [r.member_id_entered for r in new] == ["M2721960"]
    shown = " ".join(capfd.readouterr().err.split())
    assert f"What you typed is saved in draft {new[0].draft_number}." in shown
