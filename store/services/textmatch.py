"""What typed text means: an exact number or ID, or words of a member's name.

The dashboard filter and :func:`store.services.search.search_cases` route
text here so each question goes to the index made for it:

* **Number- and ID-shaped** text (it holds a digit: ``WC-0000012``, ``wc 12``,
  ``SP12``, ``D-000123``, ``M1234567``, a Medicaid ID) is looked up exactly in
  the unique / plain indexes of ``webcert_number``, ``auth_number``,
  ``draft_number``, ``member_id_entered`` and ``medicaid_id_entered`` — and
  nothing else (no substring scan).
* **Words** are matched inside member names with the name search index
  over the distinct names (SQLite FTS5 trigram, PostgreSQL pg_trgm GIN;
  :mod:`store.listing`), and the cases found by the listing's
  (audience, status, member_name) index. A word shorter than three letters
  cannot use a trigram index and is checked on the names the others leave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Boolean, and_, false, literal_column, or_, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from store.enums import RequestStatus
from store.listing import NAMES_FTS, PLAN_AUDIENCE
from store.models import AuthRequest, CaseListing

_WEBCERT = re.compile(r"^WC-?(\d{1,7})$")
_AUTH = re.compile(r"^(SP|IP)-?(\d{1,7})$")
_DRAFT = re.compile(r"^D-?(\d{1,6})$")
_ID = re.compile(r"[A-Z0-9-]{1,20}")


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
    if _ID.fullmatch(compact):
        stripped = text.strip()
        found["member"].update({compact, stripped} if len(stripped) <= 20 else {compact})
    return found


def is_number_shaped(text: str) -> bool:
    """Whether ``text`` names a case by a number or an ID (it holds a digit)."""
    return any(ch.isdigit() for ch in text)


@dataclass(frozen=True)
class Routed:
    """Typed text split by the index that answers it."""

    numbers: tuple[dict[str, set[str]], ...]  # one per ID-shaped part, all must match
    words: tuple[str, ...]  # name words, all must be in the member name

    @property
    def empty(self) -> bool:
        return not self.numbers and not self.words


def route(text: str) -> Routed:
    """Split ``text`` into exact-number parts and name words.

    The whole text is one number when it reads as one (``wc 12``); otherwise
    each ID-shaped word is one and the rest are name words.
    """
    text = text.strip()
    if not text:
        return Routed((), ())
    whole = normalize_numbers(text)
    if whole["webcert"] or whole["auth"] or whole["draft"]:
        return Routed((whole,), ())
    numbers, words = [], []
    for word in text.split():
        if is_number_shaped(word):
            numbers.append(normalize_numbers(word))
        else:
            words.append(word.lower())
    return Routed(tuple(numbers), tuple(words))


def name_only_words(text: str) -> tuple[str, ...] | None:
    """The name words of ``text`` when it holds nothing else (no number or ID); otherwise None.

    Such a filter is answered from the per-name counters
    (``case_name_count``, :mod:`store.listing`) instead of the cases.
    """
    routed = route(text)
    return routed.words if routed.words and not routed.numbers else None


def exact_condition(numbers: dict[str, set[str]]):
    """SQL on ``auth_request``: one of the exact values, each through its index."""
    conditions = []
    if numbers["webcert"]:
        conditions.append(AuthRequest.webcert_number.in_(sorted(numbers["webcert"])))
    if numbers["auth"]:
        conditions.append(AuthRequest.auth_number.in_(sorted(numbers["auth"])))
    if numbers["draft"]:
        conditions.append(AuthRequest.draft_number.in_(sorted(numbers["draft"])))
    if numbers["member"]:
        ids = sorted(numbers["member"])
        conditions.append(AuthRequest.member_id_entered.in_(ids))
        conditions.append(AuthRequest.medicaid_id_entered.in_(ids))
    return or_(*conditions) if conditions else false()


class NameMatch(ColumnElement):
    """SQL: ``name_column`` is a member name holding every word (through the name search index).

    The search index covers ``case_name`` — each distinct member name once
    (:mod:`store.listing`) — so a common last name is a few hundred names,
    and the cases come from the listing's (audience, status, member_name)
    index, never from the wide case table.
    """

    inherit_cache = False
    type = Boolean()

    def __init__(self, name_column, words: tuple[str, ...]) -> None:
        self.name_column = name_column
        self.words = words


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@compiles(NameMatch)
def _name_match_default(element: NameMatch, compiler, **kw) -> str:
    # PostgreSQL: pg_trgm's GIN index on case_name serves ILIKE.
    name = literal_column("case_name.name")
    names = select(name).select_from(table("case_name")).where(
        and_(*(name.ilike(f"%{_escape(w)}%", escape="\\") for w in element.words))
    )
    return compiler.process(element.name_column.in_(names), **kw)


@compiles(NameMatch, "sqlite")
def _name_match_sqlite(element: NameMatch, compiler, **kw) -> str:
    # FTS5 trigram over case_name (LIKE is case-insensitive there); words under
    # three letters are checked on the names the others leave.
    name = literal_column("name")
    names = select(name).select_from(table(NAMES_FTS)).where(
        and_(*(name.like(f"%{_escape(w)}%", escape="\\") for w in element.words))
    )
    return compiler.process(element.name_column.in_(names), **kw)


ALL_STATUSES = tuple(s.value for s in RequestStatus)


def text_condition(text: str, id_column=None, name_column=None):
    """SQL: the case matches ``text``; None for blank text.

    Args:
        text: what was typed.
        id_column: the case id tested (default ``auth_request.id``).
        name_column: the member-name column of the same row when the query
            reads ``case_listing`` (then names are matched on it directly);
            otherwise names go through the plan's listing rows.

    Raises:
        ValidationError: the text gate refused it (field ``filter``): a NUL or
            control character, or longer than the search limit.
    """
    from store.textgate import check_search

    routed = route(check_search(text, field="filter", label="The filter"))
    if routed.empty:
        return None
    id_column = AuthRequest.id if id_column is None else id_column
    parts = []
    for numbers in routed.numbers:
        if id_column is AuthRequest.id:
            parts.append(exact_condition(numbers))
        else:
            parts.append(id_column.in_(select(AuthRequest.id).where(exact_condition(numbers))))
    if routed.words:
        if name_column is not None:
            parts.append(NameMatch(name_column, routed.words))
        else:
            listing = CaseListing.__table__
            parts.append(id_column.in_(
                select(listing.c.request_id).where(
                    listing.c.audience_id == PLAN_AUDIENCE,
                    listing.c.status.in_(ALL_STATUSES),
                    NameMatch(listing.c.member_name, routed.words),
                )
            ))
    return and_(*parts)


__all__ = ["ALL_STATUSES", "NameMatch", "Routed", "exact_condition", "is_number_shaped", "name_only_words",
           "normalize_numbers", "route", "text_condition"]
