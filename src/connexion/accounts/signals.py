"""Records every sign-in attempt, successful or not, from Django's auth signals."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from connexion.accounts.models import SignInAttempt, User
from connexion.accounts.services import record_sign_in_attempt
from connexion.lib.http import client_ip


@receiver(user_logged_in)
def record_success(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None:
        return
    record_sign_in_attempt(
        username=user.get_username(),
        outcome=SignInAttempt.Outcome.SUCCEEDED,
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        user=user,
    )


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
