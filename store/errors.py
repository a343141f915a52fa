"""Typed errors raised by services; the UI shows them at the field."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error a service raises on purpose."""


class DatabaseUnavailableError(StoreError):
    """The database cannot be opened or reached (one clear line for the user)."""


class ValidationError(StoreError):
    """Input that breaks a rule; ``errors`` maps field name to message."""

    def __init__(self, errors: dict[str, str] | str, field: str = "form") -> None:
        if isinstance(errors, str):
            errors = {field: errors}
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(self.errors.values()))


class InvalidFormError(ValidationError):
    """A request form with fields that break their rules; ``errors`` maps each field id to its message.

    Raised by saving and submitting, with every bad field at once, so a screen
    can show each message at its field.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        count = len(self.errors)
        head = "1 field is not valid" if count == 1 else f"{count} fields are not valid"
        self.summary = f"{head}: " + "; ".join(self.errors.values())
        self.args = (self.summary,)

    def __str__(self) -> str:
        return self.summary


class AuthenticationError(StoreError):
    """Wrong username or password, or a disabled account."""


class AccountLockedError(AuthenticationError):
    """Too many failed sign-ins; ``until`` says when the lock ends."""

    def __init__(self, message: str, until) -> None:
        super().__init__(message)
        self.until = until


class PermissionDeniedError(StoreError):
    """The signed-in user may not see or do this."""


class NotFoundError(StoreError):
    """No such case, member, provider or user."""


class NotVisibleError(NotFoundError, PermissionDeniedError):
    """Another organization's record, refused with exactly the message a missing one gets.

    It is a :class:`NotFoundError` to the user (nothing tells the two apart)
    and a :class:`PermissionDeniedError` to code that asks about permissions.
    """


class ConflictError(StoreError):
    """Someone else saved this draft first; reload before saving again."""


class NotEligibleError(StoreError):
    """The member has no active primary coverage on the date of service."""


class InvalidTransitionError(StoreError):
    """The action does not fit the case's status."""


class IncompleteError(ValidationError):
    """A submission refused because items are missing; ``missing`` lists them."""

    def __init__(self, missing) -> None:
        self.missing = list(missing)
        super().__init__({item.field: item.message for item in self.missing})
