import pytest
from django.contrib.auth.models import Group

from connexion.accounts.roles import ROLE_CODES
from connexion.accounts.services import UnknownRoleError, set_roles
from connexion.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_every_role_exists_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_CODES)


@pytest.mark.parametrize(
    ("role", "allowed", "denied"),
    [
        (
            "sales",
            {"access_people", "access_deals", "access_inbox"},
            {"access_privacy", "access_billing", "manage_staff"},
        ),
        ("support", {"access_people", "access_inbox"}, {"access_deals", "access_billing"}),
        ("billing", {"access_people", "access_billing"}, {"access_privacy", "manage_staff"}),
        (
            "privacy_officer",
            {"access_people", "access_privacy"},
            {"access_billing", "manage_staff"},
        ),
        ("admin", {"manage_staff", "access_privacy", "access_billing"}, set()),
    ],
)
def test_role_grants_its_permissions_and_nothing_else(make_user, role, allowed, denied):
    user = make_user(f"user_{role}", roles=(role,))
    for codename in allowed:
        assert user.has_perm(f"accounts.{codename}"), codename
    for codename in denied:
        assert not user.has_perm(f"accounts.{codename}"), codename


def test_roles_combine(make_user):
    user = make_user("both", roles=("support", "billing"))
    assert user.has_perm("accounts.access_inbox") and user.has_perm("accounts.access_billing")
    assert not user.has_perm("accounts.access_deals")


def test_changing_roles_is_audited(make_user, admin_user):
    user = make_user("wichai", roles=("sales",))
    set_roles(user, ["support"], actor=admin_user)
    user = type(user).objects.get(pk=user.pk)  # drop the permission cache
    assert not user.has_perm("accounts.access_deals")
    event = AuditEvent.objects.filter(action="accounts.set_roles").latest("id")
    assert event.actor == admin_user
    assert event.details == {"roles": [["sales"], ["support"]]}


def test_unknown_role_is_refused_and_nothing_changes(make_user):
    user = make_user("anong", roles=("sales",))
    with pytest.raises(UnknownRoleError, match="superhero"):
        set_roles(user, ["sales", "superhero"])
    assert list(user.groups.values_list("name", flat=True)) == ["sales"]
