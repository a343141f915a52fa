"""Field values of the wizard: parsing what the clerk typed (the store's validators) and showing values.

A value that does not parse stays as typed: :func:`parsed_value` returns the
default and keeps the text in ``raw`` (saved in ``DraftForm.raw``), so
nothing typed is lost.
"""

from __future__ import annotations

import re

from store.errors import ValidationError
from store.formats import format_date, format_datetime  # noqa: F401  (the wizard shows dates as the store writes them)

DATE_HINT = "MM/DD/YYYY, YYYY-MM-DD, t (today) or t+3"
LINE_FIELD = re.compile(r"^line-(\d+)-(code|modifier|from|to|units)$")


# ----- field parsing (store validators; messages shown under the field) -----


def parse_field(field_id: str, text: str):
    """Parse ``text`` typed in ``field_id``; raises ValidationError with the field's message."""
    from store import validate

    text = text.strip()
    line = LINE_FIELD.match(field_id)
    kind = line.group(2) if line else field_id
    if kind in ("start-date", "end-date", "delivery-date", "newborn-birth-date", "from", "to"):
        return validate.parse_date(text, field_id)
    if kind == "admission-at":
        return validate.parse_datetime(text, field_id)
    if kind == "units":
        return validate.parse_units(text, field_id)
    if kind == "birth-weight":
        return validate.parse_weight_grams(text, field_id)
    if kind in ("contact-phone", "contact-fax"):
        return validate.validate_phone(text, field_id)
    if kind == "contact-email":
        return validate.validate_email(text, field_id)
    if kind == "modifier":
        return validate.parse_modifiers(text, field_id)
    if kind == "newborn-sex":
        from store.services.newborn import parse_sex

        return parse_sex(text, field_id)
    if kind == "contact-phone-ext":
        if not re.fullmatch(r"[0-9]{1,6}", text):
            raise ValidationError("An extension is up to 6 digits.", field=field_id)
        return text
    return text


def parsed_value(field_id: str, text: str, key: str, raw: dict[str, str], default=None):
    """``text`` of ``field_id`` parsed; if it does not parse, ``default`` and the text kept in ``raw[key]``."""
    if not text.strip():
        return default
    try:
        return parse_field(field_id, text)
    except ValidationError:
        raw[key] = text
        return default
