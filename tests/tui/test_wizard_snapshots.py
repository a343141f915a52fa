"""How the wizard looks: each step, the review page with missing items, the result screen.

Frozen time, fixed data, UTC clock, no cursor blink, idle autosave off.
"""

from __future__ import annotations


import pytest

from tests.tui.test_wizard import (  # noqa: F401 - fixtures shared with the keyboard tests
    Clerk,
    WizardTestApp,
    _slow_autosave,
    answer_clinical_questions,
    member_step,
    office,
)
from tests.tui.conftest import snapshot_ready, wait_until

SIZE = (120, 36)
SMALL = (80, 24)


@pytest.fixture
def clinical_pdf(tmp_path_factory):
    """The same small PDF as the keyboard tests (its path never shows once attached)."""
    path = tmp_path_factory.mktemp("snapshot-files") / "progress-notes.pdf"
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return path


@pytest.fixture
def snapshot_office(office, frozen_now):
    """The office of the keyboard tests, at the frozen instant."""
    return office


def _steady(app) -> None:
    from textual.widgets import Input

    for field in app.screen.query(Input):
        field.cursor_blink = False
    app.clear_notifications()  # toasts are timed: never in a snapshot


async def _fill_to(pilot, step: int, pdf) -> None:
    """The standard outpatient request, filled up to ``step`` (0-based)."""
    from store.enums import CareSetting
    from store.services.reference import categories, treatment_types

    clerk = Clerk(pilot)
    await clerk.new_request()
    await clerk.press("s")
    if step == 0:
        await clerk.type("M1000001")
        await clerk.press("enter")
        await clerk.type("03/09/2026")
        await clerk.settle()
        _steady(pilot.app)
        return
    await member_step(clerk, "M1000001", "03/09/2026")
    if step == 1:
        await clerk.type("Ortho")
        _steady(pilot.app)
        return
    await clerk.type("Ortho")
    await clerk.press("enter")
    category = categories(CareSetting.OUTPATIENT)[0]
    await clerk.press(category[0].lower(), "enter")
    if clerk.focused_id == "treatment-type":
        await clerk.press(treatment_types(category)[0][0].lower(), "enter")
    await clerk.type("11")
    await clerk.press("enter")
    await clerk.type("M17.11")
    await clerk.press("enter", "enter")
    await clerk.type("27447")
    await clerk.press("enter")
    if step == 2:
        _steady(pilot.app)
        return
    await clerk.press("enter")
    if step == 3:
        _steady(pilot.app)
        return
    await clerk.press("enter")
    await answer_clinical_questions(clerk)
    await clerk.type(str(pdf))
    await clerk.press("enter")
    if step == 4:
        _steady(pilot.app)
        return
    await clerk.press("enter")
    if step == 5:
        _steady(pilot.app)
        return
    await clerk.press("enter")
    if step == 6:
        _steady(pilot.app)
        return
    await clerk.press("enter")  # submit
    from tui.screens.submitted import SubmittedScreen

    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SubmittedScreen), "the submitted screen")
    await snapshot_ready(pilot)


@pytest.mark.parametrize("step", range(7))
def test_wizard_step_snapshot(snap_compare, snapshot_office, clinical_pdf, code_index, step):
    store, user = snapshot_office

    async def run_before(pilot) -> None:
        await _fill_to(pilot, step, clinical_pdf)

    assert snap_compare(WizardTestApp(store, user), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("step", [0, 2, 3, 4, 6])
def test_wizard_step_at_80x24_snapshot(snap_compare, snapshot_office, clinical_pdf, code_index, step):
    """The Services and Urgency steps on the smallest supported terminal (member banner, [x] criteria)."""
    store, user = snapshot_office

    async def run_before(pilot) -> None:
        await _fill_to(pilot, step, clinical_pdf)

    assert snap_compare(WizardTestApp(store, user), terminal_size=SMALL, run_before=run_before)


def test_review_with_missing_items_snapshot(snap_compare, snapshot_office):
    store, user = snapshot_office

    async def run_before(pilot) -> None:
        clerk = Clerk(pilot)
        await clerk.new_request()
        await clerk.press("s")
        await member_step(clerk, "M1000001", "03/09/2026")
        await clerk.press("f7")
        _steady(pilot.app)

    assert snap_compare(WizardTestApp(store, user), terminal_size=SIZE, run_before=run_before)


def test_submitted_result_snapshot(snap_compare, snapshot_office, clinical_pdf, code_index):
    store, user = snapshot_office

    async def run_before(pilot) -> None:
        await _fill_to(pilot, 7, clinical_pdf)

    assert snap_compare(WizardTestApp(store, user), terminal_size=SIZE, run_before=run_before)
