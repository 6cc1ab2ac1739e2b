"""API tokens: `cnx_<prefix>_<secret>`. The secret has 256 bits of entropy, so a
plain SHA-256 is enough to store it (no slow hash needed, unlike passwords)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.accounts.models import User
from connexion.api.models import ApiToken
from connexion.audit.services import record_change

TOKEN_PREFIX = "cnx"  # noqa: S105 (a label, not a secret)
# Writing last_used_at on every call would make each API call a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(Exception):
    """Why a presented token was refused (the message is for the API client)."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(user: User, name: str = "", *, actor: User | None = None) -> tuple[ApiToken, str]:
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, secret_hash=_hash(secret))
    record_change(actor, "api.create_token", token, {"prefix": [None, prefix]})
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: User | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_change(actor, "api.revoke_token", token, {"revoked": [False, True]})


def user_for_token(raw: str) -> User:
    parts = raw.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        raise TokenError(_("The bearer token is malformed."))
    prefix, secret = parts[1], parts[2]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        raise TokenError(_("The bearer token is not valid."))
    if token.revoked_at is not None:
        raise TokenError(_("The bearer token has been revoked."))
    if not token.user.is_active:
        raise TokenError(_("The bearer token belongs to a deactivated user."))
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
