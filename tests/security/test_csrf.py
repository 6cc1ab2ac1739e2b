"""Requests forged by another site. A signed-in browser that is made to POST
without the page's CSRF token gets 403 and nothing changes; the same POST with
the token goes through (so the 403 is the token's doing, not a permission's).
The public forms that cannot use the CSRF cookie have their own checks, and
the sign-in page never sends a user on to another site."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

from connexion.accounts.models import Team, User
from connexion.api.models import ApiToken
from connexion.api.services import create_token
from connexion.people.models import Person, SavedView
from connexion.people.services import create_person
from connexion.portal.models import WebFormSubmission
from connexion.portal.services import save_web_form
from connexion.privacy.models import Purpose, SubjectRequest
from connexion.sales.models import Deal, Lead, Note
from tests.conftest import PASSWORD
from tests.portal.conftest import ACCESS_REQUEST, started_value

pytestmark = pytest.mark.django_db


@dataclass
class Forgery:
    role: str
    url: str
    data: dict[str, Any]
    # What the POST would change, read before and after.
    state: Callable[[], Any]
    htmx: bool = False


def token_of(client: Client) -> str:
    """The CSRF token a page of ours gives the browser (signed in or not)."""
    client.get("/account/sign-in/")
    if settings.CSRF_COOKIE_NAME not in client.cookies:
        client.get("/account/")
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def forgeries(world: dict[str, Any]) -> dict[str, Forgery]:
    person, other, deal, lead = world["person"], world["other"], world["deal"], world["lead"]
    token, colleague = world["token"], world["colleague"]
    return {
        "create person": Forgery(
            "sales",
            "/people/new/",
            {
                "source_kind": "direct",
                "source_channel": "phone",
                "first_name_th": "ปลอม",
                "lifecycle_stage": "prospect",
            },
            lambda: Person.objects.count(),
        ),
        "edit person": Forgery(
            "sales",
            f"/people/{person.pk}/edit/",
            {"first_name_th": "ถูกแก้", "lifecycle_stage": "customer"},
            lambda: Person.objects.values_list("first_name_th", "lifecycle_stage").get(
                pk=person.pk
            ),
        ),
        "add a note": Forgery(
            "sales",
            f"/sales/timeline/person/{person.pk}/note/new/",
            {"body": "forged"},
            lambda: Note.objects.count(),
            htmx=True,
        ),
        "save a view": Forgery(
            "sales",
            "/people/views/save/",
            {"name": "forged", "query_string": "q=x"},
            lambda: SavedView.objects.count(),
        ),
        "delete deal": Forgery(
            "sales", f"/sales/deals/{deal.pk}/delete/", {}, lambda: Deal.objects.count()
        ),
        "delete lead": Forgery(
            "sales", f"/sales/leads/{lead.pk}/delete/", {}, lambda: Lead.objects.count()
        ),
        "create API token": Forgery(
            "sales",
            "/account/tokens/",
            {"name": "forged", "areas": ["people:read"], "categories": ["3.1", "3.2", "3.4"]},
            lambda: ApiToken.objects.count(),
        ),
        "revoke API token": Forgery(
            "sales",
            f"/account/tokens/{token.pk}/revoke/",
            {},
            lambda: ApiToken.objects.get(pk=token.pk).revoked_at,
        ),
        "change password": Forgery(
            "sales",
            "/account/password/",
            {
                "old_password": PASSWORD,
                "new_password1": "forged password for this account 42",
                "new_password2": "forged password for this account 42",
            },
            lambda: User.objects.get(username="sales1").password,
        ),
        "switch language": Forgery(
            "sales",
            "/account/language/",
            {"language": "th", "next": "/"},
            lambda: User.objects.get(username="sales1").language,
        ),
        "merge people": Forgery(
            "officer",
            f"/people/merge/{person.pk}/{other.pk}/",
            {},
            lambda: Person.objects.filter(merged_into__isnull=False).count(),
        ),
        "erase person": Forgery(
            "officer",
            f"/data-protection/people/{other.pk}/erase/",
            {"confirmation": str(other.pk)},
            lambda: Person.objects.filter(pk=other.pk, anonymized_at__isnull=True).exists(),
        ),
        "enter privacy request": Forgery(
            "officer",
            "/data-protection/requests/new/",
            {
                "kind": "access",
                "channel": "phone",
                "requester_name": "Forged",
                "requester_email": "forged@example.com",
                "language": "en",
                "description": "forged",
            },
            lambda: SubjectRequest.objects.count(),
        ),
        "create staff user": Forgery(
            "admin",
            "/settings/users/new/",
            {
                "username": "forged",
                "email": "forged@example.com",
                "language": "en",
                "roles": ["admin"],
            },
            lambda: User.objects.count(),
        ),
        "deactivate staff user": Forgery(
            "admin",
            f"/settings/users/{colleague.pk}/deactivate/",
            {},
            lambda: User.objects.get(pk=colleague.pk).is_active,
        ),
        "create team": Forgery(
            "admin", "/settings/teams/", {"name": "forged"}, lambda: Team.objects.count()
        ),
    }


@pytest.fixture
def world(bystanders, source, make_user) -> dict[str, Any]:
    users = {
        "sales": make_user("sales1", roles=("sales",), language="en"),
        "officer": make_user("dpo", roles=("privacy_officer",), language="en"),
        "admin": make_user("boss", roles=("admin",), language="en"),
    }
    token, _raw = create_token(users["sales"])
    other = create_person(
        None, source=source, first_name_th="สมชาย", last_name_th="ใจดี", first_name_en="Somchai"
    )
    colleague = make_user("colleague", roles=("sales",))
    return {**bystanders, "users": users, "other": other, "token": token, "colleague": colleague}


def client_for(world: dict[str, Any], role: str) -> Client:
    """A browser signed in as the role, that sends no CSRF token by itself."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world["users"][role])
    return client


FORGERY_NAMES = [
    "create person",
    "edit person",
    "add a note",
    "save a view",
    "delete deal",
    "delete lead",
    "create API token",
    "revoke API token",
    "change password",
    "switch language",
    "merge people",
    "erase person",
    "enter privacy request",
    "create staff user",
    "deactivate staff user",
    "create team",
]


@pytest.mark.parametrize("name", FORGERY_NAMES)
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(name, world):
    forgery = forgeries(world)[name]
    client = client_for(world, forgery.role)
    headers = {"HTTP_HX_REQUEST": "true"} if forgery.htmx else {}
    before = forgery.state()
    for attempt in ({}, {"HTTP_X_CSRFTOKEN": "x" * 64}):
        response = client.post(forgery.url, forgery.data, **headers, **attempt)
        assert response.status_code == 403, (attempt, response.status_code)
        assert forgery.state() == before
    # A token from another browser's session does not fit this one's cookie.
    stranger = Client()
    stranger_token = token_of(stranger)
    refused = client.post(forgery.url, forgery.data, HTTP_X_CSRFTOKEN=stranger_token, **headers)
    assert refused.status_code == 403
    assert forgery.state() == before
    # The same POST with the page's token is not refused.
    accepted = client.post(forgery.url, forgery.data, HTTP_X_CSRFTOKEN=token_of(client), **headers)
    assert accepted.status_code != 403, accepted.content[:300]
    assert forgery.state() != before, "the control POST changed nothing: the test proves nothing"


def test_signing_out_needs_the_token(world):
    client = client_for(world, "sales")
    assert client.post("/account/sign-out/").status_code == 403
    assert SESSION_KEY in client.session
    assert client.get("/people/").status_code == 200
    client.post("/account/sign-out/", HTTP_X_CSRFTOKEN=token_of(client))
    assert SESSION_KEY not in client.session
    assert client.get("/people/").status_code == 302


def test_a_post_from_another_origin_is_refused_even_with_the_token(world):
    """Django also checks the Origin of a POST: a token leaked to another site is
    not enough."""
    client = client_for(world, "sales")
    csrf = token_of(client)
    before = Person.objects.count()
    response = client.post(
        "/people/new/",
        {"source_kind": "direct", "source_channel": "phone", "first_name_th": "ปลอม"},
        HTTP_X_CSRFTOKEN=csrf,
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert Person.objects.count() == before


# --- the public forms ----------------------------------------------------------------------


def test_the_privacy_center_request_form_needs_its_token(db):
    visitor = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    page = visitor.get("/privacy/request/").content.decode()
    data = {**ACCESS_REQUEST, "started": started_value(page)}
    assert visitor.post("/privacy/request/", data).status_code == 403
    assert visitor.post("/privacy/consents/", {"email": "somsri@example.co.th"}).status_code == 403
    assert not SubjectRequest.objects.exists()
    csrf = visitor.cookies[settings.CSRF_COOKIE_NAME].value
    assert visitor.post("/privacy/request/", data, HTTP_X_CSRFTOKEN=csrf).status_code == 302
    assert SubjectRequest.objects.count() == 1


@pytest.fixture
def web_forms(make_user, db) -> tuple[Any, Any]:
    officer = make_user("dpo", roles=("privacy_officer",))
    marketing = Purpose.objects.get(code="direct-marketing")

    def build(name: str):
        return save_web_form(
            officer,
            name_th=name,
            name_en=name,
            fields=[
                {"field": "first_name", "required": True},
                {"field": "email", "required": True},
            ],
            purposes=[marketing],
            owner=make_user(f"owner-{name}", roles=("sales",)),
            allowed_origins="https://www.example.co.th",
        )

    return build("one"), build("two")


def test_the_embeddable_web_form_has_its_own_protection(web_forms):
    """It is CSRF-exempt (a framed page gets no cookie), so it checks the Origin,
    a time stamp signed for this very form, and a field only bots fill."""
    one, two = web_forms
    visitor = Client(enforce_csrf_checks=True)
    url = f"/privacy/forms/{one.key}/"
    started = started_value(visitor.get(url).content.decode())
    other_form = started_value(visitor.get(f"/privacy/forms/{two.key}/").content.decode())
    request_form = started_value(visitor.get("/privacy/request/").content.decode())
    fields = {"first_name": "Forged", "email": "forged@example.com"}
    refusals = [
        ({"started": started}, {"HTTP_ORIGIN": "https://evil.example"}),
        ({"started": started}, {"HTTP_ORIGIN": "null"}),
        ({"started": started}, {"HTTP_ORIGIN": "https://www.example.co.th"}),
        ({"started": started}, {"HTTP_ORIGIN": "http://testserver.evil.example"}),
        ({}, {}),
        ({"started": "forged"}, {}),
        ({"started": other_form}, {}),
        ({"started": request_form}, {}),
        ({"started": started[:-2] + "xx"}, {}),
        ({"started": started, "website": "https://spam.example"}, {}),
    ]
    for extra, headers in refusals:
        response = visitor.post(url, {**fields, **extra}, **headers)
        assert response.status_code in (400, 403), (extra, headers)
        assert not Person.objects.exists() and not WebFormSubmission.objects.exists()
    # From its own page, with its own stamp, it is taken.
    accepted = visitor.post(url, {**fields, "started": started}, HTTP_ORIGIN="http://testserver")
    assert accepted.status_code == 200
    assert WebFormSubmission.objects.count() == 1


# --- the way back after signing in -----------------------------------------------------------


NEXT_URLS = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "http://testserver@evil.example/",
    " //evil.example",
]


def test_signing_in_never_sends_the_user_to_another_site(make_user):
    make_user("sales1", roles=("sales",))
    for next_url in NEXT_URLS:
        response = Client().post(
            f"/account/sign-in/?{urlencode({'next': next_url})}",
            {"username": "sales1", "password": PASSWORD, "next": next_url},
        )
        assert response.status_code == 302, next_url
        location = response["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        assert "evil" not in location and "javascript" not in location, next_url
