"""Password policy and argon2id hashing (等保 level-3 practice)."""

from __future__ import annotations

import string
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hutong.core.errors import InvalidInput

MIN_LENGTH = 10


def check_policy(password: str, username: str) -> None:
    """At least 10 characters, 3 of 4 character classes, and not the username."""
    classes = sum(
        any(c in chars for c in password)
        for chars in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    ) + any(not c.isalnum() for c in password)
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"密码至少需要 {MIN_LENGTH} 个字符",
            f"password must have at least {MIN_LENGTH} characters",
            field="password",
        )
    if classes < 3:
        raise InvalidInput(
            "密码需包含大写字母、小写字母、数字、符号中的至少三类",
            "password needs at least 3 of: upper case, lower case, digits, symbols",
            field="password",
        )
    if username and username.lower() in password.lower():
        raise InvalidInput(
            "密码不得包含用户名", "password must not contain the username", field="password"
        )


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=2)


class Passwords:
    """Hash and verify with the deployment's argon2id cost settings."""

    def __init__(self, time_cost: int, memory_kib: int) -> None:
        self._ph = _hasher(time_cost, memory_kib)

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def burn(self, password: str) -> None:
        """Spend the time of a real check, so an unknown username is not told apart by timing."""
        self.verify(_dummy_hash(self._ph), password)

    def verify(self, stored: str, password: str) -> bool:
        try:
            return self._ph.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("not-a-password")
