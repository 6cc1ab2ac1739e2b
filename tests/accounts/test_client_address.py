"""The client's address behind trusted proxies (CONNEXION_TRUSTED_PROXIES): what
the sign-in throttle, the sign-in history and the access log record."""

import pytest
from django.test import Client, RequestFactory

from connexion.accounts.models import SignInAttempt
from connexion.config import ConfigError, parse_trusted_proxies
from connexion.lib.http import client_ip
from tests.accounts.helpers import sign_in
from tests.conftest import PASSWORD


def address(remote: str, forwarded: str | None = None) -> str | None:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.CONNEXION_TRUSTED_PROXIES = ()
    assert address("203.0.113.9", "198.51.100.1") == "203.0.113.9"


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # From the proxy: the address it saw.
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),
        # A client writing its own header gets only its real address read.
        ("10.0.0.5", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        # Two proxies in a row: the right-most address that is not one of them.
        ("10.0.0.5", "198.51.100.7, 10.0.0.9", "198.51.100.7"),
        # Not from a proxy: the header is the client's own words.
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),
        # No header, or rubbish in it: the last hop known.
        ("10.0.0.5", None, "10.0.0.5"),
        ("10.0.0.5", "not-an-address", "10.0.0.5"),
        ("10.0.0.5", "", "10.0.0.5"),
        ("::ffff:10.0.0.5", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(
    settings, remote, forwarded, client
):
    settings.CONNEXION_TRUSTED_PROXIES = ("10.0.0.0/24",)
    assert address(remote, forwarded) == client


def test_the_setting_is_checked_at_start():
    assert parse_trusted_proxies("127.0.0.1, 10.0.0.0/24 ,::1") == (
        "127.0.0.1/32",
        "10.0.0.0/24",
        "::1/128",
    )
    assert parse_trusted_proxies("") == ()
    with pytest.raises(ConfigError, match="CONNEXION_TRUSTED_PROXIES"):
        parse_trusted_proxies("10.0.0.0/33")


@pytest.mark.django_db
def test_staff_behind_the_proxy_are_throttled_each_by_their_own_address(make_user, settings):
    settings.CONNEXION_TRUSTED_PROXIES = ("127.0.0.1",)
    make_user("somsri")
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.9")
    for index in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        sign_in(attacker, f"guess{index}", "wrong")
    assert "_auth_user_id" not in attacker.session
    colleague = Client(HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert sign_in(colleague, "somsri", PASSWORD)["Location"] == "/"
    assert SignInAttempt.objects.filter(outcome="succeeded").get().ip_address == "198.51.100.7"
    # Forging the header does not get the attacker a fresh address.
    forged = Client(HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    response = sign_in(forged, "somsri", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert "try again in" in response.content.decode()
