"""Member eligibility on the start date of service (seeds 000–003).

Eligibility is decided by the coverage in force on that date: none (never
covered, lapsed, not yet started) or only secondary coverage stops the
request — the plan does not complete authorizations for secondary insurance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from store.enums import CoverageOrder
from store.errors import NotEligibleError, NotFoundError, ValidationError
from store.formats import format_date
from store.models import Coverage, Member

SECONDARY_MESSAGE = (
    "On {day} this member's coverage with us is secondary: the plan does not complete "
    "authorizations for secondary insurance plans. Send the request to the primary insurer."
)


@dataclass(frozen=True, slots=True)
class EligibilityRecord:
    """The member and the primary coverage in force on the date of service."""

    member_pk: int
    member_id: str
    medicaid_id: str
    first_name: str
    last_name: str
    birth_date: date
    sex: str
    coverage_id: int
    plan_name: str
    group_number: str
    coverage_order: CoverageOrder
    coverage_start: date
    coverage_end: date | None
    on_date: date

    @property
    def name(self) -> str:
        """Last, First."""
        return f"{self.last_name}, {self.first_name}"


def normalize_member_id(text: str) -> str:
    """Member IDs are compared without spaces, in upper case (``HO 60003`` → ``HO60003``).

    The one rule for look-ups and imports alike.
    """
    return "".join((text or "").split()).upper()


def checked_member_id(text: str, *, field: str = "member-id", label: str = "Member ID",
                      column: str = "member_id") -> str:
    """:func:`normalize_member_id` through the text gate (NUL, control characters, length).

    Raises:
        ValidationError: at ``field``, with a message for the person who typed it.
    """
    from store.textgate import check_text, column_limit

    text = check_text(text, field=field, max_length=None, label=label)
    return check_text(normalize_member_id(text), field=field, max_length=column_limit("member", column),
                      label=label)


def find_member(session: Session, member_id: str, medicaid_id: str = "") -> Member:
    """The member with this member ID (or Medicaid ID when no member ID is given)."""
    member_id = checked_member_id(member_id)
    medicaid_id = checked_member_id(medicaid_id, field="medicaid-id", label="Medicaid ID", column="medicaid_id")
    if not member_id and not medicaid_id:
        raise ValidationError("Enter the member ID (or the Medicaid ID).", field="member-id")
    if member_id:
        member = session.exec(select(Member).where(Member.member_id == member_id)).first()
        if member is None:
            raise NotFoundError(f"No member with ID {member_id}: check the ID card.")
        if medicaid_id and (member.medicaid_id or "").upper() != medicaid_id:
            raise NotFoundError(f"Medicaid ID {medicaid_id} does not belong to member {member_id}.")
        return member
    member = session.exec(select(Member).where(Member.medicaid_id == medicaid_id)).first()
    if member is None:
        raise NotFoundError(f"No member with Medicaid ID {medicaid_id}.")
    return member


def check_eligibility(session: Session, member_id: str, on_date: date, *, medicaid_id: str = "") -> EligibilityRecord:
    """The member's primary coverage on ``on_date``.

    Raises:
        NotFoundError: no such member.
        NotEligibleError: no coverage on that date, or only secondary coverage.
    """
    member = find_member(session, member_id, medicaid_id)
    coverages = session.exec(select(Coverage).where(Coverage.member_pk == member.id)).all()
    active = [c for c in coverages if c.start_date <= on_date and (c.end_date is None or c.end_date >= on_date)]
    day = format_date(on_date)
    primary = [c for c in active if c.order == CoverageOrder.PRIMARY]
    if not primary:
        if active:
            raise NotEligibleError(SECONDARY_MESSAGE.format(day=day))
        ended = sorted((c for c in coverages if c.end_date and c.end_date < on_date), key=lambda c: c.end_date)
        later = sorted((c for c in coverages if c.start_date > on_date), key=lambda c: c.start_date)
        if ended:
            why = f"coverage ended {format_date(ended[-1].end_date)}"
        elif later:
            why = f"coverage starts {format_date(later[0].start_date)}"
        else:
            why = "the member has no coverage with the plan"
        raise NotEligibleError(f"No active coverage on {day} ({why}): eligibility depends on the date of service.")
    coverage = max(primary, key=lambda c: c.start_date)
    return EligibilityRecord(
        member_pk=member.id,
        member_id=member.member_id,
        medicaid_id=member.medicaid_id or "",
        first_name=member.first_name,
        last_name=member.last_name,
        birth_date=member.birth_date,
        sex=member.sex,
        coverage_id=coverage.id,
        plan_name=coverage.plan_name,
        group_number=coverage.group_number,
        coverage_order=CoverageOrder(coverage.order),
        coverage_start=coverage.start_date,
        coverage_end=coverage.end_date,
        on_date=on_date,
    )
