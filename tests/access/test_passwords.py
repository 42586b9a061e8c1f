"""argon2 password hashes."""

from __future__ import annotations

import pytest

from sanjianguan.access.passwords import check_strength, hash_password, needs_rehash, verify_password
from sanjianguan.errors import InvalidInputError


def test_hash_verifies_only_the_right_password() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse batterY")
    assert not needs_rehash(stored)
    assert hash_password("correct horse battery") != stored  # salted


def test_unknown_user_and_garbage_hash_say_no() -> None:
    assert not verify_password(None, "anything at all")
    assert not verify_password("not-a-hash", "anything at all")


def test_short_passwords_are_refused() -> None:
    with pytest.raises(InvalidInputError):
        check_strength("short")
