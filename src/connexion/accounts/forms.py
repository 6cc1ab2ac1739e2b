from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from connexion.accounts.services import sign_in_is_throttled
from connexion.lib.http import client_ip


class SignInForm(AuthenticationForm):
    error_messages = {
        # One message for every wrong combination: it must not tell which part was wrong.
        "invalid_login": _("The username or password is not correct."),
        "inactive": _("The username or password is not correct."),
        "throttled": _(
            "Too many failed sign-in attempts. Wait %(minutes)s minutes and try again, "
            "or reset your password."
        ),
    }

    def clean(self):  # type: ignore[no-untyped-def]
        username = self.cleaned_data.get("username") or ""
        ip_address = client_ip(self.request) if self.request else None
        if username and sign_in_is_throttled(username, ip_address):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": settings.LOGIN_FAILURE_WINDOW_MINUTES},
            )
        return super().clean()


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False)
