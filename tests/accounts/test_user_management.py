import re

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client

from connexion.accounts.models import Team, User, UserSession
from connexion.accounts.services import deactivate_user
from connexion.api.models import ApiToken
from connexion.api.services import create_token
from connexion.audit.models import AuditEvent
from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user) -> Client:
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    client.user = admin_user  # type: ignore[attr-defined]
    return client


def form_data(user: User, **changes) -> dict:
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": user.language,
        "roles": list(user.groups.values_list("name", flat=True)),
        "teams": list(user.teams.values_list("pk", flat=True)),
    }
    data.update(changes)
    return data


def test_the_list_shows_every_user_with_roles_teams_and_mfa(admin, make_user):
    user = make_user("malee", roles=("sales",), first_name="Malee")
    team = Team.objects.create(name="Bangkok sales")
    team.members.add(user)
    body = admin.get("/settings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = body.split(f'href="/settings/users/{user.pk}/"', 1)[1].split("</tr>", 1)[0]
    assert "Sales" in row and "Bangkok sales" in row and "Off" in row


def test_admin_creates_a_staff_user_with_a_generated_password(admin):
    team = Team.objects.create(name="Support")
    response = admin.post(
        "/settings/users/new/",
        {
            "username": "newsales",
            "email": "new@example.co.th",
            "roles": ["sales"],
            "teams": [team.pk],
            "language": "en",
        },
        follow=True,
    )
    assert response.status_code == 200
    new_user = User.objects.get(username="newsales")
    assert list(new_user.groups.values_list("name", flat=True)) == ["sales"]
    assert list(new_user.teams.all()) == [team]
    message = next(iter(response.context["messages"])).message
    password = message.rsplit(" ", 1)[1]
    assert new_user.check_password(password)


def test_creating_a_user_names_the_field_that_is_wrong(admin, make_user):
    make_user("malee")
    response = admin.post(
        "/settings/users/new/",
        {"username": "Malee", "email": "not-an-email", "roles": []},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    errors = response.context["form"].errors
    assert errors["username"] == ["This username is already taken."]
    assert "email" in errors and errors["roles"] == ["Choose at least one role."]
    assert User.objects.filter(username__iexact="malee").count() == 1


def test_admin_edits_a_user_roles_and_teams(admin, make_user):
    user = make_user("malee", roles=("sales",))
    team = Team.objects.create(name="North")
    response = admin.post(
        f"/settings/users/{user.pk}/",
        form_data(user, roles=["billing", "support"], teams=[team.pk], first_name="Malee"),
    )
    assert response.status_code == 302
    user = User.objects.get(pk=user.pk)
    assert sorted(user.groups.values_list("name", flat=True)) == ["billing", "support"]
    assert list(user.teams.all()) == [team] and user.first_name == "Malee"
    assert AuditEvent.objects.filter(action="accounts.set_teams", actor=admin.user).exists()


def test_losing_the_admin_role_takes_the_admin_site_away(admin, make_user):
    other = make_user("second_admin", roles=("admin",))
    assert other.is_superuser
    admin.post(f"/settings/users/{other.pk}/", form_data(other, roles=["sales"]))
    other = User.objects.get(pk=other.pk)
    assert not other.is_superuser and not other.is_staff
    assert not other.has_perm("accounts.manage_staff")


def test_an_admin_cannot_take_their_own_admin_role(admin):
    me = admin.user
    response = admin.post(
        f"/settings/users/{me.pk}/", form_data(me, roles=["sales"]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "You cannot take the administrator role from yourself." in response.content.decode()
    assert me.groups.filter(name="admin").exists()


def test_teams_are_created_edited_and_deleted(admin, make_user):
    malee = make_user("malee")
    somsri = make_user("somsri")
    admin.post("/settings/teams/", {"name": "Chiang Mai", "members": [malee.pk]})
    team = Team.objects.get(name="Chiang Mai")
    assert list(team.members.all()) == [malee]
    duplicate = admin.post("/settings/teams/", {"name": "chiang mai"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "A team with this name already exists." in duplicate.content.decode()
    admin.post(
        f"/settings/teams/{team.pk}/",
        {"name": "Chiang Mai office", "description": "North", "members": [malee.pk, somsri.pk]},
    )
    team.refresh_from_db()
    assert team.name == "Chiang Mai office" and team.members.count() == 2
    assert set(somsri.teams.all()) == {team}
    admin.post(f"/settings/teams/{team.pk}/delete/")
    assert not Team.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"accounts.create_team", "accounts.update_team", "accounts.delete_team"} <= actions


def test_a_user_can_be_in_several_teams(make_user):
    user = make_user("malee")
    north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
    north.members.add(user)
    south.members.add(user)
    assert set(user.teams.all()) == {north, south}


def test_deactivating_ends_a_live_session_and_token_at_once(admin, make_user):
    user = make_user("malee", roles=("sales",))
    browser = Client()
    sign_in(browser, "malee")
    assert browser.get("/people/").status_code == 200
    _token, raw = create_token(user)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert UserSession.objects.filter(user=user).count() == 1

    response = admin.post(f"/settings/users/{user.pk}/deactivate/", follow=True)
    assert "1 sessions ended, 1 API tokens revoked" in response.content.decode()
    assert browser.get("/people/")["Location"].startswith("/account/sign-in/")
    assert Session.objects.filter(session_key=browser.cookies["sessionid"].value).count() == 0
    refused = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert refused.status_code == 401
    assert ApiToken.objects.get(user=user).revoked_at is not None
    assert sign_in(Client(), "malee").status_code == 200  # no sign-in while inactive


def test_reactivating_lets_the_user_sign_in_but_old_tokens_stay_revoked(admin, make_user):
    user = make_user("malee")
    _token, raw = create_token(user)
    admin.post(f"/settings/users/{user.pk}/deactivate/")
    admin.post(f"/settings/users/{user.pk}/reactivate/")
    assert sign_in(Client(), "malee")["Location"] == "/"
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_an_admin_cannot_deactivate_themselves_or_the_last_admin(admin, make_user):
    me = admin.user
    response = admin.post(f"/settings/users/{me.pk}/deactivate/", follow=True)
    assert "You cannot deactivate your own account." in response.content.decode()
    me.refresh_from_db()
    assert me.is_active
    # From the command line (no actor), the last administrator is still kept.
    with pytest.raises(ValidationError, match="last active administrator"):
        deactivate_user(me, actor=None)
    other = make_user("second_admin", roles=("admin",))
    deactivate_user(me, actor=other)
    me.refresh_from_db()
    assert not me.is_active


def test_an_admin_revokes_a_users_token(admin, make_user):
    user = make_user("malee")
    token, raw = create_token(user, "n8n")
    page = admin.get(f"/settings/users/{user.pk}/").content.decode()
    assert token.prefix in page and "n8n" in page
    admin.post(f"/settings/users/{user.pk}/tokens/{token.pk}/revoke/")
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_non_admins_cannot_reach_user_management(signed_in, admin_user):
    for path in ["/settings/", "/settings/users/new/", f"/settings/users/{admin_user.pk}/"]:
        assert signed_in.get(path).status_code == 403, path
    for path in [
        f"/settings/users/{admin_user.pk}/",
        f"/settings/users/{admin_user.pk}/deactivate/",
        "/settings/teams/",
    ]:
        assert signed_in.post(path, {"roles": []}).status_code == 403, path
    admin_user.refresh_from_db()
    assert admin_user.is_active and admin_user.groups.filter(name="admin").exists()


def test_the_admin_sees_a_users_sign_in_history(admin, make_user):
    user = make_user("malee")
    sign_in(Client(), "malee", "wrong one", HTTP_USER_AGENT="Firefox/130")
    sign_in(Client(), "malee", HTTP_USER_AGENT="Chrome/129")
    body = admin.get(f"/settings/users/{user.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    history = body.split('data-testid="sign-in-history"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", history, re.S)[1:]
    assert len(rows) == 2
    assert "signed in" in rows[0] and "Chrome/129" in rows[0] and "127.0.0.1" in rows[0]
    assert "failed" in rows[1] and "Firefox/130" in rows[1] and "password" in rows[1]


def test_a_user_sees_their_own_sign_in_history_and_no_one_elses(client, make_user):
    me = make_user("malee", language="en")
    make_user("somsri")
    sign_in(Client(), "somsri", HTTP_USER_AGENT="SomsriBrowser")
    sign_in(client, "malee", HTTP_USER_AGENT="MaleeBrowser")
    body = client.get("/account/").content.decode()
    assert "MaleeBrowser" in body and "SomsriBrowser" not in body
    assert "Sign-in history" in body
    assert me.display_name() in body
