"""The input gate: NUL and control characters, lengths from the columns, ASCII digits."""

from __future__ import annotations

import pytest

from store.errors import ValidationError
from store.textgate import MAX_SEARCH_LENGTH, check_column, check_search, check_text, column_limit, is_ascii_digits


@pytest.mark.parametrize("bad", ["a\x00b", "\x07", "x\x1by", "\x7f", "a\x85b", "a\u2028b"])
def test_control_characters_are_refused_with_the_field(bad):
    with pytest.raises(ValidationError) as caught:
        check_text(bad, field="member-id", max_length=20, label="Member ID")
    assert "member-id" in caught.value.errors
    assert caught.value.errors["member-id"].startswith("Member ID contains")


def test_nul_is_named():
    with pytest.raises(ValidationError, match="NUL byte"):
        check_text("M1\x00", field="f", max_length=None)


def test_line_breaks_only_in_multiline_text():
    with pytest.raises(ValidationError):
        check_text("one\ntwo", field="f", max_length=None)
    assert check_text("one\ntwo\tthree", field="f", max_length=None, multiline=True) == "one\ntwo\tthree"


def test_length_is_checked_after_stripping():
    assert check_text("  abc  ", field="f", max_length=3) == "abc"
    with pytest.raises(ValidationError, match="4 characters long; at most 3"):
        check_text("abcd", field="f", max_length=3)


def test_column_limits_come_from_the_models():
    assert column_limit("auth_request", "member_id_entered") == 20
    assert column_limit("auth_request", "contact_email") == 254
    assert column_limit("outbox_mail", "body") is None
    with pytest.raises(ValidationError):
        check_column("x" * 21, "auth_request", "member_id_entered", field="member-id", label="Member ID")


def test_search_text_has_a_limit():
    assert check_search("  smith ") == "smith"
    with pytest.raises(ValidationError, match="at most"):
        check_search("a" * (MAX_SEARCH_LENGTH + 1))


def test_unicode_digits_are_not_digits():
    assert is_ascii_digits("0123456789")
    assert not is_ascii_digits("١٢٣")
    assert not is_ascii_digits("²")
    assert not is_ascii_digits("")
