"""The project's URL patterns, read from the resolver (never a hand-written list),
so a route added later is walked by every test that uses them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_SAMPLE = {"int": "1", "uuid": "00000000-0000-4000-8000-000000000001"}


@dataclass(frozen=True)
class Route:
    template: str  # "/people/<int:person_id>/"
    pattern: URLPattern

    @property
    def parameters(self) -> dict[str, str]:
        """Each path parameter's name and converter ("int", "str", ...)."""
        return {m["name"]: m["converter"] or "str" for m in _CONVERTER.finditer(self.template)}

    def url(self, **values: object) -> str:
        """The address with the given parameter values; others get a sample value."""

        def fill(match: re.Match[str]) -> str:
            if match["name"] in values:
                return str(values[match["name"]])
            return _SAMPLE.get(match["converter"] or "str", "sample")

        return _CONVERTER.sub(fill, self.template)


def _walk(resolver: URLResolver, prefix: str) -> Iterator[Route]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        else:
            yield Route(prefix + str(pattern.pattern), pattern)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver(), "/"))


def page_routes() -> list[Route]:
    """The routes of our own pages and fragments: not the API (walked from its
    OpenAPI document), not Django's admin site (its own door), not regular
    expressions (only the admin's catch-alls use them)."""
    return [
        route
        for route in all_routes()
        if not route.template.startswith(("/api/", "/admin/"))
        and not route.template.startswith("/^")
        and "^" not in route.template
    ]
