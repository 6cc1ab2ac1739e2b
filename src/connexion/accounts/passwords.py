"""Password rules after NIST SP 800-63B (5.1.1.2): a minimum length, a generous
maximum, no composition rules (no "one digit and one symbol"), and no password
that appears in a breach list or resembles the user's own name or address.

Django's validators are subclassed for their logic; the messages are ours, so
they are translated in our catalogue."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

BREACHED_LIST = Path(__file__).resolve().parent / "data" / "breached-passwords.txt.gz"

# 12 rather than NIST's floor of 8: staff accounts open personal data of many
# people, and a 12-character passphrase is easy to type and remember.
MIN_LENGTH = 12
# Far above NIST's "at least 64"; only there so nobody can make us hash megabytes.
MAX_LENGTH = 256


class MinimumLengthValidator:
    def __init__(self, min_length: int = MIN_LENGTH) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                ngettext(
                    "This password is too short: use at least %(min_length)d character.",
                    "This password is too short: use at least %(min_length)d characters.",
                    self.min_length,
                ),
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "At least %(min_length)d character; a phrase of several words is easiest.",
            "At least %(min_length)d characters; a phrase of several words is easiest.",
            self.min_length,
        ) % {"min_length": self.min_length}


class MaximumLengthValidator:
    def __init__(self, max_length: int = MAX_LENGTH) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("This password is too long: use at most %(max_length)d characters."),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return _("At most %(max_length)d characters.") % {"max_length": self.max_length}


@cache
def _breached(path: Path) -> frozenset[str]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines)


def _cores(password: str) -> set[str]:
    """The password and its core without digits and symbols around it:
    "Dragon2024!" is "dragon" with decorations attackers try first."""
    lowered = password.lower().strip()
    core = lowered.strip("0123456789!@#$%^&*()_+-=.,?;:'\"~`|\\/<>[]{} ")
    return {lowered, core} if len(core) >= 4 else {lowered}


class BreachedPasswordValidator:
    """Refuses passwords from the local breach list (accounts/data), also with
    digits or symbols added before or after one."""

    def __init__(self, password_list_path: str | Path = BREACHED_LIST) -> None:
        self.password_list_path = Path(password_list_path)

    def validate(self, password: str, user: Any = None) -> None:
        if _cores(password) & _breached(self.password_list_path):
            raise ValidationError(
                _(
                    "This password appears in lists of passwords leaked in data breaches, "
                    "so attackers try it first. Choose another."
                ),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Not a password known from data breaches.")


class SimilarToAccountValidator(UserAttributeSimilarityValidator):
    """Refuses passwords close to the username, name or email address."""

    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError(
                _("This password is too close to your username, name or email address."),
                code="password_too_similar",
            ) from None

    def get_help_text(self) -> str:
        return _("Not like your username, name or email address.")
