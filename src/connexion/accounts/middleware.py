from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from connexion.accounts import mfa, sessions


class UserLanguageMiddleware:
    """Uses the language a signed-in user chose, wherever they sign in from."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect the browser follows, also from an htmx request (which would
    otherwise swap the target page into a fragment)."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


# What a user who must set up two-step sign-in may still open.
_ENROLMENT_VIEWS = {
    "accounts:mfa_setup",
    "accounts:mfa_recovery_codes",
    "accounts:logout",
    "accounts:language",
}


class SessionSecurityMiddleware:
    """Ends sessions idle for SESSION_IDLE_SECONDS or older than
    SESSION_COOKIE_AGE, and keeps a user whose role needs two-step sign-in on
    the enrolment page until it is set up. Goes after the auth and message
    middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = sessions.timed_out(request.session)
            if reason is not None:
                logout(request)
                if reason == "idle":
                    messages.info(request, _("You were signed out after a time without activity."))
                else:
                    messages.info(request, _("Your sign-in has expired. Sign in again."))
                return _redirect(request, redirect_to_login(request.get_full_path())["Location"])
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not request.session.get(sessions.MFA_ENROLMENT_REQUIRED):
            return None
        user = request.user
        if not user.is_authenticated or mfa.has_mfa(user):  # type: ignore[arg-type]
            request.session.pop(sessions.MFA_ENROLMENT_REQUIRED, None)
            return None
        match = request.resolver_match
        if match is not None and match.view_name in _ENROLMENT_VIEWS:
            return None
        return _redirect(request, reverse("accounts:mfa_setup"))
