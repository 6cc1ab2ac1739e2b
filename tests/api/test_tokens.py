import json

import pytest
from django.core.management import call_command
from django.test import Client

from connexion.api.models import ApiToken
from connexion.api.services import create_token, revoke_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(make_user) -> str:
    _token, raw = create_token(make_user("apiuser", roles=("sales",), first_name="Somchai"))
    return raw


def get_me(client: Client, authorization: str | None, **extra):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    return client.get("/api/v1/me", **headers, **extra)


def test_a_valid_token_authenticates(client, token):
    response = get_me(client, f"Bearer {token}")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "apiuser"
    assert body["roles"] == ["sales"]
    assert "accounts.access_deals" in body["permissions"]
    assert ApiToken.objects.get().last_used_at is not None


def test_tokens_are_stored_hashed(token):
    stored = ApiToken.objects.get()
    secret = token.split("_", 2)[2]
    assert secret not in stored.secret_hash and len(stored.secret_hash) == 64
    assert stored.prefix == token.split("_")[1]


def test_a_revoked_token_is_refused(client, token):
    revoke_token(ApiToken.objects.get())
    response = get_me(client, f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {"detail": "The bearer token has been revoked."}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_of_a_deactivated_user_is_refused(client, token):
    ApiToken.objects.get().user.__class__.objects.update(is_active=False)
    assert get_me(client, f"Bearer {token}").status_code == 401


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        (None, "Authentication required"),
        ("", "Authentication required"),
        ("Token abc", "must be 'Bearer <token>'"),
        ("Bearer", "must be 'Bearer <token>'"),
        ("Bearer a b", "must be 'Bearer <token>'"),
        ("Bearer not-a-token", "malformed"),
        ("Bearer cnx__", "malformed"),
        ("Bearer cnx_000000000000_wrongsecret", "not valid"),
    ],
)
def test_missing_or_malformed_header_gets_401_with_a_json_reason(client, header, detail):
    response = get_me(client, header, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert detail in response.json()["detail"]


def test_a_right_prefix_with_a_wrong_secret_is_refused(client, token):
    forged = "cnx_" + token.split("_", 2)[1] + "_" + "x" * 43
    assert get_me(client, f"Bearer {forged}").status_code == 401


def test_errors_speak_the_clients_language(client):
    response = get_me(client, None, HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 401
    assert "Authentication required" not in response.json()["detail"]


def test_update_me_changes_the_language(client, token):
    response = client.patch(
        "/api/v1/me",
        json.dumps({"language": "en"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    assert response.json()["language"] == "en"


def test_malformed_json_gets_an_error_not_a_stack_trace(client, token):
    response = client.patch(
        "/api/v1/me",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code in {400, 422}
    assert "Traceback" not in response.content.decode()
    assert response.json()["detail"]


def test_invalid_field_gets_422_naming_the_field(client, token):
    response = client.patch(
        "/api/v1/me",
        json.dumps({"language": "fr", "nickname": "x"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert errors["language"] == "Choose one of: 'th' or 'en'."
    assert errors["nickname"] == "This field is not allowed here."


def test_openapi_document_and_docs_are_served(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "Connexion CRM API"
    assert "/api/v1/me" in document["paths"]
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    # Served from our own static files, never a CDN: it must work offline.
    assert "cdn" not in docs.content.decode().lower()


def test_token_command_creates_lists_and_revokes(make_user, capsys, client):
    make_user("cliuser")
    call_command("token", "create", "cliuser", "--name", "n8n")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("cnx_")
    assert get_me(client, f"Bearer {raw}").status_code == 200
    call_command("token", "list", "cliuser")
    listing = capsys.readouterr().out
    prefix = raw.split("_")[1]
    assert prefix in listing and "active" in listing and raw.split("_", 2)[2] not in listing
    call_command("token", "revoke", prefix)
    assert get_me(client, f"Bearer {raw}").status_code == 401
