"""Finding a case: by WebCert, authorization, draft number, member ID or name.

:func:`search_cases` answers in two steps:

1. **Exact numbers**, through unique indexes: what was typed is normalised
   (case, spaces, a missing dash or leading zeros: ``wc-0000012``, ``WC12`` and
   ``wc 12`` all mean ``WC-0000012``; ``sp12`` means ``SP0000012``; ``d-12``
   means ``D-000012``) and looked up in ``webcert_number``, ``auth_number`` and
   ``draft_number``; a member ID is looked up in the member table's unique
   index and the member's requests through ``ix_request_member_pk``.
2. **Names** as you type: member names starting with the text first, then
   names (and IDs and numbers) containing every word typed.

Results are only cases the user may see (:func:`store.services.cases.visible_to`).
"""

from __future__ import annotations

import re

from sqlalchemy import case, desc, func, or_, select
from sqlmodel import Session

from store.models import AuthRequest, Member
from store.records import RequestRow, UserRecord
from store.services.cases import _ROW_COLUMNS, _row, filter_condition, visible_to

SEARCH_LIMIT = 20

_WEBCERT = re.compile(r"^WC-?(\d{1,7})$")
_AUTH = re.compile(r"^(SP|IP)-?(\d{1,7})$")
_DRAFT = re.compile(r"^D-?(\d{1,6})$")


def normalize_numbers(text: str) -> dict[str, set[str]]:
    """The exact values ``text`` may stand for, by column.

    >>> normalize_numbers(" wc-0000012 ")["webcert"]
    {'WC-0000012'}
    """
    compact = re.sub(r"\s+", "", text).upper()
    found: dict[str, set[str]] = {"webcert": set(), "auth": set(), "draft": set(), "member": set()}
    if not compact:
        return found
    if m := _WEBCERT.match(compact):
        found["webcert"].add(f"WC-{int(m.group(1)):07d}")
    if m := _AUTH.match(compact):
        found["auth"].add(f"{m.group(1)}{int(m.group(2)):07d}")
    if m := _DRAFT.match(compact):
        found["draft"].add(f"D-{int(m.group(1)):06d}")
    if re.fullmatch(r"[A-Z0-9-]{1,20}", compact):
        stripped = text.strip()
        found["member"].update({compact, stripped} if len(stripped) <= 20 else {compact})
    return found


def _exact(session: Session, user: UserRecord, text: str, limit: int) -> list[RequestRow]:
    numbers = normalize_numbers(text)
    conditions = []
    if numbers["webcert"]:
        conditions.append(AuthRequest.webcert_number.in_(numbers["webcert"]))
    if numbers["auth"]:
        conditions.append(AuthRequest.auth_number.in_(numbers["auth"]))
    if numbers["draft"]:
        conditions.append(AuthRequest.draft_number.in_(numbers["draft"]))
    if numbers["member"]:
        member_pks = list(
            session.execute(select(Member.id).where(Member.member_id.in_(numbers["member"]))).scalars()
        )
        if member_pks:
            conditions.append(AuthRequest.member_pk.in_(member_pks))
    if not conditions:
        return []
    rows = session.execute(
        select(*_ROW_COLUMNS)
        .where(or_(*conditions), visible_to(user))
        .order_by(desc(AuthRequest.updated_at), desc(AuthRequest.id))
        .limit(limit)
    ).all()
    return [_row(r) for r in rows]


def _by_name(session: Session, user: UserRecord, text: str, limit: int, skip: set[int]) -> list[RequestRow]:
    words = text.strip().lower()
    if not words:
        return []
    prefix = func.lower(AuthRequest.member_name).startswith(words, autoescape=True)
    if len(words) < 2:
        match = prefix  # one letter: only names starting with it
    else:
        match = or_(prefix, filter_condition(words))
    query = select(*_ROW_COLUMNS).where(match, visible_to(user))
    if skip:
        query = query.where(AuthRequest.id.not_in(skip))
    rows = session.execute(
        query.order_by(
            case((prefix, 0), else_=1),
            AuthRequest.member_name,
            desc(AuthRequest.updated_at),
            desc(AuthRequest.id),
        ).limit(limit)
    ).all()
    return [_row(r) for r in rows]


def search_cases(session: Session, user: UserRecord, text: str, limit: int = SEARCH_LIMIT) -> list[RequestRow]:
    """Cases matching ``text``: exact number / member-ID matches first, then names.

    Returns at most ``limit`` dashboard rows, each once; an empty list for
    blank text.
    """
    from store.textgate import check_search

    text = check_search(text, field="search")
    if not text or limit <= 0:
        return []
    found = _exact(session, user, text, limit)
    if len(found) < limit:
        seen = {r.id for r in found}
        found += _by_name(session, user, text, limit - len(found), seen)
    return found


__all__ = ["normalize_numbers", "search_cases"]
