"""Sign-in under attack: parallel guesses, uniform answers, reset codes (both backends)."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from store.errors import AuthenticationError, ValidationError
from store.models import AuditEvent, OutboxMail, User
from store.services import auth
from store.services.auth import (
    MAX_FAILED_SIGN_INS,
    MAX_RESET_CODE_GUESSES,
    MAX_RESET_REQUESTS_PER_HOUR,
    WRONG_CREDENTIALS,
    redact_sent_mail,
    request_password_reset,
    reset_password,
    sign_in,
)
from tests.factories import PASSWORD, make_user


class CountingHasher:
    """The real hasher, counting checks against real hashes and against the dummy."""

    def __init__(self) -> None:
        from pwdlib import PasswordHash
        from pwdlib.hashers.argon2 import Argon2Hasher

        # argon2id with small costs: the same code paths, a fraction of the time.
        self.real = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8 * 1024, parallelism=1),))
        self.lock = threading.Lock()
        self.checked: list[str] = []  # "real" or "dummy", one per argon2 check
        self.hashed = 0

    def _note(self, hashed: str) -> None:
        with self.lock:
            self.checked.append("dummy" if hashed == auth._dummy_hash() else "real")

    def verify(self, password, hashed):
        self._note(hashed)
        return self.real.verify(password, hashed)

    def verify_and_update(self, password, hashed):
        self._note(hashed)
        return self.real.verify_and_update(password, hashed)

    def hash(self, password):
        with self.lock:
            self.hashed += 1
        return self.real.hash(password)


@pytest.fixture
def hasher(monkeypatch):
    counting = CountingHasher()
    dummy = counting.real.hash("not-a-real-password")
    monkeypatch.setattr(auth, "password_hasher", lambda: counting)
    monkeypatch.setattr(auth, "_dummy_hash", lambda: dummy)
    return counting


def _attempt(store, username, password) -> str:
    try:
        with store.session() as session:
            sign_in(session, username, password)
    except AuthenticationError as exc:
        return str(exc)
    return "ok"


def _user(store, username="amy") -> User:
    with store.session() as session:
        return session.execute(select(User).where(User.username == username)).scalar_one()


def test_parallel_wrong_passwords_check_at_most_five(store, hasher):
    make_user(store, "amy")
    barrier = threading.Barrier(24)

    def guess(i):
        barrier.wait()
        return _attempt(store, "amy", f"wrong-guess-{i}")

    with ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(guess, range(24)))
    assert set(answers) == {WRONG_CREDENTIALS}
    assert hasher.checked.count("real") == MAX_FAILED_SIGN_INS
    assert len(hasher.checked) == 24  # every answer cost one check
    assert _user(store).locked_until is not None
    # The right password does not get in while the lock holds.
    assert _attempt(store, "amy", PASSWORD) == WRONG_CREDENTIALS


def test_eight_threads_of_six_guesses_never_pass_the_budget(store, hasher):
    make_user(store, "amy")
    barrier = threading.Barrier(8)

    def burst(t):
        barrier.wait()
        return [_attempt(store, "amy", f"guess-{t}-{i}") for i in range(6)]

    with ThreadPoolExecutor(8) as pool:
        answers = [a for batch in pool.map(burst, range(8)) for a in batch]
    assert "ok" not in answers
    assert hasher.checked.count("real") == MAX_FAILED_SIGN_INS
    with store.session() as session:
        lockouts = session.execute(select(AuditEvent).where(AuditEvent.action == "locked-out")).scalars().all()
    assert len(lockouts) == 1


def test_unknown_wrong_locked_and_disabled_answer_alike(store, hasher, frozen_now):
    make_user(store, "amy")
    make_user(store, "ben")
    with store.session() as session:
        session.execute(User.__table__.update().where(User.username == "ben").values(is_active=False))
    answers = {}
    for label, name, password in (("unknown", "nobody", PASSWORD), ("wrong", "amy", "nope-nope"),
                                  ("disabled", "ben", PASSWORD), ("nul", "am\x00y", PASSWORD),
                                  ("long", "a" * 500, PASSWORD)):
        before = len(hasher.checked)
        answers[label] = _attempt(store, name, password)
        assert len(hasher.checked) == before + 1, label  # one argon2 check each, no shortcut
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        _attempt(store, "amy", "nope-nope")
    before = len(hasher.checked)
    answers["locked"] = _attempt(store, "amy", PASSWORD)
    assert len(hasher.checked) == before + 1 and hasher.checked[-1] == "dummy"
    assert set(answers.values()) == {WRONG_CREDENTIALS}
    assert not re.search(r"\d+ attempts? left", WRONG_CREDENTIALS)


def test_lock_lifts_after_fifteen_minutes_with_a_fresh_budget(store, frozen_now):
    make_user(store, "amy")
    for _ in range(MAX_FAILED_SIGN_INS):
        _attempt(store, "amy", "nope-nope")
    assert _attempt(store, "amy", PASSWORD) == WRONG_CREDENTIALS
    with time_machine.travel(frozen_now + timedelta(minutes=15, seconds=1), tick=False):
        assert _attempt(store, "amy", PASSWORD) == "ok"
        assert _user(store).failed_logins == 0


def test_sign_ins_failures_and_lockouts_are_audited(store, frozen_now):
    make_user(store, "amy")
    _attempt(store, "amy", PASSWORD)
    _attempt(store, "nobody", "whatever-pw")
    for _ in range(MAX_FAILED_SIGN_INS):
        _attempt(store, "amy", "nope-nope")
    _attempt(store, "amy", PASSWORD)
    with store.session() as session:
        events = session.execute(select(AuditEvent.action, AuditEvent.username, AuditEvent.detail)
                                 .order_by(AuditEvent.id)).all()
    actions = [e.action for e in events]
    assert actions[0] == "signed-in"
    assert ("sign-in-failed", "nobody", "unknown username") in events
    assert actions.count("locked-out") == 1
    assert events[-1] == ("sign-in-failed", "amy", "account locked")
    assert all(PASSWORD not in (e.detail + e.username) for e in events)


# --- reset codes ------------------------------------------------------------------


def _mailed_code(store) -> str:
    with store.session() as session:
        body = session.execute(select(OutboxMail.body).order_by(OutboxMail.id.desc())).scalars().first()
    return re.search(r"code is (\d{6})", body).group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_reset_code_is_stored_hashed(store, frozen_now):
    make_user(store, "amy", email="amy@north.example")
    with store.session() as session:
        request_password_reset(session, "amy")
    code = _mailed_code(store)
    stored = _user(store).reset_code_hash
    assert stored.startswith("$argon2") and code not in stored


def test_reset_code_dies_after_five_wrong_guesses(store, frozen_now):
    make_user(store, "amy", email="amy@north.example")
    with store.session() as session:
        request_password_reset(session, "amy")
    code = _mailed_code(store)
    for _ in range(MAX_RESET_CODE_GUESSES):
        with store.session() as session, pytest.raises(ValidationError, match="wrong or has expired"):
            reset_password(session, "amy", _wrong(code), "brand-new-pw")
    with store.session() as session, pytest.raises(ValidationError, match="wrong or has expired"):
        reset_password(session, "amy", code, "brand-new-pw")
    assert _user(store).reset_code_hash is None
    assert _attempt(store, "amy", PASSWORD) == "ok"  # the password did not change


def test_parallel_code_guesses_check_at_most_five(store, frozen_now, hasher):
    make_user(store, "amy", email="amy@north.example")
    with store.session() as session:
        request_password_reset(session, "amy")
    code = _mailed_code(store)
    hasher.checked.clear()
    barrier = threading.Barrier(16)

    def guess(i):
        barrier.wait()
        try:
            with store.session() as session:
                reset_password(session, "amy", f"{(int(code) + 1 + i) % 1_000_000:06d}", "brand-new-pw")
        except ValidationError:
            return "refused"
        return "ok"

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(guess, range(16)))
    assert answers.count("ok") == 0
    assert hasher.checked.count("real") == MAX_RESET_CODE_GUESSES


def test_at_most_three_codes_an_hour(store, frozen_now):
    make_user(store, "amy", email="amy@north.example")
    with store.session() as session:
        sent = [request_password_reset(session, "amy") for _ in range(6)]
    assert sent == [True] * MAX_RESET_REQUESTS_PER_HOUR + [False] * (6 - MAX_RESET_REQUESTS_PER_HOUR)
    with store.session() as session:
        assert len(session.execute(select(OutboxMail.id)).all()) == MAX_RESET_REQUESTS_PER_HOUR
    with time_machine.travel(frozen_now + timedelta(hours=1, minutes=1), tick=False):
        with store.session() as session:
            assert request_password_reset(session, "amy")


def test_code_leaves_the_outbox_once_sent_or_replaced(store, frozen_now):
    make_user(store, "amy", email="amy@north.example")
    with store.session() as session:
        request_password_reset(session, "amy")
    first = _mailed_code(store)
    with time_machine.travel(frozen_now + timedelta(minutes=1), tick=False):
        with store.session() as session:
            request_password_reset(session, "amy")
    second = _mailed_code(store)
    with store.session() as session:
        bodies = session.execute(select(OutboxMail.id, OutboxMail.body).order_by(OutboxMail.id)).all()
    assert first not in bodies[0].body and "[code removed after sending]" in bodies[0].body
    with store.session() as session:
        redact_sent_mail(session, bodies[1].id)
    with store.session() as session:
        assert second not in session.get(OutboxMail, bodies[1].id).body


def test_reset_answers_cost_the_same_with_or_without_a_code(store, frozen_now, hasher):
    make_user(store, "amy", email="amy@north.example")
    make_user(store, "ben", email="ben@north.example")
    with store.session() as session:
        request_password_reset(session, "amy")
    code = _mailed_code(store)
    costs = {}
    for label, name in (("no code", "ben"), ("unknown", "nobody"), ("wrong code", "amy"), ("nul", "a\x00")):
        checks, hashes = len(hasher.checked), hasher.hashed
        with store.session() as session, pytest.raises(ValidationError) as refused:
            reset_password(session, name, _wrong(code), "brand-new-pw")
        costs[label] = (len(hasher.checked) - checks, hasher.hashed - hashes, str(refused.value))
    assert len(set(costs.values())) == 1, costs
    assert costs["no code"][:2] == (1, 1)


def test_reset_request_costs_the_same_for_unknown_names(store, frozen_now, hasher):
    make_user(store, "amy", email="amy@north.example")
    for name in ("amy", "nobody", "x\x00y"):
        before = hasher.hashed
        with store.session() as session:
            request_password_reset(session, name)
        assert hasher.hashed == before + 1, name
