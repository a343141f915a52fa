"""Field validators shared by the wizard, the CLI and the services.

Each takes the text as typed and the field it came from, and returns the
clean value or raises :class:`store.errors.ValidationError` with a message
meant for the clerk, shown under that field.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from store.errors import ValidationError
from store.formats import DATE_INPUT_FORMATS
from store.formats import format_date as _format_date
from store.types import utcnow

DATE_FORMATS = DATE_INPUT_FORMATS
# ASCII digits only: ``\d`` would also take ``٣`` or ``３``, which a clerk cannot have meant.
_RELATIVE = re.compile(r"^t(?:\s*([+-])\s*([0-9]{1,3}))?$", re.IGNORECASE)
_TIME = re.compile(r"^([0-9]{1,2}):?([0-9]{2})\s*([ap]m?)?$", re.IGNORECASE)
MAX_UNITS = 9999
MAX_MODIFIERS = 4  # X12 837/278 carry up to four procedure modifiers per line
MIN_BIRTH_WEIGHT_GRAMS = 200
MAX_BIRTH_WEIGHT_GRAMS = 7000


def today() -> date:
    """Today's date (UTC; frozen in tests)."""
    return utcnow().date()


def format_date(value: date | None) -> str:
    """A date as clerks write it: MM/DD/YYYY (empty for none); :func:`store.formats.format_date`."""
    return _format_date(value)


def _ascii_digits_only(text: str, field: str, what: str) -> None:
    """Refuse digits (and other characters) outside ASCII where only ASCII digits make sense."""
    bad = next((ch for ch in text if not ch.isascii() and (ch.isdigit() or ch.isnumeric())), None)
    if bad is not None:
        raise ValidationError(f"“{text}” has the character “{bad}”: type {what} with the digits 0–9.", field=field)


def parse_date(text: str, field: str = "date") -> date:
    """``03/09/2026``, ``2026-03-09``, ``03092026``, ``t`` (today), ``t+3`` or ``t-1``."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("Enter a date (MM/DD/YYYY, or t for today).", field=field)
    _ascii_digits_only(text, field, "a date")
    relative = _RELATIVE.match(text)
    if relative:
        sign, days = relative.groups()
        offset = int(days or 0) * (-1 if sign == "-" else 1)
        return today() + timedelta(days=offset)
    if not text.isascii():
        raise ValidationError(f"“{text}” is not a date: use MM/DD/YYYY (e.g. 03/09/2026), or t, t+3.", field=field)
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not 1900 <= parsed.year <= 2199:
            break
        return parsed
    raise ValidationError(f"“{text}” is not a date: use MM/DD/YYYY (e.g. 03/09/2026), or t, t+3.", field=field)


def parse_datetime(text: str, field: str = "datetime") -> datetime:
    """A date and a time: ``03/02/2026 09:15``, ``t 14:05`` or ``03/02/2026 2:05pm`` (UTC)."""
    text = (text or "").strip()
    parts = text.rsplit(" ", 1)
    if len(parts) != 2:
        raise ValidationError("Enter a date and time, e.g. 03/02/2026 09:15.", field=field)
    day = parse_date(parts[0], field)
    match = _TIME.match(parts[1])
    if not match:
        raise ValidationError(f"“{parts[1]}” is not a time: use HH:MM (24-hour) or 2:05pm.", field=field)
    hour, minute, half = int(match.group(1)), int(match.group(2)), (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise ValidationError("With am/pm the hour is 1 to 12.", field=field)
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise ValidationError(f"“{parts[1]}” is not a time of day.", field=field)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def check_date_range(start: date | None, end: date | None, field: str = "end-date") -> None:
    """Refuse an end date before the start date."""
    if start and end and end < start:
        raise ValidationError(
            f"The end date {format_date(end)} is before the start date {format_date(start)}.", field=field
        )


def parse_units(text: str, field: str = "units") -> int:
    """Requested units: a whole number from 1 to 9,999."""
    text = (text or "").strip().replace(",", "")
    if not text:
        raise ValidationError("Enter the number of units (1 or more).", field=field)
    _ascii_digits_only(text, field, "units")
    if not re.fullmatch(r"-?[0-9]+", text):
        raise ValidationError(f"“{text}” is not a whole number of units.", field=field)
    units = int(text)
    if units < 1:
        raise ValidationError("Units must be at least 1.", field=field)
    if units > MAX_UNITS:
        raise ValidationError(f"Units cannot be more than {MAX_UNITS:,}.", field=field)
    return units


def parse_weight_grams(text: str, field: str = "birth-weight") -> int:
    """Birth weight in grams (``3250``, ``3,250 g``) or pounds and ounces (``7 lb 3 oz``)."""
    raw = (text or "").strip().lower()
    if not raw:
        raise ValidationError("Enter the birth weight in grams (e.g. 3250).", field=field)
    _ascii_digits_only(raw, field, "the weight")
    pounds = re.fullmatch(r"([0-9]{1,2})\s*(?:lb|lbs|#)\s*(?:([0-9]{1,2}(?:\.[0-9]+)?)\s*oz)?", raw)
    if pounds:
        grams = round(int(pounds.group(1)) * 453.59237 + float(pounds.group(2) or 0) * 28.349523125)
    else:
        cleaned = raw.replace(",", "").removesuffix("grams").removesuffix("g").strip()
        if not (cleaned.isascii() and cleaned.isdigit()):
            raise ValidationError(f"“{text.strip()}” is not a weight: grams (3250) or 7 lb 3 oz.", field=field)
        grams = int(cleaned)
    if not MIN_BIRTH_WEIGHT_GRAMS <= grams <= MAX_BIRTH_WEIGHT_GRAMS:
        raise ValidationError(
            f"A birth weight is between {MIN_BIRTH_WEIGHT_GRAMS} and {MAX_BIRTH_WEIGHT_GRAMS:,} grams.", field=field
        )
    return grams


def validate_phone(text: str, field: str = "phone", region: str = "US") -> str:
    """A dialable phone or fax number, returned as ``(414) 555-0100``.

    Checked with ``phonenumbers`` (the numbering plan, not just the digits).
    """
    import phonenumbers

    raw = (text or "").strip()
    if not raw:
        raise ValidationError("Enter a phone number, e.g. 414-555-0100.", field=field)
    _ascii_digits_only(raw, field, "the number")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(f"“{raw}” is not a phone number.", field=field) from None
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(f"“{raw}” has the wrong number of digits for a phone number.", field=field)
    if not phonenumbers.is_valid_number(number) and not _fictional_us(number):
        raise ValidationError(f"“{raw}” is not a valid phone number (check the area code).", field=field)
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 1 else \
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)


def _fictional_us(number) -> bool:
    """555-01xx numbers are reserved for fiction (demo data) and accepted."""
    national = str(number.national_number)
    return number.country_code == 1 and len(national) == 10 and national[3:8].startswith("55501")


def validate_email(text: str, field: str = "email") -> str:
    """An email address in its normalised form (``email-validator``, no DNS lookup)."""
    from email_validator import EmailNotValidError
    from email_validator import validate_email as check

    raw = (text or "").strip()
    if not raw:
        raise ValidationError("Enter an email address.", field=field)
    try:
        return check(raw, check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError as exc:
        raise ValidationError(f"“{raw}” is not an email address: {exc}", field=field) from None


def parse_modifiers(text: str, field: str = "modifier") -> list[str]:
    """Up to four procedure modifiers, two letters or digits each: ``RT``, ``rt 59``, ``RT,59,XS``."""
    parts = [p for p in re.split(r"[\s,;-]+", (text or "").strip().upper()) if p]
    bad = [p for p in parts if not re.fullmatch(r"[A-Z0-9]{2}", p)]
    if bad:
        raise ValidationError(f"“{bad[0]}” is not a modifier: two letters or digits (e.g. RT, 59).", field=field)
    if len(parts) > MAX_MODIFIERS:
        raise ValidationError(f"A line takes at most {MAX_MODIFIERS} modifiers.", field=field)
    if len(set(parts)) != len(parts):
        raise ValidationError("A modifier is listed twice on this line.", field=field)
    return parts
