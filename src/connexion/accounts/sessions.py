"""Staff sessions: when they started and were last used (for the idle and
absolute timeouts), which user they belong to (to end them all at once), and
the flags of the sign-in steps kept in them."""

from __future__ import annotations

import time
from datetime import timedelta
from importlib import import_module
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from connexion.accounts.models import UserSession

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

    from connexion.accounts.models import User

SIGNED_IN_AT = "_connexion_signed_in_at"
SEEN_AT = "_connexion_seen_at"
# Set at a password sign-in of a user whose role needs MFA but has none yet:
# until enrolment every page but the enrolment page is closed to the session.
MFA_ENROLMENT_REQUIRED = "_connexion_mfa_enrolment_required"
# Between a right password and the code: who is signing in, since when, where to.
MFA_PENDING = "_connexion_mfa_pending"
# Set when the session passed the second step (a code at sign-in, or the first
# code at enrolment): what the admin site asks of a session.
SECOND_STEP = "_connexion_second_step"
# Secrets shown once on the next page (recovery codes, a new API token).
SHOW_ONCE = "_connexion_show_once"

# Writing the session on every request would be a write per page view.
SEEN_RESOLUTION_SECONDS = 60


def _store(session_key: str) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key)  # type: ignore[no-any-return]


def start(session: SessionBase, user: User, now: float | None = None) -> None:
    """Called when a user has signed in (user_logged_in)."""
    now = time.time() if now is None else now
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    if session.session_key is None:
        session.save()
    # Rows older than the longest session can only point at expired sessions.
    UserSession.objects.filter(
        user=user, created_at__lt=timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    ).delete()
    UserSession.objects.update_or_create(session_key=session.session_key, defaults={"user": user})


def forget(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def timed_out(session: SessionBase, now: float | None = None) -> str | None:
    """ "idle" or "expired" when the session must end; None otherwise (and then
    the last-seen time is moved on, at most once a minute)."""
    now = time.time() if now is None else now
    signed_in_at = session.get(SIGNED_IN_AT)
    seen_at = session.get(SEEN_AT)
    if signed_in_at is None or seen_at is None:
        # A session from before these timeouts: start counting now.
        session[SIGNED_IN_AT] = signed_in_at or now
        session[SEEN_AT] = now
        return None
    if now - float(signed_in_at) > settings.SESSION_COOKIE_AGE:
        return "expired"
    if now - float(seen_at) > settings.SESSION_IDLE_SECONDS:
        return "idle"
    if now - float(seen_at) >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = now
    return None


def end_user_sessions(user: User) -> int:
    """Ends every session of the user now, whatever the session backend."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        _store(key).delete(key)
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def mark_second_step(session: SessionBase, step: str) -> None:
    session[SECOND_STEP] = step


def passed_second_step(session: SessionBase) -> bool:
    return bool(session.get(SECOND_STEP))


def show_once(session: SessionBase, kind: str, values: list[str]) -> None:
    session[SHOW_ONCE] = {"kind": kind, "values": values}


def take_shown_once(session: SessionBase, kind: str) -> list[str] | None:
    """The secrets put there for this page, removed from the session."""
    entry = session.get(SHOW_ONCE)
    if not entry or entry.get("kind") != kind:
        return None
    del session[SHOW_ONCE]
    return list(entry["values"])
