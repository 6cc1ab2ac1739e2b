"""Forms of the privacy center (public) and of its settings (staff). Every
public form carries a honeypot field and a signed time stamp: a bot fills the
one or sends the form too soon after it was shown."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from connexion.lib.phone import InvalidPhoneNumber, to_e164
from connexion.portal.models import WebForm
from connexion.portal.services import (
    FORM_FIELDS,
    clean_submission,
    consent_wording,
    field_label,
)
from connexion.privacy.models import CONSENT_BASES, PrivacyNotice, Purpose, SubjectRequest
from connexion.privacy.subject_requests.forms import checked_upload
from connexion.privacy.subject_requests.rules import NEEDS_VERIFICATION
from connexion.privacy.subject_requests.rules import field_label as request_field_label

STARTED_SALT = "connexion.portal.started"
# A person needs a few seconds to read and fill a form; a bot does not.
MIN_SECONDS = 3
# An open form older than this is stale (and its time stamp could have been harvested).
MAX_FORM_AGE_SECONDS = 6 * 3600
CHECKBOXES = forms.CheckboxSelectMultiple
RADIOS = forms.RadioSelect


def started_token(scope: str) -> str:
    """The signed moment a form was shown, for the form's hidden `started` field."""
    return signing.dumps({"t": time.time()}, salt=f"{STARTED_SALT}.{scope}")


def min_seconds() -> float:
    return float(getattr(settings, "PORTAL_MIN_SUBMIT_SECONDS", MIN_SECONDS))


class BotCheckForm(forms.Form):
    """A field hidden from people (bots fill it) and the time the form was shown."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, scope: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        refused = _("We could not accept this form. Wait a few seconds and send it again.")
        if data.get("website"):
            raise ValidationError(refused, code="honeypot")
        try:
            started = signing.loads(
                data.get("started") or "",
                salt=f"{STARTED_SALT}.{self.scope}",
                max_age=MAX_FORM_AGE_SECONDS,
            )
        except signing.SignatureExpired:
            raise ValidationError(
                _("This form was open for too long. Send it again."), code="expired"
            ) from None
        except signing.BadSignature:
            raise ValidationError(refused, code="tampered") from None
        shown_at = started.get("t") if isinstance(started, dict) else None
        if not isinstance(shown_at, int | float):
            raise ValidationError(refused, code="tampered")
        if time.time() - shown_at > MAX_FORM_AGE_SECONDS:
            raise ValidationError(
                _("This form was open for too long. Send it again."), code="expired"
            )
        if time.time() - shown_at < min_seconds():
            raise ValidationError(refused, code="too_fast")
        return data


def _clean_target(channel: str, email: str, phone: str) -> tuple[str, dict[str, str]]:
    """The email (lower case) or E.164 phone the code goes to; errors by field."""
    if channel == "email":
        if not email:
            return "", {"email": _("Give your email address.")}
        try:
            validate_email(email)
        except ValidationError:
            return "", {"email": _("Enter a valid email address.")}
        return email.strip().lower(), {}
    if not phone:
        return "", {"phone": _("Give your mobile phone number.")}
    try:
        return to_e164(phone), {}
    except InvalidPhoneNumber:
        return "", {"phone": _("“%(value)s” is not a valid phone number.") % {"value": phone}}


CODE_CHANNELS = [("email", _("by email")), ("phone", _("by text message (SMS)"))]


class CodeRequestForm(BotCheckForm):
    """My consents: who you are, to receive a one-time code."""

    channel = forms.ChoiceField(
        label=_("Send me a code"), choices=CODE_CHANNELS, initial="email", widget=RADIOS
    )
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        target, errors = _clean_target(
            data.get("channel", ""), data.get("email", "").strip(), data.get("phone", "").strip()
        )
        for name, message in errors.items():
            self.add_error(name, message)
        data["target"] = target
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": r"[0-9 ]*"}
        ),
    )


CHANGE_PREFIX = "change_"
# What the privacy center offers to correct; staff handle the rest from the description.
PUBLIC_RECTIFIABLE = (
    "title",
    "first_name_th",
    "last_name_th",
    "first_name_en",
    "last_name_en",
    "nickname_th",
    "email",
    "phone",
    "occupation",
    "employer_name",
    "position",
)


class RequestForm(BotCheckForm):
    kind = forms.ChoiceField(
        label=_("What do you ask for?"), choices=SubjectRequest.Kind.choices, widget=RADIOS
    )
    requester_name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)
    send_code_by = forms.ChoiceField(
        label=_("Send my one-time code"), choices=CODE_CHANNELS, initial="email", widget=RADIOS
    )
    description = forms.CharField(
        label=_("Your request"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("Say what you ask for, in your own words."),
    )
    recipient_controller = forms.CharField(
        label=_("Send my data to (another company)"), max_length=200, required=False
    )
    recipient_email = forms.EmailField(label=_("That company's email"), required=False)
    by_representative = forms.BooleanField(
        label=_("I make this request for someone else, as their representative"), required=False
    )
    representative_name = forms.CharField(
        label=_("Name of the person you represent"), max_length=200, required=False
    )
    authority_document = forms.FileField(
        label=_("Document giving you authority"),
        required=False,
        help_text=_("Power of attorney or guardianship: PDF, JPEG or PNG, at most 10 MB."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in PUBLIC_RECTIFIABLE:
            self.fields[f"{CHANGE_PREFIX}{name}"] = forms.CharField(
                label=request_field_label(name), max_length=200, required=False
            )

    def change_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(CHANGE_PREFIX)]

    def clean_authority_document(self) -> Any:
        return checked_upload(self.cleaned_data.get("authority_document"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        email = (data.get("email") or "").strip()
        phone = (data.get("phone") or "").strip()
        if not email and not phone:
            self.add_error(
                "email", _("Give an email address or a phone number, so that we can answer.")
            )
            return data
        if data.get("kind") in NEEDS_VERIFICATION:
            channel = data.get("send_code_by", "email")
            _target, errors = _clean_target(channel, email, phone)
            for name, message in errors.items():
                self.add_error(name, message)
        if data.get("by_representative") and not (data.get("representative_name") or "").strip():
            self.add_error("representative_name", _("Give the name of the person you represent."))
        if data.get("by_representative") and not data.get("authority_document"):
            self.add_error("authority_document", _("Attach the document giving you authority."))
        return data

    def proposed_changes(self) -> dict[str, str] | None:
        if self.cleaned_data.get("kind") != SubjectRequest.Kind.RECTIFICATION:
            return None
        return {
            name[len(CHANGE_PREFIX) :]: value.strip()
            for name, value in self.cleaned_data.items()
            if name.startswith(CHANGE_PREFIX) and value and value.strip()
        }


class PublicWebForm(BotCheckForm):
    """The form a visitor fills, as staff built it; one unticked checkbox per purpose."""

    visitor = forms.CharField(required=False, widget=forms.HiddenInput)
    notice = forms.ModelChoiceField(
        queryset=PrivacyNotice.objects.all(), required=False, widget=forms.HiddenInput
    )

    def __init__(
        self, *args: Any, web_form: WebForm, notice: PrivacyNotice | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, scope=f"webform.{web_form.key}", **kwargs)
        self.web_form = web_form
        self.shown_notice = notice
        for item in web_form.fields:
            spec = FORM_FIELDS[item["field"]]
            attrs: dict[str, str] = {}
            if spec.kind == "email":
                attrs = {"type": "email", "autocomplete": "email"}
            elif spec.kind == "phone":
                attrs = {"type": "tel", "autocomplete": "tel"}
            widget = (
                forms.Textarea(attrs={"rows": 4})
                if spec.kind == "textarea"
                else forms.TextInput(attrs=attrs)
            )
            self.fields[item["field"]] = forms.CharField(
                label=field_label(item),
                required=bool(item.get("required")),
                max_length=spec.max_length,
                widget=widget,
            )
        self.purposes = list(web_form.purposes.filter(is_active=True).order_by("id"))
        for purpose in self.purposes:
            self.fields[f"consent_{purpose.pk}"] = forms.BooleanField(
                label=consent_wording(purpose, notice) if notice else str(purpose),
                required=False,
                initial=False,  # s.19: consent is a deliberate act, never pre-ticked
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Every field checked at once (email, phone …), as the submission will be.
        raw = {item["field"]: self.data.get(item["field"], "") for item in self.web_form.fields}
        _values, errors = clean_submission(self.web_form, raw)
        for name, messages in errors.items():
            if name not in self.errors:
                for message in messages:
                    self.add_error(name, message)
        return data

    def person_fields(self) -> list[forms.BoundField]:
        return [self[item["field"]] for item in self.web_form.fields]

    def consent_fields(self) -> list[tuple[Purpose, forms.BoundField]]:
        return [(purpose, self[f"consent_{purpose.pk}"]) for purpose in self.purposes]

    def values(self) -> dict[str, str]:
        return {
            item["field"]: self.cleaned_data.get(item["field"], "") for item in self.web_form.fields
        }

    def consents(self) -> list[Purpose]:
        return [p for p in self.purposes if self.cleaned_data.get(f"consent_{p.pk}")]


# --- staff ----------------------------------------------------------------------------


class PrivacyContactForm(forms.Form):
    controller_name_th = forms.CharField(
        label=_("Business name (Thai)"), max_length=200, required=False
    )
    controller_name_en = forms.CharField(
        label=_("Business name (English)"), max_length=200, required=False
    )
    dpo_name = forms.CharField(label=_("Data protection officer"), max_length=200, required=False)
    email = forms.CharField(label=_("Privacy email"), max_length=254, required=False)
    phone = forms.CharField(label=_("Privacy phone"), max_length=30, required=False)
    postal_address_th = forms.CharField(
        label=_("Postal address (Thai)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    postal_address_en = forms.CharField(
        label=_("Postal address (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    website_origins = forms.CharField(
        label=_("The business's websites"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "One origin a line, such as https://www.example.co.th: these sites may record "
            "cookie choices with the banner snippet."
        ),
    )


class CookiePolicyForm(forms.Form):
    text_th = forms.CharField(label=_("Text (Thai)"), widget=forms.Textarea(attrs={"rows": 8}))
    text_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 8}))


def _staff_choices() -> Any:
    return get_user_model().objects.filter(is_active=True).order_by("username")


class WebFormBuilderForm(forms.Form):
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    purposes = forms.ModelMultipleChoiceField(
        label=_("Consent checkboxes"),
        queryset=Purpose.objects.filter(lawful_basis__in=CONSENT_BASES, is_active=True),
        required=False,
        widget=CHECKBOXES,
        help_text=_("One unticked checkbox for each purpose that rests on consent."),
    )
    owner = forms.ModelChoiceField(
        label=_("Follow-up by"),
        queryset=_staff_choices(),
        required=False,
        help_text=_("Owner of the new people, and who gets the follow-up task."),
    )
    allowed_origins = forms.CharField(
        label=_("Sites that may embed it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One origin a line, such as https://www.example.co.th"),
    )
    thank_you_th = forms.CharField(
        label=_("Thank-you message (Thai)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    thank_you_en = forms.CharField(
        label=_("Thank-you message (English)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    is_active = forms.BooleanField(label=_("Open to submissions"), required=False, initial=True)

    def __init__(self, *args: Any, instance: WebForm | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(instance)
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _staff_choices()
        self.fields["owner"].label_from_instance = lambda user: user.display_name()  # type: ignore[attr-defined]
        for key, spec in FORM_FIELDS.items():
            self.fields[f"use_{key}"] = forms.BooleanField(label=spec.label, required=False)
            self.fields[f"required_{key}"] = forms.BooleanField(label=_("required"), required=False)
            self.fields[f"label_th_{key}"] = forms.CharField(
                label=_("Label (Thai)"), max_length=200, required=False
            )
            self.fields[f"label_en_{key}"] = forms.CharField(
                label=_("Label (English)"), max_length=200, required=False
            )
        if instance is None and not self.is_bound:
            for key in ("first_name", "last_name", "email"):
                self.initial.setdefault(f"use_{key}", True)
            self.initial.setdefault("required_first_name", True)
            self.initial.setdefault("required_email", True)

    @staticmethod
    def initial_for(form: WebForm) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(form, name)
            for name in (
                "name_th",
                "name_en",
                "allowed_origins",
                "owner",
                "thank_you_th",
                "thank_you_en",
                "is_active",
            )
        }
        initial["purposes"] = list(form.purposes.all())
        for item in form.fields:
            key = item["field"]
            initial[f"use_{key}"] = True
            initial[f"required_{key}"] = item.get("required", False)
            initial[f"label_th_{key}"] = item.get("label_th", "")
            initial[f"label_en_{key}"] = item.get("label_en", "")
        return initial

    def field_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "key": key,
                "use": self[f"use_{key}"],
                "required": self[f"required_{key}"],
                "label_th": self[f"label_th_{key}"],
                "label_en": self[f"label_en_{key}"],
                "default": spec.label,
            }
            for key, spec in FORM_FIELDS.items()
        ]

    def settings_fields(self) -> list[forms.BoundField]:
        hidden = ("use_", "required_", "label_th_", "label_en_")
        return [self[name] for name in self.fields if not name.startswith(hidden)]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name_th": data["name_th"],
            "name_en": data["name_en"],
            "purposes": list(data["purposes"]),
            "owner": data["owner"],
            "allowed_origins": data["allowed_origins"],
            "thank_you_th": data["thank_you_th"],
            "thank_you_en": data["thank_you_en"],
            "is_active": data["is_active"],
            "fields": [
                {
                    "field": key,
                    "required": data[f"required_{key}"],
                    "label_th": data[f"label_th_{key}"],
                    "label_en": data[f"label_en_{key}"],
                }
                for key in FORM_FIELDS
                if data.get(f"use_{key}")
            ],
        }


class AnnounceForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, tell every person concerned of this version now"), required=True
    )
