"""Small helpers about HTTP requests."""

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# The largest id the database holds: a signed 64-bit integer.
MAX_ID = 2**63 - 1


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _address(raw: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None
    # An IPv4 client reaching an IPv6 socket shows as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the connecting peer is one of CONNEXION_TRUSTED_PROXIES."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    trusted = _networks(tuple(getattr(settings, "CONNEXION_TRUSTED_PROXIES", ())))
    return peer is not None and any(peer in network for network in trusted)


class ForwardedProtoMiddleware:
    """X-Forwarded-Proto says the request came over HTTPS; only a trusted proxy
    may say so (SECURE_PROXY_SSL_HEADER reads it). From anyone else the header
    is dropped, so a client cannot pass plain HTTP off as secure."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        if "HTTP_X_FORWARDED_PROTO" in request.META and not from_trusted_proxy(request):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the peer's, unless the peer is one of the proxies in
    CONNEXION_TRUSTED_PROXIES. Then X-Forwarded-For is read from the right (each
    proxy appends the address it saw) and the first address that is not a
    trusted proxy is the client; what lies left of it was written by the client
    and could be forged to dodge the sign-in throttle, so it is never read."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    trusted = _networks(tuple(getattr(settings, "CONNEXION_TRUSTED_PROXIES", ())))

    def is_trusted(address: IPAddress) -> bool:
        return any(address in network for network in trusted)

    if not trusted or not is_trusted(peer):
        return str(peer)
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    client = peer
    for raw in reversed(hops):
        address = _address(raw)
        if address is None:
            # A trusted proxy wrote something that is no address: the last hop known.
            break
        client = address
        if not is_trusted(address):
            break
    return str(client)


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
