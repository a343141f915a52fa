"""Finding a case: by WebCert, authorization, draft number, member ID or name.

:func:`search_cases` answers in two steps:

1. **Exact numbers**, through unique indexes: what was typed is normalised
   (case, spaces, a missing dash or leading zeros: ``wc-0000012``, ``WC12`` and
   ``wc 12`` all mean ``WC-0000012``; ``sp12`` means ``SP0000012``; ``d-12``
   means ``D-000012``) and looked up in ``webcert_number``, ``auth_number`` and
   ``draft_number``; a member ID is looked up in the member table's unique
   index and the member's requests through ``ix_request_member_pk``.
2. **Names** as you type, only when the text is not number-shaped: names
   holding every word typed, through the member-name search index (SQLite
   FTS5 trigram, PostgreSQL pg_trgm), names starting with the text first;
   the per-name counters (``case_name_count``) say how many cases each
   name has for the user, so only the first few names' cases are read.

Results are only cases the user may see (:func:`store.services.cases.visible_to`).
"""

from __future__ import annotations

from sqlalchemy import asc, case, desc, func, select
from sqlmodel import Session

from store.listing import PLAN_AUDIENCE
from store.models import AuthRequest, CaseListing, CaseNameCount
from store.records import RequestRow, UserRecord
from store.services.cases import ROW_COLUMNS as _ROW_COLUMNS
from store.services.cases import audience_of
from store.services.cases import to_request_row as _row
from store.services.textmatch import ALL_STATUSES, NameMatch, exact_condition, normalize_numbers, route

SEARCH_LIMIT = 20
_LISTING = CaseListing.__table__


def _visible_ids(user: UserRecord, query):
    """``query`` (of request ids) narrowed to the cases ``user`` sees, through the listing's key."""
    audience = audience_of(user)
    if audience == PLAN_AUDIENCE:
        return query
    return select(_LISTING.c.request_id).where(
        _LISTING.c.audience_id == audience, _LISTING.c.request_id.in_(query)
    )


def _rows(session: Session, ids_query, order, limit: int) -> list[RequestRow]:
    rows = session.execute(
        select(*_ROW_COLUMNS).where(AuthRequest.id.in_(ids_query)).order_by(*order).limit(limit)
    ).all()
    return [_row(r) for r in rows]


def _exact(session: Session, user: UserRecord, numbers: list[dict[str, set[str]]], limit: int) -> list[RequestRow]:
    query = select(AuthRequest.id)
    for part in numbers:
        query = query.where(exact_condition(part))
    return _rows(session, _visible_ids(user, query),
                 (desc(AuthRequest.updated_at), desc(AuthRequest.id)), limit)


def _by_name(session: Session, user: UserRecord, words: tuple[str, ...], limit: int) -> list[RequestRow]:
    """The first ``limit`` cases by name: names starting with the text first, then by name, newest first.

    The matching names come from the name search index with their case
    counts for the user's audience (``case_name_count``); only the first
    names in order, enough to hold ``limit`` cases, are read from the
    listing — a common last name never reads its tens of thousands of cases.
    """
    phrase = " ".join(words)
    audience = audience_of(user)
    counted = func.sum(CaseNameCount.n)
    if len(phrase) < 2:  # one letter: names starting with it
        named = func.lower(CaseNameCount.name).startswith(phrase, autoescape=True)
    else:
        named = NameMatch(CaseNameCount.name, words)
    starts = func.lower(CaseNameCount.name).startswith(phrase, autoescape=True)
    names: list[str] = []
    found = 0
    for name, n in session.execute(
        select(CaseNameCount.name, counted)
        .where(CaseNameCount.audience_id == audience, named)
        .group_by(CaseNameCount.name)
        .having(counted > 0)
        .order_by(case((starts, 0), else_=1), asc(CaseNameCount.name))
    ):
        names.append(name)
        found += int(n)
        if found >= limit:
            break
    if not names:
        return []
    listed = func.lower(_LISTING.c.member_name).startswith(phrase, autoescape=True)
    ids = (  # the first cases in order from the narrow listing rows; only those are read from the cases
        select(_LISTING.c.request_id)
        .where(_LISTING.c.audience_id == audience, _LISTING.c.status.in_(ALL_STATUSES),
               _LISTING.c.member_name.in_(names))
        .order_by(case((listed, 0), else_=1), asc(_LISTING.c.member_name), desc(_LISTING.c.updated_at),
                  desc(_LISTING.c.request_id))
        .limit(limit)
    )
    prefix = func.lower(AuthRequest.member_name).startswith(phrase, autoescape=True)
    return _rows(
        session,
        ids,
        (case((prefix, 0), else_=1), asc(AuthRequest.member_name), desc(AuthRequest.updated_at),
         desc(AuthRequest.id)),
        limit,
    )


def search_cases(session: Session, user: UserRecord, text: str, limit: int = SEARCH_LIMIT) -> list[RequestRow]:
    """Cases matching ``text``: exact numbers and member IDs, or words of member names.

    Number- and ID-shaped text (:func:`store.services.textmatch.route`) is
    answered by exact indexed lookups and nothing else; other words by the
    member-name search index, names starting with the text first. Returns at
    most ``limit`` dashboard rows, each once; an empty list for blank text.
    """
    from store.textgate import check_search

    text = check_search(text, field="search")
    if not text or limit <= 0:
        return []
    routed = route(text)
    if routed.numbers:
        found = _exact(session, user, list(routed.numbers), limit)
        if not routed.words:
            return found
        ids = [r.id for r in found]
        named = {r.id for r in _by_name(session, user, routed.words, 10 * limit)} if ids else set()
        return [r for r in found if r.id in named]
    return _by_name(session, user, routed.words, limit)


__all__ = ["normalize_numbers", "search_cases"]
