"""One readable line for any failure a screen shows (never a traceback)."""

from __future__ import annotations


def describe(exc: BaseException) -> str:
    """The message of a store error, or the first line of a database/OS error.

    Store errors (:class:`store.errors.StoreError`) are written for the clerk
    and shown as they are; anything else is reduced to its first line
    (SQLAlchemy wraps the driver's error in ``orig``).
    """
    from store.errors import StoreError

    text = str(getattr(exc, "orig", None) or exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    if isinstance(exc, StoreError):
        return line
    # Anything else is unexpected: its traceback goes to the log file, the
    # screen shows the reference to it (store.logs).
    from store.logs import report_unexpected

    return f"{line} (reference {report_unexpected(exc, 'a screen')} in the log)"


def field_errors(exc: BaseException, default_field: str = "form") -> dict[str, str]:
    """Field → message for a validation error, else ``{default_field: message}``."""
    from store.errors import ValidationError

    if isinstance(exc, ValidationError):
        return dict(exc.errors)
    return {default_field: describe(exc)}
