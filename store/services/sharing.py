"""Drafts shared with every provider on the request (seed 002).

"All providers associated with the request/notice will be able to see a list
of incomplete drafts that they can open and complete." From the first save
that names them, the organizations of the requesting, servicing and facility
providers see the draft (and the case after submission) beside the
organization that started it; naming another provider takes the former one's
organization off again. The owner (the organization of the clerk who started
the request) always keeps it.

:func:`share_with_providers` is called by ``save_draft`` and at submission;
:func:`associated_organizations` is the one rule, also used by the demo.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, select
from sqlmodel import Session

from store.enums import ProviderRole
from store.models import AuthRequest, Provider, RequestOrganization

OWNER = "owner"


def associated_organizations(
    owner_org: int | None, provider_orgs: Mapping[ProviderRole, int | None]
) -> dict[int, str]:
    """Organization id → its role on the request (``owner``, else the first provider role naming it).

    Args:
        owner_org: the organization of the clerk who started the request.
        provider_orgs: for each provider role, the organization of the
            provider named in it (None when none or not in AuthDesk).
    """
    roles: dict[int, str] = {}
    if owner_org is not None:
        roles[owner_org] = OWNER
    for role in (ProviderRole.REQUESTING, ProviderRole.SERVICING, ProviderRole.FACILITY):
        org = provider_orgs.get(role)
        if org is not None and org not in roles:
            roles[org] = role.value
    return roles


def provider_organizations(session: Session, request: AuthRequest) -> dict[ProviderRole, int | None]:
    """The organization of each provider named on ``request``."""
    named = {
        ProviderRole.REQUESTING: request.requesting_provider_id,
        ProviderRole.SERVICING: request.servicing_provider_id,
        ProviderRole.FACILITY: request.facility_provider_id,
    }
    ids = [i for i in named.values() if i is not None]
    orgs = dict(session.execute(select(Provider.id, Provider.organization_id).where(Provider.id.in_(ids))).all()) \
        if ids else {}
    return {role: orgs.get(pid) if pid is not None else None for role, pid in named.items()}


def share_with_providers(session: Session, request: AuthRequest) -> None:
    """Make ``request``'s visibility rows match its owner and its providers' organizations.

    Rows of organizations no longer on the request are deleted (a provider
    removed from a draft takes its organization's access with it); the owner's
    row is never removed.
    """
    wanted = associated_organizations(request.organization_id, provider_organizations(session, request))
    present = dict(session.execute(
        select(RequestOrganization.organization_id, RequestOrganization.role)
        .where(RequestOrganization.request_id == request.id)
    ).all())
    gone = [org for org, role in present.items() if org not in wanted and role != OWNER]
    if gone:
        session.execute(delete(RequestOrganization).where(
            RequestOrganization.request_id == request.id, RequestOrganization.organization_id.in_(gone)))
    for org, role in wanted.items():
        if org not in present:
            session.add(RequestOrganization(request_id=request.id, organization_id=org, role=role))
        elif present[org] != role and present[org] != OWNER:
            session.execute(
                RequestOrganization.__table__.update()
                .where(RequestOrganization.request_id == request.id, RequestOrganization.organization_id == org)
                .values(role=role)
            )


__all__ = ["OWNER", "associated_organizations", "provider_organizations", "share_with_providers"]
