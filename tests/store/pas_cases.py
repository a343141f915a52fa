"""Submitted cases of every kind, made through the real wizard services, for the PAS tests.

Each case is saved as a draft, gets a PDF attachment and is submitted, so the
export sees exactly what a clerk's submission stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from store.enums import CareSetting, ExpeditedCriterion, RequestKind, Role, Urgency
from store.forms import DiagnosisInput, DraftForm, LineInput
from store.models import AuthRequest
from store.services import attachments as att
from store.services import clinical
from store.services.drafts import save_draft
from store.services.submission import submit_request
from tests.factories import PDF, make_member, make_provider, make_user


@dataclass
class Office:
    """A clerk in NORTH, a clerk in WEST (sees nothing of NORTH's), a reviewer and the providers."""

    store: object
    clerk: object
    outsider: object
    reviewer: object
    providers: dict[str, int]
    tmp_path: object


def make_office(store, tmp_path) -> Office:
    """Members, providers and users for the PAS tests."""
    clerk = make_user(store, "clerk1", org="NORTH", full_name="Casey Clerk", email="casey@north.example",
                      phone="(414) 555-0100", fax="(414) 555-0101")
    outsider = make_user(store, "clerk9", org="WEST", full_name="Wes West")
    reviewer = make_user(store, "rev1", role=Role.REVIEWER, org=None, full_name="Riley Reviewer")
    make_member(store, "M1000001")
    make_member(store, "M4000004", first="Maria", last="Mother", birth=date(1994, 2, 3))
    providers = {
        "north": make_provider(store, "1234567893", "P1001", "Rivera, Ana MD", org_code="NORTH",
                               specialty="Orthopedic surgery"),
        "ortho": make_provider(store, "1245319599", "P2002", "Dr. Ben Ortho DO", org_code="SOUTH"),
        "hospital": make_provider(store, "1679576722", "F3003", "Lakeshore General Hospital", org_code="SOUTH",
                                  facility=True),
    }
    return Office(store, clerk, outsider, reviewer, providers, tmp_path)


def answers(code: str, yes_no: str = "yes") -> dict[str, str]:
    """An answer to every clinical question of ``code`` (criteria met when ``yes_no`` is "yes")."""
    result = {}
    for q in clinical.questions_for(code):
        if q.kind == "yes_no":
            result[q.id] = yes_no
        elif q.kind == "number":
            result[q.id] = str(q.meets_min if q.meets_min is not None else 1)
        elif q.kind == "choice":
            result[q.id] = (q.meets or q.options)[0]
        else:
            result[q.id] = "Documented in the attached notes."
    return result


def _form(office: Office, kind: RequestKind, urgency: Urgency) -> DraftForm:
    ids = office.providers
    day = date(2026, 3, 9)
    if kind is RequestKind.SERVICE:
        lines = [
            LineInput("27447", ["RT"], day, day, 1, clinical_answers=answers("27447")),
            LineInput("97110", [], day, date(2026, 4, 8), 12, clinical_answers=answers("97110")),
            LineInput("E0601", ["RR", "KX", "59", "NU"], day, date(2026, 4, 8), 1,
                      clinical_answers=answers("E0601")),
        ]
        return DraftForm(
            kind=kind, member_id="M1000001", medicaid_id="", start_date=day, end_date=date(2026, 4, 8),
            requesting_provider_id=ids["north"], servicing_provider_id=ids["ortho"],
            care_setting=CareSetting.OUTPATIENT, category="Surgery", treatment_type="Orthopedic surgery",
            place_of_service="22",
            diagnoses=[DiagnosisInput("E11.9", False, "Type 2 diabetes mellitus without complications"),
                       DiagnosisInput("M17.11", True, "Unilateral primary osteoarthritis, right knee")],
            lines=lines, urgency=urgency,
            expedited_reasons=[ExpeditedCriterion.CANCER.value] if urgency is Urgency.EXPEDITED else [],
            benefits_reference="BR12345678",
            contact_name="Casey Clerk", contact_phone="(414) 555-0100", contact_phone_ext="12",
            contact_fax="(414) 555-0101", contact_email="casey@north.example",
        )
    end = date(2026, 3, 12)
    form = DraftForm(
        kind=kind, member_id="M1000001", start_date=day, end_date=end,
        requesting_provider_id=ids["north"], servicing_provider_id=ids["north"],
        facility_provider_id=ids["hospital"], care_setting=CareSetting.INPATIENT,
        category="Surgical admission", treatment_type="Joint replacement", place_of_service="21",
        diagnoses=[DiagnosisInput("M17.11", True, "Unilateral primary osteoarthritis, right knee")],
        lines=[LineInput("99223", [], day, day, 1, clinical_answers=answers("99223")),
               LineInput("99233", [], date(2026, 3, 10), end, 3, clinical_answers=answers("99233")),
               LineInput("27447", [], day, day, 1, clinical_answers=answers("27447", "no"))],
        urgency=urgency,
        expedited_reasons=[ExpeditedCriterion.ADMISSION_WITHIN_7_DAYS.value] if urgency is Urgency.EXPEDITED else [],
        contact_name="Casey Clerk", contact_phone="(414) 555-0100", contact_fax="(414) 555-0101",
        contact_email="casey@north.example",
    )
    if kind is RequestKind.EMERGENT_ADMISSION:
        form.admitted_via_er = True
        form.admission_at = datetime(2026, 3, 9, 3, 40, tzinfo=UTC)
        form.category, form.treatment_type = "Medical admission", "Cardiac"
        form.diagnoses = [DiagnosisInput("I21.4", True, "Non-ST elevation (NSTEMI) myocardial infarction")]
        form.urgency = Urgency.EXPEDITED
        form.expedited_reasons = [ExpeditedCriterion.ER_ADMISSION.value]
    if kind is RequestKind.NEWBORN:
        form.member_id = "M4000004"
        form.mother_member_id = "M4000004"
        form.delivery_date = day
        form.delivery_type = "Cesarean section"
        form.birth_weight_grams = 3450
        form.nicu = True
        form.category, form.treatment_type = "Maternity", "Cesarean delivery"
        form.diagnoses = [DiagnosisInput("O82", True, "Encounter for cesarean delivery without indication"),
                          DiagnosisInput("Z38.01", False, "Single liveborn infant, delivered by cesarean")]
        form.lines = [LineInput("59510", [], day, end, 1, clinical_answers=answers("59510")),
                      LineInput("99462", [], date(2026, 3, 10), end, 2, clinical_answers=answers("99462")),
                      LineInput("99460", [], day, day, 1, clinical_answers=answers("99460"))]
    return form


def submit_case(office: Office, kind: RequestKind, urgency: Urgency = Urgency.STANDARD, *, files: int = 1,
                requesting: str | None = None) -> int:
    """A submitted (pending) case of ``kind`` (``requesting``: another provider's key); returns its id."""
    store, clerk = office.store, office.clerk
    form = _form(office, kind, urgency)
    if requesting:
        form.requesting_provider_id = office.providers[requesting]
    with store.session() as s:
        saved = save_draft(s, clerk, form)
    for n in range(files):
        path = office.tmp_path / f"notes-{saved.request_id}-{n}.pdf"
        path.write_bytes(PDF + str(n).encode())
        att.add_attachment(store, clerk, saved.request_id, str(path))
    with store.session() as s:
        version = s.get(AuthRequest, saved.request_id).version
        submit_request(s, clerk, saved.request_id, version)
    return saved.request_id


ALL_KINDS = (RequestKind.SERVICE, RequestKind.INPATIENT, RequestKind.EMERGENT_ADMISSION, RequestKind.NEWBORN)
