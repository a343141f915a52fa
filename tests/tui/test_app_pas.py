"""Da Vinci PAS from the app (Pilot): a clerk exports a case's Bundle, a reviewer imports the payer's answer.

The same services as the command line (tests/test_cli_pas.py); here the keys
a clerk and a reviewer press, then the files and the database are checked.
"""

from __future__ import annotations

import json

import pytest

from store.enums import LineStatus, RequestKind, RequestStatus
from store.fhir.response import ItemAnswer, build_response_bundle
from store.services.cases import get_case
from tests.store.pas_cases import make_office, submit_case
from tests.tui.conftest import SIZE, SignedInApp, settle, text_of


@pytest.fixture
def pas_office(sqlite_store, tmp_path, frozen_now):
    """A clerk's submitted service request; returns (office, request_id, webcert_number)."""
    office = make_office(sqlite_store, tmp_path)
    request_id = submit_case(office, RequestKind.SERVICE)
    with sqlite_store.session() as s:
        number = get_case(s, office.clerk, request_id).webcert_number
    return office, request_id, number


async def replace_text(pilot, text: str) -> None:
    await pilot.press("end", "ctrl+u")
    await pilot.press(*text)


async def test_clerk_exports_the_case_as_a_pas_bundle_from_case_detail(pas_office, tmp_path):
    from tui.screens.pas import ExportPasScreen

    office, request_id, number = pas_office
    out = tmp_path / "out"
    out.mkdir()
    app = SignedInApp(office.store, office.clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(request_id)
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ExportPasScreen)
        assert app.screen.text("path").endswith(f"{number}-pas.json")
        await replace_text(pilot, str(out / "nowhere" / "x.json"))
        await pilot.press("enter")
        await settle(pilot)
        assert (out / "nowhere" / "x.json").exists()  # the folder is created
        assert not isinstance(app.screen, ExportPasScreen)
        await pilot.press("p")
        await settle(pilot)
        await replace_text(pilot, str(out))  # a folder: the Bundle gets its own name
        await pilot.press("enter")
        await settle(pilot)
    bundle = json.loads((out / f"{number}-pas.json").read_text())
    assert bundle["resourceType"] == "Bundle"
    claim = bundle["entry"][0]["resource"]
    assert claim["resourceType"] == "Claim" and claim["use"] == "preauthorization"
    assert claim["identifier"][0]["value"] == number


async def test_export_refusal_shows_at_the_field(pas_office, tmp_path):
    from tui.screens.pas import ExportPasScreen

    office, request_id, _ = pas_office
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    app = SignedInApp(office.store, office.clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(request_id)
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await replace_text(pilot, str(blocker / "sub" / "x.json"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExportPasScreen)  # nothing typed is lost
        shown = text_of(app, "#error-path") + text_of(app, "#error-form")
        assert "Cannot write" in shown


async def test_drafts_have_no_pas_export_key(pas_office):
    from store.forms import DraftForm
    from store.services.drafts import save_draft

    office, _, _ = pas_office
    with office.store.session() as s:
        draft = save_draft(s, office.clerk, DraftForm(kind=RequestKind.SERVICE))
    app = SignedInApp(office.store, office.clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(draft.request_id)
        await settle(pilot)
        assert "p" not in {k for k, b in app.screen.active_bindings.items() if b.enabled}
        await pilot.press("p")
        await settle(pilot)
        assert type(app.screen).__name__ == "CaseDetailScreen"


async def test_reviewer_imports_a_claim_response_in_the_app(pas_office, tmp_path):
    from store.services.fhir_export import export_pas_bundle
    from tui.screens.pas import ImportDecisionsScreen
    from tui.screens.review_queue import ReviewQueueScreen

    office, request_id, number = pas_office
    with office.store.session() as s:
        request = export_pas_bundle(s, office.clerk, request_id)
    response = tmp_path / "response.json"
    response.write_text(json.dumps(build_response_bundle(request, [ItemAnswer(1, "A1", units=1)])))
    app = SignedInApp(office.store, office.reviewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_screen("review_queue")
        await settle(pilot)
        assert isinstance(app.screen, ReviewQueueScreen)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ImportDecisionsScreen)
        await pilot.press(*str(response), "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewQueueScreen)
        notes = [n.message for n in app._notifications]
        assert "1 file(s): 1 applied, 0 unchanged, 0 refused" in notes
    with office.store.session() as s:
        case = get_case(s, office.reviewer, request_id)
    assert case.status is RequestStatus.ACCEPTED
    assert LineStatus(case.lines[0].status) is LineStatus.APPROVED


async def test_a_refused_response_keeps_the_dialog_open_with_its_problem(pas_office, tmp_path):
    from tui.screens.pas import ImportDecisionsScreen

    office, request_id, _ = pas_office
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    app = SignedInApp(office.store, office.reviewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.import_decisions()
        await settle(pilot)
        await pilot.press(*str(bad), "enter")
        await settle(pilot)
        assert isinstance(app.screen, ImportDecisionsScreen)
        report = text_of(app, "#import-report")
        assert "1 file(s): 0 applied, 0 unchanged, 1 refused" in report
        assert "bad.json: not a FHIR Bundle" in report
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ImportDecisionsScreen)
    with office.store.session() as s:
        assert get_case(s, office.reviewer, request_id).status is RequestStatus.PENDING


async def test_clerks_cannot_import_decisions(pas_office):
    office, _, _ = pas_office
    app = SignedInApp(office.store, office.clerk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.import_decisions()
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"
        assert any("reviewer" in n.message for n in app._notifications)
