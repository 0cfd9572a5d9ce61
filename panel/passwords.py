"""Password rules and hashing."""
from __future__ import annotations

import functools

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash


@functools.cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships ranked lists of the most common passwords (30,000 of them).
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # on first use: a 0.12 s import

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """A plain-English reason this password is not allowed, or None if it is fine."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return f"Password must be at least {minimum} characters long"
    if len(password) > 256:
        return "Password must be 256 characters or fewer"
    lowered = password.lower()
    if _is_common(lowered) or len(set(lowered)) < 4:
        return "This password is too common. Choose a different password, for example 3 random words"
    if email and lowered == email.lower():
        return "Password must not be your email address"
    if name and lowered.replace(" ", "") == name.lower().replace(" ", ""):
        return "Password must not be your name"
    return None


def _is_common(lowered: str) -> bool:
    common = _common_passwords()
    if lowered in common:
        return True
    core = lowered.strip("0123456789!@#$%^&*()_+-=.,?~ ")
    if core in common and len(core) >= 4:
        return True  # a common password with digits or symbols stuck on
    for size in range(1, len(core) // 2 + 1):  # the same word repeated: passwordpassword
        if len(core) % size == 0 and core[:size] * (len(core) // size) == core:
            return True
    return False


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(stored: str | None, password: str) -> bool:
    if not stored:
        # Spend the same time as a real check so response times don't reveal accounts.
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(stored, password)


@functools.cache
def _dummy_hash_for(method: str) -> str:
    return generate_password_hash("not-a-real-password", method=method)


def _dummy_hash() -> str:
    return _dummy_hash_for(current_app.config["PASSWORD_HASH_METHOD"])
