"""One gate for text from every entry point: fields, filter, search, sign-in, imports, CLI.

Text reaches the database only through :func:`check_text` (or a validator that
calls it), so SQLite and PostgreSQL answer the same: a NUL byte, a control
character or a value longer than its column is refused with a message meant
for the person who typed it, never a driver error and never a silent cut.

Column limits are read from the table definitions (:func:`column_limit`), so a
limit exists once: in :mod:`store.models`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from store.errors import ValidationError

# C0 controls except tab/newline/CR (allowed only in multi-line text), DEL,
# C1 controls, and the Unicode line/paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAKS = re.compile("[\t\n\r]")

# The longest text any search box takes (filter, case search, code search,
# provider search): longer input is refused with a message, not sent to LIKE.
MAX_SEARCH_LENGTH = 200


def check_text(
    value: str | None,
    *,
    field: str,
    max_length: int | None,
    label: str = "This field",
    multiline: bool = False,
    strip: bool = True,
) -> str:
    """``value`` if it may be stored, else :class:`ValidationError` at ``field``.

    Args:
        value: the text as typed (None is read as empty).
        field: the field id the message belongs to (``member-id`` …).
        max_length: the column's length limit (None: unlimited).
        label: how the message names the field ("Member ID").
        multiline: allow tab, newline and carriage return (reasons, notes).
        strip: remove leading and trailing white space first.

    Returns:
        The text, stripped when ``strip`` is set, in Unicode NFC form.
    """
    text = "" if value is None else str(value)
    if strip:
        text = text.strip()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    # Fast path: printable text holds no control character and no line break.
    bad = None if text.isprintable() else (
        _CONTROL.search(text) or (None if multiline else _LINE_BREAKS.search(text)))
    if bad:
        name = "a NUL byte" if bad.group() == "\x00" else f"a control character (U+{ord(bad.group()):04X})"
        raise ValidationError(f"{label} contains {name}; type it again without it.", field=field)
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            f"{label} is {len(text):,} characters long; at most {max_length:,} fit.", field=field
        )
    return text


def check_search(value: str | None, *, field: str = "search", label: str = "The search text") -> str:
    """Text typed into a search or filter box (stripped, at most :data:`MAX_SEARCH_LENGTH`)."""
    return check_text(value, field=field, max_length=MAX_SEARCH_LENGTH, label=label)


@cache
def column_limit(table: str, column: str) -> int | None:
    """The length limit of ``table.column`` as declared in :mod:`store.models` (None: unlimited)."""
    from sqlmodel import SQLModel

    import store.models  # noqa: F401  (registers the tables)

    length = getattr(SQLModel.metadata.tables[table].c[column].type, "length", None)
    return int(length) if length else None


def check_column(value: str | None, table: str, column: str, *, field: str, label: str,
                 multiline: bool = False) -> str:
    """:func:`check_text` with the limit of ``table.column``."""
    return check_text(value, field=field, max_length=column_limit(table, column), label=label,
                      multiline=multiline)


def clean_for_log(value: str | None, max_length: int) -> str:
    """``value`` made safe to record (audit log, log file): control characters
    replaced by ``?`` and cut at ``max_length`` (never refused: a record of a
    bad attempt must still be written)."""
    text = _LINE_BREAKS.sub(" ", _CONTROL.sub("?", "" if value is None else str(value))).strip()
    return text if len(text) <= max_length else text[: max_length - 1] + "…"


def is_ascii_digits(text: str) -> bool:
    """True for ``0``–``9`` only (``str.isdigit`` also takes ``٣`` and ``²``)."""
    return bool(text) and text.isascii() and text.isdigit()


__all__ = [
    "MAX_SEARCH_LENGTH",
    "check_column",
    "check_search",
    "check_text",
    "clean_for_log",
    "column_limit",
    "is_ascii_digits",
]
