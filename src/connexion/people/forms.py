"""Forms that parse what staff type; the services validate and save."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from connexion.accounts.models import User
from connexion.accounts.visibility import visible
from connexion.audit.context import current_viewer
from connexion.lib.http import parse_id
from connexion.lib.thai import PROVINCES
from connexion.people.models import (
    Organization,
    OrganizationRole,
    Person,
    PhoneNumber,
    Relationship,
    SocialAccount,
    Source,
    Tag,
)
from connexion.people.selectors import PersonFilters

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LookupWidget(forms.TextInput):
    """A text box that suggests records as you type (htmx) and submits `#id`."""

    def __init__(self, url: str, kind: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url
        self.kind = kind

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = {
            **(attrs or {}),
            "list": f"{name}-options",
            "autocomplete": "off",
            "hx-get": str(self.url),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": f"#{name}-options",
            "hx-vals": json.dumps({"field": name, **({"kind": self.kind} if self.kind else {})}),
        }
        if isinstance(value, Person | Organization):
            value = f"#{value.pk} {value}"
        elif isinstance(value, int):
            value = f"#{value}"
        return super().get_context(name, value, attrs)

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> str:
        return format_html(
            '{}<datalist id="{}-options"></datalist>',
            super().render(name, value, attrs, renderer),
            name,
        )


class LookupField(forms.CharField):
    def __init__(
        self, model: type[Person] | type[Organization], url: str, kind: str = "", **kwargs: Any
    ):
        self.model = model
        # Organizations of this kind only (e.g. partners); a lookup, never a <select>
        # of every record: there may be a hundred thousand of them.
        self.kind = kind
        kwargs.setdefault("required", False)
        super().__init__(widget=LookupWidget(url, kind), **kwargs)

    def clean(self, value: Any) -> Any:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        pk = parse_id(text.lstrip("#").split(" ", 1)[0])
        records = (
            self.model.objects.filter(kind=self.kind) if self.kind else self.model.objects.all()
        )
        viewer = current_viewer()
        if viewer is not None:
            # Only what the user may see; one out of reach is as if it did not exist.
            records = visible(viewer, records)
        record = records.filter(pk=pk).first() if pk is not None else None
        if record is None:
            raise forms.ValidationError(_("Choose a record from the suggestions."))
        return record


def person_lookup() -> LookupField:
    return LookupField(Person, reverse_lazy("people:lookup_person"))


def organization_lookup(**kwargs: Any) -> LookupField:
    return LookupField(Organization, reverse_lazy("people:lookup_organization"), **kwargs)


class SourceForm(forms.Form):
    """Provenance: required on every new record (policy 4.1-4.3)."""

    source_kind = forms.ChoiceField(
        label=_("Where the data came from"), choices=Source.Kind.choices
    )
    source_channel = forms.ChoiceField(label=_("Channel"), choices=Source.Channel.choices)
    source_related_person = LookupField(
        Person, reverse_lazy("people:lookup_person"), label=_("Given by (person)")
    )
    source_partner = LookupField(
        Organization,
        reverse_lazy("people:lookup_organization"),
        kind=Organization.Kind.PARTNER,
        label=_("Partner"),
    )
    source_agreement_reference = forms.CharField(
        label=_("Agreement reference"), max_length=100, required=False
    )

    def source_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["source_kind"],
            "channel": data["source_channel"],
            "related_person": data.get("source_related_person"),
            "partner": data.get("source_partner"),
            "agreement_reference": data.get("source_agreement_reference", ""),
        }


def _tag_names(raw: str) -> list[str]:
    return [name.strip() for name in raw.split(",") if name.strip()]


class PersonForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=30, required=False)
    first_name_th = forms.CharField(label=_("First name (Thai)"), max_length=100, required=False)
    middle_name_th = forms.CharField(label=_("Middle name (Thai)"), max_length=100, required=False)
    last_name_th = forms.CharField(label=_("Last name (Thai)"), max_length=100, required=False)
    nickname_th = forms.CharField(label=_("Nickname (Thai)"), max_length=60, required=False)
    first_name_en = forms.CharField(label=_("First name (Latin)"), max_length=100, required=False)
    middle_name_en = forms.CharField(label=_("Middle name (Latin)"), max_length=100, required=False)
    last_name_en = forms.CharField(label=_("Last name (Latin)"), max_length=100, required=False)
    nickname_en = forms.CharField(label=_("Nickname (Latin)"), max_length=60, required=False)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", "—"), *Person.Gender.choices], required=False
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE_INPUT)
    national_id = forms.CharField(label=_("National ID"), max_length=20, required=False)
    passport_number = forms.CharField(label=_("Passport number"), max_length=20, required=False)
    passport_country = forms.CharField(
        label=_("Passport country"),
        max_length=2,
        required=False,
        help_text=_("Two-letter country code, e.g. TH, JP."),
    )
    occupation = forms.CharField(label=_("Occupation"), max_length=100, required=False)
    employer = organization_lookup(label=_("Employer"))
    employer_name = forms.CharField(
        label=_("Employer (not in the CRM)"), max_length=200, required=False
    )
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    lifecycle_stage = forms.ChoiceField(
        label=_("Lifecycle stage"),
        choices=Person.Lifecycle.choices,
        initial=Person.Lifecycle.PROSPECT,
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.filter(is_active=True), required=False
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )

    def clean_passport_country(self) -> str:
        return self.cleaned_data["passport_country"].upper()

    def person_values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        values.pop("tags", None)
        for name in list(values):
            if name.startswith("source_"):
                values.pop(name)
        return values

    def tag_names(self) -> list[str]:
        return _tag_names(self.cleaned_data.get("tags", ""))

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        initial = {name: getattr(person, name) for name in cls.base_fields if name != "tags"}
        initial["tags"] = ", ".join(tag.name for tag in person.tags.all())
        return initial


class NewPersonForm(PersonForm, SourceForm):
    email = forms.EmailField(label=_("Email"), required=False)
    mobile = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The person first, then where the data came from.
        self.order_fields([*PersonForm.base_fields, "email", "mobile"])


class OrganizationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Organization.Kind.choices)
    name_th = forms.CharField(label=_("Legal name (Thai)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Legal name (English)"), max_length=200, required=False)
    tax_id = forms.CharField(label=_("Tax ID"), max_length=20, required=False)
    branch = forms.CharField(
        label=_("Branch number"),
        max_length=5,
        required=False,
        help_text=_("Empty for the head office."),
    )
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    tags = forms.CharField(label=_("Tags"), required=False)

    def organization_values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in OrganizationForm.base_fields if name != "tags"
        }

    def tag_names(self) -> list[str]:
        return _tag_names(self.cleaned_data.get("tags", ""))

    @classmethod
    def initial_for(cls, organization: Organization) -> dict[str, Any]:
        initial = {name: getattr(organization, name) for name in cls.base_fields if name != "tags"}
        initial["tags"] = ", ".join(tag.name for tag in organization.tags.all())
        return initial


class NewOrganizationForm(OrganizationForm, SourceForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(list(OrganizationForm.base_fields))


class EmailForm(SourceForm):
    email = forms.EmailField(label=_("Email"))
    label = forms.CharField(label=_("Label"), max_length=40, required=False)


class PhoneForm(SourceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=PhoneNumber.Kind.choices)
    number = forms.CharField(label=_("Number"), max_length=30)
    label = forms.CharField(label=_("Label"), max_length=40, required=False)


class SocialForm(SourceForm):
    platform = forms.ChoiceField(label=_("Platform"), choices=SocialAccount.Platform.choices)
    handle = forms.CharField(label=_("Handle"), max_length=100, required=False)
    platform_user_id = forms.CharField(label=_("Platform user ID"), max_length=100, required=False)


class AddressForm(SourceForm):
    country = forms.CharField(label=_("Country"), max_length=2, initial="TH")
    house_number = forms.CharField(label=_("House number"), max_length=30, required=False)
    moo = forms.CharField(label=_("Moo"), max_length=10, required=False)
    building = forms.CharField(label=_("Village or building"), max_length=120, required=False)
    soi = forms.CharField(label=_("Soi"), max_length=80, required=False)
    road = forms.CharField(label=_("Road"), max_length=80, required=False)
    subdistrict = forms.CharField(label=_("Subdistrict"), max_length=80, required=False)
    district = forms.CharField(label=_("District"), max_length=80, required=False)
    province = forms.ChoiceField(
        label=_("Province"),
        choices=[("", "—")] + [(thai, thai) for thai, _english in PROVINCES],
        required=False,
    )
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    foreign_address = forms.CharField(
        label=_("Foreign address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    label = forms.CharField(label=_("Label"), max_length=40, required=False)

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()


CONTACT_FORMS: dict[str, type[SourceForm]] = {
    "email": EmailForm,
    "phone": PhoneForm,
    "social": SocialForm,
    "address": AddressForm,
}


def contact_values(form: SourceForm) -> dict[str, Any]:
    return {
        name: value for name, value in form.cleaned_data.items() if not name.startswith("source_")
    }


class OrganizationRoleForm(forms.Form):
    organization = organization_lookup(label=_("Organization"), required=True)
    role = forms.ChoiceField(label=_("Role"), choices=OrganizationRole.Role.choices)
    share_percent = forms.DecimalField(
        label=_("Share %"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    start_date = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    end_date = forms.DateField(label=_("Until"), required=False, widget=DATE_INPUT)


class RelationshipForm(forms.Form):
    kind = forms.ChoiceField(label=_("Relationship"), choices=Relationship.Kind.choices)
    other = LookupField(
        Person, reverse_lazy("people:lookup_person"), label=_("Person"), required=True
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PersonFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    lifecycle_stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[("", _("any stage")), *Person.Lifecycle.choices],
        required=False,
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"),
        queryset=Tag.objects.all(),
        to_field_name="name",
        required=False,
        empty_label=_("any tag"),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        empty_label=_("any owner"),
    )
    province = forms.ChoiceField(
        label=_("Province"),
        choices=[("", _("any province"))] + [(thai, thai) for thai, _english in PROVINCES],
        required=False,
    )
    organization = organization_lookup(label=_("Organization"))
    source_kind = forms.ChoiceField(
        label=_("Source"), choices=[("", _("any source")), *Source.Kind.choices], required=False
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[
            ("newest", _("newest first")),
            ("oldest", _("oldest first")),
            ("name_th", _("Thai name")),
            ("name_en", _("Latin name")),
            ("updated", _("recently changed")),
        ],
        required=False,
    )

    def filters(self) -> PersonFilters:
        """The filters chosen, read by the list, its export and saved views alike."""
        data = self.cleaned_data if self.is_valid() else {}
        owner = data.get("owner")
        organization = data.get("organization")
        tag = data.get("tag")
        return PersonFilters(
            query=data.get("q", ""),
            lifecycle_stage=data.get("lifecycle_stage", ""),
            tag=tag.name if tag else "",
            owner=owner.pk if owner else None,
            province=data.get("province", ""),
            organization=organization.pk if organization else None,
            source_kind=data.get("source_kind", ""),
            sort=data.get("sort") or "newest",
        )
