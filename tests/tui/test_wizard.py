"""The request wizard, driven by keyboard only (Pilot), then checked in the database.

Every test starts where a clerk starts: signed in, on the dashboard (or, until
the dashboard exists, with ``app.new_request()`` standing in for its ``n``).
Keys are pressed through :class:`Clerk`, which counts the keys a clerk presses
beyond the data typed from the fax.
"""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select
from textual.screen import Screen

from store.enums import CoverageOrder, RequestKind, RequestStatus
from tests.factories import make_member, make_provider, make_user
from tests.tui.conftest import wait_until, workers_done
from tui.app import AuthDeskApp

APP_CSS = str(Path(__file__).resolve().parents[2] / "tui" / "app.tcss")

NORTH_NPI = "1234567893"
ORTHO_NPI = "1245319599"
HOSPITAL_NPI = "1679576722"
BAD_NPI = "1234567890"  # right length, wrong check digit

HAS_DASHBOARD = importlib.util.find_spec("tui.screens.dashboard") is not None


class WizardTestApp(AuthDeskApp):
    """The real app, signed in as ``user`` without the sign-in screen."""

    CSS_PATH = APP_CSS

    def __init__(self, store, user) -> None:
        super().__init__(store)
        self._test_user = user

    def on_mount(self, event) -> None:
        event.prevent_default()  # no sign-in screen: the test signs in
        self.idle_lock_minutes = 0
        if HAS_DASHBOARD:
            from tui.messages import SignedIn

            self.post_message(SignedIn(self._test_user))
        else:
            self.user = self._test_user
            self.push_screen(Screen())


class Clerk:
    """Presses keys like a clerk and counts the ones that are not data."""

    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.app = pilot.app
        self.keys = 0

    async def settle(self) -> None:
        """Let workers finish and their messages be handled."""
        for _ in range(4):
            await self.pilot.pause()
            await workers_done(self.app)
        await self.pilot.pause()

    async def press(self, *keys: str) -> None:
        """Press keys that count (navigation, choices, Enter …)."""
        for key in keys:
            self.keys += 1
            await self.pilot.press(key)
            await self.settle()

    async def type(self, text: str) -> None:
        """Type data from the fax (not counted)."""
        await self.pilot.press(*text)
        await self.settle()

    async def new_request(self) -> None:
        """``n`` on the dashboard."""
        await self.settle()
        if HAS_DASHBOARD:
            await self.press("n")
        else:
            self.keys += 1  # the dashboard's n
            self.app.new_request()
            await self.settle()

    @property
    def screen(self):
        """The screen on top."""
        return self.app.screen

    @property
    def focused_id(self) -> str:
        """Id of the focused widget."""
        return getattr(self.app.focused, "id", None) or ""


@pytest.fixture
def office(sqlite_store, frozen_now):
    """A clerk in organization NORTH, members in every coverage state, three providers."""
    user = make_user(sqlite_store, "clerk1", org="NORTH", full_name="Casey Clerk",
                     email="casey@north.example", phone="414-555-0100", fax="414-555-0101")
    make_member(sqlite_store, "M1000001")
    make_member(sqlite_store, "M2000002", first="Lee", last="Second",
                coverages=((date(2025, 1, 1), None, CoverageOrder.SECONDARY),))
    make_member(sqlite_store, "M3000003", first="Pat", last="Lapsed",
                coverages=((date(2024, 1, 1), date(2025, 12, 31), CoverageOrder.PRIMARY),))
    make_member(sqlite_store, "M4000004", first="Mia", last="Mother", birth=date(1994, 2, 3))
    make_provider(sqlite_store, NORTH_NPI, "P1001", "Dr. Ana North", org_code="NORTH", specialty="Family medicine")
    make_provider(sqlite_store, ORTHO_NPI, "P2002", "Dr. Ben Ortho", org_code="SOUTH", specialty="Orthopedics")
    make_provider(sqlite_store, HOSPITAL_NPI, "F3003", "Lakeshore General Hospital", org_code="SOUTH",
                  facility=True, specialty="Hospital")
    return sqlite_store, user


@pytest.fixture
def clinical_pdf(tmp_path) -> Path:
    """A small real PDF (content decides the type, not the name)."""
    path = tmp_path / "progress-notes.pdf"
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return path


@pytest.fixture(autouse=True)
def _slow_autosave(monkeypatch):
    """Idle autosave only where a test asks for it (keeps runs deterministic)."""
    from tui.screens.wizard import WizardScreen

    monkeypatch.setattr(WizardScreen, "AUTOSAVE_SECONDS", 3600.0)
    monkeypatch.setattr(WizardScreen, "AUTOSAVE_MAX_SECONDS", 3600.0)


def wizard(clerk: Clerk):
    """The wizard screen on top."""
    from tui.screens.wizard import WizardScreen

    assert isinstance(clerk.screen, WizardScreen), clerk.screen
    return clerk.screen


def error_text(clerk: Clerk, field_id: str) -> str:
    """The message shown under a field."""
    from textual.widgets import Static

    static = clerk.screen.query_one(f"#{field_id}-error", Static)
    return str(static.render())


async def choose(clerk: Clerk, text: str) -> None:
    """Type letters into the focused choice (opens its list) and take it with Enter; every key counts."""
    for letter in text:
        await clerk.press(letter)
    await clerk.press("enter")


async def answer_clinical_questions(clerk: Clerk) -> None:
    """Answer every question the clinical step shows (``y`` on yes/no; each key counts)."""
    from tui.widgets.wizard_fields import YesNoField

    screen = wizard(clerk)
    for _ in range(20):
        pending = [w for w in screen.query(YesNoField) if not w.value]
        if not pending:
            return
        assert clerk.app.focused is pending[0], "Enter order reaches each unanswered question"
        await clerk.press("y")


async def member_step(clerk: Clerk, member_id: str, start: str) -> None:
    await clerk.type(member_id)
    await clerk.press("enter")
    await clerk.type(start)
    await clerk.press("enter")


async def standard_outpatient(clerk: Clerk, pdf: Path) -> None:
    """One member, one diagnosis, one CPT line, one attachment — Enter all the way."""
    from store.enums import CareSetting
    from store.services.reference import categories, treatment_types

    await clerk.new_request()
    await clerk.press("s")  # Service / procedure
    assert clerk.focused_id == "member-id"
    await member_step(clerk, "M1000001", "03/09/2026")
    assert wizard(clerk).step == 1
    # The requesting provider is the clerk's organization's; the servicing one is searched.
    assert clerk.focused_id == "servicing-provider"
    await clerk.type("Ortho")
    await clerk.press("enter")
    assert wizard(clerk).step == 2
    category = categories(CareSetting.OUTPATIENT)[0]
    assert clerk.focused_id == "category"
    await choose(clerk, category[:1])
    treatment = clerk.screen.query_one("#treatment-type")
    if clerk.focused_id == "treatment-type":
        await choose(clerk, treatment_types(category)[0][:1])
    assert clerk.focused_id == "place-of-service"
    await clerk.type("11")
    await clerk.press("enter")
    assert clerk.focused_id == "diagnosis-search"  # the end date defaults to the start date
    await clerk.type("M17.11")
    await clerk.press("enter")
    await clerk.press("enter")
    assert clerk.focused_id == "line-code"
    await clerk.type("27447")
    await clerk.press("enter")
    await clerk.press("enter")
    assert wizard(clerk).step == 3, treatment
    await clerk.press("enter")  # standard urgency
    assert wizard(clerk).step == 4
    await answer_clinical_questions(clerk)
    assert clerk.focused_id == "attachment-add"
    await clerk.type(str(pdf))
    await clerk.press("enter")
    await clerk.press("enter")
    assert wizard(clerk).step == 5
    await clerk.press("enter")  # contact prefilled from the user
    assert wizard(clerk).step == 6
    assert clerk.focused_id == "submit", wizard(clerk)._all_missing()
    await clerk.press("enter")


async def test_standard_outpatient_request_in_few_keys(office, clinical_pdf, code_index):
    store, user = office
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await standard_outpatient(clerk, clinical_pdf)
        from tui.screens.submitted import SubmittedScreen

        assert isinstance(clerk.screen, SubmittedScreen)
        print(f"keys beyond typed data: {clerk.keys}")
        assert clerk.keys <= 25
        result = clerk.screen.result

    from store.models import Attachment, AuthRequest, CaseEvent, DiagnosisLine, OutboxMail, ServiceLine

    with store.session() as session:
        request = session.exec(select(AuthRequest)).one()
        assert request.status is RequestStatus.PENDING or request.status == RequestStatus.PENDING
        assert request.webcert_number == result.webcert_number and request.webcert_number.startswith("WC-")
        assert request.auth_number == result.auth_number and request.auth_number.startswith("SP")
        assert request.draft_number.startswith("D-")
        assert request.member_id_entered == "M1000001"
        assert request.start_date == date(2026, 3, 9) and request.end_date == date(2026, 3, 9)
        assert request.place_of_service == "11"
        diagnoses = session.exec(select(DiagnosisLine).where(DiagnosisLine.request_id == request.id)).all()
        assert [(d.code.replace(".", ""), d.is_primary) for d in diagnoses] == [("M1711", True)]
        lines = session.exec(select(ServiceLine).where(ServiceLine.request_id == request.id)).all()
        assert [(x.code, x.requested_units, x.from_date) for x in lines] == [("27447", 1, date(2026, 3, 9))]
        attachments = session.exec(select(Attachment).where(Attachment.request_id == request.id)).all()
        assert [a.filename for a in attachments] == ["progress-notes.pdf"]
        assert attachments[0].media_type == "application/pdf"
        events = session.exec(select(CaseEvent).where(CaseEvent.request_id == request.id)).all()
        assert events, "the submission is on the timeline"
        mails = session.exec(select(OutboxMail).where(OutboxMail.request_id == request.id)).all()
        assert any(result.webcert_number in m.subject + m.body for m in mails) if hasattr(OutboxMail, "body") \
            else mails


async def _services_for_kind(clerk: Clerk, kind: RequestKind) -> None:
    """Fill step 3 for ``kind`` by keyboard (choices by their first letters)."""
    from store.services.reference import categories, delivery_types, default_care_setting, treatment_types

    setting = default_care_setting(kind)
    for _ in range(12):
        field = clerk.focused_id
        if field == "category":
            await choose(clerk, categories(setting)[0][:1])
        elif field == "treatment-type":
            category = clerk.screen.query_one("#category").value
            await choose(clerk, treatment_types(category)[0][:1])
        elif field == "place-of-service":
            await clerk.type("21" if kind.is_inpatient else "11")
            await clerk.press("enter")
        elif field == "end-date":
            await clerk.type("03/06/2026")
            await clerk.press("enter")
        elif field == "admission-at":
            await clerk.type("03/02/2026 09:15")
            await clerk.press("enter")
        elif field == "mother-member-id":
            await clerk.type("M4000004")
            await clerk.press("enter")
        elif field == "delivery-date":
            await clerk.type("03/02/2026")
            await clerk.press("enter")
        elif field == "delivery-type":
            await choose(clerk, delivery_types()[0][:1])
        elif field == "birth-weight":
            await clerk.type("3250")
            await clerk.press("enter")
        elif field == "diagnosis-search":
            await clerk.type("Z38.00" if kind is RequestKind.NEWBORN else "M17.11")
            await clerk.press("enter", "enter")
        elif field == "line-code":
            await clerk.type("99223" if kind.is_inpatient else "27447")
            await clerk.press("enter", "enter")
            return
        else:
            raise AssertionError(f"unexpected field {field!r} in step 3")


# Keys beyond the typed data, dashboard to submitted, per kind (docs/clerk.md); a test fails if one grows.
KEYS_PER_KIND = {RequestKind.INPATIENT: 23, RequestKind.SERVICE: 22, RequestKind.EMERGENT_ADMISSION: 24,
                 RequestKind.NEWBORN: 28}


@pytest.mark.parametrize("kind, letter", [
    (RequestKind.INPATIENT, "i"),
    (RequestKind.SERVICE, "s"),
    (RequestKind.EMERGENT_ADMISSION, "e"),
    (RequestKind.NEWBORN, "n"),
])
async def test_each_kind_from_dashboard_to_submitted(office, clinical_pdf, code_index, kind, letter):
    store, user = office
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await clerk.new_request()
        await clerk.press(letter)
        assert wizard(clerk).kind is kind
        await member_step(clerk, "M1000001", "03/02/2026")
        assert clerk.focused_id == "servicing-provider"
        await clerk.type(ORTHO_NPI)
        await clerk.press("enter")
        if kind.is_inpatient:
            assert clerk.focused_id == "facility-provider"
            await clerk.type("Lakeshore")
            await clerk.press("enter")
        assert wizard(clerk).step == 2
        if kind is RequestKind.EMERGENT_ADMISSION:
            assert clerk.screen.query_one("#admitted-via-er").value is True  # the notice starts ticked
        await _services_for_kind(clerk, kind)
        assert wizard(clerk).step == 3
        await clerk.press("enter")
        await answer_clinical_questions(clerk)
        assert clerk.focused_id == "attachment-add"
        await clerk.type(str(clinical_pdf))
        await clerk.press("enter", "enter", "enter")
        assert wizard(clerk).step == 6, wizard(clerk)._all_missing()
        await clerk.press("f10")
        from tui.screens.submitted import SubmittedScreen

        assert isinstance(clerk.screen, SubmittedScreen), wizard(clerk)._all_missing()
        text = str(clerk.screen.query_one("#submitted-banner").render())
        assert "successfully submitted" in text
        print(f"keys beyond typed data for {kind.value}: {clerk.keys}")  # docs/clerk.md lists them
        assert clerk.keys <= KEYS_PER_KIND[kind]

    from store.models import Attachment, AuthRequest, ServiceLine

    with store.session() as session:
        request = session.exec(select(AuthRequest)).one()
        assert request.kind == kind
        assert request.status == RequestStatus.PENDING
        assert request.auth_number.startswith(kind.auth_prefix)
        assert request.webcert_number.startswith("WC-")
        if kind.is_inpatient:
            assert request.facility_provider_id is not None
        if kind is RequestKind.NEWBORN:
            # The mother is the member of step 1 (store.services.newborn: typed once, copied by the store).
            assert request.mother_member_id == "M1000001" and request.birth_weight_grams == 3250
        if kind is RequestKind.EMERGENT_ADMISSION:
            assert request.admitted_via_er and request.admission_at is not None
        assert session.exec(select(ServiceLine).where(ServiceLine.request_id == request.id)).all()
        assert session.exec(select(Attachment).where(Attachment.request_id == request.id)).all()


async def _open_wizard(clerk: Clerk, letter: str = "s") -> None:
    await clerk.new_request()
    await clerk.press(letter)


@pytest.mark.parametrize("member_id, words", [
    ("M2000002", "secondary"),
    ("M3000003", "coverage"),
    ("Z9999999", "member"),
])
async def test_ineligible_member_is_stopped_at_the_field(office, member_id, words):
    store, user = office
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await _open_wizard(clerk)
        await member_step(clerk, member_id, "03/02/2026")
        screen = wizard(clerk)
        assert screen.step == 0, "an ineligible member stops the request"
        assert clerk.focused_id == "member-id"
        message = error_text(clerk, "member-id")
        assert words in message.lower()
        assert screen.query_one("#member-id").has_class("-invalid")
        assert any(item.field == "member-id" for item in screen._all_missing())


async def test_bad_npi_check_digit_is_refused(office):
    store, user = office
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await _open_wizard(clerk)
        await member_step(clerk, "M1000001", "03/02/2026")
        await clerk.type(BAD_NPI)
        await clerk.press("enter")
        assert wizard(clerk).step == 1
        assert "check digit" in error_text(clerk, "servicing-provider").lower()
        assert clerk.screen.query_one("#servicing-provider").value == BAD_NPI


async def _to_services(clerk: Clerk) -> None:
    await _open_wizard(clerk)
    await member_step(clerk, "M1000001", "03/02/2026")
    await clerk.type("Ortho")
    await clerk.press("enter")
    assert wizard(clerk).step == 2


async def test_code_rules_at_the_field(office, code_index):
    store, user = office
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await _to_services(clerk)
        screen = wizard(clerk)
        screen.query_one("#diagnosis-search").focus()
        await clerk.type("M17.1")  # a category, not a billable code
        await clerk.press("enter")
        assert "billable" in error_text(clerk, "diagnosis-search").lower()
        assert screen._diagnoses == []
        screen.query_one("#line-code").focus()
        await clerk.type("2744X")
        await clerk.press("enter")
        assert "cpt" in error_text(clerk, "line-code").lower()
        assert screen._lines == []


async def test_dates_and_units_rules_at_the_field(office, code_index):
    store, user = office
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await _to_services(clerk)
        screen = wizard(clerk)
        end = screen.query_one("#end-date")
        end.value = ""
        end.focus()
        await clerk.type("03/01/2026")
        await clerk.press("enter")
        assert end.has_class("-invalid")
        assert "before" in error_text(clerk, "end-date").lower()
        screen.query_one("#line-code").focus()
        await clerk.type("27447")
        await clerk.press("enter")
        units = screen.query_one("#line-0-units")
        assert units.value == "1"
        units.focus()
        await clerk.press("backspace")
        await clerk.type("0")
        await clerk.press("tab")
        assert units.has_class("-invalid")
        assert error_text(clerk, "line-0")
        form = screen.collect_form()
        assert form.end_date == date(2026, 3, 1), "a valid date stays, with its message"
        assert form.raw["line-0-units"] == "0", "invalid text is kept to be saved"


async def test_unsupported_file_is_refused_with_its_reason(office, tmp_path):
    store, user = office
    fake_pdf = tmp_path / "scan.pdf"
    fake_pdf.write_bytes(b"MZ\x90\x00 this is a program, not a PDF" * 10)
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await _open_wizard(clerk)
        await member_step(clerk, "M1000001", "03/02/2026")
        await clerk.press("f5")
        assert wizard(clerk).step == 4
        assert clerk.focused_id == "attachment-add"
        await clerk.type(str(fake_pdf))
        await clerk.press("enter")
        assert error_text(clerk, "attachment-add")
        assert wizard(clerk)._attachments == []
        screen = wizard(clerk)
        screen.query_one("#attachment-add").value = ""
        await clerk.type(str(tmp_path / "nowhere.pdf"))
        await clerk.press("enter")
        assert error_text(clerk, "attachment-add")


async def test_submit_stays_disabled_with_missing_items_that_jump(office):
    store, user = office
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await _open_wizard(clerk)
        await member_step(clerk, "M1000001", "03/02/2026")
        await clerk.press("f7")
        screen = wizard(clerk)
        assert screen.step == 6
        from textual.widgets import Button, OptionList

        assert screen.query_one("#submit", Button).disabled
        missing = screen.query_one("#missing-list", OptionList)
        assert missing.option_count >= 3
        fields = [item.field for item in screen._all_missing()]
        assert "servicing-provider" in fields
        assert clerk.focused_id == "missing-list"
        target = fields.index("servicing-provider")
        missing.highlighted = target
        await clerk.press("enter")
        assert screen.step == 1
        assert clerk.focused_id == "servicing-provider"
        await clerk.press("f10")  # not on review: goes there, does not submit
        assert screen.step == 6
        assert screen.query_one("#submit", Button).disabled


async def test_resume_draft_at_its_step_with_raw_text(office, code_index):
    store, user = office
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await _to_services(clerk)
        screen = wizard(clerk)
        screen.query_one("#end-date").value = ""
        screen.query_one("#end-date").focus()
        await clerk.type("13/45/2026")
        await clerk.press("ctrl+s")
        request_id = screen.request_id
        assert request_id is not None and screen.draft_number.startswith("D-")
        await clerk.press("escape")
        assert not isinstance(clerk.screen, type(screen))

        clerk.app.resume_draft(request_id)
        await clerk.settle()
        resumed = wizard(clerk)
        assert resumed.step == 2
        assert resumed.query_one("#end-date").value == "13/45/2026"
        assert resumed.query_one("#end-date").has_class("-invalid")
        # Steps 1 and 2 are built when visited; until then their values are the draft's.
        assert not resumed.query("#member-id")
        assert resumed.collect_form().member_id == "M1000001"
        await clerk.press("f1")
        assert resumed.query_one("#member-id").value == "M1000001"
        await clerk.press("f2")
        assert resumed.query_one("#servicing-provider-picker").provider.npi == ORTHO_NPI


async def test_conflicting_save_offers_reload(office):
    store, user = office
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await _open_wizard(clerk)
        await member_step(clerk, "M1000001", "03/02/2026")
        await clerk.press("ctrl+s")
        screen = wizard(clerk)
        request_id, version = screen.request_id, screen.version

        # Someone else saves the same draft meanwhile.
        from store.services.drafts import load_draft, save_draft

        with store.session() as session:
            form, saved = load_draft(session, user, request_id)
            form.benefits_reference = "THEIRS-1"
            save_draft(session, user, form, request_id=request_id, expected_version=saved.version)

        await clerk.press("f4")
        await clerk.type("MINE-2")
        await clerk.press("ctrl+s")
        from tui.widgets.wizard_dialogs import SaveConflictScreen

        assert isinstance(clerk.screen, SaveConflictScreen)
        await clerk.press("r")
        assert clerk.screen is screen
        assert screen.query_one("#benefits-reference").value == "THEIRS-1"
        assert screen.version > version


async def test_idle_typing_is_saved_after_a_pause(office, monkeypatch):
    from tui.screens.wizard import WizardScreen

    monkeypatch.setattr(WizardScreen, "AUTOSAVE_SECONDS", 0.2)
    store, user = office
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await _open_wizard(clerk)
        await clerk.type("M1000001")  # no save key, no step change
        screen = wizard(clerk)
        await wait_until(pilot, lambda: screen.request_id is not None and not screen._saving, "the pause saved")
        await clerk.settle()
        assert "saved" in str(screen.query_one("#wizard-title").render())

    from store.models import AuthRequest

    with store.session() as session:
        assert session.exec(select(AuthRequest)).one().member_id_entered == "M1000001"


async def test_typing_without_a_pause_is_still_saved(office, monkeypatch):
    """A clerk who never pauses for AUTOSAVE_SECONDS still has the typing saved within
    AUTOSAVE_MAX_SECONDS of the first unsaved key (here: at once; the pause never comes)."""
    from tui.screens.wizard import WizardScreen

    monkeypatch.setattr(WizardScreen, "AUTOSAVE_SECONDS", 3600.0)
    monkeypatch.setattr(WizardScreen, "AUTOSAVE_MAX_SECONDS", 0.0)
    store, user = office
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await _open_wizard(clerk)
        await clerk.type("M1000001")
        screen = wizard(clerk)
        await wait_until(pilot, lambda: screen.request_id is not None and not screen._saving, "a save ran")

    from store.models import AuthRequest

    with store.session() as session:
        assert session.exec(select(AuthRequest)).one().member_id_entered.startswith("M")


async def test_escape_without_typing_leaves_no_draft(office):
    store, user = office
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await _open_wizard(clerk)
        await clerk.press("escape")
        from tui.screens.wizard import WizardScreen

        assert not isinstance(clerk.screen, WizardScreen)

    from store.models import AuthRequest

    with store.session() as session:
        assert session.exec(select(AuthRequest)).all() == []


@pytest.mark.parametrize("key, kind", [
    ("1", RequestKind.INPATIENT), ("2", RequestKind.SERVICE), ("3", RequestKind.EMERGENT_ADMISSION),
    ("4", RequestKind.NEWBORN), ("i", RequestKind.INPATIENT), ("s", RequestKind.SERVICE),
    ("e", RequestKind.EMERGENT_ADMISSION), ("n", RequestKind.NEWBORN), ("enter", RequestKind.SERVICE),
    ("escape", None),
])
async def test_kind_picker_one_key(key, kind):
    from textual.app import App

    from tui.screens.kind_picker import KindPickerScreen

    results = []

    class PickerApp(App):
        def on_mount(self) -> None:
            self.push_screen(KindPickerScreen(open_wizard=False), results.append)

    async with PickerApp().run_test() as pilot:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
    assert results == [kind]


async def test_file_picker_opens_from_the_clinical_step(office):
    store, user = office
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await _open_wizard(clerk)
        await member_step(clerk, "M1000001", "03/02/2026")
        await clerk.press("ctrl+o")  # only on the clinical step
        from textual_fspicker import FileOpen

        assert not isinstance(clerk.screen, FileOpen)
        await clerk.press("f5")
        await clerk.press("ctrl+o")
        assert isinstance(clerk.screen, FileOpen)
        await clerk.press("escape")
        assert wizard(clerk).step == 4
        assert wizard(clerk)._attachments == []


async def test_shortcuts_banner_and_primary_diagnosis(office, code_index):
    """alt+d from another step, the member banner, p moves a diagnosis to the top, F3 on Services."""
    store, user = office
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await _open_wizard(clerk)
        await member_step(clerk, "M1000001", "03/02/2026")
        banner = clerk.screen.query_one("#member-banner")
        assert banner.display and banner.has_class("-shown")
        assert "DOB" in str(banner.render()) and "M1000001" in str(banner.render())
        await clerk.press("alt+d")  # from the Providers step
        assert wizard(clerk).step == 2 and clerk.focused_id == "diagnosis-search"
        for code in ("M17.11", "E11.9"):
            await clerk.type(code)
            await clerk.press("enter")
        assert [d.code for d in wizard(clerk)._diagnoses] == ["M17.11", "E11.9"]
        clerk.screen.query_one("#diagnosis-1").focus()
        await clerk.settle()
        await clerk.press("p")
        assert [(d.code, d.is_primary) for d in wizard(clerk)._diagnoses] == [("E11.9", True), ("M17.11", False)]
        assert clerk.focused_id == "diagnosis-0"
        await clerk.press("f3")  # the step we are on: its first field
        assert clerk.focused_id == "care-setting"
        await clerk.press("alt+l")
        assert clerk.focused_id == "line-code"


async def test_file_picker_takes_a_typed_path_and_remembers_the_folder(office, clinical_pdf):
    from tui.widgets.wizard_file_picker import AttachFileOpen

    store, user = office
    AttachFileOpen.last_folder = None
    app = WizardTestApp(store, user)
    async with app.run_test(size=(120, 36)) as pilot:
        clerk = Clerk(pilot)
        await _open_wizard(clerk)
        await member_step(clerk, "M1000001", "03/02/2026")
        await clerk.press("f5", "ctrl+o")
        assert isinstance(clerk.screen, AttachFileOpen)
        assert type(app.focused).__name__ == "TextInput"  # the name field, not the folder list
        await clerk.type(str(clinical_pdf))
        await clerk.press("enter")
        assert not isinstance(clerk.screen, AttachFileOpen)
        assert [a.filename for a in wizard(clerk)._attachments] == [clinical_pdf.name]
        assert AttachFileOpen.start_folder() == clinical_pdf.parent.resolve()
    AttachFileOpen.last_folder = None
