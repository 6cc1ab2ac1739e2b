"""Forms of the privacy area: they parse what staff type; the privacy services
validate and write."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connexion.people.forms import DATE_INPUT, organization_lookup, person_lookup
from connexion.people.models import Organization, PhoneNumber
from connexion.privacy.models import (
    CONSENT_BASES,
    OBJECTABLE_BASES,
    Breach,
    ConsentEvent,
    Disclosure,
    PrivacyNotice,
    Purpose,
    Restriction,
)
from connexion.privacy.registry import Category
from connexion.sales.forms import AmountField
from connexion.sales.models import Product, ProductInterest

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
CHECKBOXES = forms.CheckboxSelectMultiple


def error_lines(form: forms.Form) -> list[str]:
    """Each error as "Field: message", for places without the form around it."""
    lines = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        lines += [f"{label}: {error}" if label else str(error) for error in errors]
    return lines


def categories_field(label: Any = None, **kwargs: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label or _("Data categories"),
        choices=Category.choices,
        widget=CHECKBOXES,
        **kwargs,
    )


def consent_purpose_choices() -> Any:
    return Purpose.objects.filter(lawful_basis__in=CONSENT_BASES)


# --- purposes (the registry) ----------------------------------------------------


class PurposeForm(forms.ModelForm):
    data_categories = categories_field(required=False)

    class Meta:
        model = Purpose
        fields = [
            "code",
            "policy_clause",
            "name_th",
            "name_en",
            "description_th",
            "description_en",
            "lawful_basis",
            "data_categories",
            "is_direct_marketing",
            "retention_rule",
            "is_active",
        ]
        widgets = {
            "description_th": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "code": _("Letters, digits and hyphens; programs and the API refer to it."),
            "is_active": _("A purpose no longer in use allows no use of data."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The ledger, the API and the call actions refer to a purpose by its code.
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("Fixed once the purpose exists.")


# --- notices --------------------------------------------------------------------


class NoticeForm(forms.Form):
    version = forms.CharField(label=_("Version"), max_length=20)
    effective_at = forms.DateTimeField(
        label=_("In effect from"),
        required=False,
        widget=DATETIME_INPUT,
        help_text=_("Empty: from now."),
    )
    text_th = forms.CharField(
        label=_("Text (Thai)"), widget=forms.Textarea(attrs={"rows": 12}), strip=False
    )
    text_en = forms.CharField(
        label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 12}), strip=False
    )
    renew_consent_for = forms.ModelMultipleChoiceField(
        label=_("Ask again for consent to"),
        queryset=consent_purpose_choices().filter(is_active=True),
        widget=CHECKBOXES,
        required=False,
        help_text=_(
            "Consents given under an earlier version stop counting for these purposes "
            "until the person gives them again."
        ),
    )

    def clean_version(self) -> str:
        return self.cleaned_data["version"].strip()


# --- objections -----------------------------------------------------------------


class ObjectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept: stop this use")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A rejection must give the compelling legitimate grounds or the legal claim."),
    )


class ObjectionForm(forms.Form):
    purpose = forms.ModelChoiceField(
        label=_("Purpose objected to"),
        queryset=Purpose.objects.filter(is_active=True, lawful_basis__in=OBJECTABLE_BASES),
    )
    grounds = forms.CharField(
        label=_("The person's grounds"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- disclosures ----------------------------------------------------------------


class DisclosureForm(forms.Form):
    person = person_lookup()
    basis = forms.ChoiceField(
        label=_("Basis"), choices=[("", "—"), *Disclosure.Basis.choices], required=False
    )
    recipient = organization_lookup(label=_("Recipient"))
    recipient_name = forms.CharField(
        label=_("Recipient (not in the CRM)"), max_length=200, required=False
    )
    categories = categories_field(label=_("Data categories disclosed"), required=False)
    fields_disclosed = forms.CharField(
        label=_("Fields"),
        required=False,
        help_text=_("Separate the fields with commas, e.g. name, mobile phone."),
    )
    purpose = forms.ModelChoiceField(
        label=_("Purpose consented to"),
        queryset=consent_purpose_choices(),
        required=False,
        help_text=_("For a disclosure on the person's consent."),
    )
    product = forms.ModelChoiceField(
        label=_("Joint product"),
        queryset=Product.objects.filter(partner__isnull=False).select_related("partner"),
        required=False,
        help_text=_("For a disclosure to a partner."),
    )
    legal_reference = forms.CharField(
        label=_("Order or request reference"),
        max_length=200,
        required=False,
        help_text=_("For a disclosure the law requires."),
    )
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}))
    disclosed_at = forms.DateTimeField(
        label=_("Disclosed at"),
        required=False,
        widget=DATETIME_INPUT,
        help_text=_("Empty: now."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].required = True
        self.fields["person"].label = _("Person")
        # Who, on which basis and its grounds, then to whom and what.
        self.order_fields(
            [
                "person",
                "basis",
                "purpose",
                "product",
                "legal_reference",
                "recipient",
                "recipient_name",
                "categories",
                "fields_disclosed",
                "reason",
                "disclosed_at",
            ]
        )

    def clean_disclosed_at(self) -> datetime | None:
        value = self.cleaned_data["disclosed_at"]
        if value is not None and value > timezone.now():
            raise ValidationError(_("The time cannot be in the future."))
        return value

    def disclosure_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "basis": data["basis"],
            "categories": list(data["categories"]),
            "reason": data["reason"],
            "recipient": data["recipient"],
            "recipient_name": data["recipient_name"],
            "fields": [f.strip() for f in data["fields_disclosed"].split(",") if f.strip()],
            "purpose": data["purpose"],
            "product": data["product"],
            "legal_reference": data["legal_reference"],
            "disclosed_at": data["disclosed_at"],
        }


class ProductInterestForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Joint product"),
        queryset=Product.objects.filter(is_active=True, partner__isnull=False).select_related(
            "partner"
        ),
    )
    kind = forms.ChoiceField(label=_("The person"), choices=ProductInterest.Kind.choices)


# --- breaches -------------------------------------------------------------------


class BreachForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4})
    )
    occurred_at = forms.DateTimeField(label=_("Happened at"), widget=DATETIME_INPUT)
    aware_at = forms.DateTimeField(
        label=_("We became aware at"),
        widget=DATETIME_INPUT,
        help_text=_("The 72 hours to notify the regulator run from this time."),
    )
    categories = categories_field(label=_("Data categories concerned"))
    people_affected = forms.IntegerField(label=_("People affected (approximately)"), min_value=0)
    risk = forms.ChoiceField(label=_("Risk assessment"), choices=Breach.Risk.choices)
    risk_reasoning = forms.CharField(
        label=_("Reasoning of the assessment"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        occurred, aware = data.get("occurred_at"), data.get("aware_at")
        if occurred and occurred > timezone.now():
            self.add_error("occurred_at", _("The time cannot be in the future."))
        if occurred and aware and aware < occurred:
            self.add_error("aware_at", _("We cannot have become aware before it happened."))
        return data


class BreachNotificationForm(forms.Form):
    regulator_notified_at = forms.DateTimeField(
        label=_("Regulator notified at"), required=False, widget=DATETIME_INPUT
    )
    regulator_reference = forms.CharField(
        label=_("Regulator's reference"), max_length=100, required=False
    )
    people_notified_at = forms.DateTimeField(
        label=_("People notified at"), required=False, widget=DATETIME_INPUT
    )
    late_reason = forms.CharField(
        label=_("Reason for late notification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the regulator was notified more than 72 hours after awareness."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("regulator_notified_at") and not data.get("people_notified_at"):
            self.add_error(
                "regulator_notified_at",
                _("Give the time the regulator or the people were notified."),
            )
        return data


# --- the person's panel ---------------------------------------------------------


def staff_wording(purpose: Purpose, notice: PrivacyNotice) -> str:
    """What staff record as the wording of a consent the person gave on a signed
    form: the purpose, in both languages, and the notice version it was under.
    Fixed text, whatever the language of the staff member's screen."""
    return (
        f"{purpose.name_th} / {purpose.name_en} "
        f"(ประกาศความเป็นส่วนตัว ฉบับ {notice.version} / privacy notice version {notice.version})"
    )


class ConsentForm(forms.Form):
    purpose = forms.ModelChoiceField(
        label=_("Purpose"), queryset=consent_purpose_choices(), widget=forms.HiddenInput
    )
    action = forms.ChoiceField(
        label=_("Action"),
        choices=ConsentEvent.Action.choices,
        widget=forms.HiddenInput,
    )
    notice = forms.ModelChoiceField(
        label=_("Privacy notice"),
        queryset=PrivacyNotice.objects.all(),
        required=False,
        widget=forms.HiddenInput,
    )
    channel = forms.ChoiceField(label=_("How"), choices=ConsentEvent.Channel.choices)
    evidence = forms.FileField(label=_("Evidence (scanned form)"), required=False)

    def clean_evidence(self) -> Any:
        evidence = self.cleaned_data.get("evidence")
        if evidence is None:
            return None
        if evidence.size > EVIDENCE_MAX_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."))
        # Judged by its content, not its name.
        head = evidence.read(8)
        evidence.seek(0)
        if not head.startswith(EVIDENCE_SIGNATURES):
            raise ValidationError(_("Upload a PDF, JPEG or PNG file."))
        return evidence


EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_SIGNATURES = (b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def _contact_label(kind: str, point: Any) -> str:
    if isinstance(point, PhoneNumber):
        # As the refusal reasons name it: the number in international form.
        return f"{_('Phone')} ({point.get_kind_display()}): {point.number}"
    labels = {"email": _("Email"), "social": _("Social media"), "address": _("Address")}
    return f"{labels[kind]}: {point}"


class RestrictionForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("What to restrict"),
        choices=Restriction.Scope.choices,
        widget=forms.RadioSelect,
        initial=Restriction.Scope.CONTACT_POINT,
    )
    contact_point = forms.ChoiceField(label=_("Contact detail"), required=False)
    category = forms.ChoiceField(
        label=_("Data category"), choices=[("", "—"), *Category.choices], required=False
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    until = forms.DateField(
        label=_("Until (last day)"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Empty: until it is lifted."),
    )

    def __init__(self, *args: Any, contact_points: list[tuple[str, Any]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.points = {f"{kind}:{point.pk}": point for kind, point in contact_points}
        self.fields["contact_point"].choices = [("", "—")] + [
            (key, _contact_label(key.split(":")[0], point)) for key, point in self.points.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        scope = data.get("scope")
        if scope == Restriction.Scope.CONTACT_POINT and not data.get("contact_point"):
            self.add_error("contact_point", _("Choose the contact detail to restrict."))
        if scope == Restriction.Scope.CATEGORY and not data.get("category"):
            self.add_error("category", _("Choose a data category from 3.1 to 3.7."))
        until = data.get("until")
        if until is not None and until < timezone.localdate():
            self.add_error("until", _("The end must come after the start."))
        return data

    def restriction_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        scope = data["scope"]
        until = data.get("until")
        ends_at = None
        if until is not None:
            # The restriction holds through the whole of its last day.
            ends_at = timezone.make_aware(datetime.combine(until + timedelta(days=1), time()))
        return {
            "scope": scope,
            "reason": data["reason"],
            "contact_point": self.points.get(data.get("contact_point") or "")
            if scope == Restriction.Scope.CONTACT_POINT
            else None,
            "category": data.get("category", "") if scope == Restriction.Scope.CATEGORY else "",
            "ends_at": ends_at,
        }


class PartnerProductForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Organization.objects.filter(kind=Organization.Kind.PARTNER)
    )
    code = forms.CharField(label=_("Code"), max_length=40)
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    # Joint products are entries of the one catalog (sales.Product).
    price = AmountField(label=_("Price (THB)"), required=False)
