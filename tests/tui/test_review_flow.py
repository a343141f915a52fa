"""Tracking and review, driven by the keyboard (Pilot), then checked in the database.

A clerk's pending case is built with the store's models (tests/store/review_cases.py);
a reviewer signs in (an app that posts SignedIn, as the wizard tests do), opens the
review queue, accepts and decides the lines; the clerk then sees the status, the
letters and the mail. Time is frozen at 2026-03-02 14:30 UTC and shown in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from store.enums import AttachmentKind, LineStatus, OutboxStatus, RequestStatus, Urgency
from store.models import Attachment, AuthRequest, ServiceLine
from tests.store.review_cases import FOUR_LINES, add_mail, line_ids, make_case
from tests.tui.conftest import SIZE, SignedInApp, settle, text_of

def shown_bindings(app) -> set[str]:
    """Descriptions of the keys the footer shows on the current screen."""
    return {b.binding.description for b in app.screen.active_bindings.values() if b.enabled and b.binding.show}


def case_row(store, request_id) -> AuthRequest:
    with store.session() as session:
        req = session.get(AuthRequest, request_id)
        session.expunge(req)
        return req


def line_statuses(store, request_id) -> list[tuple[LineStatus, int | None, str]]:
    with store.session() as session:
        return [
            (LineStatus(s), units, reason)
            for s, units, reason in session.execute(
                select(ServiceLine.status, ServiceLine.authorized_units, ServiceLine.decision_reason)
                .where(ServiceLine.request_id == request_id)
                .order_by(ServiceLine.line_number)
            )
        ]


def letters(store, request_id) -> list[str]:
    with store.session() as session:
        return list(
            session.execute(
                select(Attachment.filename)
                .where(Attachment.request_id == request_id, Attachment.kind == AttachmentKind.LETTER)
                .order_by(Attachment.id)
            ).scalars()
        )


async def open_detail(pilot, request_id: int) -> None:
    pilot.app.open_case(request_id)
    await settle(pilot)


async def choose_outcome(pilot, steps_down: int) -> None:
    """With the outcome list focused: open it, move down ``steps_down``, pick."""
    await pilot.press("enter")
    await pilot.pause()
    for _ in range(steps_down):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


async def replace_text(pilot, text: str) -> None:
    """Clear the focused input (Ctrl+U deletes to its start) and type ``text``."""
    await pilot.press("end", "ctrl+u")
    await pilot.press(*text)


# ----- the reviewer's whole flow, then the clerk -----


async def test_reviewer_accepts_and_decides_every_kind_of_line_then_the_clerk_sees_it(office, tmp_path, monkeypatch):
    from tui.screens.case_detail import CaseDetailScreen
    from tui.screens.decisions import ConfirmScreen, DecideLineScreen
    from tui.screens.review_queue import ReviewQueueScreen

    store, clerk, _, reviewer = office
    case_id = make_case(store, clerk, n=41, lines=FOUR_LINES)
    make_case(store, clerk, n=42, submitted_at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC))  # due later

    app = SignedInApp(store, reviewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Review queue" in shown_bindings(app)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ReviewQueueScreen)
        queue = app.screen.query_one("#queue-list-pending")
        assert [r.id for r in queue.rows_shown][0] == case_id  # oldest due first
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen) and app.screen.request_id == case_id
        assert {"Accept", "Reject", "Urgency"} <= shown_bindings(app)
        assert "Decide line" not in shown_bindings(app)

        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert case_row(store, case_id).status is RequestStatus.ACCEPTED
        assert "Decide line" in shown_bindings(app)

        # line 1: approved as requested (the form is prefilled with the request)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DecideLineScreen) and app.screen.line.line_number == 1
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)

        # line 2 is highlighted next: partially approved, 6 of 12 units
        await pilot.press("d")
        await pilot.pause()
        assert app.screen.line.line_number == 2
        await choose_outcome(pilot, 1)
        await pilot.press("tab")
        await replace_text(pilot, "6")
        await pilot.press("enter")
        await settle(pilot)

        # line 3: denied with a reason
        await pilot.press("d")
        await pilot.pause()
        assert app.screen.line.line_number == 3
        await choose_outcome(pilot, 2)
        assert app.screen.query_one("#row-units").has_class("-hidden")
        await pilot.press("tab")
        await pilot.press(*"Not medically necessary")
        await pilot.press("enter")
        await settle(pilot)

        # line 4: pended (what is needed), then approved
        await pilot.press("d")
        await pilot.pause()
        assert app.screen.line.line_number == 4
        await choose_outcome(pilot, 3)
        await pilot.press("tab")
        await pilot.press(*"Send PT notes")
        await pilot.press("enter")
        await settle(pilot)
        assert line_statuses(store, case_id)[3][0] is LineStatus.PENDED
        await pilot.press("d")  # the pended line is the one left to decide
        await pilot.pause()
        assert app.screen.line.line_number == 4
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        shown = text_of(app, "#case-lines")
        assert "Partially approved (A2)" in shown and "Reason: Not medically necessary" in shown

    assert line_statuses(store, case_id) == [
        (LineStatus.APPROVED, 1, ""),
        (LineStatus.PARTIAL, 6, ""),
        (LineStatus.DENIED, None, "Not medically necessary"),
        (LineStatus.APPROVED, 10, ""),
    ]
    assert len(letters(store, case_id)) == 6  # acceptance + five line decisions

    # the clerk: finds the case, sees the status, opens and exports the newest letter, reads the mail
    opened = tmp_path / "opened.txt"
    opener = tmp_path / "fake-open"
    opener.write_text(f'#!/bin/sh\necho "$1" >> "{opened}"\n')
    opener.chmod(0o755)
    monkeypatch.setenv("AUTHDESK_OPEN_COMMAND", str(opener))
    export_to = tmp_path / "exported"
    export_to.mkdir()

    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await pilot.press(*"wc41")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.case.status is RequestStatus.ACCEPTED
        assert "Accepted" in text_of(app, "#case-title")
        assert {"Open file", "Export file"} <= shown_bindings(app)
        assert not {"Accept", "Decide line"} & shown_bindings(app)
        files = app.screen.query_one("#case-attachments")
        newest = files.highlighted
        assert newest.kind is AttachmentKind.LETTER and newest.filename == letters(store, case_id)[-1]

        await pilot.press("o")
        await settle(pilot)
        assert opened.read_text().strip() == newest.stored_path

        await pilot.press("x")
        await pilot.pause()
        await replace_text(pilot, str(export_to))
        await pilot.press("enter")
        await settle(pilot)
        assert (export_to / newest.filename).read_bytes()[:5] == b"%PDF-"
        from sqlalchemy import select

        from store.models import AuditEvent
        with store.session() as session:  # who opened and who copied the letter out
            logged = session.execute(select(AuditEvent.action, AuditEvent.request_id, AuditEvent.detail)
                                     .where(AuditEvent.action.in_(("opened-file", "exported-file")))
                                     .order_by(AuditEvent.id)).all()
        assert [(a, r) for a, r, _ in logged] == [("opened-file", case_id), ("exported-file", case_id)]
        assert all(newest.filename in detail for _, _, detail in logged)

        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)
        app.open_screen("outbox")
        await settle(pilot)
        subjects = [m.subject for m in app.screen.page.rows if m.request_number == "WC-0000041"]
        assert len(subjects) == 6 and all("WC-0000041" in s for s in subjects)
        assert "this outbox is the record" in text_of(app, "#outbox-smtp")


async def test_reject_needs_a_reason_and_the_clerk_sees_it(office):
    from tui.screens.case_detail import CaseDetailScreen
    from tui.screens.decisions import RejectScreen

    store, clerk, _, reviewer = office
    case_id = make_case(store, clerk, n=51)
    app = SignedInApp(store, reviewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_detail(pilot, case_id)
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, RejectScreen)
        await pilot.press("enter")  # no reason
        await settle(pilot)
        assert isinstance(app.screen, RejectScreen)
        assert "specific reason" in text_of(app, "#error-reject-reason")
        assert app.screen.query_one("#field-reject-reason").has_class("-invalid")
        assert case_row(store, case_id).status is RequestStatus.PENDING
        await pilot.press(*"Member not eligible on 03/10/2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert "Member not eligible" in text_of(app, "#case-numbers")
    req = case_row(store, case_id)
    assert req.status is RequestStatus.REJECTED and req.reject_reason == "Member not eligible on 03/10/2026"
    assert len(letters(store, case_id)) == 1

    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_detail(pilot, case_id)
        assert "Rejected" in text_of(app, "#case-title")
        assert "Reason for rejection: Member not eligible" in text_of(app, "#case-numbers")
        assert "Copy to new draft" in shown_bindings(app)
        assert "Reject" not in shown_bindings(app)


async def test_change_urgency_restarts_the_clock(office):
    from tui.screens.decisions import UrgencyScreen

    store, clerk, _, reviewer = office
    case_id = make_case(store, clerk, n=55)
    app = SignedInApp(store, reviewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_detail(pilot, case_id)
        assert "in 6d 18h" in text_of(app, "#case-clock")
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, UrgencyScreen)
        await pilot.press(*"Chemo starts Friday", "enter")
        await settle(pilot)
        assert "in 2d 18h" in text_of(app, "#case-clock")  # 72 h after submission
    req = case_row(store, case_id)
    assert req.urgency is Urgency.EXPEDITED and req.decision_due_at == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "outcome_steps,field,typed,message",
    [
        (0, "units", "99", "cannot be more than the 12 requested"),
        (1, "units", "-3", "must be 1 or more"),
        (0, "units", "lots", "is not a whole number"),
        (0, "from-date", "03/01/2026", "must fall within the requested dates"),
        (0, "to-date", "13/45/2026", "is not a date"),
        (2, "reason", "", "specific reason for the denial"),
    ],
)
async def test_bad_line_decisions_get_a_message_at_the_field(office, outcome_steps, field, typed, message):
    from tui.screens.decisions import DecideLineScreen

    store, clerk, _, reviewer = office
    case_id = make_case(store, clerk, n=61, status=RequestStatus.ACCEPTED,
                        lines=(("97110", 12, date(2026, 3, 10), date(2026, 4, 30)),))
    app = SignedInApp(store, reviewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_detail(pilot, case_id)
        await pilot.press("d")
        await pilot.pause()
        if outcome_steps:
            await choose_outcome(pilot, outcome_steps)
        app.screen.query_one(f"#field-{field}").focus()
        await replace_text(pilot, typed)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DecideLineScreen)  # still open, nothing typed is lost
        assert message in text_of(app, f"#error-{field}")
        assert app.screen.query_one(f"#field-{field}").has_class("-invalid")
        assert app.screen.query_one(f"#field-{field}").value == typed
    assert line_statuses(store, case_id) == [(LineStatus.REQUESTED, None, "")]


async def test_a_clerk_has_no_review_keys(office):
    store, clerk, _, _ = office
    case_id = make_case(store, clerk, n=71)
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Review queue" not in shown_bindings(app)
        await pilot.press("v")  # nothing happens
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"
        await open_detail(pilot, case_id)
        keys = shown_bindings(app)
        assert not {"Accept", "Reject", "Urgency", "Decide line"} & keys
        assert "Attach" in keys
        await pilot.press("A")  # hidden keys do nothing
        await settle(pilot)
    assert case_row(store, case_id).status is RequestStatus.PENDING


# ----- search -----


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("WC-0000081", "pending"),
        ("wc81", "pending"),
        ("SP0000082", "accepted"),
        ("sp 82", "accepted"),
        ("D-000083", "draft"),
        ("M2000081", "pending"),
        ("whitf", "pending"),
        ("Whitfield Dana", "pending"),
    ],
)
async def test_search_by_each_number_kind_and_name(office, monkeypatch, typed, expected):
    from tui.screens.case_detail import CaseDetailScreen
    from tui.screens.search import SearchScreen

    store, clerk, other, _ = office
    ids = {
        "pending": make_case(store, clerk, n=81, member=("M2000081", "Dana", "Whitfield")),
        "accepted": make_case(store, clerk, n=82, status=RequestStatus.ACCEPTED, member=("M2000082", "Lee", "Park")),
        "draft": make_case(store, clerk, n=83, status=RequestStatus.DRAFT, member=("M2000083", "Ana", "Cruz")),
    }
    make_case(store, other, n=84, org="SOUTH", member=("M2000084", "Dana", "Whitfield-South"))  # not visible
    resumed: list[int] = []
    monkeypatch.setattr(SignedInApp, "resume_draft", lambda self, request_id: resumed.append(request_id))

    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*typed)
        await settle(pilot)
        rows = app.screen.query_one("#search-results").rows_shown
        assert [r.id for r in rows] == [ids[expected]]
        await pilot.press("enter")
        await settle(pilot)
        if expected == "draft":
            assert resumed == [ids["draft"]]
        else:
            assert isinstance(app.screen, CaseDetailScreen) and app.screen.request_id == ids[expected]


async def test_search_as_you_type_arrow_into_results_and_no_match(office):
    from tui.screens.case_detail import CaseDetailScreen

    store, clerk, _, _ = office
    first = make_case(store, clerk, n=91, member=("M2000091", "Dana", "Whitfield"))
    second = make_case(store, clerk, n=92, member=("M2000092", "Dario", "Whitaker"))
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_screen("search")
        await settle(pilot)
        await pilot.press(*"whi")
        await settle(pilot)
        rows = app.screen.query_one("#search-results").rows_shown
        assert {r.id for r in rows} == {first, second}
        assert "2 cases" in text_of(app, "#search-status")
        await pilot.press("down")  # into the results
        await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.request_id == rows[1].id
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"zzz")
        await settle(pilot)
        assert "No case matches “zzz”" in text_of(app, "#search-status")


async def test_command_palette_finds_a_case_by_number(office):
    from tui.screens.case_detail import CaseDetailScreen

    store, clerk, _, _ = office
    case_id = make_case(store, clerk, n=95)
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"WC-0000095")
        for _ in range(40):  # the palette searches in the background
            await pilot.pause(0.05)
            hits = app.screen.query("CommandList")
            if hits and any("WC-0000095" in str(o.prompt) for o in hits.first()._options):
                break
        first = str(app.screen.query_one("CommandList").get_option_at_index(0).prompt)
        assert first.startswith("WC-0000095 · Whitfield, Dana")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen) and app.screen.request_id == case_id


# ----- the decision clock -----


async def test_overdue_is_highlighted_in_the_queue_and_on_the_case(office):
    from rich.text import Text

    store, clerk, _, reviewer = office
    late = make_case(store, clerk, n=101, submitted_at=datetime(2026, 2, 20, 9, 0, tzinfo=UTC))  # due 02/27
    on_time = make_case(store, clerk, n=102)  # due 03/09 09:00
    app = SignedInApp(store, reviewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_screen("review_queue")
        await settle(pilot)
        queue = app.screen.query_one("#queue-list-pending")
        assert [r.id for r in queue.rows_shown] == [late, on_time]
        late_due = queue.get_cell_at((0, 0))
        on_time_due = queue.get_cell_at((1, 0))
        assert isinstance(late_due, Text) and "overdue by 3d 5h" in late_due.plain and "red" in str(late_due.style)
        assert "in 6d 18h" in on_time_due.plain and "red" not in str(on_time_due.style)
        assert "1 overdue on this page" in text_of(app, "#queue-page-line")

        await pilot.press("enter")
        await settle(pilot)
        clock = app.screen.query_one("#case-clock")
        assert clock.has_class("-overdue")
        assert "Decision overdue by 3d 5h" in text_of(app, "#case-clock")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        clock = app.screen.query_one("#case-clock")
        assert not clock.has_class("-overdue")
        assert "Decision due 03/09/2026 09:00 — in 6d 18h" in text_of(app, "#case-clock")


async def test_queue_lines_to_decide_tab_and_paging(office, monkeypatch):
    import tui.screens.review_queue as review_queue

    store, clerk, _, reviewer = office
    monkeypatch.setattr(review_queue, "QUEUE_PAGE_SIZE", 2)
    pending = [make_case(store, clerk, n=110 + i, submitted_at=datetime(2026, 3, 1, i, 0, tzinfo=UTC))
               for i in range(3)]
    accepted = make_case(store, clerk, n=120, status=RequestStatus.ACCEPTED)
    app = SignedInApp(store, reviewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_screen("review_queue")
        await settle(pilot)
        queue = app.screen.query_one("#queue-list-pending")
        assert [r.id for r in queue.rows_shown] == pending[:2]
        assert "Page 1 of 2" in text_of(app, "#queue-page-line")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert [r.id for r in queue.rows_shown] == pending[2:]
        await pilot.press("2")
        await settle(pilot)
        lines = app.screen.query_one("#queue-list-lines")
        assert [r.id for r in lines.rows_shown] == [accepted]
        assert app.focused is lines


# ----- drafts and attachments (services of the wizard's owners) -----


async def test_cancel_a_draft_after_confirming(office):
    from tui.screens.decisions import ConfirmScreen

    store, clerk, _, _ = office
    case_id = make_case(store, clerk, n=131, status=RequestStatus.DRAFT)
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f", *"D-000131")  # a draft found by search: i shows its details
        await settle(pilot)
        await pilot.press("down")
        assert "Details" in shown_bindings(app)
        await pilot.press("i")
        await settle(pilot)
        assert app.screen.request_id == case_id
        assert {"Edit draft", "Cancel draft"} <= shown_bindings(app)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert case_row(store, case_id).status is RequestStatus.DRAFT
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert "Cancelled" in text_of(app, "#case-title")
    assert case_row(store, case_id).status is RequestStatus.CANCELLED


async def test_copy_a_rejected_request_into_a_new_draft(office, monkeypatch):
    store, clerk, _, _ = office
    case_id = make_case(store, clerk, n=141, status=RequestStatus.REJECTED)
    resumed: list[int] = []
    monkeypatch.setattr(SignedInApp, "resume_draft", lambda self, request_id: resumed.append(request_id))
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_detail(pilot, case_id)
        await pilot.press("y")
        await settle(pilot)
    assert len(resumed) == 1 and resumed[0] != case_id
    copy = case_row(store, resumed[0])
    assert copy.status is RequestStatus.DRAFT and copy.member_name == "Whitfield, Dana"


async def test_attach_a_file_to_a_pending_case(office, tmp_path):
    from tui.screens.case_files import AttachFileScreen

    store, clerk, _, _ = office
    case_id = make_case(store, clerk, n=151)
    notes = tmp_path / "pt-notes.txt"
    notes.write_text("Physical therapy notes: 6 weeks, progress documented.\n")
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_detail(pilot, case_id)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AttachFileScreen)
        await pilot.press(*str(tmp_path / "missing.pdf"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, AttachFileScreen)  # refused at the field, nothing lost
        assert text_of(app, "#error-attachment") or text_of(app, "#error-form")
        app.screen.query_one("#field-attachment").value = str(notes)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "pt-notes.txt" in text_of(app, "#case-attachments")
    with store.session() as session:
        assert session.execute(
            select(func.count()).select_from(Attachment).where(Attachment.request_id == case_id)
        ).scalar_one() == 1


async def test_open_and_export_failures_are_messages(office, tmp_path, monkeypatch):
    from store.services.letters import store_content
    from tui.system_viewer import open_in_system_viewer

    store, clerk, _, _ = office
    case_id = make_case(store, clerk, n=161)
    sha, path = store_content(b"%PDF-1.4 letter", store.attachments_dir)
    with store.session() as session:
        session.add(Attachment(request_id=case_id, kind=AttachmentKind.LETTER, filename="letter.pdf",
                               media_type="application/pdf", size_bytes=15, sha256=sha, stored_path=str(path)))
    monkeypatch.setenv("AUTHDESK_OPEN_COMMAND", "false")
    assert "could not open the file (exit 1)" in open_in_system_viewer(path)
    monkeypatch.setenv("AUTHDESK_OPEN_COMMAND", "no-such-viewer-here")
    assert "not installed" in open_in_system_viewer(path)

    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_detail(pilot, case_id)
        await pilot.press("o")
        await settle(pilot)
        assert any("not installed" in n.message for n in app._notifications)
        await pilot.press("x")
        await pilot.pause()
        await replace_text(pilot, str(tmp_path / "nowhere"))
        await pilot.press("enter")
        await settle(pilot)
        assert "There is no folder" in text_of(app, "#error-folder")
        await replace_text(pilot, str(tmp_path))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("x")  # a second export of the same file does not overwrite
        await pilot.pause()
        await replace_text(pilot, str(tmp_path))
        await pilot.press("enter")
        await settle(pilot)
    assert (tmp_path / "letter.pdf").read_bytes() == b"%PDF-1.4 letter"
    assert (tmp_path / "letter (1).pdf").exists()


# ----- outbox, report, renewals -----


async def test_outbox_filters_shows_the_mail_sends_and_requeues(office):
    store, clerk, _, _ = office
    case_id = make_case(store, clerk, n=171)
    add_mail(store, case_id, OutboxStatus.SENT, "Sent one", 1)
    add_mail(store, case_id, OutboxStatus.FAILED, "Failed one", 2, error="550 mailbox unavailable")
    add_mail(store, case_id, OutboxStatus.QUEUED, "Queued one", 3)
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_screen("outbox")
        await settle(pilot)
        assert [m.subject for m in app.screen.page.rows] == ["Queued one", "Failed one", "Sent one"]
        assert "Subject: Queued one" in text_of(app, "#outbox-mail-head")
        assert "Queue again" not in shown_bindings(app)
        await pilot.press("4")
        await settle(pilot)
        assert [m.subject for m in app.screen.page.rows] == ["Failed one"]
        assert "550 mailbox unavailable" in text_of(app, "#outbox-mail-head")
        assert "Queue again" in shown_bindings(app)
        await pilot.press("q")
        await settle(pilot)
        assert app.screen.page.rows == ()
        await pilot.press("s")
        await settle(pilot)
        assert any("outbox is the record" in n.message for n in app._notifications)
        await pilot.press("2")
        await settle(pilot)
        assert {m.subject for m in app.screen.page.rows} == {"Queued one", "Failed one"}
        assert "Queued 2" in str(app.screen.query_one("#outbox-tab-queued").label)


async def test_report_for_a_period_and_bad_dates(office):
    from store.services.review import accept_request, reject_request

    store, clerk, _, reviewer = office
    a = make_case(store, clerk, n=181, submitted_at=datetime(2026, 2, 25, 9, 0, tzinfo=UTC))
    b = make_case(store, clerk, n=182, submitted_at=datetime(2026, 2, 26, 9, 0, tzinfo=UTC),
                  urgency=Urgency.EXPEDITED)
    with store.session() as session:
        accept_request(session, reviewer, a, attachments_dir=store.attachments_dir)
        reject_request(session, reviewer, b, "Duplicate of WC-0000181", attachments_dir=store.attachments_dir)
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_screen("report")
        await settle(pilot)
        assert app.screen.query_one("#report-from").value == "01/31/2026"
        assert app.screen.query_one("#report-to").value == "03/02/2026"
        table = app.screen.query_one("#report-table")
        total = [str(c) for c in table.get_row("total")]
        assert total[:4] == ["Total", "2", "0 (0%)", "1 (50%)"]
        assert [str(c) for c in table.get_row("expedited")][:4] == ["Expedited", "1", "0 (0%)", "1 (100%)"]
        assert total[6] == "1 (50%)"  # accepted, lines not decided yet

        app.screen.query_one("#report-from").focus()
        await replace_text(pilot, "02/30/2026")
        await pilot.press("enter")
        await settle(pilot)
        assert "is not a date" in text_of(app, "#report-from-error")
        await replace_text(pilot, "03/05/2026")
        await pilot.press("enter")
        await settle(pilot)
        assert "before its start" in text_of(app, "#report-to-error")
        assert text_of(app, "#report-from-error") == ""


async def test_renewals_list_and_open(office):
    from store.services.review import accept_request, decide_line
    from tui.screens.case_detail import CaseDetailScreen

    store, clerk, _, reviewer = office
    case_id = make_case(store, clerk, n=191, lines=(("97110", 12, date(2026, 3, 2), date(2026, 3, 20)),))
    with store.session() as session:
        accept_request(session, reviewer, case_id, attachments_dir=store.attachments_dir)
        decide_line(session, reviewer, case_id, line_ids(store, case_id)[0], "A1", units=12,
                    from_date=date(2026, 3, 2), to_date=date(2026, 3, 6), attachments_dir=store.attachments_dir)
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_screen("renewals")
        await settle(pilot)
        assert "1 authorized line(s) end within 30 days" in text_of(app, "#renewals-status")
        table = app.screen.query_one("#renewals-table")
        assert str(table.get_cell_at((0, 0))) == "03/06/26 · 4 days"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen) and app.screen.request_id == case_id


# ----- housekeeping in the app -----


async def test_app_housekeeping_expires_old_drafts_in_a_worker(office, monkeypatch):
    store, clerk, _, _ = office
    old = make_case(store, clerk, n=201, status=RequestStatus.DRAFT,
                    created_at=datetime(2026, 2, 20, 9, 0, tzinfo=UTC))
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app._housekeeping_timer is None  # AUTHDESK_HOUSEKEEPING_MINUTES=0: off
        app.run_housekeeping()
        await settle(pilot)
    assert case_row(store, old).status is RequestStatus.EXPIRED


def test_housekeeping_interval_from_the_environment(monkeypatch):
    from store.config import ConfigError
    from tui.app import DEFAULT_HOUSEKEEPING_MINUTES, housekeeping_minutes

    monkeypatch.setenv("AUTHDESK_HOUSEKEEPING_MINUTES", "0")
    assert housekeeping_minutes() == 0
    monkeypatch.setenv("AUTHDESK_HOUSEKEEPING_MINUTES", "2.5")
    assert housekeeping_minutes() == 2.5
    monkeypatch.setenv("AUTHDESK_HOUSEKEEPING_MINUTES", "soon")
    with pytest.raises(ConfigError, match="AUTHDESK_HOUSEKEEPING_MINUTES: housekeeping.interval_minutes must be"):
        housekeeping_minutes()  # a bad value is one clear line at start-up, not a silent default
    monkeypatch.delenv("AUTHDESK_HOUSEKEEPING_MINUTES")
    assert housekeeping_minutes() == DEFAULT_HOUSEKEEPING_MINUTES


async def test_housekeeping_timer_starts_after_sign_in(office, monkeypatch):
    store, clerk, _, _ = office
    monkeypatch.setenv("AUTHDESK_HOUSEKEEPING_MINUTES", "5")
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app._housekeeping_timer is not None
        assert app._housekeeping_timer._interval == timedelta(minutes=5).total_seconds()


async def test_send_now_with_the_mail_server_down_keeps_the_mail(office, monkeypatch):
    import socket

    store, clerk, _, _ = office
    case_id = make_case(store, clerk, n=211)
    add_mail(store, case_id, OutboxStatus.QUEUED, "Queued one", 1)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("AUTHDESK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("AUTHDESK_SMTP_PORT", str(port))
    monkeypatch.setenv("AUTHDESK_SMTP_TIMEOUT", "2")
    app = SignedInApp(store, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_screen("outbox")
        await settle(pilot)
        assert f"SMTP 127.0.0.1:{port}" in text_of(app, "#outbox-smtp")
        await pilot.press("s")
        await settle(pilot)
        assert any("0 sent, 1 failed (will retry)" in n.message for n in app._notifications)
        mail = app.screen.highlighted
        assert mail.status is OutboxStatus.QUEUED and mail.attempts == 1 and mail.last_error
        assert "Last error:" in text_of(app, "#outbox-mail-head")
