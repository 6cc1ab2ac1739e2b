from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from connexion.accounts.models import User
from connexion.audit.models import AuditEvent
from connexion.audit.selectors import AuditFilter


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=User.objects.order_by("username"),
        required=False,
        empty_label=_("anyone"),
    )
    person = forms.IntegerField(label=_("Person (record number)"), required=False, min_value=1)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("all")), *AuditEvent.Kind.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("all")), *AuditEvent.Channel.choices], required=False
    )
    action = forms.CharField(label=_("Action contains"), required=False, max_length=80)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def criteria(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            actor_id=data["actor"].pk if data.get("actor") else None,
            person_id=data.get("person"),
            kind=data.get("kind") or "",
            channel=data.get("channel") or "",
            action=data.get("action") or "",
            since=data.get("since"),
            until=data.get("until"),
        )
