"""Draft, WebCert and authorization numbers: unique and never reused.

Each number comes from a counter row bumped with ``UPDATE … RETURNING`` in the
caller's transaction, so two clerks submitting at once against one PostgreSQL
database never receive the same number, and a rolled-back submission's number
is simply skipped (never handed out twice).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

DRAFT = "draft"
WEBCERT = "webcert"
AUTH_SP = "auth_sp"
AUTH_IP = "auth_ip"


def next_value(session: Session, name: str) -> int:
    """Bump counter ``name`` and return its new value (creating it at 1)."""
    bump = text(
        "UPDATE number_sequence SET last_value = last_value + 1 "
        "WHERE name = :name RETURNING last_value"
    )
    value = session.execute(bump, {"name": name}).scalar()
    if value is not None:
        return int(value)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert = text(
            "INSERT INTO number_sequence (name, last_value) VALUES (:name, 1) "
            "ON CONFLICT (name) DO UPDATE SET last_value = number_sequence.last_value + 1 "
            "RETURNING last_value"
        )
    else:
        insert = text(
            "INSERT INTO number_sequence (name, last_value) VALUES (:name, 1) "
            "ON CONFLICT (name) DO UPDATE SET last_value = last_value + 1 "
            "RETURNING last_value"
        )
    return int(session.execute(insert, {"name": name}).scalar_one())


def format_draft_number(value: int) -> str:
    """``D-000123``."""
    return f"D-{value:06d}"


def format_webcert_number(value: int) -> str:
    """``WC-0001234``."""
    return f"WC-{value:07d}"


def format_auth_number(prefix: str, value: int) -> str:
    """``SP0001234`` or ``IP0001234``."""
    return f"{prefix}{value:07d}"


def next_draft_number(session: Session) -> str:
    """A fresh Draft number / Reference ID."""
    return format_draft_number(next_value(session, DRAFT))


def next_webcert_number(session: Session) -> str:
    """A fresh WebCert number (given at submission)."""
    return format_webcert_number(next_value(session, WEBCERT))


def next_auth_number(session: Session, prefix: str) -> str:
    """A fresh authorization number with ``prefix`` SP or IP."""
    counter = AUTH_SP if prefix == "SP" else AUTH_IP
    return format_auth_number(prefix, next_value(session, counter))
