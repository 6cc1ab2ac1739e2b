"""Rate limits of the public pages: per IP address and per identifier (an
email or phone, kept only as a keyed hash), counted in Django's cache — shared
by every process on Redis (REDIS_URL), per process on the local-memory cache.

Every address gets the same limits and the same answer, known or not: a limit
says nothing about whether anyone is a customer."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches


@dataclass(frozen=True)
class Limit:
    per_ip: int
    per_identifier: int
    window_seconds: int


# scope -> (per IP, per identifier, window); PORTAL_RATE_LIMITS overrides any of them.
DEFAULT_LIMITS = {
    # Asking for a one-time code: each one sends an email or a text message.
    "code": Limit(per_ip=10, per_identifier=5, window_seconds=3600),
    # Sending a request or a web form.
    "submit": Limit(per_ip=20, per_identifier=5, window_seconds=3600),
    # Entering a code: three tries a code, and few codes an hour.
    "verify": Limit(per_ip=30, per_identifier=15, window_seconds=3600),
    # Cookie choices: one per visitor and page at most, from many visitors behind one address.
    "cookie": Limit(per_ip=300, per_identifier=0, window_seconds=3600),
}


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def limit_for(scope: str) -> Limit:
    custom = getattr(settings, "PORTAL_RATE_LIMITS", {}).get(scope)
    return Limit(*custom) if custom else DEFAULT_LIMITS[scope]


def identifier_hash(identifier: str) -> str:
    """Keyed: the cache never holds an email or phone, nor an unkeyed hash of one."""
    normal = identifier.strip().lower()
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, normal.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _count(key: str, window_seconds: int) -> int:
    cache = caches[getattr(settings, "PORTAL_RATE_LIMIT_CACHE", "default")]
    # Kept a little past its window; a new key for every window.
    cache.add(key, 0, timeout=window_seconds * 2)
    try:
        return int(cache.incr(key))
    except ValueError:
        # Evicted between add and incr: this call starts the window again.
        cache.add(key, 1, timeout=window_seconds * 2)
        return 1


def hit(scope: str, ip_address: str | None, identifier: str = "", now: float | None = None) -> None:
    """Counts one attempt; raises `RateLimited` (with the seconds to wait) when
    the address or the identifier went over its limit in this window."""
    limit = limit_for(scope)
    now = time.time() if now is None else now
    window = int(now // limit.window_seconds)
    over = False
    if limit.per_ip:
        count = _count(
            f"connexion:portal-rate:{scope}:ip:{ip_address or '-'}:{window}", limit.window_seconds
        )
        over = count > limit.per_ip
    if identifier and limit.per_identifier:
        key = f"connexion:portal-rate:{scope}:id:{identifier_hash(identifier)}:{window}"
        over = _count(key, limit.window_seconds) > limit.per_identifier or over
    if over:
        raise RateLimited(max(1, math.ceil((window + 1) * limit.window_seconds - now)))
