"""Newborn delivery notification: the mother is the member, the baby is described (seed 003).

Step 1's member ID of a newborn notification is the *mother's* (her coverage
is checked on the delivery date), typed once: when no separate mother's ID is
given, the store copies it into ``mother_member_id``. The baby's own member ID, name, sex and date of birth
are recorded when known (often the plan has not given the baby an ID yet).

Field ids (for messages at the field): ``newborn-member-id``,
``newborn-first-name``, ``newborn-last-name``, ``newborn-sex``,
``newborn-birth-date``.
"""

from __future__ import annotations

import re
from datetime import date

from store.enums import RequestKind
from store.formats import format_date
from store.forms import DraftForm

SEXES = {"F": "Female", "M": "Male", "U": "Unknown"}
MAX_NAME = 100
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")

MEMBER_ID_LABEL = "Mother's member ID"
NEWBORN_ID_LABEL = "Baby's member ID (when known)"


def mother_member_id(form: DraftForm) -> str:
    """The mother's member ID: the one typed for her, else step 1's member ID on a newborn
    notification (so a wizard that asks for it once, on step 1, needs no second field)."""
    from store.services.eligibility import normalize_member_id

    typed = normalize_member_id(form.mother_member_id)
    if typed or RequestKind(form.kind) is not RequestKind.NEWBORN:
        return typed
    return normalize_member_id(form.member_id)


def parse_sex(text: str, field: str = "newborn-sex") -> str:
    """``F``, ``M`` or ``U`` from what was typed (``female``, ``m`` …); empty stays empty.

    Raises:
        ValidationError: anything else.
    """
    from store.errors import ValidationError

    value = (text or "").strip().upper()
    if not value:
        return ""
    for code, word in SEXES.items():
        if value in (code, word.upper()):
            return code
    raise ValidationError("Sex: F (female), M (male) or U (unknown).", field=field)


def newborn_errors(form: DraftForm, today: date) -> dict[str, str]:
    """Field → message for what is wrong with the baby's details (empty when fine or not a newborn)."""
    from store.services.eligibility import normalize_member_id

    if RequestKind(form.kind) is not RequestKind.NEWBORN:
        return {}
    errors: dict[str, str] = {}
    baby_id = normalize_member_id(form.newborn_member_id)
    if baby_id and baby_id == mother_member_id(form):
        errors["newborn-member-id"] = (
            "That is the mother's member ID; enter the baby's own ID, or leave it empty until the plan gives one.")
    for field, label, value in (("newborn-first-name", "First name", form.newborn_first_name),
                                ("newborn-last-name", "Last name", form.newborn_last_name)):
        value = (value or "").strip()
        if len(value) > MAX_NAME:
            errors[field] = f"{label}: at most {MAX_NAME} characters."
        elif value and not _NAME.match(value):
            errors[field] = f"{label}: letters, spaces, hyphens and apostrophes only."
    if form.newborn_sex and form.newborn_sex not in SEXES:
        errors["newborn-sex"] = "Sex: F (female), M (male) or U (unknown)."
    born = form.newborn_birth_date
    if born is not None:
        if born > today:
            errors["newborn-birth-date"] = f"The baby's date of birth {format_date(born)} is in the future."
        elif form.delivery_date is not None and abs((born - form.delivery_date).days) > 1:
            errors["newborn-birth-date"] = (
                f"The baby's date of birth {format_date(born)} is not the delivery date {format_date(form.delivery_date)}.")
    return errors


def write_newborn(request, form: DraftForm) -> None:
    """Copy the newborn fields of ``form`` onto the request row (the mother's ID from step 1)."""
    from store.services.eligibility import normalize_member_id

    request.mother_member_id = mother_member_id(form)[:20]
    request.newborn_member_id = normalize_member_id(form.newborn_member_id)[:20]
    request.newborn_first_name = (form.newborn_first_name or "").strip()[:MAX_NAME]
    request.newborn_last_name = (form.newborn_last_name or "").strip()[:MAX_NAME]
    request.newborn_sex = (form.newborn_sex or "").strip().upper()[:1]
    request.newborn_birth_date = form.newborn_birth_date


def read_newborn(request, form: DraftForm) -> DraftForm:
    """Fill ``form``'s newborn fields from the request row; returns ``form``."""
    form.newborn_member_id = request.newborn_member_id or ""
    form.newborn_first_name = request.newborn_first_name or ""
    form.newborn_last_name = request.newborn_last_name or ""
    form.newborn_sex = request.newborn_sex or ""
    form.newborn_birth_date = request.newborn_birth_date
    return form


__all__ = [
    "MEMBER_ID_LABEL",
    "NEWBORN_ID_LABEL",
    "SEXES",
    "mother_member_id",
    "newborn_errors",
    "parse_sex",
    "read_newborn",
    "write_newborn",
]
