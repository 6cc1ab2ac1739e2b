"""What every answer tells the browser: run only our own scripts, never inline
ones; let no other site frame the page (but the embeddable web forms, for the
sites they name); do not guess content types; keep the session cookie away
from scripts and from other sites' requests."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from connexion.api.services import create_token
from connexion.portal.services import save_privacy_contact, save_web_form
from connexion.privacy.models import Purpose
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            assert words[0] not in parsed, f"{words[0]} given twice"
            parsed[words[0]] = words[1:]
    return parsed


def assert_locked_down(response, where: str) -> None:
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"], where
    assert policy["default-src"] == ["'self'"], where
    assert policy["object-src"] == ["'none'"], where
    assert policy["base-uri"] == ["'none'"], where
    assert policy["form-action"] == ["'self'"], where
    for directive, sources in policy.items():
        assert "*" not in sources and "'unsafe-eval'" not in sources, (where, directive)
        if directive != "style-src":
            assert "'unsafe-inline'" not in sources, (where, directive)
    assert policy["frame-ancestors"] == ["'none'"], where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where


@pytest.fixture
def clients(login) -> dict[str, Client]:
    _token, raw = create_token(login("apiuser", "sales").user)
    return {
        "anonymous": Client(),
        "sales": login("sales1", "sales"),
        "officer": login("dpo", "privacy_officer"),
        "admin": login("boss", "admin"),
        "api": Client(HTTP_AUTHORIZATION=f"Bearer {raw}"),
    }


# who -> (url, the status expected)
PAGES = {
    "anonymous": [
        ("/account/sign-in/", 200),
        ("/account/password-reset/", 200),
        ("/privacy/", 200),
        ("/privacy/request/", 200),
        ("/privacy/cookies/", 200),
        ("/privacy/consents/", 200),
        ("/people/", 302),
        ("/no-such-page/", 404),
        ("/api/v1/persons", 401),
        ("/api/v1/docs", 200),
    ],
    "sales": [
        ("/", 200),
        ("/people/", 200),
        ("/people/{person}/", 200),
        ("/sales/", 200),
        ("/sales/board/", 200),
        ("/account/tokens/", 200),
        ("/audit/", 403),
        ("/documents/999999/", 404),
    ],
    "officer": [
        ("/audit/", 200),
        ("/data-protection/", 200),
        ("/data-protection/requests/", 200),
        ("/privacy/manage/", 200),
    ],
    "admin": [("/settings/", 200)],
    "api": [("/api/v1/persons", 200), ("/api/v1/persons/999999", 404)],
}


@pytest.mark.parametrize("who", list(PAGES))
def test_every_kind_of_answer_is_locked_down(who, clients, bystanders):
    for url, status in PAGES[who]:
        response = clients[who].get(url.format(person=bystanders["person"].pk))
        assert response.status_code == status, url
        assert_locked_down(response, url)


def test_the_csrf_refusal_page_is_locked_down_too(login):
    client = login("sales1", "sales", csrf=True)
    response = client.post("/people/new/", {})
    assert response.status_code == 403
    assert_locked_down(response, "the CSRF refusal")


def test_an_identity_document_opened_on_its_own_runs_nothing(login, bystanders):
    from connexion.documents.services import upload_document
    from tests.documents.conftest import image_bytes

    officer = login("dpo", "privacy_officer")
    card = upload_document(officer.user, bystanders["person"], kind="id_card", data=image_bytes())
    for url in (f"/documents/{card.pk}/", f"/documents/{card.pk}/download/"):
        response = officer.get(url)
        policy = directives(response["Content-Security-Policy"])
        assert "sandbox" in policy and policy["default-src"] == ["'none'"], url
        assert response["X-Content-Type-Options"] == "nosniff"


# --- the embeddable web forms --------------------------------------------------------------


@pytest.fixture
def web_form(login):
    officer = login("dpo", "privacy_officer")
    return save_web_form(
        officer.user,
        name_th="ฟอร์ม",
        name_en="Form",
        fields=[{"field": "first_name", "required": True}, {"field": "email", "required": True}],
        purposes=[Purpose.objects.get(code="direct-marketing")],
        owner=login("seller", "sales").user,
        allowed_origins="https://www.example.co.th\nhttps://shop.example.com:8443",
    )


def test_a_web_form_is_framed_by_the_sites_it_names_and_nothing_else_loosens(web_form):
    for query in ("", "?embed=1", "?embed=1&lang=en"):
        response = Client().get(f"/privacy/forms/{web_form.key}/{query}")
        policy = directives(response["Content-Security-Policy"])
        assert policy["frame-ancestors"] == [
            "'self'",
            "https://www.example.co.th",
            "https://shop.example.com:8443",
        ]
        assert policy["script-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
        assert "X-Frame-Options" not in response
    # A closed form and an unknown one stay unframeable.
    assert Client().get("/privacy/forms/no-such-form/")["X-Frame-Options"] == "DENY"


HOSTILE_ORIGINS = [
    "*",
    "https://www.example.co.th; script-src-attr 'unsafe-inline'",
    "https://www.example.co.th;script-src-elem https://evil.example",
    "https://www.example.co.th 'unsafe-inline'",
    "https://www.example.co.th\thttps://evil.example",
    "https://www.example.co.th,https://evil.example",
    'https://www.example.co.th"',
    "'self' https://evil.example",
    "javascript:alert(1)",
    "data:",
    "https://www.example.co.th/page?x=1",
    "https://user@www.example.co.th",
    "http://",
    "https://evil.example\r\nSet-Cookie: x=1",
]


def test_an_allowed_origin_cannot_smuggle_policy_into_the_header(web_form, login):
    officer = login("dpo2", "privacy_officer")
    for origin in HOSTILE_ORIGINS:
        with pytest.raises(ValidationError) as refused:
            save_web_form(officer.user, web_form, allowed_origins=f"https://ok.example\n{origin}")
        assert set(refused.value.message_dict) == {"allowed_origins"}, origin
        with pytest.raises(ValidationError) as refused:
            save_privacy_contact(
                officer.user,
                controller_name_en="Example Co.",
                email="dpo@example.co.th",
                website_origins=origin,
            )
        assert set(refused.value.message_dict) == {"website_origins"}, origin
    policy = directives(Client().get(f"/privacy/forms/{web_form.key}/")["Content-Security-Policy"])
    assert policy["frame-ancestors"] == [
        "'self'",
        "https://www.example.co.th",
        "https://shop.example.com:8443",
    ]
    assert set(policy) == {
        "default-src",
        "script-src",
        "style-src",
        "img-src",
        "font-src",
        "connect-src",
        "form-action",
        "frame-ancestors",
        "base-uri",
        "object-src",
    }


# --- cookies ---------------------------------------------------------------------------------


def test_the_session_cookie_is_kept_from_scripts_and_other_sites(make_user):
    make_user("sales1", roles=("sales",))
    client = Client()
    client.get("/account/sign-in/")
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["samesite"] == "Lax"
    response = client.post("/account/sign-in/", {"username": "sales1", "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    assert not session["domain"], "the cookie stays on this host"
    language = client.post("/account/language/", {"language": "en", "next": "/"}).cookies[
        settings.LANGUAGE_COOKIE_NAME
    ]
    assert language["samesite"] == "Lax"


def test_signing_in_gives_a_new_session_id(make_user):
    """A session id planted before sign-in (session fixation) is not kept."""
    make_user("sales1", roles=("sales",))
    client = Client()
    client.get("/account/sign-in/")
    client.cookies[settings.SESSION_COOKIE_NAME] = "planted-session-id-0123456789abcdef"
    client.post("/account/sign-in/", {"username": "sales1", "password": PASSWORD})
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != (
        "planted-session-id-0123456789abcdef"
    )
    assert client.get("/people/").status_code == 200


def test_only_a_trusted_proxy_says_the_request_came_over_https(rf, settings):
    from connexion.lib.http import ForwardedProtoMiddleware

    settings.CONNEXION_TRUSTED_PROXIES = ["10.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    seen = {}

    def view(request):
        seen["secure"] = request.is_secure()
        return None

    middleware = ForwardedProtoMiddleware(view)
    middleware(rf.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.5"))
    assert seen["secure"] is False  # a client's own header is dropped
    middleware(rf.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.1"))
    assert seen["secure"] is True
