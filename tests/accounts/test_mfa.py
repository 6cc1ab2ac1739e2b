import re

import pyotp
import pytest
from django.test import Client

from connexion.accounts.models import MfaDevice, RecoveryCode, SignInAttempt
from tests.accounts.helpers import code_for, enrol, enter_code, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_enrolment_shows_a_qr_code_and_the_key_then_turns_on_with_a_first_code(client, make_user):
    user = make_user("somsri", language="en")
    client.force_login(user)
    page = client.get("/account/two-step/setup/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and "<script" not in body.split("<main", 1)[1]
    device = MfaDevice.objects.get(user=user)
    shown_key = re.search(r'data-testid="mfa-secret">([A-Z2-7 ]+)<', body).group(1)
    assert shown_key.replace(" ", "") == device.secret
    assert device.confirmed_at is None
    # Reloading keeps the same key: the phone may already have scanned it.
    client.get("/account/two-step/setup/")
    assert MfaDevice.objects.get(user=user).secret == device.secret

    wrong = client.post("/account/two-step/setup/", {"code": "000000"})
    assert "This code is not correct" in wrong.content.decode()
    assert MfaDevice.objects.get(user=user).confirmed_at is None

    response = client.post("/account/two-step/setup/", {"code": pyotp.TOTP(device.secret).now()})
    assert response["Location"] == "/account/two-step/recovery-codes/"
    assert MfaDevice.objects.get(user=user).confirmed_at is not None
    codes_page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", codes_page)
    assert len(codes) == 10 and len(set(codes)) == 10
    # Stored hashed, shown once.
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert not stored & set(codes)
    assert client.get("/account/two-step/recovery-codes/")["Location"] == "/account/"


def test_sign_in_asks_for_the_code_after_the_password(client, make_user):
    user = make_user("somsri")
    enrol(user)
    response = sign_in(client, "somsri", HTTP_USER_AGENT="pytest")
    assert response["Location"] == "/account/sign-in/code/"
    # The right password alone does not sign in.
    assert "_auth_user_id" not in client.session
    assert client.get("/")["Location"].startswith("/account/sign-in/")

    assert enter_code(client, "123456").status_code == 200
    assert "_auth_user_id" not in client.session
    response = enter_code(client, code_for(user), HTTP_USER_AGENT="pytest")
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    steps = list(
        SignInAttempt.objects.filter(user=user)
        .order_by("attempted_at", "id")
        .values_list("outcome", "step")
    )
    assert steps == [
        ("code_required", "password"),
        ("failed", "totp"),
        ("succeeded", "totp"),
    ]


def test_a_code_works_only_once(client, make_user):
    user = make_user("somsri")
    enrol(user)
    code = code_for(user)
    sign_in(client, "somsri")
    assert enter_code(client, code)["Location"] == "/"
    other = Client()
    sign_in(other, "somsri")
    assert enter_code(other, code).status_code == 200
    assert "_auth_user_id" not in other.session


def test_the_next_page_after_the_code_is_the_one_asked_for(client, make_user):
    user = make_user("somsri")
    enrol(user)
    client.post(
        "/account/sign-in/", {"username": "somsri", "password": PASSWORD, "next": "/people/"}
    )
    assert enter_code(client, code_for(user))["Location"] == "/people/"


def test_recovery_codes_work_once_each(client, make_user):
    user = make_user("somsri", language="en")
    codes = enrol(user)
    # The code step comes before the user is known: the browser's language.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(client, "somsri")
    response = enter_code(client, codes[0].upper().replace("-", " "), follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "9 codes are left" in response.content.decode()
    client.post("/account/sign-out/")
    sign_in(client, "somsri")
    assert enter_code(client, codes[0]).status_code == 200
    assert "_auth_user_id" not in client.session
    assert enter_code(client, codes[1])["Location"] == "/"
    assert SignInAttempt.objects.filter(user=user, step="recovery_code").count() == 3


def test_the_code_step_is_throttled_too(client, make_user, settings):
    user = make_user("somsri", language="en")
    enrol(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(client, "somsri")
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        enter_code(client, "000000")
    # A right password again does not reset the count of wrong codes.
    sign_in(client, "somsri")
    response = enter_code(client, code_for(user))
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert SignInAttempt.objects.filter(user=user, outcome="blocked").exists()


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client):
    assert client.get("/account/sign-in/code/")["Location"] == "/account/sign-in/"


@pytest.mark.parametrize("role", ["admin", "privacy_officer"])
def test_a_role_that_requires_mfa_must_enrol_before_anything_else(client, make_user, role):
    user = make_user(f"u_{role}", roles=(role,), language="en")
    response = sign_in(client, user.username)
    assert response["Location"] == "/account/two-step/setup/"
    for path in ["/", "/people/", "/account/", "/account/tokens/", "/settings/"]:
        assert client.get(path)["Location"] == "/account/two-step/setup/", path
    # htmx requests are sent to the page too, not given a fragment.
    assert client.get("/people/", HTTP_HX_REQUEST="true")["HX-Redirect"] == (
        "/account/two-step/setup/"
    )
    assert client.get("/account/two-step/setup/").status_code == 200
    device = MfaDevice.objects.get(user=user)
    client.post("/account/two-step/setup/", {"code": pyotp.TOTP(device.secret).now()})
    assert client.get("/").status_code == 200


def test_a_role_without_the_requirement_may_skip_mfa(client, make_user):
    make_user("sales1", roles=("sales",))
    assert sign_in(client, "sales1")["Location"] == "/"
    assert client.get("/people/").status_code == 200


def test_sessions_made_without_the_sign_in_form_are_not_held_at_enrolment(client, admin_user):
    # force_login (tests, browser fixtures) does not go through the password step.
    client.force_login(admin_user)
    assert client.get("/settings/").status_code == 200


def test_new_recovery_codes_need_the_password_and_replace_the_old(client, make_user):
    user = make_user("somsri", language="en")
    old_codes = enrol(user)
    client.force_login(user)
    refused = client.post("/account/two-step/recovery-codes/new/", {"password": "wrong"})
    assert "This is not your current password." in refused.content.decode()
    response = client.post("/account/two-step/recovery-codes/new/", {"password": PASSWORD})
    assert response["Location"] == "/account/two-step/recovery-codes/"
    new_codes = re.findall(
        r"<li><code>([a-z0-9-]+)</code></li>", client.get(response["Location"]).content.decode()
    )
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    other = Client()
    sign_in(other, "somsri")
    assert enter_code(other, old_codes[0]).status_code == 200
    assert enter_code(other, new_codes[0])["Location"] == "/"


def test_turning_mfa_off_needs_the_password(client, make_user):
    user = make_user("somsri", language="en")
    enrol(user)
    client.force_login(user)
    client.post("/account/two-step/turn-off/", {"password": "wrong"})
    assert MfaDevice.objects.filter(user=user).exists()
    response = client.post("/account/two-step/turn-off/", {"password": PASSWORD})
    assert response["Location"] == "/account/"
    assert not MfaDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert sign_in(Client(), "somsri")["Location"] == "/"


def test_a_required_role_turning_mfa_off_must_set_it_up_again_at_once(client, make_user):
    user = make_user("dpo", roles=("privacy_officer",))
    enrol(user)
    client.force_login(user)
    response = client.post("/account/two-step/turn-off/", {"password": PASSWORD})
    assert response["Location"] == "/account/two-step/setup/"
    assert client.get("/people/")["Location"] == "/account/two-step/setup/"


def test_an_admin_resets_a_users_mfa(client, admin_user, make_user):
    user = make_user("somsri")
    enrol(user)
    client.force_login(admin_user)
    client.post(f"/settings/users/{user.pk}/reset-two-step/")
    assert not MfaDevice.objects.filter(user=user).exists()
    assert sign_in(Client(), "somsri")["Location"] == "/"


def test_the_secret_is_encrypted_in_the_database_and_rewrapped_by_key_rotation(
    settings, make_user, capsys
):
    import base64
    import os

    from django.core.management import call_command
    from django.db import connection

    from connexion.lib.crypto import MasterKey, sealed_key_id

    old_key, new_key = os.urandom(32), os.urandom(32)
    settings.CONNEXION_MASTER_KEYS = (old_key,)
    user = make_user("somsri", language="en")
    enrol(user)
    device = MfaDevice.objects.get(user=user)
    secret = device.secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_secret FROM accounts_mfadevice WHERE id = %s", [device.pk])
        (stored,) = cursor.fetchone()
    assert secret not in stored and secret.encode() not in base64.b64decode(stored)
    assert sealed_key_id(stored) == MasterKey(old_key).key_id

    settings.CONNEXION_MASTER_KEYS = (new_key, old_key)
    call_command("keys", "rotate")
    assert "Two-step sign-in secrets re-wrapped: 1" in capsys.readouterr().out
    device.refresh_from_db()
    assert sealed_key_id(device.sealed_secret) == MasterKey(new_key).key_id
    # The old key can go: codes still work under the new one alone.
    settings.CONNEXION_MASTER_KEYS = (new_key,)
    assert MfaDevice.objects.get(pk=device.pk).secret == secret
    call_command("keys", "rotate")
    assert "Two-step sign-in secrets re-wrapped: 0" in capsys.readouterr().out
