"""Small helpers about HTTP requests."""

import ipaddress

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The peer's address. Proxies' X-Forwarded-For is not trusted: a client
    could forge it to dodge the sign-in throttle."""
    raw = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None
