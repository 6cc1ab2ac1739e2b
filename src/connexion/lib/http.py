"""Small helpers about HTTP requests."""

import ipaddress
from typing import Any

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# The largest id the database holds: a signed 64-bit integer.
MAX_ID = 2**63 - 1


def client_ip(request: HttpRequest) -> str | None:
    """The peer's address. Proxies' X-Forwarded-For is not trusted: a client
    could forge it to dodge the sign-in throttle."""
    raw = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def parse_id(value: Any) -> int | None:
    """An id as typed in a query string or a form: ASCII decimal digits only
    (`str.isdigit` also takes "²" or "٣", which `int` refuses or reads), within
    the database's signed 64-bit range. Anything else is no id: None, for the
    caller to treat as the invalid value it is."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= MAX_ID else None
    if not isinstance(value, str) or not (0 < len(value) <= 19):
        return None
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def text_param(params: Any, name: str, max_length: int) -> str:
    """A free-text value of a query string or form, cut to `max_length`. Text
    with a NUL character is invalid (PostgreSQL can neither store nor compare
    it): like any other invalid filter value, it is ignored ("")."""
    value = params.get(name, "")
    if not isinstance(value, str) or "\x00" in value:
        return ""
    return value[:max_length]


def safe_next(request: HttpRequest, target: str, default: str) -> str:
    """Where to go back to: a path on this site, else `default`. Never another
    site, and never a bare word, which Django's `redirect` would take for the
    name of a view."""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
