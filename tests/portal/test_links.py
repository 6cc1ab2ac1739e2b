"""Links in our emails: signed, expiring, single-use where they open someone's
consents, with no personal data in the URL."""

import hashlib
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from connexion.audit.models import AuditEvent
from connexion.portal import links
from connexion.portal.models import PortalLink
from connexion.privacy.subject_requests import intake

pytestmark = pytest.mark.django_db


def test_a_follow_link_opens_its_request_only(client):
    submitted = intake.submit_request(
        kind="access",
        requester_name="Somsri",
        description="copy please",
        language="en",
        email="somsri@example.co.th",
    )
    token = links.follow_token(submitted.request.reference, submitted.secret)
    assert "somsri" not in token.lower()
    assert client.get(f"/privacy/request/follow/{token}/").status_code == 200

    # One character changed: refused as invalid.
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.get(f"/privacy/request/follow/{tampered}/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()

    # Right signature, wrong secret (a link signed by us for another secret).
    forged = links.follow_token(submitted.request.reference, "guess")
    assert client.get(f"/privacy/request/follow/{forged}/").status_code == 404
    # Actions refuse the same way.
    assert (
        client.post(f"/privacy/request/follow/{tampered}/withdraw/", {"confirm": "1"}).status_code
        == 404
    )


def test_a_follow_link_expires(client, monkeypatch):
    submitted = intake.submit_request(
        kind="access", requester_name="S", description="d", language="en", email="s@example.com"
    )
    token = links.follow_token(submitted.request.reference, submitted.secret)
    later = timezone.now().timestamp() + (links.FOLLOW_LINK_DAYS + 1) * 86400
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client.get(f"/privacy/request/follow/{token}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_consent_link_works_once_and_only_by_post(client, person):
    token = links.issue_link(person, PortalLink.Use.RENEW_CONSENTS)
    # The URL carries a random nonce only; the person is found through its hash.
    nonce = signing.loads(token, salt=links.LINK_SALT)
    assert hashlib.sha256(nonce.encode()).hexdigest() == PortalLink.objects.get().token_hash
    assert len(nonce) >= 32
    url = f"/privacy/link/{token}/"
    # Opening it (a mail scanner, a preview) uses nothing up.
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert PortalLink.objects.get().used_at is None

    response = client.post(url)
    assert response["Location"] == "/privacy/consents/mine/"
    assert 'data-testid="my-consents"' in client.get("/privacy/consents/mine/").content.decode()
    assert PortalLink.objects.get().used_at is not None

    again = client.post(url)
    assert again.status_code == 410
    assert "already used" in again.content.decode()
    assert AuditEvent.objects.filter(kind="refused", action="portal.link_used").exists()
    with pytest.raises(links.LinkError) as error:
        links.redeem_link(None, token)
    assert error.value.reason == "used"


def test_a_consent_link_expires_and_a_tampered_one_is_refused(client, person):
    token = links.issue_link(person, PortalLink.Use.RENEW_CONSENTS)
    PortalLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post(f"/privacy/link/{token}/").status_code == 410
    assert PortalLink.objects.get().used_at is None

    fresh = links.issue_link(person, PortalLink.Use.RENEW_CONSENTS)
    value, _sep, signature = fresh.rpartition(":")
    tampered = f"{value}:{signature[::-1]}"
    response = client.post(f"/privacy/link/{tampered}/")
    assert response.status_code == 404
    # A validly signed nonce that we never issued.
    unknown = signing.dumps("not-a-real-nonce", salt=links.LINK_SALT)
    assert client.post(f"/privacy/link/{unknown}/").status_code == 404
    # Signed for another use (the follow links' salt): refused.
    other = signing.dumps("x", salt=links.FOLLOW_SALT)
    assert client.get(f"/privacy/link/{other}/").status_code == 404

    # Each refused try is in the audit log for the privacy officer, the token not.
    refused = AuditEvent.objects.filter(
        kind=AuditEvent.Kind.REFUSED, object_type="portal.portallink"
    )
    actions = list(refused.order_by("id").values_list("action", flat=True))
    assert actions == [
        "portal.link_expired",
        "portal.link_invalid",
        "portal.link_invalid",
        "portal.link_invalid",
    ]
    expired = PortalLink.objects.order_by("id").first()
    assert refused.filter(action="portal.link_expired").get().object_id == str(expired.pk)
    assert not refused.filter(object_id__in=[token, tampered]).exists()


def test_two_uses_at_once_give_one_session(person):
    token = links.issue_link(person, PortalLink.Use.RENEW_CONSENTS)
    links.redeem_link(None, token)
    with pytest.raises(links.LinkError):
        links.redeem_link(None, token)
    assert PortalLink.objects.filter(used_at__isnull=False).count() == 1
