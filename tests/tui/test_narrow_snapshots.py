"""The other screens at 80×24: review queue, search, outbox, report, renewals,
audit log and administration — their tables drop the least important columns,
their footers fit. The seeded demo at the frozen instant, shown in UTC, with
steady cursors and no notification: the same picture every run."""

from __future__ import annotations

import pytest

from store.enums import Role
from tests.factories import make_user
from tests.tui.conftest import SMALL, SignedInApp, settle, snapshot_ready as _ready, user_record


def _opened(name: str, *keys: str, text: str = ""):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_screen(name, *((text,) if text else ()))
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
        await _ready(pilot)

    return run_before


SCREENS = [
    ("rita", "review_queue", (), ""),
    ("rita", "review_queue", ("2",), ""),
    ("amy", "search", (), "a"),
    ("amy", "outbox", (), ""),
    ("amy", "report", (), ""),
    ("amy", "renewals", (), ""),
    ("rita", "audit", (), ""),
]


@pytest.mark.parametrize(("username", "screen", "keys", "text"), SCREENS,
                         ids=["queue-pending", "queue-lines", "search", "outbox", "report", "renewals", "audit"])
def test_screen_at_80x24(snap_compare, seeded, username, screen, keys, text):
    app = SignedInApp(seeded, user_record(seeded, username))
    assert snap_compare(app, terminal_size=SMALL, run_before=_opened(screen, *keys, text=text))


def test_outbox_with_mail_at_80x24(snap_compare, seeded):
    """Long subjects are cut, not scrolled: the case and status stay in view."""
    from sqlalchemy import select

    from store.enums import OutboxStatus
    from store.models import AuthRequest
    from tests.store.review_cases import add_mail

    with seeded.session() as session:
        case_id, number = session.execute(
            select(AuthRequest.id, AuthRequest.webcert_number).where(AuthRequest.webcert_number.is_not(None))
            .order_by(AuthRequest.webcert_number)).first()
    add_mail(seeded, case_id, OutboxStatus.SENT, f"AuthDesk: {number} submitted", 1)
    add_mail(seeded, case_id, OutboxStatus.FAILED, f"AuthDesk: {number} is now Accepted, with a decision on every line", 2,
             error="Connection refused by smtp.north.example:587")
    app = SignedInApp(seeded, user_record(seeded, "rita"))
    assert snap_compare(app, terminal_size=SMALL, run_before=_opened("outbox"))


def test_dashboard_footer_at_80x24_as_reviewer(snap_compare, seeded):
    """Open, New, Filter, Sort, Details, Queue, Quit and Search fit; the rest are in ctrl+p → Keys."""
    app = SignedInApp(seeded, user_record(seeded, "rita"))
    assert snap_compare(app, terminal_size=SMALL, run_before=_ready)


def test_administration_at_80x24(snap_compare, seeded):
    make_user(seeded, "boss", role=Role.ADMIN, org=None, full_name="Bo Boss")
    app = SignedInApp(seeded, user_record(seeded, "boss"))

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.action_administration()
        await _ready(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_decision_form_errors_in_view_at_80x24(snap_compare, office):
    """Deciding a line with a bad unit count at 80×24: the dialog scrolls and its errors are seen."""
    from store.enums import RequestStatus
    from tests.store.review_cases import FOUR_LINES, make_case

    store, clerk, _, reviewer = office
    case_id = make_case(store, clerk, n=321, status=RequestStatus.ACCEPTED, lines=FOUR_LINES)

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_case(case_id)
        await settle(pilot)
        await pilot.press("down", "d")  # the lines have the focus: highlight line 2, decide it
        await settle(pilot)
        await pilot.press("tab", "end", "ctrl+u", *"20", "ctrl+s")
        await _ready(pilot)

    assert snap_compare(SignedInApp(store, reviewer), terminal_size=SMALL, run_before=run_before)


SIZES = pytest.mark.parametrize("size", [SMALL, (120, 36)], ids=["80x24", "120x36"])


@SIZES
def test_member_look_up_with_errors(snap_compare, seeded, size):
    """A framed dialog (it was drawn unframed in the top-left corner); its errors at their fields."""
    from tui.screens.member_lookup import MemberLookupScreen

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.push_screen(MemberLookupScreen())
        await settle(pilot)
        await pilot.press("ctrl+s")
        await _ready(pilot)

    assert snap_compare(SignedInApp(seeded, user_record(seeded, "amy")), terminal_size=size, run_before=run_before)


@SIZES
def test_plan_contacts(snap_compare, seeded, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f1")
        await _ready(pilot)

    assert snap_compare(SignedInApp(seeded, user_record(seeded, "amy")), terminal_size=size, run_before=run_before)


def test_my_account_at_80x24(snap_compare, seeded):
    """F2 changes the password (ctrl+p is the command palette's)."""
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f8")
        await _ready(pilot)

    assert snap_compare(SignedInApp(seeded, user_record(seeded, "amy")), terminal_size=SMALL, run_before=run_before)


def test_case_detail_footer_with_line_and_file_keys_at_80x24(snap_compare, seeded):
    """A reviewer on an accepted case with files: the line's Decide and the file keys get one-word labels and all fit."""
    from sqlalchemy import select

    from store.enums import RequestStatus
    from store.models import AuthRequest

    with seeded.session() as session:
        case_id = session.execute(select(AuthRequest.id).where(AuthRequest.status == RequestStatus.ACCEPTED)
                                  .order_by(AuthRequest.id)).scalars().first()

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_case(case_id)
        await settle(pilot)
        await pilot.press("d", "ctrl+s")  # decide the first line as it is: the lines have the focus
        await _ready(pilot)

    assert snap_compare(SignedInApp(seeded, user_record(seeded, "rita")), terminal_size=SMALL, run_before=run_before)
