"""Users, organizations and signing in (argon2 hashes, lockout)."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from sqlmodel import Session, select

from store.enums import Role
from store.errors import AccountLockedError, AuthenticationError, NotFoundError, ValidationError
from store.models import Organization, User
from store.records import UserRecord
from store.types import utcnow

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
WRONG_CREDENTIALS = "Unknown username or wrong password."


@lru_cache(maxsize=1)
def password_hasher():
    """The pwdlib hasher (argon2id), built on first use."""
    from pwdlib import PasswordHash

    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return password_hasher().hash(password)


def check_password_rules(password: str) -> None:
    """Raise ValidationError unless the password is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"Password must be at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )


def get_or_create_organization(session: Session, code: str, name: str | None = None) -> Organization:
    """The organization with ``code``, created if it does not exist."""
    code = code.strip()
    if not code:
        raise ValidationError("Organization code is required.", field="organization")
    org = session.exec(select(Organization).where(Organization.code == code)).first()
    if org is None:
        org = Organization(code=code, name=name or code)
        session.add(org)
        session.flush()
    return org


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    role: Role | str = Role.CLERK,
    organization_code: str | None = None,
    full_name: str = "",
    email: str = "",
    phone: str = "",
    fax: str = "",
) -> UserRecord:
    """Create a user; raises ValidationError for a taken name or bad input."""
    username = username.strip().lower()
    if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise ValidationError("Username: letters, digits, '.', '_' or '-' only.", field="username")
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(
            f"Role must be one of: {', '.join(r.value for r in Role)}.", field="role"
        ) from None
    check_password_rules(password)
    if session.exec(select(User).where(User.username == username)).first():
        raise ValidationError(f"User {username!r} already exists.", field="username")
    org = get_or_create_organization(session, organization_code) if organization_code else None
    if role is Role.CLERK and org is None:
        raise ValidationError("A clerk belongs to an organization (--org).", field="organization")
    user = User(
        username=username,
        full_name=full_name or username,
        email=email,
        phone=phone,
        fax=fax,
        role=role,
        organization_id=org.id if org else None,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return to_user_record(session, user)


def to_user_record(session: Session, user: User) -> UserRecord:
    """Convert a User row to a record (inside the session)."""
    org_name = ""
    if user.organization_id is not None:
        org = session.get(Organization, user.organization_id)
        org_name = org.name if org else ""
    return UserRecord(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        phone=user.phone,
        phone_ext=user.phone_ext,
        fax=user.fax,
        role=Role(user.role),
        organization_id=user.organization_id,
        organization_name=org_name,
    )


def sign_in(session: Session, username: str, password: str) -> UserRecord:
    """Check credentials; count failures and lock after five for 15 minutes.

    Raises:
        AuthenticationError: unknown user or wrong password (same message,
            so a guesser learns nothing).
        AccountLockedError: the account is locked; says until when.
    """
    now = utcnow()
    username = username.strip().lower()
    if not username or not password:
        raise AuthenticationError("Enter your username and password.")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.is_active:
        # Hash anyway so that unknown names take as long as wrong passwords.
        password_hasher().verify(password, _dummy_hash())
        raise AuthenticationError(WRONG_CREDENTIALS)
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLockedError(_locked_message(user.locked_until, now), user.locked_until)
    valid, new_hash = password_hasher().verify_and_update(password, user.password_hash)
    if not valid:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_SIGN_INS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            session.add(user)
            session.commit()
            raise AccountLockedError(_locked_message(user.locked_until, now), user.locked_until)
        session.add(user)
        session.commit()
        left = MAX_FAILED_SIGN_INS - user.failed_logins
        raise AuthenticationError(
            f"{WRONG_CREDENTIALS} {left} attempt{'s' if left != 1 else ''} left before the account locks."
        )
    if new_hash:
        user.password_hash = new_hash
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    session.flush()
    return to_user_record(session, user)


def _locked_message(until, now) -> str:
    minutes = max(1, int((until - now).total_seconds() // 60) + (1 if (until - now).seconds % 60 else 0))
    return (
        f"Account locked after {MAX_FAILED_SIGN_INS} failed sign-ins. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not-a-real-password")


def set_password(session: Session, username: str, password: str) -> None:
    """Replace a user's password and lift any lock."""
    check_password_rules(password)
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise NotFoundError(f"No user {username!r}.")
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)


def get_user(session: Session, user_id: int) -> UserRecord:
    """A user by id."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"No user #{user_id}.")
    return to_user_record(session, user)


RESET_CODE_LIFETIME = timedelta(minutes=30)


def register_user(
    session: Session,
    *,
    username: str,
    password: str,
    full_name: str,
    email: str,
    organization_code: str,
    phone: str = "",
) -> UserRecord:
    """Self-registration of a clerk into an existing organization (seed 000's Register).

    Raises:
        ValidationError: unknown organization, taken username, bad email or
            password, each at its field.
    """
    from store.validate import validate_email

    errors: dict[str, str] = {}
    if not full_name.strip():
        errors["full_name"] = "Enter your full name."
    try:
        email = validate_email(email, field="email")
    except ValidationError as exc:
        errors.update(exc.errors)
    org = session.exec(select(Organization).where(Organization.code == organization_code.strip())).first()
    if org is None:
        errors["organization"] = (
            f"No organization with code {organization_code.strip()!r}; ask your administrator for it."
        )
    if errors:
        raise ValidationError(errors)
    return create_user(
        session,
        username,
        password,
        role=Role.CLERK,
        organization_code=org.code,
        full_name=full_name.strip(),
        email=email,
        phone=phone,
    )


def request_password_reset(session: Session, username: str) -> bool:
    """Mail a one-time reset code to the user's email (seed 000's Forgot Password).

    Returns whether a code was queued; the UI says the same thing either way,
    so nobody learns which usernames exist.
    """
    import secrets

    from store.services.notifications import queue_mail

    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None or not user.is_active or not user.email:
        return False
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = utcnow()
    user.reset_code_hash = hash_password(code)
    user.reset_code_expires = now + RESET_CODE_LIFETIME
    session.add(user)
    queue_mail(
        session,
        dedupe_key=f"password-reset:{user.id}:{now.isoformat()}",
        mail_kind="password_reset",
        to_address=user.email,
        subject="AuthDesk password reset code",
        body=(
            f"Hello {user.full_name or user.username},\n\n"
            f"Your AuthDesk password reset code is {code}. It is valid for "
            f"{int(RESET_CODE_LIFETIME.total_seconds() // 60)} minutes.\n\n"
            "If you did not ask for it, you can ignore this mail; your password is unchanged.\n"
        ),
    )
    return True


def reset_password(session: Session, username: str, code: str, new_password: str) -> None:
    """Set a new password with a valid reset code (used once); lifts any lock.

    Raises:
        ValidationError: wrong or expired code (field ``code``) or a weak
            password (field ``password``).
    """
    check_password_rules(new_password)
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    now = utcnow()
    if (
        user is None
        or user.reset_code_hash is None
        or user.reset_code_expires is None
        or user.reset_code_expires <= now
        or not password_hasher().verify(code.strip(), user.reset_code_hash)
    ):
        raise ValidationError("That reset code is wrong or has expired; ask for a new one.", field="code")
    user.password_hash = hash_password(new_password)
    user.reset_code_hash = None
    user.reset_code_expires = None
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
