"""Administration of users, and each user's own account ("My account").

Administrators (role ``admin``) list users, add them, disable or enable them,
set a new password, unlock an account locked by failed sign-ins and change a
user's role and organization. Every signed-in user keeps their own profile
(name, email, phone, extension, fax — what new requests prefill as the
contact) and changes their password with the current one.

Each change is a small transaction of its own; the UI calls these in a worker
and shows a :class:`ValidationError` at its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from store.enums import Role
from store.errors import NotFoundError, PermissionDeniedError, ValidationError
from store.models import Organization, User
from store.records import UserRecord
from store.types import utcnow

PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class UserRow:
    """A user as the admin screen lists them."""

    id: int
    username: str
    full_name: str
    email: str
    role: Role
    organization_code: str
    organization_name: str
    is_active: bool
    locked_until: datetime | None
    last_login_at: datetime | None

    def is_locked(self, now: datetime | None = None) -> bool:
        """Locked by failed sign-ins right now."""
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    def state(self, now: datetime | None = None) -> str:
        """``Active``, ``Locked`` or ``Disabled``."""
        if not self.is_active:
            return "Disabled"
        return "Locked" if self.is_locked(now) else "Active"


def _audit(session: Session, actor: UserRecord, detail: str, action: str = "changed") -> None:
    """An audit event for an account change, in the caller's transaction (store.services.audit)."""
    from store.services.audit import record

    record(session, action, actor, detail=detail)


def _require_admin(user: UserRecord) -> None:
    if Role(user.role) is not Role.ADMIN:
        raise PermissionDeniedError("Only an administrator can manage users.")


def _target(session: Session, user_id: int) -> User:
    row = session.get(User, user_id)
    if row is None:
        raise NotFoundError(f"There is no user #{user_id}.")
    return row


def list_users(session: Session, admin: UserRecord, text: str = "", *, limit: int = PAGE_SIZE) -> list[UserRow]:
    """Users by username (``text`` filters on username, name or organization code)."""
    _require_admin(admin)
    query = select(User, Organization).outerjoin(Organization, Organization.id == User.organization_id)
    words = text.strip().lower()
    if words:
        pattern = f"%{words}%"
        query = query.where(func.lower(User.username).like(pattern) | func.lower(User.full_name).like(pattern)
                            | func.lower(func.coalesce(Organization.code, "")).like(pattern))
    rows = session.execute(query.order_by(User.username).limit(limit)).all()
    return [
        UserRow(
            id=u.id, username=u.username, full_name=u.full_name, email=u.email, role=Role(u.role),
            organization_code=o.code if o else "", organization_name=o.name if o else "",
            is_active=u.is_active, locked_until=u.locked_until, last_login_at=u.last_login_at,
        )
        for u, o in rows
    ]


def list_organizations(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every organization, by code."""
    return [tuple(r) for r in session.execute(select(Organization.code, Organization.name).order_by(Organization.code))]


def add_user(
    session: Session, admin: UserRecord, *, username: str, password: str, role: Role | str,
    organization_code: str = "", full_name: str = "", email: str = "", phone: str = "", fax: str = "",
) -> UserRecord:
    """Create a user (an unknown organization code is refused: create organizations on purpose).

    Raises:
        ValidationError: fields ``username``, ``password``, ``role``,
            ``organization``, ``email``, ``phone``, ``fax``.
    """
    from store.services.auth import create_user

    _require_admin(admin)
    code = organization_code.strip()
    if code and session.execute(select(Organization.id).where(Organization.code == code)).first() is None:
        raise ValidationError(f"No organization with code {code!r}.", field="organization")
    profile = _clean_profile(full_name=full_name or username, email=email, phone=phone, phone_ext="", fax=fax,
                             email_required=False)
    added = create_user(session, username, password, role=role, organization_code=code or None,
                        full_name=profile["full_name"], email=profile["email"], phone=profile["phone"],
                        fax=profile["fax"])
    _audit(session, admin, f"user {added.username} added ({Role(added.role).value})")
    return added


def set_user_active(session: Session, admin: UserRecord, user_id: int, active: bool) -> UserRow:
    """Disable (``active`` False) or enable a user; an administrator cannot disable themself."""
    _require_admin(admin)
    row = _target(session, user_id)
    if not active and row.id == admin.id:
        raise ValidationError("You cannot disable your own account.", field="user")
    row.is_active = bool(active)
    session.add(row)
    _audit(session, admin, f"user {row.username} {'enabled' if active else 'disabled'}")
    session.flush()
    return _row(session, row)


def unlock_user(session: Session, admin: UserRecord, user_id: int) -> UserRow:
    """Lift a lock from failed sign-ins (and forget the failures)."""
    _require_admin(admin)
    row = _target(session, user_id)
    row.failed_logins = 0
    row.locked_until = None
    session.add(row)
    _audit(session, admin, f"user {row.username} unlocked")
    session.flush()
    return _row(session, row)


def reset_user_password(session: Session, admin: UserRecord, user_id: int, new_password: str) -> UserRow:
    """Give a user a new password (they should change it in My account); lifts any lock.

    Raises:
        ValidationError: field ``password`` (too short).
    """
    from store.services.auth import check_password_rules, hash_password

    _require_admin(admin)
    check_password_rules(new_password)
    row = _target(session, user_id)
    row.password_hash = hash_password(new_password)
    row.failed_logins = 0
    row.locked_until = None
    row.reset_code_hash = None
    row.reset_code_expires = None
    session.add(row)
    _audit(session, admin, f"new password set for user {row.username}", "password-reset")
    session.flush()
    return _row(session, row)


def change_user_role(
    session: Session, admin: UserRecord, user_id: int, role: Role | str, organization_code: str = ""
) -> UserRow:
    """Change a user's role and organization (a clerk needs one; an administrator keeps their own role)."""
    _require_admin(admin)
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(f"Role must be one of: {', '.join(r.value for r in Role)}.", field="role") from None
    row = _target(session, user_id)
    if row.id == admin.id and role is not Role.ADMIN:
        raise ValidationError("You cannot take the administrator role from yourself.", field="role")
    code = organization_code.strip()
    org = None
    if code:
        org = session.execute(select(Organization).where(Organization.code == code)).scalar_one_or_none()
        if org is None:
            raise ValidationError(f"No organization with code {code!r}.", field="organization")
    if role is Role.CLERK and org is None:
        raise ValidationError("A clerk belongs to an organization: give its code.", field="organization")
    row.role = role
    row.organization_id = org.id if org else None
    session.add(row)
    _audit(session, admin, f"user {row.username} is now {role.value}" + (f" in {code}" if code else ""))
    session.flush()
    return _row(session, row)


def _row(session: Session, u: User) -> UserRow:
    org = session.get(Organization, u.organization_id) if u.organization_id else None
    return UserRow(id=u.id, username=u.username, full_name=u.full_name, email=u.email, role=Role(u.role),
                   organization_code=org.code if org else "", organization_name=org.name if org else "",
                   is_active=u.is_active, locked_until=u.locked_until, last_login_at=u.last_login_at)


# ----- My account -----


def _clean_profile(*, full_name: str, email: str, phone: str, phone_ext: str, fax: str,
                   email_required: bool = True) -> dict[str, str]:
    from store.validate import validate_email, validate_phone

    errors: dict[str, str] = {}
    clean = {"full_name": " ".join((full_name or "").split()), "email": "", "phone": "", "phone_ext": "", "fax": ""}
    if not clean["full_name"]:
        errors["full_name"] = "Enter your full name."
    elif len(clean["full_name"]) > 200:
        errors["full_name"] = "At most 200 characters."
    if (email or "").strip() or email_required:
        try:
            clean["email"] = validate_email(email, field="email")
        except ValidationError as exc:
            errors.update(exc.errors)
    for field in ("phone", "fax"):
        value = {"phone": phone, "fax": fax}[field]
        if (value or "").strip():
            try:
                clean[field] = validate_phone(value, field=field)
            except ValidationError as exc:
                errors.update(exc.errors)
    ext = (phone_ext or "").strip()
    if ext and (not ext.isdigit() or len(ext) > 10):
        errors["phone_ext"] = "Extension: up to 10 digits."
    clean["phone_ext"] = ext
    if errors:
        raise ValidationError(errors)
    return clean


def update_profile(
    session: Session, user: UserRecord, *, full_name: str, email: str, phone: str = "", phone_ext: str = "",
    fax: str = "",
) -> UserRecord:
    """Change the signed-in user's own name, email, phone, extension and fax.

    Raises:
        ValidationError: fields ``full_name``, ``email``, ``phone``, ``phone_ext``, ``fax``.
    """
    from store.services.auth import to_user_record

    clean = _clean_profile(full_name=full_name, email=email, phone=phone, phone_ext=phone_ext, fax=fax)
    row = _target(session, user.id)
    for key, value in clean.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return to_user_record(session, row)


def change_own_password(session: Session, user: UserRecord, current: str, new: str, repeat: str) -> None:
    """Change the signed-in user's password; the current one must be right.

    Raises:
        ValidationError: fields ``current-password``, ``new-password``, ``repeat-password``.
    """
    from store.services.auth import MIN_PASSWORD_LENGTH, hash_password, password_hasher

    row = _target(session, user.id)
    errors: dict[str, str] = {}
    if not password_hasher().verify(current or "", row.password_hash):
        errors["current-password"] = "That is not your current password."
    if len(new or "") < MIN_PASSWORD_LENGTH:
        errors["new-password"] = f"The new password needs at least {MIN_PASSWORD_LENGTH} characters."
    elif new == current:
        errors["new-password"] = "Choose a password different from the current one."
    if new != repeat and "new-password" not in errors:
        errors["repeat-password"] = "The two new passwords differ."
    if errors:
        raise ValidationError(errors)
    row.password_hash = hash_password(new)
    session.add(row)
    _audit(session, user, "own password changed", "password-reset")
    session.flush()


# ----- demo -----


def demo_reset_code(session: Session, username: str) -> str | None:
    """The reset code just mailed to a *demo* user, read from the outbox (demo databases only).

    The demo has no mail server, so the code waits in the outbox; the
    forgot-password screen shows it when the app runs in demo mode. Never
    used for a real database (the caller checks ``Store.demo``) nor for a
    user who is not one of the demo accounts.
    """
    import re

    from store.demo import DEMO_ACCOUNTS
    from store.models import OutboxMail

    name = (username or "").strip().lower()
    if name not in {a[0] for a in DEMO_ACCOUNTS}:
        return None
    row = session.execute(select(User).where(User.username == name)).scalar_one_or_none()
    if row is None or not row.email:
        return None
    body = session.execute(
        select(OutboxMail.body).where(OutboxMail.mail_kind == "password_reset", OutboxMail.to_address == row.email)
        .order_by(OutboxMail.id.desc()).limit(1)
    ).scalar()
    found = re.search(r"\b(\d{6})\b", body or "")
    return found.group(1) if found else None


__all__ = [
    "UserRow",
    "add_user",
    "change_own_password",
    "change_user_role",
    "demo_reset_code",
    "list_organizations",
    "list_users",
    "reset_user_password",
    "set_user_active",
    "unlock_user",
    "update_profile",
]
