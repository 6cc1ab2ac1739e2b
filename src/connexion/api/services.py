"""API tokens: `cnx_<prefix>_<secret>`. The secret has 256 bits of entropy, so a
plain SHA-256 is enough to store it (no slow hash needed, unlike passwords)."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from connexion.accounts.models import User
from connexion.api import scopes as api_scopes
from connexion.api.models import ApiToken
from connexion.audit.services import record_change

TOKEN_PREFIX = "cnx"  # noqa: S105 (a label, not a secret)
# Writing last_used_at on every call would make each API call a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
RATE_WINDOW_SECONDS = 60


class TokenError(Exception):
    """Why a presented token was refused (the message is for the API client);
    `token` is the token when it was real but no longer usable."""

    def __init__(self, message: str, token: ApiToken | None = None) -> None:
        super().__init__(message)
        self.token = token


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(
    user: User,
    name: str = "",
    *,
    scopes: Iterable[str] | None = None,
    expires_at: datetime | None = None,
    actor: User | None = None,
) -> tuple[ApiToken, str]:
    """A new token, returned with its secret (shown once). Without `scopes` the
    token has every area and category (still bounded by the user's permissions)."""
    chosen = api_scopes.all_scopes() if scopes is None else list(scopes)
    unknown = api_scopes.unknown_scopes(chosen)
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)}}
        )
    if not chosen:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        secret_hash=_hash(secret),
        scopes=api_scopes.normalize(chosen),
        expires_at=expires_at,
    )
    record_change(
        actor,
        "api.create_token",
        token,
        {
            "prefix": [None, prefix],
            "scopes": [None, token.scopes],
            "expires_at": [None, expires_at.isoformat() if expires_at else None],
        },
    )
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: User | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_change(actor, "api.revoke_token", token, {"revoked": [False, True]})


@transaction.atomic
def revoke_user_tokens(user: User, *, actor: User | None = None) -> int:
    """Revokes every live token of the user (on deactivation); returns how many."""
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        revoke_token(token, actor=actor)
    return len(tokens)


def token_for_secret(raw: str) -> ApiToken:
    """The live token the bearer string belongs to, or TokenError saying why not."""
    parts = raw.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        raise TokenError(_("The bearer token is malformed."))
    prefix, secret = parts[1], parts[2]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        raise TokenError(_("The bearer token is not valid."))
    if token.revoked_at is not None:
        raise TokenError(_("The bearer token has been revoked."), token)
    if token.is_expired:
        raise TokenError(
            _("The bearer token expired on %(date)s.")
            % {"date": date_format(timezone.localtime(token.expires_at), "Y-m-d H:i")},
            token,
        )
    if not token.user.is_active:
        raise TokenError(_("The bearer token belongs to a deactivated user."), token)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def check_rate_limit(token: ApiToken, now: float | None = None) -> int | None:
    """Counts one call of the token in the current minute. Returns None while
    within the limit, else the seconds until the next minute (Retry-After).

    A fixed window per minute, counted with the cache's atomic increment: on
    Redis (REDIS_URL) the count is shared by every process; on the local-memory
    cache it is per process."""
    now = time.time() if now is None else now
    window = int(now // RATE_WINDOW_SECONDS)
    cache = caches[settings.API_RATE_LIMIT_CACHE]
    # The prefix, not the id: ids can repeat (a rolled-back test, a restored backup).
    key = f"connexion:api-rate:{token.prefix}:{window}"
    # Kept a little past its minute; a new key for every window.
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:
        # Evicted between add and incr: this call starts the window again.
        cache.add(key, 1, timeout=RATE_WINDOW_SECONDS * 2)
        count = 1
    if count <= settings.API_RATE_LIMIT_PER_MINUTE:
        return None
    return max(1, math.ceil((window + 1) * RATE_WINDOW_SECONDS - now))
