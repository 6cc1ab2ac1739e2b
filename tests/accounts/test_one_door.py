"""One sign-in door: every view the URL resolver lists that can sign someone in
asks for the same things (the password, then the code where the role requires
it) under the same throttle and lockout. New ways in are found by walking the
resolver, so a view added later is tested (or fails the inventory) too."""

from __future__ import annotations

import base64
import importlib
import inspect
import re
from collections.abc import Iterator

import pytest
from django.contrib.admin import AdminSite
from django.contrib.auth.views import LoginView, PasswordResetConfirmView
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from connexion.accounts import views as door
from connexion.accounts.forms import SignInForm
from connexion.accounts.services import is_locked_out
from tests.accounts.helpers import code_for, enrol
from tests.conftest import PASSWORD

LOCKED = "this account is locked"
SLOWED = "from your network address: try again in"


def _routes(resolver: URLResolver, prefix: str = "/") -> Iterator[tuple[str, URLPattern]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _kind(pattern: URLPattern) -> str | None:
    """How the view can let someone in, if it can."""
    callback = pattern.callback
    view_class = getattr(callback, "view_class", None)
    if view_class is not None and issubclass(view_class, LoginView):
        return "password"
    if isinstance(getattr(callback, "__self__", None), AdminSite) and callback.__name__ == "login":
        return "password"
    if view_class is not None and issubclass(view_class, PasswordResetConfirmView):
        return "password_reset"
    if inspect.unwrap(callback) is inspect.unwrap(door.sign_in_code):
        return "second_step"
    if callback.__module__.startswith("ninja"):
        return "api"
    return None


ROUTES = list(_routes(get_resolver()))
PASSWORD_ROUTES = [path for path, pattern in ROUTES if _kind(pattern) == "password"]
ADMIN_LOGIN = next(path for path, pattern in ROUTES if pattern.name == "login" and "admin" in path)


def test_the_inventory_of_ways_in():
    kinds = {_kind(pattern) for _path, pattern in ROUTES}
    assert {"password", "password_reset", "second_step", "api"} <= kinds
    assert set(PASSWORD_ROUTES) == {"/account/sign-in/", ADMIN_LOGIN}
    # Every password form is ours, so its throttle is ours too.
    for _path, pattern in ROUTES:
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is not None and issubclass(view_class, LoginView):
            assert issubclass(view_class.authentication_form, SignInForm)
        if view_class is not None and issubclass(view_class, PasswordResetConfirmView):
            assert view_class.post_reset_login is False


def test_only_the_door_calls_login():
    """Any of our view modules that signs a user in by itself is a new way in."""
    modules = {
        inspect.unwrap(pattern.callback).__module__
        for _path, pattern in ROUTES
        if inspect.unwrap(pattern.callback).__module__.startswith("connexion.")
    }
    callers = {
        name
        for name in modules
        if re.search(
            r"\b(auth_)?login\(\s*request|\bauthenticate\(",
            inspect.getsource(importlib.import_module(name)),
        )
    }
    assert callers == {"connexion.accounts.views"}


def post_password(client: Client, path: str, username: str, password: str, **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("path", PASSWORD_ROUTES)
def test_wrong_passwords_lock_the_account_the_same_way(path, make_user, settings):
    user = make_user("somsri", language="en")
    client = Client()
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        response = post_password(client, path, "somsri", "wrong guess")
        assert "_auth_user_id" not in client.session
    assert is_locked_out(user)
    response = post_password(client, path, "somsri", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("path", PASSWORD_ROUTES)
def test_made_up_names_slow_the_address_and_lock_no_account(path, admin_user, settings):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for index in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        post_password(attacker, path, f"made-up-{index}", "guess")
    response = post_password(attacker, path, "admin", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert SLOWED in response.content.decode()
    assert not is_locked_out(admin_user)
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    response = post_password(elsewhere, path, "admin", PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in elsewhere.session


@pytest.mark.django_db
@pytest.mark.parametrize("path", PASSWORD_ROUTES)
def test_a_role_requiring_mfa_is_not_signed_in_by_the_password_alone(path, admin_user):
    enrol(admin_user)
    client = Client()
    response = post_password(client, path, "admin", PASSWORD)
    assert response["Location"] == "/account/sign-in/code/"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    assert client.get("/people/").status_code == 302
    response = client.post("/account/sign-in/code/", {"code": code_for(admin_user)})
    assert "_auth_user_id" in client.session
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", PASSWORD_ROUTES)
def test_a_role_requiring_mfa_without_it_is_held_at_enrolment(path, admin_user):
    client = Client()
    post_password(client, path, "admin", PASSWORD)
    assert client.get("/people/")["Location"] == "/account/two-step/setup/"
    assert client.get("/admin/")["Location"] == "/account/two-step/setup/"


@pytest.mark.django_db
def test_the_admin_login_page_is_our_sign_in():
    response = Client().get(f"{ADMIN_LOGIN}?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?next=%2Fadmin%2Faccounts%2Fuser%2F"
    # And the way back after the code is the admin page asked for.
    assert Client().get("/admin/")["Location"].startswith(ADMIN_LOGIN)


@pytest.mark.django_db
def test_a_session_without_the_second_step_does_not_open_the_admin(client, admin_user):
    enrol(admin_user)
    client.force_login(admin_user)  # a session made without the door
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/sign-in/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_staff_user_without_two_step_sign_in_is_sent_to_set_it_up(client, make_user):
    user = make_user("owner", roles=("sales",))
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    assert client.get(ADMIN_LOGIN)["Location"] == "/account/two-step/setup/"


@pytest.mark.django_db
def test_a_non_staff_user_is_refused_the_admin(signed_in):
    assert signed_in.get(ADMIN_LOGIN).status_code == 403


@pytest.mark.django_db
def test_a_password_reset_signs_nobody_in(client, admin_user):
    enrol(admin_user)
    client.post("/account/password-reset/", {"email": admin_user.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    form_page = client.get("/" + link.split("://", 1)[1].split("/", 1)[1], follow=True)
    new_password = "lanterns over the chao phraya"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    # The new password is one more way to the same door: the code is still asked for.
    assert post_password(client, "/account/sign-in/", "admin", new_password)["Location"] == (
        "/account/sign-in/code/"
    )


@pytest.mark.django_db
def test_the_api_takes_tokens_only(client, admin_user):
    basic = base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Basic {basic}").status_code == 401
    enrol(admin_user)
    post_password(client, "/account/sign-in/", "admin", PASSWORD)
    client.post("/account/sign-in/code/", {"code": code_for(admin_user)})
    # A signed-in session is no API credential either.
    assert client.get("/api/v1/me").status_code == 401
