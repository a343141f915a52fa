"""National Provider Identifier: 10 digits, Luhn check digit over ``80840`` + 9 digits."""

from __future__ import annotations

from store.errors import ValidationError
from store.textgate import is_ascii_digits

NPI_PREFIX = "80840"


def npi_check_digit(first_nine: str) -> int:
    """The Luhn check digit for an NPI's first nine digits (prefix 80840 included)."""
    digits = [int(c) for c in NPI_PREFIX + first_nine]
    total = 0
    # Double every second digit from the right, the check digit's place excluded.
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def is_valid_npi(value: str) -> bool:
    """Whether ``value`` is ten digits with a correct check digit."""
    return len(value) == 10 and is_ascii_digits(value) and npi_check_digit(value[:9]) == int(value[9])


def normalize_npi(value: str) -> str:
    """An NPI as typed or imported, without the spaces and dashes people put in it."""
    return "".join((value or "").split()).replace("-", "")


def validate_npi(value: str, field: str = "npi") -> str:
    """Return the NPI with spaces removed, or raise a field-level ValidationError."""
    cleaned = normalize_npi(value)
    if not is_ascii_digits(cleaned):
        raise ValidationError("An NPI has the digits 0–9 only.", field=field)
    if len(cleaned) != 10:
        raise ValidationError(f"An NPI has 10 digits; this has {len(cleaned)}.", field=field)
    if not is_valid_npi(cleaned):
        raise ValidationError(
            "This NPI's check digit is wrong; please re-check the number.", field=field
        )
    return cleaned


def make_npi(first_nine: str) -> str:
    """A valid NPI from nine digits (for demo data and tests)."""
    return first_nine + str(npi_check_digit(first_nine))
