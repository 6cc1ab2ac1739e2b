"""Records every sign-in and failed password from Django's auth signals, and
ties each new session to its user (timeouts, ending sessions on deactivation)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from connexion.accounts import sessions
from connexion.accounts.models import SignInAttempt, User
from connexion.accounts.services import record_sign_in_attempt
from connexion.lib.http import client_ip

# Set on the request by the sign-in views before login(): which step let the
# user in (password, authenticator code or recovery code).
SIGN_IN_STEP_ATTRIBUTE = "connexion_sign_in_step"


@receiver(user_logged_in)
def record_success(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None:
        return
    sessions.start(request.session, user)
    record_sign_in_attempt(
        username=user.get_username(),
        outcome=SignInAttempt.Outcome.SUCCEEDED,
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        user=user,
        step=getattr(request, SIGN_IN_STEP_ATTRIBUTE, SignInAttempt.Step.PASSWORD),
    )


@receiver(user_logged_out)
def forget_session(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None:
        sessions.forget(request.session.session_key)


@receiver(user_login_failed)
def record_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if request is None:
        return
    record_sign_in_attempt(
        username=str(credentials.get("username", "")),
        outcome=SignInAttempt.Outcome.FAILED,
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
    )
