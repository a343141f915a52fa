"""The plan's contacts: intake phones and hours, the fax for clinicals, the mailing address.

Seeds 000, 001 and 003 tell the clerk whom to call ("262-369-8750 or
800-861-8744, Monday to Friday, 8:00 AM to 4:30 PM CST"; "800-662-6865 …
to speak with a representative") and where to fax clinicals when they cannot
be attached. These are configuration, not code: one database-wide setting
(``app_setting`` key ``plan_contacts``, JSON) kept by an administrator
(``authdesk plan-contacts`` or the admin screen) and seeded for the demo from
the seeds' numbers. Shown on the result screen, the case detail, the help
screen and the determination letters.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

from sqlmodel import Session

from store.errors import PermissionDeniedError, ValidationError
from store.models import AppSetting
from store.records import UserRecord

SETTING_KEY = "plan_contacts"
MAX_TEXT = 200

# When no clinicals were attached (seed 003's result screen).
SEND_CLINICALS_TEXT = (
    "If clinical information to support this request has not been submitted, please send "
    "(via e-mail, fax or telephone) clinical review to the Medical Management Department "
    "within one business day."
)


@dataclass(frozen=True, slots=True)
class PlanContacts:
    """Whom the clerk contacts at the plan; empty fields are simply not shown."""

    team: str = ""  # e.g. "CMSI intake team"
    intake_phones: tuple[str, ...] = ()
    intake_hours: str = ""
    portal_phones: tuple[str, ...] = ()  # "questions with your portal submission"
    clinical_fax: str = ""
    mailing_address: str = ""

    @property
    def is_empty(self) -> bool:
        """Nothing configured."""
        return not any((self.team, self.intake_phones, self.intake_hours, self.portal_phones,
                        self.clinical_fax, self.mailing_address))

    def lines(self) -> list[str]:
        """The contact block as plain text lines (empty when nothing is configured)."""
        out = []
        if self.intake_phones:
            who = f"the {self.team}" if self.team else "the plan's intake team"
            out.append(f"Questions or assistance: call {who} at {' or '.join(self.intake_phones)}"
                       + (f", {self.intake_hours}." if self.intake_hours else "."))
        elif self.intake_hours:
            out.append(f"Intake hours: {self.intake_hours}.")
        if self.portal_phones:
            out.append(f"Questions about a submission: {' or '.join(self.portal_phones)} (a representative).")
        if self.clinical_fax:
            out.append(f"Fax for clinical information: {self.clinical_fax}.")
        if self.mailing_address:
            out.append(f"Mailing address: {self.mailing_address}.")
        return out


# The seeds' numbers (000, 001); the fax and address are fictional (seed 003 only links to them).
DEMO_CONTACTS = PlanContacts(
    team="CMSI intake team",
    intake_phones=("262-369-8750", "800-861-8744"),
    intake_hours="Monday to Friday, 8:00 AM to 4:30 PM CST",
    portal_phones=("800-662-6865", "800-861-8744"),
    clinical_fax="(262) 555-0148",
    mailing_address="Medical Management Department, PO Box 555, Brookfield, WI 53008",
)


def load_plan_contacts(session: Session) -> PlanContacts:
    """The configured contacts (empty :class:`PlanContacts` when none or unreadable)."""
    row = session.get(AppSetting, SETTING_KEY)
    if row is None or not row.value:
        return PlanContacts()
    try:
        data = json.loads(row.value)
    except ValueError:
        return PlanContacts()
    if not isinstance(data, dict):
        return PlanContacts()
    known = {f.name for f in fields(PlanContacts)}
    values = {}
    for key, value in data.items():
        if key not in known:
            continue
        values[key] = tuple(str(v) for v in value) if key.endswith("phones") and isinstance(value, list) \
            else str(value)
    try:
        return PlanContacts(**values)
    except TypeError:
        return PlanContacts()


def clean_plan_contacts(
    *, team: str = "", intake_phones: str | list[str] | tuple[str, ...] = (), intake_hours: str = "",
    portal_phones: str | list[str] | tuple[str, ...] = (), clinical_fax: str = "", mailing_address: str = "",
) -> PlanContacts:
    """Check what an administrator typed; phone lists may be comma-separated text.

    Raises:
        ValidationError: per field (``intake-phones``, ``portal-phones``,
            ``clinical-fax``, ``team``, ``intake-hours``, ``mailing-address``).
    """
    from store.validate import validate_phone

    errors: dict[str, str] = {}

    def phones(value, field: str) -> tuple[str, ...]:
        items = [p.strip() for p in (value.split(",") if isinstance(value, str) else value) if p.strip()]
        out = []
        for item in items:
            try:
                validate_phone(item, field=field)
            except ValidationError as exc:
                errors[field] = next(iter(exc.errors.values()))
                continue
            out.append(item)  # kept as the plan writes it (262-369-8750)
        return tuple(out)

    def text(value: str, field: str) -> str:
        value = (value or "").strip()
        if len(value) > MAX_TEXT:
            errors[field] = f"At most {MAX_TEXT} characters ({len(value)} typed)."
        if any(ord(c) < 32 for c in value):
            errors[field] = "Use one line of plain text."
        return value

    contacts = PlanContacts(
        team=text(team, "team"),
        intake_phones=phones(intake_phones, "intake-phones"),
        intake_hours=text(intake_hours, "intake-hours"),
        portal_phones=phones(portal_phones, "portal-phones"),
        clinical_fax=text(clinical_fax, "clinical-fax"),
        mailing_address=text(mailing_address, "mailing-address"),
    )
    if contacts.clinical_fax and "clinical-fax" not in errors:
        try:
            validate_phone(contacts.clinical_fax, field="clinical-fax")
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    return contacts


def save_plan_contacts(session: Session, user: UserRecord | None, contacts: PlanContacts) -> PlanContacts:
    """Store ``contacts`` for everyone using this database (administrators only; None = the CLI/demo)."""
    from store.enums import Role

    if user is not None and user.role != Role.ADMIN:
        raise PermissionDeniedError("Only an administrator can change the plan's contacts.")
    value = json.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in asdict(contacts).items()})
    row = session.get(AppSetting, SETTING_KEY)
    if row is None:
        session.add(AppSetting(key=SETTING_KEY, value=value))
    else:
        row.value = value
        session.add(row)
    session.flush()
    return contacts


__all__ = [
    "DEMO_CONTACTS",
    "PlanContacts",
    "SEND_CLINICALS_TEXT",
    "clean_plan_contacts",
    "load_plan_contacts",
    "save_plan_contacts",
]
