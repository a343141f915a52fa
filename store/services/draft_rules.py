"""The rules of a request's fields, owned by the store: normalise, then check every field.

:func:`normalize_form` writes a form the one way the store keeps it (phone
``(414) 555-0100``, codes in upper case and dotted, admission time to the
minute, member IDs without spaces …), so a draft loaded and saved again is
identical and the comparison in :func:`store.services.drafts.save_draft` can
tell "nothing changed" from a change.

:func:`form_errors` lists every field whose value breaks a rule, as a map
field id → message (the wizard's widget ids, :data:`store.forms.FIELD_IDS`;
per-row fields as ``diagnosis-0``, ``line-1-units``, ``clinical-0-<question>``).
A blank field is not an error here — a draft may be incomplete; what is
missing is :func:`store.services.completeness.check_form`'s business. Saving
and submitting both refuse a form with errors, all of them at once, with
:class:`store.errors.InvalidFormError`.

The checks are the validators the screens call (:mod:`store.validate`,
:mod:`store.codes`), so the screen and the store cannot disagree.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from datetime import date, datetime

from sqlmodel import Session

from store.enums import CareSetting, ExpeditedCriterion, RequestKind, Urgency
from store.errors import ValidationError
from store.forms import FIELD_IDS, STEPS, DiagnosisInput, DraftForm, LineInput

# Limits not given by a column (the columns' own come from store.models).
MAX_DIAGNOSES = 12  # X12 278/837 carry up to twelve diagnosis codes
MAX_LINES = 50
MAX_RAW_KEY = 64
MAX_RAW_TEXT = 1000
MAX_ANSWER = 500
MIN_YEAR, MAX_YEAR = 1900, 2199
EXTENSION = re.compile(r"[0-9]{1,6}")
MEMBER_ID = re.compile(r"[A-Z0-9-]+")


# ----- normalising --------------------------------------------------------------------------------


def _text(value) -> str:
    return unicodedata.normalize("NFC", "" if value is None else str(value)).strip()


def normalize_diagnosis_code(code: str) -> str:
    """``m1711`` → ``M17.11`` (shape only; the code set is not asked)."""
    from store.codes.icd10 import dotted, normalize_icd10

    cleaned = normalize_icd10(_text(code))
    return dotted(cleaned) if cleaned else ""


def normalize_form(form: DraftForm) -> DraftForm:
    """A copy of ``form`` written the one way the store keeps it.

    Never fails: a value that cannot be normalised (an invalid phone, say) is
    left as typed, for :func:`form_errors` to report.
    """
    from store.codes.procedures import normalize_procedure
    from store.formats import format_phone, to_minute
    from store.services.eligibility import normalize_member_id

    out = copy.deepcopy(form)
    try:
        out.kind = RequestKind(out.kind)
    except ValueError:
        pass
    for name in ("member_id", "medicaid_id", "mother_member_id", "newborn_member_id"):
        setattr(out, name, normalize_member_id(_text(getattr(out, name))))
    for name in ("category", "treatment_type", "delivery_type", "benefits_reference", "contact_name",
                 "contact_phone_ext", "newborn_first_name", "newborn_last_name"):
        setattr(out, name, _text(getattr(out, name)))
    out.newborn_sex = _text(out.newborn_sex).upper()
    if out.kind is RequestKind.NEWBORN:
        from store.services.newborn import mother_member_id

        out.mother_member_id = mother_member_id(out)  # step 1's member ID is the mother's
    if out.care_setting not in (None, ""):
        try:
            out.care_setting = CareSetting(out.care_setting)
        except ValueError:
            pass
    else:
        out.care_setting = None
    try:
        out.urgency = Urgency(out.urgency)
    except ValueError:
        pass
    pos = _text(out.place_of_service)
    out.place_of_service = pos.zfill(2) if pos.isascii() and pos.isdigit() and len(pos) == 1 else pos
    out.contact_phone = format_phone(_text(out.contact_phone))
    out.contact_fax = format_phone(_text(out.contact_fax))
    out.contact_email = _normal_email(_text(out.contact_email))
    if isinstance(out.admission_at, datetime):
        out.admission_at = to_minute(out.admission_at)
    out.diagnoses = [
        DiagnosisInput(normalize_diagnosis_code(d.code), bool(d.is_primary), _text(d.description))
        for d in (out.diagnoses or []) if _text(d.code)
    ]
    out.lines = [
        LineInput(
            code=normalize_procedure(_text(line.code)),
            modifiers=[_text(m).upper() for m in (line.modifiers or []) if _text(m)],
            from_date=line.from_date, to_date=line.to_date, requested_units=line.requested_units,
            description=_text(line.description),
            clinical_answers={str(k): _text(v) for k, v in (line.clinical_answers or {}).items()},
        )
        for line in (out.lines or []) if _text(line.code)
    ]
    reasons: dict[str, None] = {}
    for reason in out.expedited_reasons or []:
        reasons.setdefault(_text(reason), None)
    out.expedited_reasons = [r for r in reasons if r]
    out.admitted_via_er = bool(out.admitted_via_er)
    out.nicu = bool(out.nicu)
    out.raw = {str(k): str(v) for k, v in (out.raw or {}).items()}
    return out


def _normal_email(text: str) -> str:
    if not text:
        return ""
    from store.validate import validate_email

    try:
        return validate_email(text)
    except ValidationError:
        return text


# ----- checking -----------------------------------------------------------------------------------


class _Report:
    """The errors found so far: field id → the first message for it."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def refuse(self, field: str, message: str) -> None:
        """Note ``message`` at ``field`` (the first message of a field stays)."""
        self.errors.setdefault(field, message)

    def check(self, at: str, func, /, *args, **kwargs):
        """``func(*args, **kwargs)``, or None with its message noted at field ``at``."""
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            self.refuse(at, next(iter(exc.errors.values()), str(exc)))
            return None


def form_errors(session: Session | None, form: DraftForm) -> dict[str, str]:
    """Every field of (normalised) ``form`` that breaks a rule: field id → message, in form order.

    Blank fields are fine (a draft may be incomplete). ``session`` is used to
    check that the chosen providers exist (None skips that check).
    """
    r = _Report()

    try:
        kind = RequestKind(form.kind)
    except ValueError:
        r.refuse("kind", f"“{form.kind}” is not a kind of request.")
        kind = None

    _check_member_ids(form, r)
    _check_providers(session, form, r)
    _check_services(form, kind, r)
    _check_diagnoses(form, r)
    _check_lines(form, r)
    _check_newborn(form, r)
    _check_urgency(form, r)
    _check_contact(form, r)
    _check_raw(form, r)
    if not isinstance(form.wizard_step, int) or isinstance(form.wizard_step, bool) \
            or not 0 <= form.wizard_step <= len(STEPS):
        r.refuse("wizard-step", f"The wizard step is 0 to {len(STEPS)}.")
    return r.errors


def _column(r, value, table: str, column: str, field: str, label: str) -> None:
    from store.textgate import check_column

    r.check(field, check_column, value, table, column, field=field, label=label)


def _check_member_ids(form: DraftForm, r) -> None:
    for name, label in (("member_id", "The member ID"), ("medicaid_id", "The Medicaid ID"),
                        ("mother_member_id", "The mother's member ID")):
        value, field = getattr(form, name) or "", FIELD_IDS[name]
        _column(r, value, "auth_request", f"{name}_entered" if name != "mother_member_id" else name, field,
                label)
        if value and field not in r and not (value.isascii() and MEMBER_ID.fullmatch(value)):
            r.refuse(field, f"{label} “{value}” has letters, digits and hyphens only.")


def _check_providers(session: Session | None, form: DraftForm, r) -> None:
    from store.codes.npi import is_valid_npi
    from store.models import Provider

    for name, label in (("requesting_provider_id", "requesting provider"),
                        ("servicing_provider_id", "servicing provider"),
                        ("facility_provider_id", "facility")):
        value, field = getattr(form, name), FIELD_IDS[name]
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            r.refuse(field, f"The {label} is not a provider from the directory.")
            continue
        if session is None:
            continue
        provider = session.get(Provider, value)
        if provider is None:
            r.refuse(field, f"The {label} is no longer in the provider directory: search for it again.")
        elif not is_valid_npi(provider.npi or ""):
            r.refuse(field, f"The {label}'s NPI {provider.npi} is not valid (check digit): ask the plan to fix "
                          "the directory entry.")


def _is_date(value) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _check_date(r, value, field: str, label: str) -> bool:
    """True when ``value`` is a usable date (or blank)."""
    from store.formats import format_date

    if value is None:
        return True
    if not _is_date(value):
        r.refuse(field, f"{label} is not a date.")
        return False
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        r.refuse(field, f"{label} {format_date(value)} is not a plausible date ({MIN_YEAR}–{MAX_YEAR}).")
        return False
    return True


def _check_services(form: DraftForm, kind: RequestKind | None, r) -> None:
    from store.codes.pos import PLACES_OF_SERVICE, validate_place_of_service
    from store.formats import format_date
    from store.services.reference import categories, delivery_types, treatment_types

    care = None
    if form.care_setting is not None:
        try:
            care = CareSetting(form.care_setting)
        except ValueError:
            r.refuse("care-setting", f"“{form.care_setting}” is not a care setting (inpatient or outpatient).")
    if form.category:
        _column(r, form.category, "auth_request", "category", "category", "The category")
        offered = categories(care) if care else tuple(c for s in CareSetting for c in categories(s))
        if "category" not in r and form.category not in offered:
            where = f" for {care.value} care" if care else ""
            r.refuse("category", f"“{form.category}” is not a category{where}: pick one from the list.")
    if form.treatment_type:
        _column(r, form.treatment_type, "auth_request", "treatment_type", "treatment-type",
                "The treatment type")
        if "treatment-type" not in r:
            if not form.category:
                r.refuse("treatment-type", "Choose the category before the treatment type.")
            elif form.treatment_type not in treatment_types(form.category):
                r.refuse("treatment-type",
                       f"“{form.treatment_type}” is not a treatment type of {form.category}: pick one from the list.")
    if form.place_of_service:
        code = r.check("place-of-service", validate_place_of_service, form.place_of_service)
        if code is not None and (code != form.place_of_service or code not in PLACES_OF_SERVICE):
            r.refuse("place-of-service", f"“{form.place_of_service}” is not a CMS place of service code.")
    end_label = "The expected discharge date" if kind and kind.is_inpatient else "The end date"
    start_ok = _check_date(r, form.start_date, "start-date", "The start date")
    end_ok = _check_date(r, form.end_date, "end-date", end_label)
    if start_ok and end_ok and form.start_date and form.end_date and form.end_date < form.start_date:
        r.refuse("end-date", f"{end_label} {format_date(form.end_date)} is before the start date "
                           f"{format_date(form.start_date)}.")
    if form.admission_at is not None:
        if not isinstance(form.admission_at, datetime):
            r.refuse("admission-at", "The admission time is not a date and time.")
        elif not MIN_YEAR <= form.admission_at.year <= MAX_YEAR:
            r.refuse("admission-at", "The admission time is not a plausible date.")
    _check_date(r, form.delivery_date, "delivery-date", "The delivery date")
    if form.delivery_type and form.delivery_type not in delivery_types():
        r.refuse("delivery-type", f"“{form.delivery_type}” is not a delivery type: pick one from the list.")
    if form.birth_weight_grams is not None:
        from store.validate import MAX_BIRTH_WEIGHT_GRAMS, MIN_BIRTH_WEIGHT_GRAMS

        grams = form.birth_weight_grams
        if not isinstance(grams, int) or isinstance(grams, bool) or \
                not MIN_BIRTH_WEIGHT_GRAMS <= grams <= MAX_BIRTH_WEIGHT_GRAMS:
            r.refuse("birth-weight", f"A birth weight is between {MIN_BIRTH_WEIGHT_GRAMS} and "
                                   f"{MAX_BIRTH_WEIGHT_GRAMS:,} grams.")
    for name in ("admitted_via_er", "nicu"):
        if not isinstance(getattr(form, name), bool):
            r.refuse(name.replace("_", "-"), "This box is ticked or not (yes or no).")
    _column(r, form.benefits_reference, "auth_request", "benefits_reference", "benefits-reference",
            "The benefits reference number")


def _check_diagnoses(form: DraftForm, r) -> None:
    from store.codes.icd10 import validate_diagnosis

    diagnoses = [d for d in form.diagnoses if d.code]
    if len(diagnoses) > MAX_DIAGNOSES:
        r.refuse("diagnosis-search", f"A request takes at most {MAX_DIAGNOSES} diagnosis codes.")
    seen: set[str] = set()
    for i, diagnosis in enumerate(diagnoses):
        field = f"diagnosis-{i}"
        hit = r.check(field, validate_diagnosis, diagnosis.code, field=field)
        if hit is None:
            continue
        if hit.code != diagnosis.code:
            r.refuse(field, f"“{diagnosis.code}” is written {hit.code} in ICD-10-CM.")
        elif hit.code in seen:
            r.refuse(field, f"{hit.code} is listed twice.")
        seen.add(hit.code)
        _column(r, diagnosis.description, "diagnosis_line", "description", field, "The description")
    if sum(1 for d in diagnoses if d.is_primary) > 1:
        r.refuse("diagnosis-search", "Only one diagnosis can be primary.")


def _check_lines(form: DraftForm, r) -> None:
    from store.codes.procedures import validate_procedure_code
    from store.services import clinical
    from store.validate import MAX_MODIFIERS, MAX_UNITS

    lines = [line for line in form.lines if line.code]
    if len(lines) > MAX_LINES:
        r.refuse("line-code", f"A request takes at most {MAX_LINES} service lines.")
    for i, line in enumerate(lines):
        field = f"line-{i}-code"
        found = r.check(field, validate_procedure_code, line.code, field=field)
        if found is not None and found.code != line.code:
            r.refuse(field, f"“{line.code}” is written {found.code}.")
        _column(r, line.description, "service_line", "description", field, "The description")
        modifiers = line.modifiers or []
        bad = [m for m in modifiers if not (isinstance(m, str) and m.isascii() and re.fullmatch(r"[A-Z0-9]{2}", m))]
        if bad:
            r.refuse(f"line-{i}-modifier", f"“{bad[0]}” is not a modifier: two letters or digits (e.g. RT, 59).")
        elif len(modifiers) > MAX_MODIFIERS:
            r.refuse(f"line-{i}-modifier", f"A line takes at most {MAX_MODIFIERS} modifiers.")
        elif len(set(modifiers)) != len(modifiers):
            r.refuse(f"line-{i}-modifier", "A modifier is listed twice on this line.")
        from_ok = _check_date(r, line.from_date, f"line-{i}-from", f"Line {i + 1}'s from date")
        to_ok = _check_date(r, line.to_date, f"line-{i}-to", f"Line {i + 1}'s to date")
        if from_ok and to_ok and line.from_date and line.to_date and line.to_date < line.from_date:
            r.refuse(f"line-{i}-to", f"Line {i + 1}: the to date is before the from date.")
        units = line.requested_units
        if units is not None and (not isinstance(units, int) or isinstance(units, bool)
                                  or not 1 <= units <= MAX_UNITS):
            r.refuse(f"line-{i}-units", f"Line {i + 1}: units are a whole number from 1 to {MAX_UNITS:,}.")
        questions = {q.id: q for q in clinical.questions_for(line.code)}
        for key, answer in (line.clinical_answers or {}).items():
            qfield = clinical.question_field_id(i, key)
            if not isinstance(key, str) or len(key) > MAX_RAW_KEY:
                r.refuse(qfield, "An answer belongs to no question.")
                continue
            text = r.check(qfield, _plain_text, answer, qfield, "The answer", MAX_ANSWER)
            question = questions.get(key)
            if not text or question is None:
                continue
            if question.options and text.lower() not in {o.lower() for o in question.options}:
                r.refuse(qfield, f"Answer “{question.text}” with {' or '.join(question.options)}.")
            elif question.kind == "number" and not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
                r.refuse(qfield, f"“{text}” is not a number.")


def _plain_text(value, field: str, label: str, limit: int) -> str:
    from store.textgate import check_text

    if not isinstance(value, str):
        raise ValidationError(f"{label} is not text.", field=field)
    return check_text(value, field=field, max_length=limit, label=label)


def _check_newborn(form: DraftForm, r) -> None:
    """The baby's details (:mod:`store.services.newborn`), checked against today (UTC)."""
    from store.services.newborn import newborn_errors
    from store.validate import today

    if not _check_date(r, form.newborn_birth_date, "newborn-birth-date", "The baby's date of birth"):
        return
    _column(r, form.newborn_member_id, "auth_request", "newborn_member_id", "newborn-member-id",
            "The baby's member ID")
    if form.newborn_member_id and "newborn-member-id" not in r and not (
            form.newborn_member_id.isascii() and MEMBER_ID.fullmatch(form.newborn_member_id)):
        r.refuse("newborn-member-id", f"The baby's member ID “{form.newborn_member_id}” has letters, digits and "
                                      "hyphens only.")
    for field, message in newborn_errors(form, today()).items():
        r.refuse(field, message)


def _check_urgency(form: DraftForm, r) -> None:
    try:
        Urgency(form.urgency)
    except ValueError:
        r.refuse("urgency", f"“{form.urgency}” is not an urgency (standard or expedited).")
    known = {c.value for c in ExpeditedCriterion}
    unknown = [r for r in form.expedited_reasons if r not in known]
    if unknown:
        r.refuse("expedited-reasons", f"“{unknown[0]}” is not one of the plan's expedited criteria.")


def _check_contact(form: DraftForm, r) -> None:
    from store.validate import validate_email, validate_phone

    _column(r, form.contact_name, "auth_request", "contact_name", "contact-name", "The contact name")
    for name in ("contact_phone", "contact_fax"):
        value, field = form.contact_phone if name == "contact_phone" else form.contact_fax, FIELD_IDS[name]
        if not value:
            continue
        _column(r, value, "auth_request", name, field, "The number")
        if field not in r:
            formatted = r.check(field, validate_phone, value, field)
            if formatted is not None and formatted != value:
                r.refuse(field, f"Write the number as {formatted}.")
    if form.contact_phone_ext and not (form.contact_phone_ext.isascii()
                                       and EXTENSION.fullmatch(form.contact_phone_ext)):
        r.refuse("contact-phone-ext", "An extension is up to 6 digits.")
    if form.contact_email:
        _column(r, form.contact_email, "auth_request", "contact_email", "contact-email", "The email address")
        if "contact-email" not in r:
            r.check("contact-email", validate_email, form.contact_email, "contact-email")


def _check_raw(form: DraftForm, r) -> None:
    """Text kept as typed (not valid yet) may be anything printable, within reason."""
    for key, text in form.raw.items():
        field = key if not key.isidentifier() else FIELD_IDS.get(key, key.replace("_", "-"))
        if len(key) > MAX_RAW_KEY:
            r.refuse("form", "A field name of the form is too long.")
            continue
        r.check(field, _plain_text, text, field, "The text typed here", MAX_RAW_TEXT)


def raise_if_invalid(session: Session | None, form: DraftForm) -> None:
    """Raise :class:`store.errors.InvalidFormError` listing every bad field of ``form`` (normalised)."""
    from store.errors import InvalidFormError

    errors = form_errors(session, form)
    if errors:
        raise InvalidFormError(errors)


__all__ = [
    "MAX_DIAGNOSES",
    "MAX_LINES",
    "form_errors",
    "normalize_diagnosis_code",
    "normalize_form",
    "raise_if_invalid",
]
