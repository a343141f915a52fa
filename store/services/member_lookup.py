"""Member look-up by member info: last name and date of birth (seed 003).

Seed 003's portal finds the member by "CareSource ID, Medicaid ID or Member
info". :func:`find_members` is the member-info way: the last name (any case,
surrounding spaces ignored) and the date of birth must match; a first name,
when given, narrows by its beginning. The wizard's eligibility step offers the
matches as a pick list and fills the member ID of the one chosen; eligibility
on the date of service is then checked as for a typed ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from store.errors import ValidationError
from store.models import Member

MAX_MATCHES = 20


@dataclass(frozen=True, slots=True)
class MemberMatch:
    """A member found by name and date of birth."""

    member_pk: int
    member_id: str
    medicaid_id: str
    first_name: str
    last_name: str
    birth_date: date
    sex: str

    @property
    def name(self) -> str:
        """Last, First."""
        return f"{self.last_name}, {self.first_name}"


def find_members(
    session: Session, last_name: str, birth_date: date | None, first_name: str = "", *, limit: int = MAX_MATCHES
) -> list[MemberMatch]:
    """Members with this last name and date of birth (and first name starting so), by name then ID.

    Raises:
        ValidationError: field ``lookup-last-name`` or ``lookup-birth-date``
            when one is missing (both at once).
    """
    last = " ".join((last_name or "").split())
    first = " ".join((first_name or "").split())
    errors = {}
    if not last:
        errors["lookup-last-name"] = "Enter the member's last name."
    if birth_date is None:
        errors["lookup-birth-date"] = "Enter the member's date of birth (MM/DD/YYYY)."
    if errors:
        raise ValidationError(errors)
    query = select(Member).where(
        Member.birth_date == birth_date,
        func.lower(Member.last_name) == last.lower(),
    )
    if first:
        query = query.where(func.lower(Member.first_name).startswith(first.lower(), autoescape=True))
    rows = session.execute(
        query.order_by(Member.last_name, Member.first_name, Member.member_id).limit(limit)
    ).scalars()
    return [
        MemberMatch(
            member_pk=m.id, member_id=m.member_id, medicaid_id=m.medicaid_id or "", first_name=m.first_name,
            last_name=m.last_name, birth_date=m.birth_date, sex=m.sex,
        )
        for m in rows
    ]


__all__ = ["MAX_MATCHES", "MemberMatch", "find_members"]
