"""The expedited criteria the app can derive from the form (seed 001's wording).

Urgency is a request only: the clerk confirms or changes what is ticked and
the plan's reviewer may change it. Derived here: an inpatient admission 7 days
or less from today, infusions / injections (seed 001 has no 7-day limit for
them, unlike seed 000), admission through the ER, behavioral health admission,
cancer treatment, dialysis, transplant, hospice.
"""

from __future__ import annotations

from datetime import date

from store.enums import ExpeditedCriterion, RequestKind
from store.forms import DraftForm

WITHIN_DAYS = 7
INFUSION_CPT = tuple(str(c) for c in range(96360, 96550))
DIALYSIS_CPT = tuple(str(c) for c in range(90935, 91000))


def _is_infusion(code: str) -> bool:
    return code.startswith("J") or code in INFUSION_CPT


def derive_expedited_criteria(
    form: DraftForm,
    today: date,
    *,
    diagnosis_codes: tuple[str, ...] = (),
    line_codes: tuple[str, ...] = (),
) -> list[ExpeditedCriterion]:
    """Criteria that the form's facts meet, in the seed's order."""
    found: set[ExpeditedCriterion] = set()
    kind = RequestKind(form.kind)
    diagnoses = [c.replace(".", "").upper() for c in diagnosis_codes]
    lines = [c.upper() for c in line_codes]
    soon = form.start_date is not None and (form.start_date - today).days <= WITHIN_DAYS
    if kind.is_inpatient and soon:
        found.add(ExpeditedCriterion.ADMISSION_WITHIN_7_DAYS)
    if kind is RequestKind.EMERGENT_ADMISSION or form.admitted_via_er:
        found.add(ExpeditedCriterion.ER_ADMISSION)
    if any(_is_infusion(c) for c in lines):
        found.add(ExpeditedCriterion.INFUSION_WITHIN_7_DAYS)
    behavioral = "behavioral" in (form.category or "").lower() or any(d.startswith("F") for d in diagnoses[:1])
    if kind.is_inpatient and behavioral:
        found.add(ExpeditedCriterion.BEHAVIORAL_HEALTH)
    cancer = any(d.startswith(("C", "D0")) for d in diagnoses)  # malignant or in situ
    if cancer and any(c.startswith("J9") or c.startswith("964") or c.startswith("965") for c in lines):
        found.add(ExpeditedCriterion.CANCER)
    if any(c in DIALYSIS_CPT for c in lines) or any(d in {"N186", "Z992"} for d in diagnoses):
        found.add(ExpeditedCriterion.DIALYSIS)
    if "transplant" in (form.category or "").lower():
        found.add(ExpeditedCriterion.TRANSPLANT)
    if form.place_of_service == "34":
        found.add(ExpeditedCriterion.HOSPICE)
    return [c for c in ExpeditedCriterion if c in found]
