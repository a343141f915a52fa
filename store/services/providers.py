"""The provider directory: search as you type by NPI, provider number or name."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, or_, select

from store.errors import NotFoundError
from store.models import Provider
from store.records import ProviderRecord, UserRecord
from store.services.cases import to_provider_record


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_providers(session: Session, text: str, *, facility: bool | None = None, limit: int = 8) -> list[ProviderRecord]:
    """Providers whose NPI or provider number starts with ``text``, or whose name contains it.

    ``facility`` narrows to facilities (True) or practitioners (False); None searches all.
    Exact NPI / number matches come first, then names starting with the text.
    """
    from store.textgate import check_search

    text = " ".join(check_search(text, field="provider-search", label="The provider search").split())
    if len(text) < 2:
        return []
    digits = text.replace(" ", "").replace("-", "")
    pattern = _like(text.lower())
    conditions = [
        Provider.npi.startswith(digits, autoescape=True),
        func.upper(Provider.provider_number).startswith(digits.upper(), autoescape=True),
        func.lower(Provider.name).like(f"%{pattern}%", escape="\\"),
    ]
    query = select(Provider).where(or_(*conditions))
    if facility is not None:
        query = query.where(Provider.is_facility == facility)
    rows = session.exec(query.limit(200)).all()

    def rank(p: Provider) -> tuple:
        exact = p.npi == digits or p.provider_number.upper() == digits.upper()
        starts = p.name.lower().startswith(text.lower()) or any(
            w.startswith(text.lower()) for w in p.name.lower().split()
        )
        return (not exact, not starts, p.name.lower())

    return [to_provider_record(p) for p in sorted(rows, key=rank)[:limit]]


def find_provider_by_npi(session: Session, npi: str) -> ProviderRecord | None:
    """The provider with this NPI, or None (also for text that cannot be an NPI)."""
    from store.textgate import is_ascii_digits

    npi = (npi or "").strip()
    if not is_ascii_digits(npi) or len(npi) != 10:
        return None
    row = session.exec(select(Provider).where(Provider.npi == npi)).first()
    return to_provider_record(row) if row is not None else None


def get_provider(session: Session, provider_id: int) -> ProviderRecord:
    """The provider with this id."""
    row = session.get(Provider, provider_id)
    if row is None:
        raise NotFoundError(f"Provider {provider_id} is not in the directory.")
    return to_provider_record(row)


def default_requesting_provider(session: Session, user: UserRecord | None) -> ProviderRecord | None:
    """The requesting provider to propose: the first practitioner of the user's organization."""
    if user is None or user.organization_id is None:
        return None
    row = session.exec(
        select(Provider)
        .where(Provider.organization_id == user.organization_id)
        .order_by(Provider.is_facility, Provider.id)
        .limit(1)
    ).first()
    return to_provider_record(row) if row is not None else None
