"""Bearer tokens used as an attacker would: dead, out of scope, forged, sent
the wrong way, or aimed at another user's tokens. Every refusal is a JSON 401
or 403 that carries no data. (tests/api/test_tokens.py checks the happy paths
and each refusal's wording on /api/v1/me; here every router is tried.)"""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from connexion.accounts.models import User
from connexion.api import scopes
from connexion.api.models import ApiToken
from connexion.api.services import create_token
from connexion.people.models import Person
from connexion.sales.models import Deal
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# One read of each router, and the data a leak would show.
READS = [
    "/api/v1/me",
    "/api/v1/persons",
    "/api/v1/organizations",
    "/api/v1/deals",
    "/api/v1/leads",
    "/api/v1/products",
    "/api/v1/pipelines",
    "/api/v1/interests",
    "/api/v1/activities",
    "/api/v1/tasks",
    "/api/v1/notes",
    "/api/v1/purposes",
    "/api/v1/disclosures",
    "/api/v1/requests",
]
LEAKS = ("Somchai", "Acme", "CRM Pro", "username", "items")
NEW_PERSON = {"first_name_th": "มาลี", "source": {"kind": "direct", "channel": "web_form"}}


def call(client: Client, method: str, url: str, authorization: str | None, body=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if authorization is not None:
        headers["HTTP_AUTHORIZATION"] = authorization
    if body is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/json", **headers
    )


def assert_refused(response, status: int) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert list(body) == ["detail"] and body["detail"]
    text = response.content.decode()
    for leak in LEAKS:
        assert leak not in text, leak
    if status == 401:
        assert response["WWW-Authenticate"] == 'Bearer realm="connexion"'


@pytest.fixture
def owner(make_user) -> User:
    # An admin: every router would answer them, so only the token stands in the way.
    return make_user("apiadmin", roles=("admin",))


def expire(token: ApiToken, raw: str, admin: Client) -> None:
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


def revoke_on_the_account_page(token: ApiToken, raw: str, admin: Client) -> None:
    client = Client()
    client.force_login(token.user)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302


def deactivate_in_settings(token: ApiToken, raw: str, admin: Client) -> None:
    assert admin.post(f"/settings/users/{token.user.pk}/deactivate/").status_code == 302


def deactivate_directly(token: ApiToken, raw: str, admin: Client) -> None:
    """Deactivated without the page (a command, the admin site): the token is
    not revoked, the check of the user still refuses it."""
    User.objects.filter(pk=token.user.pk).update(is_active=False)


@pytest.mark.parametrize(
    "kill",
    [expire, revoke_on_the_account_page, deactivate_in_settings, deactivate_directly],
    ids=["expired", "revoked", "deactivated-in-settings", "deactivated-directly"],
)
def test_a_dead_token_gets_a_json_401_and_no_data_from_every_router(kill, owner, login, bystanders):
    token, raw = create_token(owner)
    client = Client()
    assert call(client, "get", "/api/v1/persons", f"Bearer {raw}").status_code == 200
    kill(token, raw, login("boss", "admin"))
    for url in READS:
        assert_refused(call(client, "get", url, f"Bearer {raw}"), 401)
    person = bystanders["person"]
    assert_refused(call(client, "post", "/api/v1/persons", f"Bearer {raw}", NEW_PERSON), 401)
    assert_refused(
        call(
            client, "patch", f"/api/v1/persons/{person.pk}", f"Bearer {raw}", {"nickname_th": "x"}
        ),
        401,
    )
    assert_refused(
        call(client, "delete", f"/api/v1/deals/{bystanders['deal'].pk}", f"Bearer {raw}"), 401
    )
    assert Person.objects.count() == 1 and Person.objects.get().nickname_th == ""
    assert Deal.objects.filter(pk=bystanders["deal"].pk).exists()


def test_a_reactivated_user_does_not_get_revoked_tokens_back(owner, login):
    _token, raw = create_token(owner)
    admin = login("boss", "admin")
    admin.post(f"/settings/users/{owner.pk}/deactivate/")
    admin.post(f"/settings/users/{owner.pk}/reactivate/")
    assert User.objects.get(pk=owner.pk).is_active
    assert_refused(call(Client(), "get", "/api/v1/me", f"Bearer {raw}"), 401)


# (area, a read of it, a write of it)
AREAS = {
    "people": ("/api/v1/persons", ("post", "/api/v1/persons", NEW_PERSON)),
    "sales": ("/api/v1/deals", ("post", "/api/v1/products", {"code": "X", "price": "1"})),
    "activities": ("/api/v1/tasks", ("post", "/api/v1/tasks", {"title": "x"})),
    "privacy": ("/api/v1/purposes", ("post", "/api/v1/requests", {"kind": "access"})),
}


@pytest.mark.parametrize("area", list(AREAS))
def test_a_token_without_an_area_gets_403_there_and_no_data(area, owner, bystanders):
    read_url, (method, write_url, body) = AREAS[area]
    others = [scope for scope in scopes.all_scopes() if not scope.startswith(f"{area}:")]
    _token, raw = create_token(owner, scopes=others)
    _read_only, read_raw = create_token(
        owner, scopes=[s for s in scopes.all_scopes() if s != scopes.area_scope(area, True)]
    )
    client = Client()
    before = Person.objects.count()
    assert_refused(call(client, "get", read_url, f"Bearer {raw}"), 403)
    assert_refused(call(client, method, write_url, f"Bearer {raw}", body), 403)
    # Read-only for the area: it reads, and every write is refused before it is checked.
    assert call(client, "get", read_url, f"Bearer {read_raw}").status_code == 200
    assert_refused(call(client, method, write_url, f"Bearer {read_raw}", body), 403)
    assert Person.objects.count() == before
    # Every other area still answers the first token: the refusal is the area's.
    other_area = next(name for name in AREAS if name != area)
    assert call(client, "get", AREAS[other_area][0], f"Bearer {raw}").status_code == 200


def hostile_headers(raw: str) -> list[str]:
    _cnx, prefix, secret = raw.split("_", 2)
    basic = base64.b64encode(f"apiadmin:{PASSWORD}".encode()).decode()
    # The prefix is hex: only one with a letter changes in capitals.
    shouted = [f"Bearer cnx_{prefix.upper()}_{secret}"] if prefix.upper() != prefix else []
    return [
        *shouted,
        f"Bearer {raw}x",
        f"Bearer {raw[:-1]}",
        f"Bearer {prefix}_{secret}",
        f"Bearer cnx_{prefix}_{secret.swapcase()}",
        f"Bearer cnx_{prefix}_",
        f"Bearer cnx__{secret}",
        f"Bearer cnx_{prefix}_{secret}\x00",
        "Bearer cnx_' OR '1'='1_' OR '1'='1",
        "Bearer cnx_%_%",
        "Bearer cnx_*_*",
        "Bearer " + "A" * 10_000,
        f"Bearer {raw},Bearer {raw}",
        f"Bearer {raw} {raw}",
        f"Token {raw}",
        f"Basic {basic}",
        raw,
        f"Bearer\t{raw}",
    ]


def test_forged_or_malformed_authorization_headers_get_a_json_401(owner, bystanders):
    _token, raw = create_token(owner)
    client = Client()
    for header in hostile_headers(raw):
        response = call(client, "get", "/api/v1/persons", header)
        assert_refused(response, 401)
    assert call(client, "get", "/api/v1/persons", f"Bearer {raw}").status_code == 200


def test_a_token_anywhere_but_the_header_is_not_read(owner, bystanders):
    _token, raw = create_token(owner)
    client = Client()
    for params in ({"token": raw}, {"access_token": raw}, {"bearer": raw}):
        assert_refused(client.get("/api/v1/persons", params), 401)
    client.cookies["access_token"] = raw
    client.cookies["Authorization"] = f"Bearer {raw}"
    assert_refused(client.get("/api/v1/persons"), 401)


def test_a_signed_in_browser_session_does_not_open_the_api(login, bystanders):
    """The API reads the bearer header only, so a page on another site cannot
    make a signed-in browser call it: no cross-site request forgery there."""
    client = login("boss", "admin")
    assert client.get("/people/").status_code == 200
    assert_refused(client.get("/api/v1/persons"), 401)
    assert_refused(call(client, "post", "/api/v1/persons", None, NEW_PERSON), 401)
    assert Person.objects.count() == 1


def test_a_user_cannot_reach_another_users_tokens(make_user, login):
    victim = make_user("victim", roles=("sales",))
    victim_token, victim_raw = create_token(victim)
    attacker = login("attacker", "sales")
    _own, own_raw = create_token(attacker.user)
    # Another user's token: neither listed, nor revoked by id on the account
    # page, nor through the staff pages that need the staff permission.
    assert victim_token.prefix not in attacker.get("/account/tokens/").content.decode()
    assert attacker.post(f"/account/tokens/{victim_token.pk}/revoke/").status_code == 404
    assert (
        attacker.post(f"/settings/users/{victim.pk}/tokens/{victim_token.pk}/revoke/").status_code
        == 403
    )
    # Even an admin must name the token under its own user.
    admin = login("boss", "admin")
    assert (
        admin.post(
            f"/settings/users/{attacker.user.pk}/tokens/{victim_token.pk}/revoke/"
        ).status_code
        == 404
    )
    victim_token.refresh_from_db()
    assert victim_token.revoked_at is None
    assert call(Client(), "get", "/api/v1/me", f"Bearer {victim_raw}").json()["username"] == (
        "victim"
    )
    # The attacker's token speaks for the attacker only.
    assert call(Client(), "get", "/api/v1/me", f"Bearer {own_raw}").json()["username"] == (
        "attacker"
    )


MASS_ASSIGNMENT = [
    {"username": "admin"},
    {"is_superuser": True},
    {"is_staff": True},
    {"is_active": False},
    {"roles": ["admin"]},
    {"groups": [1]},
    {"email": "attacker@example.com"},
    {"permissions": ["accounts.manage_staff"]},
]


def test_me_changes_only_the_name_and_language(make_user):
    user = make_user("somchai", roles=("sales",))
    _token, raw = create_token(user)
    for change in MASS_ASSIGNMENT:
        response = call(Client(), "patch", "/api/v1/me", f"Bearer {raw}", change)
        assert response.status_code == 422, change
        assert [error["field"] for error in response.json()["errors"]] == list(change)
    user.refresh_from_db()
    assert (user.username, user.email, user.is_superuser, user.is_staff, user.is_active) == (
        "somchai",
        "somchai@example.co.th",
        False,
        False,
        True,
    )
    assert list(user.groups.values_list("name", flat=True)) == ["sales"]
