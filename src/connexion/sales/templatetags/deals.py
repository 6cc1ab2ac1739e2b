"""Template filters and tags of the sales area: money and the person's panel."""

from __future__ import annotations

from django import template

from connexion.lib.money import BASE_CURRENCY, format_amount
from connexion.people.models import Person
from connexion.sales.forms import InterestForm
from connexion.sales.selectors import PersonSales, person_sales

register = template.Library()


@register.filter
def money(minor: int | None, currency: str = BASE_CURRENCY) -> str:
    """`{{ deal.amount|money:deal.currency }}` -> `฿1,234,567.89`, thousands separated."""
    if minor is None or minor == "":
        return ""
    return format_amount(int(minor), currency or BASE_CURRENCY)


@register.simple_tag(takes_context=True)
def sales_panel(context: template.Context, person: Person) -> PersonSales:
    """`{% sales_panel person as sales %}`: the person's deals and leads (access recorded)."""
    request = context.get("request")
    sales = person_sales(getattr(request, "user", None), person)
    sales.form = InterestForm(prefix="interest")  # type: ignore[attr-defined]
    return sales
