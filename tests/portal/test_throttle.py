"""Rate limits on code requests and submissions: per IP address and per
identifier (hashed), with a translated 429 page; on the local-memory cache and
on Redis."""

import pytest
from django.core import mail
from django.core.cache import caches

from connexion.portal import throttle
from connexion.privacy.models import OneTimeCode, SubjectRequest
from tests.portal.conftest import started_value

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    # (per IP, per identifier, window in seconds)
    settings.PORTAL_RATE_LIMITS = {"code": (4, 2, 3600), "submit": (3, 2, 3600)}


def ask_code(client, email, ip="10.1.1.1"):
    page = client.get("/privacy/consents/", REMOTE_ADDR=ip)
    return client.post(
        "/privacy/consents/",
        {"channel": "email", "email": email, "started": started_value(page.content.decode())},
        REMOTE_ADDR=ip,
    )


def test_codes_for_one_address_are_limited_whatever_the_ip(client, tight):
    assert ask_code(client, "somsri@example.co.th", ip="10.0.0.1").status_code == 302
    assert ask_code(client, "SOMSRI@example.co.th", ip="10.0.0.2").status_code == 302
    third = ask_code(client, "somsri@example.co.th", ip="10.0.0.3")
    assert third.status_code == 429
    assert int(third["Retry-After"]) > 0
    body = third.content.decode()
    assert "Too many attempts" in body and "Try again in" in body
    assert OneTimeCode.objects.count() == 2 and len(mail.outbox) == 2


def test_codes_from_one_ip_are_limited_whatever_the_address(client, tight):
    for n in range(4):
        assert ask_code(client, f"person{n}@example.com").status_code == 302
    assert ask_code(client, "person9@example.com").status_code == 429
    # Another address is not held back by that one.
    assert ask_code(client, "person9@example.com", ip="10.9.9.9").status_code == 302


def test_the_limit_page_speaks_thai(client, tight):
    client.cookies["connexion_language"] = "th"
    for _n in range(2):
        ask_code(client, "somsri@example.co.th")
    response = ask_code(client, "somsri@example.co.th")
    assert response.status_code == 429
    assert '<html lang="th">' in response.content.decode()


def test_request_submissions_are_limited(client, tight):
    def submit(email, ip):
        page = client.get("/privacy/request/", REMOTE_ADDR=ip)
        return client.post(
            "/privacy/request/",
            {
                "kind": "complaint",
                "requester_name": "S",
                "email": email,
                "send_code_by": "email",
                "description": "d",
                "started": started_value(page.content.decode()),
            },
            REMOTE_ADDR=ip,
        )

    assert submit("a@example.com", "10.0.0.1").status_code == 302
    assert submit("a@example.com", "10.0.0.2").status_code == 302
    assert submit("a@example.com", "10.0.0.3").status_code == 429
    assert submit("b@example.com", "10.0.0.4").status_code == 302
    assert SubjectRequest.objects.count() == 3


def test_the_cache_holds_no_address():
    throttle.hit("code", "10.0.0.1", "somsri@example.co.th")
    keys = list(caches["default"]._cache.keys())  # the local-memory cache's own store
    assert keys and not any("somsri" in key for key in keys)


def test_the_window_resets(settings):
    settings.PORTAL_RATE_LIMITS = {"code": (1, 1, 60)}
    throttle.hit("code", "10.0.0.1", "a@example.com", now=1000.0)
    with pytest.raises(throttle.RateLimited) as limited:
        throttle.hit("code", "10.0.0.1", "a@example.com", now=1010.0)
    assert limited.value.retry_after == 10  # the minute ends at 1020
    throttle.hit("code", "10.0.0.1", "a@example.com", now=1021.0)  # the next minute


def test_limits_are_shared_through_redis(client, settings):
    import redis

    url = "redis://127.0.0.1:6379/13"
    redis.Redis.from_url(url).flushdb()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "limits": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url},
    }
    settings.PORTAL_RATE_LIMIT_CACHE = "limits"
    settings.PORTAL_RATE_LIMITS = {"code": (10, 2, 3600)}
    try:
        assert ask_code(client, "somsri@example.co.th").status_code == 302
        # Another process would see the same count: it lives in Redis.
        keys = redis.Redis.from_url(url).keys("*portal-rate:code:id:*")
        assert len(keys) == 1 and b"somsri" not in keys[0]
        assert ask_code(client, "somsri@example.co.th").status_code == 302
        assert ask_code(client, "somsri@example.co.th").status_code == 429
    finally:
        redis.Redis.from_url(url).flushdb()
