"""How case detail (each status), search, the review queue, the decision form, the outbox
and the report look — frozen time (2026-03-02 14:30 UTC, shown in UTC) and fixed data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from store.enums import OutboxStatus, RequestStatus, Urgency
from tests.store.review_cases import FOUR_LINES, add_mail, line_ids, make_case
from tests.tui.conftest import SIZE, SignedInApp, settle


def _steady(app) -> None:
    from textual.widgets import Input

    for screen in app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False


async def _ready(pilot) -> None:
    await settle(pilot)
    _steady(pilot.app)
    await pilot.pause()


def _decided_case(store, clerk, reviewer) -> int:
    """An accepted case whose four lines were approved, partly approved, denied and pended."""
    from store.services.review import accept_request, decide_line

    case_id = make_case(store, clerk, n=301, lines=FOUR_LINES, urgency=Urgency.EXPEDITED,
                        submitted_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    lines = line_ids(store, case_id)
    kw = {"attachments_dir": store.attachments_dir}
    with store.session() as session:
        accept_request(session, reviewer, case_id, **kw)
        decide_line(session, reviewer, case_id, lines[0], "A1", units=1, from_date=date(2026, 3, 10),
                    to_date=date(2026, 3, 10), **kw)
        decide_line(session, reviewer, case_id, lines[1], "A2", units=6, from_date=date(2026, 3, 10),
                    to_date=date(2026, 4, 10), **kw)
        decide_line(session, reviewer, case_id, lines[2], "A3", reason="Not medically necessary: no trial of "
                    "home exercise documented", **kw)
        decide_line(session, reviewer, case_id, lines[3], "A4", reason="Send the physical therapy evaluation", **kw)
    return case_id


def _detail(case_id_of, keys=()):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_case(case_id_of())
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
        await _ready(pilot)

    return run_before


@pytest.mark.parametrize("status", ["draft", "pending", "rejected"])
def test_case_detail_by_status(snap_compare, office, status):
    store, clerk, _, reviewer = office
    kwargs = {"n": 311, "lines": FOUR_LINES[:2]}
    if status == "draft":
        case_id = make_case(store, clerk, status=RequestStatus.DRAFT, **kwargs)
        user = clerk
    elif status == "pending":  # the reviewer's view: accept / reject / urgency, overdue clock
        case_id = make_case(store, clerk, submitted_at=datetime(2026, 2, 20, 9, 0, tzinfo=UTC), **kwargs)
        user = reviewer
    else:
        from store.services.review import reject_request

        case_id = make_case(store, clerk, **kwargs)
        with store.session() as session:
            reject_request(session, reviewer, case_id, "Member is not eligible on the date of service",
                           attachments_dir=store.attachments_dir)
        user = clerk
    assert snap_compare(SignedInApp(store, user), terminal_size=SIZE, run_before=_detail(lambda: case_id))


def test_case_detail_accepted_lines_and_letters(snap_compare, office):
    store, clerk, _, reviewer = office
    case_id = _decided_case(store, clerk, reviewer)
    # Tab twice: the lines section, then the attachments (scrolled into view)
    assert snap_compare(SignedInApp(store, clerk), terminal_size=SIZE,
                        run_before=_detail(lambda: case_id, keys=("tab", "tab")))


def test_case_detail_reviewer_lines_to_decide(snap_compare, office):
    store, clerk, _, reviewer = office
    case_id = _decided_case(store, clerk, reviewer)
    # the lines section has the focus: a reviewer sees the line left to decide
    assert snap_compare(SignedInApp(store, reviewer), terminal_size=SIZE, run_before=_detail(lambda: case_id))


def test_decision_form(snap_compare, office):
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

    assert snap_compare(SignedInApp(store, reviewer), terminal_size=SIZE, run_before=run_before)


def test_search_with_results(snap_compare, office):
    store, clerk, _, _ = office
    make_case(store, clerk, n=331, member=("M3000331", "Dana", "Whitfield"))
    make_case(store, clerk, n=332, status=RequestStatus.ACCEPTED, member=("M3000332", "Darius", "Whitaker"))
    make_case(store, clerk, n=333, status=RequestStatus.DRAFT, member=("M3000333", "Wendy", "White"))
    make_case(store, clerk, n=334, member=("M3000334", "Lee", "Park"))

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+f", *"whi")
        await _ready(pilot)

    assert snap_compare(SignedInApp(store, clerk), terminal_size=SIZE, run_before=run_before)


def test_review_queue(snap_compare, office):
    store, clerk, _, reviewer = office
    make_case(store, clerk, n=341, submitted_at=datetime(2026, 2, 20, 9, 0, tzinfo=UTC))
    make_case(store, clerk, n=342, urgency=Urgency.EXPEDITED, member=("M3000342", "Lee", "Park"),
              submitted_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    make_case(store, clerk, n=343, member=("M3000343", "Ana", "Cruz"))
    make_case(store, clerk, n=344, status=RequestStatus.ACCEPTED, member=("M3000344", "Wendy", "White"))

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("v")
        await _ready(pilot)

    assert snap_compare(SignedInApp(store, reviewer), terminal_size=SIZE, run_before=run_before)


def test_outbox(snap_compare, office):
    store, clerk, _, _ = office
    case_id = make_case(store, clerk, n=351)
    add_mail(store, case_id, OutboxStatus.SENT, "AuthDesk: WC-0000351 submitted", 1)
    add_mail(store, case_id, OutboxStatus.FAILED, "AuthDesk: WC-0000351 is now Accepted", 2,
             error="550 5.1.1 mailbox unavailable")
    add_mail(store, case_id, OutboxStatus.QUEUED, "AuthDesk: WC-0000351 line 1 decided", 3)

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_screen("outbox")
        await settle(pilot)
        await pilot.press("down")
        await _ready(pilot)

    assert snap_compare(SignedInApp(store, clerk), terminal_size=SIZE, run_before=run_before)


def test_report(snap_compare, office):
    from store.services.review import accept_request, decide_line, reject_request

    store, clerk, _, reviewer = office
    kw = {"attachments_dir": store.attachments_dir}
    approved = make_case(store, clerk, n=361, submitted_at=datetime(2026, 2, 20, 9, 0, tzinfo=UTC),
                         lines=FOUR_LINES[:1])
    denied = make_case(store, clerk, n=362, submitted_at=datetime(2026, 2, 25, 9, 0, tzinfo=UTC),
                       urgency=Urgency.EXPEDITED)
    waiting = make_case(store, clerk, n=363, submitted_at=datetime(2026, 2, 27, 9, 0, tzinfo=UTC))
    import time_machine

    with time_machine.travel(datetime(2026, 2, 22, 15, 0, tzinfo=UTC), tick=False), store.session() as session:
        accept_request(session, reviewer, approved, **kw)
        decide_line(session, reviewer, approved, line_ids(store, approved)[0], "A1", units=1,
                    from_date=date(2026, 3, 10), to_date=date(2026, 3, 10), **kw)
    with time_machine.travel(datetime(2026, 2, 26, 9, 0, tzinfo=UTC), tick=False), store.session() as session:
        reject_request(session, reviewer, denied, "Duplicate request", **kw)
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=UTC), tick=False), store.session() as session:
        accept_request(session, reviewer, waiting, **kw)

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_screen("report")
        await _ready(pilot)

    assert snap_compare(SignedInApp(store, clerk), terminal_size=SIZE, run_before=run_before)


def test_report_bad_date(snap_compare, office):
    store, clerk, _, _ = office

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_screen("report")
        await settle(pilot)
        await pilot.press("end", "ctrl+u", *"02/30/2026", "enter")
        await _ready(pilot)

    assert snap_compare(SignedInApp(store, clerk), terminal_size=SIZE, run_before=run_before)
