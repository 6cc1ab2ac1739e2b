from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from connexion.accounts.models import User
from connexion.accounts.services import create_staff_user
from connexion.ops.management.commands.compiletranslations import compile_translations

PASSWORD = "correct horse battery staple"


def pytest_configure(config: pytest.Config) -> None:
    # The suite needs the compiled catalogues, as `connexion up` would build them.
    compile_translations([Path(path) for path in settings.LOCALE_PATHS])


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
