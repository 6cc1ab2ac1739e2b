import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from connexion.accounts.models import User
from connexion.accounts.passwords import BREACHED_LIST, _breached
from connexion.accounts.services import create_staff_user
from tests.accounts.helpers import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def problems(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [error.code for error in exc.error_list]
    return []


def test_the_breach_list_is_large_and_shipped_with_the_code():
    assert BREACHED_LIST.exists()
    assert 50_000 <= len(_breached(BREACHED_LIST)) <= 100_000


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "qwertyuiop123",
        "1q2w3e4r5t6y",
        "Football2024!!",  # a listed word with digits and symbols around it
        "!!!Sunshine!!!",
    ],
)
def test_breached_passwords_are_refused(password):
    assert "password_breached" in problems(password)


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,
        "lanterns over the chao phraya",
        "ทะเลสีครามที่เกาะสมุย",  # Thai is fine: no composition rules
        "x" * 12 + "kq",
        "a" * 256,
    ],
)
def test_long_unlisted_passwords_pass_without_composition_rules(password):
    assert problems(password) == []


def test_length_limits():
    assert problems("short phrase") == []  # exactly 12
    assert problems("short phras") == ["password_too_short"]
    assert problems("b" * 257) == ["password_too_long"]
    assert problems("1" * 8 + "73592") == []  # all digits is no longer refused as such


def test_a_password_like_the_account_is_refused(make_user):
    user = make_user("somchai.jaidee", first_name="Somchai")
    assert "password_too_similar" in problems("somchai.jaidee", user)
    assert "password_too_similar" in problems("somchai.jaidee@example.co.th", user)


def test_creating_a_user_with_a_weak_password_is_refused_and_nothing_is_saved(db):
    with pytest.raises(ValidationError) as caught:
        create_staff_user("weak", roles=["sales"], password="password1234")
    assert "password" in caught.value.message_dict
    assert not User.objects.filter(username="weak").exists()


def test_changing_the_password_applies_the_rules_and_keeps_the_session(client, make_user):
    user = make_user("somsri", language="en")
    sign_in(client, "somsri")
    other_browser = Client()
    sign_in(other_browser, "somsri")
    page = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "iloveyou1234",
            "new_password2": "iloveyou1234",
        },
    )
    assert "appears in lists of passwords leaked in data breaches" in page.content.decode()
    wrong_old = client.post(
        "/account/password/",
        {
            "old_password": "not it at all",
            "new_password1": "lanterns over the chao phraya",
            "new_password2": "lanterns over the chao phraya",
        },
    )
    assert "This is not your current password." in wrong_old.content.decode()
    mismatch = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "lanterns over the chao phraya",
            "new_password2": "lanterns over the river",
        },
    )
    assert "The two passwords are not the same." in mismatch.content.decode()
    response = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "lanterns over the chao phraya",
            "new_password2": "lanterns over the chao phraya",
        },
    )
    assert response["Location"] == "/account/"
    user.refresh_from_db()
    assert user.check_password("lanterns over the chao phraya")
    assert client.get("/").status_code == 200
    # Other sessions ended with the old password.
    assert other_browser.get("/")["Location"].startswith("/account/sign-in/")


def test_the_reset_form_applies_the_rules(client, make_user):
    make_user("somsri", language="en")
    client.post("/account/password-reset/", {"email": "somsri@example.co.th"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    form_page = client.get("/" + link.split("://", 1)[1].split("/", 1)[1], follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "sunshine", "new_password2": "sunshine"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "too short" in body and "leaked in data breaches" in body


def test_createadmin_reset_gives_a_password_that_passes_the_rules(make_user, capsys):
    make_user("admin", roles=("admin",))
    call_command("createadmin", "--reset-password")
    password = capsys.readouterr().out.split("Password: ", 1)[1].strip()
    assert problems(password) == []
