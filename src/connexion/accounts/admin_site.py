"""Django's admin site behind Connexion's one sign-in door.

The admin has no password form of its own: its login address answers with our
sign-in (the same form, throttle and lockout, then the code), and the site
opens only to an active staff user with two-step sign-in whose session passed
the second step. A session from anywhere else never reaches it."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from connexion.accounts import mfa, sessions
from connexion.accounts.permissions import MissingPermission
from connexion.accounts.roles import ADMIN
from connexion.lib.http import safe_next


class ConnexionAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return (
            super().has_permission(request)
            and sessions.passed_second_step(request.session)
            and mfa.has_mfa(user)  # type: ignore[arg-type]
        )

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        from connexion.accounts.views import SignInView

        index = reverse("admin:index", current_app=self.name)
        wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
        next_url = safe_next(request, wanted, index)
        sign_in = f"{reverse('accounts:login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
        user = request.user
        if user.is_authenticated:
            if self.has_permission(request):
                return redirect(next_url)
            if not (user.is_active and user.is_staff):
                # Django's admin site opens only to staff accounts: administrators.
                raise MissingPermission(role=ADMIN)
            if not mfa.has_mfa(user):
                messages.info(
                    request, _("The admin site needs two-step sign-in. Set it up to continue.")
                )
                return redirect("accounts:mfa_setup")
            # Signed in without the code (an older session): the door again, with it.
            logout(request)
            messages.info(
                request, _("The admin site needs your two-step sign-in code. Sign in again.")
            )
            return redirect(sign_in)
        if request.method == "POST":
            # A password sent here goes through the very same form and throttle.
            # The sign-in view answers with a page or a redirect: both HttpResponses.
            return cast(HttpResponse, SignInView.as_view(next_page=next_url)(request))
        return redirect(sign_in)
