"""Data categories per role (accounts.roles.CATEGORY_PERMISSIONS): communications
(3.7) are on the timeline of sales and support but not of billing, and an API
token without the category does not see them either, whatever its user may."""

import pytest
from django.test import Client

from connexion.accounts.roles import CATEGORY_PERMISSIONS, ROLE_PERMISSIONS
from connexion.accounts.visibility import can_see_category
from connexion.api.scopes import withheld_permissions
from connexion.comms.services import send_email
from connexion.privacy.registry import Category
from connexion.sales.activities.timeline import timeline_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def emailed(smtp, make_user, malee, welcome):
    send_email(
        make_user("sender", roles=("sales",)),
        malee,
        template=welcome,
        email_address=malee.emailaddresss.get(is_primary=True),
        language="en",
    )
    return malee


def test_every_category_of_the_policy_is_opened_by_a_permission_some_role_holds():
    assert set(CATEGORY_PERMISSIONS) == set(Category.values)
    granted = {name for names in ROLE_PERMISSIONS.values() for name in names}
    assert set(CATEGORY_PERMISSIONS.values()) <= granted


@pytest.mark.parametrize(
    ("role", "sees"),
    [("sales", True), ("support", True), ("billing", False), ("privacy_officer", True)],
)
def test_communications_on_the_timeline_follow_the_role(emailed, make_user, role, sees):
    viewer = make_user(f"a-{role}", roles=(role,), language="en")
    assert can_see_category(viewer, "3.7") is sees
    page = timeline_page(viewer, "person", emailed)
    assert any(entry.kind == "email" for entry in page.entries) is sees
    assert ("email" in page.kinds) is sees
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(viewer)
    fragment = client.get(f"/sales/timeline/person/{emailed.pk}/").content.decode()
    assert ("Hello Malee" in fragment) is sees


def test_payment_and_usage_categories_stay_with_their_roles(make_user):
    sales = make_user("s1", roles=("sales",))
    billing = make_user("b1", roles=("billing",))
    support = make_user("u1", roles=("support",))
    assert not can_see_category(sales, "3.6") and not can_see_category(sales, "3.3")
    assert not can_see_category(sales, "3.5")
    assert can_see_category(billing, "3.6") and not can_see_category(billing, "3.7")
    assert can_see_category(support, "3.5") and not can_see_category(support, "3.6")


def test_a_token_without_the_category_does_not_see_the_conversations(emailed, make_user):
    # What api.auth does for each call: the token's missing categories are
    # withheld from its user for that request.
    user = make_user("supporter", roles=("support",), language="en")
    for scopes, sees in ((["people:read", "3.1"], False), (["people:read", "3.1", "3.7"], True)):
        user.withheld_permissions = withheld_permissions(scopes)
        assert can_see_category(user, "3.7") is sees
        page = timeline_page(user, "person", emailed)
        assert any(entry.kind == "email" for entry in page.entries) is sees
