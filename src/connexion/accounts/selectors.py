"""Reads of staff accounts for the account and user-management pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from connexion.accounts import mfa
from connexion.accounts.models import MfaDevice, SignInAttempt, Team, User
from connexion.accounts.services import is_locked_out
from connexion.api.models import ApiToken

HISTORY_LENGTH = 50


def sign_in_history(user: User, limit: int = HISTORY_LENGTH) -> list[SignInAttempt]:
    """The user's latest sign-in steps, failures and unlocks, newest first."""
    return list(SignInAttempt.objects.filter(user=user).order_by("-attempted_at", "-id")[:limit])


def staff_users() -> QuerySet[User]:
    return User.objects.order_by("username").prefetch_related(
        "groups",
        Prefetch("teams", queryset=Team.objects.order_by("name")),
        Prefetch(
            "mfa_device",
            queryset=MfaDevice.objects.filter(confirmed_at__isnull=False),
        ),
    )


@dataclass(frozen=True)
class SecurityState:
    has_mfa: bool
    requires_mfa: bool
    unused_recovery_codes: int
    locked: bool


def security_state(user: User) -> SecurityState:
    return SecurityState(
        has_mfa=mfa.has_mfa(user),
        requires_mfa=mfa.requires_mfa(user),
        unused_recovery_codes=mfa.unused_recovery_codes(user),
        locked=is_locked_out(user),
    )


def api_tokens(user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("-created_at"))
