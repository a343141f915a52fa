"""Signing in, lockout, registration and password reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from store.enums import Role
from store.errors import AuthenticationError, ValidationError
from store.models import OutboxMail, User
from store.services.auth import (
    MAX_FAILED_SIGN_INS,
    register_user,
    request_password_reset,
    reset_password,
    sign_in,
)
from tests.factories import PASSWORD, make_user


def test_sign_in_returns_user_with_organization(store):
    make_user(store, "amy", org="NORTH", full_name="Amy Lind")
    with store.session() as session:
        user = sign_in(session, "  AMY ", PASSWORD)
    assert user.username == "amy" and user.organization_name == "NORTH" and user.role is Role.CLERK


def test_password_is_stored_as_argon2_hash(store):
    make_user(store, "amy")
    with store.session() as session:
        row = session.execute(select(User)).scalar_one()
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash


def test_unknown_user_and_wrong_password_read_the_same(store):
    make_user(store, "amy")
    with store.session() as session, pytest.raises(AuthenticationError, match="Unknown username or wrong password") as unknown:
        sign_in(session, "nobody", PASSWORD)
    with store.session() as session, pytest.raises(AuthenticationError) as wrong:
        sign_in(session, "amy", "wrong-password")
    assert str(unknown.value) == str(wrong.value) and "left" not in str(wrong.value)


def test_empty_fields_are_explained(store):
    with store.session() as session, pytest.raises(AuthenticationError, match="Enter your username and password"):
        sign_in(session, "", "")


def test_five_failures_lock_for_fifteen_minutes(store, frozen_now):
    make_user(store, "amy")
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        with store.session() as session, pytest.raises(AuthenticationError):
            sign_in(session, "amy", "nope-nope")
    with store.session() as session, pytest.raises(AuthenticationError, match="locked for 15 minutes"):
        sign_in(session, "amy", "nope-nope")
    # Even the right password is refused while locked, with the same message.
    with store.session() as session, pytest.raises(AuthenticationError, match="Unknown username or wrong"):
        sign_in(session, "amy", PASSWORD)
    with time_machine.travel(frozen_now + timedelta(minutes=15, seconds=1), tick=False):
        with store.session() as session:
            assert sign_in(session, "amy", PASSWORD).username == "amy"


def test_success_resets_the_failure_count(store):
    make_user(store, "amy")
    for _ in range(3):
        with store.session() as session, pytest.raises(AuthenticationError):
            sign_in(session, "amy", "nope-nope")
    with store.session() as session:
        sign_in(session, "amy", PASSWORD)
    with store.session() as session:
        assert session.execute(select(User.failed_logins)).scalar_one() == 0


def test_register_into_existing_organization(store):
    make_user(store, "admin1", org="NORTH")
    with store.session() as session:
        user = register_user(
            session, username="newbie", password="long-enough", full_name="New Bie",
            email="newbie@north.example", organization_code="NORTH",
        )
    assert user.role is Role.CLERK and user.organization_name == "NORTH"
    with store.session() as session:
        assert sign_in(session, "newbie", "long-enough").full_name == "New Bie"


def test_register_bad_input_names_each_field(store):
    with store.session() as session, pytest.raises(ValidationError) as info:
        register_user(session, username="x", password="long-enough", full_name="",
                      email="not-an-email", organization_code="NOPE")
    assert set(info.value.errors) == {"full_name", "email", "organization"}
    assert "ask your administrator" in info.value.errors["organization"]


def test_password_reset_by_mailed_code(store, frozen_now):
    make_user(store, "amy", email="amy@north.example")
    with store.session() as session:
        assert request_password_reset(session, "amy")
        assert not request_password_reset(session, "nobody")
    with store.session() as session:
        mail = session.execute(select(OutboxMail)).scalar_one()
    assert mail.to_address == "amy@north.example"
    code = re.search(r"code is (\d{6})", mail.body).group(1)
    with store.session() as session, pytest.raises(ValidationError, match="wrong or has expired"):
        reset_password(session, "amy", "000000" if code != "000000" else "111111", "brand-new-pw")
    with store.session() as session:
        reset_password(session, "amy", code, "brand-new-pw")
    with store.session() as session:
        assert sign_in(session, "amy", "brand-new-pw").username == "amy"
    # A code works once.
    with store.session() as session, pytest.raises(ValidationError, match="wrong or has expired"):
        reset_password(session, "amy", code, "another-pw-1")


def test_reset_code_expires(store, frozen_now):
    make_user(store, "amy", email="amy@north.example")
    with store.session() as session:
        request_password_reset(session, "amy")
    with store.session() as session:
        code = re.search(r"code is (\d{6})", session.execute(select(OutboxMail.body)).scalar_one()).group(1)
    with time_machine.travel(frozen_now + timedelta(minutes=31), tick=False):
        with store.session() as session, pytest.raises(ValidationError, match="expired"):
            reset_password(session, "amy", code, "brand-new-pw")
