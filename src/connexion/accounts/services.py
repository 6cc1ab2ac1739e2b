"""Writes to staff accounts: users, roles, teams, activation, sign-in records,
the sign-in lock and its unlocking. Each change is written to the audit log."""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.accounts.actors import Actor
from connexion.accounts.models import RoleVisibility, SignInAttempt, Team, User
from connexion.accounts.roles import ADMIN, ROLE_CODES
from connexion.accounts.sessions import end_user_sessions
from connexion.api.services import revoke_user_tokens
from connexion.audit.services import record_change


class UnknownRoleError(ValueError):
    pass


def generate_password() -> str:
    # 16 URL-safe characters: about 96 bits, easy to copy from a terminal.
    return secrets.token_urlsafe(12)


@transaction.atomic
def set_roles(user: User, role_codes: list[str], *, actor: Actor = None) -> None:
    unknown = sorted(set(role_codes) - set(ROLE_CODES))
    if unknown:
        raise UnknownRoleError(", ".join(unknown))
    before = sorted(user.groups.values_list("name", flat=True))
    user.groups.set(Group.objects.filter(name__in=role_codes))
    after = sorted(set(role_codes))
    # Admins also reach Django's admin site; losing the role must take that away too.
    is_admin = ADMIN in role_codes
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    if before != after:
        record_change(actor, "accounts.set_roles", user, {"roles": [before, after]})


@transaction.atomic
def set_teams(user: User, teams: Iterable[Team], *, actor: Actor = None) -> None:
    wanted = {team.pk: team for team in teams}
    before = sorted(user.teams.values_list("name", flat=True))
    user.teams.set(wanted.values())
    after = sorted(team.name for team in wanted.values())
    if before != after:
        record_change(actor, "accounts.set_teams", user, {"teams": [before, after]})


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
    teams: Iterable[Team] = (),
    actor: Actor = None,
) -> tuple[User, str]:
    """Creates a staff user and returns it with its (possibly generated) password.
    A password given here must pass the password rules (ValidationError on
    "password" otherwise)."""
    password = password or generate_password()
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        language=language,
    )
    user.full_clean(exclude=["password"])
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    set_roles(user, roles, actor=actor)
    set_teams(user, teams, actor=actor)
    record_change(actor, "accounts.create_user", user, {"username": [None, username]})
    return user, password


@transaction.atomic
def set_password(user: User, password: str, *, actor: Actor = None) -> None:
    """Every password a person chooses passes the rules of accounts.passwords."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    record_change(actor, "accounts.set_password", user, {"password": ["***", "***"]})


PROFILE_FIELDS = ("first_name", "last_name", "language")
STAFF_FIELDS = ("first_name", "last_name", "email", "language")


def _apply_changes(user: User, changes: dict[str, str]) -> dict[str, list[str]]:
    changed = {
        name: [getattr(user, name), value]
        for name, value in changes.items()
        if getattr(user, name) != value
    }
    for name, (_before, after) in changed.items():
        setattr(user, name, after)
    if changed:
        user.full_clean(exclude=["password"])
        user.save(update_fields=list(changed))
    return changed


@transaction.atomic
def update_profile(user: User, **changes: str) -> None:
    """Changes a user's own name or interface language."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    if "language" in changes and changes["language"] not in dict(settings.LANGUAGES):
        raise ValueError(changes["language"])
    changed = _apply_changes(user, changes)
    if changed:
        record_change(user, "accounts.update_profile", user, changed)


@transaction.atomic
def update_staff_user(user: User, *, actor: User, **changes: str) -> None:
    """An administrator changes a user's name, email address or language."""
    unknown = set(changes) - set(STAFF_FIELDS)
    if unknown:
        raise ValueError(f"not staff fields: {sorted(unknown)}")
    changed = _apply_changes(user, changes)
    if changed:
        record_change(actor, "accounts.update_user", user, changed)


def _other_active_admins(user: User) -> bool:
    return User.objects.filter(is_active=True, groups__name=ADMIN).exclude(pk=user.pk).exists()


@transaction.atomic
def deactivate_user(user: User, *, actor: Actor) -> tuple[int, int]:
    """Stops the user at once: no sign-in, every session ended, every API token
    revoked. Returns (sessions ended, tokens revoked)."""
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if user.groups.filter(name=ADMIN).exists() and not _other_active_admins(user):
        raise ValidationError(
            _("This is the last active administrator: make someone else an administrator first.")
        )
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        record_change(actor, "accounts.deactivate_user", user, {"is_active": [True, False]})
    tokens = revoke_user_tokens(user, actor=actor)
    sessions = end_user_sessions(user)
    if sessions or tokens:
        record_change(
            actor, "accounts.end_access", user, {"sessions": [sessions, 0], "tokens": [tokens, 0]}
        )
    return sessions, tokens


@transaction.atomic
def reactivate_user(user: User, *, actor: Actor) -> None:
    """Lets the user sign in again. Their old API tokens stay revoked."""
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_change(actor, "accounts.reactivate_user", user, {"is_active": [False, True]})


# --- teams --------------------------------------------------------------------


@transaction.atomic
def create_team(
    name: str, *, description: str = "", members: Iterable[User] = (), actor: Actor
) -> Team:
    team = Team(name=name.strip(), description=description.strip())
    team.full_clean()
    team.save()
    team.members.set(list(members))
    record_change(
        actor,
        "accounts.create_team",
        team,
        {"name": [None, team.name], "members": [[], sorted(m.username for m in members)]},
    )
    return team


@transaction.atomic
def update_team(
    team: Team, *, name: str, description: str, members: Iterable[User], actor: Actor
) -> None:
    changes: dict[str, list[object]] = {}
    name, description = name.strip(), description.strip()
    if team.name != name:
        changes["name"] = [team.name, name]
    if team.description != description:
        changes["description"] = [team.description, description]
    team.name, team.description = name, description
    team.full_clean()
    team.save()
    before = sorted(team.members.values_list("username", flat=True))
    members = list(members)
    team.members.set(members)
    after = sorted(member.username for member in members)
    if before != after:
        changes["members"] = [before, after]
    if changes:
        record_change(actor, "accounts.update_team", team, changes)


@transaction.atomic
def delete_team(team: Team, *, actor: Actor) -> None:
    record_change(
        actor,
        "accounts.delete_team",
        team,
        {
            "name": [team.name, None],
            "members": [sorted(m.username for m in team.members.all()), []],
        },
    )
    team.delete()


# --- sign-in records, the lock and unlocking -------------------------------------


@transaction.atomic
def set_role_scope(role_code: str, scope: str, *, actor: Actor) -> None:
    """Which records the members of a role see from now on (accounts.visibility)."""
    if role_code not in ROLE_CODES:
        raise UnknownRoleError(role_code)
    if scope not in RoleVisibility.Scope.values:
        raise ValidationError({"scope": _("Choose one of the listed scopes.")})
    visibility, _created = RoleVisibility.objects.select_for_update().get_or_create(
        role=Group.objects.get(name=role_code)
    )
    if visibility.scope != scope:
        record_change(
            actor, "accounts.set_role_scope", visibility, {"scope": [visibility.scope, scope]}
        )
        visibility.scope = scope
        visibility.save(update_fields=["scope"])


def record_sign_in_attempt(
    *,
    username: str,
    outcome: str,
    ip_address: str | None,
    user_agent: str,
    user: User | None = None,
    step: str = SignInAttempt.Step.PASSWORD,
) -> SignInAttempt:
    if user is None:
        # A failed password names only the username; the history needs the user.
        user = User.objects.filter(username=username).first()
    return SignInAttempt.objects.create(
        username=username[:150],
        user=user,
        ip_address=ip_address,
        user_agent=user_agent[:400],
        outcome=outcome,
        step=step,
    )


def _recent_attempts():  # type: ignore[no-untyped-def]
    since = timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    return SignInAttempt.objects.filter(attempted_at__gte=since)


@dataclass(frozen=True)
class SignInRefusal:
    """Why a sign-in is refused before its password or code is even checked:
    the account is locked ("account"), or the address is slowed ("address");
    `minutes` is how long it lasts from now, rounded up."""

    ACCOUNT: ClassVar[str] = "account"
    ADDRESS: ClassVar[str] = "address"

    kind: str
    minutes: int


def _refused_until(failure_times: list[datetime], limit: int) -> datetime | None:
    """When the failures (newest first) drop below `limit` in the window, if they
    are at it now."""
    if len(failure_times) < limit:
        return None
    return failure_times[limit - 1] + timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def _minutes_until(moment: datetime) -> int:
    return max(1, math.ceil((moment - timezone.now()).total_seconds() / 60))


def _account_locked_until(username: str) -> datetime | None:
    """Too many failures (password or code) against this username since its last
    full sign-in or unlock. Only failures naming the account count: nothing
    another username does locks it."""
    attempts = _recent_attempts().filter(username=username)
    reset_at = attempts.filter(
        Q(outcome=SignInAttempt.Outcome.SUCCEEDED) | Q(outcome=SignInAttempt.Outcome.UNLOCKED)
    ).aggregate(at=Max("attempted_at"))["at"]
    failures = attempts.filter(outcome=SignInAttempt.Outcome.FAILED)
    if reset_at:
        failures = failures.filter(attempted_at__gt=reset_at)
    limit = settings.LOGIN_FAILURE_LIMIT
    times = list(failures.order_by("-attempted_at").values_list("attempted_at", flat=True)[:limit])
    return _refused_until(times, limit)


def _address_slowed_until(ip_address: str) -> datetime | None:
    """Too many failures from this address, whatever the usernames."""
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    times = list(
        _recent_attempts()
        .filter(ip_address=ip_address, outcome=SignInAttempt.Outcome.FAILED)
        .order_by("-attempted_at")
        .values_list("attempted_at", flat=True)[:limit]
    )
    return _refused_until(times, limit)


def sign_in_refusal(username: str, ip_address: str | None) -> SignInRefusal | None:
    """Whether a password or code may be checked now, for this username from
    this address.

    The account locks after LOGIN_FAILURE_LIMIT failures against it (counted
    from its last complete sign-in or unlock, so a user who gets in is not
    held back by old mistakes; a right password followed by wrong codes does
    not reset the count). The address is slowed after
    LOGIN_ADDRESS_FAILURE_LIMIT failures from it under any usernames: that
    address waits, and no account is locked by it, so made-up names tried from
    one place cannot lock staff out.
    """
    locked_until = _account_locked_until(username) if username else None
    if locked_until is not None:
        return SignInRefusal(SignInRefusal.ACCOUNT, _minutes_until(locked_until))
    slowed_until = _address_slowed_until(ip_address) if ip_address else None
    if slowed_until is not None:
        return SignInRefusal(SignInRefusal.ADDRESS, _minutes_until(slowed_until))
    return None


def is_locked_out(user: User) -> bool:
    return _account_locked_until(user.username) is not None


@transaction.atomic
def unlock_sign_in(
    user: User,
    *,
    actor: Actor,
    step: str = SignInAttempt.Step.ADMIN,
    ip_address: str | None = None,
    user_agent: str = "",
) -> None:
    """Ends the lock after repeated failures: by an administrator, or by the
    user proving their email address with a password reset."""
    record_sign_in_attempt(
        username=user.username,
        outcome=SignInAttempt.Outcome.UNLOCKED,
        ip_address=ip_address,
        user_agent=user_agent,
        user=user,
        step=step,
    )
    record_change(actor, "accounts.unlock_sign_in", user, {"locked": [True, False]})


def locked_usernames() -> set[str]:
    """Every username locked now, from one read of the window's attempts (for
    the staff list)."""
    failures: dict[str, int] = {}
    # Oldest first: a success or an unlock starts the count again.
    for username, outcome in (
        _recent_attempts().order_by("attempted_at", "id").values_list("username", "outcome")
    ):
        if outcome in (SignInAttempt.Outcome.SUCCEEDED, SignInAttempt.Outcome.UNLOCKED):
            failures[username] = 0
        elif outcome == SignInAttempt.Outcome.FAILED:
            failures[username] = failures.get(username, 0) + 1
    return {name for name, count in failures.items() if count >= settings.LOGIN_FAILURE_LIMIT}
