"""Sign-in, dashboard and case detail, driven by the keyboard (Pilot).

The database is the demo seeded with 130 cases at the frozen instant (the
same data every run), copied fresh for each test.
"""

from __future__ import annotations

import csv


from store.enums import RequestStatus
from tests.tui.conftest import SIZE, make_app, settle, sign_in, text_of, user_record, workers_done



def table_rows(app, key: str):
    """The RequestRows the list shows for tab ``key`` (the tab on screen), in display order."""
    from tui.widgets.case_table import CaseTable

    assert app.screen.current.key == key
    return list(app.screen.query_one("#dash-table", CaseTable).rows)


# ----- sign in -----


async def test_sign_in_by_keyboard_opens_the_dashboard_with_counts(seeded):
    from textual.widgets import Tab

    from store.services.cases import count_by_status
    from tui.screens.dashboard import DashboardScreen

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "amy", "demo-clerk-1")
        assert isinstance(app.screen, DashboardScreen)
        assert app.user.username == "amy"
        with seeded.session() as session:
            counts = count_by_status(session, app.user)
        def label(tab_id):
            return app.screen.query_one(f"#{tab_id}", Tab).label.plain

        assert label("tab-drafts") == f"Drafts {counts[RequestStatus.DRAFT]}"
        assert label("tab-accepted") == f"Accepted {counts[RequestStatus.ACCEPTED]}"
        closed = counts[RequestStatus.EXPIRED] + counts[RequestStatus.CANCELLED]
        assert label("tab-closed") == f"Expired & cancelled {closed}"
        assert len(table_rows(app, "drafts")) == counts[RequestStatus.DRAFT]


async def test_wrong_password_and_unknown_user_get_the_same_message(seeded):
    from store.services.auth import WRONG_CREDENTIALS
    from tui.screens.sign_in import SignInScreen

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "amy", "not-my-password")
        assert isinstance(app.screen, SignInScreen)
        wrong = text_of(app, "#sign-in-error")
        assert " ".join(wrong.split()) == WRONG_CREDENTIALS
        assert app.focused.id == "sign-in-password" and app.focused.value == ""
        username = app.screen.query_one("#sign-in-username")
        username.value = ""
        username.focus()
        await sign_in(pilot, "nobody", "whatever-password")
        assert text_of(app, "#sign-in-error") == wrong
        assert app.user is None


async def test_locked_account_answers_like_a_wrong_password(seeded):
    from store.services.auth import MAX_FAILED_SIGN_INS, WRONG_CREDENTIALS

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "ben", "wrong-password-1")
        for _ in range(MAX_FAILED_SIGN_INS - 1):
            await pilot.press(*"wrong-password-1", "enter")
            await settle(pilot)
        assert " ".join(text_of(app, "#sign-in-error").split()) == WRONG_CREDENTIALS
        await pilot.press(*"demo-clerk-2", "enter")  # the right password does not help now
        await settle(pilot)
        assert app.user is None and " ".join(text_of(app, "#sign-in-error").split()) == WRONG_CREDENTIALS


async def test_demo_accounts_shown_in_demo_mode_only(seeded):
    from store.demo import DEMO_ACCOUNTS

    app = make_app(seeded, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#demo-accounts").display
        screen = app.export_screenshot()
        for username, password, role, _ in DEMO_ACCOUNTS:
            assert username in screen and password in screen and role in screen
    app = make_app(seeded, demo=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query("#demo-accounts")


async def test_register_and_forgot_password_open_from_sign_in(seeded):
    from tui.screens.forgot_password import ForgotPasswordScreen
    from tui.screens.register import RegisterScreen

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        assert isinstance(app.screen, RegisterScreen)
        await pilot.press("escape")
        await pilot.press("f3")
        assert isinstance(app.screen, ForgotPasswordScreen)
        await pilot.press("escape")
        assert app.focused.id == "sign-in-username"


# ----- dashboard -----


async def test_every_tab_by_digit_and_ctrl_page_keys(seeded):
    from textual.widgets import Tabs

    from store.services.cases import count_by_status

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        tabs = app.screen.query_one("#dash-tabs", Tabs)
        with seeded.session() as session:
            counts = count_by_status(session, app.user)
        expected = {
            "drafts": {RequestStatus.DRAFT},
            "pending": {RequestStatus.PENDING},
            "rejected": {RequestStatus.REJECTED},
            "accepted": {RequestStatus.ACCEPTED},
            "closed": {RequestStatus.EXPIRED, RequestStatus.CANCELLED},
        }
        for digit, key in zip("12345", expected, strict=True):
            await pilot.press(digit)
            await settle(pilot)
            assert tabs.active == f"tab-{key}"
            rows = table_rows(app, key)
            assert rows and {RequestStatus(r.status) for r in rows} <= expected[key]
            assert len(rows) == min(50, sum(counts[s] for s in expected[key]))
            assert app.focused.id == "dash-table"
        await pilot.press("ctrl+pagedown")  # wraps to the first tab
        assert tabs.active == "tab-drafts"
        await pilot.press("ctrl+pageup")
        assert tabs.active == "tab-closed"
        statuses = {RequestStatus(r.status) for r in table_rows(app, "closed")}
        assert statuses == {RequestStatus.EXPIRED, RequestStatus.CANCELLED}


async def test_pending_overdue_and_take_action_panel(seeded, frozen_now):
    from textual.widgets import DataTable

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        panel = app.screen.query_one("#take-action-table", DataTable)
        assert panel.row_count > 0
        assert "expire within 24 hours" in str(app.screen.query_one("#take-action").border_title)
        await pilot.press("2")
        await settle(pilot)
        rows = table_rows(app, "pending")
        dues = [r.decision_due_at for r in rows]
        assert dues == sorted(dues)  # most urgent first
        table = app.screen.query_one("#dash-table")
        first = table.cells_at(0)[-1]
        assert rows[0].decision_due_at < frozen_now and "overdue" in str(first)
        assert str(first.style).startswith("bold")  # highlighted in the error color


async def test_filter_then_escape_back_to_the_table(seeded):
    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("4")
        await settle(pilot)
        target = table_rows(app, "accepted")[3]
        last_name = target.member_name.split(",")[0]
        await pilot.press("slash")
        assert app.focused.id == "dash-filter-input"
        await pilot.press(*last_name.lower(), "enter")
        await settle(pilot)
        rows = table_rows(app, "accepted")
        assert rows and all(last_name in r.member_name for r in rows)
        assert target.id in {r.id for r in rows}
        assert f"filter “{last_name.lower()}”" in text_of(app, "#dash-page-line")
        assert app.focused.id == "dash-table"
        # by number: exactly one case
        await pilot.press("slash", "ctrl+a", "ctrl+k", *target.webcert_number, "escape")
        assert app.focused.id == "dash-table"
        await pilot.press("slash", "enter")
        await settle(pilot)
        assert [r.id for r in table_rows(app, "accepted")] == [target.id]
        assert "Page 1 of 1 · 1 case" in text_of(app, "#dash-page-line")


async def test_filter_runs_after_typing_pauses(seeded, monkeypatch):
    from tui.screens import dashboard

    delay = 1.0  # long enough that typing never outlasts it, even on a busy machine
    monkeypatch.setattr(dashboard, "FILTER_DELAY", delay)
    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("slash", *"zzzz-nobody")
        assert app.screen.filter_text == ""  # not on every key
        await pilot.pause(delay * 1.5)
        await settle(pilot)
        assert app.screen.filter_text == "zzzz-nobody"
        assert table_rows(app, "drafts") == []
        assert "0 cases" in text_of(app, "#dash-page-line")


async def test_pages_forward_and_back(seeded):
    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("4")
        await settle(pilot)
        total = app.screen.tab_by_key["accepted"].total
        assert total > 50
        first = [r.id for r in table_rows(app, "accepted")]
        assert text_of(app, "#dash-page-line").startswith(f"Page 1 of {-(-total // 50)} · {total} cases")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        second = [r.id for r in table_rows(app, "accepted")]
        assert len(second) == min(50, total - 50) and not set(first) & set(second)
        assert text_of(app, "#dash-page-line").startswith("Page 2 of")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert [r.id for r in table_rows(app, "accepted")] == first


async def test_sort_cycles_columns_and_reverses(seeded):
    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("4")
        await settle(pilot)
        tab = app.screen.tab_by_key["accepted"]
        assert tab.sort == "updated"
        await pilot.press("s")  # Updated -> Decided
        await settle(pilot)
        assert tab.sort == "decided"
        await pilot.press("s")  # wraps to Number(s)
        await settle(pilot)
        numbers = [r.webcert_number for r in table_rows(app, "accepted")]
        assert tab.sort == "webcert" and numbers == sorted(numbers)
        assert app.screen.query_one("#dash-table").header_label("number") == "Number(s)▲"
        await pilot.press("s")  # Member, A to Z
        await settle(pilot)
        names = [r.member_name for r in table_rows(app, "accepted")]
        assert names == sorted(names)
        await pilot.press("o")
        await settle(pilot)
        names = [r.member_name for r in table_rows(app, "accepted")]
        assert names == sorted(names, reverse=True)
        assert "sorted by Member ▼" in text_of(app, "#dash-page-line")


async def test_enter_opens_case_detail_and_escape_returns(seeded):
    from textual.widgets import Static

    from tui.screens.case_detail import CaseDetailScreen
    from tui.screens.dashboard import DashboardScreen

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("4")
        await settle(pilot)
        row = table_rows(app, "accepted")[0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.case.id == row.id
        assert row.webcert_number in str(app.screen.query_one("#case-title", Static).render())
        lines = str(app.screen.query_one("#case-lines").render())
        assert lines  # rendered
        assert app.screen.case.lines and all(str(line.status).startswith("A") for line in app.screen.case.lines)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert app.focused.id == "dash-table"


async def test_enter_on_a_draft_resumes_it(seeded, monkeypatch):
    app = make_app(seeded)
    resumed: list[int] = []
    monkeypatch.setattr(app, "resume_draft", resumed.append)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        draft = table_rows(app, "drafts")[0]
        await pilot.press("enter")
        assert resumed == [draft.id]
        app.screen.query_one("#take-action-table").focus()
        await pilot.press("enter")
        assert len(resumed) == 2 and resumed[1] in {r.id for r in table_rows(app, "drafts")}


async def test_new_request_key(seeded, monkeypatch):
    app = make_app(seeded)
    started: list[object] = []
    monkeypatch.setattr(app, "new_request", lambda kind=None: started.append(kind))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("n")
        assert started == [None]


async def test_case_detail_of_a_draft_offers_edit(seeded, monkeypatch):
    from tui.screens.case_detail import CaseDetailScreen

    app = make_app(seeded)
    resumed: list[int] = []
    monkeypatch.setattr(app, "resume_draft", resumed.append)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "amy", "demo-clerk-1")
        draft = table_rows(app, "drafts")[0]
        app.open_case(draft.id)
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.check_action("edit_draft", ()) is True
        await pilot.press("e")
        await settle(pilot)
        assert resumed == [draft.id]
        assert not isinstance(app.screen, CaseDetailScreen)


async def test_a_reviewer_reads_a_draft_but_is_not_offered_edit_or_cancel(seeded, monkeypatch):
    """The store decides (reviewers do not change drafts); the screen only asks it."""
    from tui.screens.case_detail import CaseDetailScreen

    app = make_app(seeded)
    resumed: list[int] = []
    monkeypatch.setattr(app, "resume_draft", resumed.append)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)  # rita, the plan's reviewer
        draft = table_rows(app, "drafts")[0]
        app.open_case(draft.id)
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.check_action("edit_draft", ()) is False
        assert app.screen.check_action("cancel_draft", ()) is False
        await pilot.press("e")
        await settle(pilot)
        assert resumed == []
        assert isinstance(app.screen, CaseDetailScreen)


async def test_case_of_another_organization_is_refused(seeded):
    from sqlalchemy import select as sa_select

    from store.models import AuthRequest, RequestOrganization
    from tui.screens.case_detail import CaseDetailScreen

    amy = user_record(seeded, "amy")
    with seeded.session() as session:
        mine = sa_select(RequestOrganization.request_id).where(
            RequestOrganization.organization_id == amy.organization_id)
        other = session.execute(sa_select(AuthRequest.id).where(AuthRequest.id.not_in(mine)).limit(1)).scalar_one()
    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "amy", "demo-clerk-1")
        app.open_case(other)
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert text_of(app, "#case-message") == f"No case #{other}."  # the same as a missing case


async def test_export_writes_every_row_of_the_list(seeded, tmp_path):
    from textual.widgets import Input

    from tui.screens.export_dialog import ExportDialog

    app = make_app(seeded)
    target = tmp_path / "accepted.csv"
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("4")
        await settle(pilot)
        total = app.screen.tab_by_key["accepted"].total
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        field = app.screen.query_one("#export-path", Input)
        assert field.value.startswith("~/authdesk-accepted-2026-03-02")
        field.value = str(target)
        await pilot.press("enter")
        await settle(pilot)
    with target.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == total + 1 > 51  # every page, not just the one on screen
    assert {r[6] for r in rows[1:]} == {"Accepted"}


async def test_dashboard_refreshes_when_it_comes_back(seeded):
    """A case submitted while another screen was on top shows up on return."""
    from sqlalchemy import update

    from store.models import AuthRequest
    from tui.screens.dashboard import DashboardScreen

    app = make_app(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("4")
        await settle(pilot)
        before = app.screen.tab_by_key["accepted"].total
        await pilot.press("enter")
        await settle(pilot)
        with seeded.session() as session:  # meanwhile the reviewer accepts every pending case
            session.execute(update(AuthRequest).where(AuthRequest.status == RequestStatus.PENDING)
                            .values(status=RequestStatus.ACCEPTED))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.tab_by_key["accepted"].total > before


async def test_i_opens_the_case_detail_of_a_draft(tmp_path):
    """Enter resumes a draft in the wizard; i shows its case detail (where it can be cancelled)."""
    from store.forms import DraftForm
    from store.services.drafts import save_draft
    from store.enums import RequestKind
    from store.store import open_store
    from tests.factories import make_user
    from tui.app import AuthDeskApp
    from tui.messages import SignedIn

    store = open_store(f"sqlite:///{tmp_path / 'i.sqlite'}", attachments_dir=tmp_path / "files")
    user = make_user(store, "clerk1", org="NORTH")
    with store.session() as session:
        saved = save_draft(session, user, DraftForm(kind=RequestKind.SERVICE, member_id="M1"))

    class App(AuthDeskApp):
        def on_mount(self, event) -> None:
            event.prevent_default()
            self.idle_lock_minutes = 0
            self.post_message(SignedIn(user))

    app = App(store)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(5):
            await pilot.pause()
            await workers_done(app)
        app.screen.query_one("#dash-table").focus()
        await pilot.press("i")
        for _ in range(3):
            await pilot.pause()
            await workers_done(app)
        from tui.screens.case_detail import CaseDetailScreen

        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.request_id == saved.request_id
    store.dispose()
