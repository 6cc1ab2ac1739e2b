from django import forms
from django.utils.translation import gettext_lazy as _

from connexion.accounts.models import User
from connexion.accounts.roles import ROLE_LABELS


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(choices=list(ROLE_LABELS.items()), **kwargs)


class StaffRolesForm(forms.Form):
    roles = RolesField(label=_("Roles"), required=False)


class NewStaffForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    roles = RolesField(label=_("Roles"))

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username
