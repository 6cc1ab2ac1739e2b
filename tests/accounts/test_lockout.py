import pytest
from django.core import mail
from django.test import Client

from connexion.accounts.models import SignInAttempt
from connexion.audit.models import AuditEvent
from tests.accounts.helpers import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-in attempts"


def lock(client: Client, username: str, settings) -> None:
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, username, "wrong guess")


def test_the_locked_user_is_told_how_to_get_back_in(client, make_user, settings):
    make_user("somsri")
    lock(client, "somsri", settings)
    body = sign_in(client, "somsri", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert LOCKED in body and "locked for 15 minutes" in body
    assert "Reset your password to unlock it now" in body
    assert SignInAttempt.objects.filter(username="somsri", outcome="blocked").count() == 1


def test_an_admin_sees_the_lock_and_unlocks(client, admin_user, make_user, settings):
    user = make_user("somsri")
    browser = Client()
    lock(browser, "somsri", settings)
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    assert "locked" in client.get("/settings/").content.decode()
    detail = client.get(f"/settings/users/{user.pk}/").content.decode()
    assert f"/settings/users/{user.pk}/unlock/" in detail
    response = client.post(f"/settings/users/{user.pk}/unlock/", follow=True)
    assert "Sign-in for somsri is unlocked." in response.content.decode()
    assert sign_in(browser, "somsri")["Location"] == "/"
    unlock = SignInAttempt.objects.get(user=user, outcome="unlocked")
    assert unlock.step == "admin"
    event = AuditEvent.objects.get(action="accounts.unlock_sign_in")
    assert event.actor == admin_user


def test_a_non_admin_cannot_unlock(signed_in, make_user, settings):
    user = make_user("somsri")
    lock(Client(), "somsri", settings)
    assert signed_in.post(f"/settings/users/{user.pk}/unlock/").status_code == 403
    assert LOCKED in sign_in(Client(), "somsri", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_password_reset_link_unlocks(client, make_user, settings):
    make_user("somsri")
    lock(client, "somsri", settings)
    client.post("/account/password-reset/", {"email": "somsri@example.co.th"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get(path, follow=True)
    new_password = "lanterns over the chao phraya"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Your account is unlocked." in done.content.decode()
    assert SignInAttempt.objects.filter(
        username="somsri", outcome="unlocked", step="password_reset"
    ).exists()
    assert sign_in(Client(), "somsri", new_password)["Location"] == "/"


def test_a_reset_without_a_lock_records_no_unlock(client, make_user):
    make_user("somsri")
    client.post("/account/password-reset/", {"email": "somsri@example.co.th"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    form_page = client.get("/" + link.split("://", 1)[1].split("/", 1)[1], follow=True)
    new_password = "lanterns over the chao phraya"
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert not SignInAttempt.objects.filter(outcome="unlocked").exists()
    assert sign_in(Client(), "somsri", PASSWORD).status_code == 200
