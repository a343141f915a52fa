"""The audit log screen: reviewers and admins read, filter and export it; clerks do not see it."""

from __future__ import annotations

from store.services.audit import AuditAction, record
from tests.tui.conftest import SIZE, settle, text_of


def _log(store, clerk, reviewer):
    with store.session() as session:
        record(session, AuditAction.SIGNED_IN, clerk)
        record(session, AuditAction.OPENED_FILE, clerk, case_number="WC-0000001", detail="letter")
        record(session, AuditAction.SIGNED_IN, reviewer)


async def test_reviewer_reads_filters_and_exports_the_log(office, signed_in_app, tmp_path):
    from textual.widgets import DataTable

    store, clerk, _, reviewer = office
    _log(store, clerk, reviewer)
    app = signed_in_app(store, reviewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_screen("audit")
        await settle(pilot)
        table = app.screen.query_one("#audit-table", DataTable)
        assert table.row_count == 3
        assert "3 event(s)" in text_of(app, "#audit-page-line")
        app.screen.query_one("#audit-action").focus()
        await pilot.press(*"opened-file", "enter")
        await settle(pilot)
        assert table.row_count == 1
        assert table.get_row_at(0)[1:5] == ["opened-file", clerk.username, "NORTH", "WC-0000001"]
        app.screen.query_one("#audit-since").value = "last week"
        app.screen.query_one("#audit-since").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "is not a date" in text_of(app, "#audit-error")
        app.screen.query_one("#audit-since").value = "7d"
        target = tmp_path / "audit.csv"
        app.screen.query_one("#audit-export").value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("at,action") and len(lines) == 2 and ",opened-file," in lines[1]


def test_only_reviewers_and_admins_find_it_in_the_palette(office):
    from tui.commands import _commands

    store, clerk, _, reviewer = office

    class FakeApp:
        def __init__(self, user):
            self.user = user

        def __getattr__(self, name):  # every other app action the palette lists
            return lambda *args: None

    assert "Audit log" in [name for name, _, _ in _commands(FakeApp(reviewer))]
    assert "Audit log" not in [name for name, _, _ in _commands(FakeApp(clerk))]
