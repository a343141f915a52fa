"""Issue 10 screens driven by the keyboard: administration, My account, sign out, member look-up,
the result screen after an immediate decision, attaching to a pended line, help and the demo reset code."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from store.enums import LineStatus, RequestKind, RequestStatus, Role
from store.forms import SubmissionResult
from store.models import User
from tests.factories import make_member, make_user
from tests.store.features_cases import build_office, form_for, pdf_file, submitted
from tests.tui.conftest import SIZE, SignedInApp, settle, text_of


@pytest.fixture
def admin_office(sqlite_store, frozen_now):
    from tests.factories import org_id

    org_id(sqlite_store, "NORTH")
    admin = make_user(sqlite_store, "boss", role=Role.ADMIN, org=None, full_name="Bo Boss")
    clerk = make_user(sqlite_store, "clerk1", org="NORTH", full_name="Casey Clerk", email="casey@north.example")
    return sqlite_store, admin, clerk


def _user(store, username) -> User:
    with store.session() as s:
        row = s.execute(select(User).where(User.username == username)).scalar_one()
        s.expunge(row)
        return row


async def _type(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(c, c) for c in text])


async def test_an_administrator_adds_disables_and_unlocks_users(admin_office):
    store, admin, clerk = admin_office
    app = SignedInApp(store, admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        from tui.screens.admin import AdminScreen

        assert isinstance(app.screen, AdminScreen)
        assert [r.username for r in app.screen.rows] == ["boss", "clerk1"]
        await pilot.press("a")
        await settle(pilot)
        await _type(pilot, "nia")
        await pilot.press("tab")
        await _type(pilot, "Nia New")
        await pilot.press("tab", "tab", "tab")
        await _type(pilot, "NORTH")
        await pilot.press("tab")
        await _type(pilot, "short")
        await pilot.press("enter")
        await settle(pilot)
        assert "at least 8" in text_of(app, "#error-password")  # refused at the field, dialog still open
        await pilot.press(*"-enough")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AdminScreen)
        assert [r.username for r in app.screen.rows] == ["boss", "clerk1", "nia"]
        await pilot.press("down", "d")  # clerk1
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert _user(store, "clerk1").is_active is False
        assert "Disabled" in text_of(app, "#admin-users")
        await pilot.press("p")
        await settle(pilot)
        await _type(pilot, "temporary-1")
        await pilot.press("enter")
        await settle(pilot)
        assert _user(store, "clerk1").password_hash != _user(store, "nia").password_hash


async def test_clerks_cannot_open_administration(admin_office):
    store, _, clerk = admin_office
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        from tui.screens.admin import AdminScreen

        assert not isinstance(app.screen, AdminScreen)


async def test_my_account_saves_the_profile_and_refuses_a_bad_email_at_its_field(admin_office):
    store, _, clerk = admin_office
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        from tui.screens.account import AccountScreen

        assert isinstance(app.screen, AccountScreen)
        await pilot.press("tab")  # email
        app.screen.query_one("#field-email").value = "not-an-email"
        await pilot.press("tab")
        await _type(pilot, "414 555 0199")
        await pilot.press("enter")
        await settle(pilot)
        assert "email" in text_of(app, "#error-email").lower()
        app.screen.query_one("#field-email").value = "casey.c@north.example"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, AccountScreen)
        assert app.user.phone == "(414) 555-0199" and app.user.email == "casey.c@north.example"
        assert _user(store, "clerk1").phone == "(414) 555-0199"


async def test_sign_out_shows_the_sign_in_screen_and_another_user_signs_in(admin_office):
    store, admin, clerk = admin_office
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f12")
        await settle(pilot)
        from tui.screens.sign_in import SignInScreen

        assert isinstance(app.screen, SignInScreen) and app.user is None
        from sqlmodel import select

        from store.models import AuditEvent

        with store.session() as session:
            actions = session.exec(select(AuditEvent.action).where(AuditEvent.username == "clerk1")).all()
        assert "signed-out" in actions
        from tests.factories import PASSWORD

        await _type(pilot, "boss")
        await pilot.press("enter")
        await _type(pilot, PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert app.user is not None and app.user.username == "boss"
        assert type(app.screen).__name__ == "DashboardScreen"


async def test_member_look_up_by_name_and_birth_date_picks_from_a_list(sqlite_store, frozen_now):
    store = sqlite_store
    clerk = make_user(store, "clerk1", org="NORTH")
    make_member(store, "M1000001", first="Dana", last="Whitfield", birth=date(1980, 5, 17))
    make_member(store, "M1000002", first="Dale", last="Whitfield", birth=date(1980, 5, 17))
    app = SignedInApp(store, clerk)
    chosen = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from tui.screens.member_lookup import MemberLookupScreen

        app.push_screen(MemberLookupScreen(), chosen.append)
        await settle(pilot)
        await _type(pilot, "whitfield")
        await pilot.press("enter")
        await settle(pilot)
        assert "date of birth" in text_of(app, "#error-lookup-birth-date")  # and the cursor went there
        await _type(pilot, "05/17/1980")
        await pilot.press("enter")
        await settle(pilot)
        assert "2 members match" in text_of(app, "#lookup-status")
        await pilot.press("down", "enter")
        await settle(pilot)
    assert [m.member_id for m in chosen] == ["M1000001"]  # Dale first, then Dana


@pytest.fixture
def features_office(sqlite_store, frozen_now):
    from store.services.plan_contacts import DEMO_CONTACTS, save_plan_contacts

    people, ids = build_office(sqlite_store)
    with sqlite_store.session() as s:
        save_plan_contacts(s, None, DEMO_CONTACTS)
    return sqlite_store, people, ids


async def _result_screen(store, user, result: SubmissionResult):
    from tui.screens.submitted import SubmittedScreen

    app = SignedInApp(store, user)
    return app, SubmittedScreen(result, RequestKind.SERVICE)


async def test_result_screen_shows_an_immediate_approval_like_seed_003(features_office, tmp_path):
    store, people, ids = features_office
    result = submitted(store, people["north"], form_for(ids, code="80324",
                                                       answers={"presumptive_positive": "yes"}), tmp_path)
    app, screen = await _result_screen(store, people["north"], result)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(screen)
        await settle(pilot)
        lines = text_of(app, "#submitted-lines")
        assert "Authorized units: 1" in lines and "Status: Approved (A1)" in lines
        assert "Authorization number:" in text_of(app, "#submitted-numbers")
        assert "one business day" not in text_of(app, "#submitted-banner")  # clinicals were attached
        contacts = text_of(app, "#submitted-contacts").replace("\n", " ")
        assert "262-369-8750" in contacts and "8:00 AM to 4:30 PM CST" in contacts
        assert "(262) 555-0148" in text_of(app, "#submitted-pended-note").replace("\n", " ")


async def test_result_screen_asks_for_clinicals_within_a_business_day_when_none_came(features_office, tmp_path):
    store, people, ids = features_office
    form = form_for(ids, code="73721", answers={}, category="Advanced imaging", treatment_type="MRI")
    from store.services import clinical

    form.lines[0].clinical_answers = {q.id: "yes" for q in clinical.questions_for("73721")}
    from store.models import AuthRequest
    from store.services.drafts import save_draft
    from store.services.submission import submit_request

    with store.session() as s:  # no clinical file: submit straight from the store (rules permitting)
        saved = save_draft(s, people["north"], form)
    from store.services import attachments as att

    att.add_attachment(store, people["north"], saved.request_id, str(pdf_file(tmp_path)))
    with store.session() as s:
        version = s.get(AuthRequest, saved.request_id).version
        result = submit_request(s, people["north"], saved.request_id, version)
    with store.session() as s:  # the file goes: as if the clerk had sent none
        from sqlalchemy import delete

        from store.models import Attachment

        s.execute(delete(Attachment).where(Attachment.request_id == saved.request_id))
    app, screen = await _result_screen(store, people["north"], result)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(screen)
        await settle(pilot)
        assert "within one business day" in text_of(app, "#submitted-banner")
        assert "Status: No decision yet" in text_of(app, "#submitted-lines")
        assert "Pending Authorization number:" in text_of(app, "#submitted-numbers")


async def test_a_clerk_attaches_to_a_pended_line_from_case_detail(features_office, tmp_path):
    store, people, ids = features_office
    result = submitted(store, people["north"], form_for(ids), tmp_path)
    from store.services.review import accept_request, decide_line

    with store.session() as s:
        case = accept_request(s, people["reviewer"], result.request_id)
        decide_line(s, people["reviewer"], case.id, case.lines[0].id, LineStatus.PENDED, reason="Send x-rays.")
    xray = pdf_file(tmp_path, "xray.pdf")
    app = SignedInApp(store, people["south"])  # the specialist's office, associated with the case
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(result.request_id)
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        from tui.screens.case_files import AttachFileScreen

        assert isinstance(app.screen, AttachFileScreen)
        app.screen.query_one("#field-attachment").value = str(xray)
        await pilot.press("enter")
        await settle(pilot)
        assert "Information received 03/02/2026" in text_of(app, "#case-lines")
        assert "Contact the plan" in text_of(app, "#case-plan")
    with store.session() as s:
        from store.services.cases import get_case

        case = get_case(s, people["north"], result.request_id)
    assert case.status is RequestStatus.ACCEPTED and case.lines[0].information_received_at is not None


async def test_help_shows_the_plans_contacts(features_office):
    store, people, _ = features_office
    app = SignedInApp(store, people["north"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert "800-662-6865" in text_of(app, "#contacts-text")
        await pilot.press("escape")


async def test_demo_mode_shows_a_demo_users_reset_code(sqlite_store, frozen_now):
    store = sqlite_store
    store.demo = True
    make_user(store, "amy", org="NORTH", email="amy.chen@northside.example")
    from tests.tui.conftest import make_app

    app = make_app(store, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await _type(pilot, "amy")
        await pilot.press("enter")
        await settle(pilot)
        text = text_of(app, "#fp-message")
    assert "Demo: the code mailed to this demo user is" in text
