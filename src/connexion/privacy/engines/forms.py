"""Forms of the data-subject rights engines: they parse what staff type; the
engines (export, erasure, retention) validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from connexion.people.models import Person
from connexion.privacy.ledger.forms import DATETIME_INPUT
from connexion.privacy.models import RetentionRule
from connexion.privacy.registry import Category

LANGUAGE_CHOICES = [("th", "ไทย"), ("en", "English")]


class ExportForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=LANGUAGE_CHOICES,
        help_text=_("The person's language: Thai dates are shown in the Buddhist Era."),
    )


class SendExportForm(forms.Form):
    email = forms.EmailField(
        label=_("Other controller's email"),
        help_text=_("Where the person asked their data to be sent (PDPA s.31)."),
    )


class ErasureConfirmForm(forms.Form):
    """Irreversible: the record number is typed, not clicked."""

    confirmation = forms.CharField(label=_("Record number"), max_length=20)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["confirmation"].help_text = _(
            "Type the record number, %(number)s, to confirm the erasure."
        ) % {"number": person.pk}

    def clean_confirmation(self) -> str:
        typed = self.cleaned_data["confirmation"].strip().lstrip("#")
        if typed != str(self.person.pk):
            raise forms.ValidationError(
                _("Type the record number %(number)s exactly: nothing was erased.")
                % {"number": self.person.pk}
            )
        return typed


class HoldForm(forms.Form):
    legal_reference = forms.CharField(
        label=_("Law or order"),
        max_length=200,
        help_text=_("e.g. Revenue Code s.87/3, or the court's order number."),
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    ends_at = forms.DateTimeField(
        label=_("Until"),
        required=False,
        widget=DATETIME_INPUT,
        help_text=_("Empty: until it is lifted."),
    )


class RetentionRuleForm(forms.ModelForm):
    lifecycle_stage = forms.ChoiceField(
        label=_("Lifecycle stage"),
        choices=[("", _("every stage")), *Person.Lifecycle.choices],
        required=False,
    )
    category = forms.ChoiceField(
        label=_("Data category"),
        choices=[("", _("every category")), *Category.choices],
        required=False,
        help_text=_("For “delete the data category only”: the category deleted."),
    )

    class Meta:
        model = RetentionRule
        fields = [
            "name_th",
            "name_en",
            "description_th",
            "description_en",
            "lifecycle_stage",
            "category",
            "purpose",
            "trigger",
            "months",
            "action",
            "is_active",
        ]
        widgets = {
            "description_th": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "purpose": _("The purpose the data is kept for, shown in the record of processing."),
            "months": _("How long, in months, from the moment the trigger names."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name_th"].required = False
        self.fields["name_en"].required = False
