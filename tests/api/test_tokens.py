import json
import re
import time
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.utils import timezone, translation

from connexion.api import scopes
from connexion.api.models import ApiToken
from connexion.api.services import create_token, revoke_token
from connexion.audit.models import AuditEvent
from connexion.people import services as people_services

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
    # The attempt is in the audit log under the token's owner.
    refusal = AuditEvent.objects.get(kind=AuditEvent.Kind.REFUSED)
    assert refusal.action == "api.token_refused" and refusal.actor.username == "apiuser"
    assert refusal.channel == "api" and refusal.object_id == str(ApiToken.objects.get().pk)


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


# --- scopes -----------------------------------------------------------------------


def make_person(**fields):
    source = people_services.create_source(None, kind="direct", channel="phone")
    return people_services.create_person(None, source=source, first_name_th="สมชาย", **fields)


def test_a_token_without_scopes_has_the_full_access_of_its_user(make_user):
    token, _raw = create_token(make_user("somchai"))
    assert token.scopes == scopes.all_scopes()
    assert {"people:read", "people:write", "privacy:write", "sales:read", "3.3"} <= set(
        token.scopes
    )


def test_an_area_outside_the_scope_gets_403_with_a_json_reason(client, make_user):
    _token, raw = create_token(make_user("reader"), scopes=["people:read", "3.1", "3.2", "3.4"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}
    person = make_person()
    assert client.get("/api/v1/persons", **auth).status_code == 200
    assert client.get(f"/api/v1/persons/{person.pk}", **auth).status_code == 200
    write = client.patch(
        f"/api/v1/persons/{person.pk}",
        json.dumps({"nickname_th": "ชาย"}),
        content_type="application/json",
        **auth,
    )
    assert write.status_code == 403
    assert write.json() == {
        "detail": "This token's scope does not include people:write (People and organizations "
        "(write))."
    }
    person.refresh_from_db()
    assert person.nickname_th == ""
    privacy = client.get(f"/api/v1/persons/{person.pk}/consents", **auth)
    assert privacy.status_code == 403
    assert "privacy:read" in privacy.json()["detail"]
    refusals = AuditEvent.objects.filter(kind=AuditEvent.Kind.REFUSED, action="api.scope_refused")
    assert refusals.count() == 2 and {event.actor.username for event in refusals} == {"reader"}


def test_a_write_only_token_cannot_read(client, make_user):
    _token, raw = create_token(make_user("intake"), scopes=["people:write", "3.1", "3.2", "3.4"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/persons", **auth).status_code == 403
    created = client.post(
        "/api/v1/persons",
        json.dumps({"first_name_th": "มาลี", "source": {"kind": "direct", "channel": "web_form"}}),
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content


def test_a_missing_data_category_gets_403_naming_it(client, make_user):
    _token, raw = create_token(make_user("names_only"), scopes=["people:read", "3.1"])
    response = client.get(
        "/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "3.2 contact details" in detail and "3.4 work details" in detail


def test_identity_numbers_are_masked_for_a_token_without_category_3_3(client, make_user):
    officer = make_user("dpo", roles=("privacy_officer",))
    person = make_person(national_id="1101700230708")
    _full_token, full = create_token(officer)
    _narrow_token, narrow = create_token(officer, scopes=["people:read", "3.1", "3.2", "3.4"])
    seen = client.get(f"/api/v1/persons/{person.pk}", HTTP_AUTHORIZATION=f"Bearer {full}")
    assert seen.json()["national_id"] == "1101700230708"
    masked = client.get(f"/api/v1/persons/{person.pk}", HTTP_AUTHORIZATION=f"Bearer {narrow}")
    assert masked.json()["national_id"] == "x-xxxx-xxxxx-70-8"
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {narrow}").json()
    assert "people.view_identity_numbers" not in me["permissions"]


def test_a_token_never_sees_more_than_its_user(client, make_user):
    # Full scopes, but the user's role (billing) has no access to the privacy area.
    _token, raw = create_token(make_user("biller", roles=("billing",)))
    response = client.get(
        "/api/v1/disclosures", HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert "Your role does not give access" in response.json()["detail"]


def test_unknown_or_empty_scopes_are_refused(make_user):
    user = make_user("somchai")
    with pytest.raises(ValidationError, match=r"Unknown scopes: 3\.9, billing:read"):
        create_token(user, scopes=["people:read", "billing:read", "3.9"])
    with pytest.raises(ValidationError, match="at least one scope"):
        create_token(user, scopes=[])
    assert not ApiToken.objects.exists()


# --- expiry, revocation, last use -------------------------------------------------------


def test_an_expired_token_gets_401_saying_so(client, make_user):
    token, raw = create_token(make_user("somchai"), expires_at=timezone.now() + timedelta(days=1))
    assert get_me(client, f"Bearer {raw}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = get_me(client, f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("The bearer token expired on ")


def test_an_expiry_in_the_past_is_refused(make_user):
    with pytest.raises(ValidationError, match="must be in the future"):
        create_token(make_user("somchai"), expires_at=timezone.now() - timedelta(seconds=1))


def test_last_used_is_written_at_most_once_a_minute(client, token):
    get_me(client, f"Bearer {token}")
    first = ApiToken.objects.get().last_used_at
    get_me(client, f"Bearer {token}")
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    get_me(client, f"Bearer {token}")
    assert ApiToken.objects.get().last_used_at > first


# --- rate limit ---------------------------------------------------------------------------


def calls_until_refused(client: Client, raw: str, limit: int) -> list:
    """`limit + 1` calls inside one minute window (started again if the minute
    turns over in the middle, which would reset the count)."""
    for _attempt in range(3):
        window = int(time.time() // 60)
        responses = [get_me(client, f"Bearer {raw}") for _call in range(limit + 1)]
        if int(time.time() // 60) == window:
            return responses
        _token, raw = create_token(ApiToken.objects.get(prefix=raw.split("_")[1]).user)
    raise AssertionError("the minute kept turning over")


def assert_rate_limited(client: Client, raw: str, limit: int) -> None:
    responses = calls_until_refused(client, raw, limit)
    assert [r.status_code for r in responses] == [200] * limit + [429]
    refused = responses[-1]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("Too many requests with this token")


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_rate_limit_on_the_local_cache_gives_429_with_retry_after(client, make_user):
    user = make_user("busy")
    _token, raw = create_token(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert_rate_limited(client, raw, 3)
    # Another token of the same user has its own count.
    _other, other_raw = create_token(user)
    assert get_me(client, f"Bearer {other_raw}").status_code == 200


def test_rate_limit_on_redis_gives_429_with_retry_after(client, make_user):
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            # Each run its own keys: parallel runs share this Redis database.
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    with override_settings(CACHES=redis_cache, API_RATE_LIMIT_PER_MINUTE=4):
        from django.core.cache import caches

        caches["default"].set("probe", 1)  # fails here if Redis is not reachable
        _token, raw = create_token(make_user("busy"))
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        assert_rate_limited(client, raw, 4)
        keys = caches["default"]._cache.get_client().keys(f"*api-rate:{raw.split('_')[1]}*")
        assert keys, "the count is kept in Redis"


# --- the command and the page -------------------------------------------------------------


def test_token_command_takes_scopes_and_expiry(make_user, capsys, client):
    make_user("cliuser")
    call_command(
        "token",
        "create",
        "cliuser",
        "--scope",
        "people:read,3.1",
        "--scope",
        "3.2,3.4",
        "--expires",
        "30d",
    )
    raw = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(prefix=raw.split("_")[1])
    assert token.scopes == ["people:read", "3.1", "3.2", "3.4"]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert client.get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    call_command("token", "list", "cliuser")
    listing = capsys.readouterr().out
    assert "scopes people:read,3.1,3.2,3.4" in listing and "expires 20" in listing
    call_command("token", "create", "cliuser", "--expires", "2099-12-31")
    dated = ApiToken.objects.latest("created_at")
    assert timezone.localtime(dated.expires_at).date().isoformat() == "2100-01-01"
    with (
        translation.override("en"),
        pytest.raises(CommandError, match="Unknown scopes: deals:read"),
    ):
        call_command("token", "create", "cliuser", "--scope", "deals:read")
    with pytest.raises(CommandError, match="--expires must be"):
        call_command("token", "create", "cliuser", "--expires", "next week")


def test_the_token_page_creates_shows_once_lists_and_revokes(client, make_user):
    user = make_user("somchai", language="en")
    client.force_login(user)
    response = client.post(
        "/account/tokens/",
        {
            "name": "n8n",
            "areas": ["people:read"],
            "categories": ["3.1", "3.2", "3.4"],
            "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        },
    )
    assert response["Location"] == "/account/tokens/"
    page = client.get("/account/tokens/").content.decode()
    raw = re.search(r'data-testid="new-token">(cnx_[^<]+)<', page).group(1)
    token = ApiToken.objects.get(user=user)
    assert token.scopes == ["people:read", "3.1", "3.2", "3.4"] and token.name == "n8n"
    # Shown once: the next visit lists it without the secret.
    again = client.get("/account/tokens/").content.decode()
    assert raw not in again and token.prefix in again and "never" in again
    assert client.get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    listed = client.get("/account/tokens/").content.decode()
    row = listed.split(f"<code>{token.prefix}</code>", 1)[1].split("</tr>", 1)[0]
    _prefix_end, _scopes, _expires, last_used = re.findall(r"<td[^>]*>(.*?)</td>", "<td>" + row)[:4]
    assert last_used.strip() and "never" not in last_used
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert client.get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_the_token_form_names_wrong_fields(client, make_user):
    client.force_login(make_user("somchai", language="en"))
    response = client.post(
        "/account/tokens/",
        {"name": "", "areas": ["billing:read"], "expires_on": timezone.localdate().isoformat()},
    )
    errors = response.context["form"].errors
    assert set(errors) == {"name", "areas", "categories", "expires_on"}
    assert errors["expires_on"] == ["Choose a day after today."]
    assert not ApiToken.objects.exists()


def test_a_user_cannot_revoke_someone_elses_token(client, make_user):
    other_token, _raw = create_token(make_user("other"))
    client.force_login(make_user("somchai"))
    assert client.post(f"/account/tokens/{other_token.pk}/revoke/").status_code == 404
    other_token.refresh_from_db()
    assert other_token.revoked_at is None
