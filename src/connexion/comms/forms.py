"""Forms of the comms app: they parse; `comms.services` validates and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from connexion.comms.models import EmailTemplate
from connexion.comms.rendering import PLACEHOLDERS
from connexion.lib.http import parse_id
from connexion.people.models import EmailAddress, Person
from connexion.privacy.models import Purpose


class EmailTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    purpose = forms.ModelChoiceField(
        label=_("Purpose"),
        queryset=Purpose.objects.filter(is_active=True),
        help_text=_("What the messages sent with this template are for (privacy policy 5.x)."),
    )
    subject_th = forms.CharField(label=_("Subject (Thai)"), max_length=200, required=False)
    body_th = forms.CharField(
        label=_("Body (Thai)"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    subject_en = forms.CharField(label=_("Subject (English)"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("Body (English)"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = " ".join("{{ %s }}" % name for name in PLACEHOLDERS)  # noqa: UP031
        self.fields["body_th"].help_text = _("Placeholders: %(names)s") % {"names": names}
        self.fields["body_en"].help_text = self.fields["body_th"].help_text

    @staticmethod
    def initial_for(template: EmailTemplate) -> dict[str, Any]:
        return {name: getattr(template, name) for name in EmailTemplateForm.base_fields}


class EmailAddressChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: EmailAddress) -> str:
        return f"{obj.email} ({obj.label})" if obj.label else obj.email


class SendEmailForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Template"), queryset=EmailTemplate.objects.filter(is_active=True)
    )
    email_address = EmailAddressChoice(label=_("Send to"), queryset=EmailAddress.objects.none())
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    reference = forms.CharField(
        label=_("Order or law"),
        max_length=200,
        required=False,
        help_text=_(
            "Only for a template on a legal obligation: the reference of the order or the law "
            "that requires this contact."
        ),
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        field = self.fields["email_address"]
        field.queryset = EmailAddress.objects.filter(person=person).order_by("-is_primary", "id")  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, person: Person, template_id: Any = None) -> dict[str, Any]:
        templates = EmailTemplate.objects.filter(is_active=True)
        template_pk = parse_id(template_id)
        template = templates.filter(pk=template_pk).first() if template_pk is not None else None
        template = template or templates.first()
        email = EmailAddress.objects.filter(person=person).order_by("-is_primary", "id").first()
        thai = bool(person.first_name_th or person.last_name_th)
        language = "th" if thai else "en"
        if template is not None and language not in template.languages:
            language = template.languages[0]
        return {
            "template": template,
            "email_address": email,
            "language": language,
        }
