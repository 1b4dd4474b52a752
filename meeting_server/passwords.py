"""Password hashing with argon2id (argon2-cffi's recommended parameters).

Each hash costs ~0.1 s of CPU by design; under ``serve`` it runs in a thread, one at a time
and at the lowest CPU priority (``offload.offload_one_at_a_time``; argon2-cffi releases the
GIL), so a room's notices keep moving while people sign in. ``services.users.authenticate``
gives its database connection back before hashing (``CommitSession.end_read``): twenty
sign-ins waiting their turn held every pooled connection, and a secretary's change waited
half a second behind them.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .offload import offload_one_at_a_time

_hasher = PasswordHasher()

#: A real hash to verify against when the account does not exist, so that a wrong username
#: takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_LENGTH = 8


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return offload_one_at_a_time(_hasher.hash, password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether ``password`` matches; spend the same time when there is no hash."""
    return offload_one_at_a_time(_verify, password_hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
