"""What an API token may reach: areas, read or write each, and the data
categories of the privacy policy (3.1-3.7). A token's scopes are a list of
strings: "people:read", "sales:write", "3.2" …

A token created without scopes gets every area, read and write, and every
category: the full access of its user, never more (the user's own permissions
still apply to every call)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from connexion.accounts.roles import CATEGORY_PERMISSIONS as ROLE_CATEGORY_PERMISSIONS
from connexion.privacy.registry import Category

AREAS: dict[str, str | Promise] = {
    "people": _("People and organizations"),
    "privacy": _("Privacy: consents, restrictions, objections, disclosures"),
    "sales": _("Sales: leads and deals"),
    "activities": _("Activities and tasks"),
}
READ, WRITE = "read", "write"
CATEGORIES: dict[str, str | Promise] = {str(value): label for value, label in Category.choices}

# The categories an area's answers carry unless an endpoint declares its own.
AREA_CATEGORIES: dict[str, tuple[str, ...]] = {
    # Names, contact points, work; 3.3 identity numbers are masked instead (below).
    "people": ("3.1", "3.2", "3.4"),
    # The consent ledger (3.7) keeps the address and browser it came from (3.5).
    "privacy": ("3.5", "3.7"),
    "sales": ("3.1", "3.4"),
    "activities": ("3.1", "3.7"),
}

# Permissions that show a category's data inside an answer (identity numbers,
# usage, payments, conversations): a token without the category has them
# withheld, so the selectors leave that data out as for a role without it.
CATEGORY_PERMISSIONS: dict[str, tuple[str, ...]] = {
    category: (permission,)
    for category, permission in ROLE_CATEGORY_PERMISSIONS.items()
    if permission != "accounts.access_people"
}


def area_scope(area: str, write: bool) -> str:
    return f"{area}:{WRITE if write else READ}"


def all_scopes() -> list[str]:
    return [area_scope(area, write) for area in AREAS for write in (False, True)] + list(CATEGORIES)


def unknown_scopes(scopes: Iterable[str]) -> list[str]:
    known = set(all_scopes())
    return sorted({scope for scope in scopes if scope not in known})


def normalize(scopes: Iterable[str]) -> list[str]:
    """Known scopes, each once, in the order of `all_scopes`."""
    wanted = set(scopes)
    return [scope for scope in all_scopes() if scope in wanted]


def withheld_permissions(scopes: Iterable[str]) -> frozenset[str]:
    held = set(scopes)
    return frozenset(
        permission
        for category, permissions in CATEGORY_PERMISSIONS.items()
        if category not in held
        for permission in permissions
    )


def describe(scope: str) -> str:
    """A person-readable name of one scope, in the current language."""
    if scope in CATEGORIES:
        return str(CATEGORIES[scope])
    area, _sep, mode = scope.partition(":")
    if mode == WRITE:
        return str(_("%(area)s (write)") % {"area": AREAS.get(area, area)})
    return str(_("%(area)s (read)") % {"area": AREAS.get(area, area)})
