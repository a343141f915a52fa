"""Issue 10: administration of users and My account."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store.enums import Role
from store.errors import AuthenticationError, PermissionDeniedError, ValidationError
from store.models import User
from store.services.auth import request_password_reset, sign_in
from store.services.users import (
    add_user,
    change_own_password,
    change_user_role,
    demo_reset_code,
    list_users,
    reset_user_password,
    set_user_active,
    unlock_user,
    update_profile,
)
from store.types import utcnow
from tests.factories import PASSWORD, make_user, org_id


@pytest.fixture
def admin_office(store, frozen_now):
    org_id(store, "NORTH")
    admin = make_user(store, "boss", role=Role.ADMIN, org=None, full_name="Bo Boss")
    clerk = make_user(store, "clerk1", org="NORTH", full_name="Casey Clerk", email="casey@north.example")
    return store, admin, clerk


def test_an_administrator_adds_lists_and_changes_users(admin_office):
    store, admin, clerk = admin_office
    with store.session() as s:
        added = add_user(s, admin, username="New.Clerk", password="long-enough", role="clerk",
                         organization_code="NORTH", full_name="Nia New", email="nia@north.example",
                         phone="414-555-0100")
        assert added.username == "new.clerk" and added.phone == "(414) 555-0100"
        assert [u.username for u in list_users(s, admin)] == ["boss", "clerk1", "new.clerk"]
        assert [u.username for u in list_users(s, admin, "north")] == ["clerk1", "new.clerk"]
        row = change_user_role(s, admin, added.id, Role.REVIEWER)
        assert row.role is Role.REVIEWER and row.organization_code == ""
    with pytest.raises(ValidationError) as err, store.session() as s:
        add_user(s, admin, username="x", password="short", role="clerk", organization_code="NOPE")
    assert "organization" in err.value.errors
    with pytest.raises(ValidationError, match="organization"), store.session() as s:
        change_user_role(s, admin, clerk.id, Role.CLERK, "")


def test_clerks_do_not_administer(admin_office):
    store, admin, clerk = admin_office
    for call in (lambda s: list_users(s, clerk), lambda s: unlock_user(s, clerk, admin.id),
                 lambda s: set_user_active(s, clerk, admin.id, False)):
        with pytest.raises(PermissionDeniedError), store.session() as s:
            call(s)


def test_disable_enable_unlock_and_reset(admin_office):
    store, admin, clerk = admin_office
    with store.session() as s:
        assert set_user_active(s, admin, clerk.id, False).state() == "Disabled"
    with pytest.raises(AuthenticationError), store.session() as s:
        sign_in(s, "clerk1", PASSWORD)
    with store.session() as s:
        set_user_active(s, admin, clerk.id, True)
        row = s.get(User, clerk.id)
        row.locked_until = utcnow() + timedelta(minutes=10)
        s.add(row)
    with pytest.raises(AuthenticationError), store.session() as s:  # locked: one message for every refusal
        sign_in(s, "clerk1", PASSWORD)
    with store.session() as s:
        assert list_users(s, admin, "clerk1")[0].state() == "Locked"
        assert unlock_user(s, admin, clerk.id).state() == "Active"
        reset_user_password(s, admin, clerk.id, "a-new-password")
    with store.session() as s:
        assert sign_in(s, "clerk1", "a-new-password").id == clerk.id
        from store.services.audit import list_events

        details = [e.detail for e in list_events(s, admin)]
    assert "user clerk1 disabled" in details and "user clerk1 unlocked" in details
    assert "new password set for user clerk1" in details
    with pytest.raises(ValidationError, match="own account"), store.session() as s:
        set_user_active(s, admin, admin.id, False)
    with pytest.raises(ValidationError, match="yourself"), store.session() as s:
        change_user_role(s, admin, admin.id, Role.REVIEWER)


def test_my_account_profile_and_password(admin_office):
    store, _, clerk = admin_office
    with store.session() as s:
        updated = update_profile(s, clerk, full_name=" Casey  Clerk-Jones ", email="cj@north.example",
                                 phone="414 555 0199", phone_ext="12", fax="")
    assert (updated.full_name, updated.phone, updated.phone_ext) == ("Casey Clerk-Jones", "(414) 555-0199", "12")
    with pytest.raises(ValidationError) as err, store.session() as s:
        update_profile(s, clerk, full_name="", email="not-an-email", phone="12", phone_ext="abc")
    assert set(err.value.errors) == {"full_name", "email", "phone", "phone_ext"}
    with pytest.raises(ValidationError) as err, store.session() as s:
        change_own_password(s, clerk, "wrong", "short", "short")
    assert set(err.value.errors) == {"current-password", "new-password"}
    with pytest.raises(ValidationError) as err, store.session() as s:
        change_own_password(s, clerk, PASSWORD, "brand-new-pass", "brand-new-typo")
    assert set(err.value.errors) == {"repeat-password"}
    with store.session() as s:
        change_own_password(s, clerk, PASSWORD, "brand-new-pass", "brand-new-pass")
    with store.session() as s:
        assert sign_in(s, "clerk1", "brand-new-pass").id == clerk.id


def test_the_demo_reset_code_is_read_back_only_for_demo_accounts(store, frozen_now):
    make_user(store, "amy", org="NORTH", email="amy.chen@northside.example")
    make_user(store, "zed", org="NORTH", email="zed@north.example")
    with store.session() as s:
        assert request_password_reset(s, "amy") and request_password_reset(s, "zed")
    with store.session() as s:
        code = demo_reset_code(s, "AMY ")
        assert code is not None and len(code) == 6
        assert demo_reset_code(s, "zed") is None
