"""Sign-in (password, then a code when two-step sign-in is on), the user's own
account page, two-step sign-in set-up, password change and API tokens."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from connexion.accounts import mfa, selectors, sessions
from connexion.accounts.forms import (
    ApiTokenForm,
    LanguageForm,
    MfaConfirmForm,
    PasswordChangeForm,
    PasswordCheckForm,
    SetPasswordForm,
    SignInCodeForm,
    SignInForm,
    refusal_message,
)
from connexion.accounts.models import SignInAttempt, User
from connexion.accounts.services import (
    is_locked_out,
    record_sign_in_attempt,
    set_password,
    sign_in_refusal,
    unlock_sign_in,
    update_profile,
)
from connexion.accounts.signals import SIGN_IN_STEP_ATTRIBUTE
from connexion.api.models import ApiToken
from connexion.api.scopes import describe as describe_scope
from connexion.api.services import create_token, revoke_token
from connexion.lib.crypto import StoredFileError
from connexion.lib.forms import put_errors
from connexion.lib.http import client_ip, safe_next

logger = logging.getLogger(__name__)

# Time to type the code after the password.
PENDING_SECONDS = 5 * 60
RECOVERY_CODES = "recovery_codes"
NEW_TOKEN = "api_token"  # noqa: S105 (a session key name, not a secret)


def _attempt(request: HttpRequest, user: User, outcome: str, step: str) -> None:
    record_sign_in_attempt(
        username=user.username,
        outcome=outcome,
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        user=user,
        step=step,
    )


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:
        user: User = form.get_user()
        if mfa.has_mfa(user):
            # Not signed in yet: the session only remembers who typed a right password.
            self.request.session[sessions.MFA_PENDING] = {
                "user": user.pk,
                "backend": user.backend,  # type: ignore[attr-defined]
                "at": time.time(),
                "next": self.get_success_url(),
            }
            _attempt(
                self.request,
                user,
                SignInAttempt.Outcome.CODE_REQUIRED,
                SignInAttempt.Step.PASSWORD,
            )
            return redirect("accounts:sign_in_code")
        response = super().form_valid(form)
        if mfa.requires_mfa(user):
            self.request.session[sessions.MFA_ENROLMENT_REQUIRED] = True
            messages.info(
                self.request,
                _("Your role requires two-step sign-in. Set it up now to continue."),
            )
            return redirect("accounts:mfa_setup")
        return response

    def form_invalid(self, form: SignInForm) -> HttpResponse:
        if form.has_error("__all__", "throttled"):
            username = form.cleaned_data.get("username") or ""
            record_sign_in_attempt(
                username=username,
                outcome=SignInAttempt.Outcome.BLOCKED,
                ip_address=client_ip(self.request),
                user_agent=self.request.headers.get("User-Agent", ""),
            )
        return super().form_invalid(form)


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(sessions.MFA_PENDING)
    if not pending or time.time() - float(pending["at"]) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending) if user is not None else None


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app or a recovery code."""
    found = _pending_user(request)
    if found is None:
        request.session.pop(sessions.MFA_PENDING, None)
        messages.info(request, _("Sign in again: the time to enter the code ran out."))
        return redirect("accounts:login")
    user, pending = found
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        kind = (
            SignInAttempt.Step.TOTP
            if len("".join(code.split())) == 6
            else SignInAttempt.Step.RECOVERY_CODE
        )
        refusal = sign_in_refusal(user.username, client_ip(request))
        if refusal is not None:
            _attempt(request, user, SignInAttempt.Outcome.BLOCKED, kind)
            form.add_error(None, refusal_message(refusal))
        else:
            try:
                step = mfa.second_step(user, code)
            except StoredFileError as exc:
                # The server's keys, not the person: said plainly, not counted as a failure.
                logger.error(
                    "Two-step sign-in of user %s cannot be checked: %s "
                    "(run `connexion keys status`)",
                    user.pk,
                    exc,
                )
                form.add_error(
                    None,
                    _(
                        "Two-step sign-in cannot be checked at the moment: the server's "
                        "encryption keys are not set up correctly. Nothing is wrong with your "
                        "code. Please tell your administrator."
                    ),
                )
                return render(request, "accounts/sign_in_code.html", {"form": form}, status=503)
            if step is None:
                _attempt(request, user, SignInAttempt.Outcome.FAILED, kind)
                form.add_error("code", _("This code is not correct, or was already used."))
            else:
                del request.session[sessions.MFA_PENDING]
                setattr(request, SIGN_IN_STEP_ATTRIBUTE, step)
                login(request, user, backend=pending["backend"])
                sessions.mark_second_step(request.session, step)
                if step == SignInAttempt.Step.RECOVERY_CODE:
                    left = mfa.unused_recovery_codes(user)
                    messages.warning(
                        request,
                        ngettext(
                            "You signed in with a recovery code. %(count)d code is left.",
                            "You signed in with a recovery code. %(count)d codes are left.",
                            left,
                        )
                        % {"count": left},
                    )
                default = reverse(settings.LOGIN_REDIRECT_URL)
                return redirect(safe_next(request, pending.get("next") or "", default))
    return render(request, "accounts/sign_in_code.html", {"form": form})


class SignOutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        user: User = form.user
        with transaction.atomic():
            response = super().form_valid(form)
            # Following the emailed link proves the address: it lifts a lock.
            if is_locked_out(user):
                unlock_sign_in(
                    user,
                    actor=user,
                    step=SignInAttempt.Step.PASSWORD_RESET,
                    ip_address=client_ip(self.request),
                    user_agent=self.request.headers.get("User-Agent", ""),
                )
                messages.success(self.request, _("Your account is unlocked."))
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Sets the interface language: on the user's account when signed in, and in
    a cookie so that the sign-in page speaks it too."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    language = form.cleaned_data["language"]
    next_url = safe_next(request, form.cleaned_data["next"], reverse("ui:home"))
    if request.user.is_authenticated:
        update_profile(request.user, language=language)  # type: ignore[arg-type]
    translation.activate(language)
    response = redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
    )
    return response


# --- the user's own account ------------------------------------------------------


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "accounts/account.html",
        {
            "security": selectors.security_state(user),
            "history": selectors.sign_in_history(user),
            "active_tokens": sum(token.is_active for token in selectors.api_tokens(user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        set_password(user, form.cleaned_data["new_password1"], actor=user)
        # Other sessions end with the old password; this one goes on.
        update_session_auth_hash(request, user)
        messages.success(request, _("Your new password is saved."))
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if mfa.has_mfa(user):
        messages.info(request, _("Two-step sign-in is already on."))
        return redirect("accounts:account")
    device = mfa.start_enrolment(user)
    form = MfaConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.confirm_enrolment(user, form.cleaned_data["code"])
        except mfa.InvalidCodeError:
            form.add_error(
                "code",
                _("This code is not correct. Check the time on your phone and try the next code."),
            )
        else:
            request.session.pop(sessions.MFA_ENROLMENT_REQUIRED, None)
            # The first code from the app, typed in this session, is its second step.
            sessions.mark_second_step(request.session, SignInAttempt.Step.TOTP)
            sessions.show_once(request.session, RECOVERY_CODES, codes)
            messages.success(request, _("Two-step sign-in is on."))
            return redirect("accounts:mfa_recovery_codes")
    uri = mfa.provisioning_uri(device)
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr_svg": mfa.qr_code_svg(uri),
            "secret": mfa.grouped_secret(device),
            "forced": bool(request.session.get(sessions.MFA_ENROLMENT_REQUIRED)),
        },
    )


@never_cache
@login_required
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Shows new recovery codes, once: reloading the page does not show them again."""
    codes = sessions.take_shown_once(request.session, RECOVERY_CODES)
    if codes is None:
        messages.info(
            request,
            _("Recovery codes are shown only once. Make new ones if you have lost them."),
        )
        return redirect("accounts:account")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


def _with_password(
    request: HttpRequest, title: str, explanation: str, button: str
) -> tuple[PasswordCheckForm, HttpResponse | None]:
    form = PasswordCheckForm(request.user, request.POST or None)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        return form, None
    page = render(
        request,
        "accounts/password_check.html",
        {"form": form, "title": title, "explanation": explanation, "button": button},
    )
    return form, page


@login_required
@require_http_methods(["GET", "POST"])
def mfa_regenerate(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not mfa.has_mfa(user):
        return redirect("accounts:mfa_setup")
    _form, page = _with_password(
        request,
        _("New recovery codes"),
        _("Your old recovery codes stop working. Enter your password to continue."),
        _("Make new recovery codes"),
    )
    if page is not None:
        return page
    sessions.show_once(
        request.session, RECOVERY_CODES, mfa.regenerate_recovery_codes(user, actor=user)
    )
    return redirect("accounts:mfa_recovery_codes")


@login_required
@require_http_methods(["GET", "POST"])
def mfa_disable(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not mfa.has_mfa(user):
        return redirect("accounts:account")
    required = mfa.requires_mfa(user)
    explanation = (
        _(
            "Your role requires two-step sign-in: after turning it off you set it up again "
            "at once, e.g. on a new phone. Enter your password to continue."
        )
        if required
        else _("Signing in will need only your password. Enter your password to continue.")
    )
    _form, page = _with_password(
        request, _("Turn off two-step sign-in"), explanation, _("Turn off")
    )
    if page is not None:
        return page
    mfa.disable(user, actor=user)
    request.session.pop(sessions.SECOND_STEP, None)
    if required:
        request.session[sessions.MFA_ENROLMENT_REQUIRED] = True
        return redirect("accounts:mfa_setup")
    messages.success(request, _("Two-step sign-in is off."))
    return redirect("accounts:account")


# --- API tokens ---------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw = create_token(
                user,
                form.cleaned_data["name"],
                scopes=form.scopes(),
                expires_at=form.cleaned_data["expires_on"],
                actor=user,
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            sessions.show_once(request.session, NEW_TOKEN, [raw])
            return redirect("accounts:api_tokens")
    new_token = sessions.take_shown_once(request.session, NEW_TOKEN)
    tokens = [
        (token, [describe_scope(scope) for scope in token.scopes])
        for token in selectors.api_tokens(user)
    ]
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token[0] if new_token else None},
    )


@require_POST
@login_required
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponseBase:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    revoke_token(token, actor=request.user)
    messages.success(request, _("The token %(prefix)s is revoked.") % {"prefix": token.prefix})
    return redirect("accounts:api_tokens")
