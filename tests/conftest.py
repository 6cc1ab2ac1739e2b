import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page, sync_playwright

from connexion.accounts.models import User
from connexion.accounts.services import create_staff_user
from connexion.ops.management.commands.compiletranslations import compile_translations

PASSWORD = "correct horse battery staple"


def pytest_configure(config: pytest.Config) -> None:
    # The suite needs the compiled catalogues, as `connexion up` would build them.
    compile_translations([Path(path) for path in settings.LOCALE_PATHS])


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]


@pytest.fixture
def make_user(db):
    def make(username: str = "somchai", roles: tuple[str, ...] = ("sales",), **fields) -> User:
        user, _password = create_staff_user(
            username,
            email=f"{username}@example.co.th",
            roles=list(roles),
            password=PASSWORD,
            **fields,
        )
        return user

    return make


@pytest.fixture
def admin_user(make_user) -> User:
    return make_user("admin", roles=("admin",))


@pytest.fixture
def signed_in(client: Client, make_user) -> Client:
    user = make_user("sales1", roles=("sales",))
    client.force_login(user)
    client.user = user  # type: ignore[attr-defined]
    return client


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop in this thread; the ORM calls made
    # by the tests here are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    # Fails rather than skips: a browser that cannot start is a broken test set-up.
    assert Path(executable).exists(), "Debian's chromium is missing: apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    # Every browser test also proves its pages run under the Content-Security-Policy.
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not violations, f"Content-Security-Policy violations: {violations}"


def sign_in_page(page: Page, live_server, user) -> Page:
    """Gives the browser a signed-in session of `user` without typing it in."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return page
