"""密码: argon2id hashes (argon2-cffi's defaults), rehashed on login when parameters change."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sanjianguan.errors import InvalidInputError

MIN_LENGTH = 10
MAX_LENGTH = 1024  # the login accepts no longer one: a longer password could never be used
_hasher = PasswordHasher()
# Verified against when the username is unknown, so that the answer takes as long.
_dummy = [_hasher.hash("unknown-user-dummy-password")]


def use_hasher(hasher: PasswordHasher) -> None:
    """Replace the hashing parameters (a deployment on weak hardware; fast test suites)."""
    global _hasher
    _hasher = hasher
    _dummy[0] = hasher.hash("unknown-user-dummy-password")


def check_strength(password: str) -> None:
    """Refuse passwords that are too short (a floor; longer passphrases are better), or longer
    than the login takes (`MAX_LENGTH`)."""
    if len(password) < MIN_LENGTH:
        raise InvalidInputError(
            f"密码至少 {MIN_LENGTH} 个字符",
            f"a password needs at least {MIN_LENGTH} characters",
            code="weak_password",
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInputError(
            f"密码最多 {MAX_LENGTH} 个字符",
            f"a password has at most {MAX_LENGTH} characters",
            code="password_too_long",
        )


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (salted; the salt is inside the string)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with `None` (unknown user) it spends the same time and says no."""
    try:
        return _hasher.verify(password_hash or _dummy[0], password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
