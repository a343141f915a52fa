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
