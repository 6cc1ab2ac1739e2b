"""A staff member who lacks the permission for a page gets a translated page that
names the permission and the roles that carry it, never a bare "403 Forbidden".
Every route the resolver lists is tried, plain, as htmx and as a form post, so a
route added later that refuses without naming what is missing fails here."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from connexion.accounts.permissions import MissingPermission
from tests.routes import page_routes

ROUTES = page_routes()


def _refusals(client: Client) -> list[tuple[str, str, str]]:
    """(method, url, page) of every 403 the routes answer this client."""
    refused = []
    for route in ROUTES:
        url = route.url()
        for method, headers in (("GET", {}), ("GET", {"HX-Request": "true"}), ("POST", {})):
            call = client.get if method == "GET" else client.post
            response = call(url, headers=headers)
            assert response.status_code != 500, f"{method} {url}"
            if response.status_code == 403:
                refused.append((method, url, response.content.decode()))
    return refused


@pytest.mark.parametrize("roles", [(), ("sales",), ("support",)])
def test_every_refusal_names_the_permission_in_the_readers_language(client, make_user, roles):
    client.force_login(make_user("norole", roles=roles))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    refused = _refusals(client)
    # Without any role nearly everything refuses: the walk really reached the doors.
    assert len(refused) > (60 if not roles else 10)
    for method, url, page in refused:
        assert "ต้องมีสิทธิ์" in page, f"{method} {url} refused without naming the permission"
        assert "Forbidden" not in page


def test_the_page_names_the_permission_and_the_roles_that_carry_it(rf, make_user):
    from connexion.ui.views import permission_denied

    request = rf.get("/data-protection/")
    request.user = make_user("sales2", roles=("sales",))
    with translation.override("en"):
        page = permission_denied(request, MissingPermission("privacy.erase_person")).content
    text = page.decode()
    assert "Can erase" in text or "erase" in text.lower()
    assert "Privacy officer" in text
    assert "Administrator" not in text.split("It comes with these roles:")[1].split(".")[0]
    assert "Settings" in text
