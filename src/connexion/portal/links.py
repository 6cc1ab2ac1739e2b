"""The links the privacy center sends by email. Each is signed with
`django.core.signing` (a changed character is refused), expires (`max_age`)
and holds no personal data: a follow link carries the request's reference and
its secret; a link that opens someone's consents carries only a random nonce,
whose hash finds the person and which works once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.accounts.actors import Actor
from connexion.audit.services import record_change, record_refusal
from connexion.people.models import Person
from connexion.portal.models import PortalLink

FOLLOW_SALT = "connexion.portal.follow"
LINK_SALT = "connexion.portal.link"
# A request is answered within 30 days, sometimes extended: the link outlives that.
FOLLOW_LINK_DAYS = 180
RENEW_LINK_DAYS = 30


class LinkError(Exception):
    """A link that cannot be used; `reason` is expired, invalid or used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        if self.reason == "expired":
            return _("This link has expired.")
        if self.reason == "used":
            return _("This link was already used: each link works once.")
        return _("This link is not valid: check that it was copied whole.")


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _load(token: str, salt: str, max_age: timedelta) -> object:
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkError("expired") from None
    except signing.BadSignature:
        raise LinkError("invalid") from None


def _refused(error: LinkError, token: str, link: PortalLink | None = None) -> LinkError:
    """A tampered, expired or reused link is logged as a refusal: who tries links
    is for the privacy officer to see. The token itself is not kept, only a
    fingerprint that tells repeated tries apart."""
    record_refusal(
        None,
        f"portal.link_{error.reason}",
        "portal.portallink",
        link.pk if link is not None else _sha256(token)[:16],
    )
    return error


def _found_link(token: str, max_days: int) -> PortalLink | None:
    """The link row a token names, whatever its state (for the refusal's log)."""
    try:
        nonce = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(nonce, str):
        return None
    return PortalLink.objects.filter(token_hash=_sha256(nonce)).first()


def follow_token(reference: str, secret: str) -> str:
    return signing.dumps([reference, secret], salt=FOLLOW_SALT, compress=True)


def read_follow_token(token: str) -> tuple[str, str]:
    """The reference and secret of a follow link; whether they open a request
    is for `requests.follow_request` to say."""
    try:
        value = _load(token, FOLLOW_SALT, timedelta(days=FOLLOW_LINK_DAYS))
    except LinkError as error:
        raise _refused(error, token) from None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise _refused(LinkError("invalid"), token)
    return value[0], value[1]


def issue_link(person: Person, use: str, *, days: int = RENEW_LINK_DAYS) -> str:
    """A new single-use link for `person`; returns the token for the URL."""
    nonce = secrets.token_urlsafe(24)
    PortalLink.objects.create(
        token_hash=_sha256(nonce),
        use=use,
        person=person,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return signing.dumps(nonce, salt=LINK_SALT)


def _find(token: str, max_days: int) -> PortalLink:
    nonce = _load(token, LINK_SALT, timedelta(days=max_days))
    if not isinstance(nonce, str):
        raise LinkError("invalid")
    link = PortalLink.objects.select_related("person").filter(token_hash=_sha256(nonce)).first()
    if link is None:
        raise LinkError("invalid")
    if link.used_at is not None:
        raise LinkError("used")
    if link.expires_at <= timezone.now():
        raise LinkError("expired")
    return link


def check_link(token: str, *, max_days: int = RENEW_LINK_DAYS) -> PortalLink:
    """The link, if it still works (reading only: a mail scanner opening the
    address must not use it up)."""
    try:
        return _find(token, max_days)
    except LinkError as error:
        raise _refused(error, token, _found_link(token, max_days)) from None


def redeem_link(actor: Actor, token: str, *, max_days: int = RENEW_LINK_DAYS) -> PortalLink:
    """Uses the link up; a second use, or one racing this one, is refused."""
    try:
        with transaction.atomic():
            link = _find(token, max_days)
            link = PortalLink.objects.select_for_update().select_related("person").get(pk=link.pk)
            if link.used_at is not None:
                raise LinkError("used")
            link.used_at = timezone.now()
            link.save(update_fields=["used_at"])
            record_change(
                actor, "portal.use_link", link.person, {f"link:{link.use}": [None, "used"]}
            )
    except LinkError as error:  # logged after the rollback, so the refusal stays
        raise _refused(error, token, _found_link(token, max_days)) from None
    return link
