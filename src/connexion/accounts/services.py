"""Writes to staff accounts: creation, roles, language, sign-in records."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from connexion.accounts.models import SignInAttempt, User
from connexion.accounts.roles import ADMIN, ROLE_CODES
from connexion.audit.services import record_change


class UnknownRoleError(ValueError):
    pass


def generate_password() -> str:
    # 16 URL-safe characters: about 96 bits, easy to copy from a terminal.
    return secrets.token_urlsafe(12)


@transaction.atomic
def set_roles(user: User, role_codes: list[str], *, actor: User | None = None) -> None:
    unknown = sorted(set(role_codes) - set(ROLE_CODES))
    if unknown:
        raise UnknownRoleError(", ".join(unknown))
    before = sorted(user.groups.values_list("name", flat=True))
    user.groups.set(Group.objects.filter(name__in=role_codes))
    after = sorted(role_codes)
    if before != after:
        record_change(actor, "accounts.set_roles", user, {"roles": [before, after]})


@transaction.atomic
def create_staff_user(
    username: str,
    *,
    email: str = "",
    roles: list[str],
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    language: str = "",
    actor: User | None = None,
) -> tuple[User, str]:
    """Creates a staff user and returns it with its (possibly generated) password."""
    password = password or generate_password()
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        language=language,
    )
    if ADMIN in roles:
        # Admins also reach Django's admin site for raw data management.
        user.is_staff = True
        user.is_superuser = True
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    set_roles(user, roles, actor=actor)
    record_change(actor, "accounts.create_user", user, {"username": [None, username]})
    return user, password


PROFILE_FIELDS = ("first_name", "last_name", "language")


@transaction.atomic
def update_profile(user: User, **changes: str) -> None:
    """Changes a user's own name or interface language."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    if "language" in changes and changes["language"] not in dict(settings.LANGUAGES):
        raise ValueError(changes["language"])
    changed = {
        name: [getattr(user, name), value]
        for name, value in changes.items()
        if getattr(user, name) != value
    }
    if not changed:
        return
    for name, (_before, after) in changed.items():
        setattr(user, name, after)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(changed))
    record_change(user, "accounts.update_profile", user, changed)


def record_sign_in_attempt(
    *,
    username: str,
    outcome: str,
    ip_address: str | None,
    user_agent: str,
    user: User | None = None,
) -> None:
    SignInAttempt.objects.create(
        username=username[:150],
        user=user,
        ip_address=ip_address,
        user_agent=user_agent[:400],
        outcome=outcome,
    )


def sign_in_is_throttled(username: str, ip_address: str | None) -> bool:
    """True when the username, or the address, failed too often recently.

    Failures count from the last successful sign-in of that username, so a user
    who gets in is not held back by old mistakes. The address gets a higher
    limit because an office shares one address.
    """
    limit = settings.LOGIN_FAILURE_LIMIT
    since = timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    attempts = SignInAttempt.objects.filter(attempted_at__gte=since)
    last_success = attempts.filter(
        username=username, outcome=SignInAttempt.Outcome.SUCCEEDED
    ).aggregate(at=Max("attempted_at"))["at"]
    user_failures = attempts.filter(username=username, outcome=SignInAttempt.Outcome.FAILED)
    if last_success:
        user_failures = user_failures.filter(attempted_at__gt=last_success)
    if user_failures.count() >= limit:
        return True
    if ip_address is None:
        return False
    ip_failures = attempts.filter(ip_address=ip_address, outcome=SignInAttempt.Outcome.FAILED)
    return ip_failures.count() >= limit * 4
