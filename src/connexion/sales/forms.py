"""Forms that parse what staff type; the services validate and save."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from connexion.accounts.models import User
from connexion.lib.money import (
    BASE_CURRENCY,
    CURRENCY_DIGITS,
    MoneyError,
    as_decimal,
    parse_amount,
    parse_decimal,
    parse_rate,
)
from connexion.lib.thai import BUDDHIST_ERA_OFFSET
from connexion.people.forms import organization_lookup, person_lookup
from connexion.people.models import Organization, Source
from connexion.sales.models import Deal, Lead, Product, ProductInterest, Stage
from connexion.sales.services.checks import LAST_PLAUSIBLE_CE_YEAR, money_message

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CURRENCY_CHOICES = [(code, code) for code in sorted(CURRENCY_DIGITS, key=lambda c: (c != "THB", c))]


def sales_staff() -> QuerySet[User]:
    """Active staff whose role opens leads and deals: who may own one."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(
                groups__permissions__codename="access_deals",
                groups__permissions__content_type__app_label="accounts",
            )
        )
        .distinct()
        .order_by("first_name", "username")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name()


class ThaiAwareDateField(forms.DateField):
    """A date whose year may have been typed in the Buddhist Era. In the Thai
    interface a year above 2400 is read as BE and turned into CE; in English
    it is refused with the CE year to use, since it is most likely a slip."""

    widget = DATE_INPUT

    def to_python(self, value: Any) -> date | None:
        result = super().to_python(value)
        if result is None or result.year <= LAST_PLAUSIBLE_CE_YEAR:
            return result
        ce_year = result.year - BUDDHIST_ERA_OFFSET
        if (translation.get_language() or "th")[:2] == "th":
            try:
                return result.replace(year=ce_year)
            except ValueError:  # 29 February of a BE year whose CE year is not leap
                raise forms.ValidationError(
                    _("This date does not exist."), code="invalid"
                ) from None
        raise forms.ValidationError(
            _(
                "The year %(year)s looks like a Buddhist Era year. Did you mean %(ce_year)s? "
                "Enter the year in the Common Era."
            ),
            code="buddhist_era",
            params={"year": result.year, "ce_year": ce_year},
        )


class AmountField(forms.CharField):
    """An amount as typed (`1,250.50`, `฿1,250`): a non-negative Decimal. The
    form turns it into minor units once the currency is known."""

    max_chars = 30

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.update(inputmode="decimal", maxlength=str(self.max_chars))

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        if len(text) > self.max_chars:
            raise forms.ValidationError(money_message(MoneyError("too_large")))
        try:
            return parse_decimal(text)
        except MoneyError as error:
            raise forms.ValidationError(money_message(error)) from None


def minor_units(form: forms.Form, field: str, value: Decimal | None, currency: str) -> int | None:
    """The Decimal of an `AmountField` in minor units of `currency`, or an error on the field."""
    if value is None:
        return None
    try:
        return parse_amount(value, currency)
    except MoneyError as error:
        form.add_error(field, money_message(error))
        return None


class RateField(forms.CharField):
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_rate(text)
        except MoneyError as error:
            raise forms.ValidationError(money_message(error)) from None


class StageChoiceField(forms.ModelChoiceField):
    """Stages grouped by pipeline: choosing the stage chooses the pipeline."""

    def __init__(self, queryset: QuerySet[Stage] | None = None, **kwargs: Any) -> None:
        queryset = queryset if queryset is not None else open_pipeline_stages()
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.pipeline} › {obj}"


def open_pipeline_stages() -> QuerySet[Stage]:
    return (
        Stage.objects.filter(pipeline__is_active=True)
        .select_related("pipeline")
        .order_by("pipeline__order", "pipeline_id", "order", "id")
    )


# --- deals ------------------------------------------------------------------


class DealForm(forms.Form):
    title = forms.CharField(label=_("Deal title"), max_length=200)
    stage = StageChoiceField(label=_("Pipeline and stage"))
    person = person_lookup()
    organization = organization_lookup(label=_("Organization"))
    owner = StaffChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    amount = AmountField(
        label=_("Amount"), required=False, help_text=_("In the currency below, e.g. 125,000.50.")
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=CURRENCY_CHOICES, initial=BASE_CURRENCY
    )
    exchange_rate = RateField(
        label=_("Exchange rate to THB"),
        required=False,
        help_text=_("THB for one unit of the currency; only for amounts not in THB."),
    )
    expected_close_date = ThaiAwareDateField(label=_("Expected close date"), required=False)

    def __init__(self, *args: Any, deal: Deal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].label = _("Person")
        self.fields["owner"].queryset = sales_staff()
        if deal is not None:
            # Stage moves go through the board or the move form: they are recorded.
            del self.fields["stage"]
            if deal.lines.exists():
                self.fields["amount"].disabled = True
                self.fields["amount"].help_text = _("The total of the deal's products.")
                self.fields["currency"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        currency = data.get("currency") or BASE_CURRENCY
        amount = data.get("amount")
        if "amount" in self.fields and not self.fields["amount"].disabled:
            data["amount_minor"] = minor_units(self, "amount", amount, currency)
        if not (data.get("person") or data.get("organization")) and not self.errors.get("person"):
            self.add_error("person", _("Link the deal to a person or an organization."))
        return data

    def deal_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in ("title", "person", "organization", "owner", "expected_close_date")
        }
        if not self.fields["amount"].disabled:
            values["amount"] = data.get("amount_minor") or 0
            values["currency"] = data["currency"]
            values["exchange_rate"] = data.get("exchange_rate")
        elif data.get("exchange_rate") is not None:
            values["exchange_rate"] = data["exchange_rate"]
        return values

    @classmethod
    def initial_for(cls, deal: Deal) -> dict[str, Any]:
        return {
            "title": deal.title,
            "person": deal.person,
            "organization": deal.organization,
            "owner": deal.owner,
            "amount": f"{as_decimal(deal.amount, deal.currency)}",
            "currency": deal.currency,
            "exchange_rate": deal.exchange_rate,
            "expected_close_date": deal.expected_close_date,
        }


class DealLineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True).order_by("code")
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    unit_price = AmountField(
        label=_("Unit price"), required=False, help_text=_("The list price when left empty.")
    )


class MoveForm(forms.Form):
    # Any stage: the service refuses one of another pipeline, with the reason.
    stage = forms.ModelChoiceField(label=_("Move to stage"), queryset=Stage.objects.all())
    lost_reason = forms.CharField(label=_("Why was it lost?"), max_length=300, required=False)


STATUS_CHOICES = [("", _("any status")), *Deal.Status.choices]
DEAL_SORT_CHOICES = [
    ("updated", _("recently changed")),
    ("newest", _("newest first")),
    ("close_date", _("close date")),
    ("amount", _("largest amount")),
]


class DealFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    # IDs: the choices come from the page's stage map, not from queries of their own.
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), coerce=int, required=False)
    stage = forms.TypedChoiceField(label=_("Pipeline stage"), coerce=int, required=False)
    owner = StaffChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("any owner")
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    close_from = ThaiAwareDateField(label=_("Closing from"), required=False)
    close_to = ThaiAwareDateField(label=_("Closing until"), required=False)
    amount_min = AmountField(label=_("Amount from (THB)"), required=False)
    amount_max = AmountField(label=_("Amount up to (THB)"), required=False)
    closed_from = ThaiAwareDateField(label=_("Won or lost from"), required=False)
    closed_to = ThaiAwareDateField(label=_("Won or lost until"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), choices=DEAL_SORT_CHOICES, required=False)

    def __init__(self, *args: Any, stages: dict[int, Stage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ordered = sorted(
            stages.values(), key=lambda s: (s.pipeline.order, s.pipeline_id, s.order, s.pk)
        )
        pipelines = {stage.pipeline_id: stage.pipeline for stage in ordered}
        self.fields["pipeline"].choices = [("", _("any pipeline"))] + [
            (pk, str(pipeline)) for pk, pipeline in pipelines.items()
        ]
        self.fields["stage"].choices = [("", _("any stage"))] + [
            (stage.pk, f"{stage.pipeline} › {stage}") for stage in ordered
        ]
        self.fields["owner"].queryset = sales_staff()
        for name in ("amount_min", "amount_max"):
            self.fields[name].widget.attrs["size"] = 10

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("amount_min", "amount_max"):
            data[f"{name}_minor"] = minor_units(self, name, data.get(name), BASE_CURRENCY)
        for start, end in (("close_from", "close_to"), ("closed_from", "closed_to")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, _("The end of the range is before its start."))
        low, high = data.get("amount_min_minor"), data.get("amount_max_minor")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", _("The end of the range is below its start."))
        return data


# --- leads ------------------------------------------------------------------


class LeadForm(forms.Form):
    title = forms.CharField(
        label=_("Interest"), max_length=200, help_text=_("What the lead wants.")
    )
    person = person_lookup()
    organization = organization_lookup(label=_("Organization"))
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    source = forms.ChoiceField(
        label=_("Source"), choices=Lead.SourceKind.choices, initial=Lead.SourceKind.MANUAL
    )
    source_detail = forms.CharField(
        label=_("Source detail"),
        max_length=200,
        required=False,
        help_text=_("The campaign, the form, or the partner's data-agreement reference."),
    )
    referred_by = person_lookup()
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Organization.objects.filter(kind=Organization.Kind.PARTNER),
        required=False,
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products of interest"),
        queryset=Product.objects.filter(is_active=True).order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    owner = StaffChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].label = _("Person (in the CRM)")
        self.fields["referred_by"].label = _("Referred by")
        self.fields["owner"].queryset = sales_staff()

    def lead_values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        values.pop("products")
        return values

    @classmethod
    def initial_for(cls, lead: Lead) -> dict[str, Any]:
        initial = {name: getattr(lead, name) for name in cls.base_fields if name != "products"}
        initial["products"] = list(lead.products.all())
        return initial


class LeadStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Lead.Status.choices)
    disqualified_reason = forms.CharField(
        label=_("Reason disqualified"), max_length=300, required=False
    )


LEAD_SORT_CHOICES = [("newest", _("newest first")), ("oldest", _("oldest first"))]


class LeadFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("any status")), *Lead.Status.choices], required=False
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("any source")), *Lead.SourceKind.choices], required=False
    )
    owner = StaffChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("any owner")
    )
    created_from = ThaiAwareDateField(label=_("Added from"), required=False)
    created_to = ThaiAwareDateField(label=_("Added until"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), choices=LEAD_SORT_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = sales_staff()


class ConvertForm(forms.Form):
    person = person_lookup()
    create_person = forms.BooleanField(label=_("Create a person from the lead"), required=False)
    organization = organization_lookup(label=_("Organization"))
    create_organization = forms.BooleanField(
        label=_("Create an organization from the lead's company"), required=False
    )
    channel = forms.ChoiceField(
        label=_("How the data reached us"), choices=Source.Channel.choices, required=False
    )
    stage = StageChoiceField(label=_("Pipeline and stage"))
    title = forms.CharField(label=_("Deal title"), max_length=200)
    owner = StaffChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    amount = AmountField(
        label=_("Amount"),
        required=False,
        help_text=_("Leave empty to use the list prices of the lead's products."),
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=CURRENCY_CHOICES, initial=BASE_CURRENCY
    )
    exchange_rate = RateField(label=_("Exchange rate to THB"), required=False)
    expected_close_date = ThaiAwareDateField(label=_("Expected close date"), required=False)

    def __init__(self, *args: Any, lead: Lead, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].label = _("Link to a person")
        self.fields["organization"].label = _("Link to an organization")
        self.fields["owner"].queryset = sales_staff()
        if lead.person_id:
            del self.fields["person"], self.fields["create_person"]
        if lead.organization_id:
            del self.fields["organization"], self.fields["create_organization"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["amount_minor"] = minor_units(
            self, "amount", data.get("amount"), data.get("currency") or BASE_CURRENCY
        )
        for kind in ("person", "organization"):
            if data.get(kind) and data.get(f"create_{kind}"):
                self.add_error(
                    f"create_{kind}", _("Either link an existing record or create one, not both.")
                )
        return data


class InterestForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True).order_by("code")
    )
    kind = forms.ChoiceField(label=_("The person"), choices=ProductInterest.Kind.choices)
    since = ThaiAwareDateField(label=_("Since"), required=False, help_text=_("Today when empty."))
    source = forms.ChoiceField(
        label=_("Source"),
        choices=ProductInterest.SourceKind.choices,
        initial=ProductInterest.SourceKind.MANUAL,
    )
    source_detail = forms.CharField(label=_("Source detail"), max_length=200, required=False)


# --- products, pipelines, stages --------------------------------------------


class ProductForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    price = AmountField(label=_("Price (THB)"), help_text=_("With satang if any, e.g. 1,990.50."))
    is_active = forms.BooleanField(label=_("Offered"), required=False, initial=True)
    partner = forms.ModelChoiceField(
        label=_("Partner (joint product)"),
        queryset=Organization.objects.filter(kind=Organization.Kind.PARTNER),
        required=False,
        help_text=_("Only for a product offered jointly with a business partner (policy 6.2)."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["price_minor"] = minor_units(self, "price", data.get("price"), BASE_CURRENCY)
        return data

    def product_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.fields if name != "price"}
        values["price"] = self.cleaned_data["price_minor"]
        return values

    @classmethod
    def initial_for(cls, product: Product) -> dict[str, Any]:
        initial = {name: getattr(product, name) for name in cls.base_fields}
        initial["price"] = f"{Decimal(product.price).scaleb(-2):.2f}"
        return initial


class PipelineForm(forms.Form):
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100)
    is_default = forms.BooleanField(label=_("Default pipeline"), required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class StageForm(forms.Form):
    name_th = forms.CharField(label=_("Name (Thai)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767)
    probability = forms.IntegerField(label=_("Probability %"), min_value=0, max_value=100)
    is_won = forms.BooleanField(label=_("Won"), required=False)
    is_lost = forms.BooleanField(label=_("Lost"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("is_won") and data.get("is_lost"):
            self.add_error("is_lost", _("A stage cannot be both won and lost."))
        return data
