"""Users, organizations and signing in (argon2 hashes, lockout)."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import or_, update
from sqlmodel import Session, select

from store.enums import Role
from store.errors import AuthenticationError, NotFoundError, ValidationError
from store.models import Organization, User
from store.records import UserRecord
from store.textgate import column_limit
from store.types import utcnow

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
WRONG_CREDENTIALS = (
    f"Unknown username or wrong password. After {MAX_FAILED_SIGN_INS} failed sign-ins an account "
    f"is locked for {int(LOCKOUT.total_seconds() // 60)} minutes."
)


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
    from store.textgate import check_column

    code = check_column(code, "organization", "code", field="organization", label="Organization code")
    if not code:
        raise ValidationError("Organization code is required.", field="organization")
    if name is not None:
        name = check_column(name, "organization", "name", field="organization", label="Organization name")
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
    """Create a user; raises ValidationError for a taken name or bad input (each field through the text gate)."""
    from store.textgate import check_column

    username = username.strip().lower()
    if not username or not username.isascii() or \
            not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise ValidationError("Username: letters, digits, '.', '_' or '-' only.", field="username")
    check_column(username, "app_user", "username", field="username", label="Username")
    full_name = check_column(full_name, "app_user", "full_name", field="full_name", label="Full name")
    email = check_column(email, "app_user", "email", field="email", label="Email")
    phone = check_column(phone, "app_user", "phone", field="phone", label="Phone")
    fax = check_column(fax, "app_user", "fax", field="fax", label="Fax")
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

    Every refusal reads the same and costs the same (one argon2 check, against
    a dummy hash when there is no real one to check), so neither the message
    nor the time tells an unknown name from a wrong password or a locked
    account. Failures are counted before the password is checked, in one
    atomic ``UPDATE … RETURNING`` committed at once: however many guesses
    arrive in parallel, at most :data:`MAX_FAILED_SIGN_INS` are ever checked
    before the lock.

    Raises:
        AuthenticationError: unknown user, wrong password, disabled or locked
            account (one message for all).
    """
    from store.services.audit import AuditAction, record_now

    now = utcnow()
    if not username.strip() or not password:
        raise AuthenticationError("Enter your username and password.")
    username = usable_username(username)
    engine = session.get_bind()
    slot = _claim_guess(engine, username, now) if username else None
    if slot is None:
        password_hasher().verify(password, _dummy_hash())
        record_now(engine, AuditAction.SIGN_IN_FAILED, username=username, detail=_refusal_reason(session, username))
        raise AuthenticationError(WRONG_CREDENTIALS)
    user_id, guesses, stored_hash = slot
    valid, new_hash = password_hasher().verify_and_update(password, stored_hash)
    if not valid:
        locks = guesses >= MAX_FAILED_SIGN_INS
        with engine.begin() as conn:
            if locks:
                conn.execute(update(User).where(User.id == user_id)
                             .values(locked_until=now + LOCKOUT, failed_logins=0))
        record_now(engine, AuditAction.SIGN_IN_FAILED, username=username, user_id=user_id,
                   detail="wrong password")
        if locks:
            record_now(engine, AuditAction.LOCKED_OUT, username=username, user_id=user_id,
                       detail=f"{MAX_FAILED_SIGN_INS} failed sign-ins; locked {int(LOCKOUT.total_seconds() // 60)} minutes")
        raise AuthenticationError(WRONG_CREDENTIALS)
    # Committed at once like the guess itself: the caller's session holds no
    # write lock afterwards (on SQLite a second sign-in in the same session
    # would otherwise wait on it).
    values = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if new_hash:
        values["password_hash"] = new_hash
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == user_id).values(**values))
    user = session.get(User, user_id)
    session.refresh(user)
    signed_in = to_user_record(session, user)
    record_now(engine, AuditAction.SIGNED_IN, signed_in)
    return signed_in


def usable_username(text: str | None) -> str:
    """The username as stored (stripped, lower case), or "" when no user can have it
    (a NUL or control character, longer than the column): such a name is
    answered like any unknown one, never with a database error."""
    from store.textgate import check_text

    try:
        return check_text((text or "").lower(), field="username",
                          max_length=column_limit("app_user", "username"), label="Username")
    except ValidationError:
        return ""


def _claim_guess(engine, username: str, now) -> tuple[int, int, str] | None:
    """Count one guess for ``username`` before checking it: (id, guesses so far, hash).

    None when the name is unknown, disabled or locked, or when the guesses
    allowed are all taken by sign-ins running at this moment. One statement,
    committed at once, so parallel guesses can never all read the same count.
    """
    statement = (
        update(User)
        .where(
            User.username == username,
            User.is_active.is_(True),
            User.failed_logins < MAX_FAILED_SIGN_INS,
            or_(User.locked_until.is_(None), User.locked_until <= now),
        )
        .values(failed_logins=User.failed_logins + 1, locked_until=None)
        .returning(User.id, User.failed_logins, User.password_hash)
    )
    with engine.begin() as conn:
        row = conn.execute(statement).first()
    return None if row is None else (row[0], row[1], row[2])


def _refusal_reason(session: Session, username: str) -> str:
    """Why a sign-in was refused without a check, for the audit log only (never shown)."""
    if not username:
        return "unusable username"
    row = session.execute(select(User.is_active, User.locked_until).where(User.username == username)).first()
    if row is None:
        return "unknown username"
    if not row.is_active:
        return "account disabled"
    return "account locked"


def record_sign_out(session: Session, user: UserRecord) -> None:
    """Put a sign-out in the audit log."""
    from store.services.audit import AuditAction, record

    record(session, AuditAction.SIGNED_OUT, user)


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
    from store.textgate import check_column

    try:
        full_name = check_column(full_name, "app_user", "full_name", field="full_name", label="Full name")
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        organization_code = check_column(organization_code, "organization", "code", field="organization",
                                         label="Organization code")
    except ValidationError as exc:
        errors.update(exc.errors)
        organization_code = ""
    org = session.exec(select(Organization).where(Organization.code == organization_code)).first() \
        if organization_code else None
    if org is None and "organization" not in errors:
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


MAX_RESET_REQUESTS_PER_HOUR = 3
MAX_RESET_CODE_GUESSES = 5
RESET_CODE_REFUSED = "That reset code is wrong or has expired; ask for a new one."
REDACTED_CODE = "[code removed after sending]"
_CODE_IN_BODY = re.compile(r"(reset code is )(\d{6})")


def request_password_reset(session: Session, username: str) -> bool:
    """Mail a one-time reset code to the user's email (seed 000's Forgot Password).

    The code is stored only as an argon2 hash; a new code replaces the old
    one (whose mail is redacted) and resets the budget of wrong guesses. At
    most :data:`MAX_RESET_REQUESTS_PER_HOUR` codes are mailed per user per
    hour. Returns whether a code was queued; the UI says the same thing
    either way, and every answer costs one hash, so nobody learns which
    usernames exist.
    """
    import secrets

    from store.services.audit import AuditAction, count_recent, record
    from store.services.notifications import queue_mail

    now = utcnow()
    code = f"{secrets.randbelow(1_000_000):06d}"
    code_hash = hash_password(code)
    name = usable_username(username)
    user = session.exec(select(User).where(User.username == name)).first() if name else None
    if user is None or not user.is_active or not user.email:
        return False
    recent = count_recent(session, AuditAction.RESET_REQUESTED, user.id, now - timedelta(hours=1))
    if recent >= MAX_RESET_REQUESTS_PER_HOUR:
        record(session, AuditAction.RESET_REFUSED, to_user_record(session, user),
               detail=f"more than {MAX_RESET_REQUESTS_PER_HOUR} codes asked within an hour")
        return False
    user.reset_code_hash = code_hash
    user.reset_code_expires = now + RESET_CODE_LIFETIME
    user.reset_code_attempts = 0
    session.add(user)
    _redact_reset_mails(session, user.id)
    queue_mail(
        session,
        dedupe_key=f"password-reset:{user.id}:{now.isoformat()}:{secrets.token_hex(4)}",
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
    record(session, AuditAction.RESET_REQUESTED, to_user_record(session, user), detail="code mailed")
    return True


def redact_reset_code(body: str) -> str:
    """The mail body with the reset code replaced (kept readable otherwise)."""
    return _CODE_IN_BODY.sub(lambda m: m.group(1) + REDACTED_CODE, body)


def redact_sent_mail(session: Session, mail_id: int) -> None:
    """Remove the reset code from a password-reset mail once it has been sent."""
    from store.models import OutboxMail

    mail = session.get(OutboxMail, mail_id)
    if mail is not None and mail.mail_kind == "password_reset":
        mail.body = redact_reset_code(mail.body)
        session.add(mail)


def _redact_reset_mails(connection, user_id: int) -> None:
    """Older reset mails of this user: their codes are dead, remove them from the outbox.

    ``connection`` is a Session or a Connection (both execute Core statements).
    """
    from store.models import OutboxMail

    older = connection.execute(
        select(OutboxMail.id, OutboxMail.body).where(
            OutboxMail.mail_kind == "password_reset",
            OutboxMail.dedupe_key.startswith(f"password-reset:{user_id}:"))
    ).all()
    for mail_id, body in older:
        redacted = redact_reset_code(body)
        if redacted != body:
            connection.execute(update(OutboxMail).where(OutboxMail.id == mail_id).values(body=redacted))


def reset_password(session: Session, username: str, code: str, new_password: str) -> None:
    """Set a new password with a valid reset code (used once); lifts any lock.

    A code dies after :data:`MAX_RESET_CODE_GUESSES` wrong guesses (counted
    atomically before the check, like sign-in failures). Every answer costs
    one argon2 check and one argon2 hash, with or without a pending code.

    Raises:
        ValidationError: wrong, used, expired or exhausted code (field
            ``code``, one message for all) or a weak password (``password``).
    """
    from store.services.audit import AuditAction, record_now

    check_password_rules(new_password)
    now = utcnow()
    name = usable_username(username)
    new_hash = hash_password(new_password)
    engine = session.get_bind()
    slot = None
    if name:
        statement = (
            update(User)
            .where(User.username == name, User.reset_code_hash.is_not(None), User.reset_code_expires > now,
                   User.reset_code_attempts < MAX_RESET_CODE_GUESSES)
            .values(reset_code_attempts=User.reset_code_attempts + 1)
            .returning(User.id, User.reset_code_attempts, User.reset_code_hash)
        )
        with engine.begin() as conn:
            slot = conn.execute(statement).first()
    code = (code or "").strip()
    if slot is None:
        password_hasher().verify(code, _dummy_hash())
        record_now(engine, AuditAction.RESET_REFUSED, username=name, detail="no usable code")
        raise ValidationError(RESET_CODE_REFUSED, field="code")
    user_id, guesses, code_hash = slot
    if not password_hasher().verify(code, code_hash):
        if guesses >= MAX_RESET_CODE_GUESSES:
            with engine.begin() as conn:
                conn.execute(update(User).where(User.id == user_id)
                             .values(reset_code_hash=None, reset_code_expires=None))
        record_now(engine, AuditAction.RESET_REFUSED, username=name, user_id=user_id,
                   detail="wrong code" + ("; code withdrawn" if guesses >= MAX_RESET_CODE_GUESSES else ""))
        raise ValidationError(RESET_CODE_REFUSED, field="code")
    with engine.begin() as conn:  # committed at once, like every other answer
        conn.execute(update(User).where(User.id == user_id).values(
            password_hash=new_hash, reset_code_hash=None, reset_code_expires=None, reset_code_attempts=0,
            failed_logins=0, locked_until=None))
        _redact_reset_mails(conn, user_id)
    record_now(engine, AuditAction.PASSWORD_RESET, username=name, user_id=user_id,
               organization_id=session.execute(select(User.organization_id).where(User.id == user_id)).scalar())
