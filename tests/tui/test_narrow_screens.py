"""At 80×24 the dialogs and the wizard's rows show what they hold: nothing cut, errors in view.

The wizard's own footer and title need ``WizardFooterMixin`` / ``WizardTitle``
on the screen: those are in test_narrow_wizard.py.
"""

from __future__ import annotations

from textual.app import App

from store.enums import RequestKind, RequestStatus
from store.forms import STEPS
from tests.tui.conftest import (
    SMALL,
    SignedInApp,
    first_draft,
    footer_cut,
    make_app,
    open_draft_at,
    settle,
    text_of,
    user_record,
)


def _inside(widget, app) -> bool:
    region = widget.region
    return region.width > 0 and region.height > 0 and region.right <= app.size.width and \
        region.bottom <= app.size.height


# ----- the step bar -----


class _StepBarApp(App):
    def __init__(self, current: int) -> None:
        super().__init__()
        self.current = current

    def compose(self):
        from tui.widgets.step_header import StepHeader

        header = StepHeader(STEPS, id="steps")
        header.current = self.current
        yield header


async def test_the_step_bar_shows_all_seven_steps_in_79_columns_and_full_names_at_120():
    for width, names in ((79, ["1 Member", "2 Providers", "3 Services", "4 Urgency", "5 Clinical",
                               "6 Contact", "7 Review"]),
                         (120, [f"{n} {name}" for n, name in enumerate(STEPS, 1)])):
        app = _StepBarApp(current=2)
        async with app.run_test(size=(width, 3)) as pilot:
            await pilot.pause()
            text = text_of(app, "#steps")
            assert "…" not in text, text
            for name in names:
                assert name in text, (width, text)


async def test_the_step_bar_names_only_the_current_step_when_even_the_short_names_do_not_fit():
    app = _StepBarApp(current=4)
    async with app.run_test(size=(50, 3)) as pilot:
        await pilot.pause()
        text = text_of(app, "#steps")
        assert "5 Clinical" in text and "Member" not in text, text
        assert all(str(n) in text for n in range(1, 8)), text


# ----- service lines and diagnoses in the wizard -----


async def test_service_line_fields_keep_their_width_and_the_message_is_under_the_line(seeded, code_index):
    from textual.widgets import Input

    from tui.widgets.wizard_rows import DATE_WIDTH, MODIFIERS_WIDTH, UNITS_WIDTH

    app = SignedInApp(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await open_draft_at(pilot, first_draft(seeded, RequestKind.SERVICE), "f3")
        screen = app.screen
        units = screen.query_one("#line-0-units", Input)
        units.focus()
        await pilot.press("end", "backspace", "0", "tab")
        await settle(pilot)
        units.scroll_visible(animate=False)
        await settle(pilot)
        widths = {suffix: screen.query_one(f"#line-0-{suffix}", Input).outer_size.width
                  for suffix in ("modifier", "from", "to", "units")}
        assert widths == {"modifier": MODIFIERS_WIDTH, "from": DATE_WIDTH, "to": DATE_WIDTH, "units": UNITS_WIDTH}
        for suffix in ("code", "modifier", "from", "to", "units"):
            assert _inside(screen.query_one(f"#line-0-{suffix}"), app), suffix
        error = screen.query_one("#line-0-error")
        assert "at least 1" in text_of(app, "#line-0-error")
        assert error.region.y > units.region.y and _inside(error, app), (error.region, units.region)
        # the date fields show the whole date
        assert screen.query_one("#line-0-from", Input).value in text_of(app, "#line-0-from")


async def test_the_primary_marker_is_shown_before_a_long_diagnosis_is_cut(seeded, code_index):
    app = SignedInApp(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await open_draft_at(pilot, first_draft(seeded, RequestKind.INPATIENT), "f3")
        rows = [text_of(app, f"#{row.id}") for row in app.screen.query("DiagnosisRow")]
        assert len(rows) >= 2, rows
        assert "primary" in rows[0].split()[:4] and "p = make primary" in rows[1], rows
        assert all(len(row) <= SMALL[0] for row in rows)


async def test_wizard_fields_end_inside_80_columns(seeded, code_index):
    from tui.widgets.wizard_rows import FieldRow

    app = SignedInApp(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await open_draft_at(pilot, first_draft(seeded, RequestKind.INPATIENT), "f2")
        shown = [row for row in app.screen.query(FieldRow) if row.region.width]
        assert shown
        for row in shown:
            assert row.field.region.right <= SMALL[0] - 1, (row.label, row.field.region)


# ----- dialogs -----


async def test_register_shows_every_error_within_24_rows(seeded):
    app = make_app(seeded)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press(*"amy", "enter", *"Amy Again", "enter", *"not-an-email", "enter", "enter",
                          *"NOPE", "enter", *"short", "enter", *"short", "enter")
        await settle(pilot)
        errors = [e for e in app.screen.query(".field-error") if e.has_class("-shown")]
        assert {e.id for e in errors} == {"reg-email-error", "reg-org-error"}
        for error in errors:
            assert _inside(error, app), (error.id, error.region)
        # nothing in the dialog is out of view: it fits without scrolling
        from textual.containers import VerticalScroll

        form = app.screen.query_one(VerticalScroll)
        assert form.max_scroll_y == 0, form.virtual_size


async def test_forgot_password_message_goes_when_the_clerk_types_again(seeded):
    app = make_app(seeded)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f3", "enter")
        await settle(pilot)
        assert text_of(app, "#fp-error") == "Enter your username."
        await pilot.press("a")
        await settle(pilot)
        assert text_of(app, "#fp-error") == ""


async def test_member_look_up_and_plan_contacts_are_framed_dialogs_at_80x24(seeded, code_index):
    app = SignedInApp(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        app.action_plan_contacts()
        await settle(pilot)
        for screen_name in ("PlanContactsScreen", "MemberLookupScreen"):
            if screen_name == "MemberLookupScreen":
                await pilot.press("escape", "n", "s")
                await settle(pilot)
                await pilot.press("f4", "ctrl+s")
                await settle(pilot)
            assert type(app.screen).__name__ == screen_name
            form = app.screen.query_one("#form")
            assert form.styles.border_top[0] == "thick", (screen_name, form.styles.border_top)
            assert form.region.x >= 0 and form.region.y > 0 and _inside(form, app), (screen_name, form.region)
        # the look-up's errors are at their fields, in view
        for name in ("lookup-last-name", "lookup-birth-date"):
            error = app.screen.query_one(f"#error-{name}")
            assert error.has_class("-shown") and _inside(error, app), name


async def test_the_file_picker_fits_80x24(seeded, code_index):
    from textual.widgets import Button, Input, Select
    from textual_fspicker import FileOpen

    app = SignedInApp(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await open_draft_at(pilot, first_draft(seeded, RequestKind.SERVICE), "f5")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, FileOpen)
        screen = app.screen
        kinds = screen.query_one(Select)
        assert kinds.size.width >= 20, kinds.size  # "Clinical records" on one line
        assert screen.query_one("DirectoryNavigation").size.height >= 10
        for widget in (screen.query_one(Input), kinds, *screen.query(Button)):
            assert _inside(widget, app), widget


async def test_my_account_changes_the_password_with_f2_not_the_palettes_ctrl_p(seeded):
    from tui.screens.account import AccountScreen, ChangePasswordScreen

    app = SignedInApp(seeded, user_record(seeded, "amy"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        from textual.widgets._footer import FooterKey

        keys = [(k.key, k.description) for k in app.screen.query(FooterKey)]
        assert ("f2", "Change password") in keys
        assert "ctrl+p" not in {key for key, _ in keys}, keys  # ctrl+p is the command palette's only
        assert not footer_cut(app)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, ChangePasswordScreen)


# ----- case detail -----


async def test_case_detail_footer_fits_with_a_lines_keys_and_keeps_reload_when_there_is_room(seeded):
    from sqlalchemy import select

    from store.models import AuthRequest

    with seeded.session() as session:  # the first accepted case of the demo has files: o and x are shown
        accepted = session.execute(select(AuthRequest.id).where(AuthRequest.status == RequestStatus.ACCEPTED)
                                   .order_by(AuthRequest.id)).scalars().first()
        expired = session.execute(select(AuthRequest.id).where(AuthRequest.status == RequestStatus.EXPIRED)
                                  .order_by(AuthRequest.id)).scalars().first()
    app = SignedInApp(seeded, user_record(seeded, "rita"))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        app.open_case(expired)
        await settle(pilot)
        labels = [k.description for k in app.screen.query("FooterKey")]
        assert "Reload" in labels and not footer_cut(app), labels
        await pilot.press("escape")
        app.open_case(accepted)
        await settle(pilot)
        await pilot.press("d", "ctrl+s")  # decide a line as it is: the lines keep the focus
        await settle(pilot)
        app.clear_notifications()
        labels = [k.description for k in app.screen.query("FooterKey")]
        assert {"Decide", "Open", "Export"} <= set(labels) and not footer_cut(app), labels
        assert "r" in app.screen.active_bindings  # still bound, only out of the footer
