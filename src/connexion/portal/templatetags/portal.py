"""The cookie banner and the published privacy contact, for any template."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils import translation

from connexion.portal import services

register = template.Library()


@register.inclusion_tag("portal/_cookie_banner.html")
def cookie_banner() -> dict[str, Any]:
    # PORTAL_CATEGORY_COOKIES = {"analytics": ["_ga", "_gid"]}: deleted when refused.
    names = getattr(settings, "PORTAL_CATEGORY_COOKIES", {})
    return {
        "texts": services.cookie_texts(),
        "categories": services.COOKIE_CATEGORIES,
        "version": services.cookie_policy_version(),
        "language": (translation.get_language() or "th")[:2],
        "category_cookies": [
            (category, ",".join(names[category]))
            for category in services.COOKIE_CATEGORIES
            if names.get(category)
        ],
    }


@register.simple_tag
def portal_contact() -> Any:
    return services.privacy_contact()


@register.filter
def text(texts: dict[str, str], name: str) -> str:
    return texts.get(name, "")


@register.simple_tag
def consent_wording(purpose: Any, notice: Any) -> str:
    """The sentence recorded as the wording of a consent given with this button."""
    return services.consent_wording(purpose, notice)


@register.simple_tag
def purpose_description(purpose: Any) -> str:
    thai = (translation.get_language() or "th").startswith("th")
    return purpose.description_th if thai else purpose.description_en


@register.simple_tag
def cookie_descriptions() -> list[tuple[str, str]]:
    texts = services.cookie_texts()
    names = ("necessary", *services.COOKIE_CATEGORIES)
    return [(texts[name], texts[f"{name}_help"]) for name in names]
