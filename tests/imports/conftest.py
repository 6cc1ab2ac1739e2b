import pytest
from django.test import Client

from connexion.people.services import create_source


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff(client: Client, make_user) -> Client:
    """A signed-in sales user who reads English."""
    user = make_user("importer", roles=("sales",), language="en")
    client.force_login(user)
    client.user = user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def officer(client: Client, make_user) -> Client:
    """A signed-in user who may see national IDs (a privacy officer)."""
    user = make_user("officer", roles=("privacy_officer",), language="en")
    client.force_login(user)
    client.user = user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def source(db):
    return create_source(None, kind="direct", channel="phone")
