import time

import pytest
from django.test import Client

from connexion.accounts import sessions
from connexion.accounts.models import UserSession
from connexion.config import ConfigError, load_config
from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db


def shift(client: Client, **seconds_ago: float) -> None:
    """Moves the session's clocks into the past, as if time had passed."""
    session = client.session
    now = time.time()
    if "signed_in" in seconds_ago:
        session[sessions.SIGNED_IN_AT] = now - seconds_ago["signed_in"]
    if "seen" in seconds_ago:
        session[sessions.SEEN_AT] = now - seconds_ago["seen"]
    session.save()


@pytest.fixture
def browser(client, make_user) -> Client:
    make_user("somsri", language="en")
    sign_in(client, "somsri")
    return client


def test_a_session_idle_too_long_is_signed_out(browser, settings):
    shift(browser, seen=settings.SESSION_IDLE_SECONDS + 5)
    response = browser.get("/people/", follow=True)
    assert response.redirect_chain[0][0] == "/account/sign-in/?next=/people/"
    assert "You were signed out after a time without activity." in response.content.decode()
    assert "_auth_user_id" not in browser.session
    assert not UserSession.objects.exists()


def test_activity_keeps_the_session_alive(browser, settings):
    shift(browser, seen=settings.SESSION_IDLE_SECONDS - 30)
    assert browser.get("/").status_code == 200
    # The last-seen time moved on, so the same gap again is still within the limit.
    assert time.time() - browser.session[sessions.SEEN_AT] < 5
    shift(browser, seen=settings.SESSION_IDLE_SECONDS - 30)
    assert browser.get("/").status_code == 200


def test_last_seen_is_written_at_most_once_a_minute(browser):
    shift(browser, seen=10)
    before = browser.session[sessions.SEEN_AT]
    browser.get("/")
    assert browser.session[sessions.SEEN_AT] == before


def test_a_session_past_its_absolute_limit_ends_even_when_active(browser, settings):
    shift(browser, signed_in=settings.SESSION_COOKIE_AGE + 5, seen=1)
    response = browser.get("/", follow=True)
    assert "Your sign-in has expired. Sign in again." in response.content.decode()
    assert "_auth_user_id" not in browser.session


def test_the_idle_limit_comes_from_settings(browser, settings):
    settings.SESSION_IDLE_SECONDS = 60
    shift(browser, seen=90)
    assert browser.get("/")["Location"].startswith("/account/sign-in/")


def test_htmx_requests_are_sent_to_the_sign_in_page(browser, settings):
    shift(browser, seen=settings.SESSION_IDLE_SECONDS + 5)
    response = browser.get("/people/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith("/account/sign-in/")


def test_timeouts_are_configured_from_the_environment(tmp_path):
    config = load_config(
        {
            "CONNEXION_DATA_DIR": str(tmp_path),
            "CONNEXION_SESSION_IDLE_MINUTES": "10",
            "CONNEXION_SESSION_HOURS": "8",
            "CONNEXION_API_RATE_LIMIT": "120",
        },
        tmp_path,
    )
    assert (config.session_idle_minutes, config.session_hours, config.api_rate_limit) == (
        10,
        8,
        120,
    )
    defaults = load_config({"CONNEXION_DATA_DIR": str(tmp_path)}, tmp_path)
    assert (defaults.session_idle_minutes, defaults.api_rate_limit) == (30, 600)
    with pytest.raises(ConfigError, match="CONNEXION_SESSION_IDLE_MINUTES"):
        load_config(
            {"CONNEXION_DATA_DIR": str(tmp_path), "CONNEXION_SESSION_IDLE_MINUTES": "0"},
            tmp_path,
        )
