from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connexion.accounts.models import Team, User
from connexion.accounts.roles import ROLE_LABELS
from connexion.accounts.services import SignInRefusal, sign_in_refusal
from connexion.api import scopes as api_scopes
from connexion.lib.http import client_ip

THROTTLED_MESSAGE = _(
    "Too many failed sign-in attempts: this account is locked for %(minutes)s minutes. "
    "Reset your password to unlock it now, or ask an administrator to unlock it."
)
ADDRESS_SLOWED_MESSAGE = _(
    "Too many failed sign-in attempts from your network address: try again in "
    "%(minutes)s minutes. No account was locked."
)


def refusal_message(refusal: SignInRefusal) -> str:
    """What the person signing in is told; the two cases differ, because only a
    locked account can be unlocked by a password reset or an administrator."""
    locked = refusal.kind == SignInRefusal.ACCOUNT
    template = THROTTLED_MESSAGE if locked else ADDRESS_SLOWED_MESSAGE
    return str(template) % {"minutes": refusal.minutes}


class SignInForm(AuthenticationForm):
    error_messages = {
        # One message for every wrong combination: it must not tell which part was wrong.
        "invalid_login": _("The username or password is not correct."),
        "inactive": _("The username or password is not correct."),
    }

    def clean(self):  # type: ignore[no-untyped-def]
        username = self.cleaned_data.get("username") or ""
        ip_address = client_ip(self.request) if self.request else None
        refusal = sign_in_refusal(username, ip_address) if username else None
        if refusal is not None:
            # Refused before the password is checked: no failure is counted against
            # the account, and nothing tells whether the password was right.
            raise forms.ValidationError(refusal_message(refusal), code="throttled")
        return super().clean()


class SignInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class MfaConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordCheckForm(forms.Form):
    """Asks the signed-in user for their password again before a sensitive change."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your current password."))
        return password


def _new_password_fields() -> tuple[forms.CharField, forms.CharField]:
    return (
        forms.CharField(
            label=_("New password"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        ),
        forms.CharField(
            label=_("New password again"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        ),
    )


class SetPasswordForm(DjangoSetPasswordForm):
    """The password-reset form with our field names' labels and messages."""

    error_messages = {"password_mismatch": _("The two passwords are not the same.")}

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"], self.fields["new_password2"] = _new_password_fields()
        self.fields[
            "new_password1"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean(self) -> dict[str, Any]:
        self.validate_passwords("new_password1", "new_password2")
        # The rules' messages go next to the first field, where the password is typed.
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)  # type: ignore[no-any-return]


class PasswordChangeForm(SetPasswordForm):
    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"] = forms.CharField(
            label=_("Current password"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        )
        self.order_fields(self.field_order)

    def clean_old_password(self) -> str:
        password = self.cleaned_data["old_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your current password."))
        return password


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


# --- user management --------------------------------------------------------------


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=list(ROLE_LABELS.items()), **kwargs)


class TeamsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Team.objects.order_by("name"), **kwargs)


class StaffUserForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"))
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Browser's choice")), *settings.LANGUAGES],
        required=False,
    )
    roles = RolesField(label=_("Roles"), required=False)
    teams = TeamsField(label=_("Teams"), required=False)


class NewStaffUserForm(StaffUserForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    field_order = ["username", "first_name", "last_name", "email", "language", "roles", "teams"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username

    def clean_roles(self) -> list[str]:
        roles = self.cleaned_data["roles"]
        if not roles:
            raise forms.ValidationError(_("Choose at least one role."))
        return roles  # type: ignore[no-any-return]


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, team: Team | None = None, **kwargs: Any) -> None:
        self.team = team
        super().__init__(*args, **kwargs)
        self.fields["members"].label_from_instance = lambda user: (
            f"{user.display_name()} ({user.username})"
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Team.objects.filter(name__iexact=name)
        if self.team is not None:
            taken = taken.exclude(pk=self.team.pk)
        if taken.exists():
            raise forms.ValidationError(_("A team with this name already exists."))
        return name


# --- API tokens -----------------------------------------------------------------

DEFAULT_TOKEN_DAYS = 90


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the program that uses it."),
    )
    areas = forms.MultipleChoiceField(
        label=_("Areas"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Read lets the token fetch data; write lets it create and change data."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Data categories"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of personal data the token may receive."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that does not expire."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"expires_on": timezone.localdate() + timedelta(days=DEFAULT_TOKEN_DAYS)}
        )
        super().__init__(*args, **kwargs)
        self.fields["areas"].choices = [
            (
                api_scopes.area_scope(area, write),
                api_scopes.describe(api_scopes.area_scope(area, write)),
            )
            for area in api_scopes.AREAS
            for write in (False, True)
        ]
        self.fields["categories"].choices = list(api_scopes.CATEGORIES.items())

    def clean_expires_on(self) -> datetime | None:
        day = self.cleaned_data["expires_on"]
        if day is None:
            return None
        if day <= timezone.localdate():
            raise forms.ValidationError(_("Choose a day after today."))
        # The token works through the whole of that day, Thai time.
        return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))

    def scopes(self) -> list[str]:
        return [*self.cleaned_data["areas"], *self.cleaned_data["categories"]]
