"""Property tests: a step shows a draft and reads it back unchanged; a save of an untouched draft writes it back as stored.

Each step widget is mounted once in a small app, and Hypothesis loads many
generated forms into it (``load``) and reads them back (``collect``). Values
the step shows differently from how they are stored (a phone formatted) must
read back the same every time, and :class:`DraftBaseline` must turn an
untouched form back into the stored one, field for field.
"""

from __future__ import annotations

import asyncio
import string
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult

from store.enums import ExpeditedCriterion, RequestKind, Urgency
from store.forms import DiagnosisInput, DraftForm, LineInput
from tui.screens.wizard.saver import DraftBaseline, merge_untouched
from tui.screens.wizard.steps import ContactStep, MemberStep, UrgencyStep

TEXT = st.text(alphabet=string.ascii_letters + string.digits + " -.'", max_size=20)
DATES = st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)))
PHONES = st.sampled_from(["", "414-555-0100", "(414) 555-0199", "4145550123", "call me", "+1 414 555 0100"])
EMAILS = st.sampled_from(["", "casey@north.example", "not-an-email", "a.b@c.org"])


@st.composite
def forms(draw) -> DraftForm:
    """A draft of any kind with the fields of the member, urgency and contact steps filled at random."""
    form = DraftForm(kind=draw(st.sampled_from(list(RequestKind))))
    form.member_id = draw(TEXT).strip()
    form.medicaid_id = draw(TEXT).strip()
    form.start_date = draw(DATES)
    form.urgency = draw(st.sampled_from(list(Urgency)))
    form.expedited_reasons = draw(st.lists(st.sampled_from([c.value for c in ExpeditedCriterion]), unique=True))
    form.benefits_reference = draw(TEXT).strip()
    form.contact_name = draw(TEXT).strip()
    form.contact_phone = draw(PHONES)
    form.contact_phone_ext = draw(st.sampled_from(["", "12", "123456"]))
    form.contact_fax = draw(PHONES)
    form.contact_email = draw(EMAILS)
    form.diagnoses = [DiagnosisInput(c, i == 0) for i, c in enumerate(draw(st.lists(
        st.sampled_from(["E11.9", "M17.11", "I10", "J44.1"]), unique=True, max_size=3)))]
    form.lines = [LineInput(code=c, requested_units=draw(st.one_of(st.none(), st.integers(1, 99))))
                  for c in draw(st.lists(st.sampled_from(["27447", "97110", "J1745"]), max_size=2))]
    form.raw = draw(st.dictionaries(st.sampled_from(["end_date", "line_code", "diagnosis_search"]), TEXT, max_size=2))
    return form


class StepsApp(App[None]):
    """The three steps side by side (they are plain widgets)."""

    def compose(self) -> ComposeResult:
        yield MemberStep(inpatient=False)
        yield UrgencyStep()
        yield ContactStep()


STEP_FIELDS = ("member_id", "medicaid_id", "start_date", "urgency", "expedited_reasons", "benefits_reference",
               "contact_name", "contact_phone", "contact_phone_ext", "contact_fax", "contact_email")


def _read(app) -> dict:
    """The three steps' fields as read back into an empty form (``raw``: the text kept as typed)."""
    form = DraftForm(kind=RequestKind.SERVICE)
    for step in (MemberStep, UrgencyStep, ContactStep):
        app.query_one(step).collect(form)
    return {**{name: getattr(form, name) for name in STEP_FIELDS}, "raw": form.raw}


def test_steps_read_back_what_they_show():
    """load → collect → load → collect: the second reading equals the first (nothing drifts on a reopen)."""

    async def run() -> None:
        app = StepsApp()
        async with app.run_test() as pilot:

            @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
            @given(forms())
            def check(form: DraftForm) -> None:
                for step in (MemberStep, UrgencyStep, ContactStep):
                    app.query_one(step).load(form)
                first = _read(app)
                again = DraftForm(kind=form.kind)
                for key, value in first.items():
                    if key != "raw":
                        setattr(again, key, value)
                again.raw = dict(first["raw"])
                for step in (MemberStep, UrgencyStep, ContactStep):
                    app.query_one(step).load(again)
                assert _read(app) == first
                # What is kept exactly as stored:
                assert first["member_id"] == form.member_id
                assert first["start_date"] == form.start_date
                assert first["urgency"] == form.urgency
                assert sorted(first["expedited_reasons"]) == sorted(form.expedited_reasons)
                assert first["contact_email"] == form.contact_email or "contact_email" in first["raw"]

            check()
            await pilot.pause()

    asyncio.run(run())


@settings(max_examples=200, deadline=None)
@given(forms(), forms())
def test_an_untouched_draft_saves_back_as_stored(stored, shown):
    """Whatever the widgets showed for a stored draft, reading them back unchanged saves the stored draft."""
    shown.kind = stored.kind
    baseline = DraftBaseline(stored, shown)
    assert baseline.unchanged(shown)
    written = baseline.to_save(shown)
    written.wizard_step = stored.wizard_step
    assert written == stored


@settings(max_examples=200, deadline=None)
@given(forms(), forms(), st.sampled_from(["member_id", "contact_phone", "benefits_reference", "urgency"]))
def test_a_change_saves_that_field_and_keeps_the_others(stored, shown, name):
    """The clerk changes one field: the save takes it, and every other field stays as stored."""
    shown.kind = stored.kind
    current = DraftForm(**{f: getattr(shown, f) for f in shown.__dataclass_fields__})
    new_value = Urgency.EXPEDITED if name == "urgency" and shown.urgency is Urgency.STANDARD else (
        Urgency.STANDARD if name == "urgency" else getattr(shown, name) + "9")
    setattr(current, name, new_value)
    written = merge_untouched(stored, shown, current)
    assert getattr(written, name) == new_value
    for other in ("member_id", "contact_phone", "benefits_reference", "urgency", "lines", "diagnoses", "raw"):
        if other != name:
            assert getattr(written, other) == getattr(stored, other)
