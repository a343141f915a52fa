"""One way to change a request: advance its version in one conditional UPDATE.

Every service that changes a request (save, submit, cancel, attach, decide,
expire …) calls :func:`bump_version`, so the optimistic lock behaves the same
everywhere: the update names the version it read, and a change made by
someone else meanwhile turns into :class:`store.errors.ConflictError` (or a
False answer, for background jobs that simply skip the row).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from store.errors import ConflictError
from store.models import AuthRequest

DEFAULT_CONFLICT = "Someone else changed this request after you opened it; reload it and try again."


def bump_version(
    session: Session,
    request: AuthRequest | int,
    expected_version: int | None = None,
    *,
    only_if: Iterable[Any] = (),
    conflict: str | None = DEFAULT_CONFLICT,
    **values: Any,
) -> bool:
    """Advance the version of ``request`` by one (and set ``values``) if nobody changed it meanwhile.

    Args:
        session: the open session (the UPDATE joins its transaction).
        request: the ``AuthRequest`` row (refreshed afterwards) or its id.
        expected_version: the version the caller read; None means the
            loaded row's version (for an id: any version).
        only_if: further WHERE conditions (``AuthRequest.status == DRAFT`` …).
        conflict: the ConflictError message when the row did not match; None
            returns False instead of raising.
        **values: other columns to set in the same UPDATE (``updated_at=now`` …).

    Returns:
        True when the version was advanced (False only with ``conflict=None``).

    Raises:
        ConflictError: the row's version is not ``expected_version`` (or a
            condition of ``only_if`` failed) and ``conflict`` is a message.
    """
    row = request if isinstance(request, AuthRequest) else None
    request_id = row.id if row is not None else int(request)
    if expected_version is None and row is not None:
        expected_version = row.version
    conditions = [AuthRequest.id == request_id, *only_if]
    if expected_version is not None:
        conditions.append(AuthRequest.version == expected_version)
    result = session.execute(
        update(AuthRequest)
        .where(*conditions)
        .values(version=AuthRequest.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        if row is not None:
            session.refresh(row)
        if conflict is None:
            return False
        raise ConflictError(conflict)
    if row is not None:
        session.refresh(row, attribute_names=["version", *values])
    return True


__all__ = ["DEFAULT_CONFLICT", "bump_version"]
