from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone

from connexion.accounts.models import SignInAttempt
from connexion.accounts.services import is_locked_out, locked_usernames
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

GENERIC = "The username or password is not correct."


def sign_in(client: Client, username: str, password: str, **extra):
    return client.post("/account/sign-in/", {"username": username, "password": password}, **extra)


def test_staff_sign_in_and_out(client, make_user):
    make_user("somsri")
    response = sign_in(client, "somsri", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/account/sign-out/")
    assert client.get("/")["Location"].startswith("/account/sign-in/")


def test_passwords_are_hashed_with_argon2(make_user):
    assert make_user("hashme").password.startswith("argon2")


@pytest.mark.parametrize(
    ("username", "password"), [("somsri", "wrong password"), ("nobody", PASSWORD)]
)
def test_a_wrong_sign_in_gets_one_generic_message(client, make_user, username, password):
    make_user("somsri")
    response = sign_in(client, username, password, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert GENERIC in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_generic_message_is_translated(client, make_user):
    make_user("somsri")
    response = sign_in(client, "somsri", "nope", HTTP_ACCEPT_LANGUAGE="th")
    body = response.content.decode()
    assert GENERIC not in body
    assert "ชื่อผู้ใช้" in body


def test_sign_in_is_throttled_after_repeated_failures(client, make_user, settings):
    make_user("somsri")
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "somsri", "guess", HTTP_ACCEPT_LANGUAGE="en")
    # Even the right password is refused while the lock lasts.
    response = sign_in(client, "somsri", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    outcomes = list(
        SignInAttempt.objects.filter(username="somsri").values_list("outcome", flat=True)
    )
    assert outcomes.count("failed") == settings.LOGIN_FAILURE_LIMIT


def test_the_lock_ends_when_the_window_has_passed(client, make_user, settings):
    make_user("somsri")
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "somsri", "guess")
    past = timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES + 1)
    SignInAttempt.objects.update(attempted_at=past)
    assert sign_in(client, "somsri", PASSWORD).status_code == 302


def test_one_address_trying_many_usernames_is_slowed_without_locking_anyone(
    client, make_user, settings
):
    make_user("target")
    admin = make_user("boss", roles=("admin",))
    for index in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        sign_in(client, f"user{index}", "guess", REMOTE_ADDR="203.0.113.9")
    # That address waits, whatever name it tries, and is told for how long.
    response = sign_in(
        client, "target", PASSWORD, REMOTE_ADDR="203.0.113.9", HTTP_ACCEPT_LANGUAGE="en"
    )
    body = response.content.decode()
    assert "from your network address: try again in 15 minutes" in body
    assert "this account is locked" not in body
    assert "_auth_user_id" not in client.session
    # Nobody's account is locked: staff elsewhere sign in as usual.
    assert not is_locked_out(admin)
    assert sign_in(Client(), "target", PASSWORD, REMOTE_ADDR="198.51.100.7")["Location"] == "/"
    assert locked_usernames() == set()


def test_failures_under_other_names_do_not_count_against_an_account(client, make_user, settings):
    user = make_user("somsri")
    for index in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        sign_in(client, f"made-up-{index}", "guess")
    assert not is_locked_out(user)
    assert sign_in(client, "somsri", PASSWORD)["Location"] == "/"


def test_the_wait_shown_is_what_is_left_of_the_window(client, make_user, settings):
    make_user("somsri")
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "somsri", "guess")
    SignInAttempt.objects.update(attempted_at=timezone.now() - timedelta(minutes=11))
    body = sign_in(client, "somsri", PASSWORD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "locked for 4 minutes" in body


def test_a_success_records_the_attempt_with_address_and_agent(client, make_user):
    user = make_user("somsri")
    sign_in(client, "somsri", PASSWORD, HTTP_USER_AGENT="pytest-browser")
    attempt = SignInAttempt.objects.get(user=user)
    assert attempt.outcome == "succeeded"
    assert attempt.ip_address == "127.0.0.1"
    assert attempt.user_agent == "pytest-browser"


def test_sessions_expire(client, make_user, settings):
    make_user("somsri")
    sign_in(client, "somsri", PASSWORD)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


def test_password_reset_by_email(client, make_user):
    make_user("somsri")
    response = client.post("/account/password-reset/", {"email": "somsri@example.co.th"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["somsri@example.co.th"]
    link = next(line for line in message.body.splitlines() if "/password-reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    new_password = "a much longer new passphrase"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert sign_in(Client(), "somsri", new_password).status_code == 302
    # A used link is dead.
    assert not client.get("/" + path, follow=True).context["validlink"]


def test_password_reset_does_not_reveal_unknown_addresses(client, make_user):
    response = client.post("/account/password-reset/", {"email": "stranger@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_language_choice_is_remembered_on_the_account(client, make_user):
    user = make_user("somsri")
    client.force_login(user)
    response = client.post("/account/language/", {"language": "en", "next": "/people/"})
    assert response["Location"] == "/people/"
    user.refresh_from_db()
    assert user.language == "en"
    # A new browser, Thai by default, still speaks English once this user signs in.
    other_browser = Client(HTTP_ACCEPT_LANGUAGE="th")
    sign_in(other_browser, "somsri", PASSWORD)
    page = other_browser.get("/")
    assert page["Content-Language"] == "en"
    assert "Sign out" in page.content.decode()


def test_language_switch_refuses_unknown_language_and_foreign_redirect(client, make_user):
    client.force_login(make_user("somsri"))
    assert client.post("/account/language/", {"language": "fr"}).status_code == 400
    response = client.post(
        "/account/language/", {"language": "th", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
