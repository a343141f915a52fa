"""How the store writes dates, times, phone numbers, file sizes and file names.

One place for each format, imported by the services and the screens alike
(no module spells ``%m/%d/%Y`` on its own). Nothing here touches the
database; :func:`accepted_suffixes` reads the attachment rules lazily.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache

DATE_FORMAT = "%m/%d/%Y"  # 03/09/2026, as the seeds' forms write dates
TIME_FORMAT = "%H:%M"  # 24-hour, minutes: times are kept to the minute
DATETIME_FORMAT = f"{DATE_FORMAT} {TIME_FORMAT}"
# Every spelling of a date the clerk may type (the first is the one shown).
DATE_INPUT_FORMATS = (DATE_FORMAT, "%Y-%m-%d", "%m-%d-%Y", "%m%d%Y")
DATE_HINT = "MM/DD/YYYY, YYYY-MM-DD, t (today) or t+3"


def format_date(value: date | None, empty: str = "") -> str:
    """``03/09/2026`` (``empty`` for none)."""
    return value.strftime(DATE_FORMAT) if value else empty


def format_datetime(value: datetime | None, empty: str = "") -> str:
    """``03/02/2026 09:15`` as stored (UTC for the store's instants), ``empty`` for none."""
    return value.strftime(DATETIME_FORMAT) if value else empty


def format_local_datetime(value: datetime | None, empty: str = "") -> str:
    """``03/02/2026 09:15`` in the local time zone of the machine (what a clerk reads)."""
    return value.astimezone().strftime(DATETIME_FORMAT) if value else empty


def format_utc_datetime(value: datetime | None, empty: str = "") -> str:
    """``03/02/2026 09:15 UTC`` (mails and letters, read anywhere)."""
    return f"{value.astimezone(UTC).strftime(DATETIME_FORMAT)} UTC" if value else empty


def to_minute(value: datetime | None) -> datetime | None:
    """``value`` in UTC without seconds: an admission time is kept to the minute, as it is typed."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(second=0, microsecond=0)


def format_phone(text: str, region: str = "US") -> str:
    """``414-555-0100`` → ``(414) 555-0100``; text that is not a phone number comes back unchanged.

    For showing and comparing numbers; :func:`store.validate.validate_phone`
    is the check that refuses a bad one.
    """
    from store.errors import ValidationError
    from store.validate import validate_phone

    raw = (text or "").strip()
    if not raw:
        return ""
    try:
        return validate_phone(raw, region=region)
    except ValidationError:
        return raw


def size_label(n: int) -> str:
    """A file size as people say it: ``812 bytes``, ``12.3 KB``, ``25 MB``."""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            if unit == "bytes" or size >= 100:
                return f"{size:.0f} {unit}"
            return f"{size:.1f} {unit}".replace(".0 ", " ")
        size /= 1024
    return f"{n} bytes"  # pragma: no cover


@cache
def accepted_suffixes() -> tuple[str, ...]:
    """File name endings a file picker offers for clinical records (``.pdf``, ``.docx`` …).

    Derived from the attachment rules (:data:`store.services.attachments.ACCEPTED_TYPES`);
    the type itself is always checked from the file's content when it is attached.
    """
    from store.services.attachments import ACCEPTED_TYPES

    seen: dict[str, None] = {}
    for _label, suffixes in ACCEPTED_TYPES.values():
        for suffix in suffixes:
            seen.setdefault(suffix.lower(), None)
    return tuple(seen)


def has_accepted_suffix(name: str) -> bool:
    """Whether a file name ends like a clinical record (for a picker's filter)."""
    lowered = str(name).lower()
    return any(lowered.endswith(suffix) for suffix in accepted_suffixes())


__all__ = [
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "DATE_HINT",
    "DATE_INPUT_FORMATS",
    "TIME_FORMAT",
    "accepted_suffixes",
    "format_date",
    "format_datetime",
    "format_local_datetime",
    "format_phone",
    "format_utc_datetime",
    "has_accepted_suffix",
    "size_label",
    "to_minute",
]
